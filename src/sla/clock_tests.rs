//! Table-driven: each case is a ticket's history read at an instant, with the
//! expected state, counted time and deadline, in local time of the case's zone.

use super::*;
use crate::business_hours::ScheduleSpec;

const MIN: i64 = 60_000;
const HOUR: i64 = 60 * MIN;

fn at(local: &str, zone: &str) -> i64 {
    let dt: jiff::civil::DateTime = local.parse().unwrap();
    dt.to_zoned(jiff::tz::TimeZone::get(zone).unwrap())
        .unwrap()
        .timestamp()
        .as_millisecond()
}

fn schedule(zone: &str, days: &[&str], periods: &[[&str; 2]], holidays: &[&str]) -> Schedule {
    let week = days
        .iter()
        .map(|d| {
            (
                d.to_string(),
                periods
                    .iter()
                    .map(|[a, b]| [a.to_string(), b.to_string()])
                    .collect(),
            )
        })
        .collect();
    Schedule::from_spec(&ScheduleSpec {
        timezone: zone.into(),
        week,
        holidays: holidays.iter().map(|h| h.to_string()).collect(),
    })
    .unwrap()
}

/// A Chinese shop: weekdays with a lunch break; Wednesday 25 November is a holiday.
fn shanghai() -> Schedule {
    schedule(
        "Asia/Shanghai",
        &["mon", "tue", "wed", "thu", "fri"],
        &[["09:00", "12:00"], ["13:00", "18:00"]],
        &["2026-11-25"],
    )
}

struct Case {
    name: &'static str,
    zone: &'static str,
    hours: fn() -> Schedule,
    metric: Metric,
    target: Target,
    created: &'static str,
    changes: &'static [(&'static str, Status)],
    reply: Option<&'static str>,
    now: &'static str,
    state: State,
    used_ms: i64,
    due: Option<&'static str>,
    warn: Option<&'static str>,
    done: Option<&'static str>,
}

const BH_2H: Target = Target {
    ms: 2 * HOUR,
    business_hours: true,
    warn_percent: 80,
};
const SH: &str = "Asia/Shanghai";

