use std::time::Instant;

use jiff::Span;
use jiff::civil::{Weekday, date};

use super::*;

const MS: i64 = 1;
const MIN: i64 = 60_000;
const HOUR: i64 = 60 * MIN;
const DAY: i64 = 24 * HOUR;

/// An RFC 3339 instant with an explicit offset, so every case states the exact moment.
fn t(text: &str) -> i64 {
    text.parse::<Timestamp>()
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .as_millisecond()
}

type Day<'a> = (&'a str, &'a [(&'a str, &'a str)]);

fn spec(zone: &str, week: &[Day], holidays: &[&str]) -> ScheduleSpec {
    let week = week.iter().map(|(day, periods)| {
        let periods = periods.iter().map(|(s, e)| [s.to_string(), e.to_string()]);
        (day.to_string(), periods.collect())
    });
    ScheduleSpec {
        timezone: zone.to_owned(),
        week: week.collect(),
        holidays: holidays.iter().map(|h| h.to_string()).collect(),
    }
}

fn schedule(zone: &str, week: &[Day], holidays: &[&str]) -> Schedule {
    Schedule::from_spec(&spec(zone, week, holidays)).unwrap()
}

/// `count` consecutive dates, `step` apart, as "YYYY-MM-DD" strings.
fn dates(first: Date, step: Span, count: i64) -> Vec<String> {
    (0..count).map(|i| (first + step * i).to_string()).collect()
}

/// Lunch break on weekdays, short Saturday, closed Sunday, National Day 2026 off.
fn shanghai() -> Schedule {
    const WEEKDAY: &[(&str, &str)] = &[("09:00", "12:00"), ("13:30", "18:00")];
    let national_day = dates(date(2026, 10, 1), Span::new().days(1), 7);
    let national_day: Vec<&str> = national_day.iter().map(String::as_str).collect();
    let week = [
        ("mon", WEEKDAY),
        ("tue", WEEKDAY),
        ("wed", WEEKDAY),
        ("thu", WEEKDAY),
        ("fri", WEEKDAY),
        ("sat", &[("10:00", "16:00")]),
        ("sun", &[]),
    ];
    schedule("Asia/Shanghai", &week, &national_day)
}

/// Every day an early period that DST days cut or stretch, and a day shift.
fn new_york() -> Schedule {
    let week: Vec<Day> = DAYS
        .iter()
        .map(|d| (*d, &[("01:00", "04:00"), ("09:00", "17:00")][..]))
        .collect();
    schedule("America/New_York", &week, &[])
}

fn around_the_clock(zone: &str) -> Schedule {
    let week: Vec<Day> = DAYS.iter().map(|d| (*d, &[("00:00", "24:00")][..])).collect();
    schedule(zone, &week, &[])
}

