//! Tools agents use in the inbox: labels and canned responses.

use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn labels_on_conversations_with_a_timeline() {
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;
    let (mut agent, _) = server.add_agent(&mut owner, "agent@shop.example", "agent").await;
    let (s, refund) = owner
        .post("/api/labels", json!({"name": "退款", "color": "#DC2626"}))
        .await;
    assert_eq!((s, refund["color"].as_str()), (201, Some("#dc2626")));
    let (s, b) = owner.post("/api/labels", json!({"name": "退款"})).await;
    assert_eq!((s, code(&b)), (409, "label_taken"));
    let (s, b) = owner
        .post("/api/labels", json!({"name": "VIP", "color": "gold"}))
        .await;
    assert_eq!((s, code(&b)), (400, "invalid_color"));
    let (_, vip) = owner.post("/api/labels", json!({"name": "VIP"})).await;
    assert_eq!(
        agent.get("/api/labels").await.1["labels"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    // A conversation to label.
    let (_, inbox) = owner.post("/api/inboxes", json!({"name": "店"})).await;
    let mut visitor = server.client();
    let (_, session) = visitor
        .post(
            "/api/widget/session",
            json!({"inbox": inbox["inbox"]["public_token"]}),
        )
        .await;
    visitor.visitor = session["visitor_token"].as_str().map(str::to_string);
    let (_, sent) = visitor
        .post(
            "/api/widget/messages",
            json!({"client_id": "l1", "body": "我要退款"}),
        )
        .await;
    let id = sent["conversation"]["id"].as_i64().unwrap();

    let path = format!("/api/conversations/{id}/labels");
    let (s, b) = agent.put(&path, json!({"label_ids": [refund["id"], 999]})).await;
    assert_eq!((s, code(&b)), (400, "unknown_label"));
    let (s, b) = agent
        .put(&path, json!({"label_ids": [refund["id"], vip["id"]]}))
        .await;
    assert_eq!(s, 200, "{b}");
    let names: Vec<&str> = b["conversation"]["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"退款") && names.contains(&"VIP"));
    let (_, b) = agent.put(&path, json!({"label_ids": [vip["id"]]})).await;
    assert_eq!(b["conversation"]["labels"].as_array().unwrap().len(), 1);
    let (_, detail) = agent.get(&format!("/api/conversations/{id}")).await;
    let label_events = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "labels")
        .count();
    assert_eq!(label_events, 2, "each change is on the timeline");
    // Deleting a label removes it everywhere.
    assert_eq!(owner.delete(&format!("/api/labels/{}", vip["id"])).await.0, 204);
    let (_, detail) = agent.get(&format!("/api/conversations/{id}")).await;
    assert!(detail["conversation"]["labels"].as_array().unwrap().is_empty());
    // Visitors never see labels.
    let (_, mine) = visitor.get("/api/widget/messages?after=0").await;
    assert!(mine["conversation"].get("labels").is_none());
}

#[tokio::test]
async fn canned_responses_global_and_per_team() {
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;
    let (mut agent, agent_id) = server.add_agent(&mut owner, "agent@shop.example", "agent").await;
    let (_, sales) = owner.post("/api/teams", json!({"name": "销售"})).await;
    let (_, support) = owner.post("/api/teams", json!({"name": "售后"})).await;
    owner
        .put(
            &format!("/api/teams/{}/members", support["team"]["id"]),
            json!({"agent_ids": [agent_id]}),
        )
        .await;

    let (s, b) = owner
        .post(
            "/api/canned-responses",
            json!({"shortcut": "/Shipping", "body": "{{contact.name}} 您好，订单 {{order.number}} 已发货。"}),
        )
        .await;
    assert_eq!((s, b["shortcut"].as_str()), (201, Some("shipping")));
    let (s, b) = owner
        .post(
            "/api/canned-responses",
            json!({"shortcut": "shipping", "body": "again"}),
        )
        .await;
    assert_eq!((s, code(&b)), (409, "shortcut_taken"));
    let (s, b) = owner
        .post(
            "/api/canned-responses",
            json!({"shortcut": "has space", "body": "x"}),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "shortcut_invalid"));
    let (s, b) = owner
        .post(
            "/api/canned-responses",
            json!({"shortcut": "empty", "body": "  "}),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "field_required"));
    // The same shortcut may exist once per team.
    let (s, _) = owner
        .post(
            "/api/canned-responses",
            json!({"shortcut": "shipping", "body": "售后版本", "team_id": support["team"]["id"]}),
        )
        .await;
    assert_eq!(s, 201);
    let (s, _) = owner
        .post(
            "/api/canned-responses",
            json!({"shortcut": "discount", "body": "销售专用", "team_id": sales["team"]["id"]}),
        )
        .await;
    assert_eq!(s, 201);

    // The agent (in 售后 only) sees the global one and 售后's, not 销售's.
    let (_, list) = agent.get("/api/canned-responses").await;
    let bodies: Vec<&str> = list["canned_responses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies.len(), 2, "{bodies:?}");
    assert!(bodies.contains(&"售后版本") && !bodies.contains(&"销售专用"));
    assert_eq!(
        owner.get("/api/canned-responses").await.1["canned_responses"]
            .as_array()
            .unwrap()
            .len(),
        3
    );

    let id = list["canned_responses"][0]["id"].as_i64().unwrap();
    let (s, b) = owner
        .patch(&format!("/api/canned-responses/{id}"), json!({"body": "改过了"}))
        .await;
    assert_eq!((s, b["body"].as_str()), (200, Some("改过了")));
    assert_eq!(
        agent
            .patch(&format!("/api/canned-responses/{id}"), json!({"body": "x"}))
            .await
            .0,
        403
    );
    assert_eq!(owner.delete(&format!("/api/canned-responses/{id}")).await.0, 204);
    assert_eq!(owner.delete(&format!("/api/canned-responses/{id}")).await.0, 404);
}
