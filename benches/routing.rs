//! Routing on the demo shop's intents: the decision for a new conversation
//! (classify, run the rules, pick an agent) and re-dispatching a queue of 1,000
//! conversations when 10 agents come online. Prints figures, asserts nothing
//! (docs/benchmarks.md).
//!
//!   cargo bench --bench routing
//!   cargo bench --bench routing -- --queue 5000 --agents 20
//!
//! The messages are the demo's labelled first messages (assets/demo/routing-eval.jsonl).
//! Each decision runs inside a write transaction on a real SQLite file, as in
//! the ingest path: the conversation row is written first (not timed), then
//! `route_new` and `dispatch` are timed together.

use std::time::Instant;

use kefu::config::DatabaseConfig;
use kefu::db::Db;
use kefu::kb::{self, Engine};
use kefu::routing::{self, Router};
use rusqlite::Connection;
use serde_json::Value;

const DEMO_INTENTS: &str = include_str!("../assets/demo/intents.json");
const DEMO_VOCABULARY: &str = include_str!("../assets/demo/vocabulary.json");
const MESSAGES: &str = include_str!("../assets/demo/routing-eval.jsonl");

fn percentile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

fn arg(args: &[String], name: &str, default: usize) -> usize {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Agents (all offline), spread over the demo's teams; a chat inbox.
fn setup(c: &Connection, agents: usize) -> rusqlite::Result<()> {
    let now = kefu::util::now_ms();
    c.execute(
        "INSERT INTO inboxes (kind, name, public_token, secret, created_at, updated_at)
         VALUES ('web', 'bench', 'bench-token', 'bench-secret', ?1, ?1)",
        [now],
    )?;
    let teams: Vec<i64> = c
        .prepare("SELECT id FROM teams ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for i in 0..agents {
        c.execute(
            "INSERT INTO agents (email, name, password_hash, role, availability, max_concurrent, skills, created_at, updated_at)
             VALUES (?1, ?2, 'x', ?3, 'offline', 100, '[\"pre_sales\"]', ?4, ?4)",
            rusqlite::params![format!("a{i}@bench"), format!("agent {i}"), if i == 0 { "owner" } else { "agent" }, now],
        )?;
        let agent = c.last_insert_rowid();
        c.execute(
            "INSERT INTO team_members (team_id, agent_id) VALUES (?1, ?2)",
            [teams[i % teams.len()], agent],
        )?;
    }
    c.execute("UPDATE teams SET strategy = CASE id % 3 WHEN 0 THEN 'round_robin' WHEN 1 THEN 'least_busy' ELSE 'skills' END", [])?;
    Ok(())
}

/// Five rules of the kinds shops write: keywords, a pattern, VIP and sentiment, language.
fn rules(c: &Connection) {
    let bodies = [
        r#"{"name": "VIP 不满", "conditions": {"vip": true, "sentiment": "negative"}, "actions": {"priority": "urgent"}}"#,
        r#"{"name": "投诉词", "continue": true, "conditions": {"keywords": ["投诉", "12315", "差评", "complaint"]}, "actions": {"priority": "high"}}"#,
        r#"{"name": "订单号", "continue": true, "conditions": {"pattern": "\\d{8,}"}, "actions": {"label_ids": []}}"#,
        r#"{"name": "英文", "conditions": {"languages": ["en"], "intents": ["pre_sales"]}, "actions": {"priority": "high"}}"#,
        r#"{"name": "物流", "conditions": {"intents": ["shipping_status"]}, "actions": {"priority": "normal"}}"#,
    ];
    for b in bodies {
        routing::rules::create(c, serde_json::from_str(b).unwrap()).unwrap();
    }
}

fn new_conversation(c: &Connection, status: &str) -> rusqlite::Result<kefu::conversations::ConversationId> {
    let now = kefu::util::now_ms();
    c.execute(
        "INSERT INTO contacts (name, first_seen_at, last_seen_at) VALUES ('customer', ?1, ?1)",
        [now],
    )?;
    let contact = c.last_insert_rowid();
    c.execute(
        "INSERT INTO conversations (inbox_id, contact_id, status, waiting_since, last_message_at, created_at, updated_at)
         VALUES (1, ?1, ?2, ?3, ?3, ?3, ?3)",
        rusqlite::params![contact, status, now],
    )?;
    Ok(kefu::conversations::ConversationId(c.last_insert_rowid()))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let queue = arg(&args, "--queue", 1000);
    let agent_count = arg(&args, "--agents", 10);
    let rounds = arg(&args, "--rounds", 3);
    let messages: Vec<String> = MESSAGES
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["text"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let (db, _) = Db::open(
            &dir.path().join("kefu.db"),
            &DatabaseConfig::default(),
            &dir.path().join("backups"),
        )
        .unwrap();
        let engine = Engine::new();
        kb::vocabulary::put(&db, &engine, None, serde_json::from_str(DEMO_VOCABULARY).unwrap())
            .await
            .unwrap();
        db.write(move |c| {
            routing::demo::load_in(c, DEMO_INTENTS.as_bytes())?;
            setup(c, agent_count)?;
            rules(c);
            Ok(())
        })
        .await
        .unwrap();
        let router = Router::new(engine);
        let started = Instant::now();
        router.reload(&db).await.unwrap();
        println!(
            "routing on the demo shop: {} intents, 5 rules, {agent_count} agents",
            8
        );
        println!(
            "  training the classifier (with the analyser): {:.0} ms",
            started.elapsed().as_secs_f64() * 1000.0
        );

        decision(&db, &router, &messages, rounds).await;
        redispatch(&db, &router, queue, agent_count).await;
        db.shutdown().await;
    });
}

