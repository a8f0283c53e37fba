//! The outbox table: mails written with the change that caused them, then sent by
//! the worker. A row leaves `queued` only for `sent` (the SMTP server took it) or
//! `failed` (the server refused it for good, or it could not be sent for days).

use rusqlite::{Connection, OptionalExtension, named_params};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::util::now_ms;

/// Headers that thread a mail or mark it as automatic (stored as JSON).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailHeaders {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_reply_to: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    /// `auto-generated` (notifications) or `auto-replied`; absent for a person's reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_submitted: Option<String>,
    /// Attachment ids sent with the mail.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<i64>,
}

/// A row to insert: everything is rendered already.
pub struct NewMail {
    pub template: &'static str,
    pub message_id: String,
    pub to_name: Option<String>,
    pub to_email: String,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    pub headers: MailHeaders,
    pub about: Option<String>,
}

/// A row the worker sends.
#[derive(Clone, Debug)]
pub struct QueuedMail {
    pub id: i64,
    pub message_id: String,
    pub to_name: Option<String>,
    pub to_email: String,
    pub subject: String,
    pub text: String,
    pub html: Option<String>,
    pub headers: MailHeaders,
    pub attempts: i64,
    pub created_at: i64,
}

/// What the console shows about one mail.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Delivery {
    pub id: i64,
    pub template: String,
    pub to_email: String,
    /// queued / sent / failed
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<i64>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

pub fn insert(conn: &Connection, m: &NewMail) -> rusqlite::Result<i64> {
    let now = now_ms();
    conn.prepare_cached(
        "INSERT INTO outbox (template, message_id, to_name, to_email, subject, text_body, html_body,
                             headers, next_attempt_at, about, created_at)
         VALUES (:template, :mid, :to_name, :to_email, :subject, :text, :html, :headers, :now, :about, :now)",
    )?
    .execute(named_params! {
        ":template": m.template, ":mid": m.message_id, ":to_name": m.to_name,
        ":to_email": m.to_email, ":subject": m.subject, ":text": m.text, ":html": m.html,
        ":headers": serde_json::to_string(&m.headers).unwrap_or_else(|_| "{}".into()),
        ":now": now, ":about": m.about,
    })?;
    Ok(conn.last_insert_rowid())
}

/// Files to send with a queued mail (its headers hold their ids).
pub fn set_attachments(conn: &Connection, id: i64, attachments: &[i64]) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE outbox SET headers = json_set(headers, '$.attachments', json(?2)) WHERE id = ?1",
    )?
    .execute(rusqlite::params![
        id,
        serde_json::to_string(attachments).unwrap_or_else(|_| "[]".into())
    ])?;
    Ok(())
}

/// Queued mails whose time has come, oldest first.
pub fn due(conn: &Connection, now: i64, limit: i64) -> rusqlite::Result<Vec<QueuedMail>> {
    conn.prepare_cached(
        "SELECT id, message_id, to_name, to_email, subject, text_body, html_body, headers, attempts, created_at
         FROM outbox WHERE status = 'queued' AND next_attempt_at <= ?1
         ORDER BY next_attempt_at, id LIMIT ?2",
    )?
    .query_map(rusqlite::params![now, limit], |r| {
        let headers: String = r.get(7)?;
        Ok(QueuedMail {
            id: r.get(0)?,
            message_id: r.get(1)?,
            to_name: r.get(2)?,
            to_email: r.get(3)?,
            subject: r.get(4)?,
            text: r.get(5)?,
            html: r.get(6)?,
            headers: serde_json::from_str(&headers).unwrap_or_default(),
            attempts: r.get(8)?,
            created_at: r.get(9)?,
        })
    })?
    .collect()
}

/// When the worker must look again: the earliest queued mail's time.
pub fn next_due(conn: &Connection) -> rusqlite::Result<Option<i64>> {
    conn.prepare_cached("SELECT min(next_attempt_at) FROM outbox WHERE status = 'queued'")?
        .query_row([], |r| r.get(0))
}

