//! Teams (e.g. 售后 after-sales, 销售 sales, 技术支持 tech support) and their members.

use rusqlite::{Connection, OptionalExtension, Row};
use serde::Serialize;
use utoipa::ToSchema;

use super::{AgentId, Principal, TeamId, audit, validate};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::util::now_ms;

const DESCRIPTION_MAX: usize = 500;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Team {
    pub id: TeamId,
    pub name: String,
    pub description: String,
    pub member_ids: Vec<AgentId>,
    /// Hears of the team's SLA warnings and breaches besides the assignee.
    pub lead_agent_id: Option<AgentId>,
    /// How conversations are handed to members: `round_robin`, `least_busy` or `skills`.
    pub strategy: String,
    pub created_at: i64,
}

const TEAM_COLUMNS: &str = "t.id, t.name, t.description, t.created_at, \
    (SELECT group_concat(agent_id) FROM team_members WHERE team_id = t.id), t.lead_agent_id, t.strategy";

fn team_from_row(row: &Row) -> rusqlite::Result<Team> {
    let members: Option<String> = row.get(4)?;
    let mut member_ids: Vec<AgentId> = members
        .unwrap_or_default()
        .split(',')
        .filter_map(|s| s.parse().ok().map(AgentId))
        .collect();
    member_ids.sort();
    Ok(Team {
        id: row.get(0)?,
        name: row.get(1)?,
        description: row.get(2)?,
        created_at: row.get(3)?,
        member_ids,
        lead_agent_id: row.get(5)?,
        strategy: row.get(6)?,
    })
}

pub fn team_by_id(conn: &Connection, id: TeamId) -> rusqlite::Result<Option<Team>> {
    conn.prepare_cached(&format!("SELECT {TEAM_COLUMNS} FROM teams t WHERE t.id = ?1"))?
        .query_row([id], team_from_row)
        .optional()
}

pub fn all_teams(conn: &Connection) -> rusqlite::Result<Vec<Team>> {
    conn.prepare_cached(&format!(
        "SELECT {TEAM_COLUMNS} FROM teams t ORDER BY t.name COLLATE NOCASE"
    ))?
    .query_map([], team_from_row)?
    .collect()
}

pub fn teams_of_agent(conn: &Connection, agent: AgentId) -> rusqlite::Result<Vec<Team>> {
    conn.prepare_cached(&format!(
        "SELECT {TEAM_COLUMNS} FROM teams t JOIN team_members m ON m.team_id = t.id
         WHERE m.agent_id = ?1 ORDER BY t.name COLLATE NOCASE"
    ))?
    .query_map([agent], team_from_row)?
    .collect()
}

/// `unknown_team` (400) when `team` is set but does not exist.
pub fn ensure_team_exists(conn: &Connection, team: Option<TeamId>) -> AppResult<()> {
    if let Some(t) = team
        && team_by_id(conn, t)?.is_none()
    {
        return Err(AppError::bad_request("unknown_team").with("id", t));
    }
    Ok(())
}

fn load(conn: &Connection, id: TeamId) -> AppResult<Team> {
    team_by_id(conn, id)?.ok_or_else(|| AppError::not_found("not_found"))
}

fn name_taken(e: rusqlite::Error) -> AppError {
    if AppError::is_unique_violation(&e) {
        AppError::conflict("team_name_taken")
    } else {
        e.into()
    }
}

pub async fn create_team(db: &Db, actor: Principal, name: &str, description: &str) -> AppResult<Team> {
    let name = validate::required_text("name", name)?;
    let description = validate::optional_text("description", description, DESCRIPTION_MAX)?;
    db.write(move |c| {
        c.prepare_cached("INSERT INTO teams (name, description, created_at) VALUES (?1, ?2, ?3)")?
            .execute(rusqlite::params![name, description, now_ms()])
            .map_err(name_taken)?;
        let id = TeamId(c.last_insert_rowid());
        audit(c, actor.agent_id(), "team.create", &format!("team:{id}"), &name)?;
        load(c, id)
    })
    .await
}

