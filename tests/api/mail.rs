//! Outgoing mail: SMTP settings, the test email, the outbox and its worker, against
//! a real SMTP server (aiosmtpd) that receives what kefu sends.

use std::time::Duration;

use kefu::accounts::ratelimit::LimitPolicy;
use mail_parser::{HeaderValue, MessageParser};
use serde_json::{Value, json};

use crate::common::{Client, TestServer, code, test_config};
use crate::mail_servers::SmtpSink;

/// Points the shop's mail at `port` on 127.0.0.1, without TLS.
pub async fn use_smtp(owner: &mut Client, port: u16) {
    let (s, body) = owner
        .put(
            "/api/settings/smtp",
            json!({"host": "127.0.0.1", "port": port, "tls": "none", "from_name": "小王的店",
                   "from_email": "service@shop.example"}),
        )
        .await;
    assert_eq!(s, 200, "{body}");
}

/// Waits (without blocking the in-process server) until `n` mails arrived.
pub async fn wait_mail(sink: &SmtpSink, n: usize) -> Vec<Vec<u8>> {
    for _ in 0..300 {
        let got = sink.messages();
        if got.len() >= n {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let got = sink.messages();
    panic!(
        "expected {n} mails, got {}:\n{}",
        got.len(),
        got.iter()
            .map(|m| String::from_utf8_lossy(m).into_owned())
            .collect::<Vec<_>>()
            .join("\n----\n")
    );
}

/// A received mail, parsed.
pub struct Received {
    pub raw: String,
    pub message_id: String,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub auto_submitted: Option<String>,
    pub in_reply_to: Vec<String>,
    pub references: Vec<String>,
}

fn ids(v: &HeaderValue) -> Vec<String> {
    match v {
        HeaderValue::Text(t) => vec![t.to_string()],
        HeaderValue::TextList(l) => l.iter().map(|t| t.to_string()).collect(),
        _ => Vec::new(),
    }
}

pub fn parse(raw: &[u8]) -> Received {
    let m = MessageParser::default().parse(raw).expect("a parseable mail");
    Received {
        raw: String::from_utf8_lossy(raw).into_owned(),
        message_id: m.message_id().unwrap_or_default().to_string(),
        to: m
            .to()
            .and_then(|a| a.first())
            .and_then(|a| a.address())
            .unwrap_or_default()
            .to_string(),
        subject: m.subject().unwrap_or_default().to_string(),
        text: m.body_text(0).map(|t| t.into_owned()).unwrap_or_default(),
        html: m.body_html(0).map(|t| t.into_owned()).unwrap_or_default(),
        auto_submitted: m.header_raw("Auto-Submitted").map(|v| v.trim().to_string()),
        in_reply_to: ids(m.in_reply_to()),
        references: ids(m.references()),
    }
}

/// A server whose outbox retries after one second (instead of thirty).
async fn quick_retry_server(dir: &std::path::Path) -> TestServer {
    let mut config = test_config(dir);
    config.outbox.retry_first_secs = 1;
    TestServer::start_with(config, LimitPolicy::default())
        .await
        .unwrap()
}

#[tokio::test]
async fn smtp_settings_are_checked_saved_and_never_shown() {
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;
    let (s, v) = owner.get("/api/settings/smtp").await;
    assert_eq!((s, v["source"].as_str()), (200, Some("none")));

    let good = json!({"host": "smtp.shop.example", "port": 587, "tls": "starttls", "username": "service@shop.example",
                      "password": "smtp-secret-1", "from_name": "小王的店", "from_email": "Service@Shop.example"});
    for (change, expected) in [
        (json!({"host": ""}), "invalid_smtp_host"),
        (json!({"host": "smtp shop"}), "invalid_smtp_host"),
        (json!({"port": 0}), "invalid_port"),
        (json!({"from_email": "not-an-address"}), "invalid_sender"),
        (json!({"tls": "ssl3"}), "invalid_json"),
    ] {
        let mut body = good.clone();
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (s, err) = owner.put("/api/settings/smtp", body).await;
        assert_eq!((s, code(&err)), (400, expected), "{err}");
    }
    let (_, v) = owner.get("/api/settings/smtp").await;
    assert_eq!(v["source"], "none", "a refused change saved nothing");

    let (s, v) = owner.put("/api/settings/smtp", good.clone()).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["source"], "console");
    assert_eq!(v["from_email"], "service@shop.example");
    assert_eq!(v["password_set"], true);
    assert!(!v.to_string().contains("smtp-secret-1"), "{v}");

    // Saving again without a password keeps the stored one.
    let mut again = good.clone();
    again.as_object_mut().unwrap().remove("password");
    again["host"] = json!("smtp2.shop.example");
    let (s, v) = owner.put("/api/settings/smtp", again).await;
    assert_eq!((s, v["password_set"].as_bool()), (200, Some(true)), "{v}");
    let stored: String = server
        .db()
        .query_row("SELECT value FROM settings WHERE key = 'smtp'", [], |r| r.get(0))
        .unwrap();
    assert!(
        stored.contains("smtp-secret-1") && stored.contains("smtp2.shop.example"),
        "{stored}"
    );

    // Agents may not see or change it.
    let (mut agent, _) = server.add_agent(&mut owner, "li@shop.example", "agent").await;
    assert_eq!(agent.get("/api/settings/smtp").await.0, 403);
    assert_eq!(agent.put("/api/settings/smtp", good).await.0, 403);

    let (s, v) = owner.delete("/api/settings/smtp").await;
    assert_eq!((s, v["source"].as_str()), (200, Some("none")));
}

#[tokio::test]
async fn the_test_email_reaches_the_server_or_says_why_not() {
    let sink = SmtpSink::start();
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;
    let (s, err) = owner
        .post("/api/settings/smtp/test", json!({"to": "me@shop.example"}))
        .await;
    assert_eq!((s, code(&err)), (400, "smtp_not_configured"));

    use_smtp(&mut owner, sink.port()).await;
    let (s, v) = owner
        .post("/api/settings/smtp/test", json!({"to": "me@shop.example"}))
        .await;
    assert_eq!(s, 200, "{v}");
    assert!(v["reply"].as_str().unwrap().starts_with("250"), "{v}");
    let mail = parse(&wait_mail(&sink, 1).await[0]);
    assert_eq!(mail.to, "me@shop.example");
    assert!(mail.subject.contains("小王的店"), "{}", mail.subject);

    // A port where nothing listens: the owner reads what went wrong.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    use_smtp(&mut owner, closed).await;
    let (s, err) = owner
        .post("/api/settings/smtp/test", json!({"to": "me@shop.example"}))
        .await;
    assert_eq!((s, code(&err)), (400, "smtp_test_failed"), "{err}");
    let message = err["error"]["message"].as_str().unwrap();
    assert!(message.to_lowercase().contains("connect"), "{message}");
}

#[tokio::test]
async fn an_invite_goes_out_once_through_the_outbox() {
    let sink = SmtpSink::start();
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;

    // Without mail set up the admin copies the link by hand; nothing is queued.
    let (s, v) = owner
        .post("/api/invites", json!({"email": "a@shop.example"}))
        .await;
    assert_eq!((s, v["emailed"].as_bool()), (201, Some(false)), "{v}");
    let queued: i64 = server
        .db()
        .query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))
        .unwrap();
    assert_eq!(queued, 0);

    use_smtp(&mut owner, sink.port()).await;
    let (s, v) = owner
        .post(
            "/api/invites",
            json!({"email": "Chen@Example.com", "name": "陈", "role": "admin"}),
        )
        .await;
    assert_eq!((s, v["emailed"].as_bool()), (201, Some(true)), "{v}");
    let link = v["link"].as_str().unwrap().to_string();

    let mail = parse(&wait_mail(&sink, 1).await[0]);
    assert_eq!(mail.to, "chen@example.com");
    assert!(mail.text.contains(&link), "{}", mail.text);
    // HTML escaping writes `/` as `&#x2f;`, which every HTML reader turns back.
    assert!(mail.html.replace("&#x2f;", "/").contains(&link), "{}", mail.html);
    assert!(
        mail.subject.contains("王店主") && mail.subject.contains("小王的店"),
        "{}",
        mail.subject
    );
    assert_eq!(mail.auto_submitted.as_deref(), Some("auto-generated"));
    assert!(
        mail.message_id.starts_with("kefu-") && mail.message_id.ends_with("@shop.example"),
        "{}",
        mail.message_id
    );
    assert!(
        mail.raw.contains("multipart/alternative"),
        "text and HTML: {}",
        mail.raw
    );

    let (s, log) = owner.get("/api/mail").await;
    assert_eq!(s, 200);
    let row = &log["mails"][0];
    assert_eq!(
        (row["template"].as_str(), row["status"].as_str()),
        (Some("agent_invite"), Some("sent")),
        "{log}"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.messages().len(), 1, "sent exactly once");
}

