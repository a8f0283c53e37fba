//! The queue, round-robin assignment, identified customers and isolation between
//! visitors.

use super::*;

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
