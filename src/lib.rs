//! kefu (客服): a self-hosted customer-service desk for small shops — one binary,
//! one SQLite file. `run` is the whole server; `main.rs` and the tests both call it.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod assets;
pub mod attachments;
pub mod bot;
pub mod business_hours;
pub mod canned;
pub mod channels;
pub mod cli;
pub mod config;
pub mod contacts;
pub mod conversations;
pub mod db;
pub mod error;
pub mod http;
pub mod i18n;
pub mod inboxes;
pub mod jobs;
pub mod kb;
pub mod labels;
pub mod notifications;
pub mod notify;
pub mod realtime;
pub mod routing;
pub mod settings;
pub mod sla;
pub mod tickets;
pub mod util;

use std::future::Future;
use std::net::TcpListener;
use std::sync::Arc;

use actix_web::{HttpServer, web};
use anyhow::Context;

use crate::accounts::ratelimit::{LimitPolicy, LoginLimiter};
use crate::config::Config;
use crate::db::{DataDirLock, Db};

/// Creates the data directory if needed, takes its lock (one server per directory)
/// and opens the database, applying pending migrations after a backup.
pub fn open_data_dir(config: &Config) -> anyhow::Result<(DataDirLock, Db)> {
    let dir = &config.data_dir;
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
    let lock = DataDirLock::acquire(dir).with_context(|| {
        format!(
            "the data directory {} must be writable by this user",
            dir.display()
        )
    })?;
    let (db, report) = Db::open(&config.db_path(), &config.database, &config.backups_dir())?;
    db::match_data_dir_owner(dir);
    if report.from_version != report.to_version {
        tracing::info!(
            from = report.from_version,
            to = report.to_version,
            backup = ?report.backup,
            "database migrated"
        );
    }
    Ok((lock, db))
}

/// Serves kefu on `listener` until `shutdown` resolves, then stops gracefully:
/// in-flight requests finish, queued writes commit, the WAL is checkpointed.
pub async fn run(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    run_with_policy(config, listener, shutdown, LimitPolicy::default()).await
}

/// `run` with a chosen login rate-limit policy (tests use short windows).
pub async fn run_with_policy(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
    policy: LimitPolicy,
) -> anyhow::Result<()> {
    let mut config = config;
    let address = listener.local_addr()?;
    // Links we hand out must carry the real port when none was configured (e.g. port 0).
    config.base_url.get_or_insert_with(|| format!("http://{address}"));
    let config = Arc::new(config);
    let cfg = config.clone();
    let (lock, db) = tokio::task::spawn_blocking(move || open_data_dir(&cfg)).await??;
    let state = web::Data::new(http::AppState::new(
        db.clone(),
        config.clone(),
        LoginLimiter::new(policy),
    ));
    let workers = match config.http.workers {
        0 => std::thread::available_parallelism().map_or(2, |n| n.get().min(4)),
        n => n,
    };
    let app_state = state.clone();
    let server = HttpServer::new(move || http::app(app_state.clone()))
        .workers(workers)
        // Blocking work is SQLite and argon2, bounded by the read pool and the
        // writer anyway; more threads would only add stacks and malloc arenas.
        .worker_max_blocking_threads(config.database.read_connections as usize + 4)
        // Chat frames are small and must leave at once: Nagle's algorithm held a
        // console's stream of frames back by a median 17 ms under load.
        .tcp_nodelay(true)
        .disable_signals()
        .shutdown_timeout(10)
        .listen(listener)
        .context("cannot serve on the listener")?
        .run();
    let handle = server.handle();
    let mut server_task = tokio::spawn(server);
    let mut background = jobs::spawn_all(state.clone());
    // An index written by an older analyser is rebuilt before anyone searches it.
    let kb = state.kb.clone();
    if let Err(e) = state.kb.write(&state.db, move |c| kb.check_version(c)).await {
        tracing::error!(error = %e, "cannot check the knowledge base's search index");
    }
    tracing::info!(%address, url = %config.public_url(), "kefu is serving");
    let _ = sd_notify::notify(&[sd_notify::NotifyState::Ready]);

    tokio::select! {
        result = &mut server_task => {
            result.context("server task failed")?.context("server failed")?;
        }
        () = shutdown => {
            tracing::info!("shutting down");
            let _ = sd_notify::notify(&[sd_notify::NotifyState::Stopping]);
            state.closing.send_replace(true);
            handle.stop(true).await;
            let _ = server_task.await;
        }
    }
    background.abort_all();
    db.shutdown().await;
    drop(lock);
    tracing::info!("stopped");
    Ok(())
}
