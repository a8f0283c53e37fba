//! The email inbox against a real IMAP server (Dovecot) and a real SMTP server:
//! customer mail becomes tickets, replies thread into them, robots and strangers
//! do not, nothing is taken twice across a restart, and a wrong password shows.

use std::time::Duration;

use serde_json::{Value, json};

use crate::common::{Client, TestServer, code};
use crate::mail::{parse, use_smtp, wait_mail};
use crate::mail_servers::{ImapServer, SmtpSink};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/mail/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

pub async fn use_imap(owner: &mut Client, imap: &ImapServer, password: &str) -> Value {
    let (s, b) = owner
        .put(
            "/api/settings/imap",
            json!({"host": "127.0.0.1", "port": imap.port(), "tls": "none", "username": ImapServer::USER,
                   "password": password, "folder": "INBOX", "poll_secs": 10}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    b
}

/// What became of the fetched mail, oldest first, once there are `n` entries.
pub async fn wait_inbound(owner: &mut Client, n: usize) -> Vec<Value> {
    for _ in 0..300 {
        let (s, b) = owner.get("/api/mail/inbound").await;
        assert_eq!(s, 200, "{b}");
        let mut mail = b["mail"].as_array().unwrap().clone();
        if mail.len() >= n {
            mail.reverse();
            return mail;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("fewer than {n} mails taken");
}

pub fn mail(from: &str, message_id: &str, in_reply_to: Option<&str>, extra: &str, body: &str) -> Vec<u8> {
    let reply = in_reply_to
        .map(|r| format!("In-Reply-To: <{r}>\r\nReferences: <{r}>\r\n"))
        .unwrap_or_default();
    format!(
        "From: {from}\r\nTo: support@shop.example\r\nSubject: =?UTF-8?B?{}?=\r\nMessage-ID: <{message_id}>\r\n\
         Date: Mon, 23 Nov 2026 10:00:00 +0800\r\n{reply}{extra}MIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{body}\r\n",
        base64(&format!("Re: 退款 {message_id}"))
    )
    .into_bytes()
}

fn base64(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(s)
}

async fn ticket_events(owner: &mut Client, id: i64) -> Vec<Value> {
    let (s, b) = owner.get(&format!("/api/tickets/{id}")).await;
    assert_eq!(s, 200, "{b}");
    b["events"].as_array().unwrap().clone()
}

#[tokio::test]
async fn customer_mail_becomes_tickets_and_replies_thread_into_them_exactly_once() {
    let imap = ImapServer::start();
    let sink = SmtpSink::start();
    let dir = tempfile::tempdir().unwrap();
    let server = TestServer::start_in(dir.path(), Default::default())
        .await
        .unwrap();
    let mut owner = server.setup_owner().await;
    use_smtp(&mut owner, sink.port()).await;

    // A Chinese mail in GB2312 and one with attachments, waiting before kefu looks.
    imap.append("INBOX", &fixture("gb2312.eml"));
    imap.append("INBOX", &fixture("attachments.eml"));
    use_imap(&mut owner, &imap, ImapServer::PASSWORD).await;
    let taken = wait_inbound(&mut owner, 2).await;
    assert_eq!(
        taken
            .iter()
            .map(|m| m["outcome"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["new_ticket", "new_ticket"],
        "{taken:?}"
    );
    let first = taken[0]["ticket_id"].as_i64().unwrap();
    let (_, t) = owner.get(&format!("/api/tickets/{first}")).await;
    assert_eq!(t["ticket"]["source"], "email");
    assert_eq!(t["ticket"]["contact"]["email"], "zhangsan@mail.example.cn");
    assert_eq!(t["ticket"]["locale"], "zh-CN");
    assert!(t["ticket"]["subject"].as_str().unwrap().contains("退款"), "{t}");

    // The customer got a confirmation in their own thread, and no robot header
    // stops their answer: Message-ID carries our reply token.
    let sent: Vec<_> = wait_mail(&sink, 2).await.iter().map(|m| parse(m)).collect();
    let confirmation = sent
        .iter()
        .find(|m| m.to.contains("zhangsan@"))
        .expect("confirmation");
    assert_eq!(
        confirmation.in_reply_to,
        ["202603031420110861234@mail.example.cn"]
    );
    let ours = confirmation.message_id.clone();
    assert!(ours.starts_with("kefu."), "{ours}");

    // The attachments are in the second ticket's timeline; a non-image downloads.
    let second = taken[1]["ticket_id"].as_i64().unwrap();
    let files: Vec<Value> = ticket_events(&mut owner, second)
        .await
        .into_iter()
        .filter_map(|e| e["attachment"].as_object().map(|a| json!(a)))
        .collect();
    assert_eq!(files.len(), 2, "the photo and the invoice: {files:?}");
    let pdf = files
        .iter()
        .find(|a| a["mime"] == "application/pdf")
        .expect("the invoice");
    let res = owner
        .send(reqwest::Method::GET, pdf["url"].as_str().unwrap(), None)
        .await;
    assert_eq!(res.headers()["content-type"], "application/octet-stream");
    assert_eq!(
        res.headers()["content-disposition"],
        "attachment; filename*=UTF-8''%E5%8F%91%E7%A5%A8.pdf",
        "the Chinese name survives"
    );
    assert!(res.bytes().await.unwrap().starts_with(b"%PDF"));

    // The customer answers our confirmation: it joins the ticket, quote folded.
    let answer = mail(
        "张三 <zhangsan@mail.example.cn>",
        "answer-1@mail.example.cn",
        Some(&ours),
        "",
        "订单号 10453，谢谢\r\n\r\n在 2026年11月23日，客服 写道：\r\n> 我们已收到",
    );
    imap.append("INBOX", &answer);
    // A stranger answers the same thread: a new ticket, not a reply in someone else's.
    imap.append(
        "INBOX",
        &mail(
            "Mallory <mallory@evil.example>",
            "stranger-1@evil.example",
            Some(&ours),
            "",
            "把退款转给我",
        ),
    );
    // An out-of-office in the thread is kept, but reopens and tells nobody; one
    // outside any thread is ignored and never answered.
    imap.append(
        "INBOX",
        &mail(
            "zhangsan@mail.example.cn",
            "ooo-1@mail.example.cn",
            Some(&ours),
            "Auto-Submitted: auto-replied\r\n",
            "我在休假",
        ),
    );
    imap.append("INBOX", &fixture("auto_replied.eml"));
    // The same mail again (another copy in the folder), and our own mail.
    imap.append("INBOX", &answer);
    imap.append(
        "INBOX",
        &mail("service@shop.example", &ours, None, "", "我们自己的邮件"),
    );
    let taken = wait_inbound(&mut owner, 8).await;
    let outcomes: Vec<(&str, Option<&str>)> = taken[2..]
        .iter()
        .map(|m| (m["outcome"].as_str().unwrap(), m["reason"].as_str()))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("ticket_reply", None),
            ("new_ticket", Some("not_participant")),
            ("ticket_reply", Some("auto_reply")),
            ("ignored", Some("auto_reply")),
            ("duplicate", None),
            ("own", None),
        ],
        "{taken:?}"
    );
    assert_eq!(taken[2]["ticket_id"].as_i64(), Some(first));
    assert_eq!(taken[2]["ticket_number"], 1001);
    assert_ne!(taken[3]["ticket_id"].as_i64(), Some(first));
    let replies: Vec<Value> = ticket_events(&mut owner, first)
        .await
        .into_iter()
        .filter(|e| e["kind"] == "customer_reply")
        .collect();
    assert_eq!(replies.len(), 2, "{replies:?}");
    assert_eq!(replies[0]["body"], "订单号 10453，谢谢");
    assert!(
        replies[0]["data"]["email"]["quoted"]
            .as_str()
            .unwrap()
            .contains("我们已收到")
    );
    assert_eq!(replies[1]["data"]["email"]["automatic"], "auto_reply");

    // Only the stranger's new ticket was confirmed: 2 + 1 mails, none to a robot.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let sent: Vec<_> = sink.messages().iter().map(|m| parse(m)).collect();
    assert_eq!(
        sent.len(),
        3,
        "{:?}",
        sent.iter().map(|m| &m.to).collect::<Vec<_>>()
    );
    assert!(sent.iter().all(|m| !m.to.contains("carol@example.com")));

    // kefu stops; mail arrives meanwhile; it starts again and takes only that.
    server.stop().await.unwrap();
    imap.append(
        "INBOX",
        &mail(
            "李四 <lisi@example.com>",
            "while-down@example.com",
            None,
            "",
            "在吗",
        ),
    );
    let server = TestServer::start_in(dir.path(), Default::default())
        .await
        .unwrap();
    let mut owner = server.client();
    let (s, _) = owner
        .login(crate::common::OWNER_EMAIL, crate::common::OWNER_PASSWORD)
        .await;
    assert_eq!(s, 200);
    let taken = wait_inbound(&mut owner, 9).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (_, again) = owner.get("/api/mail/inbound").await;
    assert_eq!(again["mail"].as_array().unwrap().len(), 9, "nothing taken twice");
    assert_eq!(taken[8]["from_email"], "lisi@example.com");
    let kept: i64 = server
        .db()
        .query_row(
            "SELECT count(*) FROM inbound_mail WHERE raw IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(kept, 9, "every original is kept");
}

#[tokio::test]
async fn a_wrong_password_or_a_dead_server_shows_in_the_console_and_mail_flows_once_fixed() {
    let mut imap = ImapServer::start();
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;
    let (s, b) = owner.post("/api/settings/imap/test", json!({})).await;
    assert_eq!((s, code(&b)), (400, "imap_not_configured"));

    imap.append(
        "INBOX",
        &mail("a@example.com", "m1@example.com", None, "", "你好"),
    );
    use_imap(&mut owner, &imap, "wrong-password").await;
    let (s, b) = owner.post("/api/settings/imap/test", json!({})).await;
    assert_eq!((s, code(&b)), (400, "imap_auth_failed"), "{b}");
    let mut status = Value::Null;
    for _ in 0..200 {
        let (_, view) = owner.get("/api/settings/imap").await;
        status = view["status"].clone();
        if status["error_code"] == "imap_auth_failed" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status["error_code"], "imap_auth_failed", "{status}");
    let (_, view) = owner.get("/api/settings/imap").await;
    assert_eq!(view["password_set"], true);
    assert!(view.get("password").is_none(), "the password is never shown");

    // The right password (only the password changes: the rest is kept).
    let view = use_imap(&mut owner, &imap, ImapServer::PASSWORD).await;
    assert_eq!(view["configured"], true);
    let (s, b) = owner.post("/api/settings/imap/test", json!({})).await;
    assert_eq!((s, &b["messages_waiting"]), (200, &json!(1)), "{b}");
    wait_inbound(&mut owner, 1).await;
    let (_, view) = owner.get("/api/settings/imap").await;
    assert!(view["status"]["error_code"].is_null(), "{view}");

    // The server goes away: the console says so; it comes back: mail flows again.
    imap.stop();
    let mut seen = false;
    for _ in 0..400 {
        let (_, b) = owner.post("/api/settings/imap/test", json!({})).await;
        if code(&b) == "imap_connect_failed" {
            seen = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(seen, "a dead server is reported");
    imap.append(
        "INBOX",
        &mail("b@example.com", "m2@example.com", None, "", "在吗"),
    );
    imap.restart();
    let (s, b) = owner
        .put(
            "/api/settings/imap",
            json!({"host": "127.0.0.1", "port": imap.port(), "tls": "none",
        "username": ImapServer::USER, "folder": "INBOX", "poll_secs": 10}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    wait_inbound(&mut owner, 2).await;

    // Bad settings are refused and change nothing.
    for (body, want) in [
        (
            json!({"host": "", "tls": "none", "username": "u"}),
            "invalid_host",
        ),
        (
            json!({"host": "h", "tls": "none", "username": ""}),
            "field_required",
        ),
        (
            json!({"host": "h", "tls": "none", "username": "u", "poll_secs": 1}),
            "invalid_poll_secs",
        ),
    ] {
        let (s, b) = owner.put("/api/settings/imap", body.clone()).await;
        assert_eq!((s, code(&b)), (400, want), "{body} → {b}");
    }
    let (_, view) = owner.get("/api/settings/imap").await;
    assert_eq!(view["host"], "127.0.0.1");
}
