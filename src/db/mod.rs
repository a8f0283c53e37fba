//! The database: one SQLite file in WAL mode. Reads go through a pool of read-only
//! connections on blocking threads; every write goes through the single writer
//! thread, which commits queued writes together (group commit). Also owns
//! migrations, online backups and the data-directory lock.

mod backup;
mod checkpoint;
mod lock;
mod migrate;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::Connection;

pub use backup::{backup_database, restore_database};
pub use lock::{DataDirLock, match_data_dir_owner};
pub use migrate::{MIGRATIONS, Migration, latest_version, migrate_to, schema_version};

use crate::config::{DatabaseConfig, Synchronous};
use crate::error::{AppError, AppResult};

/// Cheap to clone; all clones share the same pool and writer.
#[derive(Clone)]
pub struct Db {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    readers: r2d2::Pool<SqliteConnectionManager>,
    writer: writer::WriterHandle,
    /// The writer's thread, then the checkpointer's (which stops after the writer).
    threads: Mutex<Vec<std::thread::JoinHandle<()>>>,
    checkpoints: checkpoint::Completed,
}

/// What `Db::open` did, for the start-up log.
#[derive(Debug)]
pub struct OpenReport {
    pub from_version: u32,
    pub to_version: u32,
    pub backup: Option<PathBuf>,
}

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Applies the settings every connection must have (one place, so they never differ).
fn configure(conn: &Connection, sync: Synchronous) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // A ticket change alone runs about twenty distinct statements (SLA clocks,
    // events, notifications); rusqlite's default of 16 would recompile some each time.
    conn.set_prepared_statement_cache_capacity(128);
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", sync.pragma_value())?;
    Ok(())
}

impl Db {
    /// Opens (creating if needed) the database, refuses one newer than this binary,
    /// backs up a non-empty database into `backups_dir` before migrating it, applies
    /// pending migrations, then starts the writer and the read pool.
    pub fn open(path: &Path, cfg: &DatabaseConfig, backups_dir: &Path) -> anyhow::Result<(Db, OpenReport)> {
        let mut conn =
            Connection::open(path).with_context(|| format!("cannot open database {}", path.display()))?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
            .with_context(|| format!("cannot use database {}", path.display()))?;
        if !mode.eq_ignore_ascii_case("wal") {
            anyhow::bail!("database {} cannot use WAL mode (got {mode})", path.display());
        }
        configure(&conn, cfg.synchronous)?;
        let report = migrate::bring_up_to_date(&mut conn, path, backups_dir)?;

        let sync = cfg.synchronous;
        let manager = SqliteConnectionManager::file(path).with_init(move |c| {
            configure(c, sync)?;
            // Readers must never write: all writes go through the writer.
            c.pragma_update(None, "query_only", "ON")
        });
        let readers = r2d2::Pool::builder()
            .max_size(cfg.read_connections)
            .min_idle(Some(0))
            .idle_timeout(Some(Duration::from_secs(300)))
            .connection_timeout(Duration::from_secs(10))
            .build_unchecked(manager);
        let checkpoint_conn = Connection::open(path)?;
        configure(&checkpoint_conn, sync)?;
        let (nudge, checkpoints, checkpointer) = checkpoint::start(checkpoint_conn)?;
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        let (writer, thread) = writer::start(conn, cfg.max_batch, nudge)?;
        let db = Db {
            inner: Arc::new(Inner {
                path: path.to_path_buf(),
                readers,
                writer,
                threads: Mutex::new(vec![thread, checkpointer]),
                checkpoints,
            }),
        };
        Ok((db, report))
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `f` on a read connection on a blocking thread.
    pub async fn read<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&Connection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.inner.readers.clone();
        tokio::task::spawn_blocking(move || {
            let conn = pool.get()?;
            f(&conn)
        })
        .await
        .map_err(|e| AppError::internal(anyhow::anyhow!("read task failed: {e}")))?
    }

    /// Runs `f` inside the writer's current transaction, in a savepoint of its own:
    /// if `f` fails only its changes are rolled back. Resolves after the transaction
    /// holding the change is committed to disk.
    pub async fn write<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&Connection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.inner.writer.submit(f).await
    }

    /// Lets queued writes finish, checkpoints the WAL into the main file and stops
    /// the writer. Writes submitted afterwards fail with `unavailable`.
    pub async fn shutdown(&self) {
        self.inner.writer.stop().await;
        let threads = self
            .inner
            .threads
            .lock()
            .map(|mut t| std::mem::take(&mut *t))
            .unwrap_or_default();
        let _ = tokio::task::spawn_blocking(move || threads.into_iter().for_each(|t| drop(t.join()))).await;
    }

    /// How many checkpoints copied the whole WAL back into the main file.
    pub fn checkpoints_completed(&self) -> u64 {
        self.inner.checkpoints.load(std::sync::atomic::Ordering::Relaxed)
    }
}

#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// A migrated database in a temp dir, for unit tests.
    pub fn temp_db() -> (tempfile::TempDir, Db) {
        let dir = tempfile::tempdir().unwrap();
        let (db, _) = Db::open(
            &dir.path().join("kefu.db"),
            &DatabaseConfig::default(),
            &dir.path().join("backups"),
        )
        .unwrap();
        (dir, db)
    }
}