pub fn mark_sent(conn: &Connection, id: i64, reply: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = ?2, smtp_reply = ?3,
                last_error = NULL
         WHERE id = ?1 AND status = 'queued'",
    )?
    .execute(rusqlite::params![id, now_ms(), reply])?;
    Ok(())
}

/// Records a failed attempt: tried again at `retry_at`, or `failed` when `None`.
pub fn mark_attempt_failed(
    conn: &Connection,
    id: i64,
    error: &str,
    retry_at: Option<i64>,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ?2,
                status = CASE WHEN ?3 IS NULL THEN 'failed' ELSE 'queued' END,
                next_attempt_at = coalesce(?3, next_attempt_at)
         WHERE id = ?1 AND status = 'queued'",
    )?
    .execute(rusqlite::params![id, error, retry_at])?;
    Ok(())
}

/// Nothing could be tried (no SMTP server yet): not counted as an attempt.
pub fn postpone(conn: &Connection, id: i64, reason: &str, retry_at: i64) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "UPDATE outbox SET last_error = ?2, next_attempt_at = ?3 WHERE id = ?1 AND status = 'queued'",
    )?
    .execute(rusqlite::params![id, reason, retry_at])?;
    Ok(())
}

/// Sends a failed mail again (from the console). Returns false if there is no such
/// failed mail.
pub fn retry(conn: &Connection, id: i64) -> rusqlite::Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE outbox SET status = 'queued', next_attempt_at = ?2, attempts = 0
             WHERE id = ?1 AND status = 'failed'",
        )?
        .execute(rusqlite::params![id, now_ms()])?;
    Ok(n == 1)
}

/// Queued mails are tried at once (the SMTP settings were just changed).
pub fn hurry_all(conn: &Connection) -> rusqlite::Result<usize> {
    conn.prepare_cached(
        "UPDATE outbox SET next_attempt_at = ?1 WHERE status = 'queued' AND next_attempt_at > ?1",
    )?
    .execute([now_ms()])
}

const DELIVERY_SELECT: &str = "SELECT id, template, to_email, status, attempts, last_error,
        CASE WHEN status = 'queued' THEN next_attempt_at END, created_at, sent_at FROM outbox";

fn delivery_row(r: &rusqlite::Row) -> rusqlite::Result<Delivery> {
    Ok(Delivery {
        id: r.get(0)?,
        template: r.get(1)?,
        to_email: r.get(2)?,
        status: r.get(3)?,
        attempts: r.get(4)?,
        last_error: r.get(5)?,
        next_attempt_at: r.get(6)?,
        created_at: r.get(7)?,
        sent_at: r.get(8)?,
    })
}

/// The mails about one thing (`message:12`, `ticket_event:3`), oldest first.
pub fn deliveries_about(conn: &Connection, about: &str) -> rusqlite::Result<Vec<Delivery>> {
    conn.prepare_cached(&format!("{DELIVERY_SELECT} WHERE about = ?1 ORDER BY id"))?
        .query_map([about], delivery_row)?
        .collect()
}

pub fn delivery(conn: &Connection, id: i64) -> rusqlite::Result<Option<Delivery>> {
    conn.prepare_cached(&format!("{DELIVERY_SELECT} WHERE id = ?1"))?
        .query_row([id], delivery_row)
        .optional()
}

/// The latest mails, optionally only one status, for the console's mail log.
pub fn recent(conn: &Connection, status: Option<&str>, limit: i64) -> rusqlite::Result<Vec<Delivery>> {
    conn.prepare_cached(&format!(
        "{DELIVERY_SELECT} WHERE ?1 IS NULL OR status = ?1 ORDER BY id DESC LIMIT ?2"
    ))?
    .query_map(rusqlite::params![status, limit], delivery_row)?
    .collect()
}