/// Classify + rules + pick an agent, per new conversation, agents online.
async fn decision(db: &Db, router: &Router, messages: &[String], rounds: usize) {
    let router = router.clone();
    let messages = messages.to_vec();
    let (decide_ms, classify_ms) = db
        .write(move |c| {
            c.execute("UPDATE agents SET availability = 'online'", [])?;
            let snap = router.snapshot(c)?;
            let mut decide = Vec::new();
            let mut classify = Vec::new();
            for _ in 0..rounds {
                for text in &messages {
                    let t = Instant::now();
                    std::hint::black_box(snap.rank(text));
                    classify.push(t.elapsed().as_secs_f64() * 1000.0);
                    let id = new_conversation(c, "queued")?;
                    let t = Instant::now();
                    routing::route_new(c, &snap, id, text, &routing::sentiment::analyse(text))?;
                    routing::dispatch(c)?;
                    decide.push(t.elapsed().as_secs_f64() * 1000.0);
                }
                // Everyone's chats done: capacity is back for the next round.
                c.execute(
                    "UPDATE conversations SET status = 'resolved' WHERE status IN ('open', 'queued')",
                    [],
                )?;
            }
            c.execute("UPDATE agents SET availability = 'offline'", [])?;
            Ok((decide, classify))
        })
        .await
        .unwrap();
    let report = |name: &str, mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        println!(
            "  {name}: {} samples, p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
            v.len(),
            percentile(&v, 0.5),
            percentile(&v, 0.99),
            v.last().unwrap()
        );
    };
    report("classify alone", classify_ms);
    report(
        "routing decision (classify + rules + write + pick an agent)",
        decide_ms,
    );
}

/// `queue` conversations waiting, then the agents come online one after another,
/// each change followed by a dispatch (as `PUT /api/me/availability` does).
async fn redispatch(db: &Db, router: &Router, queue: usize, agents: usize) {
    let router = router.clone();
    db.write(move |c| {
        // A small shop: everyone covers every team, so the whole queue fits
        // (10 agents × 100 chats); the teams' strategies still pick who.
        c.execute(
            "INSERT OR IGNORE INTO team_members (team_id, agent_id) SELECT t.id, a.id FROM teams t, agents a",
            [],
        )?;
        let snap = router.snapshot(c)?;
        let texts = [
            "快递咋还没到",
            "我要退款",
            "能开发票吗",
            "登录不上去了",
            "我要投诉",
            "想改地址",
        ];
        for i in 0..queue {
            let id = new_conversation(c, "queued")?;
            let text = texts[i % texts.len()];
            routing::route_new(c, &snap, id, text, &routing::sentiment::analyse(text))?;
        }
        Ok(())
    })
    .await
    .unwrap();
    let started = Instant::now();
    let mut assigned = 0;
    let mut slowest: f64 = 0.0;
    for agent in 1..=agents as i64 {
        let t = Instant::now();
        assigned += db
            .write(move |c| {
                c.execute("UPDATE agents SET availability = 'online' WHERE id = ?1", [agent])?;
                Ok(routing::dispatch(c)?.len())
            })
            .await
            .unwrap();
        slowest = slowest.max(t.elapsed().as_secs_f64() * 1000.0);
    }
    let waiting: i64 = db
        .read(|c| {
            Ok(c.query_row(
                "SELECT count(*) FROM conversations WHERE status = 'queued'",
                [],
                |r| r.get(0),
            )?)
        })
        .await
        .unwrap();
    println!(
        "  re-dispatch: {queue} queued, {agents} agents come online one by one: {assigned} assigned in {:.1} ms \
         (slowest single dispatch {slowest:.1} ms), {waiting} still waiting",
        started.elapsed().as_secs_f64() * 1000.0
    );
}
