//! Consoles hear of ticket changes and of their notifications over the websocket,
//! without polling.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message as Frame;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::common::{Client, TestServer};

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn socket(server: &TestServer, agent: &Client) -> Socket {
    let url = format!("{}/api/ws", server.base.replace("http", "ws"));
    let mut req = url.into_client_request().unwrap();
    let cookie = agent.raw_cookie.clone().expect("a session cookie");
    req.headers_mut().insert("cookie", cookie.parse().unwrap());
    tokio_tungstenite::connect_async(req).await.unwrap().0
}

/// The types of the frames that arrive within `wait`.
async fn frames(ws: &mut Socket, wait: Duration) -> Vec<String> {
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + wait;
    while let Ok(Some(Ok(frame))) = tokio::time::timeout_at(deadline, ws.next()).await {
        if let Frame::Text(t) = frame {
            let v: Value = serde_json::from_str(&t).unwrap();
            seen.push(v["type"].as_str().unwrap_or_default().to_string());
        }
    }
    seen
}

#[tokio::test]
async fn a_ticket_change_reaches_every_console_and_a_notification_its_agent() {
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;
    let (agent, agent_id) = server.add_agent(&mut owner, "li@shop.example", "agent").await;
    let mut owner_ws = socket(&server, &owner).await;
    let mut agent_ws = socket(&server, &agent).await;

    let (s, t) = owner
        .post(
            "/api/tickets",
            json!({"subject": "发票", "contact": {"email": "c@example.com"}, "assignee_id": agent_id,
                   "notify_customer": false}),
        )
        .await;
    assert_eq!(s, 201, "{t}");
    let agent_saw = frames(&mut agent_ws, Duration::from_secs(2)).await;
    assert!(agent_saw.contains(&"tickets".to_string()), "{agent_saw:?}");
    assert!(agent_saw.contains(&"notifications".to_string()), "{agent_saw:?}");
    let owner_saw = frames(&mut owner_ws, Duration::from_millis(300)).await;
    assert!(owner_saw.contains(&"tickets".to_string()), "{owner_saw:?}");

    // A note changes the ticket too; nobody is notified of it.
    let id = t["ticket"]["id"].as_i64().unwrap();
    let (s, _) = owner
        .post(
            &format!("/api/tickets/{id}/replies"),
            json!({"body": "内部备注", "public": false}),
        )
        .await;
    assert_eq!(s, 201);
    let agent_saw = frames(&mut agent_ws, Duration::from_secs(2)).await;
    assert_eq!(agent_saw, ["tickets"]);
}
