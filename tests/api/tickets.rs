//! Tickets: from a chat to another department and back to the customer, by email
//! (a real SMTP server receives it) and on the public status page.

use serde_json::json;

use crate::common::{Client, TestServer, code};
use crate::mail::{parse, use_smtp, wait_mail};
use crate::mail_servers::SmtpSink;

/// A widget conversation from a customer who left their email; its id.
async fn customer_chat(server: &TestServer, owner: &mut Client) -> i64 {
    let (s, inbox) = owner.post("/api/inboxes", json!({"name": "网店"})).await;
    assert_eq!(s, 201, "{inbox}");
    let token = inbox["inbox"]["public_token"].as_str().unwrap();
    let mut visitor = server.client();
    let (s, session) = visitor
        .post(
            "/api/widget/session",
            json!({"inbox": token, "prechat": {"name": "王小明", "email": "xiaoming@example.com"}, "locale": "zh-CN"}),
        )
        .await;
    assert_eq!(s, 200, "{session}");
    visitor.visitor = Some(session["visitor_token"].as_str().unwrap().to_string());
    let mut conversation = 0;
    for (i, body) in ["退款还没到账", "订单号 A1001，申请十天了"].iter().enumerate() {
        let (s, sent) = visitor
            .post(
                "/api/widget/messages",
                json!({"client_id": format!("m{i}"), "body": body}),
            )
            .await;
        assert!(s == 200 || s == 201, "{sent}");
        conversation = sent["conversation"]["id"].as_i64().unwrap();
    }
    conversation
}

async fn team(owner: &mut Client, name: &str) -> i64 {
    let (s, t) = owner.post("/api/teams", json!({"name": name})).await;
    assert_eq!(s, 201, "{t}");
    t["team"]["id"].as_i64().unwrap()
}

fn count_tickets(server: &TestServer) -> i64 {
    server
        .db()
        .query_row("SELECT count(*) FROM tickets", [], |r| r.get(0))
        .unwrap()
}

