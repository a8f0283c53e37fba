//! What admins do: invite agents, deactivate them, reset passwords, form teams.

use serde_json::json;

use crate::common::*;

fn token_of(link: &str) -> String {
    link.rsplit('/').next().unwrap().to_string()
}

#[tokio::test]
async fn invite_link_creates_an_agent_exactly_once() {
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;
    let (s, inv) = owner
        .post(
            "/api/invites",
            json!({"email": "Xiao.Li@Shop.example", "name": "小李"}),
        )
        .await;
    assert_eq!(s, 201, "{inv}");
    let link = inv["link"].as_str().unwrap();
    assert!(link.starts_with(&format!("{}/#/invite/", server.base)), "{link}");
    let token = token_of(link);
    assert!(token.len() >= 43, "unguessable token");
    assert_eq!(inv["invite"]["role"], "agent");
    assert_eq!(
        owner.get("/api/invites").await.1["invites"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let (s, b) = owner
        .post("/api/invites", json!({"email": "xiao.li@shop.example"}))
        .await;
    assert_eq!((s, code(&b)), (409, "invite_pending"));
    let (s, b) = owner.post("/api/invites", json!({"email": OWNER_EMAIL})).await;
    assert_eq!((s, code(&b)), (409, "email_taken"));

    let mut newcomer = server.client();
    let (s, preview) = newcomer.get(&format!("/api/invites/{token}")).await;
    assert_eq!(s, 200);
    assert_eq!(preview["email"], "xiao.li@shop.example");
    assert_eq!(preview["shop_name"], "小王的店");
    let (s, b) = newcomer
        .post(
            "/api/invites/accept",
            json!({"token": token, "name": "小李", "password": "short"}),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "password_too_short"));
    let (s, b) = newcomer
        .post(
            "/api/invites/accept",
            json!({"token": token, "name": "小李", "password": "xiaoli-password"}),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(b["agent"]["role"], "agent");
    assert_eq!(newcomer.get("/api/me").await.1["agent"]["name"], "小李");

    let mut again = server.client();
    let (s, b) = again
        .post(
            "/api/invites/accept",
            json!({"token": token, "name": "x", "password": "another-password"}),
        )
        .await;
    assert_eq!((s, code(&b)), (404, "invite_invalid"));
    assert_eq!(again.get(&format!("/api/invites/{token}")).await.0, 404);
    assert!(
        owner.get("/api/invites").await.1["invites"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // A revoked invite stops working.
    let (_, inv2) = owner
        .post("/api/invites", json!({"email": "gone@shop.example"}))
        .await;
    let id = inv2["invite"]["id"].as_i64().unwrap();
    assert_eq!(owner.delete(&format!("/api/invites/{id}")).await.0, 204);
    let t2 = token_of(inv2["link"].as_str().unwrap());
    assert_eq!(again.get(&format!("/api/invites/{t2}")).await.0, 404);
}

#[tokio::test]
async fn only_the_owner_makes_admins() {
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;
    let (mut admin, admin_id) = server.add_agent(&mut owner, "admin@shop.example", "admin").await;
    let (_, agent_id) = server.add_agent(&mut admin, "agent@shop.example", "agent").await;

    let (s, b) = admin
        .post(
            "/api/invites",
            json!({"email": "x@shop.example", "role": "admin"}),
        )
        .await;
    assert_eq!((s, code(&b)), (403, "admin_required_for_admin"));
    let (s, b) = admin
        .patch(&format!("/api/agents/{agent_id}"), json!({"role": "admin"}))
        .await;
    assert_eq!((s, code(&b)), (403, "admin_required_for_admin"));
    let (s, b) = admin
        .patch(&format!("/api/agents/{agent_id}"), json!({"role": "owner"}))
        .await;
    assert_eq!((s, code(&b)), (400, "invalid_role"));
    let (s, b) = admin
        .patch(&format!("/api/agents/{agent_id}"), json!({"max_concurrent": 0}))
        .await;
    assert_eq!((s, code(&b)), (400, "invalid_max_concurrent"));
    let (s, b) = admin
        .patch(
            &format!("/api/agents/{agent_id}"),
            json!({"max_concurrent": 8, "name": "阿强"}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(
        (b["agent"]["max_concurrent"].as_i64(), b["agent"]["name"].as_str()),
        (Some(8), Some("阿强"))
    );

    // Nobody but the owner touches the owner; nobody demotes or deactivates themselves.
    let (s, b) = admin.post("/api/agents/1/deactivate", json!({})).await;
    assert_eq!((s, code(&b)), (403, "owner_protected"));
    let (s, b) = admin
        .post(&format!("/api/agents/{admin_id}/deactivate"), json!({}))
        .await;
    assert_eq!((s, code(&b)), (403, "cannot_change_self"));
    let (s, b) = owner.patch("/api/agents/1", json!({"role": "agent"})).await;
    assert_eq!((s, code(&b)), (403, "cannot_change_self"));
    let (s, b) = owner
        .patch(&format!("/api/agents/{agent_id}"), json!({"role": "admin"}))
        .await;
    assert_eq!((s, b["agent"]["role"].as_str()), (200, Some("admin")));
    assert_eq!(owner.patch("/api/agents/999", json!({"name": "x"})).await.0, 404);
}

#[tokio::test]
async fn deactivation_logs_out_and_blocks_login() {
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;
    let (mut agent, id) = server.add_agent(&mut owner, "agent@shop.example", "agent").await;
    assert_eq!(agent.get("/api/me").await.0, 200);

    let (s, b) = owner
        .post(&format!("/api/agents/{id}/deactivate"), json!({}))
        .await;
    assert_eq!((s, b["agent"]["active"].as_bool()), (200, Some(false)));
    assert_eq!(agent.get("/api/me").await.0, 401, "logged out at once");
    let mut c = server.client();
    let (s, b) = c.login("agent@shop.example", "agent-password-1").await;
    assert_eq!((s, code(&b)), (403, "account_deactivated"));
    let (s, b) = owner
        .post(&format!("/api/agents/{id}/password-reset"), json!({}))
        .await;
    assert_eq!((s, code(&b)), (400, "agent_inactive"));

    assert_eq!(
        owner
            .post(&format!("/api/agents/{id}/activate"), json!({}))
            .await
            .0,
        200
    );
    assert_eq!(c.login("agent@shop.example", "agent-password-1").await.0, 200);
}

#[tokio::test]
async fn admin_issued_password_reset() {
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;
    let (mut agent, id) = server.add_agent(&mut owner, "agent@shop.example", "agent").await;
    let (s, r) = owner
        .post(&format!("/api/agents/{id}/password-reset"), json!({}))
        .await;
    assert_eq!(s, 200, "{r}");
    let token = token_of(r["link"].as_str().unwrap());
    assert!(r["link"].as_str().unwrap().contains("/#/reset/"));

    let mut anon = server.client();
    let (s, p) = anon.get(&format!("/api/password-resets/{token}")).await;
    assert_eq!((s, p["email"].as_str()), (200, Some("agent@shop.example")));
    let (s, b) = anon
        .post(
            "/api/password-resets/complete",
            json!({"token": token, "password": "x"}),
        )
        .await;
    assert_eq!((s, code(&b)), (400, "password_too_short"));
    let (s, _) = anon
        .post(
            "/api/password-resets/complete",
            json!({"token": token, "password": "brand-new-password"}),
        )
        .await;
    assert_eq!(s, 204);
    assert_eq!(agent.get("/api/me").await.0, 401, "old sessions end");
    assert_eq!(anon.login("agent@shop.example", "agent-password-1").await.0, 401);
    assert_eq!(
        anon.login("agent@shop.example", "brand-new-password").await.0,
        200
    );
    let (s, b) = anon
        .post(
            "/api/password-resets/complete",
            json!({"token": token, "password": "third-password-1"}),
        )
        .await;
    assert_eq!((s, code(&b)), (404, "reset_invalid"), "a link works once");
}

#[tokio::test]
async fn teams_with_members() {
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;
    let (mut agent, agent_id) = server.add_agent(&mut owner, "agent@shop.example", "agent").await;

    let (s, t) = owner
        .post(
            "/api/teams",
            json!({"name": "售后", "description": "退换货、退款"}),
        )
        .await;
    assert_eq!(s, 201, "{t}");
    let id = t["team"]["id"].as_i64().unwrap();
    let (s, b) = owner.post("/api/teams", json!({"name": " 售后 "})).await;
    assert_eq!((s, code(&b)), (409, "team_name_taken"));
    let (s, b) = owner.post("/api/teams", json!({"name": "  "})).await;
    assert_eq!((s, code(&b)), (400, "field_required"));
    assert_eq!(owner.post("/api/teams", json!({"name": "销售"})).await.0, 201);

    let path = format!("/api/teams/{id}/members");
    let (s, b) = owner.put(&path, json!({"agent_ids": [1, 999]})).await;
    assert_eq!((s, code(&b)), (400, "unknown_agent"));
    assert!(
        owner.get(&format!("/api/teams/{id}")).await.1["team"]["member_ids"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let (s, b) = owner.put(&path, json!({"agent_ids": [1, agent_id]})).await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(b["team"]["member_ids"], json!([1, agent_id]));

    let (_, me) = agent.get("/api/me").await;
    assert_eq!(me["teams"][0]["name"], "售后");
    assert_eq!(me["agent"]["team_ids"], json!([id]));

    let (s, b) = owner
        .patch(&format!("/api/teams/{id}"), json!({"name": "技术支持"}))
        .await;
    assert_eq!((s, b["team"]["name"].as_str()), (200, Some("技术支持")));
    assert_eq!(b["team"]["description"], "退换货、退款", "untouched fields stay");
    let names: Vec<String> = agent.get("/api/teams").await.1["teams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["技术支持", "销售"]);

    assert_eq!(owner.delete(&format!("/api/teams/{id}")).await.0, 204);
    assert_eq!(owner.get(&format!("/api/teams/{id}")).await.0, 404);
    assert_eq!(owner.delete(&format!("/api/teams/{id}")).await.0, 404);
    assert_eq!(agent.get("/api/me").await.1["agent"]["team_ids"], json!([]));
}

#[tokio::test]
async fn shop_settings() {
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;
    let (s, b) = owner.get("/api/settings").await;
    assert_eq!((s, b["shop_name"].as_str()), (200, Some("小王的店")));
    let (s, b) = owner
        .patch("/api/settings", json!({"default_locale": "de"}))
        .await;
    assert_eq!((s, code(&b)), (400, "invalid_locale"));
    let (s, b) = owner
        .patch(
            "/api/settings",
            json!({"shop_name": "王记", "default_locale": "en"}),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        (b["shop_name"].as_str(), b["default_locale"].as_str()),
        (Some("王记"), Some("en"))
    );
    assert_eq!(owner.get("/api/me").await.1["shop_name"], "王记");
}

#[tokio::test]
async fn many_concurrent_writes_all_land() {
    let server = TestServer::start().await;
    let owner = server.setup_owner().await;
    let mut tasks = Vec::new();
    for i in 0..60 {
        let mut c = Client::new(&server.base);
        c.http = owner.http.clone();
        c.csrf = owner.csrf.clone();
        tasks.push(tokio::spawn(async move {
            c.post("/api/teams", json!({"name": format!("team {i}")})).await.0
        }));
    }
    for t in tasks {
        assert_eq!(t.await.unwrap(), 201);
    }
    let n: i64 = server
        .db()
        .query_row("SELECT count(*) FROM teams", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 60);
}
