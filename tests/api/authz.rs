//! Every endpoint's authorization, driven by the OpenAPI document itself: each
//! operation whose security names the `admin` role is called as an agent (session
//! and token) and must answer 403; every protected one answers 401 without login.

use reqwest::Method;
use serde_json::{Value, json};

use crate::common::*;

/// A body with every field any endpoint reads, valid enough to get past parsing.
fn probe_body() -> Value {
    json!({
        "name": "Probe", "email": "probe@shop.example", "role": "agent", "agent_ids": [],
        "description": "", "shop_name": "Probe shop", "default_locale": "en", "max_concurrent": 3,
        "availability": "online", "locale": "en", "token": "x", "password": "probe-password-1",
        "current_password": "x", "new_password": "probe-password-2", "client_id": "probe", "body": "probe",
        "typing": true, "up_to": 1, "status": "open"
    })
}

struct Operation {
    method: Method,
    path: String,
    roles: Vec<String>,
    schemes: Vec<String>,
    secured: bool,
}

async fn operations(base: &str) -> Vec<Operation> {
    let doc: Value = reqwest::get(format!("{base}/api/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut ops = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let security = op["security"].as_array().cloned().unwrap_or_default();
            let roles: Vec<String> = security
                .iter()
                .flat_map(|req| req.as_object().unwrap().values())
                .flat_map(|scopes| {
                    scopes
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|s| s.as_str().unwrap().to_string())
                })
                .collect();
            let schemes: Vec<String> = security
                .iter()
                .flat_map(|req| req.as_object().unwrap().keys().cloned())
                .collect();
            ops.push(Operation {
                method: method.to_uppercase().parse().unwrap(),
                path: path.replace("{id}", "1").replace("{token}", "not-a-token"),
                roles,
                schemes,
                secured: !security.is_empty(),
            });
        }
    }
    ops
}

#[tokio::test]
async fn agents_are_refused_by_every_admin_endpoint() {
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;
    let (mut agent, _) = server.add_agent(&mut owner, "agent@shop.example", "agent").await;
    let (s, t) = owner
        .post("/api/tokens", json!({"name": "agent-level", "role": "agent"}))
        .await;
    assert_eq!(s, 201);
    let mut agent_token = server.client();
    agent_token.bearer = Some(t["secret"].as_str().unwrap().to_string());

    let ops = operations(&server.base).await;
    let admin_ops: Vec<&Operation> = ops
        .iter()
        .filter(|o| o.roles.iter().any(|r| r == "admin"))
        .collect();
    assert!(
        admin_ops.len() >= 16,
        "expected every admin endpoint in the document, got {}",
        admin_ops.len()
    );
    let before: i64 = server
        .db()
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    for op in &admin_ops {
        for client in [&mut agent, &mut agent_token] {
            let (s, b) = client
                .request(op.method.clone(), &op.path, Some(probe_body()))
                .await;
            assert_eq!((s, code(&b)), (403, "forbidden"), "{} {}", op.method, op.path);
        }
    }
    let after: i64 = server
        .db()
        .query_row("SELECT count(*) FROM audit_log", [], |r| r.get(0))
        .unwrap();
    assert_eq!(before, after, "refused requests changed nothing");
}

#[tokio::test]
async fn every_protected_endpoint_needs_a_login() {
    let server = TestServer::start().await;
    server.setup_owner().await;
    let ops = operations(&server.base).await;
    let mut anonymous = server.client();
    let mut protected = 0;
    for op in ops.iter().filter(|o| o.secured) {
        protected += 1;
        let (s, b) = anonymous
            .request(op.method.clone(), &op.path, Some(probe_body()))
            .await;
        // Widget calls need a visitor token; everything else an agent's login.
        let expected = if op.schemes.iter().any(|s| s == "visitor") {
            "visitor_unknown"
        } else {
            "not_authenticated"
        };
        assert_eq!((s, code(&b)), (401, expected), "{} {}", op.method, op.path);
    }
    assert!(protected >= 24, "{protected}");
    // The public ones are exactly these.
    let mut public: Vec<String> = ops
        .iter()
        .filter(|o| !o.secured)
        .map(|o| format!("{} {}", o.method, o.path))
        .collect();
    public.sort();
    assert_eq!(
        public,
        [
            "GET /api/attachments/not-a-token",
            "GET /api/help/articles/1",
            "GET /api/help/search",
            "GET /api/invites/not-a-token",
            "GET /api/openapi.json",
            "GET /api/password-resets/not-a-token",
            "GET /api/setup",
            "GET /api/status/not-a-token",
            "GET /api/widget/config",
            "GET /api/widget/ws",
            "GET /healthz",
            "POST /api/invites/accept",
            "POST /api/password-resets/complete",
            "POST /api/password-resets/request",
            "POST /api/session",
            "POST /api/setup",
            "POST /api/status/not-a-token/attachments",
            "POST /api/status/not-a-token/replies",
            "POST /api/widget/session",
        ]
    );
}

#[tokio::test]
async fn agents_can_use_the_agent_endpoints() {
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;
    let (mut agent, _) = server.add_agent(&mut owner, "agent@shop.example", "agent").await;
    for path in ["/api/me", "/api/agents", "/api/teams"] {
        assert_eq!(agent.get(path).await.0, 200, "{path}");
    }
    assert_eq!(
        agent
            .put("/api/me/availability", json!({"availability": "away"}))
            .await
            .0,
        200
    );
}

#[tokio::test]
async fn api_tokens_authenticate_and_can_be_revoked() {
    let server = TestServer::start().await;
    let mut owner = server.setup_owner().await;
    let (s, created) = owner
        .post("/api/tokens", json!({"name": "ERP 同步", "role": "admin"}))
        .await;
    assert_eq!(s, 201, "{created}");
    let secret = created["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("kefu_") && secret.len() > 40);
    let (_, list) = owner.get("/api/tokens").await;
    assert_eq!(list["tokens"].as_array().unwrap().len(), 1);
    assert!(
        !list.to_string().contains(&secret),
        "the secret is shown only once"
    );
    let stored: i64 = server
        .db()
        .query_row(
            "SELECT count(*) FROM api_tokens WHERE instr(CAST(token_hash AS TEXT), ?1) > 0",
            [&secret],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored, 0, "only a hash is stored");

    let mut integration = server.client();
    integration.bearer = Some(secret.clone());
    assert_eq!(integration.get("/api/agents").await.0, 200);
    // Tokens need no CSRF header: they are not sent automatically by browsers.
    assert_eq!(
        integration.post("/api/teams", json!({"name": "物流"})).await.0,
        201
    );
    let (s, b) = integration.get("/api/me").await;
    assert_eq!((s, code(&b)), (403, "session_required"));

    let id = created["token"]["id"].as_i64().unwrap();
    assert_eq!(owner.delete(&format!("/api/tokens/{id}")).await.0, 204);
    let (s, b) = integration.get("/api/agents").await;
    assert_eq!((s, code(&b)), (401, "invalid_token"));
    let mut wrong = server.client();
    wrong.bearer = Some("kefu_not-a-real-token".into());
    assert_eq!(wrong.get("/api/agents").await.0, 401);
}
