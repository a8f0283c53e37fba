//! Assignment: each team's strategy, skills, the senior group for VIPs, rules
//! reserving an agent, chats going back to the queue, concurrency, and the
//! queue as the waiting customer sees it, live.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message as Frame;

use super::{Shop, shop};
use crate::common::Client;

async fn agent(shop: &mut Shop, email: &str, max: i64, team: Option<i64>) -> (Client, i64) {
    let (mut c, id) = shop.server.add_agent(&mut shop.owner, email, "agent").await;
    let (s, b) = shop
        .owner
        .patch(&format!("/api/agents/{id}"), json!({"max_concurrent": max}))
        .await;
    assert_eq!(s, 200, "{b}");
    if let Some(team) = team {
        let (_, t) = shop.owner.get(&format!("/api/teams/{team}")).await;
        let mut members: Vec<Value> = t["team"]["member_ids"].as_array().unwrap().clone();
        members.push(json!(id));
        let (s, b) = shop
            .owner
            .put(
                &format!("/api/teams/{team}/members"),
                json!({"agent_ids": members}),
            )
            .await;
        assert_eq!(s, 200, "{b}");
    }
    Shop::set_availability(&mut c, "online").await;
    (c, id)
}

async fn strategy(shop: &mut Shop, team: i64, strategy: &str) {
    let (s, b) = shop
        .owner
        .patch(&format!("/api/teams/{team}"), json!({"strategy": strategy}))
        .await;
    assert_eq!((s, b["team"]["strategy"].as_str()), (200, Some(strategy)), "{b}");
}

fn assignee(c: &Value) -> Option<i64> {
    c["assignee_id"].as_i64()
}

