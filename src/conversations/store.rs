//! SQL for conversations: rows, messages, the status machine and the timeline.

use rusqlite::{Connection, OptionalExtension, named_params};

use super::views::{self, Message};
use super::{ConversationId, Delivery, InboundMessage, MessageId, Sender, Status};
use crate::accounts::{AgentId, TeamId};
use crate::contacts::ContactId;
use crate::error::{AppError, AppResult};
use crate::inboxes::InboxId;
use crate::util::now_ms;

/// Longest message body, in characters.
pub const BODY_MAX: usize = 5000;

pub(super) struct ConvRow {
    pub id: ConversationId,
    pub inbox_id: InboxId,
    pub contact_id: ContactId,
    pub status: Status,
    pub assignee_id: Option<AgentId>,
}

pub(super) fn conversation_row(c: &Connection, id: ConversationId) -> AppResult<ConvRow> {
    c.prepare_cached("SELECT id, inbox_id, contact_id, status, assignee_id FROM conversations WHERE id = ?1")?
        .query_row([id], |r| {
            Ok(ConvRow {
                id: r.get(0)?,
                inbox_id: r.get(1)?,
                contact_id: r.get(2)?,
                status: r.get(3)?,
                assignee_id: r.get(4)?,
            })
        })
        .optional()?
        .ok_or_else(|| AppError::not_found("not_found"))
}

pub(super) fn message_by_external_id(
    c: &Connection,
    inbox: InboxId,
    ext: &str,
) -> AppResult<Option<Message>> {
    let id: Option<MessageId> = c
        .prepare_cached("SELECT id FROM messages WHERE inbox_id = ?1 AND external_id = ?2")?
        .query_row(rusqlite::params![inbox, ext], |r| r.get(0))
        .optional()?;
    id.map(|id| views::message(c, id)).transpose()
}

pub(super) fn latest_conversation_of(
    c: &Connection,
    contact: ContactId,
) -> rusqlite::Result<Option<ConversationId>> {
    c.prepare_cached("SELECT id FROM conversations WHERE contact_id = ?1 ORDER BY id DESC LIMIT 1")?
        .query_row([contact], |r| r.get(0))
        .optional()
}

/// Records a timeline event.
pub(crate) fn event(
    c: &Connection,
    conversation: ConversationId,
    actor: Option<AgentId>,
    actor_kind: &str,
    kind: &str,
    detail: serde_json::Value,
) -> rusqlite::Result<()> {
    c.prepare_cached(
        "INSERT INTO conversation_events (conversation_id, at, actor_kind, actor_agent_id, kind, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(rusqlite::params![
        conversation,
        now_ms(),
        actor_kind,
        actor,
        kind,
        detail.to_string()
    ])?;
    Ok(())
}

fn update_status(c: &Connection, id: ConversationId, status: Status) -> rusqlite::Result<()> {
    c.prepare_cached("UPDATE conversations SET status = ?2, updated_at = ?3 WHERE id = ?1")?
        .execute(rusqlite::params![id, status, now_ms()])?;
    Ok(())
}

/// What a customer message found: its conversation, the conversations changed,
/// and whether the conversation is new (routing decides where it goes).
pub(super) struct Found {
    pub id: ConversationId,
    pub changed: Vec<ConversationId>,
    pub created: bool,
}

