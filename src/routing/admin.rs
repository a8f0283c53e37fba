//! What the console does with routing: edit intents and rules (each change is
//! audited and the router reloaded before the answer, so the next message and
//! the "try it" box see it), try a message, and relabel a conversation's intent.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::decide::{self, Who};
use super::intents::{self, Intent, IntentId, IntentInput};
use super::matching::{self, Decision, RuleTrace};
use super::rules::{self, Priority, Rule, RuleId, RuleInput};
use super::sentiment::{self, Sentiment};
use super::{Guess, Router, settings};
use crate::accounts::{AgentId, audit};
use crate::conversations::{ConversationId, ConversationSummary, record_event};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::inboxes::InboxId;
use crate::realtime::{Event, Hub, Topic};

/// Longest message the "try it" box takes (a chat message's limit).
const TRY_MAX: usize = crate::conversations::BODY_MAX;

/// Runs `write` in a transaction with an audit entry, then reloads the router.
async fn change<T: Send + 'static>(
    db: &Db,
    router: &Router,
    actor: Option<AgentId>,
    action: &'static str,
    write: impl FnOnce(&rusqlite::Connection) -> AppResult<(T, String)> + Send + 'static,
) -> AppResult<T> {
    let out = db
        .write(move |c| {
            let (out, target) = write(c)?;
            audit(c, actor, action, &target, "")?;
            Ok(out)
        })
        .await?;
    router.reload(db).await?;
    Ok(out)
}

pub async fn create_intent(
    db: &Db,
    router: &Router,
    actor: Option<AgentId>,
    input: IntentInput,
) -> AppResult<Intent> {
    change(db, router, actor, "intent.create", move |c| {
        let i = intents::create(c, input)?;
        let target = format!("intent:{}", i.id);
        Ok((i, target))
    })
    .await
}

pub async fn update_intent(
    db: &Db,
    router: &Router,
    actor: Option<AgentId>,
    id: IntentId,
    input: IntentInput,
) -> AppResult<Intent> {
    change(db, router, actor, "intent.update", move |c| {
        Ok((intents::update(c, id, input)?, format!("intent:{id}")))
    })
    .await
}

pub async fn delete_intent(db: &Db, router: &Router, actor: Option<AgentId>, id: IntentId) -> AppResult<()> {
    change(db, router, actor, "intent.delete", move |c| {
        Ok((intents::delete(c, id)?, format!("intent:{id}")))
    })
    .await
}

pub async fn create_rule(
    db: &Db,
    router: &Router,
    actor: Option<AgentId>,
    input: RuleInput,
) -> AppResult<Rule> {
    change(db, router, actor, "routing_rule.create", move |c| {
        let r = rules::create(c, input)?;
        let target = format!("routing_rule:{}", r.id);
        Ok((r, target))
    })
    .await
}

pub async fn update_rule(
    db: &Db,
    router: &Router,
    actor: Option<AgentId>,
    id: RuleId,
    input: RuleInput,
) -> AppResult<Rule> {
    change(db, router, actor, "routing_rule.update", move |c| {
        Ok((rules::update(c, id, input)?, format!("routing_rule:{id}")))
    })
    .await
}

pub async fn delete_rule(db: &Db, router: &Router, actor: Option<AgentId>, id: RuleId) -> AppResult<()> {
    change(db, router, actor, "routing_rule.delete", move |c| {
        Ok((rules::delete(c, id)?, format!("routing_rule:{id}")))
    })
    .await
}

pub async fn reorder_rules(
    db: &Db,
    router: &Router,
    actor: Option<AgentId>,
    ids: Vec<RuleId>,
) -> AppResult<Vec<Rule>> {
    change(db, router, actor, "routing_rule.reorder", move |c| {
        Ok((rules::reorder(c, &ids)?, "routing_rules".to_string()))
    })
    .await
}

pub async fn save_settings(
    db: &Db,
    actor: Option<AgentId>,
    s: settings::RoutingSettings,
) -> AppResult<settings::RoutingSettings> {
    db.write(move |c| {
        let saved = settings::save(c, &s)?;
        audit(c, actor, "routing.settings", "routing", "")?;
        Ok(saved)
    })
    .await
}

