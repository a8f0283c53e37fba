//! One server per data directory: `kefu serve` holds an exclusive lock on
//! `<data>/kefu.lock` for its lifetime, and `kefu restore` needs the same lock.
//! Also keeps the directory's files owned by the directory's owner when an operator
//! runs a command as root (`sudo kefu create-admin`), so the service user can still
//! write them afterwards.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// Held while alive; the OS releases it if the process dies.
pub struct DataDirLock {
    _file: File,
    pub path: PathBuf,
}

impl DataDirLock {
    pub fn acquire(data_dir: &Path) -> anyhow::Result<DataDirLock> {
        let path = data_dir.join("kefu.lock");
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .with_context(|| format!("cannot open lock file {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                let who = if holder.is_empty() {
                    String::new()
                } else {
                    format!(" (process {holder})")
                };
                bail!(
                    "kefu is running with the data directory {}{who}. Stop it first \
                     (e.g. `systemctl stop kefu`) and try again.",
                    data_dir.display()
                );
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("cannot lock {}", path.display()));
            }
        }
        file.set_len(0)?;
        file.rewind()?;
        write!(file, "{}", std::process::id())?;
        Ok(DataDirLock { _file: file, path })
    }
}

/// When running as root, gives the database files, the lock and the backups to the
/// owner of the data directory. Does nothing for other users (they cannot chown).
pub fn match_data_dir_owner(data_dir: &Path) {
    let running_as_root = std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
    let Ok(dir) = std::fs::metadata(data_dir) else {
        return;
    };
    if !running_as_root || dir.uid() == 0 {
        return;
    }
    let mut paths: Vec<PathBuf> = ["kefu.db", "kefu.db-wal", "kefu.db-shm", "kefu.lock", "backups"]
        .iter()
        .map(|name| data_dir.join(name))
        .collect();
    if let Ok(entries) = std::fs::read_dir(data_dir.join("backups")) {
        paths.extend(entries.filter_map(|e| e.ok().map(|e| e.path())));
    }
    for path in paths.iter().filter(|p| p.exists()) {
        if let Err(e) = std::os::unix::fs::chown(path, Some(dir.uid()), Some(dir.gid())) {
            tracing::warn!(path = %path.display(), error = %e, "cannot hand the file back to the data directory's owner");
        }
    }
}
