//! The bot: what it says to a customer's message. It hands over at once when
//! asked for a person or when the customer is upset; otherwise it searches the
//! knowledge base and answers above the answer threshold, offers up to three
//! articles in the grey zone below it, or hands over.
//!
//! This module decides; `POST /api/bot/answer` shows the decision (the console's
//! "try the bot" box uses it). See docs/bot.md.

pub mod chat;
pub mod orders;
pub mod outcomes;
mod summary;
pub mod triggers;

use rusqlite::Connection;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::inboxes::InboxId;
use crate::kb::search::{self, Hit, Scope};
use crate::kb::{ArticleId, Engine, markdown, rank};

/// Longer messages are refused by the API (a chat message is at most 5,000).
pub const QUESTION_MAX_CHARS: usize = 5_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    /// The first article answers the question.
    Answer,
    /// One to three articles may answer it; the customer picks, or asks for a person.
    Suggest,
    /// A person takes over.
    Handoff,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HandoffReason {
    /// The customer asked for a person (转人工, human…).
    AskedForPerson,
    /// The message is clearly negative or angry.
    Upset,
    /// Nothing in the knowledge base fits.
    NoAnswer,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BotArticle {
    pub article_id: ArticleId,
    pub external_id: Option<String>,
    pub locale: Lang,
    pub title: String,
    /// The article's public page.
    pub url: String,
    /// The answer as the bot would write it in chat: the body as plain text.
    pub text: String,
    pub confidence: f64,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BotReply {
    pub decision: Decision,
    /// Why it hands over (only for `handoff`).
    pub reason: Option<HandoffReason>,
    /// The best article's confidence (0 when none matched).
    pub confidence: f64,
    /// `answer`: the answer; `suggest`: the offers; `handoff`: the best matches,
    /// if any, for the agent who takes over.
    pub articles: Vec<BotArticle>,
    pub answer_threshold: f64,
    pub suggest_threshold: f64,
}

/// Checks a question for the API: not empty, not huge.
pub fn check_question(text: &str) -> AppResult<&str> {
    let text = text.trim();
    if text.is_empty() {
        return Err(AppError::bad_request("field_required").with("field", "text"));
    }
    if text.chars().count() > QUESTION_MAX_CHARS {
        return Err(AppError::bad_request("field_too_long")
            .with("field", "text")
            .with("max", QUESTION_MAX_CHARS));
    }
    Ok(text)
}

fn article(c: &Connection, base_url: &str, hit: Hit) -> AppResult<BotArticle> {
    let body: String = c
        .prepare_cached("SELECT body FROM kb_articles WHERE id = ?1")?
        .query_row([hit.article_id], |r| r.get(0))?;
    Ok(BotArticle {
        url: format!("{base_url}/help/{}/articles/{}", hit.locale.tag(), hit.article_id),
        text: markdown::to_text(&body),
        article_id: hit.article_id,
        external_id: hit.external_id,
        locale: hit.locale,
        title: hit.title,
        confidence: hit.confidence,
    })
}

/// What the bot says to `text` from a customer of `inbox` writing in `locale`.
/// `handoff_words` are the shop's (empty: the defaults).
pub fn reply(
    c: &Connection,
    engine: &Engine,
    base_url: &str,
    inbox: Option<InboxId>,
    text: &str,
    locale: Option<Lang>,
    handoff_words: &[String],
) -> AppResult<BotReply> {
    let answer_threshold = search::answer_threshold(c)?;
    let suggest_threshold = rank::SUGGEST_THRESHOLD.min(answer_threshold);
    let hits = search::search(c, engine, text, Scope { locale, inbox }, rank::MAX_SUGGESTIONS)?;
    let confidence = hits.first().map_or(0.0, |h| h.confidence);
    let early = if triggers::asks_for_person(text, handoff_words) {
        Some(HandoffReason::AskedForPerson)
    } else if triggers::is_upset(text) {
        Some(HandoffReason::Upset)
    } else {
        None
    };
    let (decision, reason, kept) = match early {
        Some(reason) => (Decision::Handoff, Some(reason), hits),
        None if confidence >= answer_threshold => {
            (Decision::Answer, None, hits.into_iter().take(1).collect())
        }
        None => {
            let offered: Vec<Hit> = hits
                .into_iter()
                .filter(|h| h.confidence >= suggest_threshold)
                .collect();
            if offered.is_empty() {
                (Decision::Handoff, Some(HandoffReason::NoAnswer), offered)
            } else {
                (Decision::Suggest, None, offered)
            }
        }
    };
    let articles = kept
        .into_iter()
        .map(|h| article(c, base_url, h))
        .collect::<AppResult<Vec<_>>>()?;
    Ok(BotReply {
        decision,
        reason,
        confidence,
        articles,
        answer_threshold,
        suggest_threshold,
    })
}
