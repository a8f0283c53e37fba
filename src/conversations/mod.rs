//! Conversations: the one ingest path every channel uses, agent replies and notes,
//! the status machine (queued → open → pending / snoozed → resolved) with its
//! timeline, and read/delivery state. Every change is committed first and then
//! published to the realtime hub.

pub mod bot;
mod mail;
mod publish;
mod store;
pub mod views;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::{AgentId, TeamId};
use crate::contacts::ContactId;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::inboxes::InboxId;
use crate::notify::Mailroom;
use crate::realtime::{Event, Hub, Topic};
use crate::routing;

pub use mail::{MailMessage, Unpublished, by_token, ingest_mail, publish_mail, send_transcript};
use publish::publish_message;
pub use publish::{publish_presence, publish_summaries};
pub use store::BODY_MAX;
/// Timeline events written by routing in the same transaction as its change.
pub(crate) use store::event as record_event;
pub use views::{ConversationSummary, Message};

crate::accounts::id_type!(ConversationId);
crate::accounts::id_type!(MessageId);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Bot,
    Queued,
    Open,
    Pending,
    Snoozed,
    Resolved,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Bot => "bot",
            Status::Queued => "queued",
            Status::Open => "open",
            Status::Pending => "pending",
            Status::Snoozed => "snoozed",
            Status::Resolved => "resolved",
        }
    }
    pub fn parse(s: &str) -> Option<Status> {
        [
            Status::Bot,
            Status::Queued,
            Status::Open,
            Status::Pending,
            Status::Snoozed,
            Status::Resolved,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }
}
crate::util::sql_text_enum!(Status);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Sender {
    Contact,
    Agent,
    Bot,
    System,
}

impl Sender {
    pub fn as_str(self) -> &'static str {
        match self {
            Sender::Contact => "contact",
            Sender::Agent => "agent",
            Sender::Bot => "bot",
            Sender::System => "system",
        }
    }
    pub fn parse(s: &str) -> Option<Sender> {
        [Sender::Contact, Sender::Agent, Sender::Bot, Sender::System]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}
crate::util::sql_text_enum!(Sender);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Delivery {
    Sent,
    Delivered,
    Read,
}

impl Delivery {
    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::Sent => "sent",
            Delivery::Delivered => "delivered",
            Delivery::Read => "read",
        }
    }
    pub fn parse(s: &str) -> Option<Delivery> {
        [Delivery::Sent, Delivery::Delivered, Delivery::Read]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}
crate::util::sql_text_enum!(Delivery);

/// What every channel hands to `ingest`: a customer's message on an inbox.
pub struct InboundMessage {
    pub inbox_id: InboxId,
    pub contact_id: ContactId,
    pub body: String,
    /// The sender's id for this message (widget client id, email Message-ID…);
    /// a message with a known id is not stored again.
    pub external_id: Option<String>,
    /// An image the customer uploaded first.
    pub attachment: Option<crate::attachments::AttachmentId>,
}

pub struct Ingested {
    pub message: Message,
    pub conversation: ConversationSummary,
    /// True when `external_id` was already stored: nothing new was written.
    pub duplicate: bool,
}

fn check_body(body: &str, has_attachment: bool) -> AppResult<String> {
    let body = body.trim_end();
    if body.trim().is_empty() && !has_attachment {
        return Err(AppError::bad_request("body_empty"));
    }
    if body.chars().count() > BODY_MAX {
        return Err(AppError::bad_request("body_too_long").with("max", BODY_MAX));
    }
    Ok(body.to_string())
}

