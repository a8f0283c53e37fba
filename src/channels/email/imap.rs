//! IMAP client for the email inbox: logs in, opens one folder and fetches raw
//! messages by UID. Strictly read-only (EXAMINE, BODY.PEEK[]), so the shop's
//! own mail program still shows customer mail as unread.
//!
//! Every network step has a deadline, because a dead server must fail the
//! worker's round rather than hang it. After any error the connection is given
//! up (the server may be halfway through an answer): the caller reconnects.

use std::time::Duration;
use std::{fmt, mem};

use async_imap::Session;
use async_imap::error::Error as RawError;
use async_imap::extensions::idle::{Handle, IdleResponse};
use async_imap::imap_proto::{MailboxDatum, Response, Status};
use async_imap::types::UnsolicitedResponse;
use tokio::time::{Instant, timeout, timeout_at};

use super::imap_tls::{Conn, SETUP_LIMIT, classify, mutf7, open, proto, server_words, step, uid_fetch};

/// One UID FETCH batch, and the listing of a folder (a big folder lists slowly).
const FETCH_LIMIT: Duration = Duration::from_secs(60);
/// Logging out is a courtesy: not worth holding up a shutdown for.
const LOGOUT_LIMIT: Duration = Duration::from_secs(5);
/// RFC 2177: servers may drop a client that idles longer than 30 minutes.
const IDLE_MAX: Duration = Duration::from_secs(29 * 60);
/// UIDs per UID FETCH: keeps a command line short and a batch well inside its limit.
const BATCH: usize = 100;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImapTls {
    None,
    StartTls,
    Implicit,
}

#[derive(Clone)]
pub struct ImapSettings {
    pub host: String,
    pub port: u16,
    pub tls: ImapTls,
    pub user: String,
    pub password: String,
    pub folder: String,
}

// By hand, so that logging the settings can never print the password.
impl fmt::Debug for ImapSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImapSettings")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .field("folder", &self.folder)
            .finish()
    }
}

/// Classified failures; the text is the server's own words where there are any.
#[derive(Debug)]
pub enum ImapError {
    Connect(String),
    Tls(String),
    Auth(String),
    Folder(String),
    Protocol(String),
    /// What was going on when the server stopped answering.
    Timeout(&'static str),
}

impl ImapError {
    pub fn code(&self) -> &'static str {
        match self {
            ImapError::Connect(_) => "imap_connect_failed",
            ImapError::Tls(_) => "imap_tls_failed",
            ImapError::Auth(_) => "imap_auth_failed",
            ImapError::Folder(_) => "imap_folder_missing",
            ImapError::Protocol(_) => "imap_protocol_error",
            ImapError::Timeout(_) => "imap_timeout",
        }
    }

    /// Retrying soon won't help: someone has to change the settings (or the server's).
    pub fn is_config_problem(&self) -> bool {
        matches!(
            self,
            ImapError::Auth(_) | ImapError::Folder(_) | ImapError::Tls(_)
        )
    }
}

impl fmt::Display for ImapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (lead, detail) = match self {
            ImapError::Connect(d) => ("The connection to the IMAP server failed", d),
            ImapError::Tls(d) => ("Could not set up TLS with the IMAP server", d),
            ImapError::Auth(d) => ("The IMAP server refused the login", d),
            ImapError::Folder(d) => ("The IMAP folder could not be opened", d),
            ImapError::Protocol(d) => ("The IMAP server answered unexpectedly", d),
            ImapError::Timeout(what) => {
                return write!(f, "The IMAP server did not answer in time while {what}.");
            }
        };
        write!(f, "{lead}: {}.", detail.trim_end_matches('.'))
    }
}

impl std::error::Error for ImapError {}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Envelope {
    pub uid: u32,
    pub size: u32,
}

enum State {
    Ready(Box<Session<Conn>>),
    /// Kept here rather than inside `wait`'s future, so that a dropped `wait`
    /// leaves a connection that the next command (or logout) can take back.
    Idling(Box<Handle<Conn>>),
    /// After an error, or while a command runs: a command whose future is
    /// dropped midway takes the session down with it.
    Broken,
}

pub struct Mailbox {
    state: State,
    uid_validity: u32,
    idle: bool,
    /// A FETCH's answer told of new mail: IDLE would not repeat that.
    news: bool,
}

