//! The shop's own search words: extra dictionary words for Chinese segmentation
//! (brands, product names, slang) and synonym groups (快递 = 物流 = 包裹). Saving
//! them builds a new analyser and re-indexes every article in one transaction.

use std::sync::Arc;

use rusqlite::{Connection, params};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Engine, index};
use crate::accounts::{AgentId, audit};
use crate::db::Db;
use crate::error::{AppError, AppResult};

pub const WORDS_MAX: usize = 5_000;
pub const SYNONYM_GROUPS_MAX: usize = 2_000;
const WORD_MAX_CHARS: usize = 40;

#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct Vocabulary {
    /// Words jieba should keep whole, e.g. `小红书`, `蓝牙耳机`.
    pub words: Vec<String>,
    /// Each group means one thing; the first word is what the others are searched as.
    pub synonyms: Vec<Vec<String>>,
}

pub fn words(c: &Connection) -> rusqlite::Result<Vec<String>> {
    c.prepare_cached("SELECT word FROM kb_words ORDER BY word")?
        .query_map([], |r| r.get(0))?
        .collect()
}

pub fn synonyms(c: &Connection) -> rusqlite::Result<Vec<Vec<String>>> {
    c.prepare_cached("SELECT words FROM kb_synonyms ORDER BY id")?
        .query_map([], |r| r.get::<_, String>(0))?
        .map(|r| r.map(|text| serde_json::from_str(&text).unwrap_or_default()))
        .collect()
}

pub fn get_in(c: &Connection) -> rusqlite::Result<Vocabulary> {
    Ok(Vocabulary {
        words: words(c)?,
        synonyms: synonyms(c)?,
    })
}

fn check_word(raw: &str) -> AppResult<Option<String>> {
    let w = raw.trim().to_lowercase();
    if w.is_empty() {
        return Ok(None);
    }
    if w.chars().count() > WORD_MAX_CHARS || w.chars().any(|c| c.is_control() || c == '"') {
        return Err(AppError::bad_request("kb_word_invalid").with("word", raw.trim()));
    }
    Ok(Some(w))
}

/// Trims, lower-cases and de-duplicates; a synonym group needs two words.
pub fn check(v: Vocabulary) -> AppResult<Vocabulary> {
    let mut words: Vec<String> = Vec::new();
    for w in &v.words {
        if let Some(w) = check_word(w)?
            && !words.contains(&w)
        {
            words.push(w);
        }
    }
    let mut synonyms = Vec::new();
    for group in &v.synonyms {
        let mut clean: Vec<String> = Vec::new();
        for w in group {
            if let Some(w) = check_word(w)?
                && !clean.contains(&w)
            {
                clean.push(w);
            }
        }
        match clean.len() {
            0 => {}
            1 => return Err(AppError::bad_request("kb_synonyms_single").with("word", &clean[0])),
            _ => synonyms.push(clean),
        }
    }
    if words.len() > WORDS_MAX {
        return Err(AppError::bad_request("too_many_items")
            .with("field", "words")
            .with("max", WORDS_MAX));
    }
    if synonyms.len() > SYNONYM_GROUPS_MAX {
        return Err(AppError::bad_request("too_many_items")
            .with("field", "synonyms")
            .with("max", SYNONYM_GROUPS_MAX));
    }
    Ok(Vocabulary { words, synonyms })
}

/// Replaces the words and synonyms inside the caller's transaction and re-indexes
/// with a new analyser, which is returned for the caller to install after commit.
fn replace_in(c: &Connection, v: &Vocabulary) -> AppResult<Arc<super::text::Analyzer>> {
    c.execute("DELETE FROM kb_words", [])?;
    let mut add = c.prepare_cached("INSERT INTO kb_words (word) VALUES (?1)")?;
    for w in &v.words {
        add.execute([w])?;
    }
    c.execute("DELETE FROM kb_synonyms", [])?;
    let mut add = c.prepare_cached("INSERT INTO kb_synonyms (words) VALUES (?1)")?;
    for g in &v.synonyms {
        add.execute(params![serde_json::to_string(g).unwrap_or_default()])?;
    }
    let analyzer = Arc::new(index::build(c)?);
    index::rebuild(c, &analyzer)?;
    Ok(analyzer)
}

/// `actor` is `None` for an operator's command (`kefu demo`).
pub async fn put(db: &Db, engine: &Engine, actor: Option<AgentId>, v: Vocabulary) -> AppResult<Vocabulary> {
    let v = check(v)?;
    let writer_engine = engine.clone();
    let saved = engine
        .write(db, move |c| {
            let analyzer = replace_in(c, &v)?;
            audit(
                c,
                actor,
                "kb.vocabulary.update",
                "kb",
                &format!("{} words, {} synonym groups", v.words.len(), v.synonyms.len()),
            )?;
            // Installed before the commit so that the next write on this (single)
            // writer already indexes with it; forgotten again if the commit fails.
            writer_engine.install(analyzer);
            get_in(c).map_err(AppError::from)
        })
        .await;
    if saved.is_err() {
        engine.forget();
    }
    saved
}
