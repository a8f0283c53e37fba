//! The web widget channel: visitor sessions (anonymous token or a shop's signed
//! user identity), per-visitor flood limits, and turning widget messages into
//! `InboundMessage`s.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use sha2::Sha256;

use rusqlite::OptionalExtension;

use crate::contacts::{self, ContactId, Details, IdentityKind};
use crate::db::Db;
use crate::error::{AppError, AppResult, ErrorKind};
use crate::inboxes::{self, FieldMode, Inbox, InboxId};
use crate::util::{hex, random_token, token_hash};

/// A shop's logged-in customer, vouched for by `hash` = HMAC-SHA256(inbox secret, id).
pub struct UserIdentity {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub hash: String,
}

pub struct SessionRequest {
    pub inbox_token: String,
    pub visitor_token: Option<String>,
    pub user: Option<UserIdentity>,
    pub details: Details,
    /// True when the visitor submitted the pre-chat form with this request.
    pub prechat_submitted: bool,
    pub origin: Option<String>,
}

/// An authenticated widget caller.
#[derive(Clone, Debug)]
pub struct Visitor {
    pub contact_id: ContactId,
    pub inbox_id: InboxId,
    /// The shop vouched for this customer (identified mode).
    pub identified: bool,
}

fn visitor_key(token: &str) -> String {
    hex(&token_hash(token))
}

/// The inbox for a public token, checked against the page's origin.
pub async fn inbox_for_widget(db: &Db, token: String, origin: Option<String>) -> AppResult<Inbox> {
    let inbox = db
        .read(move |c| Ok(inboxes::inbox_by_public_token(c, &token)?))
        .await?
        .ok_or_else(|| AppError::not_found("inbox_unknown"))?;
    if !inbox.allows_origin(origin.as_deref()) {
        return Err(AppError::forbidden("origin_not_allowed"));
    }
    Ok(inbox)
}

pub fn verify_user_hash(secret: &str, user_id: &str, hash_hex: &str) -> bool {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return false;
    };
    mac.update(user_id.as_bytes());
    let Some(expected) = decode_hex(hash_hex.trim()) else {
        return false;
    };
    mac.verify_slice(&expected).is_ok()
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

/// Checks a submitted pre-chat form: required fields present, email well-formed.
fn check_prechat(inbox: &Inbox, d: &Details, submitted: bool) -> AppResult<()> {
    if let Some(email) = d.email.as_deref().filter(|e| !e.trim().is_empty()) {
        crate::accounts::validate_email(email)?;
    }
    if !submitted {
        return Ok(());
    }
    for (field, mode, value) in [
        ("name", inbox.prechat.name, &d.name),
        ("email", inbox.prechat.email, &d.email),
        ("phone", inbox.prechat.phone, &d.phone),
    ] {
        if mode == FieldMode::Required && value.as_deref().is_none_or(|v| v.trim().is_empty()) {
            return Err(AppError::bad_request("prechat_required").with("field", field));
        }
    }
    Ok(())
}

/// Before the first message, a visitor must have given what the inbox requires
/// (identified customers are exempt: the shop vouches for them).
pub fn missing_prechat_field(
    inbox: &Inbox,
    contact: &crate::contacts::Contact,
    identified: bool,
) -> Option<&'static str> {
    if identified {
        return None;
    }
    let empty = |v: &Option<String>| v.as_deref().is_none_or(|s| s.is_empty());
    [
        ("name", inbox.prechat.name, contact.name.is_empty()),
        ("email", inbox.prechat.email, empty(&contact.email)),
        ("phone", inbox.prechat.phone, empty(&contact.phone)),
    ]
    .into_iter()
    .find(|(_, mode, missing)| *mode == FieldMode::Required && *missing)
    .map(|(field, _, _)| field)
}

/// Starts or continues a visitor session; returns the visitor token to keep.
pub async fn start_session(db: &Db, req: SessionRequest) -> AppResult<(String, Visitor, Inbox)> {
    let inbox = inbox_for_widget(db, req.inbox_token, req.origin).await?;
    if let Some(u) = &req.user
        && (u.id.trim().is_empty() || u.id.len() > 200 || !verify_user_hash(&inbox.secret, &u.id, &u.hash))
    {
        return Err(AppError::forbidden("identity_invalid"));
    }
    let mut details = req.details;
    if let Some(u) = &req.user {
        details.name = u.name.clone().or(details.name);
        details.email = u.email.clone().or(details.email);
    }
    check_prechat(&inbox, &details, req.prechat_submitted && req.user.is_none())?;
    let inbox_id = inbox.id;
    let presented = req.visitor_token;
    let user_id = req.user.map(|u| u.id);
    let for_write = user_id.clone();
    let (token, contact_id) = db
        .write(move |c| {
            let by_token = match &presented {
                Some(t) => {
                    contacts::contact_by_identity(c, inbox_id, IdentityKind::Visitor, &visitor_key(t))?
                        .map(|id| (t.clone(), id))
                }
                None => None,
            };
            let user_id = for_write;
            let by_user = match &user_id {
                Some(u) => contacts::contact_by_identity(c, inbox_id, IdentityKind::User, u)?,
                None => None,
            };
            let (token, contact) = match (by_token, by_user) {
                // The same person as before, or an anonymous visitor who just logged in to the shop.
                (Some((t, contact)), None) => (t, contact),
                (Some((t, contact)), Some(user_contact)) if contact == user_contact => (t, contact),
                // A known shop user on a new device (or a browser shared with someone else):
                // their own history, under a fresh visitor token.
                (_, Some(user_contact)) => {
                    let t = random_token();
                    contacts::add_identity(
                        c,
                        user_contact,
                        inbox_id,
                        IdentityKind::Visitor,
                        &visitor_key(&t),
                    )?;
                    (t, user_contact)
                }
                (None, None) => {
                    let contact = contacts::create_contact(c)?;
                    let t = random_token();
                    contacts::add_identity(c, contact, inbox_id, IdentityKind::Visitor, &visitor_key(&t))?;
                    (t, contact)
                }
            };
            if let Some(u) = &user_id {
                contacts::add_identity(c, contact, inbox_id, IdentityKind::User, u)?;
            }
            contacts::update_details(c, contact, &details)?;
            Ok((token, contact))
        })
        .await?;
    let identified = user_id.is_some();
    Ok((
        token,
        Visitor {
            contact_id,
            inbox_id,
            identified,
        },
        inbox,
    ))
}

