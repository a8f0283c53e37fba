//! `kefu <command>`: the operations an operator runs. `serve` is the default.

use std::io::{BufRead, IsTerminal, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::db;

mod kb;
mod routing;

#[derive(Parser)]
#[command(
    name = "kefu",
    version,
    about = "kefu (客服): a self-hosted customer-service desk for small shops",
    long_about = "kefu (客服): a self-hosted customer-service desk for small shops.\n\
        One binary, one SQLite file. Without a command, `kefu` serves.\n\n\
        Configuration: built-in defaults, then the config file (--config, or /etc/kefu/kefu.toml \
        if it exists), then KEFU_* environment variables, then these flags."
)]
struct Cli {
    /// Config file (default: /etc/kefu/kefu.toml when it exists).
    #[arg(long, global = true, env = "KEFU_CONFIG", value_name = "FILE")]
    config: Option<PathBuf>,
    /// Data directory holding kefu.db and backups (env KEFU_DATA).
    #[arg(long, global = true, value_name = "DIR")]
    data: Option<PathBuf>,
    /// Address to listen on, e.g. 127.0.0.1:8080 (env KEFU_LISTEN).
    #[arg(long, global = true, value_name = "ADDR")]
    listen: Option<String>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default). Applies pending migrations first, after a backup.
    Serve,
    /// Apply pending database migrations and exit (a backup is taken first).
    Migrate,
    /// Write a consistent copy of the database to FILE; safe while kefu is serving.
    Backup {
        /// Where to write the backup, e.g. /var/backups/kefu-2026-01-01.db
        file: PathBuf,
        /// Replace FILE if it exists.
        #[arg(long)]
        force: bool,
    },
    /// Replace the database with a backup. Refuses while kefu is running; the
    /// current database is saved into <data>/backups/ first.
    Restore {
        /// A file made by `kefu backup`.
        file: PathBuf,
    },
    /// Create the owner account (on an empty install) or another admin.
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Shop name (used when this creates the owner).
        #[arg(long)]
        shop_name: Option<String>,
        /// Read the password from standard input instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a new password for an account and log it out everywhere.
    ResetPassword {
        #[arg(long)]
        email: String,
        /// Read the password from standard input instead of prompting.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Send a test email through the configured SMTP server ([smtp] in kefu.toml).
    SendTestEmail {
        /// Recipient address.
        to: String,
    },
    /// Exit 0 if the server answers GET /healthz with 200, else 1 (for scripts and containers).
    Healthcheck {
        /// Full URL to check instead of http://<listen>/healthz.
        #[arg(long)]
        url: Option<String>,
        /// Seconds to wait for the answer.
        #[arg(long, default_value_t = 5)]
        timeout: u64,
    },
    /// Print the effective configuration as TOML, secrets masked.
    ConfigDump,
    /// The knowledge base: import and export articles, measure the bot's answers.
    Kb {
        #[command(subcommand)]
        command: kb::KbCommand,
    },
    /// Routing: measure the intent classifier.
    Routing {
        #[command(subcommand)]
        command: routing::RoutingCommand,
    },
    /// Load the demo shop (knowledge base in zh-CN and en, synonyms, a chat inbox,
    /// intents and their teams) into an empty data directory, to try kefu out.
    Demo,
}

/// Parses the command line, runs the command, maps errors to a message and exit 1.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("kefu: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn load_config(cli: &Cli) -> anyhow::Result<Config> {
    let (mut config, warnings) = Config::load(cli.config.as_deref())?;
    if let Some(d) = &cli.data {
        config.data_dir = d.clone();
    }
    if let Some(l) = &cli.listen {
        config.listen = l.clone();
    }
    let serving = matches!(cli.command, None | Some(Command::Serve));
    init_logging(&config, serving);
    for w in warnings {
        tracing::warn!("{w}");
    }
    Ok(config)
}