/// The one way customer messages enter kefu. Stores the message (once per
/// external id), opens or reopens the conversation, queues it for a human and lets
/// routing assign it — all in one transaction — then publishes.
pub async fn ingest(
    db: &Db,
    hub: &Hub,
    router: &routing::Router,
    inbound: InboundMessage,
) -> AppResult<Ingested> {
    if let Some(id) = &inbound.external_id
        && (id.is_empty() || id.len() > 64)
    {
        return Err(AppError::bad_request("client_id_invalid"));
    }
    // A console is open: the message reaches an agent the moment it is committed.
    let delivered = hub.agent_sockets() > 0;
    let router = router.clone();
    let (ingested, replies, changed) = db
        .write(move |c| {
            let routing = router.snapshot(c)?;
            let stored = store_in(c, &inbound, delivered, &routing)?;
            let ingested = Ingested {
                message: views::message(c, stored.message)?,
                conversation: views::summary(c, stored.conversation)?,
                duplicate: stored.duplicate,
            };
            let replies = stored
                .replies
                .iter()
                .map(|id| views::message(c, *id))
                .collect::<AppResult<Vec<_>>>()?;
            Ok((ingested, replies, stored.changed))
        })
        .await?;
    if !ingested.duplicate {
        publish_message(db, hub, &ingested.message, &ingested.conversation, changed).await;
        for reply in &replies {
            publish_message(db, hub, reply, &ingested.conversation, Vec::new()).await;
        }
    }
    Ok(ingested)
}

/// What `store_in` wrote (or found already written).
struct Stored {
    message: MessageId,
    conversation: ConversationId,
    /// The external id was known: nothing new was written.
    duplicate: bool,
    /// Conversations the write changed, to publish once it is committed.
    changed: Vec<ConversationId>,
    /// A routing rule's auto-reply, written after the message.
    replies: Vec<MessageId>,
}

/// `ingest`'s write, inside the caller's transaction.
fn store_in(
    c: &rusqlite::Connection,
    inbound: &InboundMessage,
    delivered: bool,
    routing: &routing::Snapshot,
) -> AppResult<Stored> {
    let body = check_body(&inbound.body, inbound.attachment.is_some())?;
    if let Some(ext) = &inbound.external_id
        && let Some(existing) = store::message_by_external_id(c, inbound.inbox_id, ext)?
    {
        if store::conversation_row(c, existing.conversation_id)?.contact_id != inbound.contact_id {
            // Another customer's id: never hand back their message.
            return Err(AppError::conflict("client_id_taken"));
        }
        return Ok(Stored {
            message: existing.id,
            conversation: existing.conversation_id,
            duplicate: true,
            changed: Vec::new(),
            replies: Vec::new(),
        });
    }
    if let Some(a) = inbound.attachment {
        crate::attachments::check_owned(c, a, crate::attachments::Uploader::Contact(inbound.contact_id))?;
    }
    let found = store::conversation_for_customer_message(c, inbound)?;
    let (conversation, mut changed) = (found.id, found.changed);
    let delivery = if delivered {
        Delivery::Delivered
    } else {
        Delivery::Sent
    };
    let message = store::insert_message(
        c,
        conversation,
        inbound.inbox_id,
        Sender::Contact,
        None,
        &body,
        false,
        inbound.external_id.as_deref(),
        delivery,
        inbound.attachment,
    )?;
    let mut replies = Vec::new();
    let feeling = routing::sentiment::analyse(&body);
    if found.created {
        let routed = routing::route_new(c, routing, conversation, &body, &feeling)?;
        if let Some(text) = routed.auto_reply {
            replies.push(store::insert_message(
                c,
                conversation,
                inbound.inbox_id,
                Sender::Bot,
                None,
                &text,
                false,
                None,
                Delivery::Sent,
                None,
            )?);
        }
    }
    store::after_customer_message(c, conversation)?;
    routing::on_customer_message(c, conversation, message, &feeling)?;
    changed.extend(routing::dispatch(c)?);
    Ok(Stored {
        message,
        conversation,
        duplicate: false,
        changed,
        replies,
    })
}

