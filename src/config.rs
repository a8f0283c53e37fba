//! Configuration: built-in defaults, then `kefu.toml`, then `KEFU_*` environment
//! variables (and `KEFU_*_FILE` for secrets). Operational settings that a shop owner
//! edits (shop name, later SMTP and channels) live in the database, not here.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Where the config file is looked for when `--config` is not given.
pub const DEFAULT_CONFIG_PATH: &str = "/etc/kefu/kefu.toml";

/// The whole configuration, passed around in state (never a global).
#[derive(Clone, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address and port the HTTP server binds to.
    pub listen: String,
    /// Directory holding `kefu.db`, backups and (later) attachments.
    pub data_dir: PathBuf,
    /// Public URL of this installation, used in links we hand out (invites, emails).
    /// Defaults to `http://<listen>`.
    pub base_url: Option<String>,
    /// Log filter used when `RUST_LOG` is not set (e.g. `info`, `kefu=debug`).
    pub log_level: String,
    pub database: DatabaseConfig,
    pub http: HttpConfig,
    pub session: SessionConfig,
    pub smtp: SmtpConfig,
    pub outbox: OutboxConfig,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `full` (default): every acknowledged write survives a power cut.
    /// `normal`: faster, but the last commits may be lost on power loss (never corrupted).
    pub synchronous: Synchronous,
    /// Size of the read-connection pool.
    pub read_connections: u32,
    /// Most writes the writer commits together in one transaction.
    pub max_batch: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Synchronous {
    Full,
    Normal,
}

impl Synchronous {
    pub fn pragma_value(self) -> &'static str {
        match self {
            Synchronous::Full => "FULL",
            Synchronous::Normal => "NORMAL",
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// Largest JSON request body accepted, in KiB.
    pub max_body_kib: usize,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted reverse proxy).
    pub trust_proxy: bool,
    /// HTTP worker threads; 0 means one per CPU core.
    pub workers: usize,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SessionConfig {
    /// A session ends after this many days without use.
    pub idle_days: u32,
}

/// How the outbox worker retries mail the SMTP server did not take.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutboxConfig {
    /// Wait before the first retry; it doubles with each failure, up to an hour.
    pub retry_first_secs: u64,
    /// A mail still not taken after this many hours is marked failed (it can be
    /// retried from the console).
    pub give_up_hours: u64,
}

impl Default for OutboxConfig {
    fn default() -> Self {
        OutboxConfig {
            retry_first_secs: 30,
            give_up_hours: 72,
        }
    }
}

/// SMTP server used by `kefu send-test-email` (and, later, the outbox worker).
#[derive(Clone, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct SmtpConfig {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password: Option<String>,
    /// Sender, e.g. `"My Shop <service@myshop.example>"`.
    pub from: Option<String>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    None,
    #[default]
    Starttls,
    Tls,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            data_dir: PathBuf::from("./data"),
            base_url: None,
            log_level: "info".into(),
            database: DatabaseConfig::default(),
            http: HttpConfig::default(),
            session: SessionConfig::default(),
            smtp: SmtpConfig::default(),
            outbox: OutboxConfig::default(),
        }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            synchronous: Synchronous::Full,
            read_connections: 4,
            max_batch: 256,
        }
    }
}

impl Default for HttpConfig {
    fn default() -> Self {
        HttpConfig {
            max_body_kib: 256,
            trust_proxy: false,
            workers: 0,
        }
    }
}

impl Default for SessionConfig {
    fn default() -> Self {
        SessionConfig { idle_days: 30 }
    }
}

/// Something the loader wants the operator to know (printed once logging is up).
pub type Warning = String;

impl Config {
    /// Loads defaults → config file → environment. `explicit_path` is `--config`;
    /// without it `/etc/kefu/kefu.toml` is read when it exists.
    pub fn load(explicit_path: Option<&Path>) -> anyhow::Result<(Config, Vec<Warning>)> {
        let env: Vec<(String, String)> = std::env::vars().collect();
        Self::load_from(explicit_path, Path::new(DEFAULT_CONFIG_PATH), &env)
    }

