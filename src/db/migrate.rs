//! Numbered migrations from `migrations/`, compiled in. Each is applied in its own
//! transaction together with the new `PRAGMA user_version`, so a crash leaves the
//! database at either the old or the new version, never in between.

use std::path::Path;

use anyhow::Context;
use rusqlite::{Connection, OptionalExtension};

use super::OpenReport;

pub struct Migration {
    pub version: u32,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every migration, in order. Never edit one that has been released; add the next.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "accounts",
        sql: include_str!("../../migrations/0001_accounts.sql"),
    },
    Migration {
        version: 2,
        name: "teams_invites_tokens",
        sql: include_str!("../../migrations/0002_teams_invites_tokens.sql"),
    },
    Migration {
        version: 3,
        name: "live_chat",
        sql: include_str!("../../migrations/0003_live_chat.sql"),
    },
    Migration {
        version: 4,
        name: "labels_canned",
        sql: include_str!("../../migrations/0004_labels_canned.sql"),
    },
    Migration {
        version: 5,
        name: "contacts_orders",
        sql: include_str!("../../migrations/0005_contacts_orders.sql"),
    },
    Migration {
        version: 6,
        name: "attachments",
        sql: include_str!("../../migrations/0006_attachments.sql"),
    },
    Migration {
        version: 7,
        name: "outbox",
        sql: include_str!("../../migrations/0007_outbox.sql"),
    },
    Migration {
        version: 8,
        name: "tickets",
        sql: include_str!("../../migrations/0008_tickets.sql"),
    },
    Migration {
        version: 9,
        name: "sla_notifications",
        sql: include_str!("../../migrations/0009_sla_notifications.sql"),
    },
    Migration {
        version: 10,
        name: "email_inbox",
        sql: include_str!("../../migrations/0010_email_inbox.sql"),
    },
    Migration {
        version: 11,
        name: "ticket_list_order",
        sql: include_str!("../../migrations/0011_ticket_list_order.sql"),
    },
    Migration {
        version: 12,
        name: "email_conversations",
        sql: include_str!("../../migrations/0012_email_conversations.sql"),
    },
    Migration {
        version: 13,
        name: "knowledge_base",
        sql: include_str!("../../migrations/0013_knowledge_base.sql"),
    },
    Migration {
        version: 14,
        name: "bot_chat",
        sql: include_str!("../../migrations/0014_bot_chat.sql"),
    },
    Migration {
        version: 15,
        name: "routing",
        sql: include_str!("../../migrations/0015_routing.sql"),
    },
];

/// The schema version this binary brings the database to.
pub fn latest_version() -> u32 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

pub fn schema_version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

fn is_empty(conn: &Connection) -> rusqlite::Result<bool> {
    let objects: i64 = conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))?;
    Ok(objects == 0)
}

/// Applies migrations up to `target` (tests use this to build older databases).
pub fn migrate_to(conn: &mut Connection, target: u32) -> anyhow::Result<()> {
    let current = schema_version(conn)?;
    // A migration that rebuilds a table (SQLite's only way to change a constraint)
    // drops the old one, which with foreign keys on would delete the rows that
    // point at it. So they are off while migrating — the pragma cannot change inside
    // a transaction — and every reference is checked before each commit instead.
    conn.pragma_update(None, "foreign_keys", false)?;
    let result = MIGRATIONS
        .iter()
        .filter(|m| m.version > current && m.version <= target)
        .try_for_each(|m| apply(conn, m));
    conn.pragma_update(None, "foreign_keys", true)?;
    result
}

fn apply(conn: &mut Connection, m: &Migration) -> anyhow::Result<()> {
    let tx = conn.transaction()?;
    tx.execute_batch(m.sql)
        .with_context(|| format!("migration {:04}_{} failed", m.version, m.name))?;
    let broken: Option<String> = tx
        .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
        .optional()?;
    if let Some(table) = broken {
        anyhow::bail!(
            "migration {:04}_{} would leave rows in {table} pointing at nothing; nothing was changed",
            m.version,
            m.name
        );
    }
    tx.pragma_update(None, "user_version", m.version)?;
    tx.commit()
        .with_context(|| format!("cannot commit migration {:04}", m.version))?;
    tracing::info!(version = m.version, name = m.name, "applied migration");
    Ok(())
}

pub(super) fn bring_up_to_date(
    conn: &mut Connection,
    path: &Path,
    backups_dir: &Path,
) -> anyhow::Result<OpenReport> {
    let current = schema_version(conn)?;
    let latest = latest_version();
    if current > latest {
        anyhow::bail!(
            "the database {} has schema version {current}, but this kefu only knows up to \
             version {latest}: it was written by a newer kefu. Install that newer version again, \
             or restore a backup made with this one (kefu restore FILE).",
            path.display()
        );
    }
    let mut backup = None;
    if current < latest && !is_empty(conn)? {
        let file = super::backup::backup_path(backups_dir, &format!("v{current}-before-v{latest}"));
        super::backup::copy_database(conn, &file).with_context(|| {
            format!(
                "cannot back up the database before migrating it (to {}); nothing was changed",
                file.display()
            )
        })?;
        tracing::info!(file = %file.display(), "backed up the database before migrating");
        backup = Some(file);
    }
    migrate_to(conn, latest)?;
    Ok(OpenReport {
        from_version: current,
        to_version: latest,
        backup,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_numbered_without_gaps_and_match_file_names() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version as usize, i + 1);
        }
        let mut files: Vec<String> = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        files.sort();
        let expected: Vec<String> = MIGRATIONS
            .iter()
            .map(|m| format!("{:04}_{}.sql", m.version, m.name))
            .collect();
        assert_eq!(
            files, expected,
            "every file in migrations/ must be listed in MIGRATIONS"
        );
    }

    #[test]
    fn fresh_database_reaches_latest_without_backup() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kefu.db");
        let mut conn = Connection::open(&path).unwrap();
        let report = bring_up_to_date(&mut conn, &path, &dir.path().join("b")).unwrap();
        assert_eq!(report.to_version, latest_version());
        assert!(report.backup.is_none());
        assert_eq!(schema_version(&conn).unwrap(), latest_version());
    }
}
