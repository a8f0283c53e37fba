//! Password resets issued by an admin: a one-time link valid for a day. (Self-service
//! "forgot password" by email arrives with the mail issue.)

use rusqlite::{Connection, OptionalExtension, named_params};

use super::agents::{check_may_reset, set_password_hash};
use super::sessions::hash_new_password;
use super::{AgentId, Principal, audit};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::util::{now_ms, random_token, token_hash};

const RESET_VALID_MS: i64 = 86_400_000;

pub struct CreatedReset {
    pub token: String,
    pub expires_at: i64,
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

/// Issues a reset link for agent `id`; earlier unused links for them stop working.
pub async fn create_reset(db: &Db, actor: Principal, id: AgentId) -> AppResult<CreatedReset> {
    db.write(move |c| {
        check_may_reset(c, &actor, id)?;
        let now = now_ms();
        c.prepare_cached("UPDATE password_resets SET used_at = ?2 WHERE agent_id = ?1 AND used_at IS NULL")?
            .execute(rusqlite::params![id, now])?;
        let token = random_token();
        let expires_at = now + RESET_VALID_MS;
        c.prepare_cached(
            "INSERT INTO password_resets (token_hash, agent_id, created_by, created_at, expires_at)
             VALUES (:hash, :agent, :by, :now, :expires)",
        )?
        .execute(named_params! {
            ":hash": token_hash(&token), ":agent": id, ":by": actor.agent_id(),
            ":now": now, ":expires": expires_at,
        })?;
        audit(
            c,
            actor.agent_id(),
            "agent.password_reset_issued",
            &format!("agent:{id}"),
            "",
        )?;
        Ok(CreatedReset { token, expires_at })
    })
    .await
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
