//! Shop-wide settings the owner edits in the console (key/value rows). Deployment
//! settings (address, data dir) live in `config` instead.

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use utoipa::ToSchema;

use crate::accounts::{Principal, audit};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::util::now_ms;

pub const SHOP_NAME: &str = "shop_name";
pub const DEFAULT_LOCALE: &str = "default_locale";
pub const TIMEZONE: &str = "timezone";
pub const TICKET_CLOSE_DAYS: &str = "ticket_close_days";
const DEFAULT_TICKET_CLOSE_DAYS: i64 = 7;
/// Most shops kefu is made for are in China; the owner changes it in Settings → Shop.
pub const DEFAULT_TIMEZONE: &str = "Asia/Shanghai";

pub fn get(conn: &Connection, key: &str) -> rusqlite::Result<Option<String>> {
    conn.prepare_cached("SELECT value FROM settings WHERE key = ?1")?
        .query_row([key], |r| r.get(0))
        .optional()
}

pub fn set(conn: &Connection, key: &str, value: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO settings (key, value, updated_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
    )?
    .execute(rusqlite::params![key, value, now_ms()])?;
    Ok(())
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ShopSettings {
    pub shop_name: String,
    /// Language for customers and emails when nothing else tells.
    pub default_locale: Lang,
    /// IANA time zone for times in emails and for business hours.
    pub timezone: String,
    /// Solved tickets close after this many days; until then a reply reopens them.
    pub ticket_close_days: i64,
}

pub fn shop(conn: &Connection) -> rusqlite::Result<ShopSettings> {
    Ok(ShopSettings {
        shop_name: get(conn, SHOP_NAME)?.unwrap_or_default(),
        default_locale: get(conn, DEFAULT_LOCALE)?
            .as_deref()
            .and_then(Lang::parse_exact)
            .unwrap_or(Lang::ZhCn),
        timezone: get(conn, TIMEZONE)?.unwrap_or_else(|| DEFAULT_TIMEZONE.to_string()),
        ticket_close_days: ticket_close_days(conn)?,
    })
}

pub fn ticket_close_days(conn: &Connection) -> rusqlite::Result<i64> {
    Ok(get(conn, TICKET_CLOSE_DAYS)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_TICKET_CLOSE_DAYS))
}

/// The shop's time zone (UTC if the stored name is unknown to this build).
pub fn time_zone(conn: &Connection) -> rusqlite::Result<jiff::tz::TimeZone> {
    let name = get(conn, TIMEZONE)?.unwrap_or_else(|| DEFAULT_TIMEZONE.to_string());
    Ok(jiff::tz::TimeZone::get(&name).unwrap_or(jiff::tz::TimeZone::UTC))
}

/// `2026-11-24 14:00` in the shop's time zone, for emails.
pub fn format_time(conn: &Connection, at_ms: i64) -> rusqlite::Result<String> {
    let tz = time_zone(conn)?;
    Ok(jiff::Timestamp::from_millisecond(at_ms)
        .map(|t| t.to_zoned(tz).strftime("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default())
}

/// Checks an IANA time zone name such as `Asia/Shanghai`.
pub fn validate_timezone(name: &str) -> AppResult<String> {
    let name = name.trim();
    if name.is_empty() || jiff::tz::TimeZone::get(name).is_err() {
        return Err(AppError::bad_request("invalid_timezone"));
    }
    Ok(name.to_string())
}

pub async fn update_shop(
    db: &Db,
    actor: Principal,
    shop_name: Option<String>,
    default_locale: Option<Lang>,
    timezone: Option<String>,
    ticket_close_days: Option<i64>,
) -> AppResult<ShopSettings> {
    if let Some(d) = ticket_close_days
        && !(1..=365).contains(&d)
    {
        return Err(AppError::bad_request("invalid_close_days")
            .with("min", 1)
            .with("max", 365));
    }
    let timezone = timezone.as_deref().map(validate_timezone).transpose()?;
    let shop_name = shop_name
        .as_deref()
        .map(|s| crate::accounts::validate_text("shop_name", s))
        .transpose()?;
    db.write(move |c| {
        if let Some(name) = &shop_name {
            set(c, SHOP_NAME, name)?;
        }
        if let Some(locale) = default_locale {
            set(c, DEFAULT_LOCALE, locale.tag())?;
        }
        if let Some(tz) = &timezone {
            set(c, TIMEZONE, tz)?;
            // Business hours are read in this zone: the SLA deadlines move.
            crate::sla::refresh_open(c, now_ms())?;
        }
        if let Some(d) = ticket_close_days {
            set(c, TICKET_CLOSE_DAYS, &d.to_string())?;
        }
        audit(c, actor.agent_id(), "settings.update", "shop", "")?;
        Ok(shop(c)?)
    })
    .await
}
