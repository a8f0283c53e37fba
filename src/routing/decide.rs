//! Routing a new conversation, and the sentiment of every customer message,
//! inside the ingest transaction: the message and its routing are committed
//! together, so a crash never leaves a conversation stored but unrouted.

use rusqlite::{Connection, OptionalExtension};

use super::matching::{self, Decision, Facts};
use super::rules::Priority;
use super::sentiment::{self, Feeling, Sentiment};
use super::{Guess, Snapshot};
use crate::accounts::TeamId;
use crate::conversations::{ConversationId, MessageId, record_event};
use crate::error::AppResult;
use crate::util::now_ms;

/// Below this confidence an intent is still recorded, but its team is not used.
pub const TEAM_CONFIDENCE: f64 = 0.5;

/// What routing asks the ingest path to do besides: send the rule's auto-reply.
#[derive(Default)]
pub struct NewConversation {
    pub auto_reply: Option<String>,
}

/// Who wrote and where: what rules know of a first message besides its text.
pub(super) struct Who {
    pub inbox_id: Option<crate::inboxes::InboxId>,
    /// `web` or `email`.
    pub channel: Option<String>,
    pub vip: bool,
    pub tags: Vec<String>,
    /// `zh-CN` or `en`.
    pub language: String,
}

/// The sender of a new conversation's first message, and the team its inbox gave it.
fn who_wrote(c: &Connection, id: ConversationId) -> AppResult<(Who, Option<TeamId>)> {
    let (inbox_id, channel, team_id, contact_id, vip, tags): (
        _,
        _,
        _,
        crate::contacts::ContactId,
        Option<String>,
        String,
    ) = c
        .prepare_cached(
            "SELECT c.inbox_id, i.kind, c.team_id, c.contact_id, ct.vip_tier, ct.tags
             FROM conversations c JOIN inboxes i ON i.id = c.inbox_id JOIN contacts ct ON ct.id = c.contact_id
             WHERE c.id = ?1",
        )?
        .query_row([id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
        })?;
    let contact = crate::contacts::contact_by_id(c, contact_id)?;
    let who = Who {
        inbox_id: Some(inbox_id),
        channel: Some(channel),
        vip: vip.is_some_and(|v| !v.is_empty()),
        tags: serde_json::from_str(&tags).unwrap_or_default(),
        language: crate::contacts::language_of(c, contact.as_ref())?
            .tag()
            .to_string(),
    };
    Ok((who, team_id))
}

/// The facts rules look at for a first message (the "try it" box builds `who` itself).
pub(super) fn facts(
    c: &Connection,
    text: &str,
    who: Who,
    guess: Option<&Guess>,
    feeling: Feeling,
) -> AppResult<Facts> {
    Ok(Facts {
        text: text.to_string(),
        inbox_id: who.inbox_id,
        channel: who.channel,
        intent: guess.map(|g| (g.name.clone(), g.confidence)),
        vip: who.vip,
        tags: who.tags,
        language: who.language,
        open_now: crate::sla::hours::schedule(c)?.is_open(now_ms()),
        sentiment: feeling,
    })
}

/// The team of the intent the classifier found, when it is sure enough.
pub(super) fn intent_team(c: &Connection, guess: Option<&Guess>) -> rusqlite::Result<Option<TeamId>> {
    let Some(g) = guess.filter(|g| g.confidence >= TEAM_CONFIDENCE) else {
        return Ok(None);
    };
    Ok(c.prepare_cached("SELECT team_id FROM intents WHERE id = ?1")?
        .query_row([g.id], |r| r.get::<_, Option<TeamId>>(0))
        .optional()?
        .flatten())
}

