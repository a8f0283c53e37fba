//! Agents: the people who answer customers. Listing, admin edits (role, limit,
//! deactivation), own profile, availability and password changes.

use rusqlite::{Connection, OptionalExtension, Row, named_params};
use serde::Serialize;
use utoipa::ToSchema;

use super::validate;
use super::{AgentId, Availability, Principal, Role, TeamId, audit, password};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::util::now_ms;

/// An agent as the API shows it (never the password hash).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Agent {
    pub id: AgentId,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub active: bool,
    pub availability: Availability,
    pub max_concurrent: i64,
    /// The agent's chosen language; `null` follows the browser.
    pub locale: Option<Lang>,
    pub team_ids: Vec<TeamId>,
    /// Intent names the agent is good at: teams routing by skills prefer them.
    pub skills: Vec<String>,
    pub created_at: i64,
}

const AGENT_COLUMNS: &str = "a.id, a.email, a.name, a.role, a.active, a.availability, \
    a.max_concurrent, a.locale, a.created_at, \
    (SELECT group_concat(team_id) FROM team_members WHERE agent_id = a.id), a.skills";

fn agent_from_row(row: &Row) -> rusqlite::Result<Agent> {
    let locale: Option<String> = row.get(7)?;
    let teams: Option<String> = row.get(9)?;
    let mut team_ids: Vec<TeamId> = teams
        .unwrap_or_default()
        .split(',')
        .filter_map(|s| s.parse().ok().map(TeamId))
        .collect();
    team_ids.sort();
    Ok(Agent {
        id: row.get(0)?,
        email: row.get(1)?,
        name: row.get(2)?,
        role: row.get(3)?,
        active: row.get(4)?,
        availability: row.get(5)?,
        max_concurrent: row.get(6)?,
        locale: locale.as_deref().and_then(Lang::parse_exact),
        created_at: row.get(8)?,
        team_ids,
        skills: serde_json::from_str(&row.get::<_, String>(10)?).unwrap_or_default(),
    })
}

pub fn agent_by_id(conn: &Connection, id: AgentId) -> rusqlite::Result<Option<Agent>> {
    conn.prepare_cached(&format!("SELECT {AGENT_COLUMNS} FROM agents a WHERE a.id = ?1"))?
        .query_row([id], agent_from_row)
        .optional()
}

pub fn agent_by_email(conn: &Connection, email: &str) -> rusqlite::Result<Option<Agent>> {
    conn.prepare_cached(&format!(
        "SELECT {AGENT_COLUMNS} FROM agents a WHERE a.email = ?1"
    ))?
    .query_row([email], agent_from_row)
    .optional()
}

/// Every agent, active ones first, then by name.
pub fn all_agents(conn: &Connection) -> rusqlite::Result<Vec<Agent>> {
    conn.prepare_cached(&format!(
        "SELECT {AGENT_COLUMNS} FROM agents a ORDER BY a.active DESC, a.name COLLATE NOCASE, a.id"
    ))?
    .query_map([], agent_from_row)?
    .collect()
}

pub fn agent_count(conn: &Connection) -> rusqlite::Result<i64> {
    conn.query_row("SELECT count(*) FROM agents", [], |r| r.get(0))
}

/// What login needs to know about an email address.
pub struct Credentials {
    pub id: AgentId,
    pub password_hash: String,
    pub active: bool,
}

pub fn credentials_by_email(conn: &Connection, email: &str) -> rusqlite::Result<Option<Credentials>> {
    conn.prepare_cached("SELECT id, password_hash, active FROM agents WHERE email = ?1")?
        .query_row([email], |r| {
            Ok(Credentials {
                id: r.get(0)?,
                password_hash: r.get(1)?,
                active: r.get(2)?,
            })
        })
        .optional()
}

fn password_hash_by_id(conn: &Connection, id: AgentId) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT password_hash FROM agents WHERE id = ?1")?
        .query_row([id], |r| r.get(0))
        .optional()
}

/// A validated new account.
pub struct NewAgent {
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub role: Role,
}

