//! Intents, the classifier, sentiment and rules, through the API and real conversations.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::shop;
use crate::common::code;

async fn tried(shop: &mut super::Shop, body: Value) -> Value {
    let (s, b) = shop.owner.post("/api/routing/try", body.clone()).await;
    assert_eq!(s, 200, "{body}: {b}");
    b
}

fn count(shop: &super::Shop, table: &str) -> i64 {
    shop.server
        .db()
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

#[tokio::test]
async fn first_messages_reach_their_intents_team_and_agents_labels_teach_the_classifier() {
    let mut shop = shop().await;
    // The example: the same word 快递, two different needs.
    let late = shop.first_message("快递咋还没到").await;
    let fee = shop.first_message("快递费多少钱").await;
    assert_eq!(late["intent"]["name"], "shipping_status", "{late}");
    assert_eq!(late["intent"]["source"], "model");
    assert!(late["intent"]["confidence"].as_f64().unwrap() >= 0.5, "{late}");
    assert_eq!(late["team_id"].as_i64(), Some(shop.team("Logistics")));
    assert_eq!(fee["intent"]["name"], "pre_sales", "{fee}");
    assert_eq!(fee["team_id"].as_i64(), Some(shop.team("Sales")));
    let id = late["id"].as_i64().unwrap();
    let (_, tl) = shop.owner.get(&format!("/api/conversations/{id}")).await;
    let routed = tl["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "routed")
        .expect("a routed event")
        .clone();
    assert_eq!(routed["detail"]["intent"], "shipping_status", "{routed}");

    // An agent corrects it: shown at once, on the timeline, and refused for a made-up intent.
    let path = format!("/api/conversations/{id}/intent");
    let (s, b) = shop.owner.put(&path, json!({"intent": "no_such"})).await;
    assert_eq!((s, code(&b)), (400, "intent_not_found"));
    let (s, b) = shop.owner.put(&path, json!({"intent": "complaint"})).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(
        (
            b["conversation"]["intent"]["name"].as_str(),
            b["conversation"]["intent"]["source"].as_str()
        ),
        (Some("complaint"), Some("agent"))
    );

    // Agents keep labelling a phrase the examples never mention: the classifier learns it.
    let phrase = "蓝鲸小象橙子";
    let before = tried(&mut shop, json!({"text": phrase})).await;
    assert_ne!(before["intent"]["name"], "invoice", "{before}");
    for _ in 0..4 {
        let c = shop.first_message(phrase).await;
        let (s, b) = shop
            .owner
            .put(
                &format!("/api/conversations/{}/intent", c["id"]),
                json!({"intent": "invoice"}),
            )
            .await;
        assert_eq!(s, 200, "{b}");
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let after = tried(&mut shop, json!({"text": phrase})).await;
        if after["intent"]["name"] == "invoice" {
            break;
        }
        assert!(Instant::now() < deadline, "retrained within 10 s: {after}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn intents_are_checked_and_the_classifier_retrains_before_answering() {
    let mut shop = shop().await;
    let intents = count(&shop, "intents");
    for (body, status, expected) in [
        (
            json!({"name": "gift", "label": "礼品", "examples": []}),
            400,
            "intent_examples_required",
        ),
        (
            json!({"name": "gift", "label": "礼品"}),
            400,
            "intent_examples_required",
        ),
        (
            json!({"name": "Gift Wrap", "label": "礼品", "examples": ["包装"]}),
            400,
            "intent_name_invalid",
        ),
        (
            json!({"name": "gift", "label": "", "examples": ["包装"]}),
            400,
            "intent_label_invalid",
        ),
        (
            json!({"name": "gift", "label": "礼品", "examples": ["  "]}),
            400,
            "intent_example_invalid",
        ),
        (
            json!({"name": "gift", "label": "礼品", "examples": ["包装"], "team_id": 999}),
            400,
            "unknown_team",
        ),
        (
            json!({"name": "invoice", "label": "发票", "examples": ["发票"]}),
            409,
            "intent_name_taken",
        ),
    ] {
        let (s, b) = shop.owner.post("/api/routing/intents", body.clone()).await;
        assert_eq!((s, code(&b)), (status, expected), "{body}: {b}");
    }
    assert_eq!(count(&shop, "intents"), intents, "nothing saved");

    let (s, b) = shop
        .owner
        .post(
            "/api/routing/intents",
            json!({"name": "gift_wrap", "label": "礼品包装 Gift wrap",
                   "examples": ["能包装成礼物吗", "可以帮忙包礼盒吗", "送人的能包一下吗", "gift wrap please", "can you wrap it as a present"],
                   "keywords": ["礼盒包装", "gift wrap"]}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    let gift = b["intent"]["id"].as_i64().unwrap();
    let t = tried(&mut shop, json!({"text": "这个能不能包成礼物送朋友"})).await;
    assert_eq!(
        t["intent"]["name"], "gift_wrap",
        "the next try sees the new intent: {t}"
    );
    assert_eq!(t["ranking"].as_array().unwrap().len(), 3);

    // A rule and an agent's skills name it; renaming keeps them pointing at it.
    let rule = shop
        .rule(json!({"name": "礼品", "conditions": {"intents": ["gift_wrap"]}, "actions": {"priority": "high"}}))
        .await;
    let (s, b) = shop
        .owner
        .patch("/api/agents/1", json!({"skills": ["gift_wrap"]}))
        .await;
    assert_eq!(
        (s, b["agent"]["skills"].clone()),
        (200, json!(["gift_wrap"])),
        "{b}"
    );
    let (s, b) = shop
        .owner
        .patch("/api/agents/1", json!({"skills": ["nope"]}))
        .await;
    assert_eq!((s, code(&b)), (400, "intent_not_found"));
    let (s, b) = shop
        .owner
        .patch(&format!("/api/routing/intents/{gift}"), json!({"name": "gift"}))
        .await;
    assert_eq!(s, 200, "{b}");
    let (_, rules) = shop.owner.get("/api/routing/rules").await;
    assert_eq!(rules["rules"][0]["conditions"]["intents"], json!(["gift"]));
    let (_, agents) = shop.owner.get("/api/agents").await;
    assert_eq!(agents["agents"][0]["skills"], json!(["gift"]));

    // Deleted, the rule can no longer match, and says so.
    let (s, _) = shop.owner.delete(&format!("/api/routing/intents/{gift}")).await;
    assert_eq!(s, 204);
    let (_, rules) = shop.owner.get("/api/routing/rules").await;
    let warnings = &rules["rules"][0]["warnings"];
    assert_eq!(warnings[0]["code"], "never_matches", "{rule} {warnings}");
}

/// (message, VIP?, language) → the rules that apply, the team and the priority.
struct Case {
    text: &'static str,
    vip: bool,
    language: &'static str,
    applied: &'static [&'static str],
    team: &'static str,
    priority: &'static str,
}

const CASES: &[Case] = &[
    Case {
        text: "快递咋还没到",
        vip: false,
        language: "zh-CN",
        applied: &["物流"],
        team: "Logistics",
        priority: "normal",
    },
    Case {
        text: "快递咋还没到，气死了！！！",
        vip: true,
        language: "zh-CN",
        applied: &["VIP 不满"],
        team: "Escalations",
        priority: "urgent",
    },
    Case {
        text: "where is my parcel",
        vip: false,
        language: "en",
        applied: &["物流", "英文"],
        team: "Logistics",
        priority: "high",
    },
    Case {
        text: "订单 2024061288 改地址",
        vip: false,
        language: "zh-CN",
        applied: &["订单号"],
        team: "Orders",
        priority: "normal",
    },
    Case {
        text: "可以开发票吗",
        vip: true,
        language: "zh-CN",
        applied: &[],
        team: "Finance",
        priority: "normal",
    },
];

#[tokio::test]
async fn rules_apply_in_order_and_the_try_box_says_why() {
    let mut shop = shop().await;
    let (escalations, logistics, orders) = (
        shop.team("Escalations"),
        shop.team("Logistics"),
        shop.team("Orders"),
    );
    let (_, label) = shop.owner.post("/api/labels", json!({"name": "物流"})).await;
    shop.rule(
        json!({"name": "VIP 不满", "conditions": {"vip": true, "sentiment": "negative"},
                     "actions": {"team_id": escalations, "priority": "urgent"}}),
    )
    .await;
    shop.rule(
        json!({"name": "物流", "continue": true, "conditions": {"intents": ["shipping_status"]},
                     "actions": {"team_id": logistics, "label_ids": [label["id"]]}}),
    )
    .await;
    shop.rule(json!({"name": "英文", "conditions": {"languages": ["en"]}, "actions": {"priority": "high"}}))
        .await;
    shop.rule(
        json!({"name": "订单号", "conditions": {"pattern": "\\d{8,}"}, "actions": {"team_id": orders}}),
    )
    .await;
    for case in CASES {
        let body = json!({"text": case.text, "language": case.language,
                          "vip_tier": if case.vip { Some("gold") } else { None }});
        let t = tried(&mut shop, body).await;
        let applied: Vec<&str> = t["rules"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["applied"] == true)
            .map(|r| r["name"].as_str().unwrap())
            .collect();
        assert_eq!(applied, case.applied, "{}: {t}", case.text);
        assert_eq!(
            t["outcome"]["team_id"].as_i64(),
            Some(shop.team(case.team)),
            "{}: {t}",
            case.text
        );
        assert_eq!(t["outcome"]["priority"], case.priority, "{}: {t}", case.text);
    }
    // Why: each condition with what was found.
    let t = tried(&mut shop, json!({"text": "订单 2024061288 改地址"})).await;
    let rule = t["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "订单号")
        .unwrap();
    assert_eq!(
        rule["reasons"][0],
        json!({"condition": "pattern", "ok": true, "detail": "2024061288"})
    );
    let vip = t["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "VIP 不满")
        .unwrap();
    assert_eq!(
        (vip["matched"].as_bool(), vip["reasons"][0]["ok"].as_bool()),
        (Some(false), Some(false))
    );

    // Refused with the reason, and nothing saved.
    let rules = count(&shop, "routing_rules");
    let (s, b) = shop
        .owner
        .post(
            "/api/routing/rules",
            json!({"name": "坏", "conditions": {"pattern": "(["}, "actions": {"priority": "high"}}),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "pattern_invalid"), "{b}");
    assert!(
        b["error"]["reason"].as_str().is_some_and(|r| !r.is_empty()),
        "{b}"
    );
    for (body, expected) in [
        (
            json!({"name": "x", "conditions": {"colour": "red"}}),
            "condition_invalid",
        ),
        (
            json!({"name": "x", "conditions": {"channels": ["fax"]}}),
            "condition_invalid",
        ),
        (
            json!({"name": "x", "conditions": {"intents": ["nope"]}}),
            "intent_not_found",
        ),
        (
            json!({"name": "x", "actions": {"priority": "asap"}}),
            "action_invalid",
        ),
        (
            json!({"name": "x", "actions": {"agent_id": 999}}),
            "unknown_agent",
        ),
        (
            json!({"name": "", "actions": {"priority": "high"}}),
            "rule_name_invalid",
        ),
    ] {
        let (s, b) = shop.owner.post("/api/routing/rules", body.clone()).await;
        assert_eq!((s, code(&b)), (400, expected), "{body}: {b}");
    }
    assert_eq!(count(&shop, "routing_rules"), rules);

    // A rule placed after a broader one is flagged; so is one contradicting a continuing rule.
    shop.rule(
        json!({"name": "物流加急", "conditions": {"intents": ["shipping_status"], "keywords": ["急"]},
                     "actions": {"team_id": escalations}}),
    )
    .await;
    shop.rule(json!({"name": "全部", "conditions": {}, "actions": {}}))
        .await;
    shop.rule(
        json!({"name": "之后", "conditions": {"languages": ["zh-CN"]}, "actions": {"priority": "low"}}),
    )
    .await;
    let (_, list) = shop.owner.get("/api/routing/rules").await;
    let warn = |name: &str| -> Vec<String> {
        list["rules"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == name)
            .unwrap()["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["code"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(warn("物流加急"), ["contradicts"], "{list}");
    assert_eq!(warn("全部"), ["no_actions"], "{list}");
    assert_eq!(warn("之后"), ["shadowed"], "{list}");
    assert!(warn("物流").is_empty());

    // Reordering: every id once, or refused.
    let ids: Vec<i64> = list["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    let reversed: Vec<i64> = ids.iter().rev().copied().collect();
    let (s, b) = shop
        .owner
        .put("/api/routing/rules/order", json!({"ids": reversed}))
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["rules"][0]["name"], "之后");
    let (s, b) = shop
        .owner
        .put("/api/routing/rules/order", json!({"ids": [ids[0]]}))
        .await;
    assert_eq!((s, code(&b)), (400, "rule_order_invalid"));
}

#[tokio::test]
async fn new_conversations_get_the_rules_actions_and_every_message_a_sentiment() {
    let mut shop = shop().await;
    let finance = shop.team("Finance");
    let (_, label) = shop.owner.post("/api/labels", json!({"name": "发票"})).await;
    shop.rule(json!({"name": "发票", "conditions": {"keywords": ["发票"]},
                     "actions": {"team_id": finance, "label_ids": [label["id"]],
                                 "auto_reply": "开发票请在订单页申请，我们一个工作日内开好。"}}))
        .await;
    shop.rule(json!({"name": "机器人", "conditions": {"keywords": ["正品"]}, "actions": {"bot": true}}))
        .await;

    let mut v = shop.visitor(json!({})).await;
    let c = shop.says(&mut v, "我要开发票").await;
    assert_eq!(c["team_id"].as_i64(), Some(finance), "{c}");
    assert_eq!(c["labels"][0]["name"], "发票");
    let (_, seen) = v.get("/api/widget/messages?after=0").await;
    let bodies: Vec<&str> = seen["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(
        bodies,
        ["我要开发票", "开发票请在订单页申请，我们一个工作日内开好。"],
        "the customer sees the auto-reply"
    );

    // The rule turns the bot on for this conversation only (the inbox has it off).
    let c = shop.first_message("你们是正品吗").await;
    assert_eq!(c["status"], "bot", "{c}");

    // Sentiment on every customer message; a negative turn is flagged and raises priority once.
    let mut v = shop.visitor(json!({})).await;
    let calm = shop.says(&mut v, "请问我的订单发货了吗").await;
    assert_eq!(
        (calm["negative"].as_bool(), calm["priority"].as_i64()),
        (Some(false), Some(0))
    );
    let angry = shop.says(&mut v, "气死了！！！再不发货我就投诉").await;
    assert_eq!(
        (angry["negative"].as_bool(), angry["priority"].as_i64()),
        (Some(true), Some(1)),
        "{angry}"
    );
    assert!(angry["sentiment"].as_f64().unwrap() < 0.0);
    let id = angry["id"].as_i64().unwrap();
    let (_, msgs) = shop.owner.get(&format!("/api/conversations/{id}")).await;
    let last = msgs["messages"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (
            last["sentiment"]["label"].as_str(),
            last["sentiment"]["urgent"].as_bool()
        ),
        (Some("negative"), Some(true)),
        "{last}"
    );
    assert!(
        last["sentiment"]["cues"]
            .as_array()
            .unwrap()
            .contains(&json!("投诉")),
        "{last}"
    );
    let still = shop.says(&mut v, "太差了").await;
    assert_eq!(
        still["priority"].as_i64(),
        Some(1),
        "raised once, not per message"
    );

    // With the option off, a flagged conversation keeps its priority.
    let (s, b) = shop
        .owner
        .put(
            "/api/routing/settings",
            json!({"vip_team_id": null, "requeue_on_offline": false,
                                            "negative_raises_priority": false, "negative_hands_over": true}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let c = shop.first_message("垃圾店，骗子！！！").await;
    assert_eq!(
        (c["negative"].as_bool(), c["priority"].as_i64()),
        (Some(true), Some(0)),
        "{c}"
    );
    let (s, b) = shop
        .owner
        .put(
            "/api/routing/settings",
            json!({"vip_team_id": 999, "requeue_on_offline": false,
                                            "negative_raises_priority": false, "negative_hands_over": true}),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "unknown_team"));
}
