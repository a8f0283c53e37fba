//! The email inbox's settings (the `imap` setting, edited in Settings → Email) and
//! where reading stands (`mailbox_state`): the last UID taken, and the last error
//! for the console to show.

use rusqlite::{Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::imap::{ImapSettings, ImapTls};
use crate::config::SmtpTls;
use crate::error::{AppError, AppResult};

const KEY: &str = "imap";

/// What a mail that answers nothing of ours becomes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum NewThreads {
    /// A ticket (and the customer gets the ticket's confirmation).
    #[default]
    Ticket,
    /// A conversation in the email inbox, answered like a chat, by mail.
    Conversation,
}

/// The mailbox kefu reads (the password is never shown again).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxSettings {
    pub host: String,
    pub port: u16,
    /// none, starttls or tls (as for SMTP).
    pub tls: SmtpTls,
    pub username: String,
    pub password: String,
    pub folder: String,
    /// Seconds between looks when the server cannot push (no IDLE).
    pub poll_secs: u64,
    #[serde(default)]
    pub new_threads: NewThreads,
}

impl InboxSettings {
    pub fn imap(&self) -> ImapSettings {
        ImapSettings {
            host: self.host.clone(),
            port: self.port,
            tls: match self.tls {
                SmtpTls::None => ImapTls::None,
                SmtpTls::Starttls => ImapTls::StartTls,
                SmtpTls::Tls => ImapTls::Implicit,
            },
            user: self.username.clone(),
            password: self.password.clone(),
            folder: self.folder.clone(),
        }
    }
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct InboxUpdate {
    pub host: String,
    pub port: Option<u16>,
    #[schema(value_type = String)]
    pub tls: SmtpTls,
    pub username: String,
    /// Omit to keep the stored password.
    pub password: Option<String>,
    pub folder: Option<String>,
    pub poll_secs: Option<u64>,
    /// Left out: as before (a ticket at first).
    pub new_threads: Option<NewThreads>,
}

/// Where reading stands, for the console.
#[derive(Clone, Debug, Default, Serialize, ToSchema)]
pub struct InboxStatus {
    pub last_uid: i64,
    /// The last time the server answered; `null` before the first time.
    pub last_ok_at: Option<i64>,
    /// Set while the last attempt failed: e.g. `imap_auth_failed` with the server's words.
    pub error_code: Option<String>,
    pub error: Option<String>,
    pub error_at: Option<i64>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct InboxView {
    pub configured: bool,
    pub host: String,
    pub port: u16,
    #[schema(value_type = String)]
    pub tls: SmtpTls,
    pub username: String,
    pub password_set: bool,
    pub folder: String,
    pub poll_secs: u64,
    pub new_threads: NewThreads,
    pub status: InboxStatus,
}

fn default_port(tls: SmtpTls) -> u16 {
    match tls {
        SmtpTls::Tls => 993,
        _ => 143,
    }
}

pub fn load(c: &Connection) -> rusqlite::Result<Option<InboxSettings>> {
    Ok(crate::settings::get(c, KEY)?.and_then(|v| serde_json::from_str(&v).ok()))
}

pub fn view(c: &Connection) -> rusqlite::Result<InboxView> {
    let s = load(c)?;
    let status = status(c)?;
    Ok(match s {
        Some(s) => InboxView {
            configured: true,
            port: s.port,
            tls: s.tls,
            password_set: !s.password.is_empty(),
            folder: s.folder,
            poll_secs: s.poll_secs,
            new_threads: s.new_threads,
            host: s.host,
            username: s.username,
            status,
        },
        None => InboxView {
            configured: false,
            host: String::new(),
            port: default_port(SmtpTls::Tls),
            tls: SmtpTls::Tls,
            username: String::new(),
            password_set: false,
            folder: "INBOX".into(),
            poll_secs: 60,
            new_threads: NewThreads::Ticket,
            status,
        },
    })
}

/// Checks and stores new settings; the password stays unless a new one is given.
/// Reading starts over from the folder's current state only if the mailbox changed.
pub fn save(c: &Connection, u: InboxUpdate) -> AppResult<InboxSettings> {
    let host = u.host.trim().to_string();
    if host.is_empty() || host.len() > 253 || host.contains(char::is_whitespace) {
        return Err(AppError::bad_request("invalid_host"));
    }
    let username = u.username.trim().to_string();
    if username.is_empty() {
        return Err(AppError::bad_request("field_required").with("field", "username"));
    }
    let old = load(c)?;
    let password = match u.password {
        Some(p) => p,
        None => old.as_ref().map(|o| o.password.clone()).unwrap_or_default(),
    };
    if password.is_empty() {
        return Err(AppError::bad_request("field_required").with("field", "password"));
    }
    let folder = u.folder.map(|f| f.trim().to_string()).filter(|f| !f.is_empty());
    let poll_secs = u.poll_secs.unwrap_or(60);
    if !(10..=3600).contains(&poll_secs) {
        return Err(AppError::bad_request("invalid_poll_secs")
            .with("min", 10)
            .with("max", 3600));
    }
    let new = InboxSettings {
        port: u.port.unwrap_or(default_port(u.tls)),
        tls: u.tls,
        folder: folder.unwrap_or_else(|| "INBOX".into()),
        poll_secs,
        new_threads: u
            .new_threads
            .unwrap_or_else(|| old.as_ref().map(|o| o.new_threads).unwrap_or_default()),
        host,
        username,
        password,
    };
    let moved = old
        .as_ref()
        .is_none_or(|o| (&o.host, &o.username, &o.folder) != (&new.host, &new.username, &new.folder));
    if moved {
        // Another mailbox: its UIDs mean nothing to the old one's.
        c.execute("DELETE FROM mailbox_state", [])?;
    }
    crate::settings::set(c, KEY, &serde_json::to_string(&new).map_err(AppError::internal)?)?;
    Ok(new)
}

pub fn clear(c: &Connection) -> rusqlite::Result<()> {
    c.execute("DELETE FROM settings WHERE key = ?1", [KEY])?;
    c.execute("DELETE FROM mailbox_state", [])?;
    Ok(())
}

pub fn status(c: &Connection) -> rusqlite::Result<InboxStatus> {
    Ok(c
        .query_row(
            "SELECT last_uid, last_ok_at, last_error_code, last_error, last_error_at FROM mailbox_state WHERE id = 1",
            [],
            |r| {
                Ok(InboxStatus {
                    last_uid: r.get(0)?,
                    last_ok_at: r.get(1)?,
                    error_code: r.get(2)?,
                    error: r.get(3)?,
                    error_at: r.get(4)?,
                })
            },
        )
        .optional()?
        .unwrap_or_default())
}

/// The folder's UIDVALIDITY and the last UID taken from it.
pub fn position(c: &Connection) -> rusqlite::Result<(Option<u32>, u32)> {
    Ok(c.query_row(
        "SELECT uid_validity, last_uid FROM mailbox_state WHERE id = 1",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()?
    .unwrap_or((None, 0)))
}

/// Moves reading on (in the transaction that stored the mail up to `last_uid`).
pub fn advance(c: &Connection, validity: u32, last_uid: u32, now: i64) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT INTO mailbox_state (id, uid_validity, last_uid, last_ok_at) VALUES (1, ?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET uid_validity = ?1, last_uid = ?2, last_ok_at = ?3,
             last_error_code = NULL, last_error = NULL, last_error_at = NULL",
    )?
    .execute(rusqlite::params![validity, last_uid, now])?;
    Ok(())
}

pub fn record_error(c: &Connection, code: &str, message: &str, now: i64) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT INTO mailbox_state (id, last_error_code, last_error, last_error_at) VALUES (1, ?1, ?2, ?3)
         ON CONFLICT (id) DO UPDATE SET last_error_code = ?1, last_error = ?2, last_error_at = ?3",
    )?
    .execute(rusqlite::params![code, message, now])?;
    Ok(())
}

