//! First run, login, logout, CSRF, rate limiting, own profile.

use std::time::Duration;

use kefu::accounts::ratelimit::LimitPolicy;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn setup_creates_the_owner_once_and_logs_in() {
    let server = TestServer::start().await;
    let mut c = server.client();
    assert_eq!(c.get("/api/setup").await.1["needed"], true);

    // Bad input changes nothing.
    let (s, b) = c
        .post(
            "/api/setup",
            json!({"shop_name": "店", "name": "王", "email": "wang@shop.cn", "password": "short"}),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "password_too_short"));
    let (s, b) = c
        .post(
            "/api/setup",
            json!({"shop_name": "店", "name": "王", "email": "nope", "password": "long-enough-1"}),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "invalid_email"));
    let (s, b) = c
        .post(
            "/api/setup",
            json!({"shop_name": "店", "email": "wang@shop.cn", "password": "long-enough-1"}),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "invalid_json"));
    assert!(b["error"]["message"].as_str().unwrap().contains("name"), "{b}");
    assert_eq!(c.get("/api/setup").await.1["needed"], true);

    let res = c
        .send(
            reqwest::Method::POST,
            "/api/setup",
            Some(json!({"shop_name": "小王的店", "name": "王店主", "email": "Wang@Shop.CN", "password": "long-enough-1"})),
        )
        .await;
    assert_eq!(res.status(), 201);
    let cookie = res
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(cookie.starts_with("kefu_session="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("Secure"),
        "plain-http install must not set Secure: {cookie}"
    );
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["agent"]["role"], "owner");
    assert_eq!(body["agent"]["email"], "wang@shop.cn");
    c.csrf = body["csrf_token"].as_str().map(str::to_string);

    let (s, me) = c.get("/api/me").await;
    assert_eq!(s, 200);
    assert_eq!(me["shop_name"], "小王的店");
    assert_eq!(me["agent"]["name"], "王店主");

    let mut other = server.client();
    other.lang = Some("zh-CN,zh;q=0.9".into());
    let (s, b) = other
        .post(
            "/api/setup",
            json!({"shop_name": "x", "name": "x", "email": "x@x.cn", "password": "long-enough-1"}),
        )
        .await;
    assert_eq!((s, code(&b)), (409, "setup_done"));
    assert!(
        b["error"]["message"].as_str().unwrap().contains("初始化"),
        "translated: {b}"
    );
    assert_eq!(other.get("/api/setup").await.1["needed"], false);
    let owners: i64 = server
        .db()
        .query_row("SELECT count(*) FROM agents", [], |r| r.get(0))
        .unwrap();
    assert_eq!(owners, 1);
}

#[tokio::test]
async fn concurrent_setups_create_exactly_one_owner() {
    let server = TestServer::start().await;
    let mut tasks = Vec::new();
    for i in 0..6 {
        let mut c = server.client();
        tasks.push(tokio::spawn(async move {
            c.post(
                "/api/setup",
                json!({"shop_name": "店", "name": "n", "email": format!("o{i}@shop.cn"), "password": "long-enough-1"}),
            )
            .await
            .0
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| *s == 201 || *s == 409), "{statuses:?}");
}

#[tokio::test]
async fn login_logout_and_expired_sessions() {
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;

    let mut c = server.client();
    let (s, b) = c.get("/api/me").await;
    assert_eq!((s, code(&b)), (401, "not_authenticated"));
    let (s, b) = c.login(OWNER_EMAIL, "wrong-password").await;
    assert_eq!((s, code(&b)), (401, "invalid_credentials"));
    let (s, b) = c.login("nobody@shop.example", "wrong-password").await;
    assert_eq!(
        (s, code(&b)),
        (401, "invalid_credentials"),
        "unknown email looks the same"
    );
    let (s, b) = c.login(" OWNER@shop.example ", OWNER_PASSWORD).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(c.get("/api/me").await.0, 200);

    let (s, _) = c.delete("/api/session").await;
    assert_eq!(s, 204);
    let (s, b) = c.get("/api/me").await;
    assert_eq!(s, 401, "{b}");

    // An expired session is refused with its own code.
    let (s, _) = owner.get("/api/me").await;
    assert_eq!(s, 200);
    server
        .db()
        .execute("UPDATE sessions SET expires_at = 0", [])
        .unwrap();
    let (s, b) = owner.get("/api/me").await;
    assert_eq!((s, code(&b)), (401, "session_expired"));
}

#[tokio::test]
async fn cookie_writes_need_the_csrf_token() {
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;
    let good = owner.csrf.clone();

    owner.csrf = None;
    let (s, b) = owner.post("/api/teams", json!({"name": "售后"})).await;
    assert_eq!((s, code(&b)), (403, "csrf_failed"));
    owner.csrf = Some("forged".into());
    let (s, b) = owner.post("/api/teams", json!({"name": "售后"})).await;
    assert_eq!((s, code(&b)), (403, "csrf_failed"));
    let teams: i64 = server
        .db()
        .query_row("SELECT count(*) FROM teams", [], |r| r.get(0))
        .unwrap();
    assert_eq!(teams, 0, "refused writes change nothing");

    // Reads do not need it; writes with it succeed.
    assert_eq!(owner.get("/api/teams").await.0, 200);
    owner.csrf = good;
    assert_eq!(owner.post("/api/teams", json!({"name": "售后"})).await.0, 201);
}

#[tokio::test]
async fn login_is_rate_limited_per_account_and_per_address() {
    let dir = tempfile::tempdir().unwrap();
    let policy = LimitPolicy {
        per_account: 3,
        per_ip: 5,
        window: Duration::from_secs(60),
    };
    let server = TestServer::start_in(dir.path(), policy).await.unwrap();
    server.setup_owner().await;
    let mut c = server.client();
    for _ in 0..3 {
        assert_eq!(c.login(OWNER_EMAIL, "wrong-password").await.0, 401);
    }
    // Even the right password is refused while the account is throttled.
    let res = c
        .send(
            reqwest::Method::POST,
            "/api/session",
            Some(json!({"email": OWNER_EMAIL, "password": OWNER_PASSWORD})),
        )
        .await;
    assert_eq!(res.status(), 429);
    let retry: u64 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 60, "{retry}");
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(code(&body), "too_many_attempts");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("1 min"),
        "{body}"
    );

    // Other accounts from the same address: allowed until the address limit.
    assert_eq!(c.login("a@shop.example", "wrong-password").await.0, 401);
    assert_eq!(c.login("b@shop.example", "wrong-password").await.0, 401);
    let (s, b) = c.login("c@shop.example", "wrong-password").await;
    assert_eq!((s, code(&b)), (429, "too_many_attempts"));
    server.stop().await.unwrap();
}