#[tokio::test]
async fn an_smtp_outage_and_a_restart_delay_mail_but_lose_and_repeat_none() {
    let mut sink = SmtpSink::start();
    let dir = tempfile::tempdir().unwrap();
    let server = quick_retry_server(dir.path()).await;
    let mut owner = server.setup_owner().await;
    use_smtp(&mut owner, sink.port()).await;
    let (s, _) = owner
        .post("/api/invites", json!({"email": "before@example.com"}))
        .await;
    assert_eq!(s, 201);
    wait_mail(&sink, 1).await;

    // The SMTP server goes down; four mails are promised meanwhile.
    sink.stop();
    for i in 0..3 {
        let (s, v) = owner
            .post("/api/invites", json!({"email": format!("down{i}@example.com")}))
            .await;
        assert_eq!((s, v["emailed"].as_bool()), (201, Some(true)), "{v}");
    }
    let (s, _) = owner
        .post(
            "/api/password-resets/request",
            json!({"email": "owner@shop.example"}),
        )
        .await;
    assert_eq!(s, 202);
    // They fail and wait for a retry, with the reason shown.
    let mut waiting = Value::Null;
    for _ in 0..100 {
        let (_, log) = owner.get("/api/mail?status=queued").await;
        if log["mails"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["attempts"].as_i64() >= Some(1))
            .count()
            == 4
        {
            waiting = log;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let error = waiting["mails"][0]["last_error"]
        .as_str()
        .unwrap_or_else(|| panic!("no failed attempts: {waiting}"));
    assert!(!error.is_empty());

    // kefu restarts while the server is still down, then the server comes back.
    server.stop().await.unwrap();
    let server = quick_retry_server(dir.path()).await;
    sink.restart();
    let mails = wait_mail(&sink, 5).await;
    tokio::time::sleep(Duration::from_secs(3)).await;
    let mails_after = sink.messages();
    assert_eq!(mails_after.len(), mails.len(), "nothing sent twice");
    let mut ids: Vec<String> = mails.iter().map(|m| parse(m).message_id).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5, "five distinct mails");
    let mut to: Vec<String> = mails.iter().map(|m| parse(m).to).collect();
    to.sort();
    assert_eq!(
        to,
        [
            "before@example.com",
            "down0@example.com",
            "down1@example.com",
            "down2@example.com",
            "owner@shop.example"
        ]
    );
    let unsent: i64 = server
        .db()
        .query_row("SELECT count(*) FROM outbox WHERE status <> 'sent'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(unsent, 0);
}

/// An SMTP server that refuses every recipient for good (550), as for an unknown
/// mailbox. Good enough to see what kefu does with a permanent refusal.
async fn refusing_smtp() -> u16 {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 refusing.test ESMTP\r\n").await.unwrap();
                while let Ok(Some(line)) = lines.next_line().await {
                    let verb = line.split_whitespace().next().unwrap_or("").to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 refusing.test\r\n",
                        "RCPT" => b"550 5.1.1 No such mailbox here\r\n",
                        "QUIT" => b"221 bye\r\n",
                        _ => b"250 OK\r\n",
                    };
                    write.write_all(reply).await.unwrap();
                    if verb == "QUIT" {
                        break;
                    }
                }
            });
        }
    });
    port
}

