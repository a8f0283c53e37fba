//! The learning loop: when an agent answers a conversation in which the bot could
//! not answer, the customer's question and the agent's answer become a suggestion.
//! An admin approves it as a new article or as another way of asking an existing
//! one (editing the text first), or rejects it.

use rusqlite::{Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ArticleId, ArticleInput, Engine, check, save_in, store};
use crate::accounts::{AgentId, Principal, audit};
use crate::conversations::ConversationId;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::util::now_ms;

/// Longest answer a suggestion collects from an agent's replies.
const ANSWER_MAX_CHARS: usize = 5_000;

crate::accounts::id_type!(SuggestionId);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SuggestionStatus {
    Pending,
    Approved,
    Rejected,
}

impl SuggestionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SuggestionStatus::Pending => "pending",
            SuggestionStatus::Approved => "approved",
            SuggestionStatus::Rejected => "rejected",
        }
    }
    pub fn parse(s: &str) -> Option<SuggestionStatus> {
        [
            SuggestionStatus::Pending,
            SuggestionStatus::Approved,
            SuggestionStatus::Rejected,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }
}
crate::util::sql_text_enum!(SuggestionStatus);

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Suggestion {
    pub id: SuggestionId,
    pub conversation_id: Option<ConversationId>,
    /// What the customer asked that the bot could not answer.
    pub question: String,
    /// What the agent answered (their public replies, in order).
    pub answer: String,
    pub locale: Lang,
    pub status: SuggestionStatus,
    /// The article it became or was added to.
    pub article_id: Option<ArticleId>,
    pub created_at: i64,
    pub decided_at: Option<i64>,
}

const COLUMNS: &str =
    "id, conversation_id, question, answer, locale, status, article_id, created_at, decided_at";

fn from_row(r: &Row) -> rusqlite::Result<Suggestion> {
    let locale: String = r.get(4)?;
    Ok(Suggestion {
        id: r.get(0)?,
        conversation_id: r.get(1)?,
        question: r.get(2)?,
        answer: r.get(3)?,
        locale: Lang::parse_exact(&locale).unwrap_or(Lang::ZhCn),
        status: r.get(5)?,
        article_id: r.get(6)?,
        created_at: r.get(7)?,
        decided_at: r.get(8)?,
    })
}