/// An agent's reply (or private note, never shown to the customer). A customer
/// who is not in the chat right now (no widget open) but left an email
/// address gets a public reply by mail too, in the conversation's thread; so does
/// one whose conversation began by email.
#[allow(clippy::too_many_arguments)]
pub async fn reply(
    db: &Db,
    hub: &Hub,
    mailroom: &Mailroom,
    agent: AgentId,
    conversation_id: ConversationId,
    body: &str,
    private: bool,
    attachment: Option<crate::attachments::AttachmentId>,
) -> AppResult<Message> {
    let body = check_body(body, attachment.is_some())?;
    let contact = db
        .read(move |c| Ok(store::conversation_row(c, conversation_id)?.contact_id))
        .await?;
    let customer_in_chat = hub.has_subscribers(Topic::Contact(contact));
    let room = mailroom.clone();
    let (message, summary, changed, emailed) = db
        .write(move |c| {
            let conv = store::conversation_row(c, conversation_id)?;
            if let Some(a) = attachment {
                crate::attachments::check_owned(c, a, crate::attachments::Uploader::Agent(agent))?;
            }
            let id = store::insert_message(
                c,
                conversation_id,
                conv.inbox_id,
                Sender::Agent,
                Some(agent),
                &body,
                private,
                None,
                Delivery::Sent,
                attachment,
            )?;
            let mut changed = Vec::new();
            let mut message = views::message(c, id)?;
            let mut emailed = false;
            if !private {
                crate::kb::suggestions::propose_in(c, conversation_id, &body)?;
                changed = store::after_agent_reply(c, &conv, agent)?;
                emailed = mail::reply_if_away(c, &room, &conv, &message, customer_in_chat)?;
                if emailed {
                    // Again, now with its mail's state.
                    message = views::message(c, id)?;
                }
            }
            Ok((message, views::summary(c, conversation_id)?, changed, emailed))
        })
        .await?;
    if emailed {
        mailroom.wake();
    }
    publish_message(db, hub, &message, &summary, changed).await;
    Ok(message)
}

/// Resolve, reopen, mark pending, or snooze until a time.
pub async fn set_status(
    db: &Db,
    hub: &Hub,
    actor: AgentId,
    conversation_id: ConversationId,
    status: Status,
    snoozed_until: Option<i64>,
) -> AppResult<ConversationSummary> {
    let until = match status {
        Status::Snoozed => Some(
            snoozed_until
                .filter(|t| *t > crate::util::now_ms())
                .ok_or_else(|| AppError::bad_request("snooze_time_invalid"))?,
        ),
        Status::Open | Status::Pending | Status::Resolved => None,
        Status::Bot | Status::Queued => {
            return Err(
                AppError::bad_request("status_invalid").with("allowed", "open, pending, snoozed, resolved")
            );
        }
    };
    let changed = db
        .write(move |c| {
            let conv = store::conversation_row(c, conversation_id)?;
            let mut changed = store::change_status(c, &conv, status, until, Some(actor))?;
            changed.extend(routing::dispatch(c)?);
            Ok(changed)
        })
        .await?;
    let summary = db.read(move |c| views::summary(c, conversation_id)).await?;
    publish_summaries(db, hub, changed, Some(summary.clone())).await;
    Ok(summary)
}

/// Assigns to an agent (or back to the queue with `None`) and/or moves to a team.
pub async fn assign(
    db: &Db,
    hub: &Hub,
    actor: AgentId,
    conversation_id: ConversationId,
    agent: Option<Option<AgentId>>,
    team: Option<Option<TeamId>>,
) -> AppResult<ConversationSummary> {
    let changed = db
        .write(move |c| {
            let conv = store::conversation_row(c, conversation_id)?;
            let mut changed = vec![conversation_id];
            if let Some(team) = team {
                store::set_team(c, &conv, team, actor)?;
            }
            if let Some(agent) = agent {
                store::set_assignee(c, &conv, agent, actor)?;
            }
            changed.extend(routing::dispatch(c)?);
            Ok(changed)
        })
        .await?;
    let summary = db.read(move |c| views::summary(c, conversation_id)).await?;
    publish_summaries(db, hub, changed, Some(summary.clone())).await;
    Ok(summary)
}

/// Replaces the conversation's labels.
pub async fn set_labels(
    db: &Db,
    hub: &Hub,
    actor: AgentId,
    conversation_id: ConversationId,
    labels: Vec<crate::labels::LabelId>,
) -> AppResult<ConversationSummary> {
    let summary = db
        .write(move |c| {
            store::conversation_row(c, conversation_id)?;
            crate::labels::set_conversation_labels(c, conversation_id, &labels, actor)?;
            views::summary(c, conversation_id)
        })
        .await?;
    hub.publish(Topic::Agents, Event::Conversation(summary.clone()));
    Ok(summary)
}

