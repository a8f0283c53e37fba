//! Live-chat load: many widget visitors and agents over websockets. Prints figures,
//! asserts nothing (see docs/benchmarks.md).
//!
//!   cargo bench --bench chat_load                       # 2,000 visitors, 20 agents, 500 msg/s, 60 s
//!   cargo bench --bench chat_load -- --seconds 10 --visitors 500
//!
//! Each run starts `kefu serve` (release build) on a fresh data directory, twice: on
//! all cores, then pinned to one core with `taskset` (as on a small Raspberry Pi;
//! the load generator keeps both cores). Half the messages go visitor → agent over
//! the visitor's websocket, half agent → visitor through the console's HTTP reply
//! endpoint. Latency is measured from just before sending to the frame's arrival:
//! at agent 0's websocket (every console receives every message), or at the
//! visitor's websocket. Afterwards the database is checked for lost or duplicated
//! messages, and every delivery is checked to have arrived exactly once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message as Frame;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

const KEFU: &str = env!("CARGO_BIN_EXE_kefu");

struct Options {
    visitors: usize,
    agents: usize,
    rate: u64,
    seconds: u64,
    /// `all`, `pinned`, or both when absent.
    only: Option<String>,
}

fn options() -> Options {
    let args: Vec<String> = std::env::args().collect();
    let get = |name: &str, default: u64| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    Options {
        visitors: get("--visitors", 2000) as usize,
        agents: get("--agents", 20) as usize,
        rate: get("--rate", 500),
        seconds: get("--seconds", 60),
        only: args
            .iter()
            .position(|a| a == "--only")
            .and_then(|i| args.get(i + 1))
            .cloned(),
    }
}

fn main() {
    let o = options();
    println!(
        "kefu chat load: {} visitors, {} agents, {} messages/s for {} s (half each way)\n",
        o.visitors, o.agents, o.rate, o.seconds
    );
    // KEFU_BENCH_DATA puts the data elsewhere, e.g. on tmpfs to see what the disk costs.
    let work = std::env::var_os("KEFU_BENCH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data"));
    std::fs::create_dir_all(&work).unwrap();
    disk_fsync(&work);
    for pin in [None, Some("0")] {
        let name = if pin.is_some() { "pinned" } else { "all" };
        if o.only.as_deref().is_some_and(|only| only != name) {
            continue;
        }
        let label = match pin {
            None => "server on all cores".to_string(),
            Some(c) => format!("server pinned to core {c} (taskset)"),
        };
        println!("== {label} ==");
        let dir = work.join(format!("chat-{}", pin.unwrap_or("all")));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut server = spawn_server(&dir, port, pin);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let pid = server.id();
        rt.block_on(run(&o, port, pid, &dir));
        let _ = Command::new("kill").arg(pid.to_string()).status();
        let _ = server.wait();
        println!();
    }
}

/// Every message waits for one fsync (group commit shares it), so the disk's own
/// fsync times bound the delivery latency: print them for the reader to compare.
fn disk_fsync(dir: &Path) {
    use std::io::Write;
    let path = dir.join("fsync-probe");
    let mut file = std::fs::File::create(&path).unwrap();
    let mut times: Vec<f64> = (0..300)
        .map(|_| {
            file.write_all(&[0u8; 4096]).unwrap();
            let t = Instant::now();
            file.sync_data().unwrap();
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    let _ = std::fs::remove_file(&path);
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    println!(
        "this disk: fsync of 4 KiB p50 {:.2} ms  p95 {:.2} ms  p99 {:.2} ms  max {:.2} ms\n",
        at(0.5),
        at(0.95),
        at(0.99),
        times[times.len() - 1]
    );
}

fn spawn_server(dir: &Path, port: u16, pin: Option<&str>) -> Child {
    let taskset = pin.map(|c| format!("taskset -c {c} ")).unwrap_or_default();
    // For profiling: another build of the server (one with symbols), and a command
    // to run it under (`heaptrack`, `perf record -g`). RSS figures are then the wrapper's.
    let kefu = std::env::var("KEFU_BENCH_SERVER").unwrap_or_else(|_| KEFU.to_string());
    let wrap = std::env::var("KEFU_BENCH_WRAP")
        .map(|w| format!("{w} "))
        .unwrap_or_default();
    Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -n 65536 2>/dev/null; exec {taskset}{wrap}{kefu} serve --listen 127.0.0.1:{port} --data {}",
            dir.display()
        ))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// All CPU time so far except steal, and steal (from `/proc/stat`, in ticks). On a
/// virtual machine the host may take the CPU away; runs with much steal are noisy.
fn cpu_times() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let fields: Vec<u64> = stat
        .lines()
        .next()?
        .split_whitespace()
        .skip(1)
        .filter_map(|f| f.parse().ok())
        .collect();
    let steal = *fields.get(7)?;
    let all: u64 = fields.iter().take(8).sum();
    Some((all - steal, steal))
}

