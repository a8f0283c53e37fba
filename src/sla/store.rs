//! The SQL of SLA clocks and their events.

use rusqlite::{Connection, OptionalExtension, named_params};

use super::clock::{History, Reading, State, Target};
use super::{Metric, PolicyId};
use crate::accounts::{AgentId, TeamId};
use crate::tickets::{Priority, Status, TicketId, TicketTypeId};

/// What the clocks need of a ticket.
pub struct Facts {
    pub id: TicketId,
    pub status: Status,
    pub priority: Priority,
    pub team_id: Option<TeamId>,
    pub type_id: Option<TicketTypeId>,
    pub assignee_id: Option<AgentId>,
    pub created_at: i64,
    pub first_response_at: Option<i64>,
    /// For notifications: #number and subject; the policy applied last.
    pub number: i64,
    pub subject: String,
    pub policy_id: Option<PolicyId>,
}

pub fn facts(c: &Connection, id: TicketId) -> rusqlite::Result<Option<Facts>> {
    c.prepare_cached(
        "SELECT status, priority, team_id, type_id, assignee_id, created_at, first_response_at, number,
             subject, sla_policy_id
         FROM tickets WHERE id = ?1",
    )?
    .query_row([id], |r| {
        Ok(Facts {
            id,
            status: r.get(0)?,
            priority: r.get(1)?,
            team_id: r.get(2)?,
            type_id: r.get(3)?,
            assignee_id: r.get(4)?,
            created_at: r.get(5)?,
            first_response_at: r.get(6)?,
            number: r.get(7)?,
            subject: r.get(8)?,
            policy_id: r.get(9)?,
        })
    })
    .optional()
}

/// The ticket's status changes from its timeline.
pub fn history(c: &Connection, t: &Facts) -> rusqlite::Result<History> {
    let changes = c
        .prepare_cached(
            "SELECT created_at, data ->> '$.to' FROM ticket_events
             WHERE ticket_id = ?1 AND kind = 'status' ORDER BY id",
        )?
        .query_map([t.id], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Status>(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(History {
        created_at: t.created_at,
        changes,
        first_response_at: t.first_response_at,
    })
}

#[derive(Clone, Copy, Debug)]
pub struct ClockRow {
    pub target: Target,
    pub reading: Reading,
    pub warned_at: Option<i64>,
    pub breached_at: Option<i64>,
}

impl ClockRow {
    pub fn is_done(&self) -> bool {
        matches!(self.reading.state, State::Met | State::Stopped)
    }
}

fn state(s: &str) -> State {
    match s {
        "running" => State::Running,
        "paused" => State::Paused,
        "met" => State::Met,
        _ => State::Stopped,
    }
}

pub fn clock(c: &Connection, ticket: TicketId, metric: Metric) -> rusqlite::Result<Option<ClockRow>> {
    c.prepare_cached(
        "SELECT target_ms, business_hours, warn_percent, state, used_ms, warn_at, due_at, warned_at,
                breached_at, done_at
         FROM sla_clocks WHERE ticket_id = ?1 AND metric = ?2",
    )?
    .query_row(rusqlite::params![ticket, metric.as_str()], |r| {
        Ok(ClockRow {
            target: Target {
                ms: r.get(0)?,
                business_hours: r.get(1)?,
                warn_percent: r.get(2)?,
            },
            reading: Reading {
                state: state(&r.get::<_, String>(3)?),
                used_ms: r.get(4)?,
                warn_at: r.get(5)?,
                due_at: r.get(6)?,
                done_at: r.get(9)?,
            },
            warned_at: r.get(7)?,
            breached_at: r.get(8)?,
        })
    })
    .optional()
}

pub fn save_clock(c: &Connection, ticket: TicketId, metric: Metric, row: &ClockRow) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT INTO sla_clocks (ticket_id, metric, target_ms, business_hours, warn_percent, state, used_ms,
             warn_at, due_at, warned_at, breached_at, done_at)
         VALUES (:ticket, :metric, :target, :bh, :warn_percent, :state, :used, :warn_at, :due_at, :warned_at,
             :breached_at, :done_at)
         ON CONFLICT (ticket_id, metric) DO UPDATE SET target_ms = excluded.target_ms,
             business_hours = excluded.business_hours, warn_percent = excluded.warn_percent,
             state = excluded.state, used_ms = excluded.used_ms, warn_at = excluded.warn_at,
             due_at = excluded.due_at, warned_at = excluded.warned_at, breached_at = excluded.breached_at,
             done_at = excluded.done_at",
    )?
    .execute(named_params! {
        ":ticket": ticket, ":metric": metric.as_str(), ":target": row.target.ms,
        ":bh": row.target.business_hours, ":warn_percent": row.target.warn_percent,
        ":state": row.reading.state.as_str(), ":used": row.reading.used_ms, ":warn_at": row.reading.warn_at,
        ":due_at": row.reading.due_at, ":warned_at": row.warned_at, ":breached_at": row.breached_at,
        ":done_at": row.reading.done_at,
    })?;
    Ok(())
}

