//! `kefu kb eval`: how well the knowledge base answers a labelled set of
//! questions. Each line is `{"question": "…", "expect": "<external_id>" | null}`;
//! `null` means the bot should not answer. A hit is the expected article's topic
//! (its `external_id`, any language) among the first k results.

use std::time::Instant;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::Engine;
use super::search::{self, Scope};
use crate::error::AppResult;

#[derive(Clone, Debug, Deserialize)]
pub struct Case {
    pub question: String,
    pub expect: Option<String>,
}

/// Reads JSON lines; a bad line is reported with its number.
pub fn read_cases(text: &str) -> Result<Vec<Case>, String> {
    let mut cases = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let case: Case = serde_json::from_str(line).map_err(|e| format!("line {}: {e}", i + 1))?;
        cases.push(case);
    }
    if cases.is_empty() {
        return Err("the file has no questions".into());
    }
    Ok(cases)
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Report {
    pub questions: usize,
    /// Questions with an expected article.
    pub in_scope: usize,
    pub hit_at_1: f64,
    pub hit_at_3: f64,
    pub threshold: f64,
    /// Share of all questions answered at the threshold.
    pub answered: f64,
    /// Share of the answered whose answer was the expected article (answering an
    /// out-of-scope question is wrong).
    pub precision: f64,
    /// Out-of-scope questions answered anyway.
    pub false_answers: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

fn share(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

pub fn run(c: &Connection, engine: &Engine, cases: &[Case], threshold: f64) -> AppResult<Report> {
    let (mut hit1, mut hit3, mut answered, mut correct, mut false_answers) = (0, 0, 0, 0, 0);
    let mut latencies = Vec::with_capacity(cases.len());
    for case in cases {
        let started = Instant::now();
        let hits = search::search(c, engine, &case.question, Scope::default(), 3)?;
        latencies.push(started.elapsed().as_secs_f64() * 1000.0);
        let topic = |i: usize| hits.get(i).and_then(|h| h.external_id.as_deref());
        let expect = case.expect.as_deref();
        if let Some(e) = expect {
            hit1 += usize::from(topic(0) == Some(e));
            hit3 += usize::from((0..3).any(|i| topic(i) == Some(e)));
        }
        if hits.first().is_some_and(|h| h.confidence >= threshold) {
            answered += 1;
            match expect {
                Some(e) if topic(0) == Some(e) => correct += 1,
                None => false_answers += 1,
                _ => {}
            }
        }
    }
    latencies.sort_by(f64::total_cmp);
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    let in_scope = cases.iter().filter(|c| c.expect.is_some()).count();
    Ok(Report {
        questions: cases.len(),
        in_scope,
        hit_at_1: share(hit1, in_scope),
        hit_at_3: share(hit3, in_scope),
        threshold,
        answered: share(answered, cases.len()),
        precision: share(correct, answered),
        false_answers,
        p50_ms: at(0.5),
        p99_ms: at(0.99),
    })
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "questions   {} ({} with an expected article)",
            self.questions, self.in_scope
        )?;
        writeln!(f, "hit@1       {:.3}", self.hit_at_1)?;
        writeln!(f, "hit@3       {:.3}", self.hit_at_3)?;
        writeln!(f, "threshold   {:.2}", self.threshold)?;
        writeln!(f, "answered    {:.3} of all questions", self.answered)?;
        writeln!(
            f,
            "precision   {:.3} of answered ({} out-of-scope answered)",
            self.precision, self.false_answers
        )?;
        write!(
            f,
            "latency     p50 {:.2} ms, p99 {:.2} ms",
            self.p50_ms, self.p99_ms
        )
    }
}
