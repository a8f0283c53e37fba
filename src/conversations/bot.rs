//! What the bot may do to a conversation it holds: write messages (with what they
//! offer in `messages.bot`), hand the conversation to the queue, resolve it, and
//! record the one outcome of its session. The decisions are `crate::bot`'s; this
//! module keeps the conversation's state machine in one place.

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::store::{self, event};
use super::{ConversationId, Delivery, MessageId, Sender, Status};
use crate::contacts::ContactId;
use crate::error::{AppError, AppResult};
use crate::inboxes::InboxId;
use crate::util::now_ms;

/// A bot outcome of "resolved" stays only if the customer does not come back
/// within this many days; coming back sooner reopens the bot's session.
pub const RESOLVED_HOLDS_DAYS: i64 = 7;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BotKind {
    /// An article's answer; the customer says whether it solved the question.
    Answer,
    /// One to three articles to pick from.
    Suggest,
    /// Nothing fitted; the customer may say it differently.
    Retry,
    /// A person takes over.
    Handoff,
    /// The customer said it is solved.
    Resolved,
    /// An order's state, from the shop's orders.
    Order,
    /// The bot needs the order number and email or phone to look an order up.
    OrderAsk,
    /// A private note for the agent who takes over.
    Summary,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Feedback {
    Solved,
    Unsolved,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct OfferedArticle {
    pub article_id: crate::kb::ArticleId,
    pub title: String,
    pub url: String,
}

/// What a bot message is, and what the customer did with it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct BotMeta {
    pub kind: BotKind,
    #[serde(default)]
    pub articles: Vec<OfferedArticle>,
    /// For `answer` and `order`: the customer's verdict, once given.
    #[serde(default)]
    pub feedback: Option<Feedback>,
    /// For `suggest`: the article the customer chose.
    #[serde(default)]
    pub picked: Option<crate::kb::ArticleId>,
    /// For `handoff` and `summary`: asked_for_person, upset, no_answer, unsolved or button.
    #[serde(default)]
    pub reason: Option<String>,
}

impl BotMeta {
    pub fn new(kind: BotKind) -> BotMeta {
        BotMeta {
            kind,
            articles: Vec::new(),
            feedback: None,
            picked: None,
            reason: None,
        }
    }
}

/// How the bot's session in a conversation ended. Exactly one per conversation
/// (the latest session's), so the three rates always add up to 100 %.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Resolved,
    HandedOff,
    Abandoned,
}
crate::util::sql_text_enum!(Outcome);

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Resolved => "resolved",
            Outcome::HandedOff => "handed_off",
            Outcome::Abandoned => "abandoned",
        }
    }
    pub fn parse(s: &str) -> Option<Outcome> {
        [Outcome::Resolved, Outcome::HandedOff, Outcome::Abandoned]
            .into_iter()
            .find(|o| o.as_str() == s)
    }
}

/// A conversation the bot holds now.
pub struct HeldConversation {
    pub id: ConversationId,
    pub inbox_id: InboxId,
    pub contact_id: ContactId,
    /// When the bot's current session began.
    pub started_at: i64,
}

fn held_from_row(r: &rusqlite::Row) -> rusqlite::Result<HeldConversation> {
    Ok(HeldConversation {
        id: r.get(0)?,
        inbox_id: r.get(1)?,
        contact_id: r.get(2)?,
        started_at: r.get(3)?,
    })
}

/// The conversation, if the bot holds it (status `bot`).
pub fn held_by_bot(c: &Connection, id: ConversationId) -> rusqlite::Result<Option<HeldConversation>> {
    c.prepare_cached(
        "SELECT id, inbox_id, contact_id, coalesce(bot_started_at, created_at) FROM conversations
         WHERE id = ?1 AND status = 'bot'",
    )?
    .query_row([id], held_from_row)
    .optional()
}

/// A resolved conversation the customer writes to again: to the bot when the
/// inbox has it on, otherwise to the queue. A "resolved" outcome younger than
/// `RESOLVED_HOLDS_DAYS` is taken back: the question was not settled after all.
pub(super) fn reopen(c: &Connection, id: ConversationId, now: i64) -> rusqlite::Result<()> {
    let holds_since = now - RESOLVED_HOLDS_DAYS * 86_400_000;
    c.prepare_cached(
        "UPDATE conversations SET
             status = CASE WHEN (SELECT bot_enabled FROM inboxes WHERE id = inbox_id) = 1 THEN 'bot' ELSE 'queued' END,
             bot_started_at = CASE WHEN (SELECT bot_enabled FROM inboxes WHERE id = inbox_id) = 1 THEN ?2
                                   ELSE bot_started_at END,
             bot_outcome = CASE WHEN bot_outcome = 'resolved' AND bot_outcome_at > ?3 THEN NULL ELSE bot_outcome END,
             bot_outcome_at = CASE WHEN bot_outcome = 'resolved' AND bot_outcome_at > ?3 THEN NULL
                                   ELSE bot_outcome_at END,
             assignee_id = NULL, resolved_at = NULL, snoozed_until = NULL, updated_at = ?2
         WHERE id = ?1",
    )?
    .execute(rusqlite::params![id, now, holds_since])?;
    Ok(())
}

/// Records how the bot's session ended (a later session's outcome replaces it).
pub fn set_outcome(c: &Connection, id: ConversationId, outcome: Outcome) -> rusqlite::Result<()> {
    c.prepare_cached(
        "UPDATE conversations SET bot_outcome = ?2, bot_outcome_at = ?3
         WHERE id = ?1 AND bot_started_at IS NOT NULL",
    )?
    .execute(rusqlite::params![id, outcome, now_ms()])?;
    Ok(())
}

