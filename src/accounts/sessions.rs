//! Server-side sessions. The browser holds a random token in an HttpOnly cookie; we
//! store only its hash, with a CSRF token the console echoes in a header on writes.
//! Sessions slide: each use (at most once per `TOUCH_EVERY`) pushes expiry forward.

use rusqlite::{Connection, OptionalExtension, named_params};

use super::agents::{self, Agent};
use super::ratelimit::LoginLimiter;
use super::{AgentId, Auth, Principal, Role, audit, password, validate};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::util::{now_ms, random_token, token_hash};

const DAY_MS: i64 = 86_400_000;
const TOUCH_EVERY_MS: i64 = 3_600_000;

/// A freshly created session: the cookie value is only ever known here.
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub agent: Agent,
}

/// Where a login came from, kept on the session for the agent's security overview.
#[derive(Clone, Default)]
pub struct ClientInfo {
    pub ip: String,
    pub user_agent: String,
}

/// Creates a session row for `agent_id` inside the caller's write.
pub fn create_session(
    conn: &Connection,
    agent_id: AgentId,
    idle_days: u32,
    client: &ClientInfo,
) -> AppResult<NewSession> {
    let token = random_token();
    let csrf_token = random_token();
    let now = now_ms();
    conn.prepare_cached(
        "INSERT INTO sessions (token_hash, agent_id, csrf_token, created_at, last_seen_at, expires_at, ip, user_agent)
         VALUES (:hash, :agent, :csrf, :now, :now, :expires, :ip, :ua)",
    )?
    .execute(named_params! {
        ":hash": token_hash(&token), ":agent": agent_id, ":csrf": csrf_token, ":now": now,
        ":expires": now + i64::from(idle_days) * DAY_MS, ":ip": client.ip,
        ":ua": client.user_agent.chars().take(300).collect::<String>(),
    })?;
    let agent = agents::agent_by_id(conn, agent_id)?.ok_or_else(|| AppError::not_found("not_found"))?;
    Ok(NewSession {
        token,
        csrf_token,
        agent,
    })
}

struct SessionRow {
    id: i64,
    agent_id: AgentId,
    csrf_token: String,
    last_seen_at: i64,
    expires_at: i64,
    role: Role,
    active: bool,
    locale: Option<String>,
}

fn session_by_token(conn: &Connection, token: &str) -> rusqlite::Result<Option<SessionRow>> {
    conn.prepare_cached(
        "SELECT s.id, s.agent_id, s.csrf_token, s.last_seen_at, s.expires_at, a.role, a.active, a.locale
         FROM sessions s JOIN agents a ON a.id = s.agent_id WHERE s.token_hash = ?1",
    )?
    .query_row([token_hash(token)], |r| {
        Ok(SessionRow {
            id: r.get(0)?,
            agent_id: r.get(1)?,
            csrf_token: r.get(2)?,
            last_seen_at: r.get(3)?,
            expires_at: r.get(4)?,
            role: r.get(5)?,
            active: r.get(6)?,
            locale: r.get(7)?,
        })
    })
    .optional()
}

/// Resolves a session cookie. Unknown, expired or deactivated → `session_expired` (401).
pub async fn authenticate(db: &Db, token: String, idle_days: u32) -> AppResult<Principal> {
    let now = now_ms();
    let row = db.read(move |c| Ok(session_by_token(c, &token)?)).await?;
    let row = match row {
        Some(r) if r.expires_at > now && r.active => r,
        _ => return Err(AppError::unauthorized("session_expired")),
    };
    if now - row.last_seen_at > TOUCH_EVERY_MS {
        let id = row.id;
        let expires = now + i64::from(idle_days) * DAY_MS;
        db.write(move |c| {
            c.prepare_cached("UPDATE sessions SET last_seen_at = ?2, expires_at = ?3 WHERE id = ?1")?
                .execute(rusqlite::params![id, now, expires])?;
            Ok(())
        })
        .await?;
    }
    Ok(Principal {
        role: row.role,
        auth: Auth::Session {
            agent_id: row.agent_id,
            session_id: row.id,
            csrf_token: row.csrf_token,
            locale: row.locale.as_deref().and_then(Lang::parse_exact),
        },
    })
}

/// `POST /api/session`: checks the rate limits before spending time on argon2.
pub async fn login(
    db: &Db,
    limiter: &LoginLimiter,
    email: &str,
    password_text: String,
    client: ClientInfo,
    idle_days: u32,
) -> AppResult<NewSession> {
    let email = email.trim().to_lowercase();
    limiter.check(&client.ip, &email)?;
    let lookup = email.clone();
    let (creds, agent_count) = db
        .read(move |c| Ok((agents::credentials_by_email(c, &lookup)?, agents::agent_count(c)?)))
        .await?;
    if agent_count == 0 {
        return Err(AppError::conflict("setup_required"));
    }
    let stored = creds.as_ref().map(|c| c.password_hash.clone());
    if !password::verify(password_text, stored).await {
        limiter.record_failure(&client.ip, &email);
        return Err(AppError::unauthorized("invalid_credentials"));
    }
    let creds = creds.ok_or_else(|| AppError::unauthorized("invalid_credentials"))?;
    if !creds.active {
        return Err(AppError::forbidden("account_deactivated"));
    }
    limiter.record_success(&email);
    db.write(move |c| {
        let s = create_session(c, creds.id, idle_days, &client)?;
        audit(
            c,
            Some(creds.id),
            "session.login",
            &format!("agent:{}", creds.id),
            &client.ip,
        )?;
        Ok(s)
    })
    .await
}

/// `DELETE /api/session`.
pub async fn logout(db: &Db, session_id: i64) -> AppResult<()> {
    db.write(move |c| {
        c.prepare_cached("DELETE FROM sessions WHERE id = ?1")?
            .execute([session_id])?;
        Ok(())
    })
    .await
}

/// Removes sessions that expired; run by a background job.
pub async fn purge_expired(db: &Db) -> AppResult<usize> {
    db.write(|c| Ok(c.execute("DELETE FROM sessions WHERE expires_at <= ?1", [now_ms()])?))
        .await
}

/// Validates a new password and hashes it (shared by setup, invites and resets).
pub(super) async fn hash_new_password(password_text: String) -> AppResult<String> {
    validate::password(&password_text)?;
    password::hash(password_text).await
}
