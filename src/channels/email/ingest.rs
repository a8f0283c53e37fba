//! What becomes of one fetched mail: a reply in a ticket's or a conversation's
//! thread, a new ticket or conversation (as the inbox's setting says), or a record
//! of why none (a duplicate, our own mail, a robot, unreadable). Every mail is
//! recorded with its original bytes, whatever became of it.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension};

use super::inbox::{self, NewThreads};
use super::parse::{self, Automatic, ParseError, ParsedMail};
use super::quote;
use crate::attachments::{self, Saved};
use crate::contacts::ContactId;
use crate::conversations::{self, ConversationId, MailMessage, Unpublished};
use crate::error::AppResult;
use crate::notify::Mailroom;
use crate::tickets::{self, ContactRef, MailReply, NewTicket, TicketId};
use crate::util::now_ms;

/// Larger mail is recorded but not fetched (a shop's mailbox is no file store).
pub const MAX_MESSAGE_BYTES: u32 = 25 * 1024 * 1024;

/// A fetched mail, parsed and with its files on disk, before the transaction.
pub struct Prepared {
    pub uid: u32,
    pub size: u32,
    pub raw: Vec<u8>,
    parsed: Result<ParsedMail, ParseError>,
    files: Vec<(Saved, String, String)>,
}

/// Parses and saves the attachments' content (blocking: run off the runtime).
pub fn prepare(dir: &Path, uid: u32, raw: Vec<u8>) -> AppResult<Prepared> {
    let parsed = parse::parse(&raw);
    let mut files = Vec::new();
    if let Ok(mail) = &parsed {
        for a in &mail.attachments {
            files.push((
                attachments::save_content(dir, &a.bytes)?,
                a.content_type.clone(),
                a.filename.clone(),
            ));
        }
    }
    Ok(Prepared {
        uid,
        size: raw.len() as u32,
        raw,
        parsed,
        files,
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    NewTicket,
    TicketReply,
    NewConversation,
    ConversationReply,
    Duplicate,
    Own,
    Ignored,
    Rejected,
    TooLarge,
}

impl Outcome {
    fn as_str(self) -> &'static str {
        match self {
            Outcome::NewTicket => "new_ticket",
            Outcome::TicketReply => "ticket_reply",
            Outcome::NewConversation => "new_conversation",
            Outcome::ConversationReply => "conversation_reply",
            Outcome::Duplicate => "duplicate",
            Outcome::Own => "own",
            Outcome::Ignored => "ignored",
            Outcome::Rejected => "rejected",
            Outcome::TooLarge => "too_large",
        }
    }
}

fn automatic_name(a: Automatic) -> &'static str {
    match a {
        Automatic::AutoReply => "auto_reply",
        Automatic::Bounce => "bounce",
        Automatic::Bulk => "bulk",
    }
}

struct Record<'a> {
    validity: u32,
    uid: u32,
    size: u32,
    raw: Option<&'a [u8]>,
    message_id: Option<&'a str>,
    from: Option<&'a str>,
    subject: &'a str,
    outcome: Outcome,
    reason: Option<&'a str>,
    ticket: Option<TicketId>,
    conversation: Option<ConversationId>,
}

fn record(c: &Connection, r: &Record) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT INTO inbound_mail (uid_validity, uid, message_id, from_email, subject, size, raw, outcome, reason,
             ticket_id, received_at, conversation_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
         ON CONFLICT (uid_validity, uid) DO NOTHING",
    )?
    .execute(rusqlite::params![
        r.validity,
        r.uid,
        r.message_id,
        r.from,
        r.subject,
        r.size,
        r.raw,
        r.outcome.as_str(),
        r.reason,
        r.ticket,
        now_ms(),
        r.conversation,
    ])?;
    Ok(())
}

/// A mail too large to fetch: recorded, so the console can say so.
pub fn too_large(c: &Connection, validity: u32, uid: u32, size: u32) -> rusqlite::Result<()> {
    record(
        c,
        &Record {
            validity,
            uid,
            size,
            raw: None,
            message_id: None,
            from: None,
            subject: "",
            outcome: Outcome::TooLarge,
            reason: None,
            ticket: None,
            conversation: None,
        },
    )
}

