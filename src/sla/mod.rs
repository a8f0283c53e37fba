//! Service-level targets for tickets: how soon the customer hears back (first
//! response) and how soon the matter is solved (resolution), counted in business
//! hours, paused while the ticket waits on someone else.
//!
//! A clock is a pure function of the ticket's status history, its policy and the
//! business hours (`clock`). `refresh` recomputes a ticket's clocks after every
//! change and stores the result (`sla_clocks`, and a summary on the ticket for the
//! list); the `watch` job turns deadlines that pass into warnings and breaches.

pub mod clock;
pub mod hours;
pub mod policies;
mod store;
pub mod watch;

use rusqlite::Connection;
use serde::Serialize;
use utoipa::ToSchema;

pub use policies::{Policy, PolicyId, PolicyInput};

use crate::error::AppResult;
use crate::tickets::{Status, TicketId};
use clock::{Reading, State};
use store::{ClockRow, EventKind};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Metric {
    FirstResponse,
    Resolution,
}

impl Metric {
    pub const ALL: [Metric; 2] = [Metric::FirstResponse, Metric::Resolution];

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::FirstResponse => "first_response",
            Metric::Resolution => "resolution",
        }
    }

    pub fn parse(s: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// One target of a ticket, as the detail view shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ClockView {
    pub metric: Metric,
    pub target_mins: i64,
    pub business_hours: bool,
    /// running, paused, met or stopped.
    pub state: String,
    /// Time counted as of the last change.
    pub used_ms: i64,
    pub warn_at: Option<i64>,
    pub due_at: Option<i64>,
    pub warned_at: Option<i64>,
    pub breached_at: Option<i64>,
    pub done_at: Option<i64>,
}

/// What every ticket's clocks are read against: the policies and the hours.
struct Rules {
    policies: Vec<Policy>,
    hours: crate::business_hours::Schedule,
}

impl Rules {
    fn load(c: &Connection) -> rusqlite::Result<Rules> {
        Ok(Rules {
            policies: policies::all(c)?,
            hours: hours::schedule(c)?,
        })
    }
}

/// Recomputes a ticket's clocks at `now`: finds its policy, reads each target's
/// clock, records what changed (started, paused, resumed, met…) and stores the
/// summary the list sorts and filters by. Closed tickets keep their clocks as they were.
pub fn refresh(c: &Connection, ticket: TicketId, now: i64) -> AppResult<()> {
    refresh_with(c, &Rules::load(c)?, ticket, now)
}

fn refresh_with(c: &Connection, rules: &Rules, ticket: TicketId, now: i64) -> AppResult<()> {
    let Some(t) = store::facts(c, ticket)? else {
        return Ok(());
    };
    if t.status == Status::Closed {
        return Ok(());
    }
    let policy = policies::first_match(&rules.policies, t.priority, t.team_id, t.type_id);
    let policy_id = policy.map(|p| p.id);
    let hours = &rules.hours;
    let history = store::history(c, &t)?;
    let event = |metric: Metric, kind: EventKind| store::insert_event(c, &t, policy_id, metric, kind, now);
    for metric in Metric::ALL {
        let old = store::clock(c, ticket, metric)?;
        let Some(target) = policy.and_then(|p| p.target(metric)) else {
            // No target of this kind any more: an unfinished clock goes, a finished one
            // stays on record.
            if old.is_some_and(|o| !o.is_done()) {
                store::delete_clock(c, ticket, metric)?;
                event(metric, EventKind::Stopped)?;
            }
            continue;
        };
        let mut r: Reading = clock::read(&history, metric, target, hours, now);
        if matches!(r.state, State::Met | State::Stopped) {
            // A finished clock keeps the deadline it last had, to say "was due 14:00".
            r.due_at = old.as_ref().and_then(|o| o.reading.due_at);
        }
        // A target reached late is a breach even if the watcher never saw it due.
        let late = r.state == State::Met && r.used_ms > target.ms;
        let mut row = ClockRow {
            target,
            reading: r,
            warned_at: old.as_ref().and_then(|o| o.warned_at),
            breached_at: old.as_ref().and_then(|o| o.breached_at),
        };
        if late && row.breached_at.is_none() {
            row.breached_at = r.due_at.or(r.done_at);
            event(metric, EventKind::Breached)?;
        }
        match &old {
            None => event(metric, EventKind::Started)?,
            Some(o) if o.target != target => event(metric, EventKind::Changed)?,
            Some(_) => {}
        }
        if let Some(kind) = transition(old.as_ref().map(|o| o.reading.state), r.state) {
            event(metric, kind)?;
        }
        store::save_clock(c, ticket, metric, &row)?;
    }
    store::summarize(c, ticket, policy_id)?;
    Ok(())
}

fn transition(from: Option<State>, to: State) -> Option<EventKind> {
    match (from?, to) {
        (a, b) if a == b => None,
        (_, State::Paused) => Some(EventKind::Paused),
        (_, State::Running) => Some(EventKind::Resumed),
        (_, State::Met) => Some(EventKind::Met),
        (_, State::Stopped) => Some(EventKind::Stopped),
    }
}

/// Recomputes every ticket not yet solved: after the policies, the business hours
/// or the shop's time zone changed.
pub fn refresh_open(c: &Connection, now: i64) -> AppResult<usize> {
    let rules = Rules::load(c)?;
    let ids = store::unsolved_tickets(c)?;
    for id in &ids {
        refresh_with(c, &rules, *id, now)?;
    }
    Ok(ids.len())
}

/// A ticket's clocks for its detail view.
pub fn clocks(c: &Connection, ticket: TicketId) -> rusqlite::Result<Vec<ClockView>> {
    let mut out = Vec::new();
    for metric in Metric::ALL {
        if let Some(row) = store::clock(c, ticket, metric)? {
            out.push(ClockView {
                metric,
                target_mins: row.target.ms / 60_000,
                business_hours: row.target.business_hours,
                state: row.reading.state.as_str().to_string(),
                used_ms: row.reading.used_ms,
                warn_at: row.reading.warn_at,
                due_at: row.reading.due_at,
                warned_at: row.warned_at,
                breached_at: row.breached_at,
                done_at: row.reading.done_at,
            });
        }
    }
    Ok(out)
}
