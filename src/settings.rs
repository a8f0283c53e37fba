//! Shop-wide settings the owner edits in the console (key/value rows). Deployment
//! settings (address, data dir) live in `config` instead.

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use utoipa::ToSchema;

use crate::accounts::{Principal, audit};
use crate::db::Db;
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::util::now_ms;

pub const SHOP_NAME: &str = "shop_name";
pub const DEFAULT_LOCALE: &str = "default_locale";

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
}

pub fn shop(conn: &Connection) -> rusqlite::Result<ShopSettings> {
    Ok(ShopSettings {
        shop_name: get(conn, SHOP_NAME)?.unwrap_or_default(),
        default_locale: get(conn, DEFAULT_LOCALE)?
            .as_deref()
            .and_then(Lang::parse_exact)
            .unwrap_or(Lang::ZhCn),
    })
}

pub async fn update_shop(
    db: &Db,
    actor: Principal,
    shop_name: Option<String>,
    default_locale: Option<Lang>,
) -> AppResult<ShopSettings> {
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
        audit(c, actor.agent_id(), "settings.update", "shop", "")?;
        Ok(shop(c)?)
    })
    .await
}
