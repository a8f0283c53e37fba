//! Malformed, oversized and misdirected requests get clear JSON errors and change nothing.

use reqwest::Method;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn malformed_oversized_and_misrouted_requests() {
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;
    let http = owner.http.clone();
    let csrf = owner.csrf.clone().unwrap();
    let url = |p: &str| format!("{}{}", server.base, p);

    let res = http
        .post(url("/api/teams"))
        .header("x-csrf-token", &csrf)
        .header("content-type", "application/json")
        .body("{\"name\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let b: serde_json::Value = res.json().await.unwrap();
    assert_eq!(code(&b), "invalid_json");

    let res = http
        .post(url("/api/teams"))
        .header("x-csrf-token", &csrf)
        .header("content-type", "text/plain")
        .body("name=x")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    assert_eq!(code(&res.json().await.unwrap()), "unsupported_media_type");

    let huge = json!({"name": "x", "description": "字".repeat(200_000)});
    let res = http
        .post(url("/api/teams"))
        .header("x-csrf-token", &csrf)
        .json(&huge)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    let b: serde_json::Value = res.json().await.unwrap();
    assert_eq!(code(&b), "payload_too_large");
    assert!(b["error"]["message"].as_str().unwrap().contains("256"), "{b}");

    let (s, b) = owner
        .post("/api/teams", json!({"name": "x", "description": "d".repeat(501)}))
        .await;
    assert_eq!((s, code(&b)), (400, "field_too_long"));
    let (s, b) = owner.get("/api/teams/abc").await;
    assert_eq!((s, code(&b)), (400, "invalid_path"));

    let teams: i64 = server
        .db()
        .query_row("SELECT count(*) FROM teams", [], |r| r.get(0))
        .unwrap();
    assert_eq!(teams, 0, "nothing half-written");

    let (s, b) = owner.get("/api/no/such/thing").await;
    assert_eq!((s, code(&b)), (404, "route_not_found"));
    let res = owner.send(Method::DELETE, "/api/setup", None).await;
    assert_eq!(res.status(), 405);
    assert_eq!(res.headers()["allow"], "GET, POST");
    let b: serde_json::Value = res.json().await.unwrap();
    assert_eq!(code(&b), "method_not_allowed");
    let (s, _) = owner
        .request(Method::PATCH, "/api/teams/1/members", Some(json!({})))
        .await;
    assert_eq!(s, 405);
    let res = http.get(url("/definitely-not-here")).send().await.unwrap();
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn errors_speak_the_callers_language() {
    let server = TestServer::start().await;
    server.setup_owner().await;
    let mut c = server.client();
    c.lang = Some("zh-CN,zh;q=0.9,en;q=0.8".into());
    let (_, b) = c.login(OWNER_EMAIL, "wrong-password").await;
    assert_eq!(b["error"]["message"], "邮箱或密码错误。");
    c.lang = Some("en-GB,en;q=0.9".into());
    let (_, b) = c.login(OWNER_EMAIL, "wrong-password").await;
    assert_eq!(b["error"]["message"], "The email or password is wrong.");
    // The console's language cookie beats the header.
    let res = c
        .http
        .post(format!("{}/api/session", server.base))
        .header("cookie", "kefu_lang=zh-CN")
        .header("accept-language", "en")
        .json(&json!({"email": OWNER_EMAIL, "password": "nope-nope"}))
        .send()
        .await
        .unwrap();
    let b: serde_json::Value = res.json().await.unwrap();
    assert_eq!(b["error"]["message"], "邮箱或密码错误。");
}

#[tokio::test]
async fn login_before_setup_points_to_setup() {
    let server = TestServer::start().await;
    let mut c = server.client();
    let (s, b) = c.login("a@b.cn", "whatever-password").await;
    assert_eq!((s, code(&b)), (409, "setup_required"));
}

#[tokio::test]
async fn permission_is_checked_before_the_body() {
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;
    let (agent, _) = server.add_agent(&mut owner, "agent@shop.example", "agent").await;
    let broken = |c: &Client| {
        let mut req = c
            .http
            .post(format!("{}/api/teams", server.base))
            .header("content-type", "application/json");
        if let Some(t) = &c.csrf {
            req = req.header("x-csrf-token", t);
        }
        req.body("{\"name\": ")
    };
    let res = broken(&agent).send().await.unwrap();
    assert_eq!(res.status(), 403, "an agent learns nothing about admin bodies");
    let res = broken(&server.client()).send().await.unwrap();
    assert_eq!(res.status(), 401);
    let res = broken(&owner).send().await.unwrap();
    assert_eq!(res.status(), 400, "the admin gets the parse error");
}
