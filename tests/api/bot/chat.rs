//! The bot in the chat over the widget's websocket: it answers and the customer
//! confirms, it offers articles and the customer picks, and it hands over on each
//! trigger with a summary for the agent.

use serde_json::{Value, json};

use super::support::{BotShop, bot_shop, empty_bot_shop};
use crate::common::code;

/// The private notes the bot left in the conversation.
async fn summaries(shop: &mut BotShop, conversation: &Value) -> Vec<String> {
    let view = shop.agent_view(conversation).await;
    view["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["sender"] == "bot" && m["private"] == true && m["bot"]["kind"] == "summary")
        .map(|m| m["body"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn the_bot_answers_and_the_customer_confirms() {
    let mut shop = bot_shop().await;
    let mut v = shop.visitor("zh-CN", json!({})).await;
    let answer = v.say("你们是正品吗").await;
    assert_eq!(answer["bot"]["kind"], "answer", "{answer}");
    let article = &answer["bot"]["articles"][0];
    let url = article["url"].as_str().unwrap();
    assert!(url.contains("/help/zh-CN/articles/"), "{answer}");
    assert!(
        answer["body"].as_str().unwrap().ends_with(url),
        "the answer links its article: {answer}"
    );
    assert_eq!(answer["bot"]["feedback"], Value::Null);
    let conversation = v.conversation.clone();
    let (_, view) = shop
        .owner
        .get(&format!("/api/conversations/{conversation}"))
        .await;
    assert_eq!(view["conversation"]["status"], "bot", "{view}");
    assert_eq!(
        view["conversation"]["waiting_since"],
        Value::Null,
        "nobody waits for a person yet"
    );

    // Another visitor cannot answer for this one.
    let mut other = shop.visitor("zh-CN", json!({})).await;
    let (s, b) = other.feedback(&answer["id"], true).await;
    assert_eq!((s, code(&b)), (404, "not_found"), "{b}");

    let (s, b) = v.feedback(&answer["id"], true).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["message"]["bot"]["feedback"], "solved", "{b}");
    assert_eq!(b["conversation"]["status"], "resolved", "{b}");
    // The same message, updated, then the bot's goodbye.
    let updated = v.next_bot_message().await;
    assert_eq!(
        (updated["id"].clone(), updated["bot"]["feedback"].clone()),
        (answer["id"].clone(), json!("solved"))
    );
    let bye = v.next_bot_message().await;
    assert_eq!(bye["bot"]["kind"], "resolved", "{bye}");
    assert_eq!(shop.outcome(&conversation).as_deref(), Some("resolved"));
    let (s, b) = v.feedback(&answer["id"], false).await;
    assert_eq!((s, code(&b)), (409, "bot_feedback_given"), "{b}");

    // Coming back soon reopens the bot's session: the outcome is undecided again.
    let again = v.say("怎么退货").await;
    assert!(
        ["answer", "suggest"].contains(&again["bot"]["kind"].as_str().unwrap()),
        "{again}"
    );
    assert_eq!(shop.outcome(&conversation), None);
    shop.server.stop().await.unwrap();
}

#[tokio::test]
async fn offers_are_picked_and_a_thank_you_closes() {
    let shop = bot_shop().await;
    let mut v = shop.visitor("zh-CN", json!({})).await;
    let offer = v.say("优惠").await;
    assert_eq!(offer["bot"]["kind"], "suggest", "{offer}");
    let offered = offer["bot"]["articles"].as_array().unwrap().clone();
    assert!((1..=3).contains(&offered.len()), "{offer}");

    let (s, b) = v.pick(&offer["id"], &json!(999_999)).await;
    assert_eq!((s, code(&b)), (400, "article_not_offered"), "{b}");
    let chosen = offered.last().unwrap();
    let (s, b) = v.pick(&offer["id"], &json!(chosen["article_id"])).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["message"]["bot"]["picked"], chosen["article_id"], "{b}");
    let updated = v.next_bot_message().await;
    assert_eq!(updated["id"], offer["id"]);
    let answer = v.next_bot_message().await;
    assert_eq!(answer["bot"]["kind"], "answer", "{answer}");
    assert_eq!(answer["bot"]["articles"][0]["article_id"], chosen["article_id"]);
    assert!(
        answer["body"]
            .as_str()
            .unwrap()
            .ends_with(chosen["url"].as_str().unwrap())
    );
    let (s, b) = v.pick(&offer["id"], &json!(chosen["article_id"])).await;
    assert_eq!((s, code(&b)), (409, "bot_offer_taken"), "{b}");

    // "谢谢" after an answer is not a new question: the bot closes, resolved.
    let bye = v.say("好的，谢谢！").await;
    assert_eq!(bye["bot"]["kind"], "resolved", "{bye}");
    let conversation = v.conversation.clone();
    assert_eq!(v.status_becomes("resolved").await["id"], conversation);
    assert_eq!(shop.outcome(&conversation).as_deref(), Some("resolved"));
    shop.server.stop().await.unwrap();
}

#[tokio::test]
async fn every_trigger_hands_over_with_a_summary() {
    let mut shop = bot_shop().await;
    // Asked for a person, upset, or "not solved".
    for (opening, reason) in [("转人工", "asked_for_person"), ("什么垃圾店，骗子！", "upset")] {
        let mut v = shop.visitor("zh-CN", json!({})).await;
        let said = v.say(opening).await;
        assert_eq!(
            (said["bot"]["kind"].as_str(), said["bot"]["reason"].as_str()),
            (Some("handoff"), Some(reason)),
            "{said}"
        );
        assert!(said["body"].as_str().unwrap().contains("转接"), "{said}");
        let conversation = v.conversation.clone();
        let notes = summaries(&mut shop, &conversation).await;
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].contains(opening),
            "the note quotes the customer: {}",
            notes[0]
        );
        assert_eq!(shop.outcome(&conversation).as_deref(), Some("handed_off"));
        let view = shop.agent_view(&conversation).await;
        assert_ne!(view["conversation"]["status"], "bot", "{view}");
    }

    // Not solved: a person takes over, and the note names the article tried.
    let mut v = shop.visitor("zh-CN", json!({})).await;
    let answer = v.say("你们是正品吗").await;
    let title = answer["bot"]["articles"][0]["title"]
        .as_str()
        .unwrap()
        .to_string();
    let (s, b) = v.feedback(&answer["id"], false).await;
    assert_eq!(s, 200, "{b}");
    assert_ne!(b["conversation"]["status"], "bot", "{b}");
    let notes = summaries(&mut shop, &v.conversation.clone()).await;
    assert!(notes[0].contains(&title), "{}", notes[0]);

    // Two questions it cannot answer.
    let mut v = shop.visitor("zh-CN", json!({})).await;
    let first = v.say("xqzv plorth wug").await;
    assert_eq!(first["bot"]["kind"], "retry", "{first}");
    let second = v.say("blick fnord zzyzx").await;
    assert_eq!(
        (second["bot"]["kind"].as_str(), second["bot"]["reason"].as_str()),
        (Some("handoff"), Some("no_answer")),
        "{second}"
    );
    let notes = summaries(&mut shop, &v.conversation.clone()).await;
    assert!(
        notes[0].contains("xqzv plorth wug") && notes[0].contains("blick fnord zzyzx"),
        "{}",
        notes[0]
    );

    // The always-visible "talk to a person" button.
    let mut v = shop.visitor("en", json!({})).await;
    let answer = v.say("are your products genuine?").await;
    assert_eq!(answer["bot"]["kind"], "answer", "{answer}");
    let (s, b) = v.http.post("/api/widget/handoff", json!({})).await;
    assert_eq!(s, 200, "{b}");
    let said = v.next_bot_message().await;
    assert_eq!(
        (said["bot"]["kind"].as_str(), said["bot"]["reason"].as_str()),
        (Some("handoff"), Some("button")),
        "{said}"
    );
    assert!(
        said["body"].as_str().unwrap().contains("person"),
        "in the customer's language: {said}"
    );
    // Once a person has it, the bot's buttons are refused and the bot stays quiet.
    let (s, b) = v.feedback(&answer["id"], true).await;
    assert_eq!((s, code(&b)), (409, "bot_not_in_charge"), "{b}");
    let conversation = v.conversation.clone();
    let (s, _) = v
        .http
        .post(
            "/api/widget/messages",
            json!({"client_id": "after-handoff", "body": "hello?"}),
        )
        .await;
    assert_eq!(s, 201);
    let bot_messages: i64 = shop
        .server
        .db()
        .query_row(
            "SELECT count(*) FROM messages WHERE conversation_id = ?1 AND sender_kind = 'bot' AND private = 0",
            [conversation.as_i64().unwrap()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        bot_messages, 2,
        "the answer and the handoff notice, nothing after"
    );
    shop.server.stop().await.unwrap();
}

#[tokio::test]
async fn outside_business_hours_the_bot_says_when_people_are_back() {
    let mut shop = bot_shop().await;
    // Every day open, but yesterday, today and tomorrow are holidays (in any zone).
    let day = json!([["09:00", "18:00"]]);
    let week: serde_json::Map<String, Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| (d.to_string(), day.clone()))
        .collect();
    let today = jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date();
    let holidays: Vec<String> = (-1..=1)
        .map(|d| today.checked_add(jiff::Span::new().days(d)).unwrap().to_string())
        .collect();
    let (s, b) = shop
        .owner
        .put(
            "/api/settings/business-hours",
            json!({"week": week, "holidays": holidays}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    let mut v = shop
        .visitor("zh-CN", json!({"prechat": {"email": "li@example.com"}}))
        .await;
    let said = v.say("人工").await;
    let body = said["body"].as_str().unwrap();
    assert!(
        body.contains("09:00") && body.contains("li@example.com"),
        "{body}"
    );
    let back = today.checked_add(jiff::Span::new().days(2)).unwrap().to_string();
    assert!(
        body.contains(&back),
        "back the day after the holidays ({back}): {body}"
    );
    shop.server.stop().await.unwrap();
}

#[tokio::test]
async fn with_no_articles_the_bot_hands_over_and_the_shops_words_count() {
    let mut shop = empty_bot_shop().await;
    assert_eq!(shop.inbox["handoff_words"], json!(["找老板"]));
    let (s, b) = shop
        .owner
        .post("/api/bot/answer", json!({"text": "退款", "locale": "zh-CN"}))
        .await;
    assert_eq!(
        (s, b["decision"].as_str(), b["reason"].as_str()),
        (200, Some("handoff"), Some("no_answer")),
        "{b}"
    );
    let mut v = shop.visitor("zh-CN", json!({})).await;
    assert_eq!(v.say("退款").await["bot"]["kind"], "retry");
    assert_eq!(v.say("退款多久到账").await["bot"]["kind"], "handoff");
    // The shop's own handoff word, and a refused one that changes nothing.
    let mut w = shop.visitor("zh-CN", json!({})).await;
    let said = w.say("找老板").await;
    assert_eq!(said["bot"]["reason"], "asked_for_person", "{said}");
    let id = shop.inbox["id"].clone();
    let (s, b) = shop
        .owner
        .patch(
            &format!("/api/inboxes/{id}"),
            json!({"handoff_words": ["ok", " "]}),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "handoff_word_invalid"), "{b}");
    let (_, after) = shop.owner.get(&format!("/api/inboxes/{id}")).await;
    assert_eq!(after["inbox"]["handoff_words"], json!(["找老板"]), "{after}");
    shop.server.stop().await.unwrap();
}
