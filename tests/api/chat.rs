//! Live chat over real websockets: visitor ↔ agent both ways, reconnect and fetch
//! what was missed, duplicate client ids, the queue, identified mode, isolation
//! between visitors, flood limits and bad input.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio_tungstenite::tungstenite::Message as Frame;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::common::*;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

struct Shop {
    server: TestServer,
    owner: Client,
    inbox: Value,
}

async fn shop() -> Shop {
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;
    assert_eq!(
        owner
            .put("/api/me/availability", json!({"availability": "online"}))
            .await
            .0,
        200
    );
    let (s, b) = owner
        .post("/api/inboxes", json!({"name": "小王的店", "greeting": "你好！"}))
        .await;
    assert_eq!(s, 201, "{b}");
    Shop {
        server,
        owner,
        inbox: b["inbox"].clone(),
    }
}

impl Shop {
    fn token(&self) -> &str {
        self.inbox["public_token"].as_str().unwrap()
    }

    async fn visitor(&self, extra: Value) -> (Client, String, Value) {
        let mut c = self.server.client();
        let mut body = json!({"inbox": self.token()});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let (s, b) = c.post("/api/widget/session", body).await;
        assert_eq!(s, 200, "{b}");
        let token = b["visitor_token"].as_str().unwrap().to_string();
        (visitor_client(&self.server, &token), token, b)
    }

    async fn visitor_socket(&self, token: &str) -> Socket {
        let url = format!(
            "{}/api/widget/ws?visitor={token}",
            self.server.base.replace("http", "ws")
        );
        tokio_tungstenite::connect_async(url).await.unwrap().0
    }

    async fn agent_socket(&self) -> Socket {
        let url = format!("{}/api/ws", self.server.base.replace("http", "ws"));
        let mut req = url.into_client_request().unwrap();
        let cookie = self.owner.raw_cookie.clone().expect("the owner's session cookie");
        req.headers_mut().insert("cookie", cookie.parse().unwrap());
        tokio_tungstenite::connect_async(req).await.unwrap().0
    }
}

fn visitor_client(server: &TestServer, token: &str) -> Client {
    let mut c = server.client();
    c.visitor = Some(token.to_string());
    c
}

async fn next_json(ws: &mut Socket) -> Value {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("a frame within 5 s")
            .expect("socket open")
            .unwrap();
        if let Frame::Text(t) = frame {
            return serde_json::from_str(&t).unwrap();
        }
    }
}

/// Reads frames until one of `kind` arrives (others, e.g. conversation updates, are skipped).
async fn next_of(ws: &mut Socket, kind: &str) -> Value {
    loop {
        let v = next_json(ws).await;
        if v["type"] == kind {
            return v;
        }
    }
}

async fn send(ws: &mut Socket, v: Value) {
    ws.send(Frame::Text(v.to_string().into())).await.unwrap();
}

fn message_count(server: &TestServer, body: &str) -> i64 {
    server
        .db()
        .query_row("SELECT count(*) FROM messages WHERE body = ?1", [body], |r| {
            r.get(0)
        })
        .unwrap()
}