fn init_logging(config: &Config, serving: bool) {
    use tracing_subscriber::EnvFilter;
    let default = if serving {
        config.log_level.as_str()
    } else {
        "warn"
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

fn dispatch(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = load_config(&cli)?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config)?,
        Command::Migrate => {
            let (_lock, db) = crate::open_data_dir(&config)?;
            let version = runtime()?.block_on(async {
                let v = db.read(|c| Ok(db::schema_version(c)?)).await;
                db.shutdown().await;
                v
            })?;
            println!(
                "database {} is at schema version {version}",
                config.db_path().display()
            );
        }
        Command::Backup { file, force } => {
            let version = db::backup_database(&config.db_path(), &file, force)?;
            println!(
                "backed up {} (schema version {version}) to {}",
                config.db_path().display(),
                file.display()
            );
        }
        Command::Restore { file } => {
            let report =
                db::restore_database(&config.data_dir, &config.db_path(), &config.backups_dir(), &file)?;
            if let Some(saved) = report.previous_saved_to {
                println!("saved the previous database to {}", saved.display());
            }
            println!(
                "restored {} (schema version {}) into {}; start kefu to use it",
                file.display(),
                report.restored_version,
                config.db_path().display()
            );
        }
        Command::CreateAdmin {
            email,
            name,
            shop_name,
            password_stdin,
        } => {
            let password = read_password(password_stdin)?;
            let (_lock, db) = crate::open_data_dir(&config)?;
            let (agent, role) = with_db(db, move |db| async move {
                crate::accounts::setup::create_admin_cli(&db, &email, &name, password, shop_name).await
            })?;
            println!(
                "created {} {} <{}> (id {})",
                role.as_str(),
                agent.name,
                agent.email,
                agent.id
            );
        }
        Command::ResetPassword {
            email,
            password_stdin,
        } => {
            let password = read_password(password_stdin)?;
            let (_lock, db) = crate::open_data_dir(&config)?;
            let agent = with_db(db, move |db| async move {
                crate::accounts::agents::set_password_by_email(&db, &email, password).await
            })?;
            println!(
                "password changed for {} <{}>; their sessions were ended",
                agent.name, agent.email
            );
        }
        Command::SendTestEmail { to } => {
            let (shop, smtp) = shop_and_smtp(&config);
            let smtp = smtp.ok_or_else(|| {
                anyhow::anyhow!(
                    "no SMTP server is configured: set it in the console (Settings → Email), \
                     or [smtp] host and from in kefu.toml (or KEFU_SMTP_HOST, KEFU_SMTP_FROM)"
                )
            })?;
            let reply = runtime()?.block_on(crate::notify::mailer::send_test_email(&smtp, &to, &shop))?;
            println!(
                "sent a test email to {to} through {}:{}; the server said: {reply}",
                smtp.host, smtp.port
            );
        }
        Command::Healthcheck { url, timeout } => {
            let url = url.unwrap_or_else(|| format!("http://{}/healthz", local_address(&config.listen)));
            return Ok(match healthcheck(&url, Duration::from_secs(timeout)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("kefu: unhealthy: {e:#}");
                    ExitCode::FAILURE
                }
            });
        }
        Command::ConfigDump => print!("{}", config.dump_masked()),
        Command::Kb { command } => return kb::run(&config, command),
        Command::Routing { command } => return routing::run(&config, command),
        Command::Demo => kb::demo(&config)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn serve(config: Config) -> anyhow::Result<()> {
    let listener = std::net::TcpListener::bind(&config.listen)
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    runtime()?.block_on(crate::run(config, listener, shutdown_signal()))
}

/// Resolves on SIGTERM (systemd stop) or Ctrl-C.
async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// Runs one async account operation with a database, then shuts the writer down.
fn with_db<T, F, Fut>(db: db::Db, f: F) -> anyhow::Result<T>
where
    F: FnOnce(db::Db) -> Fut,
    Fut: std::future::Future<Output = crate::error::AppResult<T>>,
{
    runtime()?.block_on(async move {
        let result = f(db.clone()).await;
        db.shutdown().await;
        result.map_err(|e| anyhow::anyhow!("{}", e.message(crate::i18n::Lang::En)))
    })
}

/// The shop's name and the SMTP settings in effect: the console's (read from the
/// database, which may be in use by a running server) or kefu.toml's.
fn shop_and_smtp(config: &Config) -> (String, Option<crate::notify::smtp::SmtpSettings>) {
    let from_file = || crate::notify::smtp::from_config(&config.smtp);
    let Ok(conn) =
        rusqlite::Connection::open_with_flags(config.db_path(), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return (String::new(), from_file());
    };
    let shop = crate::settings::get(&conn, crate::settings::SHOP_NAME)
        .ok()
        .flatten()
        .unwrap_or_default();
    match crate::notify::smtp::effective(&conn, &config.smtp) {
        Ok((_, smtp)) => (shop, smtp),
        Err(_) => (shop, from_file()),
    }
}

fn read_password(from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin || !std::io::stdin().is_terminal() {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        let p = line.trim_end_matches(['\n', '\r']).to_string();
        if p.is_empty() {
            bail!("no password on standard input");
        }
        return Ok(p);
    }
    let first = rpassword::prompt_password("New password: ")?;
    let second = rpassword::prompt_password("Repeat it: ")?;
    if first != second {
        bail!("the two passwords differ; nothing was changed");
    }
    Ok(first)
}

/// `0.0.0.0:8080` → `127.0.0.1:8080`: a wildcard listen address is reached locally.
fn local_address(listen: &str) -> String {
    if let Some(port) = listen.strip_prefix("0.0.0.0:") {
        format!("127.0.0.1:{port}")
    } else if let Some(port) = listen.strip_prefix("[::]:") {
        format!("[::1]:{port}")
    } else {
        listen.to_string()
    }
}

/// A minimal HTTP/1.0 GET, so the check needs no HTTP client library.
fn healthcheck(url: &str, timeout: Duration) -> anyhow::Result<()> {
    let rest = url
        .strip_prefix("http://")
        .context("only http:// URLs can be checked (check the local address, not the public https one)")?;
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_string()), |(h, p)| (h, format!("/{p}")));
    let addr = host
        .to_socket_addrs()
        .with_context(|| format!("cannot resolve {host}"))?
        .next()
        .with_context(|| format!("no address for {host}"))?;
    let mut stream =
        TcpStream::connect_timeout(&addr, timeout).with_context(|| format!("cannot connect to {host}"))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.take(64 * 1024).read_to_string(&mut response)?;
    let status = response.lines().next().unwrap_or("");
    if status.split_whitespace().nth(1) == Some("200") {
        Ok(())
    } else {
        bail!("{url} answered `{status}`")
    }
}
