//! The watcher: sleeps until the next SLA warning or deadline (or until a write
//! moves one), then records what fell due and tells the assignee and the team's
//! lead. It also tells the consoles when a write notified an agent or changed
//! tickets (writes rouse it through `Mailroom::wake`).

use std::time::Duration;

use actix_web::web;
use rusqlite::{Connection, OptionalExtension};

use super::Metric;
use super::store::{self, EventKind};
use crate::accounts::AgentId;
use crate::error::AppResult;
use crate::http::AppState;
use crate::notifications::{self, About, Kind};
use crate::notify::Mailroom;
use crate::realtime::{Event, Topic};
use crate::tickets::TicketId;
use crate::util::now_ms;

/// Looks again at least this often, whatever the deadlines say (a safety net for
/// a clock that jumped, and cheap: one indexed query).
const MAX_SLEEP: Duration = Duration::from_secs(60);
/// Each transaction handles at most this many, so a backlog after downtime does
/// not hold the writer long.
const BATCH: i64 = 200;

pub async fn run(state: web::Data<AppState>) {
    loop {
        let now = now_ms();
        let next = match tick(&state, now).await {
            Ok(next) => next,
            Err(e) => {
                tracing::warn!(error = ?e, "SLA watcher failed");
                Some(now + MAX_SLEEP.as_millis() as i64)
            }
        };
        if state.mailroom.take_agent_alerts() {
            state.hub.publish(Topic::Agents, Event::Notifications);
        }
        if state.mailroom.take_tickets_changed() {
            state.hub.publish(Topic::Agents, Event::TicketsChanged);
        }
        let sleep = next
            .map(|at| Duration::from_millis((at - now_ms()).clamp(0, MAX_SLEEP.as_millis() as i64) as u64))
            .unwrap_or(MAX_SLEEP);
        if sleep.is_zero() {
            continue;
        }
        tokio::select! {
            _ = tokio::time::sleep(sleep) => {}
            _ = state.mailroom.changed() => {}
        }
    }
}

/// Fires what is due; returns the next deadline.
async fn tick(state: &AppState, now: i64) -> AppResult<Option<i64>> {
    let next = state.db.read(|c| Ok(next_deadline(c)?)).await?;
    if next.is_none_or(|at| at > now) {
        return Ok(next);
    }
    let room = state.mailroom.clone();
    let fired = state.db.write(move |c| fire_due(c, &room, now)).await?;
    if fired > 0 {
        state.mailroom.wake();
    }
    Ok(Some(now))
}

/// The soonest warning or deadline not yet recorded.
pub fn next_deadline(c: &Connection) -> rusqlite::Result<Option<i64>> {
    c.prepare_cached(
        "SELECT min(at) FROM (
             SELECT min(warn_at) AS at FROM sla_clocks WHERE warned_at IS NULL AND state = 'running'
             UNION ALL
             SELECT min(due_at) FROM sla_clocks WHERE breached_at IS NULL AND state = 'running')",
    )?
    .query_row([], |r| r.get(0))
}

/// Records the warnings and breaches due by `now` and notifies; returns how many.
/// A clock past its deadline gets only the breach, not a warning too.
pub fn fire_due(c: &Connection, mailroom: &Mailroom, now: i64) -> AppResult<usize> {
    let due: Vec<(TicketId, String, i64, bool)> = c
        .prepare_cached(
            "SELECT ticket_id, metric, due_at, 1 FROM sla_clocks
             WHERE breached_at IS NULL AND due_at <= ?1 AND state = 'running'
             UNION ALL
             SELECT ticket_id, metric, due_at, 0 FROM sla_clocks
             WHERE warned_at IS NULL AND warn_at <= ?1 AND due_at > ?1 AND state = 'running'
             LIMIT ?2",
        )?
        .query_map(rusqlite::params![now, BATCH], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    for (ticket, metric, due_at, breached) in &due {
        let Some(metric) = Metric::parse(metric) else {
            continue;
        };
        let Some(facts) = store::facts(c, *ticket)? else {
            continue;
        };
        let policy = facts.policy_id;
        // A breach happened at the deadline, whenever the watcher got to it.
        let (kind, at, notice) = if *breached {
            (EventKind::Breached, *due_at, Kind::SlaBreach)
        } else {
            (EventKind::Warning, now, Kind::SlaWarning)
        };
        store::mark(c, *ticket, metric, *breached, at)?;
        store::insert_event(c, &facts, policy, metric, kind, at)?;
        store::summarize(c, *ticket, policy)?;
        let about = About {
            ticket: *ticket,
            number: facts.number,
            subject: &facts.subject,
        };
        for agent in responsible(c, facts.assignee_id, facts.team_id)? {
            notifications::notify(c, mailroom, agent, notice, &about, "", Some((metric, *due_at)))?;
        }
    }
    Ok(due.len())
}

/// The assignee and the team's lead, once each.
fn responsible(
    c: &Connection,
    assignee: Option<AgentId>,
    team: Option<crate::accounts::TeamId>,
) -> rusqlite::Result<Vec<AgentId>> {
    let lead: Option<AgentId> = match team {
        Some(t) => c
            .query_row("SELECT lead_agent_id FROM teams WHERE id = ?1", [t], |r| r.get(0))
            .optional()?
            .flatten(),
        None => None,
    };
    let mut out: Vec<AgentId> = assignee.into_iter().collect();
    if let Some(l) = lead.filter(|l| Some(*l) != assignee) {
        out.push(l);
    }
    Ok(out)
}
