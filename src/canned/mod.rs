//! Canned responses: saved answers an agent inserts by typing `/` and a shortcut.
//! Global ones are everyone's; a team's are seen by its members. Variables such as
//! `{{contact.name}}`, `{{agent.name}}` and `{{order.number}}` are filled in by the
//! console when inserting.

use rusqlite::{Connection, OptionalExtension, Row};
use serde::Serialize;
use utoipa::ToSchema;

use crate::accounts::{AgentId, Principal, TeamId, audit, validate_optional_text};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::util::now_ms;

crate::accounts::id_type!(CannedId);

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CannedResponse {
    pub id: CannedId,
    pub shortcut: String,
    pub body: String,
    pub team_id: Option<TeamId>,
    pub created_at: i64,
}

fn from_row(r: &Row) -> rusqlite::Result<CannedResponse> {
    Ok(CannedResponse {
        id: r.get(0)?,
        shortcut: r.get(1)?,
        body: r.get(2)?,
        team_id: r.get(3)?,
        created_at: r.get(4)?,
    })
}

const COLUMNS: &str = "id, shortcut, body, team_id, created_at";

/// What `agent` may use: global responses and their teams' (everything for `None`).
pub fn visible_to(conn: &Connection, agent: Option<AgentId>) -> rusqlite::Result<Vec<CannedResponse>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM canned_responses WHERE ?1 IS NULL OR team_id IS NULL
            OR team_id IN (SELECT team_id FROM team_members WHERE agent_id = ?1)
         ORDER BY shortcut, team_id IS NOT NULL"
    ))?
    .query_map([agent], from_row)?
    .collect()
}

fn by_id(conn: &Connection, id: CannedId) -> AppResult<CannedResponse> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM canned_responses WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or_else(|| AppError::not_found("not_found"))
}

fn check_shortcut(raw: &str) -> AppResult<String> {
    let s = raw.trim().trim_start_matches('/').to_lowercase();
    let ok = !s.is_empty()
        && s.chars().count() <= 32
        && s.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(s)
    } else {
        Err(AppError::bad_request("shortcut_invalid"))
    }
}

fn check_body(raw: &str) -> AppResult<String> {
    let b = validate_optional_text("body", raw, 5000)?;
    if b.is_empty() {
        return Err(AppError::bad_request("field_required").with("field", "body"));
    }
    Ok(b)
}

fn taken(e: rusqlite::Error) -> AppError {
    if AppError::is_unique_violation(&e) {
        AppError::conflict("shortcut_taken")
    } else {
        e.into()
    }
}

pub async fn create(
    db: &Db,
    actor: Principal,
    shortcut: &str,
    body: &str,
    team: Option<TeamId>,
) -> AppResult<CannedResponse> {
    let (shortcut, body) = (check_shortcut(shortcut)?, check_body(body)?);
    db.write(move |c| {
        crate::accounts::teams::ensure_team_exists(c, team)?;
        let now = now_ms();
        c.prepare_cached(
            "INSERT INTO canned_responses (shortcut, body, team_id, created_by, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        )?
        .execute(rusqlite::params![shortcut, body, team, actor.agent_id(), now])
        .map_err(taken)?;
        let id = CannedId(c.last_insert_rowid());
        audit(
            c,
            actor.agent_id(),
            "canned.create",
            &format!("canned:{id}"),
            &shortcut,
        )?;
        by_id(c, id)
    })
    .await
}

pub async fn update(
    db: &Db,
    actor: Principal,
    id: CannedId,
    shortcut: Option<String>,
    body: Option<String>,
    team: Option<Option<TeamId>>,
) -> AppResult<CannedResponse> {
    let shortcut = shortcut.as_deref().map(check_shortcut).transpose()?;
    let body = body.as_deref().map(check_body).transpose()?;
    db.write(move |c| {
        let current = by_id(c, id)?;
        let team = team.unwrap_or(current.team_id);
        crate::accounts::teams::ensure_team_exists(c, team)?;
        c.prepare_cached(
            "UPDATE canned_responses SET shortcut = coalesce(?2, shortcut), body = coalesce(?3, body),
                 team_id = ?4, updated_at = ?5 WHERE id = ?1",
        )?
        .execute(rusqlite::params![id, shortcut, body, team, now_ms()])
        .map_err(taken)?;
        audit(c, actor.agent_id(), "canned.update", &format!("canned:{id}"), "")?;
        by_id(c, id)
    })
    .await
}

pub async fn delete(db: &Db, actor: Principal, id: CannedId) -> AppResult<()> {
    db.write(move |c| {
        by_id(c, id)?;
        c.prepare_cached("DELETE FROM canned_responses WHERE id = ?1")?
            .execute([id])?;
        audit(c, actor.agent_id(), "canned.delete", &format!("canned:{id}"), "")?;
        Ok(())
    })
    .await
}
