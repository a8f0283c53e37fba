//! The SQLite file over its life: migrations, backups, restores, one server per directory.

use kefu::accounts::ratelimit::LimitPolicy;
use serde_json::json;

use crate::common::*;

fn team_names(conn: &rusqlite::Connection) -> Vec<String> {
    let mut st = conn.prepare("SELECT name FROM teams ORDER BY name").unwrap();
    st.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

fn version_of(path: &std::path::Path) -> u32 {
    rusqlite::Connection::open(path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

#[tokio::test]
async fn backup_while_serving_then_restore() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let backup = dir.path().join("nightly.db");
    let server = TestServer::start_in(&data, LimitPolicy::default()).await.unwrap();
    let mut owner = server.setup_owner().await;
    assert_eq!(owner.post("/api/teams", json!({"name": "售后"})).await.0, 201);

    let out = kefu(
        &[
            "backup",
            backup.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
        ],
        &[],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    assert_eq!(
        team_names(&rusqlite::Connection::open(&backup).unwrap()),
        ["售后"]
    );

    // Refuses to overwrite unless told to.
    let out = kefu(
        &[
            "backup",
            backup.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
        ],
        &[],
        None,
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("--force"));

    assert_eq!(owner.post("/api/teams", json!({"name": "销售"})).await.0, 201);

    // Restore refuses while the server holds the data directory.
    let out = kefu(
        &[
            "restore",
            backup.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
        ],
        &[],
        None,
    );
    assert!(!out.status.success());
    let err = text(&out);
    assert!(err.contains("kefu is running"), "{err}");
    assert_eq!(team_names(&server.db()), ["售后", "销售"], "nothing changed");

    server.stop().await.unwrap();
    let out = kefu(
        &[
            "restore",
            backup.to_str().unwrap(),
            "--data",
            data.to_str().unwrap(),
        ],
        &[],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));

    let server = TestServer::start_in(&data, LimitPolicy::default()).await.unwrap();
    let mut c = server.client();
    assert_eq!(c.login(OWNER_EMAIL, OWNER_PASSWORD).await.0, 200);
    let (_, teams) = c.get("/api/teams").await;
    let names: Vec<&str> = teams["teams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["售后"]);
    // The replaced database was kept.
    let saved: Vec<_> = std::fs::read_dir(data.join("backups"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.contains("before-restore"))
        .collect();
    assert_eq!(saved.len(), 1);
    assert_eq!(
        team_names(&rusqlite::Connection::open(data.join("backups").join(&saved[0])).unwrap()),
        ["售后", "销售"]
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn restore_refuses_files_that_are_not_kefu_databases() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"this is not sqlite at all, just text").unwrap();
    let other = dir.path().join("other.db");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); PRAGMA user_version = 1;")
        .unwrap();
    for (file, expect) in [(&junk, "not a SQLite database"), (&other, "not a kefu database")] {
        let out = kefu(
            &[
                "restore",
                file.to_str().unwrap(),
                "--data",
                data.to_str().unwrap(),
            ],
            &[],
            None,
        );
        assert!(!out.status.success());
        let err = text(&out);
        assert!(err.contains(expect), "{err}");
    }
    assert!(!data.join("kefu.db").exists());
}

#[tokio::test]
async fn empty_directory_is_migrated_to_the_latest_version() {
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_in(dir.path(), LimitPolicy::default())
        .await
        .unwrap();
    assert_eq!(
        version_of(&dir.path().join("kefu.db")),
        kefu::db::latest_version()
    );
    assert!(
        !dir.path().join("backups").exists(),
        "nothing to back up on a fresh install"
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn previous_version_is_backed_up_then_migrated_keeping_data() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("kefu.db");
    {
        // A database as the previous release (schema version 1) left it.
        let mut conn = rusqlite::Connection::open(&db_path).unwrap();
        kefu::db::migrate_to(&mut conn, 1).unwrap();
        let hash = kefu::accounts::password::hash(OWNER_PASSWORD.into())
            .await
            .unwrap();
        conn.execute(
            "INSERT INTO agents (email, name, password_hash, role, created_at, updated_at)
             VALUES (?1, '老板', ?2, 'owner', 0, 0)",
            [OWNER_EMAIL, hash.as_str()],
        )
        .unwrap();
        conn.execute("INSERT INTO settings VALUES ('shop_name', '老店', 0)", [])
            .unwrap();
    }
    let server = TestServer::start_in(dir.path(), LimitPolicy::default())
        .await
        .unwrap();
    assert_eq!(version_of(&db_path), kefu::db::latest_version());
    let backups: Vec<_> = std::fs::read_dir(dir.path().join("backups"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(backups.len(), 1, "{backups:?}");
    assert_eq!(
        version_of(&backups[0]),
        1,
        "the backup is the database before migrating"
    );

    let mut c = server.client();
    assert_eq!(
        c.login(OWNER_EMAIL, OWNER_PASSWORD).await.0,
        200,
        "old accounts still log in"
    );
    assert_eq!(c.get("/api/me").await.1["shop_name"], "老店");
    assert_eq!(
        c.post("/api/teams", json!({"name": "售后"})).await.0,
        201,
        "new tables work"
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn newer_database_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("kefu.db");
    {
        let mut conn = rusqlite::Connection::open(&db_path).unwrap();
        kefu::db::migrate_to(&mut conn, kefu::db::latest_version()).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let err = TestServer::start_in(dir.path(), LimitPolicy::default())
        .await
        .err()
        .unwrap();
    let text = format!("{err:#}");
    assert!(text.contains("newer kefu") && text.contains("99"), "{text}");
    assert_eq!(version_of(&db_path), 99);
    assert!(!dir.path().join("backups").exists());
}

#[tokio::test]
async fn one_server_per_data_directory() {
    let dir = tempfile::tempdir().unwrap();
    let first = TestServer::start_in(dir.path(), LimitPolicy::default())
        .await
        .unwrap();
    let err = TestServer::start_in(dir.path(), LimitPolicy::default())
        .await
        .err()
        .unwrap();
    assert!(format!("{err:#}").contains("kefu is running"), "{err:#}");
    first.stop().await.unwrap();
    // After a clean stop the WAL is folded into the main file.
    let wal = dir.path().join("kefu.db-wal");
    assert!(!wal.exists() || std::fs::metadata(&wal).unwrap().len() == 0);
    let again = TestServer::start_in(dir.path(), LimitPolicy::default())
        .await
        .unwrap();
    again.stop().await.unwrap();
}