    fn load_from(
        explicit_path: Option<&Path>,
        default_path: &Path,
        env: &[(String, String)],
    ) -> anyhow::Result<(Config, Vec<Warning>)> {
        let mut warnings = Vec::new();
        let path = match explicit_path {
            Some(p) => Some(p.to_path_buf()),
            None if default_path.exists() => Some(default_path.to_path_buf()),
            None => None,
        };
        let mut table = match &path {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .map_err(|e| anyhow::anyhow!("cannot read config file {}: {e}", p.display()))?;
                text.parse::<toml::Table>()
                    .map_err(|e| anyhow::anyhow!("config file {} does not parse: {e}", p.display()))?
            }
            None => toml::Table::new(),
        };
        let origin = path.as_ref().map(|p| p.display().to_string()).unwrap_or_default();
        warnings.extend(
            remove_unknown_keys(&mut table)
                .into_iter()
                .map(|k| format!("unknown key `{k}` in {origin} ignored")),
        );
        apply_env(&mut table, env, &mut warnings)?;
        let config: Config = toml::Value::Table(table)
            .try_into()
            .map_err(|e| anyhow::anyhow!("invalid configuration: {e}"))?;
        config.validate()?;
        Ok((config, warnings))
    }

    fn validate(&self) -> anyhow::Result<()> {
        if let Some(url) = &self.base_url
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            anyhow::bail!("base_url must start with http:// or https:// (got `{url}`)");
        }
        if self.database.read_connections == 0 {
            anyhow::bail!("database.read_connections must be at least 1");
        }
        if self.database.max_batch == 0 {
            anyhow::bail!("database.max_batch must be at least 1");
        }
        if self.http.max_body_kib == 0 {
            anyhow::bail!("http.max_body_kib must be at least 1");
        }
        Ok(())
    }

    /// Public base URL without a trailing slash.
    pub fn public_url(&self) -> String {
        match &self.base_url {
            Some(u) => u.trim_end_matches('/').to_string(),
            None => format!("http://{}", self.listen),
        }
    }

    /// Session cookies get `Secure` when the shop is served over https.
    pub fn cookies_secure(&self) -> bool {
        self.public_url().starts_with("https://")
    }

    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join("kefu.db")
    }

    /// Where images sent in chat are stored.
    pub fn attachments_dir(&self) -> PathBuf {
        self.data_dir.join("attachments")
    }

    pub fn backups_dir(&self) -> PathBuf {
        self.data_dir.join("backups")
    }

    /// Email templates placed here replace the built-in ones of the same name
    /// (`email/en/ticket_created.txt`…).
    pub fn email_templates_dir(&self) -> PathBuf {
        self.data_dir.join("email")
    }

    /// The configuration as TOML with secrets replaced by `***`.
    pub fn dump_masked(&self) -> String {
        let mut masked = self.clone();
        if masked.smtp.password.is_some() {
            masked.smtp.password = Some("***".into());
        }
        toml::to_string_pretty(&masked).unwrap_or_else(|e| format!("# cannot render: {e}"))
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.dump_masked())
    }
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("from", &self.from)
            .finish()
    }
}

/// Every key the config understands, as dotted paths.
fn known_keys() -> BTreeSet<String> {
    let rendered = toml::to_string(&Config {
        base_url: Some(String::new()),
        smtp: SmtpConfig {
            host: Some(String::new()),
            port: Some(0),
            username: Some(String::new()),
            password: Some(String::new()),
            from: Some(String::new()),
            ..SmtpConfig::default()
        },
        ..Config::default()
    })
    .expect("default config renders");
    let table: toml::Table = rendered.parse().expect("rendered config parses");
    let mut keys = BTreeSet::new();
    for (k, v) in &table {
        match v {
            toml::Value::Table(inner) => {
                for ik in inner.keys() {
                    keys.insert(format!("{k}.{ik}"));
                }
            }
            _ => {
                keys.insert(k.clone());
            }
        }
    }
    keys
}

/// Drops keys we do not know (so a typo warns instead of failing) and returns them.
fn remove_unknown_keys(table: &mut toml::Table) -> Vec<String> {
    let known = known_keys();
    let mut unknown = Vec::new();
    let sections: BTreeSet<String> = known
        .iter()
        .filter_map(|k| k.split_once('.').map(|(s, _)| s.to_string()))
        .collect();
    table.retain(|k, v| {
        if sections.contains(k) {
            if let toml::Value::Table(inner) = v {
                inner.retain(|ik, _| {
                    let ok = known.contains(&format!("{k}.{ik}"));
                    if !ok {
                        unknown.push(format!("{k}.{ik}"));
                    }
                    ok
                });
            }
            true
        } else if known.contains(k) {
            true
        } else {
            unknown.push(k.to_string());
            false
        }
    });
    unknown
}

/// Maps `KEFU_LISTEN`, `KEFU_DATA`, `KEFU_DATABASE_SYNCHRONOUS`, `KEFU_SMTP_PASSWORD_FILE`…
/// onto the table. Values are parsed as TOML scalars when they look like one.
fn apply_env(
    table: &mut toml::Table,
    env: &[(String, String)],
    warnings: &mut Vec<Warning>,
) -> anyhow::Result<()> {
    let known = known_keys();
    for (name, raw) in env {
        let Some(rest) = name.strip_prefix("KEFU_") else {
            continue;
        };
        let mut key = rest.to_ascii_lowercase();
        let mut value = raw.clone();
        if let Some(base) = key.strip_suffix("_file") {
            let path = raw.trim();
            value = std::fs::read_to_string(path)
                .map_err(|e| anyhow::anyhow!("{name}: cannot read {path}: {e}"))?
                .trim_end_matches(['\n', '\r'])
                .to_string();
            key = base.to_string();
        }
        if key == "data" {
            key = "data_dir".into();
        }
        let dotted = match known.iter().find(|k| k.replace('.', "_") == key) {
            Some(k) => k.clone(),
            None => {
                // KEFU_CONFIG is read by the CLI itself; anything else is a typo.
                if key != "config" {
                    warnings.push(format!("unknown environment variable {name} ignored"));
                }
                continue;
            }
        };
        let parsed = parse_env_value(&dotted, &value);
        match dotted.split_once('.') {
            Some((section, field)) => {
                let entry = table
                    .entry(section.to_string())
                    .or_insert_with(|| toml::Value::Table(toml::Table::new()));
                if let toml::Value::Table(t) = entry {
                    t.insert(field.to_string(), parsed);
                }
            }
            None => {
                table.insert(dotted, parsed);
            }
        }
    }
    Ok(())
}