pub fn delete_clock(c: &Connection, ticket: TicketId, metric: Metric) -> rusqlite::Result<()> {
    c.prepare_cached("DELETE FROM sla_clocks WHERE ticket_id = ?1 AND metric = ?2")?
        .execute(rusqlite::params![ticket, metric.as_str()])?;
    Ok(())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Started,
    Paused,
    Resumed,
    Warning,
    Breached,
    Met,
    Stopped,
    Changed,
}

impl EventKind {
    fn as_str(self) -> &'static str {
        match self {
            EventKind::Started => "started",
            EventKind::Paused => "paused",
            EventKind::Resumed => "resumed",
            EventKind::Warning => "warning",
            EventKind::Breached => "breached",
            EventKind::Met => "met",
            EventKind::Stopped => "stopped",
            EventKind::Changed => "changed",
        }
    }
}

/// Records a step with who was responsible then (team, assignee), for reports.
pub fn insert_event(
    c: &Connection,
    t: &Facts,
    policy: Option<PolicyId>,
    metric: Metric,
    kind: EventKind,
    at: i64,
) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT INTO sla_events (ticket_id, policy_id, metric, kind, team_id, assignee_id, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(rusqlite::params![
        t.id,
        policy,
        metric.as_str(),
        kind.as_str(),
        t.team_id,
        t.assignee_id,
        at
    ])?;
    Ok(())
}

/// The ticket's SLA in brief, from its clocks: policy, soonest running deadline
/// and warning, whether a target was ever missed; and the list's due order.
pub fn summarize(c: &Connection, ticket: TicketId, policy: Option<PolicyId>) -> rusqlite::Result<()> {
    c.prepare_cached(
        "UPDATE tickets SET sla_policy_id = ?2,
             sla_due_at = (SELECT min(due_at) FROM sla_clocks WHERE ticket_id = ?1 AND state = 'running'),
             sla_warn_at = (SELECT min(warn_at) FROM sla_clocks WHERE ticket_id = ?1 AND state = 'running'),
             sla_breached = EXISTS (SELECT 1 FROM sla_clocks WHERE ticket_id = ?1 AND breached_at IS NOT NULL)
         WHERE id = ?1",
    )?
    .execute(rusqlite::params![ticket, policy])?;
    // A second statement: an UPDATE's expressions see the row as it was.
    c.prepare_cached(
        "UPDATE tickets SET next_due_at = coalesce(min(due_at, sla_due_at), due_at, sla_due_at) WHERE id = ?1",
    )?
    .execute([ticket])?;
    Ok(())
}

pub fn unsolved_tickets(c: &Connection) -> rusqlite::Result<Vec<TicketId>> {
    c.prepare_cached("SELECT id FROM tickets WHERE status NOT IN ('solved', 'closed')")?
        .query_map([], |r| r.get(0))?
        .collect()
}

/// Marks a clock warned or breached; the watcher's only writes.
pub fn mark(
    c: &Connection,
    ticket: TicketId,
    metric: Metric,
    breached: bool,
    at: i64,
) -> rusqlite::Result<()> {
    let sql = if breached {
        "UPDATE sla_clocks SET breached_at = ?3, warned_at = coalesce(warned_at, ?3)
         WHERE ticket_id = ?1 AND metric = ?2"
    } else {
        "UPDATE sla_clocks SET warned_at = ?3 WHERE ticket_id = ?1 AND metric = ?2"
    };
    c.prepare_cached(sql)?
        .execute(rusqlite::params![ticket, metric.as_str(), at])?;
    Ok(())
}
