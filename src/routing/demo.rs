//! The demo shop's intents (assets/demo/intents.json), each with the team that
//! handles it, created with the team if missing.

use rusqlite::{Connection, OptionalExtension};
use serde::Deserialize;

use super::intents::{self, IntentInput};
use crate::accounts::TeamId;
use crate::error::AppResult;
use crate::util::now_ms;

#[derive(Deserialize)]
struct DemoIntent {
    name: String,
    label_zh: String,
    label_en: String,
    team: Option<String>,
    examples: Vec<String>,
    #[serde(default)]
    keywords: Vec<String>,
}

fn team_named(c: &Connection, name: &str) -> rusqlite::Result<TeamId> {
    if let Some(id) = c
        .prepare_cached("SELECT id FROM teams WHERE name = ?1")?
        .query_row([name], |r| r.get(0))
        .optional()?
    {
        return Ok(id);
    }
    c.prepare_cached("INSERT INTO teams (name, strategy, created_at) VALUES (?1, 'least_busy', ?2)")?
        .execute(rusqlite::params![name, now_ms()])?;
    Ok(TeamId(c.last_insert_rowid()))
}

/// Loads the intents; returns how many.
pub fn load_in(c: &Connection, json: &[u8]) -> AppResult<usize> {
    let demo: Vec<DemoIntent> = serde_json::from_slice(json)
        .map_err(|e| crate::error::AppError::internal(anyhow::anyhow!("demo intents: {e}")))?;
    for d in &demo {
        let team = d.team.as_deref().map(|t| team_named(c, t)).transpose()?;
        intents::create(
            c,
            IntentInput {
                name: Some(d.name.clone()),
                label: Some(format!("{} {}", d.label_zh, d.label_en)),
                examples: Some(d.examples.clone()),
                keywords: Some(d.keywords.clone()),
                team_id: Some(team),
            },
        )?;
    }
    Ok(demo.len())
}

/// The intents of a file in the demo's format, to train from without loading them.
pub fn training(json: &[u8]) -> Result<Vec<super::intents::Training>, String> {
    let demo: Vec<DemoIntent> = serde_json::from_slice(json).map_err(|e| e.to_string())?;
    Ok(demo
        .into_iter()
        .enumerate()
        .map(|(i, d)| super::intents::Training {
            id: super::intents::IntentId(i as i64 + 1),
            name: d.name,
            label: d.label_en,
            examples: d.examples,
            keywords: d.keywords,
            labelled: Vec::new(),
        })
        .collect())
}