fn parse_env_value(key: &str, value: &str) -> toml::Value {
    // Strings that happen to look like numbers (a password "1234") must stay strings.
    const NUMERIC_OR_BOOL: &[&str] = &[
        "database.read_connections",
        "database.max_batch",
        "http.max_body_kib",
        "http.trust_proxy",
        "http.workers",
        "session.idle_days",
        "smtp.port",
        "outbox.retry_first_secs",
        "outbox.give_up_hours",
    ];
    if NUMERIC_OR_BOOL.contains(&key) {
        if let Ok(i) = value.parse::<i64>() {
            return toml::Value::Integer(i);
        }
        if let Ok(b) = value.parse::<bool>() {
            return toml::Value::Boolean(b);
        }
    }
    toml::Value::String(value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(file: Option<&str>, env: &[(&str, &str)]) -> anyhow::Result<(Config, Vec<Warning>)> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kefu.toml");
        if let Some(text) = file {
            std::fs::write(&path, text).unwrap();
        }
        let env: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::load_from(
            file.map(|_| path.as_path()),
            &dir.path().join("absent.toml"),
            &env,
        )
    }

    #[test]
    fn defaults_when_nothing_is_given() {
        let (c, w) = load(None, &[]).unwrap();
        assert_eq!(c.listen, "127.0.0.1:8080");
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert_eq!(c.database.synchronous, Synchronous::Full);
        assert_eq!(c.public_url(), "http://127.0.0.1:8080");
        assert!(w.is_empty());
    }

    #[test]
    fn file_then_env_override() {
        let file =
            "listen = \"0.0.0.0:9000\"\ndata_dir = \"/srv/kefu\"\n[database]\nsynchronous = \"normal\"\n";
        let (c, _) = load(
            Some(file),
            &[("KEFU_LISTEN", "127.0.0.1:7000"), ("KEFU_HTTP_WORKERS", "3")],
        )
        .unwrap();
        assert_eq!(c.listen, "127.0.0.1:7000");
        assert_eq!(c.data_dir, PathBuf::from("/srv/kefu"));
        assert_eq!(c.database.synchronous, Synchronous::Normal);
        assert_eq!(c.http.workers, 3);
    }

    #[test]
    fn kefu_data_is_the_data_dir() {
        let (c, _) = load(None, &[("KEFU_DATA", "/tmp/x")]).unwrap();
        assert_eq!(c.data_dir, PathBuf::from("/tmp/x"));
    }

    #[test]
    fn unknown_keys_warn_but_load() {
        let (c, w) = load(
            Some("listen = \"127.0.0.1:1\"\nlistn = 3\n[database]\nsynchronus = \"full\"\n[nope]\na=1\n"),
            &[("KEFU_LISTN", "x")],
        )
        .unwrap();
        assert_eq!(c.listen, "127.0.0.1:1");
        let all = w.join("\n");
        assert!(all.contains("`listn`"), "{all}");
        assert!(all.contains("`database.synchronus`"), "{all}");
        assert!(all.contains("`nope`"), "{all}");
        assert!(all.contains("KEFU_LISTN"), "{all}");
    }

    #[test]
    fn broken_file_is_a_clear_error() {
        let err = load(Some("listen = [unclosed"), &[]).unwrap_err().to_string();
        assert!(err.contains("does not parse"), "{err}");
        let err = load(Some("[database]\nsynchronous = \"sometimes\""), &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("invalid configuration"), "{err}");
    }

    #[test]
    fn secrets_are_masked_and_file_secrets_read() {
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("pw");
        std::fs::write(&secret, "s3cret-1234\n").unwrap();
        let (c, _) = load(None, &[("KEFU_SMTP_PASSWORD_FILE", secret.to_str().unwrap())]).unwrap();
        assert_eq!(c.smtp.password.as_deref(), Some("s3cret-1234"));
        let dump = c.dump_masked();
        assert!(!dump.contains("s3cret"), "{dump}");
        assert!(dump.contains("***"));
        assert!(!format!("{c:?}").contains("s3cret"));
    }

    #[test]
    fn numeric_looking_password_stays_a_string() {
        let (c, _) = load(None, &[("KEFU_SMTP_PASSWORD", "123456")]).unwrap();
        assert_eq!(c.smtp.password.as_deref(), Some("123456"));
    }

    #[test]
    fn bad_base_url_refused() {
        let err = load(Some("base_url = \"shop.example\""), &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("base_url"), "{err}");
    }
}