#[tokio::test]
async fn each_team_hands_out_by_its_strategy_within_capacity() {
    let mut shop = shop().await;
    let (logistics, sales) = (shop.team("Logistics"), shop.team("Sales"));
    let (s, b) = shop
        .owner
        .patch(&format!("/api/teams/{logistics}"), json!({"strategy": "fastest"}))
        .await;
    assert_eq!((s, crate::common::code(&b)), (400, "strategy_invalid"));

    // Least busy: the agent with fewer open chats gets the next one.
    strategy(&mut shop, logistics, "least_busy").await;
    let (_, l1) = agent(&mut shop, "l1@shop.test", 5, Some(logistics)).await;
    let first = shop.first_message("快递到哪了").await;
    let second = shop.first_message("物流三天没动了").await;
    assert_eq!(assignee(&first), Some(l1));
    assert_eq!(assignee(&second), Some(l1));
    let (_, l2) = agent(&mut shop, "l2@shop.test", 5, Some(logistics)).await;
    for text in ["包裹是不是丢了", "怎么还没发货", "显示签收了但我没收到"] {
        let c = shop.first_message(text).await;
        assert_eq!(c["team_id"].as_i64(), Some(logistics), "{c}");
    }
    let db = shop.server.db();
    let open_of = |a: i64| -> i64 {
        db.query_row(
            "SELECT count(*) FROM conversations WHERE assignee_id = ?1 AND status = 'open'",
            [a],
            |r| r.get(0),
        )
        .unwrap()
    };
    // l2 started at 0 and l1 at 2: l2 took two, then the tie went to whoever waited longest.
    assert_eq!((open_of(l1), open_of(l2)), (3, 2));

    // Skills: the pre-sales expert gets pre-sales questions, and they wait for them.
    strategy(&mut shop, sales, "skills").await;
    let (mut expert, expert_id) = agent(&mut shop, "expert@shop.test", 1, Some(sales)).await;
    let (_, generalist) = agent(&mut shop, "generalist@shop.test", 5, Some(sales)).await;
    let (s, b) = shop
        .owner
        .patch(
            &format!("/api/agents/{expert_id}"),
            json!({"skills": ["pre_sales"]}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let q1 = shop.first_message("这款加湿器多少钱").await;
    assert_eq!(q1["intent"]["name"], "pre_sales", "{q1}");
    assert_eq!(assignee(&q1), Some(expert_id));
    let q2 = shop.first_message("敏感肌能用这个面霜吗").await;
    assert_eq!(
        (q2["status"].as_str(), assignee(&q2)),
        (Some("queued"), None),
        "waits for the expert: {q2}"
    );
    assert_ne!(assignee(&q2), Some(generalist));
    // The expert finishes one: the waiting question is theirs at once.
    let (s, _) = expert
        .post(
            &format!("/api/conversations/{}/status", q1["id"]),
            json!({"status": "resolved"}),
        )
        .await;
    assert_eq!(s, 200);
    let q2 = shop.conversation(q2["id"].as_i64().unwrap()).await;
    assert_eq!(assignee(&q2), Some(expert_id));
}

#[tokio::test]
async fn vips_go_to_the_seniors_reserved_chats_wait_and_a_leaving_agent_gives_chats_back() {
    let mut shop = shop().await;
    let seniors = shop.team("Escalations");
    let (mut senior, senior_id) = agent(&mut shop, "senior@shop.test", 2, Some(seniors)).await;
    Shop::set_availability(&mut senior, "offline").await;
    let (mut junior, junior_id) = agent(&mut shop, "junior@shop.test", 5, None).await;
    Shop::set_availability(&mut junior, "away").await;
    let (s, b) = shop
        .owner
        .put(
            "/api/routing/settings",
            json!({"vip_team_id": seniors, "requeue_on_offline": true,
                                            "negative_raises_priority": true, "negative_hands_over": true}),
        )
        .await;
    assert_eq!(s, 200, "{b}");

    // Nobody online: an ordinary customer and a VIP wait.
    let plain = shop.first_message("快递怎么还没到").await;
    let vip = shop.first_message("我的快递到哪了").await;
    let (s, b) = shop
        .owner
        .patch(
            &format!("/api/contacts/{}", vip["contact"]["id"]),
            json!({"vip_tier": "gold"}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    // The junior comes online: gets the ordinary one; the VIP goes to the senior group first...
    Shop::set_availability(&mut junior, "online").await;
    Shop::set_availability(&mut senior, "online").await;
    let plain = shop.conversation(plain["id"].as_i64().unwrap()).await;
    let vip = shop.conversation(vip["id"].as_i64().unwrap()).await;
    assert_eq!(assignee(&plain), Some(junior_id), "{plain}");
    assert!(
        [Some(junior_id), Some(senior_id)].contains(&assignee(&vip)),
        "taken as soon as someone is online: {vip}"
    );
    // ...which shows when both are online before the VIP writes.
    let mut v = shop.visitor(json!({})).await;
    let before = shop.says(&mut v, "在吗").await;
    let (s, _) = shop
        .owner
        .patch(
            &format!("/api/contacts/{}", before["contact"]["id"]),
            json!({"vip_tier": "gold"}),
        )
        .await;
    assert_eq!(s, 200);
    let (s, _) = shop
        .owner
        .post(
            &format!("/api/conversations/{}/status", before["id"]),
            json!({"status": "resolved"}),
        )
        .await;
    assert_eq!(s, 200);
    let again = shop.says(&mut v, "我的退款呢").await;
    assert_eq!(assignee(&again), Some(senior_id), "{again}");

    // A rule reserves chats in English for the owner, who is offline: they wait.
    shop.rule(
        json!({"name": "英文给店主", "conditions": {"keywords": ["hello"]}, "actions": {"agent_id": 1}}),
    )
    .await;
    let reserved = shop.first_message("hello, where is my parcel").await;
    assert_eq!(
        (reserved["status"].as_str(), assignee(&reserved)),
        (Some("queued"), None),
        "{reserved}"
    );
    Shop::set_availability(&mut shop.owner, "online").await;
    let reserved = shop.conversation(reserved["id"].as_i64().unwrap()).await;
    assert_eq!(assignee(&reserved), Some(1));

    // The junior leaves: with "requeue on offline", their chats go to someone online.
    Shop::set_availability(&mut junior, "offline").await;
    let plain = shop.conversation(plain["id"].as_i64().unwrap()).await;
    assert_ne!(assignee(&plain), Some(junior_id), "{plain}");
    assert_eq!(plain["status"], "open", "taken over at once: {plain}");
    let requeued: i64 = shop
        .server
        .db()
        .query_row(
            "SELECT count(*) FROM conversation_events WHERE kind = 'requeued' AND conversation_id = ?1",
            [plain["id"].as_i64().unwrap()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(requeued, 1);
}

#[tokio::test]
async fn many_simultaneous_events_never_double_assign_or_exceed_capacity() {
    let mut shop = shop().await;
    let mut agents = Vec::new();
    for i in 0..5 {
        let (mut c, id) = agent(&mut shop, &format!("a{i}@shop.test"), 3, None).await;
        Shop::set_availability(&mut c, "offline").await;
        agents.push((c, id));
    }
    let (s, _) = shop
        .owner
        .patch("/api/agents/1", json!({"max_concurrent": 3}))
        .await;
    assert_eq!(s, 200);
    // 40 customers write at once while agents come and go.
    let mut visitors = Vec::new();
    for _ in 0..40 {
        visitors.push(shop.visitor(json!({})).await);
    }
    let arrivals = futures_util::future::join_all(visitors.iter_mut().enumerate().map(|(i, v)| async move {
        let (s, b) = v
            .post(
                "/api/widget/messages",
                json!({"client_id": format!("c-{i}"), "body": format!("第{i}个问题：快递到哪了")}),
            )
            .await;
        assert_eq!(s, 201, "{b}");
    }));
    let churn = futures_util::future::join_all(agents.iter_mut().map(|(c, _)| async move {
        for state in ["online", "away", "online", "offline", "online"] {
            Shop::set_availability(c, state).await;
        }
    }));
    tokio::join!(arrivals, churn);
    Shop::set_availability(&mut shop.owner, "online").await;

    let db = shop.server.db();
    let over: i64 = db
        .query_row(
            "SELECT count(*) FROM agents a WHERE (SELECT count(*) FROM conversations c
               WHERE c.assignee_id = a.id AND c.status IN ('open', 'pending')) > a.max_concurrent",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(over, 0, "nobody above capacity");
    let twice: i64 = db
        .query_row(
            "SELECT count(*) FROM (SELECT conversation_id FROM conversation_events WHERE kind = 'assigned'
               GROUP BY conversation_id HAVING count(*) > 1)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(twice, 0, "never assigned twice");
    let (assigned, queued): (i64, i64) = db
        .query_row(
            "SELECT sum(status = 'open'), sum(status = 'queued') FROM conversations",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((assigned, queued), (18, 22), "six agents × 3, the rest waits");
    // Queue order: every conversation still waiting arrived after every assigned one.
    let (last_assigned, first_waiting): (i64, i64) = db
        .query_row(
            "SELECT (SELECT max(id) FROM conversations WHERE status = 'open'),
                    (SELECT min(id) FROM conversations WHERE status = 'queued')",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(last_assigned < first_waiting, "{last_assigned} < {first_waiting}");
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn next_conversation(ws: &mut Socket) -> Value {
    loop {
        let frame = tokio::time::timeout(Duration::from_secs(5), ws.next())
            .await
            .expect("a frame within 5 s")
            .expect("socket open")
            .unwrap();
        if let Frame::Text(t) = frame {
            let v: Value = serde_json::from_str(&t).unwrap();
            if v["type"] == "conversation" {
                return v["conversation"].clone();
            }
        }
    }
}

#[tokio::test]
async fn the_waiting_customer_sees_their_place_and_wait_change_live() {
    let mut shop = shop().await;
    shop.rule(
        json!({"name": "投诉优先", "conditions": {"keywords": ["投诉"]}, "actions": {"priority": "urgent"}}),
    )
    .await;
    let first = shop.first_message("第一个：快递到哪了").await;
    shop.first_message("第二个：能开发票吗").await;
    let mut third = shop.visitor(json!({})).await;
    let c = shop.says(&mut third, "第三个：怎么退货").await;
    assert_eq!(
        (c["queue_position"].as_i64(), c["estimated_wait_ms"].as_i64()),
        (Some(3), None),
        "nobody online: {c}"
    );
    let url = format!(
        "{}/api/widget/ws?visitor={}",
        shop.server.base.replace("http", "ws"),
        third.visitor.as_deref().unwrap()
    );
    let mut ws = tokio_tungstenite::connect_async(url).await.unwrap().0;

    // Someone jumps ahead: the third customer is now fourth.
    shop.first_message("我要投诉你们").await;
    let moved = next_conversation(&mut ws).await;
    assert_eq!(moved["queue_position"].as_i64(), Some(4), "{moved}");

    // The owner comes online for one chat at a time: the urgent one goes first; we move up.
    let (s, _) = shop
        .owner
        .patch("/api/agents/1", json!({"max_concurrent": 1}))
        .await;
    assert_eq!(s, 200);
    Shop::set_availability(&mut shop.owner, "online").await;
    let moved = next_conversation(&mut ws).await;
    assert_eq!(moved["queue_position"].as_i64(), Some(3), "{moved}");
    let wait3 = moved["estimated_wait_ms"]
        .as_i64()
        .expect("an estimate once someone is online");
    assert!(wait3 > 0);
    // The owner finishes the urgent chat and takes the next in line: we are second, sooner.
    let (_, mine) = shop.owner.get("/api/conversations?view=mine").await;
    let urgent = mine["conversations"][0]["id"].as_i64().unwrap();
    let (s, _) = shop
        .owner
        .post(
            &format!("/api/conversations/{urgent}/status"),
            json!({"status": "resolved"}),
        )
        .await;
    assert_eq!(s, 200);
    let moved = next_conversation(&mut ws).await;
    assert_eq!(moved["queue_position"].as_i64(), Some(2), "{moved}");
    assert!(moved["estimated_wait_ms"].as_i64().unwrap() < wait3, "{moved}");
    let first = shop.conversation(first["id"].as_i64().unwrap()).await;
    assert_eq!(first["status"], "open", "the longest waiting went next: {first}");
}
