//! The operator's commands, run as the real binary.

use std::process::{Command, Stdio};

use kefu::accounts::ratelimit::LimitPolicy;

use crate::common::*;

#[tokio::test]
async fn healthcheck_reports_up_and_down() {
    let server = TestServer::start().await;
    let url = format!("{}/healthz", server.base);
    let out = kefu(&["healthcheck", "--url", &url], &[], None);
    assert!(out.status.success(), "{}", text(&out));
    let listen = server.base.trim_start_matches("http://").to_string();
    let out = kefu(&["healthcheck", "--listen", &listen], &[], None);
    assert!(out.status.success(), "{}", text(&out));
    server.stop().await.unwrap();
    let out = kefu(&["healthcheck", "--url", &url, "--timeout", "2"], &[], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("unhealthy"), "{}", text(&out));
}

#[tokio::test]
async fn config_dump_layers_and_masks_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("kefu.toml");
    std::fs::write(&file, "listen = \"127.0.0.1:9999\"\nlisten_port = 3\n[smtp]\nhost = \"mail.example\"\npassword = \"hunter2-secret\"\n").unwrap();
    let out = kefu(
        &["config-dump", "--config", file.to_str().unwrap()],
        &[("KEFU_DATA", "/srv/kefu-data")],
        None,
    );
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("listen = \"127.0.0.1:9999\""), "{stdout}");
    assert!(stdout.contains("data_dir = \"/srv/kefu-data\""), "{stdout}");
    assert!(
        stdout.contains("password = \"***\"") && !stdout.contains("hunter2"),
        "{stdout}"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("unknown key `listen_port`"),
        "{}",
        text(&out)
    );

    std::fs::write(&file, "listen = [").unwrap();
    let out = kefu(&["config-dump", "--config", file.to_str().unwrap()], &[], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("does not parse"), "{}", text(&out));
}

#[tokio::test]
async fn unusable_data_directory_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, "x").unwrap();
    let data = blocker.join("data");
    let out = kefu(&["migrate", "--data", data.to_str().unwrap()], &[], None);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out).contains("cannot create the data directory"),
        "{}",
        text(&out)
    );
}