impl fmt::Debug for Mailbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let f = &mut f.debug_struct("Mailbox");
        f.field("uid_validity", &self.uid_validity)
            .field("idle", &self.idle)
            .finish_non_exhaustive()
    }
}

pub async fn connect(settings: &ImapSettings) -> Result<Mailbox, ImapError> {
    let s = settings;
    tracing::debug!(host = %s.host, port = s.port, tls = ?s.tls, user = %s.user, folder = %s.folder, "imap: connecting");
    let client = open(s).await?;
    let login = client.login_with_capabilities(&s.user, &s.password);
    let (mut session, caps) = step("logging in", SETUP_LIMIT, async {
        login.await.map_err(|(e, _)| match e {
            RawError::No(t) | RawError::Bad(t) => ImapError::Auth(server_words(&t)),
            RawError::Validate(_) => {
                ImapError::Auth("the user name or password contains a line break".into())
            }
            e => classify(e, ImapError::Auth),
        })
    })
    .await?;
    let idle = match caps {
        Some(caps) => caps.has_str("IDLE"),
        None => step("logging in", SETUP_LIMIT, async {
            session.capabilities().await.map_err(proto)
        })
        .await?
        .has_str("IDLE"),
    };
    let folder = step("opening the folder", SETUP_LIMIT, async {
        session.examine(mutf7(&s.folder)).await.map_err(|e| match e {
            RawError::No(t) => ImapError::Folder(format!("\"{}\": {}", s.folder, server_words(&t))),
            e => proto(e),
        })
    })
    .await?;
    let uid_validity = folder
        .uid_validity
        .ok_or_else(|| ImapError::Protocol("it reported no UIDVALIDITY for the folder".into()))?;
    tracing::debug!(uid_validity, idle, messages = folder.exists, "imap: folder open");
    Ok(Mailbox {
        state: State::Ready(Box::new(session)),
        uid_validity,
        idle,
        news: false,
    })
}

impl Mailbox {
    pub fn uid_validity(&self) -> u32 {
        self.uid_validity
    }

    pub fn supports_idle(&self) -> bool {
        self.idle
    }

    pub async fn list_after(&mut self, after: u32) -> Result<Vec<Envelope>, ImapError> {
        let Some(first) = after.checked_add(1) else {
            return Ok(Vec::new());
        };
        let mut s = self.take().await?;
        let mut list = Vec::new();
        let news = step("listing new mail", FETCH_LIMIT, async {
            s.noop().await.map_err(proto)?;
            // New mail reported up to here is covered by the FETCH that follows.
            has_news(&mut s);
            uid_fetch(
                &mut s,
                &format!("{first}:*"),
                "(UID RFC822.SIZE)",
                |uid, size, _| {
                    // `n:*` always matches the highest UID, even below n.
                    if let Some(size) = size
                        && uid >= first
                    {
                        list.push(Envelope { uid, size });
                    }
                },
            )
            .await
        });
        self.news |= self.keep(news.await, s)?;
        list.sort_unstable_by_key(|e| e.uid);
        list.dedup_by_key(|e| e.uid);
        tracing::debug!(after, found = list.len(), "imap: listed");
        Ok(list)
    }

    pub async fn fetch(&mut self, uids: &[u32]) -> Result<Vec<(u32, Vec<u8>)>, ImapError> {
        let mut wanted: Vec<u32> = uids.iter().copied().filter(|&u| u != 0).collect();
        wanted.sort_unstable();
        wanted.dedup();
        let mut out = Vec::with_capacity(wanted.len());
        for batch in wanted.chunks(BATCH) {
            let mut s = self.take().await?;
            let news = step("fetching mail", FETCH_LIMIT, async {
                uid_fetch(&mut s, &uid_set(batch), "(UID BODY.PEEK[])", |uid, _, body| {
                    // Unsolicited FETCHes (flag changes by others) come in between.
                    if let Some(body) = body
                        && batch.binary_search(&uid).is_ok()
                    {
                        out.push((uid, body.to_vec()));
                    }
                })
                .await
            });
            self.news |= self.keep(news.await, s)?;
        }
        out.sort_unstable_by_key(|m| m.0);
        out.dedup_by_key(|m| m.0);
        tracing::debug!(asked = uids.len(), got = out.len(), "imap: fetched");
        Ok(out)
    }

