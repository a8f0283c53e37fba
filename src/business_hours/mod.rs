//! Business hours: a shop's weekly opening periods, holidays and time zone, and the
//! business-time arithmetic built on them (is it open, when does it open next, when do
//! N business milliseconds run out, how much business time lies between two instants).
//! All instants are UTC milliseconds since the epoch.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::ControlFlow;
use std::sync::OnceLock;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{AmbiguousOffset, TimeZone, TimeZoneDatabase};
use serde::{Deserialize, Serialize};

/// Day keys in `ScheduleSpec::week`, Monday first (index = jiff's Monday-zero offset).
const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const MAX_PERIODS_PER_DAY: usize = 8;
const MAX_HOLIDAYS: usize = 400;
const MINUTES_PER_DAY: u16 = 24 * 60;
/// How many local days a walk covers before giving up, so a huge duration or range costs
/// milliseconds, not seconds. Hours exist on some weekday (`from_spec` checks), so only
/// holidays (at most a week each when one weekday is open) can keep the shop closed
/// longer; they extend the horizon.
const HORIZON_DAYS: usize = 10 * 366;

/// What the owner edits (JSON in the database and the API).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScheduleSpec {
    /// IANA name, e.g. `"Asia/Shanghai"`.
    pub timezone: String,
    /// Keys `"mon"`..`"sun"`; periods `["09:00","12:00"]`; `"24:00"` allowed as an end.
    pub week: BTreeMap<String, Vec<[String; 2]>>,
    /// `"YYYY-MM-DD"`, whole days closed, in the schedule's zone.
    #[serde(default)]
    pub holidays: Vec<String>,
}

/// Why a spec was refused: `field` is a path into the spec (e.g. `week.mon[1]`), `code` a
/// stable machine-readable reason the UI translates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduleError {
    pub field: String,
    pub code: &'static str,
}

impl fmt::Display for ScheduleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.code)
    }
}

impl std::error::Error for ScheduleError {}

fn error(field: impl Into<String>, code: &'static str) -> ScheduleError {
    ScheduleError {
        field: field.into(),
        code,
    }
}

/// Opening period as local minutes since midnight, `[start, end)`; `end` may be 1440.
type Period = (u16, u16);

/// A validated schedule, ready for arithmetic.
#[derive(Clone, Debug)]
pub struct Schedule {
    tz: TimeZone,
    /// Canonical IANA name, kept because a `TimeZone` does not always carry one.
    tz_name: String,
    /// Monday first; each day sorted by start, non-overlapping, never empty periods.
    week: [Vec<Period>; 7],
    holidays: BTreeSet<Date>,
}

impl PartialEq for Schedule {
    fn eq(&self, other: &Self) -> bool {
        self.tz_name == other.tz_name && self.week == other.week && self.holidays == other.holidays
    }
}

impl Eq for Schedule {}

impl Default for Schedule {
    fn default() -> Self {
        Schedule::always()
    }
}

impl Schedule {
    /// Validates a spec; the error names the first offending field.
    pub fn from_spec(spec: &ScheduleSpec) -> Result<Schedule, ScheduleError> {
        let tz = lookup_zone(&spec.timezone).ok_or_else(|| error("timezone", "unknown_timezone"))?;
        let tz_name = tz.iana_name().unwrap_or(&spec.timezone).to_owned();

        let mut week: [Vec<Period>; 7] = Default::default();
        for (key, periods) in &spec.week {
            let day = DAYS
                .iter()
                .position(|d| d == key)
                .ok_or_else(|| error(format!("week.{key}"), "bad_day"))?;
            week[day] = parse_day(key, periods)?;
        }

        if spec.holidays.len() > MAX_HOLIDAYS {
            return Err(error("holidays", "too_many_holidays"));
        }
        let holidays = spec
            .holidays
            .iter()
            .enumerate()
            .map(|(i, h)| parse_date(h).ok_or_else(|| error(format!("holidays[{i}]"), "bad_holiday")))
            .collect::<Result<BTreeSet<_>, _>>()?;

        // Without any period `add` could never finish.
        if week.iter().all(Vec::is_empty) {
            return Err(error("week", "no_hours"));
        }
        Ok(Schedule {
            tz,
            tz_name,
            week,
            holidays,
        })
    }

