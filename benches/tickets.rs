//! Tickets and email: creation over the API, the ticket list on 100,000 tickets, and
//! mail ingest from IMAP. Prints figures, asserts nothing (see docs/benchmarks.md).
//!
//!   cargo bench --bench tickets                          # all three
//!   cargo bench --bench tickets -- create --seconds 10   # or: list, imap
//!   cargo bench --bench tickets -- list --requests 2000 --plans
//!   cargo bench --bench tickets -- imap --messages 2000
//!
//! Everything runs against the release `kefu serve` over HTTP, on a real SQLite file
//! in target/bench-data/ (or `KEFU_BENCH_DATA=DIR`). `KEFU_BENCH_SERVER=<path>` runs
//! another build of the server instead (one with symbols, for `perf`).
//!
//! 1. create (create.rs) — 16 concurrent clients POST /api/tickets with an API token
//!    for a fixed time after a warm-up: tickets/s, latency, errors, and the count in
//!    the database. Twice: without SLA policies, and with three (the clocks' cost).
//! 2. list (list.rs, list_db.rs) — first pages of GET /api/tickets with filters on a
//!    database of 100,000 tickets, built once and cached like appliance's 1 GiB
//!    database: latency per query kind over HTTP, the same SQL timed alone, and the
//!    `EXPLAIN QUERY PLAN` of any kind over 20 ms p99 (of all with `--plans`).
//! 3. imap (imap.rs, dovecot.rs) — a Dovecot of its own with N messages waiting (new
//!    customer mail in UTF-8 and GB2312, some with attachments, and replies by
//!    In-Reply-To); kefu is pointed at it and timed until it has taken the last one:
//!    messages/s and what became of them.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

#[path = "tickets/create.rs"]
mod create;
#[path = "tickets/dovecot.rs"]
mod dovecot;
#[path = "tickets/imap.rs"]
mod imap;
#[path = "tickets/list.rs"]
mod list;
#[path = "tickets/list_db.rs"]
mod list_db;

const KEFU: &str = env!("CARGO_BIN_EXE_kefu");
const OWNER_EMAIL: &str = "owner@bench.example";
const OWNER_PASSWORD: &str = "bench-password-1";

pub struct Options {
    seconds: u64,
    requests: usize,
    messages: usize,
    plans: bool,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let get = |name: &str, default: u64| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let o = Options {
        seconds: get("--seconds", 10),
        requests: get("--requests", 2000) as usize,
        messages: get("--messages", 2000) as usize,
        plans: args.iter().any(|a| a == "--plans"),
    };
    let names = ["create", "list", "imap"];
    let filter: Vec<&String> = args.iter().filter(|a| names.contains(&a.as_str())).collect();
    let wanted = |name: &str| filter.is_empty() || filter.iter().any(|f| *f == name);
    let work = std::env::var_os("KEFU_BENCH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-data"));
    std::fs::create_dir_all(&work).unwrap();
    println!("kefu {} ticket and email benchmarks", env!("CARGO_PKG_VERSION"));
    println!(
        "machine: {} cores, data on {}, {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        work.display(),
        jiff::Timestamp::now().strftime("%Y-%m-%d %H:%M UTC")
    );
    disk_fsync(&work);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    if wanted("create") {
        rt.block_on(create::run(&work, &o));
    }
    if wanted("list") {
        rt.block_on(list::run(&work, &o));
    }
    if wanted("imap") {
        rt.block_on(imap::run(&work, &o));
    }
}

// ---------------------------------------------------------------------------
// Shared: the server, an API client, CPU accounting, percentiles

/// Every ticket write waits for one fsync (shared by its group commit): the disk's
/// own fsync times, for the reader to compare.
fn disk_fsync(dir: &Path) {
    use std::io::Write;
    let path = dir.join("fsync-probe");
    let mut file = std::fs::File::create(&path).unwrap();
    let mut times: Vec<Duration> = (0..300)
        .map(|_| {
            file.write_all(&[0u8; 4096]).unwrap();
            let t = Instant::now();
            file.sync_data().unwrap();
            t.elapsed()
        })
        .collect();
    let _ = std::fs::remove_file(&path);
    times.sort();
    println!(
        "this disk: fsync of 4 KiB p50 {:.2} ms  p99 {:.2} ms\n",
        ms(pct(&times, 0.5)),
        ms(pct(&times, 0.99))
    );
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The `p` quantile of sorted durations.
pub fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted
        .get(((sorted.len() as f64 * p) as usize).min(sorted.len().saturating_sub(1)))
        .copied()
        .unwrap_or_default()
}

/// "p50 … p95 … p99 … max …" of unsorted durations.
pub fn latency_line(mut all: Vec<Duration>) -> String {
    all.sort();
    format!(
        "p50 {:>6.2} ms  p95 {:>6.2} ms  p99 {:>6.2} ms  max {:>7.2} ms",
        ms(pct(&all, 0.5)),
        ms(pct(&all, 0.95)),
        ms(pct(&all, 0.99)),
        ms(all.last().copied().unwrap_or_default())
    )
}

pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    /// Starts `kefu serve` on `data` and waits for /healthz.
    pub async fn start(data: &Path) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        // For profiling: another build of the server (one with symbols).
        let kefu = std::env::var("KEFU_BENCH_SERVER").unwrap_or_else(|_| KEFU.to_string());
        let child = Command::new(kefu)
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--data"])
            .arg(data)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let server = Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        for _ in 0..1200 {
            if reqwest::get(format!("{}/healthz", server.base))
                .await
                .is_ok_and(|r| r.status() == 200)
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("kefu did not start on {}", data.display());
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// SIGTERM (kefu checkpoints the WAL on the way out) and wait.
    pub fn stop(mut self) {
        let _ = Command::new("kill").arg(self.child.id().to_string()).status();
        let _ = self.child.wait();
    }
}

/// A client of the API: a session (cookie and CSRF token) or an API token.
#[derive(Clone)]
pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
    cookie: Option<String>,
    csrf: Option<String>,
    bearer: Option<String>,
}

impl Api {
    pub fn new(base: &str) -> Api {
        Api {
            http: reqwest::Client::builder()
                .tcp_nodelay(true)
                .pool_max_idle_per_host(32)
                .build()
                .unwrap(),
            base: base.to_string(),
            cookie: None,
            csrf: None,
            bearer: None,
        }
    }

    /// The owner, after first-time setup on a fresh server.
    pub async fn setup(base: &str) -> Api {
        Api::new(base)
            .session(
                "/api/setup",
                json!({"shop_name": "Bench", "name": "Owner", "email": OWNER_EMAIL, "password": OWNER_PASSWORD}),
            )
            .await
    }

    /// The owner, logged in.
    pub async fn login(base: &str) -> Api {
        Api::new(base)
            .session(
                "/api/session",
                json!({"email": OWNER_EMAIL, "password": OWNER_PASSWORD}),
            )
            .await
    }

    async fn session(mut self, path: &str, body: Value) -> Api {
        let res = self
            .http
            .post(format!("{}{path}", self.base))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{path}: {}", res.status());
        self.cookie = res
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("kefu_session="))
            .and_then(|v| v.split(';').next())
            .map(str::to_string);
        let v: Value = res.json().await.unwrap();
        self.csrf = v["csrf_token"].as_str().map(str::to_string);
        self
    }

    /// The same server through an API token of `role` created by this (admin) session.
    pub async fn token(&self, role: &str) -> Api {
        let t = self
            .ok(
                reqwest::Method::POST,
                "/api/tokens",
                json!({"name": "bench", "role": role}),
            )
            .await;
        Api {
            cookie: None,
            csrf: None,
            bearer: Some(t["secret"].as_str().unwrap().to_string()),
            ..self.clone()
        }
    }

    pub fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let mut req = self.http.request(method, format!("{}{path}", self.base));
        if let Some(c) = &self.cookie {
            req = req.header("cookie", c);
        }
        if let Some(t) = &self.csrf {
            req = req.header("x-csrf-token", t);
        }
        if let Some(b) = &self.bearer {
            req = req.bearer_auth(b);
        }
        req
    }

    /// A call that must succeed; returns its JSON.
    pub async fn ok(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let mut req = self.request(method, path);
        if !body.is_null() {
            req = req.json(&body);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let v: Value = res.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{path}: {status} {v}");
        v
    }
}

/// CPU ticks of the whole machine (all cores, steal apart) and of the steal, from
/// /proc/stat; and of one process, from /proc/<pid>/stat.
pub fn machine_ticks() -> (u64, u64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let f: Vec<u64> = stat
        .lines()
        .next()
        .unwrap_or_default()
        .split_whitespace()
        .skip(1)
        .filter_map(|f| f.parse().ok())
        .collect();
    let steal = f.get(7).copied().unwrap_or(0);
    (f.iter().take(8).sum::<u64>() - steal, steal)
}

pub fn process_ticks(pid: &str) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let f: Vec<u64> = rest.split_whitespace().map(|x| x.parse().unwrap_or(0)).collect();
    // utime and stime are fields 14 and 15; after the name, 12 and 13 (0-based 11, 12).
    f.get(11).copied().unwrap_or(0) + f.get(12).copied().unwrap_or(0)
}

/// CPU use over a stretch of time: the server's and this program's, in cores, and
/// the share the hypervisor took (steal).
pub struct CpuMeter {
    server: String,
    start: ((u64, u64), u64, u64),
}

impl CpuMeter {
    pub fn start(server_pid: u32) -> CpuMeter {
        let server = server_pid.to_string();
        let start = (machine_ticks(), process_ticks(&server), process_ticks("self"));
        CpuMeter { server, start }
    }

    pub fn line(&self) -> String {
        let ((busy0, steal0), server0, me0) = self.start;
        let (busy1, steal1) = machine_ticks();
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
        // Ticks of one core over the stretch.
        let all = ((busy1 - busy0) + (steal1 - steal0)).max(1) as f64;
        let per_core = all / cores;
        format!(
            "CPU: server {:.2} cores, load generator {:.2} cores, steal {:.0}%",
            (process_ticks(&self.server) - server0) as f64 / per_core,
            (process_ticks("self") - me0) as f64 / per_core,
            100.0 * (steal1 - steal0) as f64 / all
        )
    }
}

/// A read-only connection to a kefu database (the server may be running).
pub fn read_db(data: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open_with_flags(data.join("kefu.db"), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap()
}

pub fn count(c: &rusqlite::Connection, sql: &str) -> i64 {
    c.query_row(sql, [], |r| r.get(0)).unwrap()
}
