//! Searching published articles: the question is analysed like the articles
//! were, matched in FTS5 (any word may match; bm25 ranks, title and questions
//! above the body), grouped by topic (translations share an `external_id`),
//! scored with a confidence, and shown in the asker's language when a
//! translation exists.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use utoipa::ToSchema;

use super::index::IndexVocabulary;
use super::rank::{self, ArticleTerms, Candidate, QueryTerm};
use super::text::Analyzer;
use super::{ArticleId, Engine, markdown};
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::inboxes::InboxId;

/// Longer questions are searched on their beginning: a customer's essay does not
/// get better answers from its tenth paragraph, and the cost stays bounded.
pub const QUERY_MAX_CHARS: usize = 500;
/// Distinct words searched at most.
const QUERY_MAX_WORDS: usize = 32;
/// Rows fetched from the index before grouping and scoring.
const CANDIDATES: usize = 20;
/// Best bm25 rows taken from FTS5 before the inbox filter. Ranking inside FTS5
/// alone, then joining, is what keeps a query over thousands of matching rows
/// fast: joined first, SQLite had to look up every matching article to sort.
const FTS_ROWS: usize = 100;
/// Column weights for bm25: title, questions (+ keywords), body. Chosen on the
/// demo shop's questions: the title and the alternate questions are how
/// customers ask; the body answers, and words there say less.
const WEIGHTS: (f64, f64, f64) = (4.0, 3.0, 1.0);

