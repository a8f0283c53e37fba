//! Tests of the owner's schedule as written (`ScheduleSpec`): canonical round
//! trips, JSON, and which specs are accepted or refused with which error. The
//! helpers come from the parent test module.

use super::*;

#[test]
fn spec_round_trips_in_canonical_form() {
    let messy = spec(
        "asia/shanghai",
        &[
            ("mon", &[("13:30", "18:00"), ("09:00", "12:00")]),
            ("sat", &[("10:00", "24:00")]),
        ],
        &["2026-10-02", "2026-10-01", "2026-10-02"],
    );
    let s = Schedule::from_spec(&messy).unwrap();
    let expected = spec(
        "Asia/Shanghai",
        &[
            ("mon", &[("09:00", "12:00"), ("13:30", "18:00")]),
            ("tue", &[]),
            ("wed", &[]),
            ("thu", &[]),
            ("fri", &[]),
            ("sat", &[("10:00", "24:00")]),
            ("sun", &[]),
        ],
        &["2026-10-01", "2026-10-02"],
    );
    assert_eq!(s.spec(), expected);
    for (name, s) in [
        ("messy", s),
        ("shanghai", shanghai()),
        ("new york", new_york()),
        ("always", Schedule::always()),
    ] {
        let again = Schedule::from_spec(&s.spec()).unwrap();
        assert_eq!(again, s, "{name}");
        assert_eq!(again.spec(), s.spec(), "{name}");
    }
}

#[test]
fn spec_json() {
    let text = r#"{"timezone":"Asia/Shanghai","week":{"mon":[["09:00","12:00"]]}}"#;
    let parsed: ScheduleSpec = serde_json::from_str(text).unwrap();
    assert!(parsed.holidays.is_empty(), "holidays default to none");
    let s = Schedule::from_spec(&parsed).unwrap();
    let json = serde_json::to_string(&s.spec()).unwrap();
    let back: ScheduleSpec = serde_json::from_str(&json).unwrap();
    assert_eq!(Schedule::from_spec(&back).unwrap(), s);
    let always = serde_json::to_value(Schedule::always().spec()).unwrap();
    assert_eq!(always["timezone"], "UTC");
    assert_eq!(always["week"]["sun"], serde_json::json!([["00:00", "24:00"]]));
}

#[test]
fn bundled_tz_database_is_compiled_in() {
    for zone in ["Asia/Shanghai", "America/New_York", "Europe/Berlin"] {
        assert!(TimeZoneDatabase::bundled().get(zone).is_ok(), "{zone}");
    }
}

/// A JSON list of `count` consecutive days from 2026-01-01.
fn holiday_list(count: i64) -> String {
    let days = dates(date(2026, 1, 1), Span::new().days(1), count);
    serde_json::to_string(&days).unwrap()
}

/// A JSON list of `count` half-hour periods, one per hour from midnight.
fn period_list(count: u32) -> String {
    let periods: Vec<[String; 2]> = (0..count)
        .map(|h| [format!("{h:02}:00"), format!("{h:02}:30")])
        .collect();
    serde_json::to_string(&periods).unwrap()
}

