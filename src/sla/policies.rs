//! SLA policies: ordered; the first whose conditions (priority, team, type) all
//! hold for a ticket applies. The owner edits them in Settings → SLA.

use rusqlite::{Connection, OptionalExtension, Row, named_params};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Metric;
use super::clock::Target;
use crate::accounts::TeamId;
use crate::error::{AppError, AppResult};
use crate::tickets::{Priority, TicketTypeId};
use crate::util::now_ms;

crate::accounts::id_type!(PolicyId);

/// Longest target: a year.
const MAX_TARGET_MINS: i64 = 525_600;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Policy {
    pub id: PolicyId,
    pub name: String,
    /// Evaluated in this order, lowest first.
    pub position: i64,
    /// Conditions; `null` matches any ticket.
    pub priority: Option<Priority>,
    pub team_id: Option<TeamId>,
    pub type_id: Option<TicketTypeId>,
    pub first_response_mins: Option<i64>,
    pub resolution_mins: Option<i64>,
    /// Count in the shop's business hours (`false`: around the clock).
    pub business_hours: bool,
    /// Warn the assignee and team lead when this share of a target is used.
    pub warn_percent: i64,
}

impl Policy {
    pub fn target(&self, metric: Metric) -> Option<Target> {
        let mins = match metric {
            Metric::FirstResponse => self.first_response_mins,
            Metric::Resolution => self.resolution_mins,
        }?;
        Some(Target {
            ms: mins * 60_000,
            business_hours: self.business_hours,
            warn_percent: self.warn_percent,
        })
    }

    fn matches(&self, priority: Priority, team: Option<TeamId>, kind: Option<TicketTypeId>) -> bool {
        self.priority.is_none_or(|p| p == priority)
            && self.team_id.is_none_or(|t| Some(t) == team)
            && self.type_id.is_none_or(|t| Some(t) == kind)
    }
}

/// What the console sends to create or change a policy (every field, as shown).
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct PolicyInput {
    pub name: String,
    pub priority: Option<Priority>,
    pub team_id: Option<TeamId>,
    pub type_id: Option<TicketTypeId>,
    pub first_response_mins: Option<i64>,
    pub resolution_mins: Option<i64>,
    #[serde(default = "yes")]
    pub business_hours: bool,
    #[serde(default = "default_warn")]
    pub warn_percent: i64,
}

fn yes() -> bool {
    true
}

fn default_warn() -> i64 {
    80
}

const COLUMNS: &str = "id, name, position, priority, team_id, type_id, first_response_mins, resolution_mins, \
    business_hours, warn_percent";

fn from_row(r: &Row) -> rusqlite::Result<Policy> {
    Ok(Policy {
        id: r.get(0)?,
        name: r.get(1)?,
        position: r.get(2)?,
        priority: r.get(3)?,
        team_id: r.get(4)?,
        type_id: r.get(5)?,
        first_response_mins: r.get(6)?,
        resolution_mins: r.get(7)?,
        business_hours: r.get(8)?,
        warn_percent: r.get(9)?,
    })
}

pub fn all(c: &Connection) -> rusqlite::Result<Vec<Policy>> {
    c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM sla_policies ORDER BY position, id"
    ))?
    .query_map([], from_row)?
    .collect()
}

pub fn by_id(c: &Connection, id: PolicyId) -> rusqlite::Result<Option<Policy>> {
    c.prepare_cached(&format!("SELECT {COLUMNS} FROM sla_policies WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()
}

/// The first of `policies` (in order) for a ticket with these fields, if any.
pub fn first_match(
    policies: &[Policy],
    priority: Priority,
    team: Option<TeamId>,
    kind: Option<TicketTypeId>,
) -> Option<&Policy> {
    policies.iter().find(|p| p.matches(priority, team, kind))
}

fn check(c: &Connection, input: &PolicyInput) -> AppResult<String> {
    let name = crate::tickets::text("name", &input.name, 100)?;
    if name.is_empty() {
        return Err(AppError::bad_request("field_required").with("field", "name"));
    }
    if input.first_response_mins.is_none() && input.resolution_mins.is_none() {
        return Err(AppError::bad_request("sla_target_required"));
    }
    for (field, v) in [
        ("first_response_mins", input.first_response_mins),
        ("resolution_mins", input.resolution_mins),
    ] {
        if let Some(v) = v
            && !(1..=MAX_TARGET_MINS).contains(&v)
        {
            return Err(AppError::bad_request("invalid_sla_target")
                .with("field", field)
                .with("max", MAX_TARGET_MINS));
        }
    }
    if !(1..=99).contains(&input.warn_percent) {
        return Err(AppError::bad_request("invalid_warn_percent"));
    }
    crate::accounts::teams::ensure_team_exists(c, input.team_id)?;
    crate::tickets::types::ensure_exists(c, input.type_id)?;
    Ok(name)
}

pub fn create(c: &Connection, input: &PolicyInput) -> AppResult<PolicyId> {
    let name = check(c, input)?;
    let now = now_ms();
    c.prepare_cached(
        "INSERT INTO sla_policies (name, position, priority, team_id, type_id, first_response_mins,
             resolution_mins, business_hours, warn_percent, created_at, updated_at)
         VALUES (:name, (SELECT coalesce(max(position), 0) + 1 FROM sla_policies), :priority, :team, :type,
             :first, :resolution, :bh, :warn, :now, :now)",
    )?
    .execute(named_params! {
        ":name": name, ":priority": input.priority, ":team": input.team_id, ":type": input.type_id,
        ":first": input.first_response_mins, ":resolution": input.resolution_mins,
        ":bh": input.business_hours, ":warn": input.warn_percent, ":now": now,
    })?;
    Ok(PolicyId(c.last_insert_rowid()))
}

pub fn update(c: &Connection, id: PolicyId, input: &PolicyInput) -> AppResult<()> {
    let name = check(c, input)?;
    let n = c
        .prepare_cached(
            "UPDATE sla_policies SET name = :name, priority = :priority, team_id = :team, type_id = :type,
                 first_response_mins = :first, resolution_mins = :resolution, business_hours = :bh,
                 warn_percent = :warn, updated_at = :now
             WHERE id = :id",
        )?
        .execute(named_params! {
            ":name": name, ":priority": input.priority, ":team": input.team_id, ":type": input.type_id,
            ":first": input.first_response_mins, ":resolution": input.resolution_mins,
            ":bh": input.business_hours, ":warn": input.warn_percent, ":now": now_ms(), ":id": id,
        })?;
    if n == 0 {
        return Err(AppError::not_found("not_found"));
    }
    Ok(())
}

pub fn delete(c: &Connection, id: PolicyId) -> AppResult<()> {
    if c.execute("DELETE FROM sla_policies WHERE id = ?1", [id])? == 0 {
        return Err(AppError::not_found("not_found"));
    }
    Ok(())
}

/// Puts the policies in the given order; the list must name each exactly once.
pub fn reorder(c: &Connection, ids: &[PolicyId]) -> AppResult<()> {
    let mut known: Vec<PolicyId> = all(c)?.into_iter().map(|p| p.id).collect();
    let mut given = ids.to_vec();
    known.sort_by_key(|p| p.0);
    given.sort_by_key(|p| p.0);
    if known != given {
        return Err(AppError::bad_request("invalid_order"));
    }
    let mut stmt = c.prepare_cached("UPDATE sla_policies SET position = ?1 WHERE id = ?2")?;
    for (i, id) in ids.iter().enumerate() {
        stmt.execute(rusqlite::params![i as i64 + 1, id])?;
    }
    Ok(())
}