    /// The canonical spec: all seven days (closed ones empty), periods sorted, the zone's
    /// canonical name, holidays sorted without duplicates.
    pub fn spec(&self) -> ScheduleSpec {
        let week = DAYS
            .iter()
            .zip(&self.week)
            .map(|(day, periods)| {
                let periods = periods
                    .iter()
                    .map(|&(s, e)| [format_clock(s), format_clock(e)])
                    .collect();
                (day.to_string(), periods)
            })
            .collect();
        let holidays = self
            .holidays
            .iter()
            .map(|d| format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()))
            .collect();
        ScheduleSpec {
            timezone: self.tz_name.clone(),
            week,
            holidays,
        }
    }

    /// 24/7 in UTC (the default when a shop set nothing).
    pub fn always() -> Schedule {
        Schedule {
            tz: TimeZone::UTC,
            tz_name: "UTC".to_owned(),
            week: std::array::from_fn(|_| vec![(0, MINUTES_PER_DAY)]),
            holidays: BTreeSet::new(),
        }
    }

    pub fn is_open(&self, at: i64) -> bool {
        self.walk(at, |start, _| ControlFlow::Break(start == at))
            .unwrap_or(false)
    }

    /// The instant when `business_ms` of business time have passed after `start`
    /// (if `start` is outside hours, counting begins at the next opening). 0 → start if
    /// open, else next opening. Negative durations count as 0; `i64::MAX` when the due
    /// time lies beyond the ~10-year horizon.
    pub fn add(&self, start: i64, business_ms: i64) -> i64 {
        let mut left = business_ms.max(0);
        self.walk(start, |s, e| {
            if left <= e - s {
                ControlFlow::Break(s + left)
            } else {
                left -= e - s;
                ControlFlow::Continue(())
            }
        })
        .unwrap_or(i64::MAX)
    }

    /// Business milliseconds in `[from, to)`; 0 when `to <= from`. Counts at most the first
    /// ~10 years of the range.
    pub fn between(&self, from: i64, to: i64) -> i64 {
        if to <= from {
            return 0;
        }
        let mut total = 0;
        self.walk(from, |s, e| {
            if s >= to {
                return ControlFlow::Break(());
            }
            total += e.min(to) - s;
            ControlFlow::Continue(())
        });
        total
    }

    /// The next instant at or after `at` when the shop is open (== at when open now);
    /// `i64::MAX` if none is within the horizon.
    pub fn next_open(&self, at: i64) -> i64 {
        self.walk(at, |s, _| ControlFlow::Break(s)).unwrap_or(i64::MAX)
    }

    /// Calls `visit` with each stretch of business time that ends after `from`, in
    /// chronological order, clipped to start no earlier than `from`. Touching stretches
    /// (24:00 then 00:00) arrive separately. `None` when the horizon or jiff's calendar
    /// ran out before `visit` broke.
    fn walk<B>(&self, from: i64, mut visit: impl FnMut(i64, i64) -> ControlFlow<B>) -> Option<B> {
        // Wall times map to instants monotonically, and `from` is no earlier than the
        // instant of its own local midnight, so earlier days cannot reach past it.
        let mut date = self.tz.to_datetime(timestamp(from)).date();
        let mut day = Vec::with_capacity(MAX_PERIODS_PER_DAY);
        for _ in 0..HORIZON_DAYS + 7 * self.holidays.len() {
            day.clear();
            self.day_intervals(date, &mut day);
            for &(s, e) in &day {
                if e > from
                    && let ControlFlow::Break(b) = visit(s.max(from), e)
                {
                    return Some(b);
                }
            }
            date = date.tomorrow().ok()?;
        }
        None
    }

    /// The business intervals of one local date as instants, skipping any that DST
    /// squeezed to nothing (a period inside a spring-forward gap).
    fn day_intervals(&self, date: Date, out: &mut Vec<(i64, i64)>) {
        if self.holidays.contains(&date) {
            return;
        }
        let periods = &self.week[usize::from(date.weekday().to_monday_zero_offset().unsigned_abs())];
        for &(start, end) in periods {
            if let (Some(s), Some(e)) = (self.instant(date, start), self.instant(date, end))
                && e > s
            {
                out.push((s, e));
            }
        }
    }

    /// A local wall-clock time as an instant (ms). A time in a fall-back fold takes the
    /// earlier instant, as jiff's "compatible" rule does. A time in a spring-forward gap
    /// takes the transition instant itself: "compatible" would shift it forward by the
    /// gap's length (02:30 → 03:30), which is not monotonic and can turn a period such
    /// as 02:30–03:15 inside out.
    fn instant(&self, date: Date, minute: u16) -> Option<i64> {
        let dt: DateTime = if minute >= MINUTES_PER_DAY {
            date.tomorrow().ok()?.to_datetime(Time::midnight())
        } else {
            let (h, m) = (minute / 60, minute % 60);
            date.to_datetime(Time::new(i8::try_from(h).ok()?, i8::try_from(m).ok()?, 0, 0).ok()?)
        };
        let ts = match self.tz.to_ambiguous_timestamp(dt).offset() {
            AmbiguousOffset::Unambiguous { offset } => offset.to_timestamp(dt).ok()?,
            AmbiguousOffset::Fold { before, .. } => before.to_timestamp(dt).ok()?,
            AmbiguousOffset::Gap { after, .. } => {
                // Read with the later offset, the wall time lies just before the
                // transition, so the next transition is the one that skipped it.
                let before_gap = after.to_timestamp(dt).ok()?;
                self.tz.following(before_gap).next()?.timestamp()
            }
        };
        Some(ts.as_millisecond())
    }
}