/// Resolves the `X-Kefu-Visitor` token.
pub async fn authenticate(db: &Db, token: String) -> AppResult<Visitor> {
    db.read(move |c| {
        let key = visitor_key(&token);
        Ok(c.prepare_cached(
            "SELECT i.contact_id, i.inbox_id, EXISTS (SELECT 1 FROM contact_identities u
                     WHERE u.contact_id = i.contact_id AND u.inbox_id = i.inbox_id AND u.kind = 'user')
                 FROM contact_identities i WHERE i.kind = 'visitor' AND i.external_id = ?1",
        )?
        .query_row([key], |r| {
            Ok(Visitor {
                contact_id: r.get(0)?,
                inbox_id: r.get(1)?,
                identified: r.get(2)?,
            })
        })
        .optional()?)
    })
    .await?
    .ok_or_else(|| AppError::unauthorized("visitor_unknown"))
}

/// Flood control per visitor: at most `limit` actions per `window`, then a 429 with
/// the wait.
pub struct FloodGate {
    limit: usize,
    window: Duration,
    code: &'static str,
    recent: Mutex<HashMap<ContactId, Vec<Instant>>>,
}

impl FloodGate {
    /// Messages: 20 in 10 seconds, far above anyone typing.
    pub fn messages() -> FloodGate {
        FloodGate::new(20, Duration::from_secs(10), "slow_down")
    }

    /// Images: 10 in 5 minutes. Each may be 5 MiB, and anyone can open a widget.
    pub fn uploads() -> FloodGate {
        FloodGate::new(10, Duration::from_secs(300), "uploads_slow_down")
    }

    fn new(limit: usize, window: Duration, code: &'static str) -> FloodGate {
        FloodGate {
            limit,
            window,
            code,
            recent: Mutex::default(),
        }
    }

    pub fn check(&self, contact: ContactId) -> AppResult<()> {
        let mut map = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        if map.len() > 100_000 {
            map.retain(|_, times| times.last().is_some_and(|t| now.duration_since(*t) < self.window));
        }
        let times = map.entry(contact).or_default();
        times.retain(|t| now.duration_since(*t) < self.window);
        if times.len() >= self.limit {
            let wait = times
                .first()
                .map_or(self.window, |t| self.window - now.duration_since(*t));
            return Err(AppError::new(ErrorKind::TooManyRequests, self.code).retry_after(wait.as_secs() + 1));
        }
        times.push(now);
        Ok(())
    }
}

/// Whether any agent is online, and the typical first-reply time in minutes over
/// the last 50 answered conversations (at least 1).
pub fn availability(c: &rusqlite::Connection) -> crate::error::AppResult<(bool, i64)> {
    let online: bool = c
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM agents WHERE active = 1 AND availability = 'online')")?
        .query_row([], |r| r.get(0))?;
    let mut waits: Vec<i64> = c
        .prepare_cached(
            "SELECT first_reply_at - created_at FROM conversations WHERE first_reply_at IS NOT NULL
             ORDER BY id DESC LIMIT 50",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    waits.sort_unstable();
    let median_ms = waits.get(waits.len() / 2).copied().unwrap_or(60_000);
    Ok((online, (median_ms / 60_000 + 1).max(1)))
}

/// Tells agents the customer is typing in their current conversation.
pub async fn customer_typing(
    db: &Db,
    hub: &crate::realtime::Hub,
    visitor: &Visitor,
    typing: bool,
) -> AppResult<()> {
    let v = visitor.clone();
    let current = db
        .read(move |c| crate::conversations::views::current_for_contact(c, v.contact_id, v.inbox_id))
        .await?;
    if let Some(conv) = current {
        hub.publish(
            crate::realtime::Topic::Agents,
            crate::realtime::Event::Typing {
                conversation_id: conv.id,
                agent: None,
                typing,
            },
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_hash_is_hmac_sha256_hex() {
        let mut mac = Hmac::<Sha256>::new_from_slice(b"secret").unwrap();
        mac.update(b"10042");
        let good = hex(&mac.finalize().into_bytes());
        assert!(verify_user_hash("secret", "10042", &good));
        assert!(verify_user_hash("secret", "10042", &good.to_uppercase()));
        assert!(!verify_user_hash("secret", "10043", &good));
        assert!(!verify_user_hash("other", "10042", &good));
        assert!(!verify_user_hash("secret", "10042", "zz"));
    }

    #[test]
    fn flood_gate_limits_one_visitor_only() {
        let gate = FloodGate::messages();
        for _ in 0..20 {
            gate.check(ContactId(1)).unwrap();
        }
        assert_eq!(gate.check(ContactId(1)).unwrap_err().code, "slow_down");
        gate.check(ContactId(2)).unwrap();
        let uploads = FloodGate::uploads();
        for _ in 0..10 {
            uploads.check(ContactId(1)).unwrap();
        }
        assert_eq!(uploads.check(ContactId(1)).unwrap_err().code, "uploads_slow_down");
    }
}