/// A conversation was just created by `text`: classify it, run the rules and
/// apply what they decided.
pub fn route_new(
    c: &Connection,
    snap: &Snapshot,
    id: ConversationId,
    text: &str,
    feeling: &Sentiment,
) -> AppResult<NewConversation> {
    let (who, inbox_team) = who_wrote(c, id)?;
    let guess = snap.model.classify(&snap.analyzer, text);
    let f = facts(c, text, who, guess.as_ref(), feeling.label)?;
    let (decision, traces) = matching::evaluate(&snap.rules, &f);
    let team = decision
        .team_id
        .or(intent_team(c, guess.as_ref())?)
        .or(inbox_team);
    let priority = decision.priority.unwrap_or(Priority::Normal).level();
    c.prepare_cached(
        "UPDATE conversations SET intent_id = ?2, intent_confidence = ?3, intent_source = CASE WHEN ?2 IS NULL THEN NULL ELSE 'model' END,
             intent_text = ?4, team_id = ?5, priority = ?6, reserved_for = ?7
         WHERE id = ?1",
    )?
    .execute(rusqlite::params![
        id,
        guess.as_ref().map(|g| g.id),
        guess.as_ref().map(|g| g.confidence),
        text,
        team,
        priority,
        decision.agent_id
    ])?;
    apply_labels(c, id, &decision)?;
    if let Some(bot) = decision.bot {
        set_bot(c, id, bot)?;
    }
    let applied: Vec<&str> = traces
        .iter()
        .filter(|t| t.applied)
        .map(|t| t.name.as_str())
        .collect();
    record_event(
        c,
        id,
        None,
        "system",
        "routed",
        serde_json::json!({
            "intent": guess.as_ref().map(|g| &g.name),
            "confidence": guess.as_ref().map(|g| g.confidence),
            "rules": applied,
            "team_id": team,
        }),
    )?;
    Ok(NewConversation {
        auto_reply: decision.auto_reply,
    })
}

fn apply_labels(c: &Connection, id: ConversationId, d: &Decision) -> rusqlite::Result<()> {
    let mut add = c.prepare_cached(
        "INSERT OR IGNORE INTO conversation_labels (conversation_id, label_id)
         SELECT ?1, id FROM labels WHERE id = ?2",
    )?;
    for label in &d.label_ids {
        add.execute(rusqlite::params![id, label])?;
    }
    Ok(())
}

/// A rule turned the bot on or off for this conversation (it was just created,
/// so nobody has spoken to it yet).
fn set_bot(c: &Connection, id: ConversationId, on: bool) -> rusqlite::Result<()> {
    let now = now_ms();
    if on {
        c.prepare_cached(
            "UPDATE conversations SET status = 'bot', bot_started_at = ?2, waiting_since = NULL
             WHERE id = ?1 AND status = 'queued'",
        )?
        .execute(rusqlite::params![id, now])?;
    } else {
        c.prepare_cached(
            "UPDATE conversations SET status = 'queued', bot_started_at = NULL, waiting_since = ?2
             WHERE id = ?1 AND status = 'bot'",
        )?
        .execute(rusqlite::params![id, now])?;
    }
    Ok(())
}

/// Records a customer message's sentiment (`sentiment::analyse` of its text),
/// moves the conversation's trend and flags it when it turns negative (raising
/// its priority once, if the shop wants that).
pub fn on_customer_message(
    c: &Connection,
    conversation: ConversationId,
    message: MessageId,
    s: &Sentiment,
) -> AppResult<()> {
    c.prepare_cached("UPDATE messages SET sentiment = ?2 WHERE id = ?1")?
        .execute(rusqlite::params![
            message,
            serde_json::to_string(&s).unwrap_or_default()
        ])?;
    let (previous, was_negative, priority): (Option<f64>, bool, i64) = c
        .prepare_cached("SELECT sentiment, negative, priority FROM conversations WHERE id = ?1")?
        .query_row([conversation], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    let trend = sentiment::trend(previous, s.score);
    let negative = sentiment::is_negative(trend, s);
    let mut priority = priority;
    if negative && !was_negative {
        if super::settings::load(c)?.negative_raises_priority {
            priority = (priority + 1).min(Priority::Urgent.level());
        }
        record_event(
            c,
            conversation,
            None,
            "system",
            "negative",
            serde_json::json!({ "score": s.score, "cues": s.cues }),
        )?;
    }
    c.prepare_cached("UPDATE conversations SET sentiment = ?2, negative = ?3, priority = ?4 WHERE id = ?1")?
        .execute(rusqlite::params![conversation, trend, negative, priority])?;
    Ok(())
}
