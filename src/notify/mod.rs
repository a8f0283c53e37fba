//! Everything that leaves kefu. For now: the SMTP transport and the test email.
//! (The database outbox and templates arrive with the mail issue.)

pub mod mailer;