/// What became of a fetched mail, for the console's log.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct InboundMail {
    pub id: i64,
    pub from_email: Option<String>,
    pub subject: String,
    pub size: i64,
    /// new_ticket, ticket_reply, new_conversation, conversation_reply, duplicate, own,
    /// ignored, rejected or too_large.
    pub outcome: String,
    /// Why: auto_reply, bounce, bulk, not_a_mail, no_sender, not_participant…
    pub reason: Option<String>,
    pub ticket_id: Option<i64>,
    /// The ticket's number as people say it (#1001).
    pub ticket_number: Option<i64>,
    pub conversation_id: Option<i64>,
    pub received_at: i64,
}

fn inbound_from_row(r: &Row) -> rusqlite::Result<InboundMail> {
    Ok(InboundMail {
        id: r.get(0)?,
        from_email: r.get(1)?,
        subject: r.get(2)?,
        size: r.get(3)?,
        outcome: r.get(4)?,
        reason: r.get(5)?,
        ticket_id: r.get(6)?,
        received_at: r.get(7)?,
        ticket_number: r.get(8)?,
        conversation_id: r.get(9)?,
    })
}

/// The log, newest first, 50 entries older than `before`.
pub fn inbound(c: &Connection, before: i64) -> rusqlite::Result<Vec<InboundMail>> {
    c.prepare_cached(
        "SELECT m.id, m.from_email, m.subject, m.size, m.outcome, m.reason, m.ticket_id, m.received_at, t.number,
             m.conversation_id
         FROM inbound_mail m LEFT JOIN tickets t ON t.id = m.ticket_id
         WHERE m.id < ?1 ORDER BY m.id DESC LIMIT 50",
    )?
    .query_map([before], inbound_from_row)?
    .collect()
}