fn rss_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

/// An HTTP client that keeps the session cookie and CSRF token by hand (so the
/// same cookie can be put on the websocket handshake).
#[derive(Clone)]
struct Agent {
    http: reqwest::Client,
    base: String,
    cookie: String,
    csrf: String,
}

impl Agent {
    async fn call(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        self.try_call(method, path, body).await.expect("request failed")
    }

    async fn try_call(&self, method: reqwest::Method, path: &str, body: Value) -> Option<Value> {
        let res = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("cookie", &self.cookie)
            .header("x-csrf-token", &self.csrf)
            .json(&body)
            .send()
            .await
            .ok()?;
        Some(res.json().await.unwrap_or(Value::Null))
    }
}

async fn login_response(http: &reqwest::Client, url: String, body: Value, base: &str) -> Agent {
    let res = http.post(url).json(&body).send().await.unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("kefu_session="))
        .and_then(|v| v.split(';').next())
        .unwrap()
        .to_string();
    let v: Value = res.json().await.unwrap();
    Agent {
        http: http.clone(),
        base: base.to_string(),
        cookie,
        csrf: v["csrf_token"].as_str().unwrap().to_string(),
    }
}

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A websocket with Nagle's algorithm off, as browsers open them.
async fn connect(
    req: impl tokio_tungstenite::tungstenite::client::IntoClientRequest + Unpin,
) -> (
    Socket,
    tokio_tungstenite::tungstenite::handshake::client::Response,
) {
    tokio_tungstenite::connect_async_with_config(req, None, true)
        .await
        .unwrap()
}

