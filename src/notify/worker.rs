//! The outbox worker: sends due mail one at a time, records what the SMTP server
//! said, and schedules retries with exponential backoff. It runs until the server
//! stops; a mail being sent when it stops stays queued and is sent again (with the
//! same Message-ID) on the next start.

use std::time::Duration;

use super::Mailroom;
use super::mailer::{self, SendError, Transport};
use super::outbox::{self, QueuedMail};
use super::smtp::{self, SmtpSettings};
use crate::db::Db;
use crate::error::AppResult;
use crate::util::now_ms;

/// Mails taken per round; the next round starts at once when the batch was full.
const BATCH: i64 = 20;
/// Even without a wake-up, look again this often (a safety net, and cheap).
const IDLE_LOOK: Duration = Duration::from_secs(60);
const MAX_DELAY_MS: i64 = 3_600_000;

pub async fn run_worker(db: Db, mailroom: Mailroom) {
    let mut cached: Option<(SmtpSettings, Transport)> = None;
    loop {
        let pause = match round(&db, &mailroom, &mut cached).await {
            Ok(pause) => pause,
            Err(e) => {
                tracing::warn!(error = ?e, "outbox round failed");
                Duration::from_secs(5)
            }
        };
        if pause.is_zero() {
            continue;
        }
        tokio::select! {
            () = mailroom.woken() => {}
            () = tokio::time::sleep(pause) => {}
        }
    }
}

/// Sends what is due; returns how long to wait before the next round.
async fn round(
    db: &Db,
    mailroom: &Mailroom,
    cached: &mut Option<(SmtpSettings, Transport)>,
) -> AppResult<Duration> {
    let file = mailroom.config().smtp.clone();
    let now = now_ms();
    let (settings, due) = db
        .read(move |c| Ok((smtp::effective(c, &file)?.1, outbox::due(c, now, BATCH)?)))
        .await?;
    if due.is_empty() {
        let next = db.read(|c| Ok(outbox::next_due(c)?)).await?;
        return Ok(next.map_or(IDLE_LOOK, |at| {
            Duration::from_millis((at - now_ms()).clamp(0, IDLE_LOOK.as_millis() as i64) as u64)
        }));
    }
    let full = due.len() as i64 == BATCH;
    let Some(settings) = settings else {
        // Kept, not failed: saving SMTP settings sends them at once.
        let ids: Vec<i64> = due.iter().map(|m| m.id).collect();
        db.write(move |c| {
            for id in ids {
                outbox::postpone(c, id, "no SMTP server is configured", now_ms() + MAX_DELAY_MS)?;
            }
            Ok(())
        })
        .await?;
        return Ok(Duration::ZERO);
    };
    if cached.as_ref().is_none_or(|(s, _)| *s != settings) {
        match mailer::transport(&settings) {
            Ok(t) => *cached = Some((settings.clone(), t)),
            Err(e) => {
                let error = format!("{e:#}");
                for mail in due {
                    record(db, mailroom, &mail, Err(SendError::Transient(error.clone()))).await?;
                }
                return Ok(Duration::ZERO);
            }
        }
    }
    let Some((settings, transport)) = cached.as_ref() else {
        return Ok(Duration::ZERO);
    };
    for mail in due {
        let files = match files_for(db, mailroom, &mail).await {
            Ok(files) => files,
            Err(e) => {
                record(db, mailroom, &mail, Err(SendError::Permanent(e))).await?;
                continue;
            }
        };
        let result = match mailer::build(&mail, settings, files) {
            Ok(message) => mailer::send(transport, message).await,
            // A mail that cannot be built never will be: say why and stop trying.
            Err(e) => Err(SendError::Permanent(format!("{e:#}"))),
        };
        record(db, mailroom, &mail, result).await?;
    }
    Ok(if full {
        Duration::ZERO
    } else {
        Duration::from_millis(1)
    })
}

/// The mail's attachments, read from disk. A file that is gone will not come back.
async fn files_for(
    db: &Db,
    mailroom: &Mailroom,
    mail: &QueuedMail,
) -> Result<Vec<mailer::FileToSend>, String> {
    if mail.headers.attachments.is_empty() {
        return Ok(Vec::new());
    }
    let ids = mail.headers.attachments.clone();
    let dir = mailroom.config().attachments_dir();
    // Read on the database's blocking threads, as files are.
    db.read(move |c| {
        let mut files = Vec::new();
        for (path, mime, name) in crate::attachments::mail_files(c, &dir, &ids)? {
            match std::fs::read(&path) {
                Ok(bytes) => files.push(mailer::FileToSend { name, mime, bytes }),
                Err(e) => return Ok(Err(format!("cannot read the attachment {name}: {e}"))),
            }
        }
        Ok(Ok(files))
    })
    .await
    .unwrap_or_else(|e| {
        Err(format!(
            "cannot find the attachments: {}",
            e.message(crate::i18n::Lang::En)
        ))
    })
}

async fn record(
    db: &Db,
    mailroom: &Mailroom,
    mail: &QueuedMail,
    result: Result<String, SendError>,
) -> AppResult<()> {
    let id = mail.id;
    match result {
        Ok(reply) => {
            tracing::info!(outbox = id, to = %mail.to_email, "mail sent");
            db.write(move |c| Ok(outbox::mark_sent(c, id, &reply)?)).await
        }
        Err(SendError::Permanent(error)) => {
            tracing::warn!(outbox = id, to = %mail.to_email, %error, "mail refused for good");
            db.write(move |c| Ok(outbox::mark_attempt_failed(c, id, &error, None)?))
                .await
        }
        Err(SendError::Transient(error)) => {
            let retry_at = retry_at(mailroom, mail, now_ms());
            tracing::warn!(outbox = id, to = %mail.to_email, %error, ?retry_at, "mail not sent");
            db.write(move |c| Ok(outbox::mark_attempt_failed(c, id, &error, retry_at)?))
                .await
        }
    }
}

/// When to try again after `attempts` failures: doubling from the configured first
/// delay up to an hour; `None` (give up) once the mail is older than the limit.
fn retry_at(mailroom: &Mailroom, mail: &QueuedMail, now: i64) -> Option<i64> {
    let cfg = &mailroom.config().outbox;
    let give_up_at = mail.created_at + (cfg.give_up_hours as i64) * 3_600_000;
    let first = (cfg.retry_first_secs as i64 * 1000).max(100);
    let delay = first
        .saturating_mul(1i64 << mail.attempts.clamp(0, 20))
        .min(MAX_DELAY_MS);
    (now < give_up_at).then_some((now + delay).min(give_up_at))
}
