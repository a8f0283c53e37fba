//! A demo shop whose chat inbox has the bot on, and widget visitors on websockets.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message as Frame;

use crate::common::{Client, TestServer, always_open};

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub struct BotShop {
    pub _dir: tempfile::TempDir,
    pub server: TestServer,
    pub owner: Client,
    pub inbox: Value,
}

/// The demo shop (its chat inbox has the bot on), open now, the owner online.
pub async fn bot_shop() -> BotShop {
    let (dir, server, mut owner) = super::demo_shop().await;
    always_open(&mut owner).await;
    let (s, b) = owner
        .put("/api/me/availability", json!({"availability": "online"}))
        .await;
    assert_eq!(s, 200, "{b}");
    let (_, inboxes) = owner.get("/api/inboxes").await;
    let inbox = inboxes["inboxes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "web")
        .expect("the demo's chat inbox")
        .clone();
    assert_eq!(inbox["bot_enabled"], true, "the demo turns the bot on: {inbox}");
    BotShop {
        _dir: dir,
        server,
        owner,
        inbox,
    }
}

/// A shop with no knowledge base at all and a chat inbox with the bot on.
pub async fn empty_bot_shop() -> BotShop {
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;
    always_open(&mut owner).await;
    let (s, b) = owner
        .post(
            "/api/inboxes",
            json!({"name": "空店", "bot_enabled": true, "handoff_words": ["找老板"]}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    BotShop {
        _dir: tempfile::tempdir().unwrap(),
        server,
        owner,
        inbox: b["inbox"].clone(),
    }
}

pub struct Visitor {
    pub http: Client,
    pub ws: Socket,
    /// The conversation's id, from the last conversation update on the socket.
    pub conversation: Value,
    sent: u32,
}

impl BotShop {
    /// A new widget visitor writing in `locale`, with extra session fields.
    pub async fn visitor(&self, locale: &str, extra: Value) -> Visitor {
        let mut c = self.server.client();
        let mut body = json!({"inbox": self.inbox["public_token"], "locale": locale});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let (s, session) = c.post("/api/widget/session", body).await;
        assert_eq!(s, 200, "{session}");
        assert_eq!(
            session["bot_greeting"],
            Value::Null,
            "a new visitor has no orders"
        );
        let token = session["visitor_token"].as_str().unwrap().to_string();
        let url = format!(
            "{}/api/widget/ws?visitor={token}",
            self.server.base.replace("http", "ws")
        );
        let ws = tokio_tungstenite::connect_async(url).await.unwrap().0;
        let mut http = self.server.client();
        http.visitor = Some(token);
        Visitor {
            http,
            ws,
            conversation: Value::Null,
            sent: 0,
        }
    }

    /// The conversation as the agent sees it, with every message and note.
    pub async fn agent_view(&mut self, conversation: &Value) -> Value {
        let (s, b) = self
            .owner
            .get(&format!("/api/conversations/{conversation}"))
            .await;
        assert_eq!(s, 200, "{b}");
        b
    }

    pub fn outcome(&self, conversation: &Value) -> Option<String> {
        self.server
            .db()
            .query_row(
                "SELECT bot_outcome FROM conversations WHERE id = ?1",
                [conversation.as_i64().unwrap()],
                |r| r.get(0),
            )
            .unwrap()
    }
}

impl Visitor {
    /// Sends a message on the socket and returns the bot's first reply to it.
    pub async fn say(&mut self, text: &str) -> Value {
        self.sent += 1;
        // Client ids are the widget's, unique per inbox: one series per visitor.
        let client_id = format!(
            "{}-{}",
            self.http.visitor.as_deref().unwrap_or_default(),
            self.sent
        );
        let frame = json!({"type": "message", "client_id": &client_id[client_id.len().saturating_sub(60)..], "body": text});
        self.ws.send(Frame::Text(frame.to_string().into())).await.unwrap();
        self.next_bot_message().await
    }

    /// Taps "solved" (or "not solved") under the bot's answer `message`.
    pub async fn feedback(&mut self, message: &Value, solved: bool) -> (u16, Value) {
        let body = json!({"message_id": message, "solved": solved});
        self.http.post("/api/widget/bot/feedback", body).await
    }

    /// Taps the offered `article` under the bot's `message`.
    pub async fn pick(&mut self, message: &Value, article: &Value) -> (u16, Value) {
        let body = json!({"message_id": message, "article_id": article});
        self.http.post("/api/widget/bot/pick", body).await
    }

    /// The next message from the bot on the socket (skipping everything else).
    pub async fn next_bot_message(&mut self) -> Value {
        loop {
            let v = self.next_frame().await;
            assert_ne!(v["type"], "error", "{v}");
            if v["type"] == "message" && v["message"]["sender"] == "bot" {
                return v["message"].clone();
            }
        }
    }

    /// The next conversation update whose status is `status` (the idle check runs
    /// every 10 s, so this waits longer than a reply).
    pub async fn status_becomes(&mut self, status: &str) -> Value {
        loop {
            let v = self.next_frame_within(Duration::from_secs(15)).await;
            if v["type"] == "conversation" && v["conversation"]["status"] == status {
                return v["conversation"].clone();
            }
        }
    }

    async fn next_frame(&mut self) -> Value {
        self.next_frame_within(Duration::from_secs(5)).await
    }

    async fn next_frame_within(&mut self, wait: Duration) -> Value {
        loop {
            let frame = tokio::time::timeout(wait, self.ws.next())
                .await
                .expect("a frame in time")
                .expect("socket open")
                .unwrap();
            if let Frame::Text(t) = frame {
                let v: Value = serde_json::from_str(&t).unwrap();
                if v["type"] == "conversation" {
                    self.conversation = v["conversation"]["id"].clone();
                }
                return v;
            }
        }
    }
}