async fn wait_healthy(base: &str) {
    for _ in 0..400 {
        if reqwest::get(format!("{base}/healthz"))
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("kefu did not start");
}

/// Sent-at times by message body, and the latencies measured on arrival.
#[derive(Default)]
struct Ledger {
    sent: Mutex<HashMap<String, Instant>>,
    to_agent: Mutex<Vec<Duration>>,
    to_visitor: Mutex<Vec<Duration>>,
    /// (sent at, latency, to agent) for every delivery, for KEFU_BENCH_TRACE.
    trace: Mutex<Vec<(Instant, Duration, bool)>>,
    duplicates: AtomicU64,
    /// Sends the client gave up on (no answer from the server): not acknowledged,
    /// so not counted as lost if they are missing from the database.
    unacknowledged: AtomicU64,
    resyncs: AtomicU64,
}

impl Ledger {
    fn arrived(&self, body: &str, to_agent: bool) {
        let started = self.sent.lock().unwrap().remove(body);
        match started {
            Some(t) => {
                let list = if to_agent {
                    &self.to_agent
                } else {
                    &self.to_visitor
                };
                let latency = t.elapsed();
                list.lock().unwrap().push(latency);
                self.trace.lock().unwrap().push((t, latency, to_agent));
            }
            None if body.starts_with("load-") => {
                self.duplicates.fetch_add(1, Ordering::Relaxed);
            }
            None => {}
        }
    }
}

async fn run(o: &Options, port: u16, pid: u32, dir: &Path) {
    let base = format!("http://127.0.0.1:{port}");
    let ws_base = format!("ws://127.0.0.1:{port}");
    wait_healthy(&base).await;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .unwrap();

    // The shop: an owner, agents online with room for everyone, one web inbox.
    let owner = login_response(
        &http,
        format!("{base}/api/setup"),
        json!({"shop_name": "Load", "name": "Owner", "email": "owner@load.example", "password": "load-password-1"}),
        &base,
    )
    .await;
    let inbox = owner
        .call(reqwest::Method::POST, "/api/inboxes", json!({"name": "Load"}))
        .await;
    let inbox_token = inbox["inbox"]["public_token"].as_str().unwrap().to_string();
    let per_agent = o.visitors.div_ceil(o.agents).clamp(1, 100);
    let mut agents = Vec::new();
    for i in 0..o.agents {
        let agent = if i == 0 {
            owner.clone()
        } else {
            let inv = owner
                .call(
                    reqwest::Method::POST,
                    "/api/invites",
                    json!({"email": format!("a{i}@load.example")}),
                )
                .await;
            let token = inv["link"]
                .as_str()
                .unwrap()
                .rsplit('/')
                .next()
                .unwrap()
                .to_string();
            login_response(
                &http,
                format!("{base}/api/invites/accept"),
                json!({"token": token, "name": format!("Agent {i}"), "password": "load-password-1"}),
                &base,
            )
            .await
        };
        let me = agent.call(reqwest::Method::GET, "/api/me", json!(null)).await;
        let id = me["agent"]["id"].as_i64().unwrap();
        owner
            .call(
                reqwest::Method::PATCH,
                &format!("/api/agents/{id}"),
                json!({"max_concurrent": per_agent}),
            )
            .await;
        agent
            .call(
                reqwest::Method::PUT,
                "/api/me/availability",
                json!({"availability": "online"}),
            )
            .await;
        agents.push(agent);
    }

    // Visitors: a session and a first message each (which opens their conversation).
    let t = Instant::now();
    let mut visitors: Vec<(String, i64)> = Vec::new();
    for chunk in (0..o.visitors).collect::<Vec<_>>().chunks(50) {
        let mut tasks = Vec::new();
        for &i in chunk {
            let (http, base, inbox_token) = (http.clone(), base.clone(), inbox_token.clone());
            tasks.push(tokio::spawn(async move {
                let s: Value = http
                    .post(format!("{base}/api/widget/session"))
                    .json(&json!({"inbox": inbox_token}))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                let token = s["visitor_token"].as_str().unwrap().to_string();
                let sent: Value = http
                    .post(format!("{base}/api/widget/messages"))
                    .header("x-kefu-visitor", &token)
                    .json(&json!({"client_id": format!("hello-{i}"), "body": format!("hello {i}")}))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                (token, sent["conversation"]["id"].as_i64().unwrap())
            }));
        }
        for task in tasks {
            visitors.push(task.await.unwrap());
        }
    }
    println!(
        "setup: {} visitor sessions and conversations in {:.1} s",
        visitors.len(),
        t.elapsed().as_secs_f64()
    );

    // Sockets: every agent's console and every visitor's widget.
    let ledger = Arc::new(Ledger::default());
    let mut agent_writers = Vec::new();
    for (i, agent) in agents.iter().enumerate() {
        let mut req = format!("{ws_base}/api/ws").into_client_request().unwrap();
        req.headers_mut().insert("cookie", agent.cookie.parse().unwrap());
        let (ws, _) = connect(req).await;
        let (writer, mut reader) = ws.split();
        agent_writers.push(writer);
        let ledger = ledger.clone();
        tokio::spawn(async move {
            while let Some(Ok(frame)) = reader.next().await {
                if let Frame::Text(text) = &frame
                    && text.contains("\"type\":\"resync\"")
                {
                    ledger.resyncs.fetch_add(1, Ordering::Relaxed);
                }
                // Agent 0 measures; the others only keep their sockets drained, as consoles do.
                if i == 0
                    && let Frame::Text(text) = frame
                    && text.contains("\"type\":\"message\"")
                {
                    let v: Value = serde_json::from_str(&text).unwrap_or_default();
                    if v["message"]["sender"] == "contact"
                        && let Some(body) = v["message"]["body"].as_str()
                    {
                        ledger.arrived(body, true);
                    }
                }
            }
        });
    }
    let t = Instant::now();
    let mut visitor_writers = Vec::new();
    for (token, _) in &visitors {
        let (ws, _) = connect(format!("{ws_base}/api/widget/ws?visitor={token}")).await;
        let (writer, mut reader) = ws.split();
        visitor_writers.push(Arc::new(tokio::sync::Mutex::new(writer)));
        let ledger = ledger.clone();
        tokio::spawn(async move {
            while let Some(Ok(frame)) = reader.next().await {
                if let Frame::Text(text) = frame
                    && text.contains("\"type\":\"message\"")
                {
                    let v: Value = serde_json::from_str(&text).unwrap_or_default();
                    if v["message"]["sender"] == "agent"
                        && let Some(body) = v["message"]["body"].as_str()
                    {
                        ledger.arrived(body, false);
                    }
                }
            }
        });
    }
    println!(
        "connected: {} visitor and {} agent websockets in {:.1} s; server RSS {:.1} MiB",
        visitor_writers.len(),
        agent_writers.len(),
        t.elapsed().as_secs_f64(),
        rss_mib(pid)
    );

    // The load: one message every 1/rate seconds, alternating direction.
    let total = o.rate * o.seconds;
    let mut tick = tokio::time::interval(Duration::from_micros(1_000_000 / o.rate));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut peak_rss: f64 = 0.0;
    let mut last_sample = Instant::now();
    let started = Instant::now();
    let cpu_before = cpu_times();
    for seq in 0..total {
        tick.tick().await;
        let body = format!("load-{seq}");
        let who = (seq as usize * 7919) % visitors.len();
        ledger.sent.lock().unwrap().insert(body.clone(), Instant::now());
        if seq % 2 == 0 {
            let writer = visitor_writers[who].clone();
            tokio::spawn(async move {
                let frame =
                    json!({"type": "message", "client_id": format!("c-{seq}"), "body": body}).to_string();
                let _ = writer.lock().await.send(Frame::Text(frame.into())).await;
            });
        } else {
            let agent = agents[who % agents.len()].clone();
            let conversation = visitors[who].1;
            tokio::spawn(async move {
                agent
                    .call(
                        reqwest::Method::POST,
                        &format!("/api/conversations/{conversation}/messages"),
                        json!({"body": body}),
                    )
                    .await;
            });
        }
        if last_sample.elapsed() > Duration::from_secs(1) {
            peak_rss = peak_rss.max(rss_mib(pid));
            last_sample = Instant::now();
        }
    }
    let send_time = started.elapsed();
    tokio::time::sleep(Duration::from_secs(3)).await;
    peak_rss = peak_rss.max(rss_mib(pid));
    // KEFU_BENCH_TRACE=FILE writes every delivery as "seconds into the load, latency
    // in ms, direction", to see whether slow deliveries come together in time.
    if let Some(path) = std::env::var_os("KEFU_BENCH_TRACE") {
        let mut out = String::new();
        for (at, latency, to_agent) in ledger.trace.lock().unwrap().iter() {
            out.push_str(&format!(
                "{:.4} {:.2} {}\n",
                at.duration_since(started).as_secs_f64(),
                latency.as_secs_f64() * 1e3,
                if *to_agent { "v2a" } else { "a2v" }
            ));
        }
        std::fs::write(path, out).unwrap();
    }

    let lost_in_flight = ledger.sent.lock().unwrap().len();
    let report = |name: &str, list: &Mutex<Vec<Duration>>| {
        let mut l = list.lock().unwrap().clone();
        l.sort();
        let pct = |p: f64| {
            l.get(((l.len() as f64 * p) as usize).min(l.len().saturating_sub(1)))
                .copied()
                .unwrap_or_default()
        };
        println!(
            "{name}: {:>6} delivered  p50 {:>6.2} ms  p95 {:>6.2} ms  p99 {:>6.2} ms  max {:>7.2} ms",
            l.len(),
            pct(0.50).as_secs_f64() * 1e3,
            pct(0.95).as_secs_f64() * 1e3,
            pct(0.99).as_secs_f64() * 1e3,
            l.last().copied().unwrap_or_default().as_secs_f64() * 1e3
        );
    };
    let stolen = cpu_before
        .zip(cpu_times())
        .map(|((busy0, steal0), (busy1, steal1))| {
            100.0 * (steal1 - steal0) as f64 / ((busy1 - busy0) + (steal1 - steal0)).max(1) as f64
        });
    if let Some(pct) = stolen {
        println!("CPU time taken by the hypervisor during the load (steal): {pct:.0}%");
    }
    println!(
        "sent {total} messages in {:.1} s ({:.0}/s)",
        send_time.as_secs_f64(),
        total as f64 / send_time.as_secs_f64()
    );
    report("visitor → agent", &ledger.to_agent);
    report("agent → visitor", &ledger.to_visitor);
    let unacknowledged = ledger.unacknowledged.load(Ordering::Relaxed);
    println!(
        "not delivered to a socket: {lost_in_flight}; delivered twice: {}; console resyncs: {}; sends without answer: {unacknowledged}",
        ledger.duplicates.load(Ordering::Relaxed),
        ledger.resyncs.load(Ordering::Relaxed),
    );

    // The database is the record: every message stored exactly once.
    let conn = rusqlite::Connection::open_with_flags(
        dir.join("kefu.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let (stored, distinct): (i64, i64) = conn
        .query_row(
            "SELECT count(*), count(DISTINCT body) FROM messages WHERE body LIKE 'load-%'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let acknowledged = total as i64 - unacknowledged as i64;
    println!(
        "database: {stored} stored, {distinct} distinct; {acknowledged} acknowledged → lost {}, duplicated {}",
        (acknowledged - distinct).max(0),
        stored - distinct
    );
    println!("server RSS: peak {peak_rss:.1} MiB (target <= 100 MB)");
}
