//! The knowledge base at 10,000 articles: import (analyse + index in one
//! transaction), a full index rebuild, and the latency of answering a question
//! (analyse, FTS5 bm25, confidence, translation lookup) — the work the bot does
//! per customer message. Prints figures, asserts nothing (docs/benchmarks.md).
//!
//!   cargo bench --bench kb                      # 10,000 articles
//!   cargo bench --bench kb -- --articles 50000
//!
//! The articles are the demo shop's 108, repeated with a product model number
//! in every title, question and body so that each copy is its own article and
//! the index's vocabulary grows like a real catalogue's. The questions are the
//! demo shop's labelled questions (assets/demo/kb-eval.jsonl).

use std::time::Instant;

use kefu::config::DatabaseConfig;
use kefu::db::Db;
use kefu::kb::search::{self, Scope};
use kefu::kb::{self, Engine, transfer};
use serde_json::Value;

const DEMO_KB: &str = include_str!("../assets/demo/kb.json");
const DEMO_VOCABULARY: &str = include_str!("../assets/demo/vocabulary.json");
const QUESTIONS: &str = include_str!("../assets/demo/kb-eval.jsonl");

fn articles(n: usize) -> Vec<Value> {
    let demo: Vec<Value> = serde_json::from_str(DEMO_KB).unwrap();
    (0..n)
        .map(|i| {
            let mut a = demo[i % demo.len()].clone();
            let model = format!("KF{}", i / demo.len());
            let tag = |v: &Value| format!("{} {model}", v.as_str().unwrap_or_default());
            a["title"] = tag(&a["title"]).into();
            a["body"] = tag(&a["body"]).into();
            a["external_id"] = format!("{}-{model}", a["external_id"].as_str().unwrap()).into();
            let questions: Vec<Value> = a["questions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|q| tag(q).into())
                .collect();
            a["questions"] = questions.into();
            a
        })
        .collect()
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args
        .iter()
        .position(|a| a == "--articles")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let cfg = DatabaseConfig::default();
        let (db, _) = Db::open(&dir.path().join("kefu.db"), &cfg, &dir.path().join("backups")).unwrap();
        let engine = Engine::new();
        let vocabulary = serde_json::from_str(DEMO_VOCABULARY).unwrap();
        kb::vocabulary::put(&db, &engine, None, vocabulary).await.unwrap();

        let file = serde_json::to_vec(&articles(n)).unwrap();
        let started = Instant::now();
        let report = transfer::import(
            &db,
            &engine,
            None,
            file,
            transfer::Format::Json,
            kefu::i18n::Lang::En,
        )
        .await
        .unwrap();
        let import = started.elapsed();
        let started = Instant::now();
        let indexed = kb::rebuild_index(&db, &engine).await.unwrap();
        let rebuild = started.elapsed();
        println!(
            "articles          {} imported in {:.2} s ({:.0}/s)",
            report.created,
            import.as_secs_f64(),
            report.created as f64 / import.as_secs_f64()
        );
        println!(
            "index rebuild     {indexed} articles in {:.2} s",
            rebuild.as_secs_f64()
        );

        let questions: Vec<String> = QUESTIONS
            .lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .map(|v| v["question"].as_str().unwrap_or_default().to_string())
            .collect();
        let engine2 = engine.clone();
        let mut latencies = db
            .read(move |c| {
                let mut out = Vec::new();
                for round in 0..5 {
                    for q in &questions {
                        let started = Instant::now();
                        let hits = search::search(c, &engine2, q, Scope::default(), 3)?;
                        std::hint::black_box(hits);
                        // The first round warms SQLite's page cache and is not counted.
                        if round > 0 {
                            out.push(started.elapsed().as_secs_f64() * 1000.0);
                        }
                    }
                }
                Ok(out)
            })
            .await
            .unwrap();
        latencies.sort_by(f64::total_cmp);
        println!(
            "answer latency    {} questions: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (target p99 ≤ 5 ms)",
            latencies.len(),
            percentile(&latencies, 0.5),
            percentile(&latencies, 0.99),
            latencies[latencies.len() - 1]
        );
        let size = std::fs::metadata(dir.path().join("kefu.db"))
            .map(|m| m.len())
            .unwrap_or(0);
        println!("database          {:.1} MB (+ WAL)", size as f64 / 1e6);
        db.shutdown().await;
    });
}