#[tokio::test]
async fn create_admin_and_reset_password_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap();
    let out = kefu(
        &[
            "create-admin",
            "--data",
            data,
            "--email",
            "boss@shop.example",
            "--name",
            "Boss",
            "--shop-name",
            "CLI 店",
            "--password-stdin",
        ],
        &[],
        Some("cli-password-1\n"),
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("created owner"), "{}", text(&out));
    let out = kefu(
        &[
            "create-admin",
            "--data",
            data,
            "--email",
            "second@shop.example",
            "--name",
            "Two",
            "--password-stdin",
        ],
        &[],
        Some("short\n"),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("at least 8 characters"), "{}", text(&out));
    let out = kefu(
        &[
            "create-admin",
            "--data",
            data,
            "--email",
            "second@shop.example",
            "--name",
            "Two",
            "--password-stdin",
        ],
        &[],
        Some("second-password\n"),
    );
    assert!(text(&out).contains("created admin"), "{}", text(&out));

    let out = kefu(
        &[
            "reset-password",
            "--data",
            data,
            "--email",
            "boss@shop.example",
            "--password-stdin",
        ],
        &[],
        Some("changed-password\n"),
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = kefu(
        &[
            "reset-password",
            "--data",
            data,
            "--email",
            "nobody@shop.example",
            "--password-stdin",
        ],
        &[],
        Some("changed-password\n"),
    );
    assert_eq!(out.status.code(), Some(1));

    let server = TestServer::start_in(dir.path(), LimitPolicy::default())
        .await
        .unwrap();
    let mut c = server.client();
    assert_eq!(c.get("/api/setup").await.1["needed"], false);
    assert_eq!(c.login("boss@shop.example", "cli-password-1").await.0, 401);
    let (s, b) = c.login("boss@shop.example", "changed-password").await;
    assert_eq!((s, b["agent"]["role"].as_str()), (200, Some("owner")));
    assert_eq!(c.get("/api/me").await.1["shop_name"], "CLI 店");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn help_describes_every_command() {
    let out = kefu(&["--help"], &[], None);
    let help = text(&out);
    for cmd in [
        "serve",
        "migrate",
        "backup",
        "restore",
        "create-admin",
        "reset-password",
        "send-test-email",
        "healthcheck",
        "config-dump",
    ] {
        assert!(help.contains(cmd), "{cmd} missing from --help");
    }
    let out = kefu(&["restore", "--help"], &[], None);
    assert!(
        text(&out).contains("Refuses while kefu is running"),
        "{}",
        text(&out)
    );
}

/// A real SMTP server (Python's aiosmtpd, installed by scripts/test) receives the mail.
#[tokio::test]
async fn send_test_email_reaches_a_real_smtp_server() {
    // scripts/test exports the interpreter it installed aiosmtpd for; otherwise
    // take the first Python that has it (pip's, or Debian's python3-aiosmtpd).
    let python = std::env::var("KEFU_TEST_PYTHON").unwrap_or_else(|_| {
        ["python3", "/usr/bin/python3"]
            .into_iter()
            .find(|py| {
                Command::new(py)
                    .args(["-c", "import aiosmtpd"])
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success())
            })
            .unwrap_or("python3")
            .to_string()
    });
    let dir = tempfile::tempdir().unwrap();
    let maildir = dir.path().join("mail");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut smtp = Command::new(&python)
        .args([
            "-m",
            "aiosmtpd",
            "-n",
            "-l",
            &format!("127.0.0.1:{port}"),
            "-c",
            "aiosmtpd.handlers.Mailbox",
        ])
        .arg(&maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("cannot start {python} -m aiosmtpd ({e}); run ./scripts/test, which installs it")
        });
    let mut ready = false;
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            ready = true;
            break;
        }
        if let Ok(Some(status)) = smtp.try_wait() {
            panic!("aiosmtpd exited ({status}); is it installed for {python}? run ./scripts/test");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(ready, "SMTP server did not start");
    let port_s = port.to_string();
    let envs = [
        ("KEFU_SMTP_HOST", "127.0.0.1"),
        ("KEFU_SMTP_PORT", port_s.as_str()),
        ("KEFU_SMTP_TLS", "none"),
        ("KEFU_SMTP_FROM", "小王的店 <service@shop.example>"),
    ];
    let data = dir.path().join("data");
    let out = kefu(
        &[
            "send-test-email",
            "customer@example.com",
            "--data",
            data.to_str().unwrap(),
        ],
        &envs,
        None,
    );
    let _ = smtp.kill();
    assert!(out.status.success(), "{}", text(&out));
    let mut found = Vec::new();
    for sub in ["new", "cur"] {
        if let Ok(rd) = std::fs::read_dir(maildir.join(sub)) {
            found.extend(rd.map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap()));
        }
    }
    assert_eq!(found.len(), 1, "exactly one message delivered");
    let msg = &found[0];
    assert!(msg.contains("customer@example.com"), "{msg}");
    assert!(msg.to_lowercase().contains("subject:"), "{msg}");
    assert!(msg.contains("service@shop.example"), "{msg}");

    // Without a server configured the command says what to set.
    let out = kefu(
        &[
            "send-test-email",
            "customer@example.com",
            "--data",
            data.to_str().unwrap(),
        ],
        &[],
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out).contains("[smtp] host"), "{}", text(&out));
}

/// `sudo kefu create-admin` on a packaged install must not leave root-owned database
/// files that the service user cannot write.
#[tokio::test]
async fn commands_run_as_root_keep_files_owned_by_the_data_dir_owner() {
    use std::os::unix::fs::MetadataExt;
    if std::fs::metadata("/proc/self").unwrap().uid() != 0 {
        eprintln!("not root: ownership hand-back cannot be exercised here (CI runs as root)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let nobody = 65534;
    std::os::unix::fs::chown(&data, Some(nobody), Some(nobody)).unwrap();
    let out = kefu(
        &[
            "create-admin",
            "--data",
            data.to_str().unwrap(),
            "--email",
            "a@shop.example",
            "--name",
            "A",
            "--password-stdin",
        ],
        &[],
        Some("root-made-password\n"),
    );
    assert!(out.status.success(), "{}", text(&out));
    for name in ["kefu.db", "kefu.lock"] {
        let meta = std::fs::metadata(data.join(name)).unwrap();
        assert_eq!((meta.uid(), meta.gid()), (nobody, nobody), "{name}");
    }
}
