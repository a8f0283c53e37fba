//! The one list of background jobs. Each is a plain async function run on an
//! interval; errors are logged and the loop goes on. The outbox worker runs here
//! too. All are aborted at shutdown.

use std::time::Duration;

use actix_web::web;
use tokio::task::JoinSet;

use crate::accounts::sessions;
use crate::http::AppState;

pub fn spawn_all(state: web::Data<AppState>) -> JoinSet<()> {
    let mut set = JoinSet::new();
    let st = state.clone();
    set.spawn(every(
        Duration::from_secs(3600),
        "purge_expired_sessions",
        move || {
            let st = st.clone();
            async move { sessions::purge_expired(&st.db).await.map(|n| n as u64) }
        },
    ));
    let st = state.clone();
    set.spawn(every(
        Duration::from_secs(3600),
        "purge_unused_attachments",
        move || {
            let st = st.clone();
            async move {
                crate::attachments::purge_unused(&st.db, st.config.attachments_dir())
                    .await
                    .map(|n| n as u64)
            }
        },
    ));
    let st = state.clone();
    set.spawn(every(
        Duration::from_secs(15),
        "wake_snoozed_conversations",
        move || {
            let st = st.clone();
            async move {
                crate::conversations::wake_snoozed(&st.db, &st.hub)
                    .await
                    .map(|n| n as u64)
            }
        },
    ));
    let st = state.clone();
    set.spawn(every(
        Duration::from_secs(10),
        "settle_idle_bot_conversations",
        move || {
            let st = st.clone();
            async move {
                let idle = st.db.read(|c| Ok(crate::bot::outcomes::idle_ms(c)?)).await?;
                crate::bot::chat::settle_idle(&st.bot(), idle).await
            }
        },
    ));
    // Train the classifier now rather than inside the first customer message's
    // write (building the analyser takes a moment and would hold the writer).
    let st = state.clone();
    set.spawn(async move {
        if let Err(e) = st.router.reload(&st.db).await {
            tracing::warn!(error = ?e, "cannot train the intent classifier at start");
        }
    });
    set.spawn(state.router.clone().train_on_labels(state.db.clone()));
    let st = state.clone();
    set.spawn(every(
        Duration::from_secs(300),
        "close_solved_tickets",
        move || {
            let st = st.clone();
            async move { crate::tickets::close_solved(&st.db).await.map(|n| n as u64) }
        },
    ));
    set.spawn(crate::sla::watch::run(state.clone()));
    set.spawn(crate::channels::email::reader::run(state.clone()));
    set.spawn(crate::notify::run_worker(
        state.db.clone(),
        state.mailroom.clone(),
    ));
    if let Some(interval) = sd_notify::watchdog_enabled() {
        set.spawn(watchdog(state, interval / 2));
    }
    set
}

async fn every<F, Fut>(interval: Duration, name: &'static str, job: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = crate::error::AppResult<u64>>,
{
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        match job().await {
            Ok(n) => tracing::debug!(job = name, affected = n, "job done"),
            Err(e) => tracing::warn!(job = name, error = ?e, "job failed"),
        }
    }
}

/// Tells systemd we are alive only while the database still answers.
async fn watchdog(state: web::Data<AppState>, period: Duration) {
    let mut tick = tokio::time::interval(period);
    loop {
        tick.tick().await;
        if state.db.read(|c| Ok(crate::db::schema_version(c)?)).await.is_ok() {
            let _ = sd_notify::notify(&[sd_notify::NotifyState::Watchdog]);
        }
    }
}
