//! The single writer. Callers hand it closures; the writer thread takes everything
//! queued (up to `max_batch`), runs each closure in its own savepoint inside one
//! transaction, commits once, and only then answers every caller. One fsync thus
//! covers many writes, while each caller still learns its own outcome, and no caller
//! is told "saved" before the commit is on disk.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::thread::JoinHandle;

use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot};

use super::checkpoint::Nudge;
use crate::error::{AppError, AppResult};

/// Delivers a job's result once the outcome of the commit is known.
type Deliver = Box<dyn FnOnce(Option<&AppError>) + Send>;

/// Runs on the writer thread; returns whether the job succeeded plus its deliverer.
type Job = Box<dyn FnOnce(&Connection) -> (bool, Deliver) + Send>;

enum Message {
    Job(Job),
    Stop(oneshot::Sender<()>),
}

pub(super) struct WriterHandle {
    tx: mpsc::Sender<Message>,
}

pub(super) fn start(
    conn: Connection,
    max_batch: usize,
    nudge: Nudge,
) -> anyhow::Result<(WriterHandle, JoinHandle<()>)> {
    // Bounded: under overload callers wait (asynchronously) instead of piling up memory.
    let (tx, rx) = mpsc::channel(max_batch * 4);
    let thread = std::thread::Builder::new()
        .name("kefu-db-writer".into())
        .spawn(move || run(conn, rx, max_batch, nudge))?;
    Ok((WriterHandle { tx }, thread))
}

impl WriterHandle {
    pub(super) async fn submit<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&Connection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let (result_tx, result_rx) = oneshot::channel::<AppResult<T>>();
        let job: Job = Box::new(move |conn| {
            let result = f(conn);
            let ok = result.is_ok();
            let deliver: Deliver = Box::new(move |commit_error| {
                let outcome = match (commit_error, result) {
                    (Some(e), Ok(_)) => Err(e.duplicate()),
                    (_, r) => r,
                };
                let _ = result_tx.send(outcome);
            });
            (ok, deliver)
        });
        self.tx
            .send(Message::Job(job))
            .await
            .map_err(|_| AppError::unavailable(anyhow::anyhow!("database writer has stopped")))?;
        result_rx.await.map_err(|_| {
            AppError::internal(anyhow::anyhow!("write was abandoned (see the log for the cause)"))
        })?
    }

    pub(super) async fn stop(&self) {
        let (tx, rx) = oneshot::channel();
        if self.tx.send(Message::Stop(tx)).await.is_ok() {
            let _ = rx.await;
        }
    }
}

fn run(conn: Connection, mut rx: mpsc::Receiver<Message>, max_batch: usize, nudge: Nudge) {
    let mut batch: Vec<Job> = Vec::with_capacity(max_batch);
    while let Some(first) = rx.blocking_recv() {
        let mut stop = None;
        match first {
            Message::Job(job) => batch.push(job),
            Message::Stop(ack) => stop = Some(ack),
        }
        while stop.is_none() && batch.len() < max_batch {
            match rx.try_recv() {
                Ok(Message::Job(job)) => batch.push(job),
                Ok(Message::Stop(ack)) => stop = Some(ack),
                Err(_) => break,
            }
        }
        if !batch.is_empty() {
            commit_batch(&conn, batch.drain(..));
            nudge.committed();
        }
        if let Some(ack) = stop {
            // Leave an empty WAL behind so the next start opens instantly.
            if let Err(e) = conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)") {
                tracing::warn!(error = %e, "WAL checkpoint at shutdown failed");
            }
            rx.close();
            // Writes that raced with the stop are dropped unrun: their callers get an error.
            while rx.try_recv().is_ok() {}
            let _ = ack.send(());
            return;
        }
    }
}

fn commit_batch(conn: &Connection, jobs: impl Iterator<Item = Job>) {
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        // Dropping the jobs unrun tells each caller the write did not happen.
        tracing::error!(error = %e, "cannot begin write transaction");
        return;
    }
    let mut deliveries = Vec::new();
    for job in jobs {
        if let Err(e) = conn.execute_batch("SAVEPOINT job") {
            tracing::error!(error = %e, "cannot open savepoint");
            continue;
        }
        match catch_unwind(AssertUnwindSafe(|| job(conn))) {
            Ok((true, deliver)) => {
                release(conn, false);
                deliveries.push(deliver);
            }
            Ok((false, deliver)) => {
                release(conn, true);
                deliveries.push(deliver);
            }
            Err(_) => {
                tracing::error!("a write panicked; its changes were rolled back");
                release(conn, true);
            }
        }
    }
    let commit_error = match conn.execute_batch("COMMIT") {
        Ok(()) => None,
        Err(e) => {
            let err = AppError::from_sqlite(&e);
            tracing::error!(error = %e, "group commit failed; every write in it was rolled back");
            let _ = conn.execute_batch("ROLLBACK");
            Some(err)
        }
    };
    for deliver in deliveries {
        deliver(commit_error.as_ref());
    }
}

fn release(conn: &Connection, rollback: bool) {
    let sql = if rollback {
        "ROLLBACK TO job; RELEASE job"
    } else {
        "RELEASE job"
    };
    if let Err(e) = conn.execute_batch(sql) {
        tracing::error!(error = %e, "cannot release savepoint");
    }
}

#[cfg(test)]
mod tests {
    use crate::db::testing::temp_db;
    use crate::error::AppError;

    #[tokio::test]
    async fn a_failing_write_does_not_undo_its_neighbours() {
        let (_dir, db) = temp_db();
        let mut handles = Vec::new();
        for i in 0..50i64 {
            let db = db.clone();
            handles.push(tokio::spawn(async move {
                db.write(move |c| {
                    c.execute(
                        "INSERT INTO settings (key, value, updated_at) VALUES (?1, 'v', 0)",
                        [format!("k{i}")],
                    )?;
                    if i % 5 == 0 {
                        return Err(AppError::bad_request("invalid_json"));
                    }
                    Ok(i)
                })
                .await
            }));
        }
        let mut ok = 0;
        for h in handles {
            if h.await.unwrap().is_ok() {
                ok += 1;
            }
        }
        assert_eq!(ok, 40);
        let stored: i64 = db
            .read(|c| Ok(c.query_row("SELECT count(*) FROM settings", [], |r| r.get(0))?))
            .await
            .unwrap();
        assert_eq!(stored, 40, "exactly the successful writes are stored");
    }

    #[tokio::test]
    async fn writes_after_shutdown_fail_cleanly() {
        let (_dir, db) = temp_db();
        db.shutdown().await;
        let err = db.write(|_| Ok(())).await.unwrap_err();
        assert_eq!(err.code, "unavailable");
    }

    #[tokio::test]
    async fn readers_cannot_write() {
        let (_dir, db) = temp_db();
        let err = db
            .read(|c| {
                c.execute("INSERT INTO settings VALUES ('a', 'b', 0)", [])?;
                Ok(())
            })
            .await;
        assert!(err.is_err());
    }
}
