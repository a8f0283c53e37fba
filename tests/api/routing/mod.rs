//! Routing on the demo shop: intents and the classifier, sentiment, rules and
//! the "try it" box (`rules`); assignment strategies, the queue and dispatch
//! under concurrent events (`assign`).

mod assign;
mod rules;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};

use serde_json::{Value, json};

use crate::common::{Client, TestServer, always_open};

pub struct Shop {
    pub _dir: tempfile::TempDir,
    pub server: TestServer,
    pub owner: Client,
    /// A chat inbox without the bot.
    pub inbox: Value,
    /// The demo's teams by name.
    pub teams: HashMap<String, i64>,
}

/// The demo shop (intents, their teams), open now, with a chat inbox without the
/// bot; the owner is offline unless a test says otherwise.
pub async fn shop() -> Shop {
    let (dir, server, mut owner) = crate::bot::demo_shop().await;
    always_open(&mut owner).await;
    let (s, b) = owner
        .post("/api/inboxes", json!({"name": "路由测试 Routing"}))
        .await;
    assert_eq!(s, 201, "{b}");
    let (_, t) = owner.get("/api/teams").await;
    let teams = t["teams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["name"].as_str().unwrap().to_string(), t["id"].as_i64().unwrap()))
        .collect();
    Shop {
        _dir: dir,
        server,
        owner,
        inbox: b["inbox"].clone(),
        teams,
    }
}

static CLIENT_IDS: AtomicU32 = AtomicU32::new(1);

impl Shop {
    pub fn team(&self, name_part: &str) -> i64 {
        *self
            .teams
            .iter()
            .find(|(n, _)| n.contains(name_part))
            .unwrap_or_else(|| panic!("a demo team named like {name_part}: {:?}", self.teams))
            .1
    }

    /// A new widget visitor (with extra session fields).
    pub async fn visitor(&self, extra: Value) -> Client {
        let mut c = self.server.client();
        let mut body = json!({"inbox": self.inbox["public_token"]});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        let (s, b) = c.post("/api/widget/session", body).await;
        assert_eq!(s, 200, "{b}");
        c.visitor = Some(b["visitor_token"].as_str().unwrap().to_string());
        c
    }

    /// A visitor writes; returns the conversation as the console sees it.
    pub async fn says(&mut self, visitor: &mut Client, text: &str) -> Value {
        let id = format!("r-{}", CLIENT_IDS.fetch_add(1, Ordering::Relaxed));
        let (s, b) = visitor
            .post("/api/widget/messages", json!({"client_id": id, "body": text}))
            .await;
        assert_eq!(s, 201, "{text}: {b}");
        self.conversation(b["conversation"]["id"].as_i64().unwrap()).await
    }

    pub async fn conversation(&mut self, id: i64) -> Value {
        let (s, b) = self.owner.get(&format!("/api/conversations/{id}")).await;
        assert_eq!(s, 200, "{b}");
        b["conversation"].clone()
    }

    /// A new visitor's first message; returns the conversation.
    pub async fn first_message(&mut self, text: &str) -> Value {
        let mut v = self.visitor(json!({})).await;
        self.says(&mut v, text).await
    }

    pub async fn rule(&mut self, body: Value) -> Value {
        let (s, b) = self.owner.post("/api/routing/rules", body.clone()).await;
        assert_eq!(s, 201, "{body}: {b}");
        b["rule"].clone()
    }

    pub async fn set_availability(client: &mut Client, availability: &str) {
        let (s, b) = client
            .put("/api/me/availability", json!({"availability": availability}))
            .await;
        assert_eq!(s, 200, "{b}");
    }
}