/// Looks a zone up in the system database first (it gets tzdata updates), then in the
/// bundled copy, so a static binary on a host with a missing or partial
/// /usr/share/zoneinfo still knows every zone.
fn lookup_zone(name: &str) -> Option<TimeZone> {
    static BUNDLED: OnceLock<TimeZoneDatabase> = OnceLock::new();
    jiff::tz::db()
        .get(name)
        .ok()
        .or_else(|| BUNDLED.get_or_init(TimeZoneDatabase::bundled).get(name).ok())
}

/// Milliseconds to a jiff timestamp, clamped to jiff's range (years -9999..=9999).
fn timestamp(ms: i64) -> Timestamp {
    let ms = ms.clamp(Timestamp::MIN.as_millisecond(), Timestamp::MAX.as_millisecond());
    Timestamp::from_millisecond(ms).unwrap_or(Timestamp::UNIX_EPOCH)
}

fn parse_day(key: &str, periods: &[[String; 2]]) -> Result<Vec<Period>, ScheduleError> {
    if periods.len() > MAX_PERIODS_PER_DAY {
        return Err(error(format!("week.{key}"), "too_many_periods"));
    }
    // (start, end, index in the input), so an overlap is reported where the owner typed it.
    let mut parsed = Vec::with_capacity(periods.len());
    for (i, [start, end]) in periods.iter().enumerate() {
        let s = parse_clock(start, false).ok_or_else(|| error(format!("week.{key}[{i}][0]"), "bad_time"))?;
        let e = parse_clock(end, true).ok_or_else(|| error(format!("week.{key}[{i}][1]"), "bad_time"))?;
        if e <= s {
            return Err(error(format!("week.{key}[{i}]"), "empty_period"));
        }
        parsed.push((s, e, i));
    }
    parsed.sort_unstable();
    // Sorted by start, any overlap shows up between neighbours.
    if let Some(pair) = parsed.windows(2).find(|pair| pair[1].0 < pair[0].1) {
        return Err(error(format!("week.{key}[{}]", pair[1].2), "periods_overlap"));
    }
    Ok(parsed.into_iter().map(|(s, e, _)| (s, e)).collect())
}

/// "HH:MM" → minutes since midnight; "24:00" only when `is_end`.
fn parse_clock(text: &str, is_end: bool) -> Option<u16> {
    let b = text.as_bytes();
    if b.len() != 5 || b[2] != b':' {
        return None;
    }
    let hours = two_digits(b[0], b[1])?;
    let minutes = two_digits(b[3], b[4])?;
    match (hours, minutes) {
        (24, 0) if is_end => Some(MINUTES_PER_DAY),
        (0..=23, 0..=59) => Some(hours * 60 + minutes),
        _ => None,
    }
}

fn two_digits(tens: u8, ones: u8) -> Option<u16> {
    (tens.is_ascii_digit() && ones.is_ascii_digit())
        .then(|| u16::from(tens - b'0') * 10 + u16::from(ones - b'0'))
}

fn format_clock(minute: u16) -> String {
    format!("{:02}:{:02}", minute / 60, minute % 60)
}

/// Strict "YYYY-MM-DD" (jiff's parser also takes other ISO 8601 forms).
fn parse_date(text: &str) -> Option<Date> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = i16::try_from(two_digits(b[0], b[1])? * 100 + two_digits(b[2], b[3])?).ok()?;
    let month = i8::try_from(two_digits(b[5], b[6])?).ok()?;
    let day = i8::try_from(two_digits(b[8], b[9])?).ok()?;
    Date::new(year, month, day).ok()
}

#[cfg(test)]
mod tests;
