//! Bad input, required pre-chat fields and snoozes.

use super::*;

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