#[tokio::test]
async fn visitor_and_agent_chat_both_ways_over_websockets() {
    let mut shop = shop().await;
    let (_, token, _) = shop.visitor(json!({})).await;
    let mut agent_ws = shop.agent_socket().await;
    let mut visitor_ws = shop.visitor_socket(&token).await;

    send(
        &mut visitor_ws,
        json!({"type": "message", "client_id": "m-1", "body": "你好，我的快递到哪了？"}),
    )
    .await;
    let ack = next_of(&mut visitor_ws, "ack").await;
    assert_eq!(ack["client_id"], "m-1");
    assert_eq!(ack["message"]["body"], "你好，我的快递到哪了？");
    assert_eq!(ack["message"]["delivery"], "delivered", "a console was connected");
    let got = next_of(&mut agent_ws, "message").await;
    assert_eq!(got["message"]["body"], "你好，我的快递到哪了？");
    let conversation = got["conversation_id"].as_i64().unwrap();
    // The same frame carries the conversation as it is after the message.
    assert_eq!(got["conversation"]["id"].as_i64(), Some(conversation));
    assert_eq!(
        got["conversation"]["last_message"]["body"],
        "你好，我的快递到哪了？"
    );
    assert_eq!(got["conversation"]["unread"], 1);

    // Typing, both ways.
    send(&mut visitor_ws, json!({"type": "typing", "typing": true})).await;
    let t = next_of(&mut agent_ws, "typing").await;
    assert_eq!(
        (t["conversation_id"].as_i64(), t["typing"].as_bool()),
        (Some(conversation), Some(true))
    );
    send(
        &mut agent_ws,
        json!({"type": "typing", "conversation_id": conversation, "typing": true}),
    )
    .await;
    let t = next_of(&mut visitor_ws, "typing").await;
    assert_eq!(t["agent_name"], "王店主");

    // A private note never reaches the customer; the public reply does.
    let path = format!("/api/conversations/{conversation}/messages");
    assert_eq!(
        shop.owner
            .post(&path, json!({"body": "内部备注：VIP", "private": true}))
            .await
            .0,
        201
    );
    assert_eq!(
        shop.owner
            .post(&path, json!({"body": "已经发货了，顺丰 SF123"}))
            .await
            .0,
        201
    );
    let reply = next_of(&mut visitor_ws, "message").await;
    assert_eq!(
        reply["message"]["body"], "已经发货了，顺丰 SF123",
        "the note was skipped"
    );
    assert_eq!(reply["message"]["agent_name"], "王店主");
    assert!(reply["message"].get("private").is_none());
    let note = next_of(&mut agent_ws, "message").await;
    assert_eq!(note["message"]["private"], true);

    // Reading: the customer sees "read" on their message.
    assert_eq!(
        shop.owner
            .post(&format!("/api/conversations/{conversation}/read"), json!({}))
            .await
            .0,
        204
    );
    let d = next_of(&mut visitor_ws, "delivery").await;
    assert_eq!(
        (d["delivery"].as_str(), d["up_to"].as_i64()),
        (Some("read"), ack["message"]["id"].as_i64())
    );

    // First reply time is recorded.
    let (_, detail) = shop
        .owner
        .get(&format!("/api/conversations/{conversation}"))
        .await;
    assert!(detail["conversation"]["first_reply_at"].as_i64().is_some());
    assert_eq!(detail["messages"].as_array().unwrap().len(), 3);
    assert!(
        detail["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "assigned")
    );
}

#[tokio::test]
async fn reconnect_fetches_what_was_missed_and_retries_are_stored_once() {
    let mut shop = shop().await;
    let (mut v, token, _) = shop.visitor(json!({})).await;
    let (s, sent) = v
        .post(
            "/api/widget/messages",
            json!({"client_id": "dup-1", "body": "在吗"}),
        )
        .await;
    assert_eq!(s, 201, "{sent}");
    let first_id = sent["message"]["id"].as_i64().unwrap();
    let conversation = sent["conversation"]["id"].as_i64().unwrap();

    // The same message sent again (HTTP retry, then over a websocket) is stored once.
    let (s, again) = v
        .post(
            "/api/widget/messages",
            json!({"client_id": "dup-1", "body": "在吗"}),
        )
        .await;
    assert_eq!((s, again["message"]["id"].as_i64()), (200, Some(first_id)));
    let mut ws = shop.visitor_socket(&token).await;
    send(
        &mut ws,
        json!({"type": "message", "client_id": "dup-1", "body": "在吗"}),
    )
    .await;
    assert_eq!(
        next_of(&mut ws, "ack").await["message"]["id"].as_i64(),
        Some(first_id)
    );
    drop(ws);
    assert_eq!(message_count(&shop.server, "在吗"), 1);

    // While the visitor is away, the agent answers twice; on return they fetch both.
    let path = format!("/api/conversations/{conversation}/messages");
    shop.owner.post(&path, json!({"body": "在的"})).await;
    shop.owner
        .post(&path, json!({"body": "请问有什么可以帮您？"}))
        .await;
    let (s, missed) = v.get(&format!("/api/widget/messages?after={first_id}")).await;
    assert_eq!(s, 200);
    let bodies: Vec<&str> = missed["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, ["在的", "请问有什么可以帮您？"]);

    // A reload (new session call with the stored token) shows the whole history.
    let (_, _, again) = shop.visitor(json!({"visitor_token": token})).await;
    assert_eq!(again["visitor_token"], token.as_str());
    assert_eq!(again["messages"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn long_poll_returns_as_soon_as_an_answer_arrives() {
    let mut shop = shop().await;
    let (mut v, _, _) = shop.visitor(json!({})).await;
    let (_, sent) = v
        .post(
            "/api/widget/messages",
            json!({"client_id": "lp-1", "body": "有人吗"}),
        )
        .await;
    let after = sent["message"]["id"].as_i64().unwrap();
    let conversation = sent["conversation"]["id"].as_i64().unwrap();
    let poll = tokio::spawn(async move {
        v.get(&format!("/api/widget/messages?after={after}&wait=20"))
            .await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = std::time::Instant::now();
    shop.owner
        .post(
            &format!("/api/conversations/{conversation}/messages"),
            json!({"body": "有的"}),
        )
        .await;
    let (s, got) = poll.await.unwrap();
    assert_eq!(s, 200);
    assert_eq!(got["messages"][0]["body"], "有的");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the poll ended with the answer, not the timeout"
    );
}

#[tokio::test]
async fn conversations_wait_in_the_queue_until_an_agent_is_free() {
    let mut shop = shop().await;
    assert_eq!(
        shop.owner
            .put("/api/me/availability", json!({"availability": "offline"}))
            .await
            .0,
        200
    );
    let (s, cfg) = shop
        .server
        .client()
        .get(&format!("/api/widget/config?inbox={}", shop.token()))
        .await;
    assert_eq!((s, cfg["agents_online"].as_bool()), (200, Some(false)));
    assert!(cfg["reply_estimate_minutes"].is_null());

    let (mut a, _, _) = shop.visitor(json!({})).await;
    let (mut b, _, _) = shop.visitor(json!({})).await;
    let (_, sa) = a
        .post(
            "/api/widget/messages",
            json!({"client_id": "a1", "body": "A 的问题"}),
        )
        .await;
    let (_, sb) = b
        .post(
            "/api/widget/messages",
            json!({"client_id": "b1", "body": "B 的问题"}),
        )
        .await;
    assert_eq!(sa["conversation"]["status"], "queued");
    assert_eq!(
        (
            sa["conversation"]["queue_position"].as_i64(),
            sb["conversation"]["queue_position"].as_i64()
        ),
        (Some(1), Some(2))
    );
    // The email for an answer later is stored.
    let (s, e) = a
        .post("/api/widget/email", json!({"email": "Buyer@Example.com"}))
        .await;
    assert_eq!(
        (s, e["contact"]["email"].as_str()),
        (200, Some("buyer@example.com"))
    );
    assert_eq!(a.post("/api/widget/email", json!({"email": "nope"})).await.0, 400);

    // One conversation at a time: the agent gets A (waiting longest), B keeps waiting.
    assert_eq!(
        shop.owner
            .patch("/api/agents/1", json!({"max_concurrent": 1}))
            .await
            .0,
        200
    );
    assert_eq!(
        shop.owner
            .put("/api/me/availability", json!({"availability": "online"}))
            .await
            .0,
        200
    );
    let (_, mine) = shop.owner.get("/api/conversations?view=mine").await;
    let mine = mine["conversations"].as_array().unwrap().clone();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["last_message"]["body"], "A 的问题");
    let (_, queued) = b.get("/api/widget/messages?after=0").await;
    assert_eq!(
        (
            queued["conversation"]["status"].as_str(),
            queued["conversation"]["queue_position"].as_i64()
        ),
        (Some("queued"), Some(1))
    );

    // Resolving A frees the agent: B is assigned at once.
    let id = mine[0]["id"].as_i64().unwrap();
    let (s, r) = shop
        .owner
        .post(
            &format!("/api/conversations/{id}/status"),
            json!({"status": "resolved"}),
        )
        .await;
    assert_eq!((s, r["conversation"]["status"].as_str()), (200, Some("resolved")));
    assert!(r["conversation"]["resolved_at"].as_i64().is_some());
    let (_, now) = b.get("/api/widget/messages?after=0").await;
    assert_eq!(now["conversation"]["status"], "open");
    assert_eq!(now["conversation"]["agent"]["name"], "王店主");

    // A customer message reopens a resolved conversation.
    let (_, again) = a
        .post(
            "/api/widget/messages",
            json!({"client_id": "a2", "body": "还有一个问题"}),
        )
        .await;
    assert_eq!(again["conversation"]["id"].as_i64(), Some(id));
    assert_eq!(
        again["conversation"]["status"], "queued",
        "the agent is at capacity"
    );
    let events: i64 = shop
        .server
        .db()
        .query_row(
            "SELECT count(*) FROM conversation_events WHERE conversation_id = ?1 AND kind = 'reopened'",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(events, 1);
}

#[tokio::test]
async fn round_robin_spreads_conversations_and_never_double_assigns() {
    let mut shop = shop().await;
    let (mut second, second_id) = shop
        .server
        .add_agent(&mut shop.owner, "li@shop.example", "agent")
        .await;
    assert_eq!(
        second
            .put("/api/me/availability", json!({"availability": "online"}))
            .await
            .0,
        200
    );
    let mut tasks = Vec::new();
    for i in 0..10 {
        let (mut v, _, _) = shop.visitor(json!({})).await;
        tasks.push(tokio::spawn(async move {
            v.post(
                "/api/widget/messages",
                json!({"client_id": format!("rr{i}"), "body": format!("问题 {i}")}),
            )
            .await
            .0
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 201);
    }
    let rows: Vec<(Option<i64>, i64)> = {
        let db = shop.server.db();
        let mut st = db
            .prepare(
                "SELECT assignee_id, count(*) FROM conversations GROUP BY assignee_id ORDER BY assignee_id",
            )
            .unwrap();
        st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    assert_eq!(
        rows,
        [(Some(1), 5), (Some(second_id), 5)],
        "5 each (limit 5 each), none left unassigned"
    );
    let events: i64 = shop
        .server
        .db()
        .query_row(
            "SELECT count(*) FROM conversation_events WHERE kind = 'assigned'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(events, 10, "each conversation assigned exactly once");
}

fn user_hash(secret: &str, id: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(id.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn identified_customers_keep_their_history_across_devices() {
    let shop = shop().await;
    let secret = shop.inbox["secret"].as_str().unwrap().to_string();
    let user = json!({"id": "10042", "name": "李雷", "email": "lilei@example.com", "hash": user_hash(&secret, "10042")});
    let (mut phone, phone_token, s) = shop.visitor(json!({"user": user})).await;
    assert_eq!(s["contact"]["name"], "李雷");
    phone
        .post(
            "/api/widget/messages",
            json!({"client_id": "p1", "body": "手机上发的"}),
        )
        .await;

    // Another device, no visitor token: same customer, same history.
    let (_, laptop_token, s) = shop.visitor(json!({"user": user})).await;
    assert_ne!(laptop_token, phone_token);
    assert_eq!(s["messages"][0]["body"], "手机上发的");

    // A forged hash is refused, and nothing is created.
    let contacts_before: i64 = shop
        .server
        .db()
        .query_row("SELECT count(*) FROM contacts", [], |r| r.get(0))
        .unwrap();
    let forged = json!({"inbox": shop.token(), "user": {"id": "10042", "hash": user_hash("guess", "10042")}});
    let (s, b) = shop.server.client().post("/api/widget/session", forged).await;
    assert_eq!((s, code(&b)), (403, "identity_invalid"));
    let other = json!({"inbox": shop.token(), "user": {"id": "10043", "hash": user_hash(&secret, "10042")}});
    assert_eq!(
        shop.server.client().post("/api/widget/session", other).await.0,
        403
    );
    let contacts_after: i64 = shop
        .server
        .db()
        .query_row("SELECT count(*) FROM contacts", [], |r| r.get(0))
        .unwrap();
    assert_eq!(contacts_before, contacts_after);
}

#[tokio::test]
async fn visitors_only_ever_see_their_own_conversation() {
    let shop = shop().await;
    let (mut a, a_token, _) = shop.visitor(json!({})).await;
    let (mut b, _, _) = shop.visitor(json!({})).await;
    a.post(
        "/api/widget/messages",
        json!({"client_id": "x1", "body": "A 的地址：北京市朝阳区"}),
    )
    .await;
    let (_, seen_by_b) = b.get("/api/widget/messages?after=0").await;
    assert!(seen_by_b["messages"].as_array().unwrap().is_empty());
    assert!(seen_by_b["conversation"].is_null());

    // Guessed or missing tokens get nothing.
    let mut guess = visitor_client(&shop.server, "not-a-real-token");
    let (s, body) = guess.get("/api/widget/messages?after=0").await;
    assert_eq!((s, code(&body)), (401, "visitor_unknown"));
    let mut none = shop.server.client();
    assert_eq!(
        none.post("/api/widget/messages", json!({"client_id": "z", "body": "x"}))
            .await
            .0,
        401
    );
    let url = format!(
        "{}/api/widget/ws?visitor=guessed",
        shop.server.base.replace("http", "ws")
    );
    assert!(
        tokio_tungstenite::connect_async(url).await.is_err(),
        "handshake refused"
    );
    // A visitor token is not an agent session.
    let (s, _) = a.get("/api/conversations?view=all").await;
    assert_eq!(s, 401);
    let url = format!("{}/api/ws", shop.server.base.replace("http", "ws"));
    assert!(
        tokio_tungstenite::connect_async(url).await.is_err(),
        "agent socket needs a session"
    );
    // The session endpoint never hands out someone else's token for a known one.
    let (_, _, again) = shop.visitor(json!({"visitor_token": a_token})).await;
    assert_eq!(again["messages"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn bad_input_is_refused_clearly_and_the_socket_survives() {
    let mut shop = shop().await;
    let (mut v, token, _) = shop.visitor(json!({})).await;
    let (s, b) = v
        .post(
            "/api/widget/messages",
            json!({"client_id": "long", "body": "字".repeat(5001)}),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "body_too_long"));
    let (s, b) = v
        .post(
            "/api/widget/messages",
            json!({"client_id": "empty", "body": "   "}),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "body_empty"));
    let (s, b) = v
        .post("/api/widget/messages", json!({"client_id": "", "body": "x"}))
        .await;
    assert_eq!((s, code(&b)), (400, "client_id_invalid"));
    assert_eq!(
        shop.server
            .db()
            .query_row("SELECT count(*) FROM messages", [], |r| r.get::<_, i64>(0))
            .unwrap(),
        0
    );

    let (s, b) = shop.server.client().get("/api/widget/config?inbox=unknown").await;
    assert_eq!((s, code(&b)), (404, "inbox_unknown"));
    let id = shop.inbox["id"].as_i64().unwrap();
    let (s, _) = shop
        .owner
        .patch(
            &format!("/api/inboxes/{id}"),
            json!({"allowed_origins": ["https://shop.example"]}),
        )
        .await;
    assert_eq!(s, 200);
    let res = shop
        .server
        .client()
        .http
        .get(format!(
            "{}/api/widget/config?inbox={}",
            shop.server.base,
            shop.token()
        ))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let res = shop
        .server
        .client()
        .http
        .get(format!(
            "{}/api/widget/config?inbox={}",
            shop.server.base,
            shop.token()
        ))
        .header("origin", "https://shop.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // The chat frame is served by kefu: its POSTs carry kefu's own origin, which
    // must not count as a foreign site (with allowed origins set, no chat could start).
    let session_from = |origin: String| {
        let http = shop.server.client().http;
        let url = format!("{}/api/widget/session", shop.server.base);
        let body = json!({"inbox": shop.token()});
        async move {
            let res = http
                .post(url)
                .header("origin", origin)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            (status, res.json::<Value>().await.unwrap())
        }
    };
    let (s, b) = session_from(shop.server.base.clone()).await;
    assert_eq!(s, 200, "{b}");
    let (s, b) = session_from("https://evil.example".into()).await;
    assert_eq!((s, code(&b)), (403, "origin_not_allowed"));
    let (s, b) = shop
        .owner
        .patch(
            &format!("/api/inboxes/{id}"),
            json!({"allowed_origins": ["shop.example/path"]}),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "invalid_origin"));
    let (s, b) = shop
        .owner
        .patch(&format!("/api/inboxes/{id}"), json!({"color": "red"}))
        .await;
    assert_eq!((s, code(&b)), (400, "invalid_color"));

    let mut ws = shop.visitor_socket(&token).await;
    ws.send(Frame::Text("{not json".into())).await.unwrap();
    let e = next_of(&mut ws, "error").await;
    assert_eq!(e["code"], "frame_invalid");
    send(
        &mut ws,
        json!({"type": "message", "client_id": "after-error", "body": "还在吗"}),
    )
    .await;
    assert_eq!(
        next_of(&mut ws, "ack").await["message"]["body"],
        "还在吗",
        "the connection survived"
    );

    // Floods are slowed down with a clear message.
    let mut last = (0, json!(null));
    for i in 0..25 {
        last = v
            .post(
                "/api/widget/messages",
                json!({"client_id": format!("f{i}"), "body": "刷屏"}),
            )
            .await;
    }
    assert_eq!((last.0, code(&last.1)), (429, "slow_down"));
    assert!(message_count(&shop.server, "刷屏") < 25);
}

#[tokio::test]
async fn required_prechat_fields_come_before_the_first_message() {
    let mut shop = shop().await;
    let id = shop.inbox["id"].as_i64().unwrap();
    let (s, _) = shop
        .owner
        .patch(
            &format!("/api/inboxes/{id}"),
            json!({"prechat": {"email": "required", "name": "optional"}}),
        )
        .await;
    assert_eq!(s, 200);
    let (mut v, token, _) = shop.visitor(json!({})).await;
    let (s, b) = v
        .post("/api/widget/messages", json!({"client_id": "p", "body": "你好"}))
        .await;
    assert_eq!((s, code(&b)), (400, "prechat_required"));
    let (s, b) = shop
        .server
        .client()
        .post(
            "/api/widget/session",
            json!({"inbox": shop.token(), "visitor_token": token, "prechat": {"name": "韩梅梅"}}),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "prechat_required"));
    let (_, _, ok) = shop
        .visitor(json!({"visitor_token": token, "prechat": {"name": "韩梅梅", "email": "hmm@example.com"}}))
        .await;
    assert_eq!(ok["contact"]["email"], "hmm@example.com");
    assert_eq!(
        v.post("/api/widget/messages", json!({"client_id": "p", "body": "你好"}))
            .await
            .0,
        201
    );
}

#[tokio::test]
async fn snoozed_conversations_come_back_on_time() {
    let mut shop = shop().await;
    let (mut v, _, _) = shop.visitor(json!({})).await;
    let (_, sent) = v
        .post(
            "/api/widget/messages",
            json!({"client_id": "s1", "body": "明天再说"}),
        )
        .await;
    let id = sent["conversation"]["id"].as_i64().unwrap();
    let path = format!("/api/conversations/{id}/status");
    let (s, b) = shop.owner.post(&path, json!({"status": "snoozed"})).await;
    assert_eq!((s, code(&b)), (400, "snooze_time_invalid"));
    let (s, b) = shop.owner.post(&path, json!({"status": "queued"})).await;
    assert_eq!((s, code(&b)), (400, "status_invalid"));
    let soon = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
        + 1500;
    let (s, b) = shop
        .owner
        .post(&path, json!({"status": "snoozed", "snoozed_until": soon}))
        .await;
    assert_eq!((s, b["conversation"]["status"].as_str()), (200, Some("snoozed")));
    // The wake-up job runs every 15 s; wait for it (bounded).
    let mut status = String::new();
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(500)).await;
        status = shop.owner.get(&format!("/api/conversations/{id}")).await.1["conversation"]["status"]
            .as_str()
            .unwrap()
            .to_string();
        if status != "snoozed" {
            break;
        }
    }
    assert_eq!(status, "open", "back with its agent");
}

/// A tiny valid PNG (1×1 pixel).
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00,
    0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0, 0x1F, 0x00, 0x05,
    0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42,
    0x60, 0x82,
];

async fn upload(c: &Client, path: &str, bytes: Vec<u8>, content_type: &str) -> (u16, Value) {
    let mut req = c
        .http
        .post(format!("{}{path}", c.base))
        .header("content-type", content_type)
        .body(bytes);
    if let Some(v) = &c.visitor {
        req = req.header("x-kefu-visitor", v);
    }
    if let Some(t) = &c.csrf {
        req = req.header("x-csrf-token", t);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn images_go_both_ways_and_only_their_sender_can_attach_them() {
    let mut shop = shop().await;
    let (mut v, _, _) = shop.visitor(json!({})).await;
    let (mut other, _, _) = shop.visitor(json!({})).await;

    let (s, b) = upload(
        &v,
        "/api/widget/attachments",
        b"<svg onload=alert(1)>".to_vec(),
        "image/svg+xml",
    )
    .await;
    assert_eq!((s, code(&b)), (415, "not_an_image"));
    let mut big = PNG.to_vec();
    big.resize(5 * 1024 * 1024 + 1, 0);
    let (s, b) = upload(&v, "/api/widget/attachments", big, "image/png").await;
    assert_eq!((s, code(&b)), (413, "image_too_large"));
    let (s, img) = upload(&v, "/api/widget/attachments", PNG.to_vec(), "image/png").await;
    assert_eq!((s, img["mime"].as_str()), (201, Some("image/png")));
    let url = img["url"].as_str().unwrap().to_string();
    assert!(
        url.starts_with("/api/attachments/") && url.len() > 50,
        "unguessable: {url}"
    );

    // Someone else's upload cannot be attached.
    let (s, b) = other
        .post(
            "/api/widget/messages",
            json!({"client_id": "steal", "attachment_id": img["id"]}),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "unknown_attachment"));
    // The owner sends it, without text.
    let (s, sent) = v
        .post(
            "/api/widget/messages",
            json!({"client_id": "pic", "attachment_id": img["id"]}),
        )
        .await;
    assert_eq!(s, 201, "{sent}");
    assert_eq!(sent["message"]["attachment"]["url"], url.as_str());
    let conversation = sent["conversation"]["id"].as_i64().unwrap();
    let (_, detail) = shop
        .owner
        .get(&format!("/api/conversations/{conversation}"))
        .await;
    assert_eq!(detail["messages"][0]["attachment"]["mime"], "image/png");
    assert_eq!(
        detail["conversation"]["last_message"]["image"], true,
        "lists can say the last message was an image"
    );

    let res = reqwest::get(format!("{}{url}", shop.server.base)).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "image/png");
    assert!(
        res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("sandbox")
    );
    assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);
    assert_eq!(
        reqwest::get(format!("{}/api/attachments/guessed", shop.server.base))
            .await
            .unwrap()
            .status(),
        404
    );
    // Stored once on disk, under its hash.
    let files = walk(&shop.server.data_dir.join("attachments"));
    assert_eq!(files, 1);

    // And back: the agent sends an image.
    let (s, agent_img) = upload(&shop.owner, "/api/attachments", PNG.to_vec(), "image/png").await;
    assert_eq!(s, 201);
    let (s, r) = shop
        .owner
        .post(
            &format!("/api/conversations/{conversation}/messages"),
            json!({"body": "这是实物图", "attachment_id": agent_img["id"]}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let (_, seen) = v.get("/api/widget/messages?after=0").await;
    assert_eq!(seen["messages"][1]["attachment"]["mime"], "image/png");
    let (s, b) = shop
        .owner
        .post(
            &format!("/api/conversations/{conversation}/messages"),
            json!({"attachment_id": img["id"]}),
        )
        .await;
    assert_eq!(
        (s, code(&b)),
        (400, "unknown_attachment"),
        "an agent cannot forward the customer's upload as theirs"
    );
    let (s, b) = v
        .post("/api/widget/messages", json!({"client_id": "nothing"}))
        .await;
    assert_eq!((s, code(&b)), (400, "body_empty"));
    assert_eq!(
        walk(&shop.server.data_dir.join("attachments")),
        1,
        "same bytes, same file"
    );
    let _ = &mut other;
    let _ = &mut v;
}

fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| {
                let p = e.unwrap().path();
                if p.is_dir() { walk(&p) } else { 1 }
            })
            .sum()
        })
        .unwrap_or(0)
}

#[tokio::test]
async fn stopping_closes_sockets_with_going_away_at_once() {
    let shop = shop().await;
    let (_, token, _) = shop.visitor(json!({})).await;
    let mut visitor_ws = shop.visitor_socket(&token).await;
    let mut agent_ws = shop.agent_socket().await;
    let started = std::time::Instant::now();
    let stop = tokio::spawn(async move { shop.server.stop().await });
    for ws in [&mut visitor_ws, &mut agent_ws] {
        let close = loop {
            match tokio::time::timeout(Duration::from_secs(5), ws.next())
                .await
                .expect("closed within 5 s")
            {
                Some(Ok(Frame::Close(reason))) => break reason,
                Some(Ok(_)) => continue,
                other => panic!("expected a close frame, got {other:?}"),
            }
        };
        assert_eq!(close.map(|c| u16::from(c.code)), Some(1001), "going away");
    }
    stop.await.unwrap().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn uploads_are_rate_limited_and_oversized_bodies_get_clear_errors() {
    let shop = shop().await;
    let (v, _, _) = shop.visitor(json!({})).await;
    for i in 0..10 {
        let (s, b) = upload(&v, "/api/widget/attachments", PNG.to_vec(), "image/png").await;
        assert_eq!(s, 201, "upload {i}: {b}");
    }
    let res = v
        .http
        .post(format!("{}/api/widget/attachments", v.base))
        .header("x-kefu-visitor", v.visitor.as_deref().unwrap())
        .header("content-type", "image/png")
        .body(PNG.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    let wait: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((250..=301).contains(&wait), "retry after {wait} s");
    let body: Value = res.json().await.unwrap();
    assert_eq!(code(&body), "uploads_slow_down");
    // Only that visitor waits.
    let (other, _, _) = shop.visitor(json!({})).await;
    let (s, _) = upload(&other, "/api/widget/attachments", PNG.to_vec(), "image/png").await;
    assert_eq!(s, 201);

    // A body far over every limit still gets a JSON answer, for an image and for a CSV.
    let mut huge = PNG.to_vec();
    huge.resize(17 * 1024 * 1024, 0);
    let (s, b) = upload(&other, "/api/widget/attachments", huge.clone(), "image/png").await;
    assert_eq!((s, code(&b)), (413, "image_too_large"));
    let (s, b) = upload(&shop.owner, "/api/orders/import", huge, "text/csv").await;
    assert_eq!((s, code(&b)), (413, "payload_too_large"), "{b}");
    assert!(b["error"]["message"].as_str().unwrap().contains("16384"));
}