/// A sample message for the "try it" box, with what is known of its sender.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct Sample {
    pub text: String,
    #[schema(value_type = Option<i64>)]
    pub inbox_id: Option<InboxId>,
    pub vip_tier: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// `zh-CN` or `en` (default: the shop's).
    pub language: Option<String>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Tried {
    pub intent: Option<Guess>,
    /// The three likeliest intents.
    pub ranking: Vec<Guess>,
    pub sentiment: Sentiment,
    pub rules: Vec<RuleTrace>,
    /// What a new conversation starting with this message would get (the
    /// priority after a negative message raised it).
    pub outcome: Decision,
}

/// What routing would do with a first message: intent, sentiment, each rule's
/// verdict and why, and the resulting team, priority and actions.
pub async fn try_message(db: &Db, router: &Router, sample: Sample) -> AppResult<Tried> {
    let text = sample.text.trim().to_string();
    if text.is_empty() {
        return Err(AppError::bad_request("text_required"));
    }
    if text.chars().count() > TRY_MAX {
        return Err(AppError::bad_request("text_too_long").with("max", TRY_MAX));
    }
    if let Some(l) = &sample.language
        && !rules::LANGUAGES.contains(&l.as_str())
    {
        return Err(AppError::bad_request("language_invalid").with("allowed", rules::LANGUAGES.join(", ")));
    }
    let router = router.clone();
    db.read(move |c| {
        let snap = router.snapshot(c)?;
        let ranking: Vec<Guess> = snap.rank(&text).into_iter().take(3).collect();
        let intent = ranking.first().cloned();
        let feeling = sentiment::analyse(&text);
        let channel = match sample.inbox_id {
            Some(id) => Some(
                crate::inboxes::inbox_by_id(c, id)?
                    .ok_or_else(|| AppError::bad_request("unknown_inbox").with("id", id))?
                    .kind,
            ),
            None => None,
        };
        let language = match sample.language {
            Some(l) => l,
            None => crate::settings::shop(c)?.default_locale.tag().to_string(),
        };
        let who = Who {
            inbox_id: sample.inbox_id,
            channel,
            vip: sample.vip_tier.as_deref().is_some_and(|v| !v.trim().is_empty()),
            tags: sample.tags,
            language,
        };
        let facts = decide::facts(c, &text, who, intent.as_ref(), feeling.label)?;
        let (decision, traces) = matching::evaluate(&snap.rules, &facts);
        let intent_team = decide::intent_team(c, intent.as_ref())?;
        let mut level = decision.priority.unwrap_or(Priority::Normal).level();
        if sentiment::is_negative(feeling.score, &feeling) && settings::load(c)?.negative_raises_priority {
            level += 1;
        }
        Ok(Tried {
            intent,
            ranking,
            sentiment: feeling,
            rules: traces,
            outcome: Decision {
                team_id: decision.team_id.or(intent_team),
                priority: Some(Priority::of_level(level)),
                ..decision
            },
        })
    })
    .await
}

/// An agent says what the conversation is about: recorded, shown, and learned from.
pub async fn set_conversation_intent(
    db: &Db,
    hub: &Hub,
    router: &Router,
    actor: AgentId,
    conversation: ConversationId,
    name: String,
) -> AppResult<ConversationSummary> {
    let summary = db
        .write(move |c| {
            let Some(intent) = intents::id_by_name(c, &name)? else {
                return Err(AppError::bad_request("intent_not_found").with("name", &name));
            };
            let from: Option<String> = c
                .prepare_cached(
                    "SELECT i.name FROM conversations c LEFT JOIN intents i ON i.id = c.intent_id WHERE c.id = ?1",
                )?
                .query_row([conversation], |r| r.get(0))
                .map_err(|e| match e {
                    rusqlite::Error::QueryReturnedNoRows => AppError::not_found("not_found"),
                    e => e.into(),
                })?;
            // A conversation that began without text (an image) learns from its first words.
            c.prepare_cached(
                "UPDATE conversations SET intent_id = ?2, intent_source = 'agent', intent_confidence = NULL,
                     intent_text = coalesce(nullif(intent_text, ''),
                         (SELECT body FROM messages WHERE conversation_id = ?1 AND sender_kind = 'contact'
                            AND body <> '' ORDER BY id LIMIT 1))
                 WHERE id = ?1",
            )?
            .execute(rusqlite::params![conversation, intent])?;
            record_event(
                c,
                conversation,
                Some(actor),
                "agent",
                "intent",
                serde_json::json!({"from": from, "to": name}),
            )?;
            crate::conversations::views::summary(c, conversation)
        })
        .await?;
    router.relabelled();
    hub.publish(Topic::Agents, Event::Conversation(summary.clone()));
    Ok(summary)
}
