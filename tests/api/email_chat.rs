//! Conversations by email, against a real SMTP server and a real IMAP server: a
//! customer who left the chat gets the agent's reply by mail and answers it back
//! into the chat; mail threads may become conversations; transcripts; and the
//! migration that made room for all this keeps every row.

use serde_json::{Value, json};

use crate::common::{Client, TestServer, code};
use crate::email_inbox::{mail, use_imap, wait_inbound};
use crate::mail::{parse, use_smtp, wait_mail};
use crate::mail_servers::{ImapServer, SmtpSink};

async fn messages(owner: &mut Client, conversation: i64) -> Vec<Value> {
    let (s, b) = owner.get(&format!("/api/conversations/{conversation}")).await;
    assert_eq!(s, 200, "{b}");
    b["messages"].as_array().unwrap().clone()
}

async fn reply(owner: &mut Client, conversation: i64, body: &str) -> Value {
    let (s, b) = owner
        .post(
            &format!("/api/conversations/{conversation}/messages"),
            json!({"body": body}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    b["message"].clone()
}

/// A widget visitor who wrote while nobody was online and left their address.
async fn visitor_who_left_an_email(
    server: &TestServer,
    owner: &mut Client,
    email: &str,
) -> (Client, String, i64) {
    let (s, b) = owner.post("/api/inboxes", json!({"name": "小王的店"})).await;
    assert_eq!(s, 201, "{b}");
    let inbox = b["inbox"]["public_token"].as_str().unwrap().to_string();
    let mut visitor = server.client();
    let (s, b) = visitor
        .post("/api/widget/session", json!({"inbox": inbox, "locale": "zh-CN"}))
        .await;
    assert_eq!(s, 200, "{b}");
    let token = b["visitor_token"].as_str().unwrap().to_string();
    visitor.visitor = Some(token.clone());
    let (s, b) = visitor
        .post(
            "/api/widget/messages",
            json!({"client_id": "m1", "body": "我的快递三天没动了，能帮我查一下吗？"}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let conversation = b["conversation"]["id"].as_i64().unwrap();
    let (s, b) = visitor.post("/api/widget/email", json!({"email": email})).await;
    assert_eq!(s, 200, "{b}");
    (visitor, token, conversation)
}

#[tokio::test]
async fn a_customer_who_left_gets_the_reply_by_mail_and_answers_back_into_the_chat() {
    let imap = ImapServer::start();
    let sink = SmtpSink::start();
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;
    use_smtp(&mut owner, sink.port()).await;
    use_imap(&mut owner, &imap, ImapServer::PASSWORD).await;
    let (_visitor, token, conversation) =
        visitor_who_left_an_email(&server, &mut owner, "wang@mail.example.cn").await;

    // Nobody has the widget open: the reply goes out by mail too.
    let first = reply(&mut owner, conversation, "已经帮您催了快递公司，明天会更新。").await;
    assert_eq!(first["mail"]["to_email"], "wang@mail.example.cn", "{first}");
    assert_eq!(first["mail"]["status"], "queued");
    let sent = parse(&wait_mail(&sink, 1).await[0]);
    assert_eq!(sent.to, "wang@mail.example.cn");
    assert_eq!(sent.subject, "回复：您给小王的店的留言");
    assert!(sent.text.contains("已经帮您催了快递公司"), "{}", sent.text);
    assert!(
        sent.text.contains("我的快递三天没动了"),
        "their question is quoted: {}",
        sent.text
    );
    assert!(sent.text.contains("很抱歉当时客服不在线"), "{}", sent.text);
    assert_eq!(
        sent.auto_submitted, None,
        "a person's reply, which they may answer"
    );
    assert!(sent.message_id.starts_with("kefu."), "{}", sent.message_id);
    let ours = sent.message_id.clone();
    for _ in 0..100 {
        if messages(&mut owner, conversation).await.last().unwrap()["mail"]["status"] == "sent" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let shown = messages(&mut owner, conversation).await;
    assert_eq!(shown.last().unwrap()["mail"]["status"], "sent", "{shown:?}");

    // With the widget open, a reply stays in the chat.
    let ws_url = format!(
        "{}/api/widget/ws?visitor={token}",
        server.base.replace("http", "ws")
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(ws_url).await.unwrap();
    let in_chat = reply(&mut owner, conversation, "您还在吗？").await;
    assert!(in_chat["mail"].is_null(), "{in_chat}");

    // The customer answers the mail: it joins the chat (quote folded), reaching the
    // open widget and the console; a stranger answering the same mail does not.
    imap.append(
        "INBOX",
        &mail(
            "王先生 <wang@mail.example.cn>",
            "answer-1@mail.example.cn",
            Some(&ours),
            "",
            "好的，谢谢！单号是 SF123。\r\n\r\n> 已经帮您催了快递公司",
        ),
    );
    imap.append(
        "INBOX",
        &mail(
            "stranger@mail.example",
            "stranger-1@mail.example",
            Some(&ours),
            "",
            "我也要退款",
        ),
    );
    imap.append(
        "INBOX",
        &mail(
            "wang@mail.example.cn",
            "away-1@mail.example.cn",
            Some(&ours),
            "Auto-Submitted: auto-replied\r\n",
            "我正在休假。",
        ),
    );
    let taken = wait_inbound(&mut owner, 3).await;
    let outcomes: Vec<_> = taken
        .iter()
        .map(|m| {
            (
                m["outcome"].as_str().unwrap(),
                m["reason"].as_str(),
                m["conversation_id"].as_i64(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("conversation_reply", None, Some(conversation)),
            ("new_ticket", Some("not_participant"), None),
            ("ignored", Some("auto_reply"), Some(conversation)),
        ]
    );
    let frame = loop {
        let frame = tokio::time::timeout(
            std::time::Duration::from_secs(5),
            futures_util::StreamExt::next(&mut ws),
        )
        .await
        .expect("the widget hears of the mail")
        .unwrap()
        .unwrap();
        let v: Value = serde_json::from_str(&frame.into_text().unwrap()).unwrap_or_default();
        if v["type"] == "message" && v["message"]["sender"] == "contact" {
            break v;
        }
    };
    assert_eq!(frame["message"]["body"], "好的，谢谢！单号是 SF123。");
    let shown = messages(&mut owner, conversation).await;
    let answer = shown.last().unwrap();
    assert_eq!(
        (answer["sender"].as_str(), answer["via"].as_str()),
        (Some("contact"), Some("email"))
    );
    assert_eq!(
        shown.iter().filter(|m| m["via"] == "email").count(),
        1,
        "the robot's mail is not in the chat"
    );

    // The widget closed again: the next reply lands in the customer's mail thread,
    // answering their mail, without the apology for the first wait.
    drop(ws);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    reply(&mut owner, conversation, "收到单号，我们查一下。").await;
    // (The stranger got their new ticket's confirmation meanwhile.)
    let all = wait_mail(&sink, 3).await;
    let second = all
        .iter()
        .map(|m| parse(m))
        .find(|m| m.text.contains("收到单号"))
        .expect("second reply");
    assert_eq!(second.in_reply_to, ["answer-1@mail.example.cn"]);
    assert!(
        second.references.contains(&ours)
            && second
                .references
                .contains(&"answer-1@mail.example.cn".to_string()),
        "{:?}",
        second.references
    );
    assert!(!second.text.contains("很抱歉当时客服不在线"), "{}", second.text);

    // A private note never leaves by mail.
    let (s, note) = owner
        .post(
            &format!("/api/conversations/{conversation}/messages"),
            json!({"body": "内部：顺丰工单 998", "private": true}),
        )
        .await;
    assert_eq!((s, note["message"]["mail"].is_null()), (201, true), "{note}");

    // The transcript: everything public, nothing private, to the customer.
    let (s, b) = owner
        .post(
            &format!("/api/conversations/{conversation}/transcript"),
            json!({}),
        )
        .await;
    assert_eq!(s, 202, "{b}");
    assert_eq!(b["mail"]["to_email"], "wang@mail.example.cn");
    let all = wait_mail(&sink, 4).await;
    let transcript = all
        .iter()
        .map(|m| parse(m))
        .find(|m| m.subject.contains("聊天记录") || m.subject.contains("conversation"))
        .expect("the transcript");
    for said in [
        "我的快递三天没动了",
        "已经帮您催了快递公司",
        "好的，谢谢！单号是 SF123。",
        "收到单号",
    ] {
        assert!(transcript.text.contains(said), "{said} in {}", transcript.text);
    }
    assert!(!transcript.text.contains("顺丰工单"), "{}", transcript.text);
    assert_eq!(transcript.auto_submitted.as_deref(), Some("auto-generated"));
}

#[tokio::test]
async fn transcripts_need_an_address() {
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;
    let (s, b) = owner.post("/api/inboxes", json!({"name": "店"})).await;
    assert_eq!(s, 201, "{b}");
    let mut visitor = server.client();
    let (_, b) = visitor
        .post(
            "/api/widget/session",
            json!({"inbox": b["inbox"]["public_token"]}),
        )
        .await;
    visitor.visitor = Some(b["visitor_token"].as_str().unwrap().to_string());
    let (_, b) = visitor
        .post(
            "/api/widget/messages",
            json!({"client_id": "m1", "body": "hello"}),
        )
        .await;
    let conversation = b["conversation"]["id"].as_i64().unwrap();
    let path = format!("/api/conversations/{conversation}/transcript");
    let (s, b) = owner.post(&path, json!({})).await;
    assert_eq!((s, code(&b)), (400, "contact_has_no_email"), "{b}");
    let (s, b) = owner.post(&path, json!({"to": "not an address"})).await;
    assert_eq!((s, code(&b)), (400, "invalid_email"), "{b}");
    let (s, b) = owner
        .post("/api/conversations/999999/transcript", json!({}))
        .await;
    assert_eq!(s, 404, "{b}");
    let outbox: i64 = server
        .db()
        .query_row("SELECT count(*) FROM outbox", [], |r| r.get(0))
        .unwrap();
    assert_eq!(outbox, 0, "refused requests queue nothing");
    // Without an SMTP server the mail waits in the outbox for one.
    let (s, b) = owner.post(&path, json!({"to": "Someone@Mail.example"})).await;
    assert_eq!(
        (s, b["mail"]["to_email"].as_str(), b["mail"]["status"].as_str()),
        (202, Some("someone@mail.example"), Some("queued"))
    );
    let agent_only = server.client().post(&path, json!({})).await.0;
    assert_eq!(agent_only, 401);
}

#[tokio::test]
async fn mail_threads_can_become_conversations_answered_by_mail() {
    let imap = ImapServer::start();
    let sink = SmtpSink::start();
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;
    use_smtp(&mut owner, sink.port()).await;
    let (s, b) = owner
        .put(
            "/api/settings/imap",
            json!({"host": "127.0.0.1", "port": imap.port(), "tls": "none", "username": ImapServer::USER,
                   "password": ImapServer::PASSWORD, "poll_secs": 10, "new_threads": "conversation"}),
        )
        .await;
    assert_eq!((s, b["new_threads"].as_str()), (200, Some("conversation")), "{b}");
    let (s, b) = owner
        .put(
            "/api/settings/imap",
            json!({"host": "127.0.0.1", "port": imap.port(), "tls": "none", "username": ImapServer::USER,
                   "new_threads": "fax"}),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "invalid_json"), "{b}");

    imap.append(
        "INBOX",
        &mail(
            "Li Lei <li@mail.example>",
            "first-1@mail.example",
            None,
            "",
            "Where is my parcel?",
        ),
    );
    let taken = wait_inbound(&mut owner, 1).await;
    assert_eq!(taken[0]["outcome"], "new_conversation", "{taken:?}");
    let conversation = taken[0]["conversation_id"].as_i64().unwrap();
    assert!(
        sink.messages().is_empty(),
        "no ticket confirmation for a conversation"
    );

    // It waits in the email inbox, made for it, as a chat would.
    let (_, b) = owner.get("/api/inboxes").await;
    let email_inbox = b["inboxes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "email")
        .expect("an email inbox")
        .clone();
    let (_, b) = owner.get(&format!("/api/conversations/{conversation}")).await;
    assert_eq!(b["conversation"]["inbox_id"], email_inbox["id"], "{b}");
    assert_eq!(b["conversation"]["contact"]["email"], "li@mail.example");
    let first = &b["messages"][0];
    assert_eq!(first["via"], "email");
    assert!(
        first["body"].as_str().unwrap().contains("Where is my parcel?"),
        "{first}"
    );

    // Nobody can open a widget on it.
    let (s, b) = server
        .client()
        .post(
            "/api/widget/session",
            json!({"inbox": email_inbox["public_token"]}),
        )
        .await;
    assert_eq!((s, code(&b)), (404, "inbox_unknown"));

    // The agent's reply is a mail in the customer's thread, under their subject.
    let answer = reply(&mut owner, conversation, "It left our warehouse today.").await;
    assert_eq!(answer["mail"]["to_email"], "li@mail.example");
    let sent = parse(&wait_mail(&sink, 1).await[0]);
    assert_eq!(sent.in_reply_to, ["first-1@mail.example"]);
    assert_eq!(
        sent.subject, "回复：退款 first-1@mail.example",
        "their subject, prefixed once, in the language they wrote"
    );
    assert!(!sent.text.contains("nobody was online"), "{}", sent.text);

    // Their answer threads back into the same conversation.
    imap.append(
        "INBOX",
        &mail(
            "li@mail.example",
            "second-1@mail.example",
            Some(&sent.message_id),
            "",
            "Thanks!",
        ),
    );
    let taken = wait_inbound(&mut owner, 2).await;
    assert_eq!(
        (taken[1]["outcome"].as_str(), taken[1]["conversation_id"].as_i64()),
        (Some("conversation_reply"), Some(conversation))
    );
    assert_eq!(
        messages(&mut owner, conversation).await.last().unwrap()["body"],
        "Thanks!"
    );
}

#[tokio::test]
async fn the_migration_that_widened_inboxes_keeps_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("kefu.db");
    {
        let mut conn = rusqlite::Connection::open(&db_path).unwrap();
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        kefu::db::migrate_to(&mut conn, 11).unwrap();
        conn.execute_batch(
            "INSERT INTO inboxes (id, kind, name, public_token, secret, created_at, updated_at)
                 VALUES (7, 'web', '旧店', 'tok-old', 'sec', 0, 0);
             INSERT INTO contacts (id, name, first_seen_at, last_seen_at) VALUES (3, '老客户', 0, 0);
             INSERT INTO conversations (id, inbox_id, contact_id, status, last_message_at, created_at, updated_at)
                 VALUES (5, 7, 3, 'queued', 0, 0, 0);
             INSERT INTO messages (conversation_id, inbox_id, sender_kind, body, created_at)
                 VALUES (5, 7, 'contact', '还在吗', 0);
             INSERT INTO inbound_mail (uid_validity, uid, size, outcome, received_at) VALUES (1, 1, 10, 'own', 0);",
        )
        .unwrap();
    }
    let server = TestServer::start_in(dir.path(), Default::default())
        .await
        .unwrap();
    let db = server.db();
    let kept: (String, i64, i64, i64) = db
        .query_row(
            "SELECT (SELECT name FROM inboxes WHERE id = 7), (SELECT count(*) FROM conversations WHERE inbox_id = 7),
                    (SELECT count(*) FROM messages WHERE inbox_id = 7), (SELECT count(*) FROM inbound_mail)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(kept, ("旧店".to_string(), 1, 1, 1));
    let broken: i64 = db
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(broken, 0);
    // Deleting the inbox still takes its conversations with it: foreign keys are on
    // again after migrating, and the references point at the new table.
    let mut owner = server.setup_owner().await;
    let (s, b) = owner.delete("/api/inboxes/7").await;
    assert_eq!(s, 204, "{b}");
    let left: i64 = server
        .db()
        .query_row("SELECT count(*) FROM conversations", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0);
}
