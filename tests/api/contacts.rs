//! Contacts: profiles, orders from the shop's systems (API and CSV), and merging
//! duplicates without losing anything.

use serde_json::{Value, json};

use crate::common::*;

async fn visitor_with_message(
    server: &TestServer,
    inbox_token: &str,
    prechat: serde_json::Value,
    text: &str,
) -> i64 {
    let mut v = server.client();
    let (_, s) = v
        .post(
            "/api/widget/session",
            json!({"inbox": inbox_token, "prechat": prechat}),
        )
        .await;
    v.visitor = s["visitor_token"].as_str().map(str::to_string);
    let (_, sent) = v
        .post("/api/widget/messages", json!({"client_id": text, "body": text}))
        .await;
    sent["conversation"]["id"].as_i64().unwrap()
}

#[tokio::test]
async fn profile_orders_and_the_conversation_side_panel() {
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;
    let (_, inbox) = owner.post("/api/inboxes", json!({"name": "店"})).await;
    let token = inbox["inbox"]["public_token"].as_str().unwrap().to_string();
    let conversation = visitor_with_message(
        &server,
        &token,
        json!({"email": "lilei@example.com"}),
        "快递到哪了",
    )
    .await;
    let (_, detail) = owner.get(&format!("/api/conversations/{conversation}")).await;
    let contact = detail["contact"]["id"].as_i64().unwrap();

    // The shop's system pushes orders with an integration token.
    let (_, t) = owner.post("/api/tokens", json!({"name": "ERP"})).await;
    let mut erp = server.client();
    erp.bearer = t["secret"].as_str().map(str::to_string);
    let order = json!({"external_id": "erp-1001", "contact": {"email": "LiLei@example.com"}, "number": "#1001",
        "items": [{"name": "保湿面霜", "quantity": 2, "price_cents": 9900}], "amount_cents": 19800, "currency": "CNY",
        "status": "已发货", "carrier": "顺丰", "tracking_number": "SF1234567890", "updated_at": 1795400000000i64});
    let (s, o) = erp.post("/api/orders", order.clone()).await;
    assert_eq!(s, 200, "{o}");
    assert_eq!(
        o["contact_id"].as_i64(),
        Some(contact),
        "matched by email, case-insensitively"
    );
    let mut update = order.clone();
    update["status"] = json!("已签收");
    update["updated_at"] = json!(1795500000000i64);
    erp.post("/api/orders", update).await;
    let n: i64 = server
        .db()
        .query_row("SELECT count(*) FROM orders", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1, "upserted by external id");
    let (s, b) = erp
        .post(
            "/api/orders",
            json!({"external_id": "x", "number": "1", "contact": {}}),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "order_contact_required"));

    let (_, detail) = owner.get(&format!("/api/conversations/{conversation}")).await;
    assert_eq!(detail["orders"][0]["status"], "已签收");
    assert_eq!(detail["orders"][0]["tracking_number"], "SF1234567890");

    let (s, p) = owner
        .patch(
            &format!("/api/contacts/{contact}"),
            json!({"name": "李雷", "vip_tier": "gold", "tags": ["复购", "复购", "敏感肌"],
            "notes": "喜欢顺丰", "attributes": {"城市": "杭州"}}),
        )
        .await;
    assert_eq!(s, 200, "{p}");
    assert_eq!(p["tags"], json!(["复购", "敏感肌"]));
    assert_eq!(p["attributes"]["城市"], "杭州");
    let (s, b) = owner
        .patch(
            &format!("/api/contacts/{contact}"),
            json!({"email": "not-an-email"}),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "invalid_email"));
    let (_, full) = owner.get(&format!("/api/contacts/{contact}")).await;
    assert_eq!(full["contact"]["vip_tier"], "gold");
    assert_eq!(full["conversations"].as_array().unwrap().len(), 1);
    assert_eq!(full["orders"].as_array().unwrap().len(), 1);
    assert_eq!(full["identities"][0]["kind"], "visitor");
    assert!(
        full["identities"][0]["external_id"].is_null(),
        "visitor tokens are never shown"
    );
}