#[tokio::test]
async fn a_refused_mail_is_marked_failed_with_the_reason_and_can_be_retried() {
    let refusing = refusing_smtp().await;
    let sink = SmtpSink::start();
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;
    use_smtp(&mut owner, refusing).await;
    let (s, _) = owner
        .post("/api/invites", json!({"email": "gone@example.com"}))
        .await;
    assert_eq!(s, 201);
    let mut failed = Value::Null;
    for _ in 0..100 {
        let (_, log) = owner.get("/api/mail?status=failed").await;
        if !log["mails"].as_array().unwrap().is_empty() {
            failed = log["mails"][0].clone();
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        failed["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("No such mailbox")),
        "{failed}"
    );
    let id = failed["id"].as_i64().unwrap();

    // Retrying a mail that did not fail is refused; a bad status filter too.
    let (s, err) = owner.get("/api/mail?status=lost").await;
    assert_eq!((s, code(&err)), (400, "invalid_status"));
    let (s, err) = owner.post("/api/mail/999999/retry", json!({})).await;
    assert_eq!((s, code(&err)), (404, "not_found"));

    // The owner fixes the address of the server and retries: it goes out.
    use_smtp(&mut owner, sink.port()).await;
    let (s, v) = owner.post(&format!("/api/mail/{id}/retry"), json!({})).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("queued")), "{v}");
    let mail = parse(&wait_mail(&sink, 1).await[0]);
    assert_eq!(mail.to, "gone@example.com");
    let (s, err) = owner.post(&format!("/api/mail/{id}/retry"), json!({})).await;
    assert_eq!((s, code(&err)), (409, "mail_not_failed"));
}

#[tokio::test]
async fn forgot_password_mails_a_link_that_works_and_tells_nobody_who_exists() {
    let sink = SmtpSink::start();
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;
    use_smtp(&mut owner, sink.port()).await;
    let mut anon = server.client();
    for email in ["nobody@example.com", "OWNER@shop.example"] {
        let (s, v) = anon
            .post("/api/password-resets/request", json!({"email": email}))
            .await;
        assert_eq!((s, v), (202, Value::Null));
    }
    let mails = wait_mail(&sink, 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(sink.messages().len(), 1, "no mail for an unknown address");
    let mail = parse(&mails[0]);
    assert_eq!(mail.to, "owner@shop.example");
    let token = mail
        .text
        .split_whitespace()
        .find_map(|w| w.split("/#/reset/").nth(1))
        .unwrap_or_else(|| panic!("no link in {}", mail.text))
        .to_string();
    let (s, v) = anon
        .post(
            "/api/password-resets/complete",
            json!({"token": token, "password": "brand-new-pass-1"}),
        )
        .await;
    assert_eq!(s, 204, "{v}");
    assert_eq!(anon.login("owner@shop.example", "brand-new-pass-1").await.0, 200);

    // Asking again and again is limited, per address.
    let mut last = 0;
    for _ in 0..6 {
        last = anon
            .post(
                "/api/password-resets/request",
                json!({"email": "someone@example.com"}),
            )
            .await
            .0;
    }
    assert_eq!(last, 429);
}
