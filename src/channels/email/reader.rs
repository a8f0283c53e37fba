//! The reader: keeps a connection to the shop's mailbox, takes every mail after the
//! last UID it stored and hands it to `ingest`, then waits (IDLE where the server
//! offers it, else the poll interval). The UID moves on in the same transaction as
//! the mail it covers, so a crash or restart neither skips nor repeats one; a new
//! UIDVALIDITY starts the folder over, and Message-IDs keep that from duplicating.

use std::time::Duration;

use actix_web::web;

use super::imap::{self, ImapError, Mailbox};
use super::inbox::{self, InboxSettings};
use super::ingest::{self, MAX_MESSAGE_BYTES, Prepared};
use crate::error::{AppError, AppResult};
use crate::http::AppState;
use crate::util::now_ms;

/// Mail taken per transaction: a backlog moves on in steps, the writer is not held.
const BATCH: usize = 50;
/// IDLE is renewed this often (servers drop it after 30 minutes).
const IDLE_FOR: Duration = Duration::from_secs(25 * 60);
/// After a failure, wait this long, doubling up to `RETRY_MAX`.
const RETRY_FIRST: Duration = Duration::from_secs(5);
const RETRY_MAX: Duration = Duration::from_secs(300);

pub enum Failure {
    Imap(ImapError),
    Store(AppError),
}

impl From<ImapError> for Failure {
    fn from(e: ImapError) -> Self {
        Failure::Imap(e)
    }
}

impl From<AppError> for Failure {
    fn from(e: AppError) -> Self {
        Failure::Store(e)
    }
}

pub async fn run(state: web::Data<AppState>) {
    let mut retry = RETRY_FIRST;
    loop {
        let settings = match state.db.read(|c| Ok(inbox::load(c)?)).await {
            Ok(Some(s)) => s,
            Ok(None) => {
                state.inbox_changed.notified().await;
                continue;
            }
            Err(e) => {
                tracing::warn!(error = ?e, "email inbox: cannot read settings");
                tokio::time::sleep(RETRY_MAX).await;
                continue;
            }
        };
        let failure = tokio::select! {
            r = session(&state, &settings, &mut retry) => r.err(),
            _ = state.inbox_changed.notified() => None,
        };
        let Some(failure) = failure else {
            retry = RETRY_FIRST;
            continue;
        };
        let (code, message, wait) = match &failure {
            // A wrong password does not fix itself: wait for new settings, but look
            // again now and then (the server may have been the problem).
            Failure::Imap(e) if e.is_config_problem() => (e.code(), e.to_string(), RETRY_MAX),
            Failure::Imap(e) => (e.code(), e.to_string(), retry),
            Failure::Store(e) => ("imap_store_failed", e.message(crate::i18n::Lang::En), retry),
        };
        tracing::warn!(code, error = %message, "email inbox");
        let _ = state
            .db
            .write(move |c| Ok(inbox::record_error(c, code, &message, now_ms())?))
            .await;
        retry = (retry * 2).min(RETRY_MAX);
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = state.inbox_changed.notified() => { retry = RETRY_FIRST; }
        }
    }
}

/// One connection: take what is new, wait, repeat, until something fails.
async fn session(state: &AppState, settings: &InboxSettings, retry: &mut Duration) -> Result<(), Failure> {
    let mut mailbox = imap::connect(&settings.imap()).await?;
    let result = async {
        loop {
            take_new(state, &mut mailbox).await?;
            *retry = RETRY_FIRST;
            let wait = if mailbox.supports_idle() {
                IDLE_FOR
            } else {
                Duration::from_secs(settings.poll_secs)
            };
            mailbox.wait(wait).await?;
        }
    }
    .await;
    mailbox.logout().await;
    result
}

/// Stores every mail after the last UID taken; returns how many were fetched.
pub async fn take_new(state: &AppState, mailbox: &mut Mailbox) -> Result<usize, Failure> {
    let validity = mailbox.uid_validity();
    let (known, last) = state.db.read(|c| Ok(inbox::position(c)?)).await?;
    let after = if known == Some(validity) { last } else { 0 };
    let new = mailbox.list_after(after).await?;
    if new.is_empty() {
        // Say the server answered (clears an old error in the console).
        state
            .db
            .write(move |c| Ok(inbox::advance(c, validity, after, now_ms())?))
            .await?;
        return Ok(0);
    }
    let mut taken = 0;
    for chunk in new.chunks(BATCH) {
        let (large, small): (Vec<&imap::Envelope>, Vec<&imap::Envelope>) =
            chunk.iter().partition(|e| e.size > MAX_MESSAGE_BYTES);
        let uids: Vec<u32> = small.iter().map(|e| e.uid).collect();
        let fetched = mailbox.fetch(&uids).await?;
        taken += fetched.len();
        let dir = state.config.attachments_dir();
        let prepared: Vec<Prepared> = tokio::task::spawn_blocking(move || {
            fetched
                .into_iter()
                .map(|(uid, raw)| ingest::prepare(&dir, uid, raw))
                .collect::<AppResult<Vec<_>>>()
        })
        .await
        .map_err(|e| AppError::internal(anyhow::anyhow!("mail parsing task: {e}")))??;
        let large: Vec<(u32, u32)> = large.iter().map(|e| (e.uid, e.size)).collect();
        let upto = chunk.iter().map(|e| e.uid).max().unwrap_or(after);
        let room = state.mailroom.clone();
        let router = state.router.clone();
        let news = state
            .db
            .write(move |c| {
                let mut news = Vec::new();
                let routing = router.snapshot(c)?;
                for p in &prepared {
                    ingest::apply_or_reject(c, &room, &routing, validity, p, &mut news)?;
                }
                for (uid, size) in &large {
                    ingest::too_large(c, validity, *uid, *size)?;
                }
                inbox::advance(c, validity, upto, now_ms())?;
                Ok(news)
            })
            .await?;
        state.mailroom.tickets_changed();
        crate::conversations::publish_mail(&state.db, &state.hub, news).await;
    }
    Ok(taken)
}