#[tokio::test]
async fn profile_language_and_availability() {
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;
    let (s, b) = owner
        .put("/api/me/availability", json!({"availability": "busy"}))
        .await;
    assert_eq!((s, code(&b)), (400, "invalid_availability"));
    let (s, b) = owner
        .put("/api/me/availability", json!({"availability": "online"}))
        .await;
    assert_eq!((s, b["agent"]["availability"].as_str()), (200, Some("online")));

    let (s, b) = owner.patch("/api/me", json!({"locale": "fr"})).await;
    assert_eq!((s, code(&b)), (400, "invalid_locale"));
    let (s, b) = owner
        .patch("/api/me", json!({"locale": "zh-CN", "name": "王老板"}))
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["agent"]["locale"], "zh-CN");
    assert_eq!(b["agent"]["name"], "王老板");
    // The saved language wins over the browser's for error messages.
    owner.lang = Some("en".into());
    let (_, b) = owner
        .put("/api/me/availability", json!({"availability": "x"}))
        .await;
    assert!(
        b["error"]["message"].as_str().unwrap().contains("在线状态"),
        "{b}"
    );
    // null clears it again; an absent field leaves it alone.
    let (_, b) = owner.patch("/api/me", json!({"name": "王"})).await;
    assert_eq!(b["agent"]["locale"], "zh-CN");
    let (_, b) = owner.patch("/api/me", json!({"locale": null})).await;
    assert_eq!(b["agent"]["locale"], serde_json::Value::Null);

    let (s, b) = owner
        .post(
            "/api/me/password",
            json!({"current_password": "wrong", "new_password": "new-password-1"}),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "wrong_password"));
    let (s, _) = owner
        .post(
            "/api/me/password",
            json!({"current_password": OWNER_PASSWORD, "new_password": "new-password-1"}),
        )
        .await;
    assert_eq!(s, 204);
    assert_eq!(owner.get("/api/me").await.0, 200, "the current session survives");
    let mut c = server.client();
    assert_eq!(c.login(OWNER_EMAIL, OWNER_PASSWORD).await.0, 401);
    assert_eq!(c.login(OWNER_EMAIL, "new-password-1").await.0, 200);
}

#[tokio::test]
async fn cookies_are_secure_behind_https() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = test_config(dir.path());
    config.base_url = Some("https://help.shop.example".into());
    let server = TestServer::start_with(config, LimitPolicy::default())
        .await
        .unwrap();
    let res = server
        .client()
        .send(
            reqwest::Method::POST,
            "/api/setup",
            Some(json!({"shop_name": "店", "name": "王", "email": "w@shop.cn", "password": "long-enough-1"})),
        )
        .await;
    assert_eq!(res.status(), 201);
    let cookie = res
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cookie.contains("Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
    // A browser would only send it over https; send it by hand to check the links.
    let body: serde_json::Value = res.json().await.unwrap();
    let inv: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/api/invites", server.base))
        .header("cookie", cookie.split(';').next().unwrap())
        .header("x-csrf-token", body["csrf_token"].as_str().unwrap())
        .json(&json!({"email": "x@shop.cn"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        inv["link"]
            .as_str()
            .unwrap()
            .starts_with("https://help.shop.example/#/invite/"),
        "{inv}"
    );
    server.stop().await.unwrap();
}
