//! Routing a new conversation, and the sentiment of every customer message,
//! inside the ingest transaction: the message and its routing are committed
//! together, so a crash never leaves a conversation stored but unrouted.

use rusqlite::{Connection, OptionalExtension};

use super::Snapshot;
use super::matching::{self, Decision, Facts};
use super::rules::Priority;
use super::sentiment::{self, Feeling, Sentiment};
use crate::accounts::TeamId;
use crate::conversations::{ConversationId, MessageId};
use crate::error::AppResult;
use crate::util::now_ms;

/// Below this confidence an intent is still recorded, but its team is not used.
pub const TEAM_CONFIDENCE: f64 = 0.5;

/// What routing asks the ingest path to do besides: send the rule's auto-reply.
#[derive(Default)]
pub struct NewConversation {
    pub auto_reply: Option<String>,
}

struct Known {
    inbox_id: crate::inboxes::InboxId,
    channel: String,
    team_id: Option<TeamId>,
    vip: bool,
    tags: Vec<String>,
    contact: Option<crate::contacts::Contact>,
}

fn known(c: &Connection, id: ConversationId) -> rusqlite::Result<Known> {
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
    Ok(Known {
        inbox_id,
        channel,
        team_id,
        vip: vip.is_some_and(|v| !v.is_empty()),
        tags: serde_json::from_str(&tags).unwrap_or_default(),
        contact: crate::contacts::contact_by_id(c, contact_id)?,
    })
}

/// The facts rules look at, for a conversation being created.
fn facts(
    c: &Connection,
    k: &Known,
    text: &str,
    intent: Option<(String, f64)>,
    feeling: Feeling,
) -> AppResult<Facts> {
    let language = crate::contacts::language_of(c, k.contact.as_ref())?;
    Ok(Facts {
        text: text.to_string(),
        inbox_id: Some(k.inbox_id),
        channel: Some(k.channel.clone()),
        intent,
        vip: k.vip,
        tags: k.tags.clone(),
        language: language.tag().to_string(),
        open_now: crate::sla::hours::schedule(c)?.is_open(now_ms()),
        sentiment: feeling,
    })
}

/// A conversation was just created by `text`: classify it, run the rules and
/// apply what they decided.
pub fn route_new(
    c: &Connection,
    snap: &Snapshot,
    id: ConversationId,
    text: &str,
) -> AppResult<NewConversation> {
    let k = known(c, id)?;
    let guess = snap.model.classify(&snap.analyzer, text);
    let feeling = sentiment::analyse(text).label;
    let f = facts(
        c,
        &k,
        text,
        guess.as_ref().map(|g| (g.name.clone(), g.confidence)),
        feeling,
    )?;
    let (decision, traces) = matching::evaluate(&snap.rules, &f);
    let intent_team = match &guess {
        Some(g) if g.confidence >= TEAM_CONFIDENCE => intent_team(c, g.id)?,
        _ => None,
    };
    let team = decision.team_id.or(intent_team).or(k.team_id);
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
    event(
        c,
        id,
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

fn intent_team(c: &Connection, intent: super::intents::IntentId) -> rusqlite::Result<Option<TeamId>> {
    Ok(c.prepare_cached("SELECT team_id FROM intents WHERE id = ?1")?
        .query_row([intent], |r| r.get::<_, Option<TeamId>>(0))
        .optional()?
        .flatten())
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

fn event(c: &Connection, id: ConversationId, kind: &str, detail: serde_json::Value) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT INTO conversation_events (conversation_id, at, actor_kind, kind, detail)
         VALUES (?1, ?2, 'system', ?3, ?4)",
    )?
    .execute(rusqlite::params![id, now_ms(), kind, detail.to_string()])?;
    Ok(())
}

/// Scores a customer message, moves the conversation's trend and flags it when
/// it turns negative (raising its priority once, if the shop wants that).
pub fn on_customer_message(
    c: &Connection,
    conversation: ConversationId,
    message: MessageId,
    text: &str,
) -> AppResult<Sentiment> {
    let s = sentiment::analyse(text);
    c.prepare_cached("UPDATE messages SET sentiment = ?2 WHERE id = ?1")?
        .execute(rusqlite::params![
            message,
            serde_json::to_string(&s).unwrap_or_default()
        ])?;
    let (previous, was_negative, priority): (Option<f64>, bool, i64) = c
        .prepare_cached("SELECT sentiment, negative, priority FROM conversations WHERE id = ?1")?
        .query_row([conversation], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    let trend = sentiment::trend(previous, s.score);
    let negative = sentiment::is_negative(trend, &s);
    let mut priority = priority;
    if negative && !was_negative {
        if super::settings::load(c)?.negative_raises_priority {
            priority = (priority + 1).min(Priority::Urgent.level());
        }
        event(
            c,
            conversation,
            "negative",
            serde_json::json!({ "score": s.score, "cues": s.cues }),
        )?;
    }
    c.prepare_cached("UPDATE conversations SET sentiment = ?2, negative = ?3, priority = ?4 WHERE id = ?1")?
        .execute(rusqlite::params![conversation, trend, negative, priority])?;
    Ok(s)
}
