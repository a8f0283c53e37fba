//! The arithmetic of one SLA clock, free of the database: from a ticket's status
//! history, a target and the business hours, how much time counted, whether the
//! clock runs, and when its warning and deadline fall.
//!
//! A clock counts while the ticket is being worked on (new, open), pauses while it
//! waits on the customer or a third party (pending, on hold) and stops when its
//! target is reached: the first public reply for first response, solving for
//! resolution. A reopened ticket's resolution clock goes on from where it stopped.

use crate::business_hours::Schedule;
use crate::tickets::Status;

use super::Metric;

/// What the clock needs to know about a ticket.
#[derive(Clone, Debug)]
pub struct History {
    pub created_at: i64,
    /// Every status change, oldest first: when, and the new status.
    pub changes: Vec<(i64, Status)>,
    pub first_response_at: Option<i64>,
}

/// A target as the policy sets it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    pub ms: i64,
    pub business_hours: bool,
    pub warn_percent: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    Running,
    Paused,
    /// The target was reached (in time or late).
    Met,
    /// The target no longer applies: solved without a first reply.
    Stopped,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Running => "running",
            State::Paused => "paused",
            State::Met => "met",
            State::Stopped => "stopped",
        }
    }
}

/// A clock at an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reading {
    pub state: State,
    /// Time counted so far, in the target's way of counting.
    pub used_ms: i64,
    /// While running: when the warning share and the whole target are used up.
    pub warn_at: Option<i64>,
    pub due_at: Option<i64>,
    /// When it was met or stopped.
    pub done_at: Option<i64>,
}

fn counts(status: Status) -> bool {
    matches!(status, Status::New | Status::Open)
}

/// How a clock's history splits up by `now`.
struct Spans {
    /// Finished spans during which the clock counted.
    closed: Vec<(i64, i64)>,
    /// The start of the span still counting.
    since: Option<i64>,
    /// How and when the clock ended, if it did.
    end: Option<(State, i64)>,
}

fn spans(history: &History, metric: Metric, now: i64) -> Spans {
    let mut closed = Vec::new();
    let mut since = Some(history.created_at);
    let mut end = None;
    let stop_at = match metric {
        Metric::FirstResponse => history.first_response_at,
        Metric::Resolution => None,
    };
    for &(at, status) in history.changes.iter().filter(|(at, _)| *at <= now) {
        if let Some(reply) = stop_at
            && reply <= at
        {
            break;
        }
        match (since, counts(status)) {
            (Some(s), false) => {
                closed.push((s, at));
                since = None;
            }
            (None, true) => since = Some(at),
            _ => {}
        }
        end = match (metric, status) {
            (Metric::Resolution, Status::Solved | Status::Closed) if end.is_none() => Some((State::Met, at)),
            (Metric::FirstResponse, Status::Solved | Status::Closed) => Some((State::Stopped, at)),
            (_, s) if counts(s) => None,
            _ => end,
        };
        if matches!(end, Some((State::Stopped, _))) {
            return Spans {
                closed,
                since: None,
                end,
            };
        }
    }
    if let Some(reply) = stop_at.filter(|r| *r <= now) {
        if let Some(s) = since.take() {
            closed.push((s, reply.max(s)));
        }
        end = Some((State::Met, reply));
    }
    Spans { closed, since, end }
}

/// Reads the clock at `now`.
pub fn read(history: &History, metric: Metric, target: Target, hours: &Schedule, now: i64) -> Reading {
    let always = Schedule::always();
    let schedule = if target.business_hours { hours } else { &always };
    let Spans { closed, since, end } = spans(history, metric, now);
    let banked: i64 = closed.iter().map(|&(a, b)| schedule.between(a, b)).sum();
    match (end, since) {
        (Some((state, at)), _) => Reading {
            state,
            used_ms: banked,
            warn_at: None,
            due_at: None,
            done_at: Some(at),
        },
        (None, Some(since)) => {
            let warn_ms = target.ms * target.warn_percent / 100;
            Reading {
                state: State::Running,
                used_ms: banked + schedule.between(since, now),
                warn_at: Some(deadline(schedule, since, warn_ms - banked)),
                due_at: Some(deadline(schedule, since, target.ms - banked)),
                done_at: None,
            }
        }
        (None, None) => Reading {
            state: State::Paused,
            used_ms: banked,
            warn_at: None,
            due_at: None,
            done_at: None,
        },
    }
}

/// When `left` more counted time has run from `since`; a negative `left` (the
/// target was already used up before a pause) puts it that far in the past.
fn deadline(schedule: &Schedule, since: i64, left: i64) -> i64 {
    if left >= 0 {
        schedule.add(since, left)
    } else {
        since + left
    }
}

#[cfg(test)]
#[path = "clock_tests.rs"]
mod tests;
