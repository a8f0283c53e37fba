//! The shop's business hours: a weekly schedule with several periods a day and
//! holidays, in the shop's time zone (Settings → Shop). SLA targets count in them;
//! the bot and routing will ask them whether people are in.

use std::collections::BTreeMap;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::business_hours::{Schedule, ScheduleSpec};
use crate::error::{AppError, AppResult};

const KEY: &str = "business_hours";

/// What the owner edits; the zone is the shop's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Hours {
    /// `"mon"`..`"sun"` → periods such as `[["09:00","12:00"],["13:00","18:00"]]`;
    /// a missing or empty day is closed. `"24:00"` ends a day.
    #[schema(value_type = Object)]
    pub week: BTreeMap<String, Vec<[String; 2]>>,
    /// Whole days closed, `"YYYY-MM-DD"`.
    #[serde(default)]
    pub holidays: Vec<String>,
}

/// Until the owner says otherwise: Monday to Friday, nine to six.
fn default_hours() -> Hours {
    let day = || vec![["09:00".to_string(), "18:00".to_string()]];
    Hours {
        week: ["mon", "tue", "wed", "thu", "fri"]
            .into_iter()
            .map(|d| (d.to_string(), day()))
            .collect(),
        holidays: Vec::new(),
    }
}

fn spec(hours: &Hours, timezone: String) -> ScheduleSpec {
    ScheduleSpec {
        timezone,
        week: hours.week.clone(),
        holidays: hours.holidays.clone(),
    }
}

/// The stored hours (or the default) and the shop's zone name.
pub fn load(c: &Connection) -> rusqlite::Result<(Hours, String)> {
    let hours = crate::settings::get(c, KEY)?
        .and_then(|raw| serde_json::from_str(&raw).ok())
        .unwrap_or_else(default_hours);
    Ok((hours, crate::settings::shop(c)?.timezone))
}

/// The schedule to count in. Stored hours were checked when saved; should the zone
/// have become unknown to this build, the hours count in UTC rather than not at all.
pub fn schedule(c: &Connection) -> rusqlite::Result<Schedule> {
    let (hours, zone) = load(c)?;
    Ok(Schedule::from_spec(&spec(&hours, zone))
        .or_else(|_| Schedule::from_spec(&spec(&hours, "UTC".into())))
        .unwrap_or_else(|_| Schedule::always()))
}

/// Checks and stores new hours, in their canonical form (all seven days, sorted).
pub fn save(c: &Connection, hours: &Hours) -> AppResult<Hours> {
    let zone = crate::settings::shop(c)?.timezone;
    let schedule = Schedule::from_spec(&spec(hours, zone)).map_err(|e| {
        AppError::bad_request("invalid_business_hours")
            .with("field", e.field)
            .with("reason", e.code)
    })?;
    let canonical = schedule.spec();
    let saved = Hours {
        week: canonical.week,
        holidays: canonical.holidays,
    };
    crate::settings::set(
        c,
        KEY,
        &serde_json::to_string(&saved).map_err(AppError::internal)?,
    )?;
    Ok(saved)
}
