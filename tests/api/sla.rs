//! SLA clocks over the API: a policy applies, the clock pauses and resumes, the
//! watcher warns and records the breach, the assignee and the team lead are told
//! in the console and by email (a real SMTP server receives it). Time passes by
//! moving the ticket's history back in the real database file, then touching
//! the ticket so its clocks are recomputed.

use std::time::Duration;

use serde_json::{Value, json};

use crate::common::{Client, TestServer, always_open, code};
use crate::mail::{parse, use_smtp};
use crate::mail_servers::SmtpSink;

const MIN: i64 = 60_000;

/// Moves a ticket's creation and its timeline `mins` into the past, then touches it
/// (an order reference) so the server recomputes its clocks.
async fn age(server: &TestServer, owner: &mut Client, ticket: i64, mins: i64) {
    let db = server.db();
    db.busy_timeout(Duration::from_secs(5)).unwrap();
    db.execute(
        "UPDATE tickets SET created_at = created_at - ?2, first_response_at = first_response_at - ?2 WHERE id = ?1",
        rusqlite::params![ticket, mins * MIN],
    )
    .unwrap();
    db.execute(
        "UPDATE ticket_events SET created_at = created_at - ?2 WHERE ticket_id = ?1",
        rusqlite::params![ticket, mins * MIN],
    )
    .unwrap();
    let (s, b) = owner
        .patch(
            &format!("/api/tickets/{ticket}"),
            json!({"order_ref": format!("A{}", mins + rand_suffix())}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

fn rand_suffix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos() as i64
}

async fn ticket(client: &mut Client, id: i64) -> Value {
    let (s, b) = client.get(&format!("/api/tickets/{id}")).await;
    assert_eq!(s, 200, "{b}");
    b
}

/// Waits until the agent has a notification of `kind`; returns it.
async fn wait_notification(agent: &mut Client, kind: &str) -> Value {
    for _ in 0..200 {
        let (s, b) = agent.get("/api/notifications").await;
        assert_eq!(s, 200, "{b}");
        if let Some(n) = b["notifications"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["kind"] == kind)
        {
            return n.clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no {kind} notification");
}

async fn listed(owner: &mut Client, filter: &str, ticket: i64) -> bool {
    let (s, b) = owner.get(&format!("/api/tickets?sla={filter}")).await;
    assert_eq!(s, 200, "{b}");
    b["tickets"].as_array().unwrap().iter().any(|t| t["id"] == ticket)
}

/// The mails the sink got for `to`, by subject.
async fn mail_to(sink: &SmtpSink, to: &str, n: usize) -> Vec<crate::mail::Received> {
    for _ in 0..300 {
        let got: Vec<_> = sink
            .messages()
            .iter()
            .map(|m| parse(m))
            .filter(|m| m.to.contains(to))
            .collect();
        if got.len() >= n {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("fewer than {n} mails to {to}");
}

#[tokio::test]
async fn an_urgent_ticket_warns_breaches_and_pauses_and_the_responsible_agents_hear_of_it() {
    let sink = SmtpSink::start();
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;
    let (mut agent, agent_id) = server.add_agent(&mut owner, "li@shop.example", "agent").await;
    let (mut lead, lead_id) = server.add_agent(&mut owner, "lead@shop.example", "agent").await;
    use_smtp(&mut owner, sink.port()).await;
    always_open(&mut owner).await;
    let (_, team) = owner.post("/api/teams", json!({"name": "售后"})).await;
    let team = team["team"]["id"].as_i64().unwrap();
    let (s, t) = owner
        .patch(&format!("/api/teams/{team}"), json!({"lead_agent_id": lead_id}))
        .await;
    assert_eq!(
        (s, t["team"]["lead_agent_id"].as_i64()),
        (200, Some(lead_id)),
        "{t}"
    );

    let (s, p) = owner
        .post(
            "/api/sla-policies",
            json!({"name": "加急", "priority": "urgent", "first_response_mins": 60, "resolution_mins": 240,
                   "warn_percent": 50}),
        )
        .await;
    assert_eq!(s, 201, "{p}");
    let (s, created) = owner
        .post(
            "/api/tickets",
            json!({"subject": "快递丢了", "contact": {"name": "王", "email": "wang@example.com"},
                   "priority": "urgent", "team_id": team, "assignee_id": agent_id, "notify_customer": false}),
        )
        .await;
    assert_eq!(s, 201, "{created}");
    let t = &created["ticket"];
    let id = t["id"].as_i64().unwrap();
    assert_eq!(t["sla"]["state"], "ok", "{t}");
    assert_eq!(t["sla"]["policy_name"], "加急");
    let created_at = t["created_at"].as_i64().unwrap();
    assert_eq!(
        t["sla"]["due_at"].as_i64(),
        Some(created_at + 60 * MIN),
        "first response comes first"
    );

    // Assigned by the owner: the agent hears of it, in the console and by mail.
    let n = wait_notification(&mut agent, "assigned").await;
    assert_eq!(n["title"], format!("#{} 快递丢了", t["number"]));
    let assigned = mail_to(&sink, "li@shop.example", 1).await;
    assert_eq!(assigned[0].auto_submitted.as_deref(), Some("auto-generated"));
    assert!(assigned[0].text.contains("快递丢了"), "{}", assigned[0].text);

    // 40 minutes in: past the 50 % warning of first response.
    age(&server, &mut owner, id, 40).await;
    let warn = wait_notification(&mut agent, "sla_warning").await;
    assert_eq!(warn["metric"], "first_response");
    assert_eq!(warn["due_at"].as_i64(), Some(created_at - 40 * MIN + 60 * MIN));
    wait_notification(&mut lead, "sla_warning").await;
    assert_eq!(ticket(&mut owner, id).await["ticket"]["sla"]["state"], "warning");
    assert!(listed(&mut owner, "warning", id).await);
    assert!(!listed(&mut owner, "overdue", id).await);

    // 70 minutes in: first response is overdue; the breach is recorded at the deadline.
    age(&server, &mut owner, id, 30).await;
    wait_notification(&mut agent, "sla_breach").await;
    wait_notification(&mut lead, "sla_breach").await;
    let detail = ticket(&mut owner, id).await;
    assert_eq!(detail["ticket"]["sla"]["state"], "overdue", "{detail}");
    let first = &detail["sla_clocks"][0];
    assert_eq!(first["metric"], "first_response");
    assert_eq!(first["breached_at"], first["due_at"], "{first}");
    assert!(listed(&mut owner, "overdue", id).await && listed(&mut owner, "breached", id).await);
    let breaches: i64 = server
        .db()
        .query_row(
            "SELECT count(*) FROM sla_events WHERE ticket_id = ?1 AND kind = 'breached' AND team_id = ?2
               AND assignee_id = ?3",
            rusqlite::params![id, team, agent_id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(breaches, 1, "one breach, with who was responsible");
    // In the shop's language: the lead chose none.
    let lead_mail = mail_to(&sink, "lead@shop.example", 2).await;
    assert!(
        lead_mail.iter().any(|m| m.subject.contains("SLA 已超时")),
        "{:?}",
        lead_mail.iter().map(|m| &m.subject).collect::<Vec<_>>()
    );

    // The reply meets first response (late); resolution runs on.
    let (s, b) = owner
        .post(
            &format!("/api/tickets/{id}/replies"),
            json!({"body": "正在查", "public": true}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let detail = ticket(&mut owner, id).await;
    assert_eq!(detail["sla_clocks"][0]["state"], "met");
    assert_eq!(
        detail["sla_clocks"][0]["due_at"], detail["sla_clocks"][0]["breached_at"],
        "a finished clock keeps its deadline, to say when it was due"
    );
    assert_eq!(detail["sla_clocks"][1]["state"], "running");
    assert_eq!(
        detail["ticket"]["sla"]["state"], "ok",
        "resolution is due later: {detail}"
    );
    assert_eq!(detail["ticket"]["sla"]["breached"], true);

    // Waiting on the customer pauses the clock; the time left stays.
    let (s, b) = owner
        .patch(&format!("/api/tickets/{id}"), json!({"status": "pending"}))
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["ticket"]["sla"]["state"], "paused");
    let resolution = &b["sla_clocks"][1];
    assert_eq!(
        (resolution["state"].as_str(), resolution["due_at"].as_i64()),
        (Some("paused"), None)
    );
    let used = resolution["used_ms"].as_i64().unwrap();
    assert!((70 * MIN..72 * MIN).contains(&used), "{resolution}");
    assert!(listed(&mut owner, "paused", id).await);

    // The customer answers on the status page: the clock resumes, the assignee hears.
    let token = b["ticket"]["status_url"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_string();
    let mut customer = server.client();
    let (s, r) = customer
        .post(
            &format!("/api/status/{token}/replies"),
            json!({"body": "好的，等你们消息"}),
        )
        .await;
    assert_eq!(s, 201, "{r}");
    let replied = wait_notification(&mut agent, "customer_replied").await;
    assert_eq!(replied["excerpt"], "好的，等你们消息");
    let detail = ticket(&mut owner, id).await;
    let resolution = &detail["sla_clocks"][1];
    assert_eq!(resolution["state"], "running");
    let due = resolution["due_at"].as_i64().unwrap();
    let expected = now_ms() + 240 * MIN - used;
    assert!(
        (due - expected).abs() < 2 * MIN,
        "due {due}, expected about {expected}"
    );

    // Solving meets resolution; nothing is running any more.
    let (s, b) = owner
        .patch(&format!("/api/tickets/{id}"), json!({"status": "solved"}))
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["sla_clocks"][1]["state"], "met");
    assert_eq!(
        b["ticket"]["sla"]["state"], "missed",
        "first response was late: {b}"
    );
}

#[tokio::test]
async fn notifications_are_read_per_agent_and_emails_follow_each_switch() {
    let sink = SmtpSink::start();
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;
    let (mut agent, agent_id) = server.add_agent(&mut owner, "li@shop.example", "agent").await;
    let (mut other, _) = server.add_agent(&mut owner, "zhao@shop.example", "agent").await;
    use_smtp(&mut owner, sink.port()).await;

    let (s, prefs) = agent.get("/api/me/notification-emails").await;
    assert_eq!(s, 200, "{prefs}");
    assert_eq!(
        prefs["email"],
        json!({"assigned": true, "customer_replied": true, "sla": true})
    );
    let (s, prefs) = agent
        .put(
            "/api/me/notification-emails",
            json!({"assigned": false, "customer_replied": true, "sla": true}),
        )
        .await;
    assert_eq!((s, &prefs["email"]["assigned"]), (200, &json!(false)), "{prefs}");

    let mut ids = Vec::new();
    for subject in ["一", "二"] {
        let (s, t) = owner
            .post(
                "/api/tickets",
                json!({"subject": subject, "contact": {"email": "c@example.com"}, "assignee_id": agent_id,
                       "notify_customer": false}),
            )
            .await;
        assert_eq!(s, 201, "{t}");
        ids.push(t["ticket"]["id"].as_i64().unwrap());
    }
    // Assigning to yourself tells nobody.
    let (s, _) = agent
        .patch(
            &format!("/api/tickets/{}", ids[0]),
            json!({"assignee_id": agent_id}),
        )
        .await;
    assert_eq!(s, 200);
    let (_, list) = agent.get("/api/notifications").await;
    assert_eq!(list["unread"], 2, "{list}");
    let newest = list["notifications"][0]["id"].as_i64().unwrap();

    // Another agent cannot mark them read; the owner of them can.
    let (s, b) = other
        .post("/api/notifications/read", json!({"ids": [newest]}))
        .await;
    assert_eq!((s, &b["marked"]), (200, &json!(0)));
    let (s, b) = agent
        .post("/api/notifications/read", json!({"ids": [newest]}))
        .await;
    assert_eq!((s, &b["marked"]), (200, &json!(1)));
    let (_, list) = agent.get("/api/notifications?unread=1").await;
    assert_eq!(list["unread"], 1);
    assert_eq!(list["notifications"].as_array().unwrap().len(), 1);
    let (s, b) = agent.post("/api/notifications/read", json!({})).await;
    assert_eq!((s, &b["marked"]), (200, &json!(1)));
    let (s, b) = agent.get("/api/notifications?limit=0").await;
    assert_eq!((s, code(&b)), (400, "invalid_query"));

    // "Assigned" mail is switched off: the notification is there, no mail came. A
    // test mail to the same sink afterwards proves the sink was listening.
    let (s, b) = owner
        .post(
            "/api/settings/smtp/test",
            json!({"to": "owner-check@shop.example"}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    crate::mail::wait_mail(&sink, 1).await;
    let to_agent = sink
        .messages()
        .iter()
        .map(|m| parse(m))
        .filter(|m| m.to.contains("li@shop.example"))
        .count();
    assert_eq!(to_agent, 0);
}

#[tokio::test]
async fn policies_apply_in_order_move_running_clocks_and_refuse_bad_input() {
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;
    always_open(&mut owner).await;
    let (_, ty) = owner.post("/api/ticket-types", json!({"name": "物流"})).await;
    let logistics = ty["type"]["id"].as_i64().unwrap();
    let (_, general) = owner
        .post(
            "/api/sla-policies",
            json!({"name": "一般", "resolution_mins": 480}),
        )
        .await;
    let general = general["policy"]["id"].as_i64().unwrap();
    let (s, fast) = owner
        .post(
            "/api/sla-policies",
            json!({"name": "物流", "type_id": logistics, "first_response_mins": 30, "business_hours": false}),
        )
        .await;
    assert_eq!(s, 201, "{fast}");
    let fast = fast["policy"]["id"].as_i64().unwrap();

    let (_, t) = owner
        .post(
            "/api/tickets",
            json!({"subject": "到哪了", "contact": {"email": "c@example.com"}, "type_id": logistics,
                   "notify_customer": false}),
        )
        .await;
    let id = t["ticket"]["id"].as_i64().unwrap();
    let created = t["ticket"]["created_at"].as_i64().unwrap();
    assert_eq!(t["ticket"]["sla"]["policy_name"], "一般", "the first match wins");
    assert_eq!(t["ticket"]["sla"]["due_at"].as_i64(), Some(created + 480 * MIN));

    // Reordered: the logistics policy now comes first, and the open ticket follows.
    let (s, b) = owner
        .put("/api/sla-policies/order", json!({"ids": [fast, general]}))
        .await;
    assert_eq!(s, 200, "{b}");
    let detail = ticket(&mut owner, id).await;
    assert_eq!(detail["ticket"]["sla"]["policy_name"], "物流");
    assert_eq!(
        detail["ticket"]["sla"]["due_at"].as_i64(),
        Some(created + 30 * MIN)
    );
    let metrics: Vec<&str> = detail["sla_clocks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["metric"].as_str().unwrap())
        .collect();
    assert_eq!(
        metrics,
        ["first_response"],
        "the old resolution clock went: {detail}"
    );

    // A longer target moves the deadline; deleting the policy falls back to the next.
    let (s, b) = owner
        .patch(
            &format!("/api/sla-policies/{fast}"),
            json!({"name": "物流", "type_id": logistics, "first_response_mins": 90}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let detail = ticket(&mut owner, id).await;
    assert_eq!(
        detail["ticket"]["sla"]["due_at"].as_i64(),
        Some(created + 90 * MIN)
    );
    let (s, _) = owner.delete(&format!("/api/sla-policies/{fast}")).await;
    assert_eq!(s, 204);
    assert_eq!(
        ticket(&mut owner, id).await["ticket"]["sla"]["policy_name"],
        "一般"
    );
    let (s, _) = owner.delete(&format!("/api/sla-policies/{general}")).await;
    assert_eq!(s, 204);
    assert!(ticket(&mut owner, id).await["ticket"]["sla"].is_null());
    assert!(listed(&mut owner, "none", id).await);

    // Bad input changes nothing.
    let bad = [
        (json!({"name": "x"}), "sla_target_required"),
        (json!({"name": "", "resolution_mins": 5}), "field_required"),
        (json!({"name": "x", "resolution_mins": 0}), "invalid_sla_target"),
        (
            json!({"name": "x", "resolution_mins": 5, "warn_percent": 100}),
            "invalid_warn_percent",
        ),
        (
            json!({"name": "x", "resolution_mins": 5, "team_id": 999}),
            "unknown_team",
        ),
        (
            json!({"name": "x", "resolution_mins": 5, "priority": "asap"}),
            "invalid_json",
        ),
    ];
    for (body, want) in bad {
        let (s, b) = owner.post("/api/sla-policies", body.clone()).await;
        assert_eq!((s, code(&b)), (400, want), "{body} → {b}");
    }
    let (s, b) = owner
        .put("/api/sla-policies/order", json!({"ids": [1, 2, 3]}))
        .await;
    assert_eq!((s, code(&b)), (400, "invalid_order"), "{b}");
    let (_, list) = owner.get("/api/sla-policies").await;
    assert_eq!(list["policies"], json!([]));

    let (s, b) = owner
        .put(
            "/api/settings/business-hours",
            json!({"week": {"mon": [["09:00", "12:00"], ["11:00", "18:00"]]}, "holidays": []}),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "invalid_business_hours"), "{b}");
    assert_eq!(b["error"]["field"], "week.mon[1]", "{b}");
    assert_eq!(b["error"]["reason"], "periods_overlap", "{b}");
    let (_, hours) = owner.get("/api/settings/business-hours").await;
    assert_eq!(
        hours["business_hours"]["week"]["mon"],
        json!([["00:00", "24:00"]]),
        "unchanged"
    );

    // An agent may read policies but not change them.
    let (mut agent, _) = server.add_agent(&mut owner, "li@shop.example", "agent").await;
    let (s, _) = agent.get("/api/sla-policies").await;
    assert_eq!(s, 200);
    let (s, _) = agent
        .post("/api/sla-policies", json!({"name": "x", "resolution_mins": 5}))
        .await;
    assert_eq!(s, 403);
}

#[tokio::test]
async fn business_hours_and_holidays_set_the_deadline() {
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;
    // Open every day from nine to six, but yesterday, today and tomorrow (Shanghai's
    // dates) are holidays: a two-hour target falls due at eleven the day after
    // tomorrow — in Berlin too, whose date is today's or yesterday's.
    let zone = |name: &str| jiff::tz::TimeZone::get(name).unwrap();
    let today = jiff::Timestamp::now().to_zoned(zone("Asia/Shanghai")).date();
    let day = |n: i64| today.checked_add(jiff::Span::new().days(n)).unwrap();
    let eleven_after_tomorrow = |name: &str| {
        day(2)
            .at(11, 0, 0, 0)
            .to_zoned(zone(name))
            .unwrap()
            .timestamp()
            .as_millisecond()
    };
    let day_list = json!([["09:00", "18:00"]]);
    let week: serde_json::Map<String, Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| (d.to_string(), day_list.clone()))
        .collect();
    let holidays: Vec<String> = (-1..=1).map(|n| day(n).to_string()).collect();
    let (s, b) = owner
        .put(
            "/api/settings/business-hours",
            json!({"week": week, "holidays": holidays}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["timezone"], "Asia/Shanghai");
    let (s, _) = owner
        .post(
            "/api/sla-policies",
            json!({"name": "all", "resolution_mins": 120}),
        )
        .await;
    assert_eq!(s, 201);
    let (_, t) = owner
        .post(
            "/api/tickets",
            json!({"subject": "s", "contact": {"email": "c@example.com"}, "notify_customer": false}),
        )
        .await;
    let id = t["ticket"]["id"].as_i64().unwrap();
    assert_eq!(
        t["ticket"]["sla"]["due_at"].as_i64(),
        Some(eleven_after_tomorrow("Asia/Shanghai")),
        "{t}"
    );

    // The shop moves to another zone: the same hours, read there, move the deadline.
    let (s, b) = owner
        .patch("/api/settings", json!({"timezone": "Europe/Berlin"}))
        .await;
    assert_eq!(s, 200, "{b}");
    let due = ticket(&mut owner, id).await["ticket"]["sla"]["due_at"].as_i64();
    assert_eq!(due, Some(eleven_after_tomorrow("Europe/Berlin")));
}
