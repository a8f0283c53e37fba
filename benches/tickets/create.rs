//! Measurement 1, create: tickets created over the API with a token, by 16
//! concurrent clients for a fixed time after a warm-up; without SLA policies and
//! with three.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{Api, CpuMeter, Options, Server, count, latency_line, read_db};

const CLIENTS: usize = 16;
const WARM_UP: Duration = Duration::from_secs(2);

const SUBJECTS: [&str; 8] = [
    "退款申请",
    "物流查询：快递三天没有更新",
    "Damaged parcel",
    "发票问题",
    "Wrong size, exchange please",
    "商品与描述不符",
    "Where is my order?",
    "优惠券无法使用",
];

/// The body of ticket `n`: a mix of priorities, 5,000 customers writing again.
fn ticket_body(n: u64) -> Value {
    let priority = match n % 10 {
        0 => "urgent",
        1 | 2 => "high",
        3 => "low",
        _ => "normal",
    };
    json!({
        "subject": format!("{} #{n}", SUBJECTS[n as usize % SUBJECTS.len()]),
        "request": format!("您好，我的订单 SO-{n} 有问题，请尽快处理。Order SO-{n}, please help."),
        "contact": {"name": format!("客户 {}", n % 5000), "email": format!("c{}@example.com", n % 5000)},
        "priority": priority,
        "notify_customer": false,
    })
}

struct Load {
    ok: u64,
    errors: u64,
    latencies: Vec<Duration>,
    elapsed: Duration,
}

/// `CLIENTS` tasks creating tickets back to back for `length`.
async fn load(api: &Api, next: &Arc<AtomicU64>, length: Duration) -> Load {
    let started = Instant::now();
    let deadline = started + length;
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (api, next) = (api.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let (mut latencies, mut errors) = (Vec::new(), 0u64);
            while Instant::now() < deadline {
                let body = ticket_body(next.fetch_add(1, Ordering::Relaxed));
                let t = Instant::now();
                let res = api
                    .request(reqwest::Method::POST, "/api/tickets")
                    .json(&body)
                    .send()
                    .await;
                let created = match res {
                    Ok(r) => r.status() == 201 && r.bytes().await.is_ok(),
                    Err(_) => false,
                };
                if created {
                    latencies.push(t.elapsed());
                } else {
                    errors += 1;
                }
            }
            (latencies, errors)
        }));
    }
    let mut out = Load {
        ok: 0,
        errors: 0,
        latencies: Vec::new(),
        elapsed: Duration::ZERO,
    };
    for task in tasks {
        let (l, e) = task.await.unwrap();
        out.ok += l.len() as u64;
        out.errors += e;
        out.latencies.extend(l);
    }
    out.elapsed = started.elapsed();
    out
}

pub async fn run(work: &Path, o: &Options) {
    println!(
        "== create: POST /api/tickets with an API token, {CLIENTS} clients, {} s ==",
        o.seconds
    );
    for with_sla in [false, true] {
        let dir = work.join(if with_sla {
            "tickets-create-sla"
        } else {
            "tickets-create"
        });
        let _ = std::fs::remove_dir_all(&dir);
        let server = Server::start(&dir).await;
        let owner = Api::setup(&server.base).await;
        if with_sla {
            for (name, priority, first, resolution) in [
                ("urgent", "urgent", 30, 240),
                ("high", "high", 120, 960),
                ("normal", "normal", 480, 2880),
            ] {
                owner
                    .ok(
                        reqwest::Method::POST,
                        "/api/sla-policies",
                        json!({"name": name, "priority": priority, "first_response_mins": first,
                               "resolution_mins": resolution}),
                    )
                    .await;
            }
        }
        let api = owner.token("agent").await;
        let next = Arc::new(AtomicU64::new(1));
        let warm = load(&api, &next, WARM_UP).await;
        let cpu = CpuMeter::start(server.pid());
        let run = load(&api, &next, Duration::from_secs(o.seconds)).await;
        let cpu = cpu.line();
        let db = read_db(&dir);
        let stored = count(&db, "SELECT count(*) FROM tickets");
        let clocks = count(&db, "SELECT count(*) FROM sla_clocks");
        drop(db);
        server.stop();
        println!(
            "{}: {:>6.0} tickets/s  ({} in {:.1} s; 2,000/s target)",
            if with_sla {
                "with 3 SLA policies"
            } else {
                "no SLA policies    "
            },
            run.ok as f64 / run.elapsed.as_secs_f64(),
            run.ok,
            run.elapsed.as_secs_f64()
        );
        println!("  latency: {}", latency_line(run.latencies));
        println!(
            "  errors: {} (warm-up {}); database: {stored} tickets, {} acknowledged ({}), {clocks} SLA clocks",
            run.errors,
            warm.errors,
            warm.ok + run.ok,
            if stored as u64 == warm.ok + run.ok {
                "all there"
            } else {
                "MISMATCH"
            }
        );
        println!("  {cpu}");
    }
    println!();
}
