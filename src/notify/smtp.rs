//! Which SMTP server kefu sends through. The owner sets it in the console (stored
//! as the `smtp` setting); until then the `[smtp]` section of kefu.toml applies, so
//! existing installs and `kefu send-test-email` keep working.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::config::{SmtpConfig, SmtpTls};
use crate::error::{AppError, AppResult};

const KEY: &str = "smtp";
const HOST_MAX: usize = 253;

/// The SMTP server and sender in effect.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: SmtpTls,
    pub username: String,
    pub password: String,
    pub from_name: String,
    pub from_email: String,
    /// Put the reply token into Reply-To as `user+token@domain`. Only for mailboxes
    /// that deliver plus-addressed mail to `user@domain` (Gmail, Fastmail, Outlook…).
    #[serde(default)]
    pub plus_addressing: bool,
}

/// Where the settings in effect come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSource {
    Console,
    ConfigFile,
    None,
}

/// What the console shows: everything but the password.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SmtpView {
    pub source: SmtpSource,
    pub host: String,
    pub port: u16,
    #[schema(value_type = String)]
    pub tls: SmtpTls,
    pub username: String,
    pub password_set: bool,
    pub from_name: String,
    pub from_email: String,
    pub plus_addressing: bool,
}

/// A change from the console. `password: None` keeps the stored one.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct SmtpUpdate {
    pub host: String,
    pub port: Option<u16>,
    #[schema(value_type = String)]
    pub tls: SmtpTls,
    #[serde(default)]
    pub username: String,
    pub password: Option<String>,
    #[serde(default)]
    pub from_name: String,
    pub from_email: String,
    #[serde(default)]
    pub plus_addressing: bool,
}

pub fn default_port(tls: SmtpTls) -> u16 {
    match tls {
        SmtpTls::None => 25,
        SmtpTls::Starttls => 587,
        SmtpTls::Tls => 465,
    }
}

fn stored(conn: &Connection) -> rusqlite::Result<Option<SmtpSettings>> {
    Ok(crate::settings::get(conn, KEY)?.and_then(|v| serde_json::from_str(&v).ok()))
}

/// The settings saved in the console, else those of kefu.toml, else none.
pub fn effective(
    conn: &Connection,
    file: &SmtpConfig,
) -> rusqlite::Result<(SmtpSource, Option<SmtpSettings>)> {
    if let Some(s) = stored(conn)? {
        return Ok((SmtpSource::Console, Some(s)));
    }
    Ok(match from_config(file) {
        Some(s) => (SmtpSource::ConfigFile, Some(s)),
        None => (SmtpSource::None, None),
    })
}

/// The `[smtp]` section, if it names a host and a sender.
pub fn from_config(file: &SmtpConfig) -> Option<SmtpSettings> {
    let host = file.host.as_deref().map(str::trim).filter(|h| !h.is_empty())?;
    let (from_name, from_email) = split_mailbox(file.from.as_deref().unwrap_or(""));
    Some(SmtpSettings {
        host: host.to_string(),
        port: file.port.unwrap_or(default_port(file.tls)),
        tls: file.tls,
        username: file.username.clone().unwrap_or_default(),
        password: file.password.clone().unwrap_or_default(),
        from_name,
        from_email,
        plus_addressing: false,
    })
}

/// `"My Shop <service@shop.example>"` → ("My Shop", "service@shop.example").
fn split_mailbox(raw: &str) -> (String, String) {
    match raw.rsplit_once('<') {
        Some((name, rest)) => (
            name.trim().trim_matches('"').to_string(),
            rest.trim_end_matches('>').trim().to_string(),
        ),
        None => (String::new(), raw.trim().to_string()),
    }
}

pub fn view(source: SmtpSource, s: Option<&SmtpSettings>) -> SmtpView {
    let empty = SmtpSettings {
        host: String::new(),
        port: default_port(SmtpTls::Starttls),
        tls: SmtpTls::Starttls,
        username: String::new(),
        password: String::new(),
        from_name: String::new(),
        from_email: String::new(),
        plus_addressing: false,
    };
    let s = s.unwrap_or(&empty);
    SmtpView {
        source,
        host: s.host.clone(),
        port: s.port,
        tls: s.tls,
        username: s.username.clone(),
        password_set: !s.password.is_empty(),
        from_name: s.from_name.clone(),
        from_email: s.from_email.clone(),
        plus_addressing: s.plus_addressing,
    }
}

/// Checks an update and merges the password in effect (the console's, else
/// kefu.toml's) when none was typed; nothing is saved here.
pub fn validate(conn: &Connection, file: &SmtpConfig, u: SmtpUpdate) -> AppResult<SmtpSettings> {
    let host = u.host.trim().to_string();
    let host_ok = !host.is_empty()
        && host.len() <= HOST_MAX
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':' | '[' | ']'));
    if !host_ok {
        return Err(AppError::bad_request("invalid_smtp_host"));
    }
    let port = u.port.unwrap_or(default_port(u.tls));
    if port == 0 {
        return Err(AppError::bad_request("invalid_port"));
    }
    let from_email = crate::accounts::validate_email(&u.from_email)
        .map_err(|_| AppError::bad_request("invalid_sender"))?;
    let from_name = crate::accounts::validate_optional_text("from_name", &u.from_name, 100)?;
    let username = crate::accounts::validate_optional_text("username", &u.username, 254)?;
    let password = match u.password {
        Some(p) => p,
        None => effective(conn, file)?.1.map(|s| s.password).unwrap_or_default(),
    };
    if password.len() > 1024 || password.chars().any(char::is_control) {
        return Err(AppError::bad_request("invalid_password"));
    }
    Ok(SmtpSettings {
        host,
        port,
        tls: u.tls,
        username,
        password,
        from_name,
        from_email,
        plus_addressing: u.plus_addressing,
    })
}

pub fn save(conn: &Connection, s: &SmtpSettings) -> AppResult<()> {
    let json = serde_json::to_string(s).map_err(AppError::internal)?;
    crate::settings::set(conn, KEY, &json)?;
    Ok(())
}

/// Forgets the console's settings (kefu.toml applies again).
pub fn clear(conn: &Connection) -> rusqlite::Result<()> {
    conn.prepare_cached("DELETE FROM settings WHERE key = ?1")?
        .execute([KEY])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sender_from_the_config_file_is_split() {
        assert_eq!(
            split_mailbox("\"小王的店\" <service@shop.example>"),
            ("小王的店".into(), "service@shop.example".into())
        );
        assert_eq!(
            split_mailbox("a@b.example"),
            (String::new(), "a@b.example".into())
        );
    }
}
