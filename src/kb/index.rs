//! The search index: published articles as analysed words in `kb_index`, and
//! the analyser that produced them. The analyser (jieba's dictionary plus the
//! shop's words and synonyms) takes tens of megabytes and a fraction of a second
//! to build, so it is built on first use and kept; changing the shop's words
//! builds a new one and re-indexes every article in the same transaction.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, params};

use super::rank::ArticleTerms;
use super::text::{Analyzer, Speller};
use super::{ArticleId, Status, store, vocabulary};
use crate::db::Db;
use crate::error::{AppError, AppResult};

/// Bumped whenever the analyser's output changes (stop words, stemming…): an
/// index written by another version is rebuilt at start.
pub const ANALYZER_VERSION: &str = "1";
const VERSION_KEY: &str = "kb.analyzer_version";

/// The current analyser and the index's vocabulary, shared by everything that
/// searches or indexes.
#[derive(Clone, Default)]
pub struct Engine {
    current: Arc<Mutex<Option<Arc<Analyzer>>>>,
    vocabulary: Arc<Mutex<Option<Cached>>>,
    /// Moved on after every write that may change the index.
    generation: Arc<AtomicU64>,
}

/// The vocabulary and the index generation it was read at.
type Cached = (u64, Arc<IndexVocabulary>);

/// What the index holds, kept in memory between writes: looking a word up in
/// `kb_vocab` costs 20–60 µs at 10,000 articles, and a question has a dozen.
pub struct IndexVocabulary {
    /// Articles holding each word.
    pub docs: HashMap<String, u32>,
    /// Corrects English words the index has never seen ("trak" → "track").
    pub speller: Speller,
    /// Indexed (published) articles.
    pub articles: u32,
}

impl Engine {
    pub fn new() -> Engine {
        Engine::default()
    }

    /// The analyser, built from the shop's words on first use.
    pub fn analyzer(&self, c: &Connection) -> AppResult<Arc<Analyzer>> {
        let mut slot = self
            .current
            .lock()
            .map_err(|_| AppError::internal(anyhow::anyhow!("kb engine poisoned")))?;
        if let Some(a) = slot.as_ref() {
            return Ok(a.clone());
        }
        let built = Arc::new(build(c)?);
        *slot = Some(built.clone());
        Ok(built)
    }

    /// The index's vocabulary, read again after any write that changed it.
    pub fn vocabulary(&self, c: &Connection) -> AppResult<Arc<IndexVocabulary>> {
        let generation = self.generation.load(Ordering::Acquire);
        let poisoned = |_| AppError::internal(anyhow::anyhow!("kb vocabulary poisoned"));
        if let Some((at, v)) = self.vocabulary.lock().map_err(poisoned)?.as_ref()
            && *at == generation
        {
            return Ok(v.clone());
        }
        let docs: HashMap<String, u32> = c
            .prepare_cached("SELECT term, doc FROM kb_vocab")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let articles: u32 = c.query_row(
            "SELECT count(*) FROM kb_articles WHERE status = 'published'",
            [],
            |r| r.get(0),
        )?;
        let speller = Speller::new(docs.iter().map(|(t, d)| (t.clone(), *d)));
        let read = Arc::new(IndexVocabulary {
            docs,
            speller,
            articles,
        });
        *self.vocabulary.lock().map_err(poisoned)? = Some((generation, read.clone()));
        Ok(read)
    }

    /// Runs a write that may change the index. The vocabulary is read again
    /// afterwards: a search that read it while the write was under way may have
    /// kept the old one.
    pub(crate) async fn write<T, F>(&self, db: &Db, f: F) -> AppResult<T>
    where
        F: FnOnce(&Connection) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let result = db.write(f).await;
        self.generation.fetch_add(1, Ordering::AcqRel);
        result
    }

    /// Installs an analyser built for words that were just committed.
    pub(crate) fn install(&self, analyzer: Arc<Analyzer>) {
        if let Ok(mut slot) = self.current.lock() {
            *slot = Some(analyzer);
        }
    }

    /// Drops the analyser; the next use builds it from what is stored.
    pub(crate) fn forget(&self) {
        if let Ok(mut slot) = self.current.lock() {
            *slot = None;
        }
    }

    /// At start: re-indexes everything when the index was written by another
    /// version of the analyser. Cheap when nothing changed, and it builds no
    /// analyser for a shop without articles.
    pub fn check_version(&self, c: &Connection) -> AppResult<bool> {
        let stored = crate::settings::get(c, VERSION_KEY)?;
        if stored.as_deref() == Some(ANALYZER_VERSION) {
            return Ok(false);
        }
        let any: bool = c.query_row("SELECT EXISTS (SELECT 1 FROM kb_articles)", [], |r| r.get(0))?;
        if any {
            rebuild(c, &*self.analyzer(c)?)?;
        }
        crate::settings::set(c, VERSION_KEY, ANALYZER_VERSION)?;
        Ok(any)
    }
}

/// A new analyser from the shop's words and synonyms as stored now.
pub(crate) fn build(c: &Connection) -> AppResult<Analyzer> {
    let words = vocabulary::words(c)?;
    let synonyms = vocabulary::synonyms(c)?;
    Ok(Analyzer::new(&words, &synonyms))
}

/// Writes (or removes) one article's index entry to match what is stored.
pub fn reindex_article(c: &Connection, analyzer: &Analyzer, id: ArticleId) -> AppResult<()> {
    remove_article(c, id)?;
    let Some(article) = store::as_written(c, id)? else {
        return Ok(());
    };
    if article.status != Status::Published {
        c.prepare_cached("UPDATE kb_articles SET terms = '{}' WHERE id = ?1")?
            .execute([id])?;
        return Ok(());
    }
    let title = analyzer.tokens(&article.title);
    let questions: Vec<Vec<String>> = article.questions.iter().map(|q| analyzer.tokens(q)).collect();
    let keywords: Vec<String> = article.keywords.iter().flat_map(|k| analyzer.tokens(k)).collect();
    let body = analyzer.tokens(&article.body);
    // The index keeps repeats (bm25 counts them); the stored terms are distinct.
    let questions_column = questions
        .iter()
        .flatten()
        .chain(&keywords)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ");
    c.prepare_cached("INSERT INTO kb_index (rowid, title, questions, body) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![id, title.join(" "), questions_column, body.join(" ")])?;
    let stored = ArticleTerms::new(title, questions, keywords, body);
    c.prepare_cached("UPDATE kb_articles SET terms = ?2 WHERE id = ?1")?
        .execute(params![id, serde_json::to_string(&stored).unwrap_or_default()])?;
    Ok(())
}

pub fn remove_article(c: &Connection, id: ArticleId) -> rusqlite::Result<()> {
    c.prepare_cached("DELETE FROM kb_index WHERE rowid = ?1")?
        .execute([id])?;
    Ok(())
}

/// Re-indexes every article with `analyzer`, inside the caller's transaction.
pub fn rebuild(c: &Connection, analyzer: &Analyzer) -> AppResult<usize> {
    c.execute("INSERT INTO kb_index (kb_index) VALUES ('delete-all')", [])?;
    let ids: Vec<ArticleId> = c
        .prepare("SELECT id FROM kb_articles ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for id in &ids {
        reindex_article(c, analyzer, *id)?;
    }
    Ok(ids.len())
}