#[test]
fn accepted_specs() {
    let utc = |week: &str| format!(r#"{{"timezone":"UTC","week":{{{week}}}}}"#);
    let mon = r#""mon":[["09:00","17:00"]]"#;
    let with_holidays = |list: &str| format!(r#"{{"timezone":"UTC","week":{{{mon}}},"holidays":{list}}}"#);
    #[rustfmt::skip]
    let cases = [
        ("touching periods",  utc(r#""mon":[["09:00","12:00"],["12:00","13:00"]]"#)),
        ("24:00 as an end",   utc(r#""sun":[["23:00","24:00"]]"#)),
        ("closed day listed", utc(&format!(r#""sun":[],{mon}"#))),
        ("eight periods",     utc(&format!(r#""mon":{}"#, period_list(8)))),
        ("400 holidays",      with_holidays(&holiday_list(400))),
        ("leap day",          with_holidays(r#"["2028-02-29"]"#)),
        ("lower-case zone",   format!(r#"{{"timezone":"europe/berlin","week":{{{mon}}}}}"#)),
    ];
    for (name, json) in cases {
        let spec: ScheduleSpec = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{name}: {e}"));
        if let Err(e) = Schedule::from_spec(&spec) {
            panic!("{name}: refused with {e}");
        }
    }
}

#[test]
fn refused_specs() {
    let mon = r#""mon":[["09:00","17:00"]]"#;
    let zone = |tz: &str| format!(r#"{{"timezone":"{tz}","week":{{{mon}}}}}"#);
    let utc = |week: &str| format!(r#"{{"timezone":"UTC","week":{{{week}}}}}"#);
    let day = |periods: &str| utc(&format!(r#""mon":{periods}"#));
    let with_holidays = |list: &str| format!(r#"{{"timezone":"UTC","week":{{{mon}}},"holidays":{list}}}"#);
    #[rustfmt::skip]
    let cases = [
        ("unknown zone",               zone("Mars/Olympus"),                                 "timezone",       "unknown_timezone"),
        ("empty zone",                 zone(""),                                             "timezone",       "unknown_timezone"),
        ("offset is not a zone",       zone("+08:00"),                                       "timezone",       "unknown_timezone"),
        ("long day name",              utc(r#""monday":[["09:00","17:00"]]"#),               "week.monday",    "bad_day"),
        ("capitalised day",            utc(r#""Mon":[["09:00","17:00"]]"#),                  "week.Mon",       "bad_day"),
        ("one-digit hour",             day(r#"[["9:00","17:00"]]"#),                         "week.mon[0][0]", "bad_time"),
        ("minute 60",                  day(r#"[["09:00","12:60"]]"#),                        "week.mon[0][1]", "bad_time"),
        ("hour 25",                    day(r#"[["09:00","25:00"]]"#),                        "week.mon[0][1]", "bad_time"),
        ("24:00 as a start",           day(r#"[["24:00","24:00"]]"#),                        "week.mon[0][0]", "bad_time"),
        ("24:30 as an end",            day(r#"[["23:00","24:30"]]"#),                        "week.mon[0][1]", "bad_time"),
        ("seconds",                    day(r#"[["09:00:00","17:00"]]"#),                     "week.mon[0][0]", "bad_time"),
        ("not digits",                 day(r#"[["09:00","1x:00"]]"#),                        "week.mon[0][1]", "bad_time"),
        ("zero length",                day(r#"[["12:00","12:00"]]"#),                        "week.mon[0]",    "empty_period"),
        ("backwards",                  day(r#"[["09:00","11:00"],["13:00","12:00"]]"#),      "week.mon[1]",    "empty_period"),
        ("overlap",                    day(r#"[["09:00","12:00"],["11:00","13:00"]]"#),      "week.mon[1]",    "periods_overlap"),
        ("overlap typed out of order", day(r#"[["11:00","13:00"],["09:00","12:00"]]"#),      "week.mon[0]",    "periods_overlap"),
        ("one inside another",         day(r#"[["09:00","18:00"],["12:00","13:00"]]"#),      "week.mon[1]",    "periods_overlap"),
        ("same period twice",          day(r#"[["09:00","12:00"],["09:00","12:00"]]"#),      "week.mon[1]",    "periods_overlap"),
        ("nine periods",               day(&period_list(9)),                                 "week.mon",       "too_many_periods"),
        ("february 30",                with_holidays(r#"["2026-10-01","2026-02-30"]"#),      "holidays[1]",    "bad_holiday"),
        ("no leap day",                with_holidays(r#"["2027-02-29"]"#),                   "holidays[0]",    "bad_holiday"),
        ("unpadded month",             with_holidays(r#"["2026-1-01"]"#),                    "holidays[0]",    "bad_holiday"),
        ("basic format",               with_holidays(r#"["20261001"]"#),                     "holidays[0]",    "bad_holiday"),
        ("with a time",                with_holidays(r#"["2026-10-01T00:00"]"#),             "holidays[0]",    "bad_holiday"),
        ("too many holidays",          with_holidays(&holiday_list(401)),                    "holidays",       "too_many_holidays"),
        ("no days",                    utc(""),                                              "week",           "no_hours"),
        ("only closed days",           utc(r#""mon":[],"sun":[]"#),                          "week",           "no_hours"),
    ];
    for (name, json, field, code) in cases {
        let spec: ScheduleSpec = serde_json::from_str(&json).unwrap_or_else(|e| panic!("{name}: {e}"));
        let expected = ScheduleError {
            field: field.to_owned(),
            code,
        };
        assert_eq!(Schedule::from_spec(&spec), Err(expected), "{name}");
    }
}