/// The agent opened the conversation: unread count to zero, the customer's messages read.
pub async fn mark_read_by_agent(db: &Db, hub: &Hub, conversation_id: ConversationId) -> AppResult<()> {
    let result = db
        .write(move |c| {
            let conv = store::conversation_row(c, conversation_id)?;
            let up_to = store::mark_read(c, conversation_id, Sender::Contact)?;
            Ok((conv.contact_id, up_to, views::summary(c, conversation_id)?))
        })
        .await?;
    let (contact, up_to, summary) = result;
    if let Some(up_to) = up_to {
        hub.publish(
            Topic::Contact(contact),
            Event::Delivery {
                conversation_id,
                up_to,
                delivery: Delivery::Read,
                of_contact: true,
            },
        );
    }
    hub.publish(Topic::Agents, Event::Conversation(summary));
    Ok(())
}

/// The customer read the agents' messages up to `up_to`.
pub async fn mark_read_by_contact(db: &Db, hub: &Hub, contact: ContactId, up_to: MessageId) -> AppResult<()> {
    let read = db
        .write(move |c| {
            let Some(conversation_id) = store::latest_conversation_of(c, contact)? else {
                return Ok(None);
            };
            let last = store::mark_read_up_to(c, conversation_id, Sender::Agent, up_to)?;
            Ok(last.map(|l| (conversation_id, l)))
        })
        .await?;
    if let Some((conversation_id, up_to)) = read {
        hub.publish(
            Topic::Agents,
            Event::Delivery {
                conversation_id,
                up_to,
                delivery: Delivery::Read,
                of_contact: false,
            },
        );
    }
    Ok(())
}

/// "Talk to a human": a conversation with the bot (or resolved) goes to the queue.
pub async fn request_human(db: &Db, hub: &Hub, contact: ContactId) -> AppResult<Option<ConversationSummary>> {
    let result = db
        .write(move |c| {
            let Some(id) = store::latest_conversation_of(c, contact)? else {
                return Ok(None);
            };
            let conv = store::conversation_row(c, id)?;
            let mut changed = store::request_human(c, &conv)?;
            changed.extend(routing::dispatch(c)?);
            Ok(Some((id, changed)))
        })
        .await?;
    let Some((id, changed)) = result else {
        return Ok(None);
    };
    let summary = db.read(move |c| views::summary(c, id)).await?;
    publish_summaries(db, hub, changed, Some(summary.clone())).await;
    Ok(Some(summary))
}

/// Snoozed conversations whose time has come are back: with their agent if they
/// still have one, otherwise in the queue. Run by a background job.
pub async fn wake_snoozed(db: &Db, hub: &Hub) -> AppResult<usize> {
    let changed = db
        .write(|c| {
            let mut changed = store::wake_snoozed(c, crate::util::now_ms())?;
            changed.extend(routing::dispatch(c)?);
            Ok(changed)
        })
        .await?;
    let n = changed.len();
    publish_summaries(db, hub, changed, None).await;
    Ok(n)
}

/// An agent's availability changed. One who left gives their open chats back to
/// the queue if the shop wants that; then the queue is handed out again.
pub async fn availability_changed(db: &Db, hub: &Hub, agent: AgentId) -> AppResult<()> {
    let changed = db
        .write(move |c| {
            let online: bool = c
                .prepare_cached("SELECT availability = 'online' FROM agents WHERE id = ?1")?
                .query_row([agent], |r| r.get(0))?;
            let mut changed = Vec::new();
            if !online && routing::settings::load(c)?.requeue_on_offline {
                changed = routing::requeue_agent(c, agent)?;
            }
            changed.extend(routing::dispatch(c)?);
            Ok(changed)
        })
        .await?;
    publish_summaries(db, hub, changed, None).await;
    Ok(())
}

/// Agents' availability or capacity changed: hand queued conversations out now.
pub async fn redispatch(db: &Db, hub: &Hub) -> AppResult<()> {
    let changed = db.write(|c| Ok(routing::dispatch(c)?)).await?;
    publish_summaries(db, hub, changed, None).await;
    Ok(())
}
