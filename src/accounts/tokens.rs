//! API tokens for integrations: created by admins, shown once, stored as SHA-256.
//! A token acts with the role chosen at creation (agent or admin), never owner.

use rusqlite::{Connection, OptionalExtension, named_params};
use serde::Serialize;
use utoipa::ToSchema;

use super::agents::check_may_grant;
use super::{AgentId, Auth, Principal, Role, TokenId, audit, validate};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::util::{now_ms, random_token, token_hash};

/// Every token starts with this, so leaked tokens are easy to recognise and scan for.
pub const TOKEN_PREFIX: &str = "kefu_";
/// Only update `last_used_at` when it is older than this (avoid a write per request).
const TOUCH_EVERY_MS: i64 = 60_000;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ApiToken {
    pub id: TokenId,
    pub name: String,
    pub role: Role,
    /// The first characters of the secret, to tell tokens apart.
    pub prefix: String,
    pub created_by: Option<AgentId>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

const TOKEN_COLUMNS: &str = "id, name, role, prefix, created_by, created_at, last_used_at";

fn token_from_row(r: &rusqlite::Row) -> rusqlite::Result<ApiToken> {
    Ok(ApiToken {
        id: r.get(0)?,
        name: r.get(1)?,
        role: r.get(2)?,
        prefix: r.get(3)?,
        created_by: r.get(4)?,
        created_at: r.get(5)?,
        last_used_at: r.get(6)?,
    })
}

pub fn active_tokens(conn: &Connection) -> rusqlite::Result<Vec<ApiToken>> {
    conn.prepare_cached(&format!(
        "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE revoked_at IS NULL ORDER BY created_at DESC"
    ))?
    .query_map([], token_from_row)?
    .collect()
}

pub async fn create_token(
    db: &Db,
    actor: Principal,
    name: &str,
    role: Role,
) -> AppResult<(ApiToken, String)> {
    let name = validate::required_text("name", name)?;
    check_may_grant(&actor, role)?;
    db.write(move |c| {
        let secret = format!("{TOKEN_PREFIX}{}", random_token());
        let prefix: String = secret.chars().take(TOKEN_PREFIX.len() + 6).collect();
        c.prepare_cached(
            "INSERT INTO api_tokens (name, token_hash, prefix, role, created_by, created_at)
             VALUES (:name, :hash, :prefix, :role, :by, :now)",
        )?
        .execute(named_params! {
            ":name": name, ":hash": token_hash(&secret), ":prefix": prefix,
            ":role": role, ":by": actor.agent_id(), ":now": now_ms(),
        })?;
        let id = TokenId(c.last_insert_rowid());
        audit(c, actor.agent_id(), "token.create", &format!("token:{id}"), &name)?;
        let token = c
            .prepare_cached(&format!("SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = ?1"))?
            .query_row([id], token_from_row)?;
        Ok((token, secret))
    })
    .await
}

pub async fn revoke_token(db: &Db, actor: Principal, id: TokenId) -> AppResult<()> {
    db.write(move |c| {
        let n = c
            .prepare_cached("UPDATE api_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL")?
            .execute(rusqlite::params![id, now_ms()])?;
        if n == 0 {
            return Err(AppError::not_found("not_found"));
        }
        audit(c, actor.agent_id(), "token.revoke", &format!("token:{id}"), "")?;
        Ok(())
    })
    .await
}

/// Resolves `Authorization: Bearer <secret>`; unknown or revoked → `invalid_token`.
pub async fn authenticate(db: &Db, secret: String) -> AppResult<Principal> {
    let found = db
        .read(move |c| {
            Ok(c.prepare_cached(
                "SELECT id, role, last_used_at FROM api_tokens WHERE token_hash = ?1 AND revoked_at IS NULL",
            )?
            .query_row([token_hash(&secret)], |r| {
                Ok((
                    r.get::<_, TokenId>(0)?,
                    r.get::<_, Role>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                ))
            })
            .optional()?)
        })
        .await?;
    let (id, role, last_used) = found.ok_or_else(|| AppError::unauthorized("invalid_token"))?;
    let now = now_ms();
    if last_used.is_none_or(|t| now - t > TOUCH_EVERY_MS) {
        db.write(move |c| {
            c.prepare_cached("UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1")?
                .execute(rusqlite::params![id, now])?;
            Ok(())
        })
        .await?;
    }
    Ok(Principal {
        role,
        auth: Auth::Token { token_id: id },
    })
}