/// Finds the conversation a customer message belongs to: the contact's latest one in
/// this inbox, reopened if it was resolved, woken if pending or snoozed; or a new one.
pub(super) fn conversation_for_customer_message(
    c: &Connection,
    inbound: &InboundMessage,
) -> AppResult<Found> {
    let found = |id, changed: bool| Found {
        id,
        changed: if changed { vec![id] } else { Vec::new() },
        created: false,
    };
    let latest: Option<(ConversationId, Status, Option<AgentId>)> = c
        .prepare_cached(
            "SELECT id, status, assignee_id FROM conversations WHERE contact_id = ?1 AND inbox_id = ?2
             ORDER BY id DESC LIMIT 1",
        )?
        .query_row(rusqlite::params![inbound.contact_id, inbound.inbox_id], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    let now = now_ms();
    match latest {
        None => {
            // With the bot on, it answers first; nobody waits for a person yet.
            c.prepare_cached(
                "INSERT INTO conversations (inbox_id, contact_id, status, team_id, waiting_since,
                     bot_started_at, last_message_at, created_at, updated_at)
                 SELECT :inbox, :contact, CASE WHEN i.bot_enabled = 1 THEN 'bot' ELSE 'queued' END,
                     i.default_team_id, CASE WHEN i.bot_enabled = 1 THEN NULL ELSE :now END,
                     CASE WHEN i.bot_enabled = 1 THEN :now END, :now, :now, :now
                 FROM inboxes i WHERE i.id = :inbox",
            )?
            .execute(
                named_params! { ":inbox": inbound.inbox_id, ":contact": inbound.contact_id, ":now": now },
            )?;
            let id = ConversationId(c.last_insert_rowid());
            event(c, id, None, "contact", "created", serde_json::json!({}))?;
            Ok(Found {
                id,
                changed: vec![id],
                created: true,
            })
        }
        Some((id, Status::Resolved, _)) => {
            super::bot::reopen(c, id, now)?;
            event(c, id, None, "contact", "reopened", serde_json::json!({}))?;
            Ok(found(id, true))
        }
        Some((id, from @ (Status::Pending | Status::Snoozed), assignee)) => {
            let to = if assignee.is_some() {
                Status::Open
            } else {
                Status::Queued
            };
            c.prepare_cached("UPDATE conversations SET snoozed_until = NULL WHERE id = ?1")?
                .execute([id])?;
            update_status(c, id, to)?;
            event(
                c,
                id,
                None,
                "contact",
                "status",
                serde_json::json!({"from": from, "to": to}),
            )?;
            Ok(found(id, true))
        }
        Some((id, _, _)) => Ok(found(id, false)),
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn insert_message(
    c: &Connection,
    conversation: ConversationId,
    inbox: InboxId,
    sender: Sender,
    agent: Option<AgentId>,
    body: &str,
    private: bool,
    external_id: Option<&str>,
    delivery: Delivery,
    attachment: Option<crate::attachments::AttachmentId>,
) -> AppResult<MessageId> {
    c.prepare_cached(
        "INSERT INTO messages (conversation_id, inbox_id, sender_kind, sender_agent_id, body, private,
             external_id, delivery, attachment_id, created_at)
         VALUES (:conv, :inbox, :sender, :agent, :body, :private, :ext, :delivery, :attachment, :now)",
    )?
    .execute(named_params! {
        ":conv": conversation, ":inbox": inbox, ":sender": sender, ":agent": agent, ":body": body,
        ":private": private, ":ext": external_id, ":delivery": delivery, ":attachment": attachment, ":now": now_ms(),
    })?;
    Ok(MessageId(c.last_insert_rowid()))
}

/// These customer messages came by email rather than in the chat.
pub(super) fn mark_via_email(c: &Connection, ids: &[MessageId]) -> rusqlite::Result<()> {
    let mut update = c.prepare_cached("UPDATE messages SET via = 'email' WHERE id = ?1")?;
    for id in ids {
        update.execute([id])?;
    }
    Ok(())
}

pub(super) fn after_customer_message(c: &Connection, id: ConversationId) -> rusqlite::Result<()> {
    c.prepare_cached(
        "UPDATE conversations SET last_message_at = ?2, agent_unread = agent_unread + 1, updated_at = ?2,
             -- Nobody waits for a person while the bot holds the conversation.
             waiting_since = CASE WHEN status = 'bot' THEN waiting_since ELSE coalesce(waiting_since, ?2) END
         WHERE id = ?1",
    )?
    .execute(rusqlite::params![id, now_ms()])?;
    Ok(())
}

/// A public agent reply: the customer no longer waits; the first reply time is kept;
/// an unassigned conversation belongs to whoever answered it.
pub(super) fn after_agent_reply(
    c: &Connection,
    conv: &ConvRow,
    agent: AgentId,
) -> AppResult<Vec<ConversationId>> {
    let now = now_ms();
    c.prepare_cached(
        "UPDATE conversations SET first_reply_at = coalesce(first_reply_at, ?2), waiting_since = NULL,
             last_message_at = ?2, updated_at = ?2 WHERE id = ?1",
    )?
    .execute(rusqlite::params![conv.id, now])?;
    if conv.assignee_id.is_none() && matches!(conv.status, Status::Queued | Status::Bot) {
        set_assignee(c, conv, Some(agent), agent)?;
    }
    Ok(vec![conv.id])
}

pub(super) fn change_status(
    c: &Connection,
    conv: &ConvRow,
    status: Status,
    snoozed_until: Option<i64>,
    actor: Option<AgentId>,
) -> AppResult<Vec<ConversationId>> {
    if conv.status == Status::Bot {
        // A person acted on it: the bot's part ends in a handoff.
        super::bot::set_outcome(c, conv.id, super::bot::Outcome::HandedOff)?;
    }
    // Reopening without an owner puts the conversation back in the queue.
    let to = if status == Status::Open && conv.assignee_id.is_none() {
        Status::Queued
    } else {
        status
    };
    let now = now_ms();
    c.prepare_cached(
        "UPDATE conversations SET status = :to, snoozed_until = :until,
             resolved_at = CASE WHEN :to = 'resolved' THEN :now ELSE NULL END,
             waiting_since = CASE WHEN :to = 'resolved' THEN NULL
                                  WHEN :to = 'queued' THEN coalesce(waiting_since, :now)
                                  ELSE waiting_since END,
             updated_at = :now WHERE id = :id",
    )?
    .execute(named_params! { ":to": to, ":until": snoozed_until, ":now": now, ":id": conv.id })?;
    event(
        c,
        conv.id,
        actor,
        "agent",
        "status",
        serde_json::json!({"from": conv.status, "to": to}),
    )?;
    Ok(vec![conv.id])
}

pub(super) fn set_team(
    c: &Connection,
    conv: &ConvRow,
    team: Option<TeamId>,
    actor: AgentId,
) -> AppResult<()> {
    crate::accounts::teams::ensure_team_exists(c, team)?;
    c.prepare_cached("UPDATE conversations SET team_id = ?2, updated_at = ?3 WHERE id = ?1")?
        .execute(rusqlite::params![conv.id, team, now_ms()])?;
    event(
        c,
        conv.id,
        Some(actor),
        "agent",
        "team",
        serde_json::json!({"team_id": team}),
    )?;
    Ok(())
}

/// Manual assignment; `None` puts the conversation back in the queue.
pub(super) fn set_assignee(
    c: &Connection,
    conv: &ConvRow,
    agent: Option<AgentId>,
    actor: AgentId,
) -> AppResult<()> {
    if let Some(a) = agent {
        let active: Option<bool> = c
            .prepare_cached("SELECT active FROM agents WHERE id = ?1")?
            .query_row([a], |r| r.get(0))
            .optional()?;
        match active {
            None => return Err(AppError::bad_request("unknown_agent").with("id", a)),
            Some(false) => return Err(AppError::bad_request("agent_inactive").with("id", a)),
            Some(true) => {}
        }
    }
    if agent.is_some() && conv.status == Status::Bot {
        super::bot::set_outcome(c, conv.id, super::bot::Outcome::HandedOff)?;
    }
    let status = match (agent, conv.status) {
        (Some(_), Status::Queued | Status::Bot) => Status::Open,
        (None, Status::Open | Status::Pending) => Status::Queued,
        (_, s) => s,
    };
    c.prepare_cached(
        "UPDATE conversations SET assignee_id = ?2, status = ?3, updated_at = ?4,
             waiting_since = CASE WHEN ?3 = 'queued' THEN coalesce(waiting_since, ?4) ELSE waiting_since END
         WHERE id = ?1",
    )?
    .execute(rusqlite::params![conv.id, agent, status, now_ms()])?;
    let kind = if agent.is_some() { "assigned" } else { "unassigned" };
    event(
        c,
        conv.id,
        Some(actor),
        "agent",
        kind,
        serde_json::json!({"agent_id": agent}),
    )?;
    Ok(())
}

pub(super) fn request_human(c: &Connection, conv: &ConvRow) -> AppResult<Vec<ConversationId>> {
    event(
        c,
        conv.id,
        None,
        "contact",
        "human_requested",
        serde_json::json!({}),
    )?;
    if matches!(conv.status, Status::Bot | Status::Resolved) {
        c.prepare_cached(
            "UPDATE conversations SET status = 'queued', assignee_id = NULL, resolved_at = NULL,
                 waiting_since = coalesce(waiting_since, ?2), updated_at = ?2 WHERE id = ?1",
        )?
        .execute(rusqlite::params![conv.id, now_ms()])?;
    }
    Ok(vec![conv.id])
}

/// Marks every message of `sender` read; returns the highest id that changed.
pub(super) fn mark_read(
    c: &Connection,
    conv: ConversationId,
    sender: Sender,
) -> AppResult<Option<MessageId>> {
    c.prepare_cached("UPDATE conversations SET agent_unread = 0 WHERE id = ?1")?
        .execute([conv])?;
    mark_read_up_to(c, conv, sender, MessageId(i64::MAX))
}

pub(super) fn mark_read_up_to(
    c: &Connection,
    conv: ConversationId,
    sender: Sender,
    up_to: MessageId,
) -> AppResult<Option<MessageId>> {
    let last: Option<MessageId> = c
        .prepare_cached(
            "SELECT max(id) FROM messages WHERE conversation_id = ?1 AND sender_kind = ?2 AND id <= ?3
             AND delivery != 'read' AND private = 0",
        )?
        .query_row(rusqlite::params![conv, sender, up_to], |r| r.get(0))?;
    if let Some(last) = last {
        c.prepare_cached(
            "UPDATE messages SET delivery = 'read' WHERE conversation_id = ?1 AND sender_kind = ?2
             AND id <= ?3 AND delivery != 'read'",
        )?
        .execute(rusqlite::params![conv, sender, last])?;
    }
    Ok(last)
}

/// Wakes conversations snoozed until `now` or earlier.
pub(super) fn wake_snoozed(c: &Connection, now: i64) -> AppResult<Vec<ConversationId>> {
    let due: Vec<(ConversationId, Option<AgentId>)> = c
        .prepare_cached(
            "SELECT id, assignee_id FROM conversations WHERE status = 'snoozed' AND snoozed_until <= ?1",
        )?
        .query_map([now], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (id, assignee) in &due {
        let to = if assignee.is_some() {
            Status::Open
        } else {
            Status::Queued
        };
        c.prepare_cached(
            "UPDATE conversations SET status = ?2, snoozed_until = NULL, updated_at = ?3,
                 waiting_since = CASE WHEN ?2 = 'queued' THEN coalesce(waiting_since, ?3) ELSE waiting_since END
             WHERE id = ?1",
        )?
        .execute(rusqlite::params![id, to, now])?;
        event(
            c,
            *id,
            None,
            "system",
            "status",
            serde_json::json!({"from": Status::Snoozed, "to": to, "by": "snooze_ended"}),
        )?;
    }
    Ok(due.into_iter().map(|(id, _)| id).collect())
}