fn base() -> Case {
    Case {
        name: "",
        zone: SH,
        hours: shanghai,
        metric: Metric::Resolution,
        target: BH_2H,
        created: "2026-11-23T09:00",
        changes: &[],
        reply: None,
        now: "2026-11-23T10:00",
        state: State::Running,
        used_ms: HOUR,
        due: None,
        warn: None,
        done: None,
    }
}

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "running inside hours",
            due: Some("2026-11-23T11:00"),
            warn: Some("2026-11-23T10:36"),
            ..base()
        },
        Case {
            name: "the lunch break does not count",
            created: "2026-11-23T11:00",
            now: "2026-11-23T13:30",
            used_ms: 90 * MIN,
            due: Some("2026-11-23T14:00"),
            warn: Some("2026-11-23T13:36"),
            ..base()
        },
        Case {
            name: "the weekend does not count",
            created: "2026-11-27T17:00",
            now: "2026-11-29T12:00",
            due: Some("2026-11-30T10:00"),
            warn: Some("2026-11-30T09:36"),
            ..base()
        },
        Case {
            name: "a holiday does not count",
            created: "2026-11-24T17:00",
            now: "2026-11-25T12:00",
            due: Some("2026-11-26T10:00"),
            warn: Some("2026-11-26T09:36"),
            ..base()
        },
        Case {
            name: "created after hours starts counting next morning",
            created: "2026-11-23T20:00",
            now: "2026-11-23T23:00",
            used_ms: 0,
            target: Target { ms: HOUR, ..BH_2H },
            due: Some("2026-11-24T10:00"),
            warn: Some("2026-11-24T09:48"),
            ..base()
        },
        Case {
            name: "around the clock ignores hours",
            created: "2026-11-27T17:00",
            now: "2026-11-27T18:30",
            used_ms: 90 * MIN,
            target: Target {
                business_hours: false,
                ..BH_2H
            },
            due: Some("2026-11-27T19:00"),
            warn: Some("2026-11-27T18:36"),
            ..base()
        },
        Case {
            name: "pending pauses",
            changes: &[("2026-11-23T10:00", Status::Pending)],
            now: "2026-11-23T15:00",
            state: State::Paused,
            ..base()
        },
        Case {
            name: "on hold pauses, open resumes with the time already used",
            changes: &[
                ("2026-11-23T10:00", Status::OnHold),
                ("2026-11-23T14:00", Status::Open),
            ],
            now: "2026-11-23T14:30",
            used_ms: 90 * MIN,
            due: Some("2026-11-23T15:00"),
            warn: Some("2026-11-23T14:36"),
            ..base()
        },
        Case {
            name: "solved stops resolution",
            changes: &[
                ("2026-11-23T09:45", Status::Open),
                ("2026-11-23T10:15", Status::Solved),
            ],
            now: "2026-11-24T10:00",
            state: State::Met,
            used_ms: 75 * MIN,
            done: Some("2026-11-23T10:15"),
            ..base()
        },
        Case {
            name: "a reopened ticket goes on from where it stopped",
            changes: &[
                ("2026-11-23T10:00", Status::Solved),
                ("2026-11-23T16:00", Status::Open),
            ],
            now: "2026-11-23T16:30",
            used_ms: 90 * MIN,
            due: Some("2026-11-23T17:00"),
            warn: Some("2026-11-23T16:36"),
            ..base()
        },
        Case {
            name: "closing a solved ticket keeps the solve time",
            changes: &[
                ("2026-11-23T10:00", Status::Solved),
                ("2026-11-30T10:00", Status::Closed),
            ],
            now: "2026-12-01T10:00",
            state: State::Met,
            done: Some("2026-11-23T10:00"),
            ..base()
        },
        Case {
            name: "first response is met by the first public reply",
            metric: Metric::FirstResponse,
            reply: Some("2026-11-23T09:30"),
            now: "2026-11-23T12:00",
            state: State::Met,
            used_ms: 30 * MIN,
            done: Some("2026-11-23T09:30"),
            ..base()
        },
        Case {
            name: "a reply while pending meets first response; the pause did not count",
            metric: Metric::FirstResponse,
            changes: &[("2026-11-23T09:10", Status::Pending)],
            reply: Some("2026-11-23T09:20"),
            now: "2026-11-23T12:00",
            state: State::Met,
            used_ms: 10 * MIN,
            done: Some("2026-11-23T09:20"),
            ..base()
        },
        Case {
            name: "first response still running after a status change",
            metric: Metric::FirstResponse,
            changes: &[("2026-11-23T09:30", Status::Open)],
            due: Some("2026-11-23T11:00"),
            warn: Some("2026-11-23T10:36"),
            ..base()
        },
        Case {
            name: "solved without any reply: first response no longer applies",
            metric: Metric::FirstResponse,
            changes: &[("2026-11-23T09:40", Status::Solved)],
            now: "2026-11-23T12:00",
            state: State::Stopped,
            used_ms: 40 * MIN,
            done: Some("2026-11-23T09:40"),
            ..base()
        },
        Case {
            name: "used up before a pause: due in the past on resuming",
            target: Target { ms: HOUR, ..BH_2H },
            changes: &[
                ("2026-11-23T11:00", Status::Pending),
                ("2026-11-23T14:00", Status::Open),
            ],
            now: "2026-11-23T14:30",
            used_ms: 150 * MIN,
            due: Some("2026-11-23T13:00"),
            warn: Some("2026-11-23T12:48"),
            ..base()
        },
        Case {
            name: "daylight saving ends inside a day-long target (Berlin, 25-hour Sunday)",
            zone: "Europe/Berlin",
            hours: || {
                schedule(
                    "Europe/Berlin",
                    &["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                    &[["00:00", "24:00"]],
                    &[],
                )
            },
            target: Target {
                ms: 24 * HOUR,
                ..BH_2H
            },
            created: "2026-10-24T12:00",
            now: "2026-10-25T10:00",
            used_ms: 23 * HOUR,
            due: Some("2026-10-25T11:00"),
            warn: Some("2026-10-25T06:12"),
            ..base()
        },
        Case {
            name: "business hours stay local after New York leaves daylight saving",
            zone: "America/New_York",
            hours: || {
                schedule(
                    "America/New_York",
                    &["mon", "tue", "wed", "thu", "fri"],
                    &[["09:00", "17:00"]],
                    &[],
                )
            },
            target: Target {
                ms: 8 * HOUR,
                ..BH_2H
            },
            created: "2026-10-30T13:00",
            now: "2026-11-02T09:00",
            used_ms: 4 * HOUR,
            due: Some("2026-11-02T13:00"),
            warn: Some("2026-11-02T11:24"),
            ..base()
        },
    ]
}

#[test]
fn clocks_read_as_expected() {
    let mut failures = Vec::new();
    for case in cases() {
        let z = case.zone;
        let history = History {
            created_at: at(case.created, z),
            changes: case.changes.iter().map(|(t, s)| (at(t, z), *s)).collect(),
            first_response_at: case.reply.map(|r| at(r, z)),
        };
        let got = read(
            &history,
            case.metric,
            case.target,
            &(case.hours)(),
            at(case.now, z),
        );
        let want = Reading {
            state: case.state,
            used_ms: case.used_ms,
            warn_at: case.warn.map(|w| at(w, z)),
            due_at: case.due.map(|d| at(d, z)),
            done_at: case.done.map(|d| at(d, z)),
        };
        if got != want {
            failures.push(format!("{}:\n  got  {got:?}\n  want {want:?}", case.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_change_after_now_is_not_seen_yet() {
    let z = SH;
    let history = History {
        created_at: at("2026-11-23T09:00", z),
        changes: vec![(at("2026-11-23T11:00", z), Status::Pending)],
        first_response_at: Some(at("2026-11-23T11:30", z)),
    };
    let r = read(
        &history,
        Metric::FirstResponse,
        BH_2H,
        &shanghai(),
        at("2026-11-23T10:00", z),
    );
    assert_eq!((r.state, r.used_ms), (State::Running, HOUR));
}
