//! What the console does with mail: the SMTP settings, the test email, the mail
//! log and retrying a failed mail.

use super::outbox::{self, Delivery};
use super::smtp::{self, SmtpUpdate, SmtpView};
use super::{Mailroom, mailer};
use crate::accounts::{Principal, audit};
use crate::db::Db;
use crate::error::{AppError, AppResult};

pub async fn smtp_view(db: &Db, mailroom: &Mailroom) -> AppResult<SmtpView> {
    let file = mailroom.config().smtp.clone();
    db.read(move |c| {
        let (source, s) = smtp::effective(c, &file)?;
        Ok(smtp::view(source, s.as_ref()))
    })
    .await
}

/// Saves the console's SMTP settings. Mail waiting for a retry is tried at once:
/// the change may be what it was waiting for.
pub async fn save_smtp(
    db: &Db,
    mailroom: &Mailroom,
    actor: Principal,
    update: SmtpUpdate,
) -> AppResult<SmtpView> {
    let file = mailroom.config().smtp.clone();
    db.write(move |c| {
        let settings = smtp::validate(c, &file, update)?;
        smtp::save(c, &settings)?;
        outbox::hurry_all(c)?;
        audit(c, actor.agent_id(), "settings.smtp", "smtp", &settings.host)?;
        Ok(())
    })
    .await?;
    mailroom.wake();
    smtp_view(db, mailroom).await
}

/// Forgets the console's settings; kefu.toml's `[smtp]` applies again.
pub async fn clear_smtp(db: &Db, mailroom: &Mailroom, actor: Principal) -> AppResult<SmtpView> {
    db.write(move |c| {
        smtp::clear(c)?;
        audit(c, actor.agent_id(), "settings.smtp_cleared", "smtp", "")?;
        Ok(())
    })
    .await?;
    smtp_view(db, mailroom).await
}

/// Sends a test email through the settings in effect; the SMTP server's answer
/// (or its refusal, word for word) goes back to the owner.
pub async fn send_test(db: &Db, mailroom: &Mailroom, to: String) -> AppResult<String> {
    let to = crate::accounts::validate_email(&to)?;
    let file = mailroom.config().smtp.clone();
    let (shop, settings) = db
        .read(move |c| Ok((crate::settings::shop(c)?.shop_name, smtp::effective(c, &file)?.1)))
        .await?;
    let settings = settings.ok_or_else(|| AppError::bad_request("smtp_not_configured"))?;
    mailer::send_test_email(&settings, &to, &shop)
        .await
        .map_err(|e| AppError::bad_request("smtp_test_failed").with("reason", format!("{e:#}")))
}

/// The latest mails, newest first; `status` narrows to queued, sent or failed.
pub async fn log(db: &Db, status: Option<String>) -> AppResult<Vec<Delivery>> {
    if let Some(s) = status.as_deref()
        && !matches!(s, "queued" | "sent" | "failed")
    {
        return Err(AppError::bad_request("invalid_status").with("allowed", "queued, sent, failed"));
    }
    db.read(move |c| Ok(outbox::recent(c, status.as_deref(), 200)?))
        .await
}

/// Puts a failed mail back in the queue and wakes the worker.
pub async fn retry(db: &Db, mailroom: &Mailroom, actor: Principal, id: i64) -> AppResult<Delivery> {
    let delivery = db
        .write(move |c| {
            let Some(d) = outbox::delivery(c, id)? else {
                return Err(AppError::not_found("not_found"));
            };
            if d.status != "failed" {
                return Err(AppError::conflict("mail_not_failed"));
            }
            outbox::retry(c, id)?;
            audit(c, actor.agent_id(), "mail.retry", &format!("outbox:{id}"), "")?;
            Ok(outbox::delivery(c, id)?.unwrap_or(d))
        })
        .await?;
    mailroom.wake();
    Ok(delivery)
}
