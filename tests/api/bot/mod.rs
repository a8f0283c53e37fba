//! The bot on the demo shop: what it would say (`POST /api/bot/answer`), and the
//! bot in the chat (`chat`), its learning loop and outcomes (`learning`).

mod chat;
mod learning;
mod support;

use kefu::accounts::ratelimit::LimitPolicy;
use serde_json::{Value, json};

use crate::common::{Client, TestServer, code, kefu, text};

/// The demo shop, served, with an owner logged in.
pub(crate) async fn demo_shop() -> (tempfile::TempDir, TestServer, Client) {
    let dir = tempfile::tempdir().unwrap();
    let out = kefu(&["demo", "--data", dir.path().to_str().unwrap()], &[], None);
    assert!(out.status.success(), "{}", text(&out));
    let server = TestServer::start_in(dir.path(), LimitPolicy::default())
        .await
        .unwrap();
    let owner = server.setup_owner().await;
    (dir, server, owner)
}

async fn ask(client: &mut Client, text: &str, locale: &str) -> Value {
    let (s, b) = client
        .post("/api/bot/answer", json!({"text": text, "locale": locale}))
        .await;
    assert_eq!(s, 200, "{text}: {b}");
    b
}

#[tokio::test]
async fn the_bot_answers_suggests_or_hands_over() {
    let (_dir, server, mut owner) = demo_shop().await;

    // Sure: one article, as chat text, with its public page.
    let b = ask(&mut owner, "你们是正品吗", "zh-CN").await;
    assert_eq!(
        (b["decision"].as_str(), b["reason"].as_str()),
        (Some("answer"), None),
        "{b}"
    );
    let a = &b["articles"][0];
    assert_eq!(
        (a["external_id"].as_str(), a["locale"].as_str()),
        (Some("authenticity"), Some("zh-CN")),
        "{b}"
    );
    assert!(
        a["url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/help/zh-CN/articles/{}", a["article_id"])),
        "{a}"
    );
    let answer = a["text"].as_str().unwrap();
    assert!(
        !answer.is_empty() && !answer.contains("**"),
        "plain text for chat: {answer}"
    );
    assert!(b["confidence"].as_f64().unwrap() >= b["answer_threshold"].as_f64().unwrap());
    assert_eq!(b["articles"].as_array().unwrap().len(), 1);
    // The same topic in English for an English customer.
    let b = ask(&mut owner, "are your products genuine?", "en").await;
    assert_eq!(
        (b["decision"].as_str(), b["articles"][0]["external_id"].as_str()),
        (Some("answer"), Some("authenticity"))
    );
    assert_eq!(b["articles"][0]["locale"], "en");

    // Unsure: up to three offers, each between the thresholds.
    let b = ask(&mut owner, "优惠", "zh-CN").await;
    assert_eq!(b["decision"], "suggest", "{b}");
    let offers = b["articles"].as_array().unwrap();
    assert!((1..=3).contains(&offers.len()), "{b}");
    for o in offers {
        let c = o["confidence"].as_f64().unwrap();
        assert!(
            c < b["answer_threshold"].as_f64().unwrap() && c >= b["suggest_threshold"].as_f64().unwrap(),
            "{b}"
        );
    }

    // Hands over: asked, upset (even when the KB would match), or nothing fits.
    for (text, reason) in [
        ("转人工", "asked_for_person"),
        ("human please", "asked_for_person"),
        ("什么垃圾店，退款到底什么时候到？？", "upset"),
        ("你们老板叫什么名字", "no_answer"),
    ] {
        let b = ask(&mut owner, text, "zh-CN").await;
        assert_eq!(
            (b["decision"].as_str(), b["reason"].as_str()),
            (Some("handoff"), Some(reason)),
            "{text}: {b}"
        );
    }
    // A question that only mentions the service desk is still a question.
    let b = ask(&mut owner, "客服几点上班", "zh-CN").await;
    assert_ne!(b["reason"], "asked_for_person", "{b}");
    server.stop().await.unwrap();
}

#[tokio::test]
async fn bad_questions_are_refused_and_tokens_may_ask() {
    let (_dir, server, mut owner) = demo_shop().await;
    let cases = [
        (json!({"text": "   "}), "field_required"),
        (json!({"text": "问".repeat(5001)}), "field_too_long"),
        (json!({"text": "退款", "inbox_id": 999}), "inbox_unknown"),
        (json!({"text": "退款", "locale": "fr"}), "invalid_json"),
    ];
    for (body, expected) in cases {
        let (s, b) = owner.post("/api/bot/answer", body).await;
        assert_eq!((s, code(&b)), (400, expected), "{b}");
    }
    let (s, _) = server
        .client()
        .post("/api/bot/answer", json!({"text": "退款"}))
        .await;
    assert_eq!(s, 401);
    let (_, token) = owner
        .post("/api/tokens", json!({"name": "shop site", "role": "agent"}))
        .await;
    let mut integration = server.client();
    integration.bearer = Some(token["secret"].as_str().unwrap().to_string());
    let (_, inboxes) = owner.get("/api/inboxes").await;
    let inbox = inboxes["inboxes"][0]["id"].clone();
    let (s, b) = integration
        .post(
            "/api/bot/answer",
            json!({"inbox_id": inbox, "text": "你们是正品吗"}),
        )
        .await;
    assert_eq!((s, b["decision"].as_str()), (200, Some("answer")), "{b}");
    server.stop().await.unwrap();
}
