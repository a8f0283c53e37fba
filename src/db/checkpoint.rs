//! WAL checkpoints off the writer's path. SQLite's automatic checkpoint runs inside
//! the commit that crosses its threshold, so every thousand pages one group of
//! callers also waited for the copy into the main file and its fsync — on a small
//! disk the slowest thing kefu does. Instead the writer turns automatic checkpoints
//! off and nudges this thread after each commit; it copies the WAL back at most once
//! a second while writes come in (PASSIVE: it never blocks the writer or readers).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender, TrySendError, sync_channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::Connection;

/// How long writes may gather in the WAL before they are copied back.
const EVERY: Duration = Duration::from_secs(1);

/// Held by the writer; dropping it stops the checkpointer.
pub(super) struct Nudge(SyncSender<()>);

impl Nudge {
    /// Tells the checkpointer there is something new in the WAL. Never blocks.
    pub(super) fn committed(&self) {
        match self.0.try_send(()) {
            Ok(()) | Err(TrySendError::Full(())) => {}
            Err(TrySendError::Disconnected(())) => {
                tracing::warn!("the WAL checkpointer has stopped; the WAL grows until restart");
            }
        }
    }
}

/// Counts checkpoints that copied the whole WAL back (for tests and diagnostics).
pub(super) type Completed = Arc<AtomicU64>;

/// Starts the thread on a connection of its own.
pub(super) fn start(conn: Connection) -> anyhow::Result<(Nudge, Completed, JoinHandle<()>)> {
    let (tx, rx) = sync_channel(1);
    let completed = Completed::default();
    let count = completed.clone();
    let thread = std::thread::Builder::new()
        .name("kefu-db-checkpoint".into())
        .spawn(move || run(&conn, &rx, &count))?;
    Ok((Nudge(tx), completed, thread))
}

fn run(conn: &Connection, nudges: &Receiver<()>, completed: &AtomicU64) {
    // Each round: wait for a commit, let more gather, then copy them all back.
    while nudges.recv().is_ok() {
        let deadline = Instant::now() + EVERY;
        loop {
            match nudges.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(()) => {}
                Err(RecvTimeoutError::Timeout) => break,
                // The writer stopped; it checkpoints the rest itself.
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
        // Columns: busy, pages in the WAL, pages copied back.
        match conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| {
            Ok((r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
        }) {
            Ok((log, copied)) if log == copied => {
                completed.fetch_add(1, Ordering::Relaxed);
            }
            // A reader still needs older pages: the next round continues.
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "WAL checkpoint failed; retrying after the next write"),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use crate::db::testing::temp_db;

    #[tokio::test]
    async fn the_checkpointer_not_the_writer_copies_the_wal_back() {
        let (_dir, db) = temp_db();
        let auto: i64 = db
            .write(|c| Ok(c.query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))?))
            .await
            .unwrap();
        assert_eq!(auto, 0, "the writer leaves checkpoints to the checkpointer");
        let before = db.checkpoints_completed();
        for i in 0..20 {
            db.write(move |c| {
                c.execute(
                    "INSERT INTO settings (key, value, updated_at) VALUES (?1, 'v', 0)",
                    [format!("k{i}")],
                )?;
                Ok(())
            })
            .await
            .unwrap();
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while db.checkpoints_completed() == before && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(
            db.checkpoints_completed() > before,
            "no checkpoint within 10 s of the writes"
        );
        db.shutdown().await;
    }
}