#[tokio::test]
async fn csv_import_stores_good_lines_and_reports_bad_ones() {
    let server = TestServer::start().await;
    let owner = server.setup_owner().await;
    let csv = "external_id,number,contact_email,contact_phone,contact_name,status,carrier,tracking_number,amount,currency,items\n\
        e-1,#2001,a@example.com,,阿华,已付款,,,199.00,CNY,T恤 x 2|袜子\n\
        e-2,#2002,,13800000000,小明,已发货,中通,ZT998,\"1,299.50\",CNY,手机\n\
        e-3,#2003,,,,已付款,,,10,CNY,\n\
        e-4,#2004,b@example.com,,,已付款,,,ten,CNY,\n";
    let res = owner
        .http
        .post(format!("{}/api/orders/import", server.base))
        .header("x-csrf-token", owner.csrf.clone().unwrap())
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let report: serde_json::Value = res.json().await.unwrap();
    assert_eq!(report["imported"], 2, "{report}");
    let lines: Vec<i64> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_i64().unwrap())
        .collect();
    assert_eq!(lines, [4, 5], "{report}");
    let (amount, items): (i64, String) = server
        .db()
        .query_row(
            "SELECT amount_cents, items FROM orders WHERE external_id = 'e-2'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(amount, 129950);
    assert!(items.contains("手机"));
    let tshirts: String = server
        .db()
        .query_row("SELECT items FROM orders WHERE external_id = 'e-1'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(tshirts.contains("\"quantity\":2"), "{tshirts}");
    let res = owner
        .http
        .post(format!("{}/api/orders/import", server.base))
        .header("x-csrf-token", owner.csrf.clone().unwrap())
        .header("content-type", "text/csv")
        .body("a,b\n1,2\n")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn duplicates_are_offered_and_merging_keeps_everything() {
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;
    let (_, web) = owner.post("/api/inboxes", json!({"name": "网站"})).await;
    let (_, shop2) = owner.post("/api/inboxes", json!({"name": "小程序"})).await;
    let c1 = visitor_with_message(
        &server,
        web["inbox"]["public_token"].as_str().unwrap(),
        json!({"email": "same@example.com", "name": "韩梅梅"}),
        "第一次",
    )
    .await;
    let c2 = visitor_with_message(
        &server,
        shop2["inbox"]["public_token"].as_str().unwrap(),
        json!({"email": "same@example.com"}),
        "第二次",
    )
    .await;
    let a = owner.get(&format!("/api/conversations/{c1}")).await.1["contact"]["id"]
        .as_i64()
        .unwrap();
    let b = owner.get(&format!("/api/conversations/{c2}")).await.1["contact"]["id"]
        .as_i64()
        .unwrap();
    assert_ne!(a, b);
    owner
        .patch(
            &format!("/api/contacts/{b}"),
            json!({"tags": ["老客户"], "phone": "13900000000"}),
        )
        .await;

    let (_, dups) = owner.get(&format!("/api/contacts/{a}/duplicates")).await;
    let ids: Vec<i64> = dups["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [b]);
    let (s, e) = owner
        .post(&format!("/api/contacts/{a}/merge"), json!({"other_id": a}))
        .await;
    assert_eq!((s, code(&e)), (400, "merge_same"));

    let (s, merged) = owner
        .post(&format!("/api/contacts/{a}/merge"), json!({"other_id": b}))
        .await;
    assert_eq!(s, 200, "{merged}");
    assert_eq!(merged["name"], "韩梅梅");
    assert_eq!(
        merged["phone"], "13900000000",
        "empty fields filled from the other"
    );
    assert_eq!(merged["tags"], json!(["老客户"]));
    let (_, full) = owner.get(&format!("/api/contacts/{a}")).await;
    assert_eq!(
        full["conversations"].as_array().unwrap().len(),
        2,
        "both conversations kept"
    );
    assert_eq!(
        full["identities"].as_array().unwrap().len(),
        2,
        "both identities kept"
    );
    assert_eq!(owner.get(&format!("/api/contacts/{b}")).await.0, 404);
    // The other visitor still reaches their conversation under the merged contact.
    let (_, conv) = owner.get(&format!("/api/conversations/{c2}")).await;
    assert_eq!(conv["contact"]["id"].as_i64(), Some(a));
}

#[tokio::test]
async fn cleared_email_and_phone_are_empty_not_duplicates_of_each_other() {
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;
    let (_, web) = owner.post("/api/inboxes", json!({"name": "网站"})).await;
    let token = web["inbox"]["public_token"].as_str().unwrap();
    let mut contacts = Vec::new();
    for (email, text) in [("a@example.com", "甲"), ("b@example.com", "乙")] {
        let conv = visitor_with_message(&server, token, json!({"email": email}), text).await;
        let id = owner.get(&format!("/api/conversations/{conv}")).await.1["contact"]["id"]
            .as_i64()
            .unwrap();
        let (s, p) = owner
            .patch(&format!("/api/contacts/{id}"), json!({"phone": "13800000000"}))
            .await;
        assert_eq!(s, 200, "{p}");
        contacts.push(id);
    }
    let (_, dups) = owner
        .get(&format!("/api/contacts/{}/duplicates", contacts[0]))
        .await;
    assert_eq!(
        dups["contacts"].as_array().unwrap().len(),
        1,
        "same phone: offered"
    );
    for id in &contacts {
        let (s, p) = owner
            .patch(&format!("/api/contacts/{id}"), json!({"phone": "", "email": ""}))
            .await;
        assert_eq!(s, 200, "{p}");
        assert_eq!(
            (p["phone"].clone(), p["email"].clone()),
            (Value::Null, Value::Null)
        );
    }
    let (_, dups) = owner
        .get(&format!("/api/contacts/{}/duplicates", contacts[0]))
        .await;
    assert_eq!(
        dups["contacts"],
        json!([]),
        "two emptied phones are not the same phone"
    );
}
