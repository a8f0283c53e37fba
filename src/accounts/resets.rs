//! Password resets: a one-time link valid for a day, issued by an admin or asked
//! for on the login page ("forgot password"), and emailed when mail is set up.

use rusqlite::{Connection, OptionalExtension, named_params};

use super::agents::{agent_by_id, check_may_reset, set_password_hash};
use super::sessions::hash_new_password;
use super::{Agent, AgentId, Principal, audit};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::notify::{Mail, Mailroom};
use crate::util::{now_ms, random_token, token_hash};

const RESET_VALID_MS: i64 = 86_400_000;

pub struct CreatedReset {
    pub link: String,
    pub expires_at: i64,
    /// The outbox row of the email carrying the link, when mail is set up.
    pub email: Option<i64>,
}

pub fn reset_link(public_url: &str, token: &str) -> String {
    format!("{public_url}/#/reset/{token}")
}

/// Ends earlier links of `agent` and issues a new one: (token, expiry).
fn issue(c: &Connection, agent: AgentId, by: Option<AgentId>) -> rusqlite::Result<(String, i64)> {
    let now = now_ms();
    c.prepare_cached("UPDATE password_resets SET used_at = ?2 WHERE agent_id = ?1 AND used_at IS NULL")?
        .execute(rusqlite::params![agent, now])?;
    let token = random_token();
    let expires_at = now + RESET_VALID_MS;
    c.prepare_cached(
        "INSERT INTO password_resets (token_hash, agent_id, created_by, created_at, expires_at)
         VALUES (:hash, :agent, :by, :now, :expires)",
    )?
    .execute(named_params! {
        ":hash": token_hash(&token), ":agent": agent, ":by": by,
        ":now": now, ":expires": expires_at,
    })?;
    Ok((token, expires_at))
}

/// Queues the email with the link, in the agent's language.
fn email_reset(
    c: &Connection,
    mailroom: &Mailroom,
    agent: &Agent,
    link: &str,
    expires_at: i64,
) -> AppResult<i64> {
    let lang = match agent.locale {
        Some(l) => l,
        None => crate::settings::shop(c)?.default_locale,
    };
    mailroom
        .compose(
            c,
            Mail {
                template: "password_reset",
                lang,
                to_name: Some(agent.name.clone()),
                to_email: agent.email.clone(),
                context: serde_json::json!({
                    "agent": {"name": agent.name},
                    "reset": {"link": link, "expires_at": crate::settings::format_time(c, expires_at)?},
                }),
                thread: None,
                automatic: true,
                about: Some(format!("agent:{}", agent.id)),
            },
        )
        .map(|q| q.id)
}

/// A usable reset for this token: (reset id, agent id, email, expiry).
fn reset_by_token(conn: &Connection, token: &str) -> rusqlite::Result<Option<(i64, AgentId, String, i64)>> {
    conn.prepare_cached(
        "SELECT r.id, r.agent_id, a.email, r.expires_at FROM password_resets r
         JOIN agents a ON a.id = r.agent_id
         WHERE r.token_hash = ?1 AND r.used_at IS NULL AND r.expires_at > ?2 AND a.active = 1",
    )?
    .query_row(rusqlite::params![token_hash(token), now_ms()], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })
    .optional()
}

/// Issues a reset link for agent `id` (earlier unused links stop working) and
/// emails it to them when mail is set up.
pub async fn create_reset(
    db: &Db,
    mailroom: &Mailroom,
    actor: Principal,
    id: AgentId,
) -> AppResult<CreatedReset> {
    let room = mailroom.clone();
    let created = db
        .write(move |c| {
            check_may_reset(c, &actor, id)?;
            let (token, expires_at) = issue(c, id, actor.agent_id())?;
            audit(
                c,
                actor.agent_id(),
                "agent.password_reset_issued",
                &format!("agent:{id}"),
                "",
            )?;
            let link = reset_link(&room.config().public_url(), &token);
            let email = match agent_by_id(c, id)? {
                Some(agent) if room.can_send(c)? => Some(email_reset(c, &room, &agent, &link, expires_at)?),
                _ => None,
            };
            Ok(CreatedReset {
                link,
                expires_at,
                email,
            })
        })
        .await?;
    if created.email.is_some() {
        mailroom.wake();
    }
    Ok(created)
}

/// "Forgot password": emails a reset link to an active agent with this address.
/// Says nothing about whether the address belongs to anyone (the caller answers
/// the same either way), and does nothing when mail is not set up.
pub async fn request_reset(db: &Db, mailroom: &Mailroom, email: String) -> AppResult<()> {
    let Ok(email) = super::validate::email(&email) else {
        return Ok(());
    };
    let room = mailroom.clone();
    let sent = db
        .write(move |c| {
            let Some(agent) = super::agents::agent_by_email(c, &email)?.filter(|a| a.active) else {
                return Ok(false);
            };
            if !room.can_send(c)? {
                return Ok(false);
            }
            let (token, expires_at) = issue(c, agent.id, None)?;
            audit(
                c,
                None,
                "agent.password_reset_requested",
                &format!("agent:{}", agent.id),
                "",
            )?;
            let link = reset_link(&room.config().public_url(), &token);
            email_reset(c, &room, &agent, &link, expires_at)?;
            Ok(true)
        })
        .await?;
    if sent {
        mailroom.wake();
    }
    Ok(())
}

/// The email and expiry a reset link is for (so the page can say whose password).
pub async fn describe_reset(db: &Db, token: String) -> AppResult<(String, i64)> {
    db.read(move |c| Ok(reset_by_token(c, &token)?))
        .await?
        .map(|(_, _, email, expires)| (email, expires))
        .ok_or_else(|| AppError::not_found("reset_invalid"))
}

/// Sets the new password, uses up the link and ends all of the agent's sessions.
pub async fn complete_reset(db: &Db, token: String, password_text: String) -> AppResult<()> {
    let check = token.clone();
    if db.read(move |c| Ok(reset_by_token(c, &check)?)).await?.is_none() {
        return Err(AppError::not_found("reset_invalid"));
    }
    let hash = hash_new_password(password_text).await?;
    db.write(move |c| {
        let (reset_id, agent, _, _) =
            reset_by_token(c, &token)?.ok_or_else(|| AppError::not_found("reset_invalid"))?;
        c.prepare_cached("UPDATE password_resets SET used_at = ?2 WHERE id = ?1")?
            .execute(rusqlite::params![reset_id, now_ms()])?;
        set_password_hash(c, agent, &hash, None)?;
        audit(
            c,
            Some(agent),
            "agent.password_reset_used",
            &format!("agent:{agent}"),
            "",
        )?;
        Ok(())
    })
    .await
}