/// Writes a bot message (a private note when `private`).
pub fn say(
    c: &Connection,
    conv: &HeldConversation,
    body: &str,
    meta: &BotMeta,
    private: bool,
) -> AppResult<MessageId> {
    let id = store::insert_message(
        c,
        conv.id,
        conv.inbox_id,
        Sender::Bot,
        None,
        body,
        private,
        None,
        Delivery::Sent,
        None,
    )?;
    write_meta(c, id, meta)?;
    if !private {
        c.prepare_cached("UPDATE conversations SET last_message_at = ?2, updated_at = ?2 WHERE id = ?1")?
            .execute(rusqlite::params![conv.id, now_ms()])?;
    }
    Ok(id)
}

pub fn write_meta(c: &Connection, message: MessageId, meta: &BotMeta) -> AppResult<()> {
    let json = serde_json::to_string(meta).map_err(AppError::internal)?;
    c.prepare_cached("UPDATE messages SET bot = ?2 WHERE id = ?1")?
        .execute(rusqlite::params![message, json])?;
    Ok(())
}

/// A bot message of `contact` in `inbox`, with its conversation and meta.
pub fn bot_message_of(
    c: &Connection,
    message: MessageId,
    contact: ContactId,
    inbox: InboxId,
) -> AppResult<(ConversationId, BotMeta)> {
    let found: Option<(ConversationId, Option<String>)> = c
        .prepare_cached(
            "SELECT m.conversation_id, m.bot FROM messages m JOIN conversations cv ON cv.id = m.conversation_id
             WHERE m.id = ?1 AND m.sender_kind = 'bot' AND m.private = 0
               AND cv.contact_id = ?2 AND cv.inbox_id = ?3",
        )?
        .query_row(rusqlite::params![message, contact, inbox], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let (conv, meta) = found.ok_or_else(|| AppError::not_found("not_found"))?;
    let meta = meta
        .and_then(|j| serde_json::from_str(&j).ok())
        .ok_or_else(|| AppError::not_found("not_found"))?;
    Ok((conv, meta))
}

/// The bot steps back: the conversation joins the queue (routing may assign it in
/// the same transaction). Returns the conversations that changed.
pub fn hand_over(c: &Connection, conv: &HeldConversation, reason: &str) -> AppResult<Vec<ConversationId>> {
    let now = now_ms();
    c.prepare_cached(
        "UPDATE conversations SET status = 'queued', waiting_since = coalesce(waiting_since, ?2), updated_at = ?2
         WHERE id = ?1",
    )?
    .execute(rusqlite::params![conv.id, now])?;
    set_outcome(c, conv.id, Outcome::HandedOff)?;
    event(
        c,
        conv.id,
        None,
        "system",
        "status",
        serde_json::json!({"from": Status::Bot, "to": Status::Queued, "by": "bot", "reason": reason}),
    )?;
    let mut changed = vec![conv.id];
    changed.extend(crate::routing::dispatch(c)?);
    Ok(changed)
}

/// The bot's session ends without a person: `Resolved` when the customer
/// confirmed (or went quiet after an answer), `Abandoned` when they left unanswered.
pub fn close(c: &Connection, conv: &HeldConversation, outcome: Outcome, by: &str) -> AppResult<()> {
    let now = now_ms();
    c.prepare_cached(
        "UPDATE conversations SET status = 'resolved', resolved_at = ?2, waiting_since = NULL, updated_at = ?2
         WHERE id = ?1",
    )?
    .execute(rusqlite::params![conv.id, now])?;
    set_outcome(c, conv.id, outcome)?;
    event(
        c,
        conv.id,
        None,
        "system",
        "status",
        serde_json::json!({"from": Status::Bot, "to": Status::Resolved, "by": by, "outcome": outcome}),
    )?;
    Ok(())
}

/// Conversations the bot holds whose last message is older than `before`.
pub fn idle_since(c: &Connection, before: i64) -> rusqlite::Result<Vec<HeldConversation>> {
    c.prepare_cached(
        "SELECT id, inbox_id, contact_id, coalesce(bot_started_at, created_at) FROM conversations
         WHERE status = 'bot' AND last_message_at < ?1 ORDER BY last_message_at LIMIT 500",
    )?
    .query_map([before], held_from_row)?
    .collect()
}

/// Publishes messages the bot wrote (or whose meta changed) and the conversations
/// that changed, once committed. Returns the messages and the conversation as
/// published.
pub async fn publish(
    db: &crate::db::Db,
    hub: &crate::realtime::Hub,
    conversation: ConversationId,
    messages: Vec<MessageId>,
    changed: Vec<ConversationId>,
) -> AppResult<(Vec<super::Message>, super::ConversationSummary)> {
    let (list, summary) = db
        .read(move |c| {
            let list = messages
                .into_iter()
                .map(|id| super::views::message(c, id))
                .collect::<AppResult<Vec<_>>>()?;
            Ok((list, super::views::summary(c, conversation)?))
        })
        .await?;
    // Each message event carries the conversation; the last one also the others
    // that changed.
    match list.split_last() {
        Some((last, rest)) => {
            for m in rest {
                super::publish_message(db, hub, m, &summary, Vec::new()).await;
            }
            super::publish_message(db, hub, last, &summary, changed).await;
        }
        None => super::publish_summaries(db, hub, changed, Some(summary.clone())).await,
    }
    Ok((list, summary))
}
