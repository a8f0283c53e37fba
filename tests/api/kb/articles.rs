//! Articles and categories: the editor's API, its checks, and who may use it.

use serde_json::json;

use super::{article, category, search_ids};
use crate::common::{TestServer, code};

#[tokio::test]
async fn articles_are_written_read_and_kept_out_of_search_until_published() {
    let server = TestServer::start().await;
    let mut admin = server.setup_owner().await;
    let cat = category(&mut admin, "zh-CN", "退货与退款").await;

    // A draft: stored with its questions, rendered, not searchable.
    let (s, draft) = admin
        .post(
            "/api/kb/articles",
            json!({"category_id": cat, "locale": "zh-CN", "external_id": "refund-time",
                   "title": "退款多久到账", "body": "**原路退回**，1–3 个工作日。\n\n- 支付宝\n- 微信",
                   "questions": ["钱什么时候退回来", "  ", "钱什么时候退回来", "退款几天到"],
                   "keywords": ["到账"]}),
        )
        .await;
    assert_eq!(s, 201, "{draft}");
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["category"], "退货与退款");
    assert_eq!(
        draft["questions"],
        json!(["钱什么时候退回来", "退款几天到"]),
        "blank and repeated questions dropped"
    );
    assert_eq!(draft["inbox_ids"], json!(null));
    let html = draft["body_html"].as_str().unwrap();
    assert!(
        html.contains("<strong>原路退回</strong>") && html.contains("<li>支付宝</li>"),
        "{html}"
    );
    let id = draft["id"].as_i64().unwrap();
    assert!(
        search_ids(&mut admin, "退款").await.is_empty(),
        "a draft is not searchable"
    );

    // Published: found by a two-character query; the category counts it.
    let mut edited = draft.clone();
    edited["status"] = json!("published");
    let (s, published) = admin.put(&format!("/api/kb/articles/{id}"), edited).await;
    assert_eq!(s, 200, "{published}");
    assert_eq!(search_ids(&mut admin, "退款").await, vec![id]);
    let (_, cats) = admin.get("/api/kb/categories").await;
    assert_eq!(cats["categories"][0]["published"], 1, "{cats}");

    // The list filters by language, status and title words.
    let (_, list) = admin
        .get("/api/kb/articles?locale=zh-CN&status=published&q=到账")
        .await;
    assert_eq!(list["articles"].as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list["articles"][0]["questions"], 2);
    let (_, none) = admin.get("/api/kb/articles?locale=en").await;
    assert_eq!(none["articles"], json!([]));

    // Back to draft: gone from search at once. Deleted: gone.
    let mut back = published.clone();
    back["status"] = json!("draft");
    admin.put(&format!("/api/kb/articles/{id}"), back).await;
    assert!(search_ids(&mut admin, "退款").await.is_empty());
    let (s, _) = admin.delete(&format!("/api/kb/articles/{id}")).await;
    assert_eq!(s, 204);
    let (s, b) = admin.get(&format!("/api/kb/articles/{id}")).await;
    assert_eq!((s, code(&b)), (404, "not_found"));
    server.stop().await.unwrap();
}