/// Inserts an agent; a taken email becomes `email_taken` (409).
pub fn insert_agent(conn: &Connection, a: &NewAgent) -> AppResult<AgentId> {
    let now = now_ms();
    let result = conn
        .prepare_cached(
            "INSERT INTO agents (email, name, password_hash, role, created_at, updated_at)
             VALUES (:email, :name, :hash, :role, :now, :now)",
        )?
        .execute(named_params! {
            ":email": a.email, ":name": a.name, ":hash": a.password_hash,
            ":role": a.role, ":now": now,
        });
    match result {
        Ok(_) => Ok(AgentId(conn.last_insert_rowid())),
        Err(e) if AppError::is_unique_violation(&e) => Err(AppError::conflict("email_taken")),
        Err(e) => Err(e.into()),
    }
}

/// Sets a new password hash and ends every session of the agent (except `keep_session`).
pub fn set_password_hash(
    conn: &Connection,
    id: AgentId,
    hash: &str,
    keep_session: Option<i64>,
) -> rusqlite::Result<bool> {
    let changed = conn
        .prepare_cached("UPDATE agents SET password_hash = ?2, updated_at = ?3 WHERE id = ?1")?
        .execute(rusqlite::params![id, hash, now_ms()])?;
    conn.prepare_cached("DELETE FROM sessions WHERE agent_id = ?1 AND id IS NOT ?2")?
        .execute(rusqlite::params![id, keep_session])?;
    Ok(changed == 1)
}

fn load(conn: &Connection, id: AgentId) -> AppResult<Agent> {
    agent_by_id(conn, id)?.ok_or_else(|| AppError::not_found("not_found"))
}

/// May `actor` manage `target` (edit, deactivate, reset its password)?
fn check_may_manage(actor: &Principal, target: &Agent) -> AppResult<()> {
    if !actor.role.is_admin() {
        return Err(AppError::forbidden("forbidden"));
    }
    if target.role == Role::Owner && actor.agent_id() != Some(target.id) {
        return Err(AppError::forbidden("owner_protected"));
    }
    if target.role == Role::Admin && actor.role != Role::Owner && actor.agent_id() != Some(target.id) {
        return Err(AppError::forbidden("admin_required_for_admin"));
    }
    Ok(())
}

pub(super) fn check_may_grant(actor: &Principal, role: Role) -> AppResult<()> {
    match role {
        Role::Owner => Err(AppError::bad_request("invalid_role").with("allowed", "agent, admin")),
        Role::Admin if actor.role != Role::Owner => Err(AppError::forbidden("admin_required_for_admin")),
        _ => Ok(()),
    }
}

/// Changes an admin may make to another agent.
#[derive(Default)]
pub struct AgentChanges {
    pub name: Option<String>,
    pub role: Option<Role>,
    pub max_concurrent: Option<i64>,
    /// Intent names; each must exist.
    pub skills: Option<Vec<String>>,
}

/// `PATCH /api/agents/{id}`.
pub async fn update_agent(db: &Db, actor: Principal, id: AgentId, changes: AgentChanges) -> AppResult<Agent> {
    let name = changes
        .name
        .as_deref()
        .map(|n| validate::required_text("name", n))
        .transpose()?;
    let max = changes.max_concurrent.map(validate::max_concurrent).transpose()?;
    db.write(move |c| {
        let target = load(c, id)?;
        check_may_manage(&actor, &target)?;
        if let Some(role) = changes.role
            && role != target.role
        {
            if actor.agent_id() == Some(id) {
                return Err(AppError::forbidden("cannot_change_self"));
            }
            check_may_grant(&actor, role)?;
        }
        let skills = match &changes.skills {
            Some(list) => {
                let mut list = list.clone();
                list.sort();
                list.dedup();
                crate::routing::intents::ensure_exist(c, &list)?;
                Some(serde_json::to_string(&list).unwrap_or_default())
            }
            None => None,
        };
        c.prepare_cached(
            "UPDATE agents SET name = coalesce(:name, name), role = coalesce(:role, role),
             max_concurrent = coalesce(:max, max_concurrent), skills = coalesce(:skills, skills),
             updated_at = :now WHERE id = :id",
        )?
        .execute(named_params! {
            ":name": name, ":role": changes.role, ":max": max, ":skills": skills, ":now": now_ms(), ":id": id,
        })?;
        audit(c, actor.agent_id(), "agent.update", &format!("agent:{id}"), "")?;
        load(c, id)
    })
    .await
}