#[tokio::test]
async fn a_chat_becomes_a_ticket_for_another_department_and_the_customer_follows_by_email() {
    let sink = SmtpSink::start();
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;
    use_smtp(&mut owner, sink.port()).await;
    let service = team(&mut owner, "售后").await;
    let finance = team(&mut owner, "财务").await;
    let (s, ty) = owner.post("/api/ticket-types", json!({"name": "退款"})).await;
    assert_eq!(s, 201, "{ty}");
    let refund = ty["type"]["id"].as_i64().unwrap();
    let conversation = customer_chat(&server, &mut owner).await;

    // The draft carries the customer and the chat.
    let (s, draft) = owner
        .get(&format!("/api/conversations/{conversation}/ticket-draft"))
        .await;
    assert_eq!(s, 200, "{draft}");
    assert_eq!(draft["subject"], "退款还没到账");
    assert!(
        draft["request"].as_str().unwrap().contains("订单号 A1001"),
        "{draft}"
    );
    assert_eq!(draft["contact"]["email"], "xiaoming@example.com");

    let (s, created) = owner
        .post(
            "/api/tickets",
            json!({"subject": draft["subject"], "request": draft["request"], "contact_id": draft["contact"]["id"],
                   "conversation_id": conversation, "type_id": refund, "priority": "high", "team_id": service,
                   "order_ref": "A1001"}),
        )
        .await;
    assert_eq!(s, 201, "{created}");
    let ticket = &created["ticket"];
    let id = ticket["id"].as_i64().unwrap();
    assert_eq!(ticket["number"], 1001);
    assert_eq!(
        (ticket["status"].as_str(), ticket["source"].as_str()),
        (Some("new"), Some("conversation"))
    );
    assert_eq!(ticket["type_name"], "退款");
    let status_url = ticket["status_url"].as_str().unwrap().to_string();
    let token = status_url.rsplit('/').next().unwrap().to_string();
    assert!(token.len() >= 40, "unguessable: {token}");

    // 1. The confirmation: automatic, threaded by our token, with the status link.
    let first = parse(&wait_mail(&sink, 1).await[0]);
    assert_eq!(first.to, "xiaoming@example.com");
    assert!(first.subject.contains("#1001"), "{}", first.subject);
    assert!(first.text.contains(&status_url), "{}", first.text);
    assert!(first.text.contains("##-"), "reply marker: {}", first.text);
    assert_eq!(first.auto_submitted.as_deref(), Some("auto-generated"));
    assert!(first.message_id.starts_with("kefu."), "{}", first.message_id);

    // 2. A note stays inside; a public reply is mailed, in the same thread, by a person.
    let (s, note) = owner
        .post(
            &format!("/api/tickets/{id}/replies"),
            json!({"body": "财务系统查一下", "public": false}),
        )
        .await;
    assert_eq!((s, note["event"]["kind"].as_str()), (201, Some("note")), "{note}");
    let (s, reply) = owner
        .post(
            &format!("/api/tickets/{id}/replies"),
            json!({"body": "您好，我们正在核实退款。", "public": true}),
        )
        .await;
    assert_eq!(s, 201, "{reply}");
    let second = parse(&wait_mail(&sink, 2).await[1]);
    assert!(second.text.contains("我们正在核实退款"), "{}", second.text);
    assert!(
        !second.text.contains("财务系统查一下"),
        "a note never reaches the customer"
    );
    assert_eq!(second.in_reply_to, vec![first.message_id.clone()]);
    assert!(
        second.references.contains(&first.message_id),
        "{:?}",
        second.references
    );
    assert_eq!(second.auto_submitted, None, "a person's reply");

    // 3. Transfer to finance with a note: the cross-department hand-over.
    let (s, moved) = owner
        .patch(
            &format!("/api/tickets/{id}"),
            json!({"team_id": finance, "note": "请财务确认退款流水", "status": "on_hold"}),
        )
        .await;
    assert_eq!(s, 200, "{moved}");
    assert_eq!(moved["ticket"]["team_id"], finance);
    let team_event = moved["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "team")
        .unwrap();
    assert_eq!(team_event["data"]["note"], "请财务确认退款流水");
    assert_eq!(team_event["data"]["from"], service);
    let (_, page) = owner.get(&format!("/api/tickets?team={finance}")).await;
    assert_eq!(page["tickets"][0]["id"], id);
    let (_, page) = owner.get(&format!("/api/tickets?team={service}")).await;
    assert_eq!(page["tickets"].as_array().unwrap().len(), 0);
    // on_hold is a public step: status mail.
    let third = parse(&wait_mail(&sink, 3).await[2]);
    assert!(third.text.contains(&status_url), "{}", third.text);

    // 4. The status page shows public steps only, and the customer answers there.
    let mut customer = server.client();
    let (s, view) = customer.get(&format!("/api/status/{token}")).await;
    assert_eq!(s, 200, "{view}");
    assert_eq!(view["ticket"]["number"], 1001);
    assert!(
        view["ticket"]["request"]
            .as_str()
            .unwrap()
            .contains("订单号 A1001"),
        "{view}"
    );
    assert_eq!(view["ticket"]["status"], "on_hold");
    let text = view.to_string();
    assert!(
        !text.contains("财务系统查一下") && !text.contains("请财务确认退款流水"),
        "internal notes leak: {text}"
    );
    assert!(text.contains("我们正在核实退款"));
    assert_eq!(view["locale"], "zh-CN");

    owner
        .patch(&format!("/api/tickets/{id}"), json!({"status": "pending"}))
        .await;
    let (s, answered) = customer
        .post(
            &format!("/api/status/{token}/replies"),
            json!({"body": "流水号 8899"}),
        )
        .await;
    assert_eq!(
        (s, answered["event"]["kind"].as_str()),
        (201, Some("customer_reply")),
        "{answered}"
    );
    let (_, detail) = owner.get(&format!("/api/tickets/{id}")).await;
    assert_eq!(
        detail["ticket"]["status"], "open",
        "a customer reply reopens a pending ticket"
    );
    let kinds: Vec<&str> = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for k in [
        "created",
        "link",
        "note",
        "public_reply",
        "team",
        "status",
        "customer_reply",
    ] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
    let mailed = detail["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "public_reply")
        .unwrap();
    assert_eq!(mailed["email"]["status"], "sent", "{mailed}");

    // 5. Solved: the solved mail; closed: no more replies.
    owner
        .patch(&format!("/api/tickets/{id}"), json!({"status": "solved"}))
        .await;
    let mails = wait_mail(&sink, 5).await;
    assert!(
        mails
            .iter()
            .map(|m| parse(m))
            .any(|m| m.subject.contains("#1001") && m.text.contains(&status_url))
    );
    let (s, _) = owner
        .patch(&format!("/api/tickets/{id}"), json!({"status": "closed"}))
        .await;
    assert_eq!(s, 200);
    let (s, err) = customer
        .post(&format!("/api/status/{token}/replies"), json!({"body": "还在吗"}))
        .await;
    assert_eq!((s, code(&err)), (409, "ticket_closed"));
    let (s, err) = customer.get("/api/status/not-a-real-token").await;
    assert_eq!((s, code(&err)), (404, "not_found"));
}

#[tokio::test]
async fn bad_tickets_are_refused_and_nothing_is_stored() {
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;
    let contact = json!({"name": "A", "email": "a@example.com"});
    for (body, expected) in [
        (json!({"subject": "  ", "contact": contact}), "field_required"),
        (
            json!({"subject": "x".repeat(201), "contact": contact}),
            "field_too_long",
        ),
        (json!({"subject": "Hi"}), "contact_required"),
        (
            json!({"subject": "Hi", "contact": {"name": "no address"}}),
            "contact_required",
        ),
        (
            json!({"subject": "Hi", "contact": {"email": "not-mail"}}),
            "invalid_email",
        ),
        (
            json!({"subject": "Hi", "contact": contact, "priority": "asap"}),
            "invalid_priority",
        ),
        (
            json!({"subject": "Hi", "contact": contact, "team_id": 999}),
            "unknown_team",
        ),
        (
            json!({"subject": "Hi", "contact": contact, "assignee_id": 999}),
            "unknown_agent",
        ),
        (
            json!({"subject": "Hi", "contact": contact, "type_id": 999}),
            "unknown_type",
        ),
        (
            json!({"subject": "Hi", "contact": contact, "conversation_id": 999}),
            "not_found",
        ),
        (json!({"subject": "Hi", "contact_id": 999}), "unknown_contact"),
    ] {
        let (s, err) = owner.post("/api/tickets", body.clone()).await;
        assert!(s == 400 || s == 404, "{body}: {s} {err}");
        assert_eq!(code(&err), expected, "{body}");
    }
    assert_eq!(count_tickets(&server), 0);
    let contacts: i64 = server
        .db()
        .query_row("SELECT count(*) FROM contacts", [], |r| r.get(0))
        .unwrap();
    assert_eq!(contacts, 0, "no contact created half-way");

    let (_, t) = owner
        .post("/api/tickets", json!({"subject": "Hi", "contact": contact}))
        .await;
    let id = t["ticket"]["id"].as_i64().unwrap();
    for (body, expected) in [
        (json!({"status": "done"}), "invalid_status"),
        (json!({"subject": ""}), "field_required"),
        (json!({"team_id": 999, "note": "x"}), "unknown_team"),
    ] {
        let (s, err) = owner.patch(&format!("/api/tickets/{id}"), body.clone()).await;
        assert_eq!((s, code(&err)), (400, expected), "{body}");
    }
    let (s, err) = owner
        .post(
            &format!("/api/tickets/{id}/replies"),
            json!({"body": " ", "public": true}),
        )
        .await;
    assert_eq!((s, code(&err)), (400, "body_empty"));
    let (s, err) = owner.get("/api/tickets?sort=sideways").await;
    assert_eq!((s, code(&err)), (400, "invalid_query"));
    let events: i64 = server
        .db()
        .query_row("SELECT count(*) FROM ticket_events", [], |r| r.get(0))
        .unwrap();
    assert_eq!(events, 1, "only `created`: {events}");
    // Without a login nothing is readable.
    assert_eq!(server.client().get(&format!("/api/tickets/{id}")).await.0, 401);
}

#[tokio::test]
async fn the_list_filters_pages_and_changes_in_bulk_and_tokens_create_tickets() {
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;
    let (mut agent, agent_id) = server.add_agent(&mut owner, "li@shop.example", "agent").await;
    let (s, tok) = owner
        .post("/api/tokens", json!({"name": "shop system", "role": "agent"}))
        .await;
    assert_eq!(s, 201, "{tok}");
    let mut api = server.client();
    api.bearer = Some(tok["secret"].as_str().unwrap().to_string());
    let mut ids = Vec::new();
    for i in 0..7 {
        let (s, t) = api
            .post(
                "/api/tickets",
                json!({"subject": format!("物流 {i}"), "contact": {"name": format!("C{i}"), "email": format!("c{i}@example.com")},
                       "priority": if i % 2 == 0 { "high" } else { "low" }, "due_at": 2_000_000_000_000i64 + i * 1000,
                       "notify_customer": false}),
            )
            .await;
        assert_eq!(s, 201, "{t}");
        assert_eq!(t["ticket"]["source"], "api");
        ids.push(t["ticket"]["id"].as_i64().unwrap());
    }
    // Paging by keyset: three pages of three, nothing twice, nothing missed.
    let mut seen = Vec::new();
    let mut next: Option<String> = None;
    loop {
        let path = match &next {
            Some(c) => format!("/api/tickets?limit=3&sort=due&before={c}"),
            None => "/api/tickets?limit=3&sort=due".to_string(),
        };
        let (s, page) = agent.get(&path).await;
        assert_eq!(s, 200, "{page}");
        seen.extend(
            page["tickets"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].as_i64().unwrap()),
        );
        next = page["next"].as_str().map(str::to_string);
        if next.is_none() {
            break;
        }
    }
    assert_eq!(seen, ids, "due soonest first");
    let (_, high) = agent.get("/api/tickets?priority=high").await;
    assert_eq!(high["tickets"].as_array().unwrap().len(), 4);
    let (_, found) = agent.get("/api/tickets?q=c2%40example").await;
    assert_eq!(
        found["tickets"].as_array().unwrap().len(),
        1,
        "by the customer's email: {found}"
    );
    let (_, one) = agent.get(&format!("/api/tickets?q=%23{}", 1003)).await;
    assert_eq!(one["tickets"][0]["number"], 1003, "{one}");

    // Bulk: assign three to Li and set them pending, all at once.
    let (s, r) = agent
        .post(
            "/api/tickets/bulk",
            json!({"ids": &ids[..3], "assignee_id": agent_id, "status": "pending"}),
        )
        .await;
    assert_eq!((s, r["updated"].as_i64()), (200, Some(3)), "{r}");
    let (_, mine) = agent.get("/api/tickets?assignee=me&status=pending").await;
    assert_eq!(mine["tickets"].as_array().unwrap().len(), 3);
    let (_, none) = agent.get("/api/tickets?assignee=none").await;
    assert_eq!(none["tickets"].as_array().unwrap().len(), 4);
    // A bulk change with one unknown ticket changes nothing.
    let (s, _) = agent
        .post(
            "/api/tickets/bulk",
            json!({"ids": [ids[3], 99999], "status": "solved"}),
        )
        .await;
    assert_eq!(s, 404);
    let (_, t) = agent.get(&format!("/api/tickets/{}", ids[3])).await;
    assert_eq!(t["ticket"]["status"], "new");
}