#[tokio::test]
async fn bad_articles_are_refused_and_change_nothing() {
    let server = TestServer::start().await;
    let mut admin = server.setup_owner().await;
    let zh = category(&mut admin, "zh-CN", "配送").await;
    let first = article(&mut admin, json!({"title": "发货时间", "external_id": "ship"})).await;

    let long_body = "字".repeat(20_001);
    let cases = [
        (json!({"locale": "zh-CN", "title": "  "}), 400, "field_required"),
        (json!({"locale": "fr", "title": "x"}), 400, "invalid_json"),
        (
            json!({"locale": "zh-CN", "title": "x", "body": long_body}),
            400,
            "field_too_long",
        ),
        (
            json!({"locale": "en", "title": "x", "category_id": zh}),
            400,
            "kb_category_other_language",
        ),
        (
            json!({"locale": "zh-CN", "title": "x", "category_id": 9999}),
            400,
            "kb_category_unknown",
        ),
        (
            json!({"locale": "zh-CN", "title": "x", "inbox_ids": [9999]}),
            400,
            "inbox_unknown",
        ),
        (
            json!({"locale": "zh-CN", "title": "x", "questions": ["问".repeat(301)]}),
            400,
            "field_too_long",
        ),
        (
            json!({"locale": "zh-CN", "title": "x", "questions": (0..101).map(|i| format!("问题{i}")).collect::<Vec<_>>()}),
            400,
            "too_many_items",
        ),
        (
            json!({"locale": "zh-CN", "title": "另一篇", "external_id": "ship"}),
            409,
            "kb_external_id_taken",
        ),
    ];
    for (body, status, expected) in cases {
        let (s, b) = admin.post("/api/kb/articles", body.clone()).await;
        assert_eq!((s, code(&b)), (status, expected), "{body}: {b}");
        assert!(
            b["error"]["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{b}"
        );
    }
    // The same key in the other language is a translation, not a clash.
    article(
        &mut admin,
        json!({"locale": "en", "title": "Dispatch times", "external_id": "ship"}),
    )
    .await;
    let (_, list) = admin.get("/api/kb/articles").await;
    assert_eq!(
        list["articles"].as_array().unwrap().len(),
        2,
        "nothing else was created: {list}"
    );
    let (s, b) = admin
        .put("/api/kb/articles/9999", json!({"locale": "zh-CN", "title": "x"}))
        .await;
    assert_eq!((s, code(&b)), (404, "not_found"));
    let (s, after) = admin.get(&format!("/api/kb/articles/{}", first["id"])).await;
    assert_eq!((s, &after["title"]), (200, &json!("发货时间")));

    // Categories: unique per language, deleting keeps the articles.
    let (s, b) = admin
        .post("/api/kb/categories", json!({"locale": "zh-CN", "name": "配送"}))
        .await;
    assert_eq!((s, code(&b)), (409, "kb_category_taken"));
    category(&mut admin, "en", "配送").await;
    let in_cat = article(&mut admin, json!({"title": "包邮吗", "category_id": zh})).await;
    let (s, _) = admin.delete(&format!("/api/kb/categories/{zh}")).await;
    assert_eq!(s, 204);
    let (_, kept) = admin.get(&format!("/api/kb/articles/{}", in_cat["id"])).await;
    assert_eq!(
        (kept["title"].as_str(), &kept["category_id"]),
        (Some("包邮吗"), &json!(null))
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn markdown_is_sanitised_everywhere_it_is_shown() {
    let server = TestServer::start().await;
    let mut admin = server.setup_owner().await;
    let body = "Hello <script>alert(1)</script><iframe src=\"https://evil.test\"></iframe>\n\n\
                <img src=\"https://img.test/a.png\" onerror=\"alert(2)\"> [x](javascript:alert(3)) *ok*";
    let a = article(&mut admin, json!({"locale": "en", "title": "Safe", "body": body})).await;
    let (s, preview) = admin.post("/api/kb/preview", json!({"body": body})).await;
    assert_eq!(s, 200);
    let (_, public) = server
        .client()
        .get(&format!("/api/help/articles/{}", a["id"]))
        .await;
    let page = reqwest::get(format!("{}/help/en/articles/{}", server.base, a["id"]))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for html in [
        a["body_html"].as_str().unwrap(),
        preview["html"].as_str().unwrap(),
        public["body_html"].as_str().unwrap(),
        &page,
    ] {
        for bad in ["<script>alert", "<iframe", "onerror", "javascript:"] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
    }
    assert!(
        preview["html"].as_str().unwrap().contains("<em>ok</em>"),
        "{preview}"
    );
    assert!(
        page.contains("<em>ok</em>"),
        "the help page shows the rendered body"
    );
    server.stop().await.unwrap();
}

#[tokio::test]
async fn agents_read_and_search_but_only_admins_edit() {
    let server = TestServer::start().await;
    let mut admin = server.setup_owner().await;
    let a = article(&mut admin, json!({"title": "退款多久到账"})).await;
    let (mut agent, _) = server.add_agent(&mut admin, "agent@shop.test", "agent").await;
    let (s, _) = agent.get(&format!("/api/kb/articles/{}", a["id"])).await;
    assert_eq!(s, 200);
    assert_eq!(search_ids(&mut agent, "退款").await.len(), 1);
    let writes = [
        agent
            .post("/api/kb/articles", json!({"locale": "zh-CN", "title": "x"}))
            .await,
        agent
            .put(
                &format!("/api/kb/articles/{}", a["id"]),
                json!({"locale": "zh-CN", "title": "x"}),
            )
            .await,
        agent.delete(&format!("/api/kb/articles/{}", a["id"])).await,
        agent
            .post("/api/kb/categories", json!({"locale": "en", "name": "x"}))
            .await,
        agent
            .put("/api/kb/vocabulary", json!({"words": [], "synonyms": []}))
            .await,
        agent.get("/api/kb/export").await,
    ];
    for (s, b) in writes {
        assert_eq!(s, 403, "{b}");
    }
    let mut anonymous = server.client();
    for path in [
        "/api/kb/articles",
        "/api/kb/search?q=x",
        "/api/kb/categories",
        "/api/kb/vocabulary",
    ] {
        let (s, _) = anonymous.get(path).await;
        assert_eq!(s, 401, "{path}");
    }
    let (_, still) = admin.get(&format!("/api/kb/articles/{}", a["id"])).await;
    assert_eq!(still["title"], "退款多久到账");
    server.stop().await.unwrap();
}