/// Which articles may answer.
#[derive(Clone, Copy, Debug, Default)]
pub struct Scope {
    /// Show hits in this language when the article has a translation in it.
    pub locale: Option<Lang>,
    /// Only articles this inbox's bot may use.
    pub inbox: Option<InboxId>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Hit {
    pub article_id: ArticleId,
    pub external_id: Option<String>,
    pub locale: Lang,
    pub title: String,
    pub category: Option<String>,
    /// The start of the body as plain text.
    pub snippet: String,
    /// How sure the search is that this article answers the question, 0 to 1.
    pub confidence: f64,
}

struct Row {
    id: ArticleId,
    external_id: Option<String>,
    /// Translations share their `external_id`; an article without one is its own topic.
    topic: String,
    locale: String,
    bm25: f64,
    terms: ArticleTerms,
}

/// The question's distinct words as the index knows them, with how many
/// articles hold each; English words the index has never seen are corrected
/// when they are a slip away from one it has.
fn query_terms(analyzer: &Analyzer, vocabulary: &IndexVocabulary, question: &str) -> Vec<(String, u32)> {
    let head: String = question.chars().take(QUERY_MAX_CHARS).collect();
    let mut terms: Vec<(String, u32)> = Vec::new();
    for word in analyzer.query_tokens(&head) {
        let docs = vocabulary.docs.get(&word).copied().unwrap_or(0);
        let (word, docs) = match vocabulary.speller.correct(&word).filter(|_| docs == 0) {
            Some(fixed) => (fixed.to_owned(), vocabulary.docs.get(fixed).copied().unwrap_or(0)),
            None => (word, docs),
        };
        if !terms.iter().any(|(w, _)| *w == word) {
            terms.push((word, docs));
        }
        if terms.len() == QUERY_MAX_WORDS {
            break;
        }
    }
    terms
}

/// The best `limit` topics for `question`, most likely first.
pub fn search(
    c: &Connection,
    engine: &Engine,
    question: &str,
    scope: Scope,
    limit: usize,
) -> AppResult<Vec<Hit>> {
    let analyzer = engine.analyzer(c)?;
    let vocabulary = engine.vocabulary(c)?;
    let owned = query_terms(&analyzer, &vocabulary, question);
    let terms: Vec<QueryTerm> = owned
        .iter()
        .map(|(text, docs)| QueryTerm { text, docs: *docs })
        .collect();
    let matched = rank::match_terms(&terms, vocabulary.articles);
    if matched.is_empty() {
        return Ok(Vec::new());
    }
    let rows = candidates(c, &matched, scope.inbox)?;
    let list: Vec<Candidate> = rows
        .iter()
        .map(|r| Candidate {
            topic: &r.topic,
            bm25: r.bm25,
            terms: &r.terms,
        })
        .collect();
    let ranking = rank::rank(&terms, vocabulary.articles, &list);
    let mut hits = Vec::new();
    for topic in ranking.topics.iter().take(limit) {
        // The topic's article in the asker's language if it matched, else its
        // best match, then its translation when there is one.
        let in_locale = topic
            .articles
            .iter()
            .map(|&i| &rows[i])
            .find(|r| scope.locale.is_some_and(|l| r.locale == l.tag()));
        let best = &rows[topic.articles[0]];
        let shown = match in_locale {
            Some(row) => row.id,
            None => shown_version(c, best, scope)?,
        };
        if let Some(hit) = hit(c, shown, topic.confidence)? {
            hits.push(hit);
        }
    }
    Ok(hits)
}

/// `"w1" OR "w2" …`: any word may match, bm25 rewards matching more and rarer ones.
fn match_expression(words: &[&str]) -> String {
    words
        .iter()
        .map(|w| format!("\"{}\"", w.replace('"', "")))
        .collect::<Vec<_>>()
        .join(" OR ")
}

fn candidates(c: &Connection, words: &[&str], inbox: Option<InboxId>) -> AppResult<Vec<Row>> {
    let (wt, wq, wb) = WEIGHTS;
    let sql = format!(
        "SELECT a.id, a.external_id, a.locale, f.score, a.terms
         FROM (SELECT rowid, bm25(kb_index, {wt}, {wq}, {wb}) AS score FROM kb_index
               WHERE kb_index MATCH ?1 ORDER BY score LIMIT {FTS_ROWS}) f
         JOIN kb_articles a ON a.id = f.rowid
         WHERE a.status = 'published'
           AND (?2 IS NULL OR a.all_inboxes = 1
                OR EXISTS (SELECT 1 FROM kb_article_inboxes i WHERE i.article_id = a.id AND i.inbox_id = ?2))
         ORDER BY f.score LIMIT {CANDIDATES}"
    );
    let rows = c
        .prepare_cached(&sql)?
        .query_map(params![match_expression(words), inbox], |r| {
            let terms: String = r.get(4)?;
            let id: ArticleId = r.get(0)?;
            let external_id: Option<String> = r.get(1)?;
            Ok(Row {
                id,
                topic: match &external_id {
                    Some(e) => format!("x:{e}"),
                    None => format!("#{id}"),
                },
                external_id,
                locale: r.get(2)?,
                bm25: r.get(3)?,
                terms: serde_json::from_str(&terms).unwrap_or_default(),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The translation in the asker's language when there is a published one this
/// inbox may use; otherwise the article that matched.
fn shown_version(c: &Connection, row: &Row, scope: Scope) -> AppResult<ArticleId> {
    let (Some(locale), Some(external_id)) = (scope.locale, row.external_id.as_deref()) else {
        return Ok(row.id);
    };
    let translated: Option<ArticleId> = c
        .prepare_cached(
            "SELECT a.id FROM kb_articles a
             WHERE a.external_id = ?1 AND a.locale = ?2 AND a.status = 'published'
               AND (?3 IS NULL OR a.all_inboxes = 1
                    OR EXISTS (SELECT 1 FROM kb_article_inboxes i WHERE i.article_id = a.id AND i.inbox_id = ?3))",
        )?
        .query_row(params![external_id, locale.tag(), scope.inbox], |r| r.get(0))
        .optional()?;
    Ok(translated.unwrap_or(row.id))
}

const SNIPPET_CHARS: usize = 140;

fn hit(c: &Connection, id: ArticleId, confidence: f64) -> AppResult<Option<Hit>> {
    let found = c
        .prepare_cached(
            "SELECT a.external_id, a.locale, a.title, k.name, a.body
             FROM kb_articles a LEFT JOIN kb_categories k ON k.id = a.category_id WHERE a.id = ?1",
        )?
        .query_row([id], |r| {
            let locale: String = r.get(1)?;
            let body: String = r.get(4)?;
            Ok((r.get(0)?, locale, r.get(2)?, r.get(3)?, body))
        })
        .optional()?;
    Ok(found.map(|(external_id, locale, title, category, body)| Hit {
        article_id: id,
        external_id,
        locale: Lang::parse_exact(&locale).unwrap_or(Lang::En),
        title,
        category,
        snippet: markdown::summary(&body, SNIPPET_CHARS),
        confidence: (confidence * 1000.0).round() / 1000.0,
    }))
}

/// Answers at or above this confidence are given; tuned on the demo shop's
/// labelled questions (docs/knowledge-base.md).
pub const ANSWER_THRESHOLD_DEFAULT: f64 = rank::ANSWER_THRESHOLD;
const ANSWER_THRESHOLD_KEY: &str = "kb.answer_threshold";

/// The shop's answer threshold (the default unless an admin changed it).
pub fn answer_threshold(c: &Connection) -> rusqlite::Result<f64> {
    Ok(crate::settings::get(c, ANSWER_THRESHOLD_KEY)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(ANSWER_THRESHOLD_DEFAULT))
}
