//! What the bot learns and reports: suggestions from agents' answers (approved as
//! an article or as a question, or rejected), the top unanswered questions, one
//! outcome per conversation, and order self-service.

use serde_json::{Value, json};

use super::support::{BotShop, bot_shop};
use crate::common::code;

/// A visitor asks `first` and `second`, which the bot cannot answer; the owner
/// answers. Returns the conversation.
async fn unanswered_then_answered(shop: &mut BotShop, first: &str, second: &str, answer: &str) -> Value {
    let mut v = shop.visitor("zh-CN", json!({})).await;
    assert_eq!(v.say(first).await["bot"]["kind"], "retry");
    assert_eq!(v.say(second).await["bot"]["kind"], "handoff");
    let conversation = v.conversation.clone();
    let (s, b) = shop
        .owner
        .post(
            &format!("/api/conversations/{conversation}/messages"),
            json!({"body": answer}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    conversation
}

#[tokio::test]
async fn agents_answers_become_articles_after_review() {
    let mut shop = bot_shop().await;
    let q1 = "鬣蜥 qqq zzq";
    let conversation =
        unanswered_then_answered(&mut shop, "xqzv plorth wug", q1, "可以带，小型犬需要牵绳。").await;
    // A second reply completes the answer while it waits for review.
    let (s, _) = shop
        .owner
        .post(
            &format!("/api/conversations/{conversation}/messages"),
            json!({"body": "大型犬请提前联系我们。"}),
        )
        .await;
    assert_eq!(s, 201);
    // A private note is not an answer.
    let (s, _) = shop
        .owner
        .post(
            &format!("/api/conversations/{conversation}/messages"),
            json!({"body": "内部备注", "private": true}),
        )
        .await;
    assert_eq!(s, 201);
    let (s, list) = shop.owner.get("/api/kb/suggestions").await;
    assert_eq!(s, 200, "{list}");
    let suggestions = list["suggestions"].as_array().unwrap();
    assert_eq!(suggestions.len(), 1, "{list}");
    let sug = &suggestions[0];
    assert_eq!(
        (
            sug["question"].as_str(),
            sug["locale"].as_str(),
            sug["status"].as_str()
        ),
        (Some(q1), Some("zh-CN"), Some("pending"))
    );
    assert_eq!(
        sug["answer"], "可以带，小型犬需要牵绳。\n\n大型犬请提前联系我们。",
        "{sug}"
    );

    // Bad approvals change nothing.
    let path = format!("/api/kb/suggestions/{}/approve", sug["id"]);
    let (s, b) = shop
        .owner
        .post(&path, json!({"as": "article", "title": " ", "locale": "zh-CN"}))
        .await;
    assert_eq!((s, code(&b)), (400, "field_required"), "{b}");
    let (s, b) = shop
        .owner
        .post(
            &path,
            json!({"as": "question", "article_id": 999_999, "question": "x"}),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "kb_article_unknown"), "{b}");

    let (s, b) = shop
        .owner
        .post(
            &path,
            json!({"as": "article", "title": "可以带宠物进店吗", "body": sug["answer"], "locale": "zh-CN",
                   "questions": [q1, "鬣蜥能进店吗"], "status": "published"}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["suggestion"]["status"], "approved");
    let article = b["article_id"].clone();
    assert_eq!(b["suggestion"]["article_id"], article);
    let (_, answer) = shop
        .owner
        .post(
            "/api/bot/answer",
            json!({"text": "鬣蜥能进店吗", "locale": "zh-CN"}),
        )
        .await;
    assert_eq!(
        answer["articles"][0]["article_id"], article,
        "the new article answers now: {answer}"
    );
    let (s, b) = shop
        .owner
        .post(
            &path,
            json!({"as": "question", "article_id": article, "question": "x"}),
        )
        .await;
    assert_eq!((s, code(&b)), (409, "suggestion_decided"), "{b}");

    // Approved as another way of asking an existing article.
    unanswered_then_answered(&mut shop, "xqzv plorth wug!", "蝾螈 bbbx", "可以的。").await;
    let (_, list) = shop.owner.get("/api/kb/suggestions").await;
    let sug = list["suggestions"][0].clone();
    let (s, b) = shop
        .owner
        .post(
            &format!("/api/kb/suggestions/{}/approve", sug["id"]),
            json!({"as": "question", "article_id": article, "question": "蝾螈能进店不"}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let (_, a) = shop.owner.get(&format!("/api/kb/articles/{article}")).await;
    assert!(
        a["questions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|q| q == "蝾螈能进店不"),
        "{a}"
    );

    // Rejected.
    unanswered_then_answered(&mut shop, "xqzv, plorth wug", "frobnic mmmx", "请稍等").await;
    let (_, list) = shop.owner.get("/api/kb/suggestions").await;
    let sug = list["suggestions"][0].clone();
    let (s, b) = shop
        .owner
        .post(&format!("/api/kb/suggestions/{}/reject", sug["id"]), json!({}))
        .await;
    assert_eq!(
        (s, b["suggestion"]["status"].as_str()),
        (200, Some("rejected")),
        "{b}"
    );
    let (_, pending) = shop.owner.get("/api/kb/suggestions").await;
    assert_eq!(pending["suggestions"].as_array().unwrap().len(), 0, "{pending}");
    let (_, rejected) = shop.owner.get("/api/kb/suggestions?status=rejected").await;
    assert_eq!(rejected["suggestions"].as_array().unwrap().len(), 1, "{rejected}");
    let (s, b) = shop.owner.get("/api/kb/suggestions?status=maybe").await;
    assert_eq!((s, code(&b)), (400, "status_invalid"));

    // Top unanswered: the "xqzv plorth wug" questions are one group of three.
    let (s, top) = shop.owner.get("/api/kb/unanswered?days=7").await;
    assert_eq!(s, 200, "{top}");
    let first = &top["groups"][0];
    assert_eq!(first["count"], 3, "{top}");
    assert!(first["question"].as_str().unwrap().starts_with("xqzv"), "{top}");
    assert_eq!(first["examples"].as_array().unwrap().len(), 3, "{top}");
    let (s, b) = shop.owner.get("/api/kb/unanswered?days=0").await;
    assert_eq!((s, code(&b)), (400, "days_invalid"));
    shop.server.stop().await.unwrap();
}

#[tokio::test]
async fn each_conversation_has_one_outcome() {
    let mut shop = bot_shop().await;
    // Answered, then quiet: resolved. Unanswered, then quiet: abandoned.
    let mut answered = shop.visitor("zh-CN", json!({})).await;
    assert_eq!(answered.say("你们是正品吗").await["bot"]["kind"], "answer");
    let mut lost = shop.visitor("zh-CN", json!({})).await;
    assert_eq!(lost.say("xqzv plorth wug").await["bot"]["kind"], "retry");
    let mut handed = shop.visitor("zh-CN", json!({})).await;
    assert_eq!(handed.say("转人工").await["bot"]["kind"], "handoff");
    let (_, r) = shop.owner.get("/api/bot/outcomes").await;
    assert_eq!(
        (
            r["conversations"].as_i64(),
            r["undecided"].as_i64(),
            r["handed_off"].as_i64()
        ),
        (Some(3), Some(2), Some(1)),
        "{r}"
    );

    // Quiet for longer than the idle time (shortened here to 0.6 s).
    shop.server
        .db()
        .execute(
            "INSERT OR REPLACE INTO settings (key, value, updated_at) VALUES ('bot.idle_minutes', '0.01', 0)",
            [],
        )
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    assert_eq!(
        answered.status_becomes("resolved").await["id"],
        answered.conversation
    );
    lost.status_becomes("resolved").await;
    assert_eq!(shop.outcome(&answered.conversation).as_deref(), Some("resolved"));
    assert_eq!(shop.outcome(&lost.conversation).as_deref(), Some("abandoned"));
    let (s, r) = shop.owner.get("/api/bot/outcomes?days=30").await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(
        (
            r["resolved"].as_i64(),
            r["handed_off"].as_i64(),
            r["abandoned"].as_i64(),
            r["undecided"].as_i64()
        ),
        (Some(1), Some(1), Some(1), Some(0)),
        "{r}"
    );
    let sum: f64 = ["deflection_rate", "handoff_rate", "abandon_rate"]
        .iter()
        .map(|k| r[k].as_f64().unwrap())
        .sum();
    assert!((sum - 1.0).abs() < 1e-9, "{r}");
    shop.server.stop().await.unwrap();
}

#[tokio::test]
async fn customers_ask_where_their_order_is() {
    let mut shop = bot_shop().await;
    let order = |number: &str, email: &str| {
        json!({"external_id": format!("o-{number}"), "contact": {"email": email}, "number": number,
               "items": [{"name": "保湿面霜"}], "status": "已发货", "carrier": "顺丰",
               "tracking_number": format!("SF{number}")})
    };
    let (s, b) = shop
        .owner
        .post("/api/orders", order("88123", "li@example.com"))
        .await;
    assert_eq!(s, 200, "{b}");

    // Anonymous: the bot asks for the number and email, and checks both.
    let mut v = shop.visitor("zh-CN", json!({})).await;
    let ask = v.say("我的快递到哪了").await;
    assert_eq!(ask["bot"]["kind"], "order_ask", "{ask}");
    let wrong = v.say("88123 wang@example.com").await;
    assert_eq!(wrong["bot"]["kind"], "order_ask", "{wrong}");
    assert!(
        !wrong["body"].as_str().unwrap().contains("SF88123"),
        "nothing told without a match: {wrong}"
    );
    let found = v.say("订单号88123，邮箱 li@example.com").await;
    assert_eq!(found["bot"]["kind"], "order", "{found}");
    let body = found["body"].as_str().unwrap();
    assert!(
        body.contains("88123")
            && body.contains("已发货")
            && body.contains("顺丰")
            && body.contains("SF88123"),
        "{body}"
    );

    // A customer whose contact has orders is greeted with the latest and told directly.
    let contact: i64 = shop
        .server
        .db()
        .query_row(
            "SELECT contact_id FROM conversations WHERE id = ?1",
            [v.conversation.as_i64().unwrap()],
            |r| r.get(0),
        )
        .unwrap();
    let (s, b) = shop
        .owner
        .post(
            "/api/orders",
            json!({"external_id": "o-77", "contact": {"id": contact}, "number": "77001",
            "items": [{"name": "防晒霜"}], "status": "配送中", "carrier": "京东", "tracking_number": "JD77"}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let token = v.http.visitor.clone().unwrap();
    let mut c = shop.server.client();
    let (_, session) = c
        .post(
            "/api/widget/session",
            json!({"inbox": shop.inbox["public_token"], "visitor_token": token, "locale": "zh-CN"}),
        )
        .await;
    let greeting = session["bot_greeting"].as_str().unwrap_or_default();
    assert!(
        greeting.contains("77001") && greeting.contains("防晒霜"),
        "{session}"
    );
    let mine = v.say("where is my order").await;
    assert!(mine["body"].as_str().unwrap().contains("JD77"), "{mine}");
    shop.server.stop().await.unwrap();
}
