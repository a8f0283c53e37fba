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

mod images;
mod input;
mod queue;