/// What a team update changes; `None` keeps.
pub struct TeamChanges {
    pub name: Option<String>,
    pub description: Option<String>,
    pub lead: Option<Option<AgentId>>,
    pub strategy: Option<String>,
}

pub const STRATEGIES: &[&str] = &["round_robin", "least_busy", "skills"];

pub async fn update_team(db: &Db, actor: Principal, id: TeamId, changes: TeamChanges) -> AppResult<Team> {
    let TeamChanges {
        name,
        description,
        lead,
        strategy,
    } = changes;
    if let Some(s) = &strategy
        && !STRATEGIES.contains(&s.as_str())
    {
        return Err(AppError::bad_request("strategy_invalid").with("allowed", STRATEGIES.join(", ")));
    }
    let name = name
        .as_deref()
        .map(|n| validate::required_text("name", n))
        .transpose()?;
    let description = description
        .as_deref()
        .map(|d| validate::optional_text("description", d, DESCRIPTION_MAX))
        .transpose()?;
    db.write(move |c| {
        load(c, id)?;
        c.prepare_cached(
            "UPDATE teams SET name = coalesce(?2, name), description = coalesce(?3, description),
                 strategy = coalesce(?4, strategy) WHERE id = ?1",
        )?
        .execute(rusqlite::params![id, name, description, strategy])
        .map_err(name_taken)?;
        if let Some(lead) = lead {
            if let Some(agent) = lead {
                match crate::accounts::agents::agent_by_id(c, agent)? {
                    None => return Err(AppError::bad_request("unknown_agent").with("id", agent)),
                    Some(a) if !a.active => {
                        return Err(AppError::bad_request("agent_inactive").with("id", agent));
                    }
                    Some(_) => {}
                }
            }
            c.prepare_cached("UPDATE teams SET lead_agent_id = ?2 WHERE id = ?1")?
                .execute(rusqlite::params![id, lead])?;
        }
        audit(c, actor.agent_id(), "team.update", &format!("team:{id}"), "")?;
        load(c, id)
    })
    .await
}

pub async fn delete_team(db: &Db, actor: Principal, id: TeamId) -> AppResult<()> {
    db.write(move |c| {
        let team = load(c, id)?;
        c.prepare_cached("DELETE FROM teams WHERE id = ?1")?
            .execute([id])?;
        audit(
            c,
            actor.agent_id(),
            "team.delete",
            &format!("team:{id}"),
            &team.name,
        )?;
        Ok(())
    })
    .await
}

/// Replaces the member list. Every id must be an existing, active agent.
pub async fn set_members(db: &Db, actor: Principal, id: TeamId, agent_ids: Vec<AgentId>) -> AppResult<Team> {
    db.write(move |c| {
        load(c, id)?;
        for agent in &agent_ids {
            let active: Option<bool> = c
                .prepare_cached("SELECT active FROM agents WHERE id = ?1")?
                .query_row([agent], |r| r.get(0))
                .optional()?;
            match active {
                None => return Err(AppError::bad_request("unknown_agent").with("id", agent)),
                Some(false) => return Err(AppError::bad_request("agent_inactive").with("id", agent)),
                Some(true) => {}
            }
        }
        c.prepare_cached("DELETE FROM team_members WHERE team_id = ?1")?
            .execute([id])?;
        let mut insert =
            c.prepare_cached("INSERT OR IGNORE INTO team_members (team_id, agent_id) VALUES (?1, ?2)")?;
        for agent in &agent_ids {
            insert.execute(rusqlite::params![id, agent])?;
        }
        let ids: Vec<String> = agent_ids.iter().map(|a| a.to_string()).collect();
        audit(
            c,
            actor.agent_id(),
            "team.members",
            &format!("team:{id}"),
            &ids.join(","),
        )?;
        load(c, id)
    })
    .await
}
