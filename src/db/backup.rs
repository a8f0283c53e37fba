//! Online backup (SQLite's backup API, consistent while the server keeps writing)
//! and restore (only while no server holds the data directory).

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use rusqlite::{Connection, OpenFlags};

use super::lock::DataDirLock;
use super::migrate::{latest_version, schema_version};

/// Copies the open database `src` into a new file `dest`, atomically: the copy is
/// written beside `dest`, checked, flushed and only then renamed into place.
pub(super) fn copy_database(src: &Connection, dest: &Path) -> anyhow::Result<()> {
    if let Some(parent) = dest.parent() {
        fs::create_dir_all(parent)
            .with_context(|| format!("cannot create directory {}", parent.display()))?;
    }
    let partial = dest.with_extension("partial");
    let _ = fs::remove_file(&partial);
    {
        let mut out =
            Connection::open(&partial).with_context(|| format!("cannot create {}", partial.display()))?;
        {
            let backup = rusqlite::backup::Backup::new(src, &mut out)?;
            // One step copies every page inside a single read transaction: a
            // consistent snapshot, and in WAL mode writers are not blocked meanwhile.
            backup.step(-1)?;
        }
        let check: String = out.query_row("PRAGMA quick_check", [], |r| r.get(0))?;
        if check != "ok" {
            bail!("the copy failed its integrity check: {check}");
        }
        // The copy is a single self-contained file (rollback journal, not WAL).
        out.pragma_update(None, "journal_mode", "DELETE")?;
    }
    fs::File::open(&partial)?.sync_all()?;
    fs::rename(&partial, dest).with_context(|| format!("cannot move the backup to {}", dest.display()))?;
    sync_dir(dest);
    Ok(())
}

fn sync_dir(file: &Path) {
    if let Some(dir) = file.parent()
        && let Ok(d) = fs::File::open(dir)
    {
        let _ = d.sync_all();
    }
}

/// Where a backup file for `tag` goes: `<backups>/kefu-<tag>-<time>.db`.
pub(super) fn backup_path(backups_dir: &Path, tag: &str) -> PathBuf {
    backups_dir.join(format!("kefu-{tag}-{}.db", crate::util::file_stamp()))
}

/// `kefu backup FILE`: a consistent copy of the live database, safe while serving.
pub fn backup_database(db_path: &Path, dest: &Path, overwrite: bool) -> anyhow::Result<u32> {
    if !db_path.exists() {
        bail!("there is no database at {}", db_path.display());
    }
    if dest.exists() && !overwrite {
        bail!(
            "{} already exists; choose another file or pass --force to replace it",
            dest.display()
        );
    }
    let src = Connection::open_with_flags(db_path, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .with_context(|| format!("cannot open {}", db_path.display()))?;
    src.busy_timeout(std::time::Duration::from_secs(10))?;
    let version = schema_version(&src)?;
    copy_database(&src, dest)?;
    Ok(version)
}

/// What `restore_database` did.
pub struct RestoreReport {
    pub restored_version: u32,
    pub previous_saved_to: Option<PathBuf>,
}

/// `kefu restore FILE`: replaces the database with a backup. Refuses while a server
/// holds the data directory, and refuses files that are not healthy kefu databases
/// or are newer than this binary. The database being replaced is saved first.
pub fn restore_database(
    data_dir: &Path,
    db_path: &Path,
    backups_dir: &Path,
    src: &Path,
) -> anyhow::Result<RestoreReport> {
    fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create the data directory {}", data_dir.display()))?;
    let _lock = DataDirLock::acquire(data_dir)?;
    let source = Connection::open_with_flags(src, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .with_context(|| format!("cannot open {}", src.display()))?;
    let check: String = source
        .query_row("PRAGMA quick_check", [], |r| r.get(0))
        .with_context(|| format!("{} is not a SQLite database", src.display()))?;
    if check != "ok" {
        bail!(
            "{} is damaged (integrity check: {check}); nothing was changed",
            src.display()
        );
    }
    let version = schema_version(&source)?;
    let has_agents: bool = source
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'agents'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .map(|n| n > 0)?;
    if version == 0 || !has_agents {
        bail!("{} is not a kefu database; nothing was changed", src.display());
    }
    if version > latest_version() {
        bail!(
            "{} has schema version {version}, newer than this kefu (up to {}); use the kefu \
             version that made it. Nothing was changed.",
            src.display(),
            latest_version()
        );
    }

    let mut previous_saved_to = None;
    if db_path.exists() {
        let current = Connection::open(db_path)?;
        // Fold the WAL into the main file so nothing is left behind in -wal.
        current.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        let saved = backup_path(backups_dir, "before-restore");
        copy_database(&current, &saved)
            .context("cannot save the current database before restoring; nothing was changed")?;
        previous_saved_to = Some(saved);
    }
    let staged = db_path.with_extension("db.restoring");
    let _ = fs::remove_file(&staged);
    copy_database(&source, &staged)?;
    for suffix in ["-wal", "-shm"] {
        let mut p = db_path.as_os_str().to_owned();
        p.push(suffix);
        let _ = fs::remove_file(PathBuf::from(p));
    }
    fs::rename(&staged, db_path)
        .with_context(|| format!("cannot move the restored database to {}", db_path.display()))?;
    sync_dir(db_path);
    super::lock::match_data_dir_owner(data_dir);
    Ok(RestoreReport {
        restored_version: version,
        previous_saved_to,
    })
}