/// Deactivating ends the agent's sessions at once; activating lets them log in again.
pub async fn set_active(db: &Db, actor: Principal, id: AgentId, active: bool) -> AppResult<Agent> {
    db.write(move |c| {
        let target = load(c, id)?;
        check_may_manage(&actor, &target)?;
        if actor.agent_id() == Some(id) || target.role == Role::Owner {
            return Err(AppError::forbidden("cannot_change_self"));
        }
        c.prepare_cached(
            "UPDATE agents SET active = ?2, availability = CASE WHEN ?2 THEN availability ELSE 'offline' END,
             updated_at = ?3 WHERE id = ?1",
        )?
        .execute(rusqlite::params![id, active, now_ms()])?;
        if !active {
            c.prepare_cached("DELETE FROM sessions WHERE agent_id = ?1")?
                .execute([id])?;
        }
        let action = if active {
            "agent.activate"
        } else {
            "agent.deactivate"
        };
        audit(c, actor.agent_id(), action, &format!("agent:{id}"), "")?;
        load(c, id)
    })
    .await
}

/// Checks that an admin may issue a password reset for `id` (used by `resets`).
pub(super) fn check_may_reset(conn: &Connection, actor: &Principal, id: AgentId) -> AppResult<Agent> {
    let target = load(conn, id)?;
    check_may_manage(actor, &target)?;
    if !target.active {
        return Err(AppError::bad_request("agent_inactive").with("id", id));
    }
    Ok(target)
}

/// `PATCH /api/me`: an agent's own name and language.
pub async fn update_profile(
    db: &Db,
    id: AgentId,
    name: Option<String>,
    locale: Option<Option<Lang>>,
) -> AppResult<Agent> {
    let name = name
        .as_deref()
        .map(|n| validate::required_text("name", n))
        .transpose()?;
    db.write(move |c| {
        c.prepare_cached("UPDATE agents SET name = coalesce(?2, name), updated_at = ?3 WHERE id = ?1")?
            .execute(rusqlite::params![id, name, now_ms()])?;
        if let Some(locale) = locale {
            c.prepare_cached("UPDATE agents SET locale = ?2 WHERE id = ?1")?
                .execute(rusqlite::params![id, locale.map(Lang::tag)])?;
        }
        load(c, id)
    })
    .await
}

pub async fn set_availability(db: &Db, id: AgentId, availability: Availability) -> AppResult<Agent> {
    db.write(move |c| {
        c.prepare_cached("UPDATE agents SET availability = ?2, updated_at = ?3 WHERE id = ?1")?
            .execute(rusqlite::params![id, availability, now_ms()])?;
        load(c, id)
    })
    .await
}

/// `POST /api/me/password`: needs the current password; other sessions end.
pub async fn change_own_password(
    db: &Db,
    id: AgentId,
    session_id: i64,
    current: String,
    new: String,
) -> AppResult<()> {
    validate::password(&new)?;
    let stored = db.read(move |c| Ok(password_hash_by_id(c, id)?)).await?;
    if !password::verify(current, stored).await {
        return Err(AppError::bad_request("wrong_password"));
    }
    let hash = password::hash(new).await?;
    db.write(move |c| {
        set_password_hash(c, id, &hash, Some(session_id))?;
        audit(c, Some(id), "agent.password_change", &format!("agent:{id}"), "")?;
        Ok(())
    })
    .await
}

/// `kefu reset-password`: sets a password directly (operator on the machine).
pub async fn set_password_by_email(db: &Db, email: &str, new: String) -> AppResult<Agent> {
    let email = validate::email(email)?;
    validate::password(&new)?;
    let hash = password::hash(new).await?;
    db.write(move |c| {
        let creds = credentials_by_email(c, &email)?.ok_or_else(|| AppError::not_found("not_found"))?;
        set_password_hash(c, creds.id, &hash, None)?;
        audit(
            c,
            None,
            "agent.password_set_cli",
            &format!("agent:{}", creds.id),
            "",
        )?;
        load(c, creds.id)
    })
    .await
}