fn seen(c: &Connection, validity: u32, uid: u32, message_id: Option<&str>) -> rusqlite::Result<bool> {
    let by_uid = c
        .prepare_cached("SELECT 1 FROM inbound_mail WHERE uid_validity = ?1 AND uid = ?2")?
        .exists(rusqlite::params![validity, uid])?;
    let Some(mid) = message_id else { return Ok(by_uid) };
    Ok(by_uid
        || c.prepare_cached("SELECT 1 FROM inbound_mail WHERE message_id = ?1")?
            .exists([mid])?
        || c.prepare_cached("SELECT 1 FROM ticket_events WHERE mail_message_id = ?1")?
            .exists([mid])?)
}

/// What a mail answers.
#[derive(Clone, Copy)]
enum Answers {
    Ticket(TicketId),
    Conversation(ConversationId),
}

/// The ticket or conversation this mail answers, with that customer's address: by
/// the reply token we put in our Message-IDs and Reply-To, else by the customer's
/// own earlier mail in its References.
fn thread_of(c: &Connection, mail: &ParsedMail) -> rusqlite::Result<Option<(Answers, Option<String>)>> {
    if let Some(token) = parse::reply_token(mail) {
        let ticket = c
            .prepare_cached(
                "SELECT t.id, ct.email FROM tickets t JOIN contacts ct ON ct.id = t.contact_id
                 WHERE t.thread_token = lower(?1)",
            )?
            .query_row([&token], |r| Ok((Answers::Ticket(r.get(0)?), r.get(1)?)))
            .optional()?;
        if ticket.is_some() {
            return Ok(ticket);
        }
        if let Some((id, email)) = conversations::by_token(c, &token)? {
            return Ok(Some((Answers::Conversation(id), email)));
        }
    }
    for id in mail.in_reply_to.iter().chain(mail.references.iter().rev()) {
        let found = c
            .prepare_cached(
                "SELECT m.ticket_id, m.conversation_id, ct.email FROM inbound_mail m
                 LEFT JOIN tickets t ON t.id = m.ticket_id
                 LEFT JOIN conversations cv ON cv.id = m.conversation_id
                 JOIN contacts ct ON ct.id = coalesce(t.contact_id, cv.contact_id)
                 WHERE m.message_id = ?1",
            )?
            .query_row([id], |r| {
                let answers = match r.get::<_, Option<TicketId>>(0)? {
                    Some(t) => Answers::Ticket(t),
                    None => Answers::Conversation(r.get(1)?),
                };
                Ok((answers, r.get(2)?))
            })
            .optional()?;
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}

/// Chinese characters in what they wrote: answer them in Chinese.
fn looks_chinese(text: &str) -> bool {
    text.chars().any(|ch| ('\u{4e00}'..='\u{9fff}').contains(&ch))
}

/// `apply`, but a mail the rules refuse (an address that is not one, say) is
/// recorded as rejected with the reason instead of stopping the mail after it.
pub fn apply_or_reject(
    c: &Connection,
    mailroom: &Mailroom,
    routing: &crate::routing::Snapshot,
    validity: u32,
    p: &Prepared,
    news: &mut Vec<Unpublished>,
) -> AppResult<Outcome> {
    c.execute_batch("SAVEPOINT one_mail")?;
    match apply(c, mailroom, routing, validity, p, news) {
        Ok(outcome) => {
            c.execute_batch("RELEASE one_mail")?;
            Ok(outcome)
        }
        Err(e) if e.is_client_error() => {
            c.execute_batch("ROLLBACK TO one_mail; RELEASE one_mail")?;
            tracing::warn!(uid = p.uid, code = e.code, "email refused");
            let from = p
                .parsed
                .as_ref()
                .ok()
                .and_then(|m| m.from.as_ref())
                .map(|a| a.email.as_str());
            let subject = p.parsed.as_ref().map(|m| m.subject.as_str()).unwrap_or_default();
            record(
                c,
                &Record {
                    validity,
                    uid: p.uid,
                    size: p.size,
                    raw: Some(&p.raw),
                    message_id: None,
                    from,
                    subject,
                    outcome: Outcome::Rejected,
                    reason: Some(e.code),
                    ticket: None,
                    conversation: None,
                },
            )?;
            Ok(Outcome::Rejected)
        }
        Err(e) => Err(e),
    }
}

/// Stores one mail inside the caller's transaction; says what became of it. What
/// the consoles must be told once it is committed goes into `news`.
pub fn apply(
    c: &Connection,
    mailroom: &Mailroom,
    routing: &crate::routing::Snapshot,
    validity: u32,
    p: &Prepared,
    news: &mut Vec<Unpublished>,
) -> AppResult<Outcome> {
    let mut rec = Record {
        validity,
        uid: p.uid,
        size: p.size,
        raw: Some(&p.raw),
        message_id: None,
        from: None,
        subject: "",
        outcome: Outcome::Rejected,
        reason: None,
        ticket: None,
        conversation: None,
    };
    let mail = match &p.parsed {
        Ok(mail) => mail,
        Err(e) => {
            rec.reason = Some(match e {
                ParseError::NotAMail => "not_a_mail",
                ParseError::NoSender => "no_sender",
            });
            if !seen(c, validity, p.uid, None)? {
                record(c, &rec)?;
            }
            return Ok(Outcome::Rejected);
        }
    };
    let from = mail.from.as_ref().map(|a| a.email.as_str()).unwrap_or_default();
    rec.message_id = mail.message_id.as_deref();
    rec.from = Some(from);
    rec.subject = &mail.subject;
    if seen(c, validity, p.uid, rec.message_id)? {
        // Recorded under this UID already, or the same mail came twice.
        rec.outcome = Outcome::Duplicate;
        rec.message_id = None;
        record(c, &rec)?;
        return Ok(Outcome::Duplicate);
    }
    if rec
        .message_id
        .is_some_and(|m| m.starts_with("kefu.") || m.starts_with("kefu-"))
    {
        rec.outcome = Outcome::Own;
        record(c, &rec)?;
        return Ok(Outcome::Own);
    }
    let automatic = mail.automatic.map(automatic_name);
    let folded = quote::fold(&mail.text);
    let thread = thread_of(c, mail)?;
    let participant = |email: &Option<String>| email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(from));
    match thread {
        Some((Answers::Ticket(ticket), email)) if participant(&email) => {
            let contact: ContactId =
                c.query_row("SELECT contact_id FROM tickets WHERE id = ?1", [ticket], |r| {
                    r.get(0)
                })?;
            let reply = MailReply {
                body: folded.visible.trim().to_string(),
                quoted: folded.folded.clone(),
                message_id: mail.message_id.clone(),
                attachments: files(c, p, contact)?,
                automatic,
            };
            tickets::mail_reply_in(c, mailroom, ticket, &reply)?;
            rec.outcome = Outcome::TicketReply;
            rec.reason = automatic;
            rec.ticket = Some(ticket);
        }
        Some((Answers::Conversation(conversation), email)) if participant(&email) => {
            rec.conversation = Some(conversation);
            if automatic.is_some() {
                // An out-of-office answer to our reply: nothing for an agent to do.
                rec.outcome = Outcome::Ignored;
                rec.reason = automatic;
            } else {
                let (inbox_id, contact_id) = c.query_row(
                    "SELECT inbox_id, contact_id FROM conversations WHERE id = ?1",
                    [conversation],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                let (_, unpublished) = conversations::ingest_mail(
                    c,
                    routing,
                    MailMessage {
                        inbox_id,
                        contact_id,
                        body: folded.visible.trim().to_string(),
                        message_id: mail.message_id.clone(),
                        files: files(c, p, contact_id)?,
                    },
                )?;
                news.push(unpublished);
                rec.outcome = Outcome::ConversationReply;
            }
        }
        _ if automatic.is_some() => {
            // A robot's mail that answers nothing of ours: no ticket, and no answer.
            rec.outcome = Outcome::Ignored;
            rec.reason = automatic;
        }
        other => {
            let name = mail
                .from
                .as_ref()
                .and_then(|a| a.name.clone())
                .unwrap_or_default();
            let zh = looks_chinese(&format!("{} {}", mail.subject, mail.text));
            let contact = email_contact(c, from, &name, if zh { "zh-CN" } else { "en" })?;
            rec.reason = other.map(|_| "not_participant");
            let new_threads = inbox::load(c)?.map(|s| s.new_threads).unwrap_or_default();
            if new_threads == NewThreads::Conversation {
                let (conversation, unpublished) = conversations::ingest_mail(
                    c,
                    routing,
                    MailMessage {
                        inbox_id: crate::inboxes::email_inbox(c)?,
                        contact_id: contact,
                        body: first_words(mail, &folded.visible),
                        message_id: mail.message_id.clone(),
                        files: files(c, p, contact)?,
                    },
                )?;
                news.push(unpublished);
                rec.outcome = Outcome::NewConversation;
                rec.conversation = Some(conversation);
            } else {
                let ticket = new_ticket(c, mailroom, p, mail, contact, &folded.visible)?;
                rec.outcome = Outcome::NewTicket;
                rec.ticket = Some(ticket);
            }
        }
    }
    record(c, &rec)?;
    Ok(rec.outcome)
}

fn new_ticket(
    c: &Connection,
    mailroom: &Mailroom,
    p: &Prepared,
    mail: &ParsedMail,
    contact: ContactId,
    visible: &str,
) -> AppResult<TicketId> {
    let (ticket, _) = tickets::open_in(
        c,
        mailroom,
        None,
        NewTicket {
            subject: subject_of(mail),
            request: visible.trim().chars().take(tickets::TEXT_MAX).collect(),
            contact: ContactRef::Id(contact),
            type_id: None,
            priority: None,
            team_id: None,
            assignee_id: None,
            order_ref: None,
            due_at: None,
            conversation_id: None,
            notify_customer: true,
            source: "email",
        },
        mail.message_id.as_deref(),
    )?;
    for a in files(c, p, contact)? {
        tickets::attach_in(c, ticket.id, a)?;
    }
    Ok(ticket.id)
}

/// A new conversation by mail starts with its subject, as a chat would with the
/// first line: an agent reading the inbox sees what it is about.
fn first_words(mail: &ParsedMail, visible: &str) -> String {
    let body = visible.trim();
    let subject = mail.subject.trim();
    if subject.is_empty() || body.starts_with(subject) {
        body.to_string()
    } else if body.is_empty() {
        subject.to_string()
    } else {
        format!("{subject}\n\n{body}")
    }
}

/// The contact with this address (or a new one), named as their mail says; their
/// language is guessed from what they wrote unless known already.
fn email_contact(c: &Connection, email: &str, name: &str, lang: &str) -> AppResult<ContactId> {
    let id = tickets::resolve_contact(
        c,
        &ContactRef::Details {
            name: name.to_string(),
            email: Some(email.to_string()),
            phone: None,
        },
    )?;
    c.execute(
        "UPDATE contacts SET locale = coalesce(locale, ?2) WHERE id = ?1",
        rusqlite::params![id, lang],
    )?;
    Ok(id)
}

fn subject_of(mail: &ParsedMail) -> String {
    let s: String = mail.subject.chars().take(tickets::SUBJECT_MAX).collect();
    if s.trim().is_empty() {
        mail.text
            .lines()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("(no subject)")
            .chars()
            .take(80)
            .collect()
    } else {
        s
    }
}

fn files(
    c: &Connection,
    p: &Prepared,
    contact: ContactId,
) -> rusqlite::Result<Vec<attachments::AttachmentId>> {
    p.files
        .iter()
        .map(|(saved, mime, name)| attachments::record_email_file(c, saved, mime, name, contact))
        .collect()
}
