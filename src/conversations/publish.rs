//! Publishing after a commit: a new message with its conversation, changed
//! conversations to agents and customers, queue places that moved, presence.

use super::ConversationId;
use super::views::{self, ConversationSummary, Message};
use crate::db::Db;
use crate::error::AppResult;
use crate::realtime::{Event, Hub, Topic};
use crate::routing;

/// A new message: consoles get it with its conversation's summary in one event; the
/// customer gets it (unless private) and the conversation's state. Then any other
/// conversation the write changed (routing may have assigned others).
pub(super) async fn publish_message(
    db: &Db,
    hub: &Hub,
    message: &Message,
    summary: &ConversationSummary,
    mut changed: Vec<ConversationId>,
) {
    let event = || Event::Message {
        message: message.clone(),
        conversation: summary.clone(),
    };
    hub.publish(Topic::Agents, event());
    let contact = Topic::Contact(summary.contact.id);
    if !message.private {
        hub.publish(contact, event());
    }
    hub.publish(contact, Event::Conversation(summary.clone()));
    changed.retain(|id| *id != summary.id);
    publish_summaries(db, hub, changed, None).await;
}

/// Publishes the current state of every changed conversation to agents and to its customer.
pub async fn publish_summaries(
    db: &Db,
    hub: &Hub,
    mut changed: Vec<ConversationId>,
    known: Option<ConversationSummary>,
) {
    changed.sort();
    changed.dedup();
    let mut summaries = Vec::new();
    if let Some(k) = known {
        changed.retain(|id| *id != k.id);
        summaries.push(k);
    }
    if !changed.is_empty() {
        match db
            .read(move |c| changed.into_iter().map(|id| views::summary(c, id)).collect())
            .await
        {
            Ok(more) => summaries.extend::<Vec<_>>(more),
            Err(e) => tracing::warn!(error = ?e, "cannot load conversations to publish"),
        }
    }
    let published: Vec<ConversationId> = summaries.iter().map(|s| s.id).collect();
    for s in summaries {
        hub.publish(Topic::Contact(s.contact.id), Event::Conversation(s.clone()));
        hub.publish(Topic::Agents, Event::Conversation(s));
    }
    publish_queue_moves(db, hub, published).await;
}

/// Customers whose place in the queue changes see up to this far back live; the
/// rest get their place when they next load the chat.
const LIVE_QUEUE_PLACES: usize = 200;

/// Tells waiting customers whose place in the queue moved (someone ahead was
/// taken, left, or jumped ahead) their new place and wait.
async fn publish_queue_moves(db: &Db, hub: &Hub, already: Vec<ConversationId>) {
    let ticket = hub.queue_ticket();
    let order = match db.read(|c| Ok(routing::queue_order(c)?)).await {
        Ok(o) => o,
        Err(e) => {
            tracing::warn!(error = ?e, "cannot read the queue to publish");
            return;
        }
    };
    let ids: Vec<i64> = order.iter().map(|(id, _)| id.0).collect();
    let moved = hub.queue_moves(ticket, &ids);
    let listening: Vec<ConversationId> = order
        .iter()
        .take(LIVE_QUEUE_PLACES)
        .filter(|(id, contact)| {
            moved.contains(&id.0) && !already.contains(id) && hub.has_subscribers(Topic::Contact(*contact))
        })
        .map(|(id, _)| *id)
        .collect();
    if listening.is_empty() {
        return;
    }
    match db
        .read(move |c| {
            listening
                .into_iter()
                .map(|id| views::summary(c, id))
                .collect::<AppResult<Vec<_>>>()
        })
        .await
    {
        Ok(list) => {
            for s in list {
                hub.publish(Topic::Contact(s.contact.id), Event::Conversation(s));
            }
        }
        Err(e) => tracing::warn!(error = ?e, "cannot load queued conversations to publish"),
    }
}

/// Tells every open widget whether anyone is online now.
pub async fn publish_presence(db: &Db, hub: &Hub) -> AppResult<()> {
    let (agents_online, _) = db.read(crate::channels::web::availability).await?;
    hub.publish(Topic::Visitors, Event::Presence { agents_online });
    Ok(())
}