/// One call and its expected answer; instants are RFC 3339 strings.
enum Op {
    /// start, business ms, due
    Add(&'static str, i64, &'static str),
    /// from, to, business ms
    Between(&'static str, &'static str, i64),
    IsOpen(&'static str, bool),
    /// at, next opening
    NextOpen(&'static str, &'static str),
}

fn check(schedule: &Schedule, cases: &[(&str, Op)]) {
    for (name, op) in cases {
        match *op {
            Op::Add(start, ms, due) => {
                assert_eq!(
                    schedule.add(t(start), ms),
                    t(due),
                    "{name}: add({start}, {ms}) should be {due}"
                )
            }
            Op::Between(from, to, ms) => {
                assert_eq!(
                    schedule.between(t(from), t(to)),
                    ms,
                    "{name}: between({from}, {to})"
                )
            }
            Op::IsOpen(at, open) => assert_eq!(schedule.is_open(t(at)), open, "{name}: is_open({at})"),
            Op::NextOpen(at, next) => {
                assert_eq!(
                    schedule.next_open(t(at)),
                    t(next),
                    "{name}: next_open({at}) should be {next}"
                )
            }
        }
    }
}

#[test]
fn calendar_facts_the_cases_rely_on() {
    assert_eq!(date(2026, 3, 2).weekday(), Weekday::Monday);
    assert_eq!(date(2026, 10, 1).weekday(), Weekday::Thursday);
    let transitions = |zone: &str| -> Vec<String> {
        let tz = TimeZone::get(zone).unwrap();
        tz.following(timestamp(t("2026-01-01T00:00Z")))
            .take(2)
            .map(|tr| tz.to_datetime(tr.timestamp()).to_string())
            .collect()
    };
    // The wall-clock time right after each 2026 transition.
    assert_eq!(
        transitions("America/New_York"),
        ["2026-03-08T03:00:00", "2026-11-01T01:00:00"]
    );
    assert_eq!(
        transitions("Europe/Berlin"),
        ["2026-03-29T03:00:00", "2026-10-25T02:00:00"]
    );
    assert!(transitions("Asia/Shanghai").is_empty());
}

#[test]
fn shanghai_add() {
    use Op::Add;
    #[rustfmt::skip]
    let cases = [
        ("friday 17:30 runs into saturday", Add("2026-03-06T17:30+08:00", 2 * HOUR, "2026-03-07T11:30+08:00")),
        ("lunch counts from 13:30",         Add("2026-03-02T12:15+08:00", HOUR, "2026-03-02T14:30+08:00")),
        ("morning spans lunch",             Add("2026-03-02T09:00+08:00", 4 * HOUR, "2026-03-02T14:30+08:00")),
        ("due exactly at closing",          Add("2026-03-02T16:00+08:00", 2 * HOUR, "2026-03-02T18:00+08:00")),
        ("before opening",                  Add("2026-03-02T07:00+08:00", 30 * MIN, "2026-03-02T09:30+08:00")),
        ("zero while open is start",        Add("2026-03-02T10:00+08:00", 0, "2026-03-02T10:00+08:00")),
        ("zero at closing is next opening", Add("2026-03-02T12:00+08:00", 0, "2026-03-02T13:30+08:00")),
        ("saturday afternoon skips sunday", Add("2026-03-07T15:00+08:00", 2 * HOUR, "2026-03-09T10:00+08:00")),
        ("started on sunday",               Add("2026-03-08T12:00+08:00", HOUR, "2026-03-09T10:00+08:00")),
        ("national day skipped",            Add("2026-09-30T17:00+08:00", 2 * HOUR, "2026-10-08T10:00+08:00")),
        // 5 × 7.5 h + 6 h (Saturday) + 4 × 7.5 h = 73.5 h, then 1.5 h on Friday.
        ("ten working days",                Add("2026-03-02T09:00+08:00", 75 * HOUR, "2026-03-13T10:30+08:00")),
        ("last millisecond",                Add("2026-03-06T17:59:59.999+08:00", MS, "2026-03-06T18:00+08:00")),
        ("negative counts as zero",         Add("2026-03-08T12:00+08:00", -5 * HOUR, "2026-03-09T09:00+08:00")),
    ];
    check(&shanghai(), &cases);
}

#[test]
fn shanghai_between() {
    use Op::Between;
    #[rustfmt::skip]
    let cases = [
        ("a whole week",      Between("2026-03-02T00:00+08:00", "2026-03-09T00:00+08:00", 43 * HOUR + 30 * MIN)),
        ("lunch break",       Between("2026-03-02T12:00+08:00", "2026-03-02T13:30+08:00", 0)),
        ("across lunch",      Between("2026-03-02T10:15+08:00", "2026-03-02T14:00+08:00", 2 * HOUR + 15 * MIN)),
        ("sunday",            Between("2026-03-08T00:00+08:00", "2026-03-09T00:00+08:00", 0)),
        // Mon–Wed before the holiday and Thursday after it.
        ("national day week", Between("2026-09-28T00:00+08:00", "2026-10-09T00:00+08:00", 30 * HOUR)),
        ("empty range",       Between("2026-03-02T10:00+08:00", "2026-03-02T10:00+08:00", 0)),
        ("reversed range",    Between("2026-03-02T11:00+08:00", "2026-03-02T10:00+08:00", 0)),
    ];
    check(&shanghai(), &cases);
}

#[test]
fn shanghai_is_open_at_boundaries() {
    use Op::IsOpen;
    #[rustfmt::skip]
    let cases = [
        ("opening is inclusive",     IsOpen("2026-03-02T09:00+08:00", true)),
        ("just before opening",      IsOpen("2026-03-02T08:59:59.999+08:00", false)),
        ("just before lunch",        IsOpen("2026-03-02T11:59:59.999+08:00", true)),
        ("lunch start is exclusive", IsOpen("2026-03-02T12:00+08:00", false)),
        ("after lunch",              IsOpen("2026-03-02T13:30+08:00", true)),
        ("just before closing",      IsOpen("2026-03-02T17:59:59.999+08:00", true)),
        ("closing is exclusive",     IsOpen("2026-03-02T18:00+08:00", false)),
        ("saturday opening",         IsOpen("2026-03-07T10:00+08:00", true)),
        ("saturday closing",         IsOpen("2026-03-07T16:00+08:00", false)),
        ("sunday noon",              IsOpen("2026-03-08T12:00+08:00", false)),
        ("national day friday",      IsOpen("2026-10-02T10:00+08:00", false)),
        ("first day back",           IsOpen("2026-10-08T09:00+08:00", true)),
    ];
    check(&shanghai(), &cases);
}

#[test]
fn shanghai_next_open() {
    use Op::NextOpen;
    #[rustfmt::skip]
    let cases = [
        ("sunday to monday", NextOpen("2026-03-08T12:00+08:00", "2026-03-09T09:00+08:00")),
        ("open now",         NextOpen("2026-03-02T10:00+08:00", "2026-03-02T10:00+08:00")),
        ("at opening",       NextOpen("2026-03-02T09:00+08:00", "2026-03-02T09:00+08:00")),
        ("lunch",            NextOpen("2026-03-02T12:30+08:00", "2026-03-02T13:30+08:00")),
        ("friday closing",   NextOpen("2026-03-06T18:00+08:00", "2026-03-07T10:00+08:00")),
        ("national day",     NextOpen("2026-10-01T10:00+08:00", "2026-10-08T09:00+08:00")),
    ];
    check(&shanghai(), &cases);
}

#[test]
fn period_ending_at_midnight_joins_the_next_day() {
    use Op::*;
    let night = schedule(
        "Asia/Shanghai",
        &[("mon", &[("18:00", "24:00")]), ("tue", &[("00:00", "06:00")])],
        &[],
    );
    #[rustfmt::skip]
    let cases = [
        ("the night shift",  Between("2026-03-02T18:00+08:00", "2026-03-03T06:00+08:00", 12 * HOUR)),
        ("across midnight",  Add("2026-03-02T23:00+08:00", 2 * HOUR, "2026-03-03T01:00+08:00")),
        ("up to midnight",   Add("2026-03-02T18:00+08:00", 6 * HOUR, "2026-03-03T00:00+08:00")),
        ("open at midnight", IsOpen("2026-03-03T00:00+08:00", true)),
        ("open just before", IsOpen("2026-03-02T23:59:59.999+08:00", true)),
        ("monday noon",      NextOpen("2026-03-02T12:00+08:00", "2026-03-02T18:00+08:00")),
    ];
    check(&night, &cases);
}

#[test]
fn new_york_dst_days() {
    use Op::*;
    #[rustfmt::skip]
    let cases = [
        ("ordinary day holds 3 h + 8 h",   Between("2026-03-07T00:00-05:00", "2026-03-08T00:00-05:00", 11 * HOUR)),
        // 01:00 EST → 04:00 EDT is two real hours.
        ("spring forward holds 2 h + 8 h", Between("2026-03-08T00:00-05:00", "2026-03-09T00:00-04:00", 10 * HOUR)),
        // 01:00 EDT → 04:00 EST includes the repeated hour: four real hours.
        ("fall back holds 4 h + 8 h",      Between("2026-11-01T00:00-04:00", "2026-11-02T00:00-05:00", 12 * HOUR)),
        ("across the skipped hour",        Add("2026-03-08T01:30-05:00", HOUR, "2026-03-08T03:30-04:00")),
        ("due right at the gap",           Add("2026-03-07T16:00-05:00", 2 * HOUR, "2026-03-08T03:00-04:00")),
        ("into the repeated hour",         Add("2026-11-01T01:30-04:00", HOUR, "2026-11-01T01:30-05:00")),
        ("wall 03:00 right after the gap", IsOpen("2026-03-08T03:00-04:00", true)),
        ("the repeated 01:30",             IsOpen("2026-11-01T01:30-05:00", true)),
        ("04:00 after falling back",       IsOpen("2026-11-01T04:00-05:00", false)),
        ("just before that",               IsOpen("2026-11-01T03:59:59.999-05:00", true)),
        ("after the short period",         NextOpen("2026-03-08T04:00-04:00", "2026-03-08T09:00-04:00")),
    ];
    check(&new_york(), &cases);
}

#[test]
fn new_york_periods_in_the_skipped_hour() {
    use Op::*;
    // Wall times inside the 02:00–03:00 gap map to the transition (03:00 EDT), so touching
    // periods stay touching and a period starting in the gap keeps its part after it.
    let split = schedule(
        "America/New_York",
        &[(
            "sun",
            &[("00:00", "02:30"), ("02:30", "03:15"), ("10:00", "12:00")],
        )],
        &[],
    );
    #[rustfmt::skip]
    let cases = [
        ("2 h + 15 min + 2 h",                  Between("2026-03-08T00:00-05:00", "2026-03-09T00:00-04:00", 4 * HOUR + 15 * MIN)),
        ("ordinary sunday",                     Between("2026-03-01T00:00-05:00", "2026-03-02T00:00-05:00", 5 * HOUR + 15 * MIN)),
        ("first period ends at the transition", Add("2026-03-08T01:59-05:00", MIN, "2026-03-08T03:00-04:00")),
        ("second period starts there",          Add("2026-03-08T01:59-05:00", 2 * MIN, "2026-03-08T03:01-04:00")),
        ("open right after the gap",            IsOpen("2026-03-08T03:00-04:00", true)),
        ("closed at 03:15",                     IsOpen("2026-03-08T03:15-04:00", false)),
    ];
    check(&split, &cases);

    let swallowed = schedule(
        "America/New_York",
        &[("sun", &[("02:10", "02:50"), ("10:00", "11:00")])],
        &[],
    );
    #[rustfmt::skip]
    let cases = [
        ("period inside the gap vanishes",     Between("2026-03-08T00:00-05:00", "2026-03-09T00:00-04:00", HOUR)),
        ("ordinary sunday keeps it",           Between("2026-03-01T00:00-05:00", "2026-03-02T00:00-05:00", HOUR + 40 * MIN)),
        ("next opening skips it",              NextOpen("2026-03-08T00:00-05:00", "2026-03-08T10:00-04:00")),
        ("next opening on an ordinary sunday", NextOpen("2026-03-01T00:00-05:00", "2026-03-01T02:10-05:00")),
    ];
    check(&swallowed, &cases);
}

#[test]
fn santiago_dst_at_midnight() {
    use Op::*;
    // Chile changes clocks at midnight: in April Saturday 23:00–24:00 happens twice, in
    // September Sunday 00:00–01:00 never happens.
    let weekend = schedule(
        "America/Santiago",
        &[("sat", &[("22:00", "24:00")]), ("sun", &[("00:00", "02:00")])],
        &[],
    );
    #[rustfmt::skip]
    let cases = [
        ("repeated hour: 3 h + 2 h",   Between("2026-04-04T22:00-03:00", "2026-04-05T02:00-04:00", 5 * HOUR)),
        ("the second 23:30",           IsOpen("2026-04-04T23:30-04:00", true)),
        ("24:00 is the last midnight", Add("2026-04-04T22:00-03:00", 3 * HOUR, "2026-04-05T00:00-04:00")),
        ("skipped hour: 2 h + 1 h",    Between("2026-09-05T22:00-04:00", "2026-09-06T02:00-03:00", 3 * HOUR)),
        ("across the missing hour",    Add("2026-09-05T23:30-04:00", HOUR, "2026-09-06T01:30-03:00")),
        ("open when clocks jump",      IsOpen("2026-09-06T01:00-03:00", true)),
    ];
    check(&weekend, &cases);
}

#[test]
fn berlin_dst_sundays() {
    use Op::*;
    let sundays = schedule("Europe/Berlin", &[("sun", &[("00:00", "24:00")])], &[]);
    #[rustfmt::skip]
    let cases = [
        ("spring sunday is 23 h",   Between("2026-03-29T00:00+01:00", "2026-03-30T00:00+02:00", 23 * HOUR)),
        ("autumn sunday is 25 h",   Between("2026-10-25T00:00+02:00", "2026-10-26T00:00+01:00", 25 * HOUR)),
        ("whole spring sunday",     Add("2026-03-29T00:00+01:00", 23 * HOUR, "2026-03-30T00:00+02:00")),
        ("24 h into autumn sunday", Add("2026-10-25T00:00+02:00", 24 * HOUR, "2026-10-25T23:00+01:00")),
        ("saturday to sunday",      NextOpen("2026-10-24T12:00+02:00", "2026-10-25T00:00+02:00")),
    ];
    check(&sundays, &cases);
}

#[test]
fn around_the_clock_is_plain_arithmetic() {
    let schedules = [
        ("always", Schedule::always()),
        ("default", Schedule::default()),
        ("berlin", around_the_clock("Europe/Berlin")),
        ("new york", around_the_clock("America/New_York")),
    ];
    let durations = [0, MS, MIN, HOUR + 7, DAY, 10 * DAY, 400 * DAY];
    for (name, s) in &schedules {
        for start in (0..120).map(|i| t("2026-03-01T00:00Z") + i * (7 * HOUR + 13 * MIN + 1)) {
            assert!(s.is_open(start), "{name}: open at {start}");
            assert_eq!(s.next_open(start), start, "{name}: next_open({start})");
            for d in durations {
                assert_eq!(s.add(start, d), start + d, "{name}: add({start}, {d})");
                assert_eq!(s.between(start, start + d), d, "{name}: between({start}, +{d})");
            }
        }
    }
}

#[test]
fn add_and_between_agree() {
    let nights: &[Day] = &[
        ("sat", &[("00:30", "02:30"), ("22:00", "24:00")]),
        ("sun", &[("00:00", "03:30")]),
    ];
    let schedules = [
        ("shanghai", shanghai()),
        ("new york", new_york()),
        ("always", Schedule::always()),
        (
            "berlin nights",
            schedule("Europe/Berlin", nights, &["2026-04-04"]),
        ),
    ];
    let durations = [
        0,
        MS,
        MIN,
        59 * MIN,
        HOUR,
        150 * MIN,
        7 * HOUR + 30 * MIN,
        DAY,
        75 * HOUR,
        400 * HOUR,
    ];
    // Irregular steps through March–April (both DST starts), late September to November
    // (National Day and both DST ends) and Santiago's midnight changes.
    let starts = [
        "2026-03-01T00:00Z",
        "2026-09-25T00:00Z",
        "2026-04-01T00:00Z",
        "2026-09-01T00:00Z",
    ]
    .iter()
    .flat_map(|from| (0..150).map(move |i| t(from) + i * (9 * HOUR + 17 * MIN + 3)));
    for start in starts {
        for (name, s) in &schedules {
            for d in durations {
                let due = s.add(start, d);
                assert_eq!(
                    s.between(start, due),
                    d,
                    "{name}: between({start}, add({start}, {d}) = {due})"
                );
                if d == 0 {
                    assert_eq!(due, s.next_open(start), "{name}: add({start}, 0)");
                } else {
                    // The earliest such instant: the millisecond before it is business time.
                    assert_eq!(
                        s.between(start, due - 1),
                        d - 1,
                        "{name}: add({start}, {d}) not minimal"
                    );
                    assert!(s.is_open(due - 1), "{name}: closed just before add({start}, {d})");
                }
            }
        }
    }
}

#[test]
fn ten_working_days_take_microseconds() {
    let s = shanghai();
    let start = t("2026-03-02T09:00+08:00");
    let clock = Instant::now();
    for i in 0..1000 {
        std::hint::black_box(s.add(start + i * MIN, 75 * HOUR));
    }
    let per_call = clock.elapsed() / 1000;
    // Generous for a loaded debug build; stepping minute by minute would be far slower.
    assert!(per_call.as_micros() < 2000, "{per_call:?} per add");
}

#[test]
fn many_holidays_in_a_row_are_crossed() {
    // Open only on Mondays, and the next 400 Mondays are holidays: over seven years.
    let mondays = dates(date(2026, 3, 2), Span::new().weeks(1), 400);
    let mondays: Vec<&str> = mondays.iter().map(String::as_str).collect();
    let s = schedule("UTC", &[("mon", &[("09:00", "10:00")])], &mondays);
    assert_eq!(mondays.last(), Some(&"2033-10-24"));
    check(
        &s,
        &[(
            "first monday after",
            Op::NextOpen("2026-03-01T00:00Z", "2033-10-31T09:00Z"),
        )],
    );
}

#[test]
fn extreme_instants_do_not_panic() {
    let s = shanghai();
    assert!(!s.is_open(i64::MAX));
    assert_eq!(s.next_open(i64::MAX), i64::MAX);
    assert_eq!(s.add(i64::MAX, 1), i64::MAX);
    assert_eq!(s.between(i64::MAX - 1, i64::MAX), 0);
    assert!(!s.is_open(i64::MIN));
    assert!(s.next_open(i64::MIN) > i64::MIN);
}

#[test]
fn walks_stop_at_the_horizon() {
    let start = t("2026-03-01T00:00Z");
    let clock = Instant::now();
    assert_eq!(
        Schedule::always().add(start, 9 * 366 * DAY),
        start + 9 * 366 * DAY
    );
    assert_eq!(
        Schedule::always().add(start, 11 * 366 * DAY),
        i64::MAX,
        "beyond the horizon"
    );
    assert_eq!(shanghai().add(start, i64::MAX), i64::MAX);
    let counted = Schedule::always().between(start, start + 20 * 366 * DAY);
    assert!((9 * 366 * DAY..11 * 366 * DAY).contains(&counted), "{counted}");
    assert!(clock.elapsed().as_secs() < 2, "{:?}", clock.elapsed());
}

#[path = "spec_tests.rs"]
mod spec;