    /// Without IDLE, returns Ok(true) after the sleep: mail may have come meanwhile.
    pub async fn wait(&mut self, timeout: Duration) -> Result<bool, ImapError> {
        let deadline = Instant::now() + timeout.min(IDLE_MAX);
        let mut session = self.take().await?;
        // A new-mail EXISTS that came with an earlier command's answer is not repeated in IDLE.
        let news = mem::take(&mut self.news) | has_news(&mut session);
        if news || !self.idle {
            self.state = State::Ready(session);
            if !news {
                tokio::time::sleep_until(deadline).await;
            }
            return Ok(true);
        }
        let mut handle = session.idle();
        step("starting IDLE", SETUP_LIMIT, async {
            handle.init().await.map_err(proto)
        })
        .await?;
        self.state = State::Idling(Box::new(handle));
        let State::Idling(handle) = &mut self.state else {
            unreachable!()
        };
        let outcome = timeout_at(deadline, async {
            loop {
                // The stop source must live while waiting: dropping it ends the wait.
                let (response, _stop) = handle.wait();
                match response.await {
                    Ok(IdleResponse::NewData(r)) => match r.parsed() {
                        Response::MailboxData(MailboxDatum::Exists(_)) => return Ok(true),
                        Response::Data {
                            status: Status::Bye,
                            outcome,
                        } => {
                            let words = outcome.information.as_deref().unwrap_or("BYE");
                            return Err(ImapError::Connect(format!("it ended the session ({words})")));
                        }
                        // Flag changes, expunges: no new mail.
                        _ => {}
                    },
                    Ok(IdleResponse::Timeout) => return Ok(false),
                    Ok(IdleResponse::ManualInterrupt) => {
                        return Err(ImapError::Connect("it closed the connection during IDLE".into()));
                    }
                    Err(e) => return Err(proto(e)),
                }
            }
        })
        .await
        .unwrap_or(Ok(false));
        if outcome.is_err() {
            self.state = State::Broken;
        }
        let changed = outcome?;
        let mut session = self.take().await?;
        let changed = changed || has_news(&mut session);
        self.state = State::Ready(session);
        tracing::debug!(changed, "imap: idle over");
        Ok(changed)
    }

    pub async fn logout(mut self) {
        let bye = async {
            if let Ok(mut session) = self.take().await {
                let _ = session.logout().await;
            }
        };
        let _ = timeout(LOGOUT_LIMIT, bye).await;
        tracing::debug!("imap: logged out");
    }

    /// The session, out of IDLE if need be; `Broken` stays in its place until
    /// the caller puts the session back after a successful command.
    async fn take(&mut self) -> Result<Box<Session<Conn>>, ImapError> {
        match mem::replace(&mut self.state, State::Broken) {
            State::Ready(session) => Ok(session),
            State::Idling(handle) => {
                let done = step("ending IDLE", SETUP_LIMIT, async {
                    handle.done().await.map_err(proto)
                });
                Ok(Box::new(done.await?))
            }
            State::Broken => Err(ImapError::Connect(
                "the connection broke off earlier (an error or an interrupted command); reconnect".into(),
            )),
        }
    }

    /// Puts the session back after a command that went well.
    fn keep<T>(&mut self, result: Result<T, ImapError>, session: Box<Session<Conn>>) -> Result<T, ImapError> {
        if result.is_ok() {
            self.state = State::Ready(session);
        }
        result
    }
}

/// Empties the channel of untagged responses (it holds 100, then drops them);
/// true if it told of a new message count.
fn has_news(session: &mut Session<Conn>) -> bool {
    let mut news = false;
    while let Ok(r) = session.unsolicited_responses.try_recv() {
        news |= matches!(r, UnsolicitedResponse::Exists(_));
    }
    news
}

/// Sorted, distinct UIDs as an IMAP set with runs collapsed: 5,7,9:12.
fn uid_set(uids: &[u32]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < uids.len() {
        let start = uids[i];
        while i + 1 < uids.len() && uids[i + 1] == uids[i] + 1 {
            i += 1;
        }
        if !out.is_empty() {
            out.push(',');
        }
        out += &if start == uids[i] {
            start.to_string()
        } else {
            format!("{start}:{}", uids[i])
        };
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uid_sets() {
        assert_eq!(uid_set(&[5, 7, 9, 10, 11, 12]), "5,7,9:12");
        assert_eq!(uid_set(&[1, 2, u32::MAX]), "1:2,4294967295");
    }
}
