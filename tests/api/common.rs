//! Test harness: a real kefu server in-process on 127.0.0.1:0 with a temp data dir,
//! and a small JSON client that keeps cookies and the CSRF token like the console.

use std::io::Write;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use kefu::accounts::ratelimit::LimitPolicy;
use kefu::config::Config;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::sync::oneshot;

pub const OWNER_EMAIL: &str = "owner@shop.example";
pub const OWNER_PASSWORD: &str = "owner-password-1";

pub struct TestServer {
    pub base: String,
    pub data_dir: PathBuf,
    _tmp: Option<tempfile::TempDir>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

pub fn test_config(data_dir: &Path) -> Config {
    let mut c = Config {
        listen: "127.0.0.1:0".into(),
        data_dir: data_dir.to_path_buf(),
        ..Config::default()
    };
    c.http.workers = 1;
    c.database.read_connections = 2;
    c
}

impl TestServer {
    pub async fn start() -> TestServer {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        let mut s = Self::start_in(&dir, LimitPolicy::default()).await.unwrap();
        s._tmp = Some(tmp);
        s
    }

    /// Starts on an existing data dir; `Err` when the server refuses to start.
    pub async fn start_in(dir: &Path, policy: LimitPolicy) -> anyhow::Result<TestServer> {
        Self::start_with(test_config(dir), policy).await
    }

    /// Starts with a hand-made configuration (its `data_dir` is used as is).
    pub async fn start_with(config: Config, policy: LimitPolicy) -> anyhow::Result<TestServer> {
        let dir = config.data_dir.clone();
        let dir = dir.as_path();
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let task = tokio::spawn(kefu::run_with_policy(
            config,
            listener,
            async {
                let _ = stop_rx.await;
            },
            policy,
        ));
        let mut server = TestServer {
            base,
            data_dir: dir.to_path_buf(),
            _tmp: None,
            stop: Some(stop_tx),
            task: Some(task),
        };
        let http = reqwest::Client::new();
        for _ in 0..400 {
            if let Ok(r) = http.get(format!("{}/healthz", server.base)).send().await
                && r.status() == StatusCode::OK
            {
                return Ok(server);
            }
            if server.task.as_ref().is_some_and(|t| t.is_finished()) {
                let result = server.task.take().unwrap().await.unwrap();
                return Err(result
                    .err()
                    .unwrap_or_else(|| anyhow::anyhow!("server exited early")));
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        Err(anyhow::anyhow!("server did not become ready"))
    }

    /// Stops the server the way SIGTERM would; returns what `run` returned.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        self.task.take().unwrap().await.unwrap()
    }

    pub fn client(&self) -> Client {
        Client::new(&self.base)
    }

    /// Runs first-time setup and returns the logged-in owner.
    pub async fn setup_owner(&self) -> Client {
        let mut c = self.client();
        let (s, body) = c
            .post(
                "/api/setup",
                json!({"shop_name": "小王的店", "name": "王店主", "email": OWNER_EMAIL, "password": OWNER_PASSWORD}),
            )
            .await;
        assert_eq!(s, 201, "{body}");
        c
    }

    /// Invites `email` as `role`, accepts the invite, returns the new agent's client and id.
    pub async fn add_agent(&self, admin: &mut Client, email: &str, role: &str) -> (Client, i64) {
        let (s, inv) = admin
            .post("/api/invites", json!({"email": email, "role": role}))
            .await;
        assert_eq!(s, 201, "{inv}");
        let token = inv["link"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_string();
        let mut c = self.client();
        let (s, body) = c
            .post(
                "/api/invites/accept",
                json!({"token": token, "name": email, "password": "agent-password-1"}),
            )
            .await;
        assert_eq!(s, 201, "{body}");
        let id = body["agent"]["id"].as_i64().unwrap();
        (c, id)
    }

    pub fn db(&self) -> rusqlite::Connection {
        rusqlite::Connection::open(self.data_dir.join("kefu.db")).unwrap()
    }
}

pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub csrf: Option<String>,
    pub bearer: Option<String>,
    pub lang: Option<String>,
    /// Sent as `X-Kefu-Visitor` (widget calls).
    pub visitor: Option<String>,
    /// The last `kefu_session=…` cookie the server set (for websocket handshakes).
    pub raw_cookie: Option<String>,
}

impl Client {
    pub fn new(base: &str) -> Client {
        Client {
            http: reqwest::Client::builder().cookie_store(true).build().unwrap(),
            base: base.to_string(),
            csrf: None,
            bearer: None,
            lang: None,
            visitor: None,
            raw_cookie: None,
        }
    }

    pub async fn request(&mut self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let res = self.send(method, path, body).await;
        let status = res.status().as_u16();
        if let Some(cookie) = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("kefu_session=") && !v.starts_with("kefu_session=;"))
        {
            self.raw_cookie = cookie.split(';').next().map(str::to_string);
        }
        let text = res.text().await.unwrap();
        let value: Value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON ({status}): {text}"))
        };
        if let Some(t) = value.get("csrf_token").and_then(Value::as_str) {
            self.csrf = Some(t.to_string());
        }
        (status, value)
    }

    pub async fn send(&self, method: Method, path: &str, body: Option<Value>) -> reqwest::Response {
        let mut req = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(t) = &self.csrf {
            req = req.header("x-csrf-token", t);
        }
        if let Some(b) = &self.bearer {
            req = req.bearer_auth(b);
        }
        if let Some(v) = &self.visitor {
            req = req.header("x-kefu-visitor", v);
        }
        if let Some(l) = &self.lang {
            req = req.header("accept-language", l);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        req.send().await.unwrap()
    }

    pub async fn get(&mut self, path: &str) -> (u16, Value) {
        self.request(Method::GET, path, None).await
    }
    pub async fn post(&mut self, path: &str, body: Value) -> (u16, Value) {
        self.request(Method::POST, path, Some(body)).await
    }
    pub async fn patch(&mut self, path: &str, body: Value) -> (u16, Value) {
        self.request(Method::PATCH, path, Some(body)).await
    }
    pub async fn put(&mut self, path: &str, body: Value) -> (u16, Value) {
        self.request(Method::PUT, path, Some(body)).await
    }
    pub async fn delete(&mut self, path: &str) -> (u16, Value) {
        self.request(Method::DELETE, path, None).await
    }

    pub async fn login(&mut self, email: &str, password: &str) -> (u16, Value) {
        self.post("/api/session", json!({"email": email, "password": password}))
            .await
    }
}

/// The error code of an error body.
pub fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("<no error code>")
}

/// Runs the built `kefu` binary with `args`, extra environment and optional stdin.
pub fn kefu(args: &[&str], envs: &[(&str, &str)], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kefu"));
    cmd.args(args)
        .env_remove("RUST_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Open around the clock, so the test does not depend on the hour it runs at.
pub async fn always_open(owner: &mut Client) {
    let day = json!([["00:00", "24:00"]]);
    let week: serde_json::Map<String, Value> = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
        .iter()
        .map(|d| (d.to_string(), day.clone()))
        .collect();
    let (s, b) = owner
        .put(
            "/api/settings/business-hours",
            json!({"week": week, "holidays": []}),
        )
        .await;
    assert_eq!(s, 200, "{b}");
}
