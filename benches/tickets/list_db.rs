//! The 100,000-ticket database of the list benchmark, built once and kept in
//! `tickets-100k/` (delete it to rebuild).
//!
//! The tickets are created through the API by the running server, so every row
//! (contacts, events, SLA clocks, notifications) is kefu's own. Then, with the
//! server stopped, each ticket is given a year-long history: creation spread over
//! 365 days, a first response, status changes as timeline events, solved and closed
//! times, due dates; about 10% are still being worked on. The server is started
//! again and an SLA policy saved unchanged, which makes kefu recompute every clock
//! from that history; the SLA watcher then records the breaches. No ANALYZE is
//! run: kefu does not run it either.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::Method;
use serde_json::{Value, json};

use super::{Api, Server, count, read_db};

pub const TICKETS: u64 = 100_000;
const CLIENTS: usize = 16;
const DAY: i64 = 86_400_000;
const MINUTE: i64 = 60_000;
/// How long the history reaches back.
const SPAN: i64 = 365 * DAY;
/// kefu's default `ticket_close_days`: solved tickets close this long after.
const CLOSE_DAYS: i64 = 7;

const SUBJECTS: [&str; 12] = [
    "退款申请",
    "物流查询：快递三天没有更新",
    "Damaged parcel on arrival",
    "发票问题",
    "Wrong size, exchange please",
    "商品与描述不符",
    "Where is my order?",
    "优惠券无法使用",
    "换货：颜色发错了",
    "Refund not received yet",
    "地址写错了，能改吗",
    "Missing item in the box",
];
const SURNAMES: [&str; 8] = ["王", "李", "张", "刘", "陈", "杨", "Smith", "Müller"];