/// An agent's public reply in `conv`: the first one after the bot failed starts a
/// suggestion; later ones, while it waits for review, complete its answer.
/// Runs inside the reply's transaction.
pub fn propose_in(c: &Connection, conv: ConversationId, reply: &str) -> AppResult<()> {
    let reply = reply.trim();
    if reply.is_empty() {
        return Ok(());
    }
    let existing: Option<(SuggestionId, SuggestionStatus, String)> = c
        .prepare_cached("SELECT id, status, answer FROM kb_suggestions WHERE conversation_id = ?1")?
        .query_row([conv], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    if let Some((id, status, answer)) = existing {
        if status == SuggestionStatus::Pending
            && answer.chars().count() + reply.chars().count() < ANSWER_MAX_CHARS
        {
            c.prepare_cached("UPDATE kb_suggestions SET answer = ?2 WHERE id = ?1")?
                .execute(rusqlite::params![id, format!("{answer}\n\n{reply}")])?;
        }
        return Ok(());
    }
    let unanswered: Option<(String, String)> = c
        .prepare_cached(
            "SELECT question, locale FROM bot_turns WHERE conversation_id = ?1 AND unanswered = 1
               AND trim(question) != '' ORDER BY id DESC LIMIT 1",
        )?
        .query_row([conv], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    let Some((question, locale)) = unanswered else {
        return Ok(());
    };
    let answer: String = reply.chars().take(ANSWER_MAX_CHARS).collect();
    c.prepare_cached(
        "INSERT INTO kb_suggestions (conversation_id, question, answer, locale, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(rusqlite::params![conv, question, answer, locale, now_ms()])?;
    Ok(())
}

pub fn list(c: &Connection, status: SuggestionStatus) -> rusqlite::Result<Vec<Suggestion>> {
    c.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM kb_suggestions WHERE status = ?1 ORDER BY id DESC LIMIT 200"
    ))?
    .query_map([status], from_row)?
    .collect()
}

fn get_in(c: &Connection, id: SuggestionId) -> AppResult<Suggestion> {
    c.prepare_cached(&format!("SELECT {COLUMNS} FROM kb_suggestions WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()?
        .ok_or_else(|| AppError::not_found("not_found"))
}

fn pending(c: &Connection, id: SuggestionId) -> AppResult<Suggestion> {
    let s = get_in(c, id)?;
    if s.status != SuggestionStatus::Pending {
        return Err(AppError::conflict("suggestion_decided"));
    }
    Ok(s)
}

fn decide(
    c: &Connection,
    id: SuggestionId,
    status: SuggestionStatus,
    article: Option<ArticleId>,
    actor: Option<AgentId>,
) -> rusqlite::Result<()> {
    c.prepare_cached(
        "UPDATE kb_suggestions SET status = ?2, article_id = ?3, decided_at = ?4, decided_by = ?5 WHERE id = ?1",
    )?
    .execute(rusqlite::params![id, status, article, now_ms(), actor])?;
    Ok(())
}

/// How an admin approves a suggestion.
#[derive(Deserialize, ToSchema)]
#[serde(tag = "as", rename_all = "lowercase")]
pub enum Approval {
    /// A new article (the fields as for `POST /api/kb/articles`).
    Article(ArticleInput),
    /// Another way of asking an existing article.
    Question { article_id: ArticleId, question: String },
}

/// An approval whose text passed the checks.
enum Checked {
    Article(super::Checked),
    Question(ArticleId, String),
}

/// Approves: the article is written and indexed, and the suggestion decided, in
/// one transaction.
pub async fn approve(
    db: &Db,
    engine: &Engine,
    actor: Principal,
    id: SuggestionId,
    approval: Approval,
) -> AppResult<(Suggestion, ArticleId)> {
    // Checked before the write: a bad approval changes nothing.
    let approval = match approval {
        Approval::Article(input) => Checked::Article(check(input)?),
        Approval::Question { article_id, question } => {
            let q = crate::accounts::validate_optional_text("question", &question, super::QUESTION_MAX)?;
            if q.is_empty() {
                return Err(AppError::bad_request("field_required").with("field", "question"));
            }
            Checked::Question(article_id, q)
        }
    };
    let writer = engine.clone();
    engine
        .write(db, move |c| {
            pending(c, id)?;
            let article = match &approval {
                Checked::Article(a) => save_in(c, &writer, actor.agent_id(), None, a)?,
                Checked::Question(article_id, question) => {
                    add_question(c, &writer, actor.agent_id(), *article_id, question)?
                }
            };
            decide(c, id, SuggestionStatus::Approved, Some(article), actor.agent_id())?;
            audit(
                c,
                actor.agent_id(),
                "kb.suggestion.approve",
                &format!("kb_suggestion:{id}"),
                &format!("kb_article:{article}"),
            )?;
            Ok((get_in(c, id)?, article))
        })
        .await
}

fn add_question(
    c: &Connection,
    engine: &Engine,
    actor: Option<AgentId>,
    id: ArticleId,
    question: &str,
) -> AppResult<ArticleId> {
    let a = store::as_written(c, id)?.ok_or_else(|| AppError::bad_request("kb_article_unknown"))?;
    let mut questions = a.questions;
    questions.push(question.to_string());
    let checked = check(ArticleInput {
        category_id: a.category_id,
        locale: a.locale,
        external_id: a.external_id,
        title: a.title,
        body: a.body,
        questions,
        keywords: a.keywords,
        status: a.status,
        inbox_ids: a.inbox_ids,
    })?;
    save_in(c, engine, actor, Some(id), &checked)
}

pub async fn reject(db: &Db, actor: Principal, id: SuggestionId) -> AppResult<Suggestion> {
    db.write(move |c| {
        pending(c, id)?;
        decide(c, id, SuggestionStatus::Rejected, None, actor.agent_id())?;
        audit(
            c,
            actor.agent_id(),
            "kb.suggestion.reject",
            &format!("kb_suggestion:{id}"),
            "",
        )?;
        get_in(c, id)
    })
    .await
}