/// The cached 100,000-ticket data directory, built first if missing.
pub async fn database(work: &Path) -> PathBuf {
    let data = work.join("tickets-100k");
    let done = data.join("bench-complete");
    if let Ok(meta) = std::fs::metadata(&done) {
        let age = meta.modified().unwrap().elapsed().unwrap_or_default();
        println!(
            "database: cached in {} (built {:.1} h ago; delete it to rebuild)",
            data.display(),
            age.as_secs_f64() / 3600.0
        );
        return data;
    }
    let _ = std::fs::remove_dir_all(&data);
    let started = Instant::now();
    println!("building the {TICKETS}-ticket database (once) …");

    // The shop: 4 teams, 8 agents, 4 ticket types, 3 SLA policies.
    let server = Server::start(&data).await;
    let owner = Api::setup(&server.base).await;
    let mut teams = Vec::new();
    for name in [
        "售后 After-sales",
        "物流 Logistics",
        "售前 Pre-sales",
        "财务 Billing",
    ] {
        let t = owner
            .ok(
                Method::POST,
                "/api/teams",
                json!({"name": name, "description": ""}),
            )
            .await;
        teams.push(t["team"]["id"].as_i64().unwrap());
    }
    let mut agents = vec![
        owner.ok(Method::GET, "/api/me", Value::Null).await["agent"]["id"]
            .as_i64()
            .unwrap(),
    ];
    for i in 1..8 {
        let inv = owner
            .ok(
                Method::POST,
                "/api/invites",
                json!({"email": format!("agent{i}@bench.example"), "role": "agent"}),
            )
            .await;
        let token = inv["link"]
            .as_str()
            .unwrap()
            .rsplit('/')
            .next()
            .unwrap()
            .to_string();
        let accepted = Api::new(&server.base)
            .ok(
                Method::POST,
                "/api/invites/accept",
                json!({"token": token, "name": format!("客服 {i}"), "password": "agent-password-1"}),
            )
            .await;
        agents.push(accepted["agent"]["id"].as_i64().unwrap());
    }
    let mut types = Vec::new();
    for name in ["退款 Refund", "物流 Shipping", "发票 Invoice", "换货 Exchange"] {
        let t = owner
            .ok(Method::POST, "/api/ticket-types", json!({"name": name}))
            .await;
        types.push(t["type"]["id"].as_i64().unwrap());
    }
    let policy =
        json!({"name": "urgent", "priority": "urgent", "first_response_mins": 30, "resolution_mins": 240});
    let urgent = owner.ok(Method::POST, "/api/sla-policies", policy.clone()).await["policy"]["id"]
        .as_i64()
        .unwrap();
    for p in [
        json!({"name": "high", "priority": "high", "first_response_mins": 120, "resolution_mins": 960}),
        json!({"name": "normal", "priority": "normal", "first_response_mins": 480, "resolution_mins": 2880}),
    ] {
        owner.ok(Method::POST, "/api/sla-policies", p).await;
    }

    // The tickets, through the API at full speed.
    let api = owner.token("agent").await;
    let next = Arc::new(AtomicU64::new(1));
    let shop = Arc::new((teams, agents, types));
    let t = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..CLIENTS {
        let (api, next, shop) = (api.clone(), next.clone(), shop.clone());
        tasks.push(tokio::spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n > TICKETS {
                    break;
                }
                api.ok(
                    Method::POST,
                    "/api/tickets",
                    ticket_body(n, &shop.0, &shop.1, &shop.2),
                )
                .await;
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    println!(
        "  {TICKETS} tickets created over the API in {:.0} s ({:.0}/s)",
        t.elapsed().as_secs_f64(),
        TICKETS as f64 / t.elapsed().as_secs_f64()
    );
    server.stop();

    // A year of history, then kefu recomputes the clocks from it.
    let now = jiff::Timestamp::now().as_millisecond();
    let t = Instant::now();
    let db = data.clone();
    tokio::task::spawn_blocking(move || write_history(&db, now))
        .await
        .unwrap();
    println!("  history written in {:.1} s", t.elapsed().as_secs_f64());
    let server = Server::start(&data).await;
    let owner = Api::login(&server.base).await;
    let t = Instant::now();
    owner
        .ok(Method::PATCH, &format!("/api/sla-policies/{urgent}"), policy)
        .await;
    let db = read_db(&data);
    let due_now = "SELECT count(*) FROM sla_clocks WHERE state = 'running' AND
        ((breached_at IS NULL AND due_at <= unixepoch('subsec') * 1000)
         OR (warned_at IS NULL AND warn_at <= unixepoch('subsec') * 1000))";
    while count(&db, due_now) > 0 {
        assert!(
            t.elapsed() < Duration::from_secs(900),
            "the SLA watcher did not catch up"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    drop(db);
    println!(
        "  SLA clocks recomputed by kefu and breaches recorded in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    server.stop();
    let c = rusqlite::Connection::open(data.join("kefu.db")).unwrap();
    c.execute_batch(
        "UPDATE tickets SET status = CASE WHEN closed_at IS NOT NULL THEN 'closed' ELSE 'solved' END
         WHERE solved_at IS NOT NULL;
         PRAGMA wal_checkpoint(TRUNCATE);",
    )
    .unwrap();
    drop(c);
    std::fs::write(&done, "").unwrap();
    println!("  built in {:.0} s", started.elapsed().as_secs_f64());
    data
}

/// Ticket `n`: teams, assignees, priorities and types mixed as a shop's would be;
/// 30,000 customers, some writing more than once.
fn ticket_body(n: u64, teams: &[i64], agents: &[i64], types: &[i64]) -> Value {
    let h = n.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 16;
    let team = match h % 20 {
        0..=6 => Some(teams[0]),
        7..=12 => Some(teams[1]),
        13..=15 => Some(teams[2]),
        16 => Some(teams[3]),
        _ => None,
    };
    let assignee = match (h >> 8) % 10 {
        0..=2 => None,
        x => Some(agents[(x as usize + (h >> 16) as usize) % agents.len()]),
    };
    let priority = match (h >> 24) % 20 {
        0..=2 => "low",
        3..=13 => "normal",
        14..=17 => "high",
        _ => "urgent",
    };
    let type_id = ((h >> 32) % 10 < 6).then(|| types[(h >> 36) as usize % types.len()]);
    let customer = (h >> 40) % 30_000;
    let name = format!("{}{}", SURNAMES[customer as usize % SURNAMES.len()], customer);
    let subject = SUBJECTS[(h >> 44) as usize % SUBJECTS.len()];
    json!({
        "subject": format!("{subject} {}", 20_000 + n),
        "request": format!(
            "{subject}。订单 SO-{} 的情况如下：客户来电说明了问题，需要跟进处理。\
             Customer called about order SO-{}; follow up needed.",
            600_000 + n, 600_000 + n
        ),
        "contact": {"name": name, "email": format!("customer{customer}@example.com")},
        "priority": priority,
        "team_id": team,
        "assignee_id": assignee,
        "type_id": type_id,
        "order_ref": ((h >> 48) % 10 < 6).then(|| format!("SO-{}", 600_000 + n)),
        "notify_customer": false,
    })
}

/// A span in milliseconds spread log-uniformly between `lo` and `hi`.
fn spread(rng: &mut StdRng, lo: i64, hi: i64) -> i64 {
    let (l, h) = ((lo as f64).ln(), (hi as f64).ln());
    rng.random_range(l..h).exp() as i64
}

/// Gives every ticket a history ending before `now` (see the module comment). The
/// tickets that end solved or closed stay `open` until kefu has recomputed their
/// clocks (it leaves a closed ticket's clocks alone); the caller then sets it.
fn write_history(data: &Path, now: i64) {
    let mut c = rusqlite::Connection::open(data.join("kefu.db")).unwrap();
    c.pragma_update(None, "synchronous", "OFF").unwrap();
    let tx = c.transaction().unwrap();
    let rows: Vec<(i64, Option<i64>)> = tx
        .prepare("SELECT id, assignee_id FROM tickets ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut rng = StdRng::seed_from_u64(100_000);
    let step = SPAN / rows.len() as i64;
    {
        let mut ticket = tx
            .prepare(
                "UPDATE tickets SET status = ?2, created_at = ?3, updated_at = ?4, first_response_at = ?5,
                     solved_at = ?6, closed_at = ?7, due_at = ?8 WHERE id = ?1",
            )
            .unwrap();
        let mut created = tx
            .prepare("UPDATE ticket_events SET created_at = ?2 WHERE ticket_id = ?1 AND kind = 'created'")
            .unwrap();
        let mut started = tx
            .prepare("UPDATE sla_events SET at = ?2 WHERE ticket_id = ?1 AND kind = 'started'")
            .unwrap();
        let mut event = tx
            .prepare(
                "INSERT INTO ticket_events (ticket_id, kind, public, author_kind, author_agent_id, data, created_at)
                 VALUES (?1, 'status', 1, ?2, ?3, json_object('from', ?4, 'to', ?5), ?6)",
            )
            .unwrap();
        for (i, (id, assignee)) in rows.iter().enumerate() {
            let at = now - SPAN + i as i64 * step + rng.random_range(0..step);
            let age_days = (now - at) as f64 / DAY as f64;
            let working = rng.random::<f64>() < 0.9 * (-age_days / 30.0).exp() + 0.025;
            // The agent who changes the status: the assignee, else the owner (agent 1).
            let by = assignee.unwrap_or(1);
            let mut changes: Vec<(i64, &str, &str, &str)> = Vec::new();
            let mut first = None;
            let (mut solved, mut closed) = (None, None);
            let status;
            if working {
                let roll = rng.random::<f64>();
                status = if age_days < 2.0 && roll < 0.35 {
                    "new"
                } else if roll < 0.6 {
                    "open"
                } else if roll < 0.85 {
                    "pending"
                } else {
                    "on_hold"
                };
                if status != "new" {
                    let f = (at + spread(&mut rng, 2 * MINUTE, DAY)).min(at + (now - at) / 2);
                    first = Some(f);
                    changes.push((f, "new", "open", "agent"));
                    if status != "open" {
                        let w = f + ((now - f) as f64 * rng.random::<f64>()) as i64;
                        changes.push((w, "open", status, "agent"));
                    }
                }
            } else {
                status = "open"; // until kefu has recomputed the clocks
                let s = (at + spread(&mut rng, 10 * MINUTE, 5 * DAY)).min(now - MINUTE);
                if rng.random::<f64>() < 0.95 {
                    let f = (at + spread(&mut rng, 2 * MINUTE, DAY)).min(s);
                    first = Some(f);
                    changes.push((f, "new", "open", "agent"));
                    changes.push((s, "open", "solved", "agent"));
                } else {
                    changes.push((s, "new", "solved", "agent"));
                }
                solved = Some(s);
                let c = s + CLOSE_DAYS * DAY + rng.random_range(0..5 * MINUTE);
                if c < now {
                    closed = Some(c);
                    changes.push((c, "solved", "closed", "system"));
                }
            }
            let last = changes.last().map_or(at, |c| c.0);
            // Open tickets see replies after their last status change.
            let updated = if status == "open" && solved.is_none() {
                last + ((now - last) as f64 * rng.random::<f64>()) as i64
            } else {
                last
            };
            let due = (rng.random::<f64>() < 0.05).then(|| at + rng.random_range(DAY..7 * DAY));
            ticket
                .execute(rusqlite::params![
                    id, status, at, updated, first, solved, closed, due
                ])
                .unwrap();
            created.execute(rusqlite::params![id, at]).unwrap();
            started.execute(rusqlite::params![id, at]).unwrap();
            for (when, from, to, author) in changes {
                let agent = (author == "agent").then_some(by);
                event
                    .execute(rusqlite::params![id, author, agent, from, to, when])
                    .unwrap();
            }
        }
    }
    tx.commit().unwrap();
}
