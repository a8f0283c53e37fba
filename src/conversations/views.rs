//! What agents and customers see of conversations: summaries for lists, messages,
//! the timeline, and the filtered inbox list.

use rusqlite::{Connection, OptionalExtension, Row};
use serde::Serialize;
use utoipa::ToSchema;

use super::{ConversationId, Delivery, MessageId, Sender, Status};
use crate::accounts::{AgentId, TeamId};
use crate::contacts::ContactId;
use crate::error::{AppError, AppResult};
use crate::inboxes::InboxId;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Message {
    pub id: MessageId,
    pub conversation_id: ConversationId,
    pub sender: Sender,
    pub agent_id: Option<AgentId>,
    pub agent_name: Option<String>,
    pub body: String,
    /// A note for colleagues; never shown to the customer.
    pub private: bool,
    /// The client's id for the message (widget), used to recognise retries.
    pub client_id: Option<String>,
    pub delivery: Delivery,
    pub created_at: i64,
    /// An image (or, from an email, any file) sent with the message.
    pub attachment: Option<crate::attachments::Attachment>,
    /// `email` when the customer answered by mail rather than in the chat.
    pub via: Option<String>,
    /// The email that carried an agent's reply to a customer who had left the chat.
    pub mail: Option<MessageMail>,
    /// What the bot's message is (answer, offers, handoff…) and what the customer did with it.
    pub bot: Option<super::bot::BotMeta>,
    /// For customer messages: how they sound (see docs/routing.md).
    pub sentiment: Option<crate::routing::sentiment::Sentiment>,
}

/// Where the emailed copy of a reply stands.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MessageMail {
    /// The outbox row: `POST /api/mail/{id}/retry` sends a failed one again.
    pub id: i64,
    pub to_email: String,
    /// queued / sent / failed
    pub status: String,
    pub last_error: Option<String>,
}

const MESSAGE_COLUMNS: &str = "m.id, m.conversation_id, m.sender_kind, m.sender_agent_id, a.name, m.body, \
    m.private, m.external_id, m.delivery, m.created_at, at.id, at.token, at.mime, at.size, at.filename, m.via, \
    o.to_email, o.status, o.last_error, o.id, m.bot, m.sentiment";

/// Joins for `MESSAGE_COLUMNS`.
const MESSAGE_JOINS: &str = "LEFT JOIN agents a ON a.id = m.sender_agent_id LEFT JOIN attachments at ON at.id = m.attachment_id \
     LEFT JOIN outbox o ON m.sender_kind = 'agent' \
       AND o.id = (SELECT max(id) FROM outbox WHERE about = 'message:' || m.id)";

fn message_from_row(r: &Row) -> rusqlite::Result<Message> {
    Ok(Message {
        id: r.get(0)?,
        conversation_id: r.get(1)?,
        sender: r.get(2)?,
        agent_id: r.get(3)?,
        agent_name: r.get(4)?,
        body: r.get(5)?,
        private: r.get(6)?,
        client_id: r.get(7)?,
        delivery: r.get(8)?,
        created_at: r.get(9)?,
        attachment: match r.get::<_, Option<crate::attachments::AttachmentId>>(10)? {
            Some(id) => Some(crate::attachments::Attachment {
                id,
                url: format!("/api/attachments/{}", r.get::<_, String>(11)?),
                mime: r.get(12)?,
                size: r.get(13)?,
                filename: r.get(14)?,
            }),
            None => None,
        },
        via: r.get(15)?,
        mail: match r.get::<_, Option<String>>(16)? {
            Some(to_email) => Some(MessageMail {
                to_email,
                status: r.get(17)?,
                last_error: r.get(18)?,
                id: r.get(19)?,
            }),
            None => None,
        },
        bot: r
            .get::<_, Option<String>>(20)?
            .and_then(|j| serde_json::from_str(&j).ok()),
        sentiment: r
            .get::<_, Option<String>>(21)?
            .and_then(|j| serde_json::from_str(&j).ok()),
    })
}

pub fn message(c: &Connection, id: MessageId) -> AppResult<Message> {
    c.prepare_cached(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages m {MESSAGE_JOINS} WHERE m.id = ?1"
    ))?
    .query_row([id], message_from_row)
    .optional()?
    .ok_or_else(|| AppError::not_found("not_found"))
}

/// Every message of a conversation, notes included, oldest first.
pub fn messages_for_agent(c: &Connection, conv: ConversationId) -> rusqlite::Result<Vec<Message>> {
    c.prepare_cached(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages m {MESSAGE_JOINS}
         WHERE m.conversation_id = ?1 ORDER BY m.id"
    ))?
    .query_map([conv], message_from_row)?
    .collect()
}

/// What the customer may see: their messages and public replies after `after`,
/// across all their conversations in the inbox, oldest first.
pub fn messages_for_contact(
    c: &Connection,
    contact: ContactId,
    inbox: InboxId,
    after: MessageId,
    limit: usize,
) -> rusqlite::Result<Vec<Message>> {
    c.prepare_cached(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages m {MESSAGE_JOINS}
         JOIN conversations cv ON cv.id = m.conversation_id
         WHERE cv.contact_id = ?1 AND cv.inbox_id = ?2 AND m.id > ?3 AND m.private = 0
         ORDER BY m.id LIMIT ?4"
    ))?
    .query_map(
        rusqlite::params![contact, inbox, after, limit as i64],
        message_from_row,
    )?
    .collect()
}

/// The latest `limit` messages the customer may see, oldest first.
pub fn recent_messages_for_contact(
    c: &Connection,
    contact: ContactId,
    inbox: InboxId,
    limit: usize,
) -> rusqlite::Result<Vec<Message>> {
    let mut list: Vec<Message> = c
        .prepare_cached(&format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages m {MESSAGE_JOINS}
             JOIN conversations cv ON cv.id = m.conversation_id
             WHERE cv.contact_id = ?1 AND cv.inbox_id = ?2 AND m.private = 0
             ORDER BY m.id DESC LIMIT ?3"
        ))?
        .query_map(rusqlite::params![contact, inbox, limit as i64], message_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    list.reverse();
    Ok(list)
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ContactBrief {
    pub id: ContactId,
    pub name: String,
    pub email: Option<String>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LastMessage {
    pub sender: Sender,
    /// The first 200 characters.
    pub body: String,
    /// It carries an image.
    pub image: bool,
    /// It carries another kind of file (from an email).
    pub file: bool,
    pub created_at: i64,
}

/// A conversation as lists show it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ConversationSummary {
    pub id: ConversationId,
    pub inbox_id: InboxId,
    /// `web` (the widget) or `email`.
    pub inbox_kind: String,
    pub contact: ContactBrief,
    pub status: Status,
    pub team_id: Option<TeamId>,
    pub assignee_id: Option<AgentId>,
    pub assignee_name: Option<String>,
    pub priority: i64,
    /// Customer messages no agent has read yet.
    pub unread: i64,
    /// Since when the customer waits for an answer (`null`: not waiting).
    pub waiting_since: Option<i64>,
    pub snoozed_until: Option<i64>,
    pub first_reply_at: Option<i64>,
    pub resolved_at: Option<i64>,
    pub last_message: Option<LastMessage>,
    pub last_message_at: i64,
    pub created_at: i64,
    /// 1 for the next in line, while queued.
    pub queue_position: Option<i64>,
    /// While queued: about how long until an agent takes it, from how fast the
    /// queue moved in the last hour (see docs/routing.md).
    pub estimated_wait_ms: Option<i64>,
    pub labels: Vec<crate::labels::Label>,
    /// What the customer wants, from the classifier, a rule or an agent.
    pub intent: Option<ConversationIntent>,
    /// The trend of the customer's messages, -1..1.
    pub sentiment: Option<f64>,
    /// Trending negative: flagged for agents.
    pub negative: bool,
}

#[derive(Clone, Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct ConversationIntent {
    pub name: String,
    pub label: String,
    pub confidence: Option<f64>,
    /// `model`, `agent` or `rule`.
    pub source: String,
}

const SUMMARY_SELECT: &str = "SELECT c.id, c.inbox_id, c.contact_id, ct.name, ct.email, c.status, c.team_id, \
    c.assignee_id, a.name, c.priority, c.agent_unread, c.waiting_since, c.snoozed_until, c.first_reply_at, \
    c.resolved_at, c.last_message_at, c.created_at, \
    (SELECT json_object('sender', m.sender_kind, 'body', substr(m.body, 1, 200), \
       'image', coalesce(f.mime LIKE 'image/%', 0), 'file', coalesce(f.mime NOT LIKE 'image/%', 0), \
       'created_at', m.created_at) \
       FROM messages m LEFT JOIN attachments f ON f.id = m.attachment_id \
       WHERE m.conversation_id = c.id AND m.private = 0 ORDER BY m.id DESC LIMIT 1), \
    CASE WHEN c.status = 'queued' THEN 1 + (SELECT count(*) FROM conversations q WHERE q.status = 'queued' \
       AND (q.priority > c.priority OR (q.priority = c.priority AND (q.waiting_since < c.waiting_since \
       OR (q.waiting_since = c.waiting_since AND q.id < c.id))))) END, \
    (SELECT json_group_array(json_object('id', l.id, 'name', l.name, 'color', l.color)) \
       FROM conversation_labels cl JOIN labels l ON l.id = cl.label_id WHERE cl.conversation_id = c.id), \
    (SELECT kind FROM inboxes WHERE id = c.inbox_id), \
    (SELECT json_object('name', i.name, 'label', i.label, 'confidence', c.intent_confidence, 'source', c.intent_source) \
       FROM intents i WHERE i.id = c.intent_id), c.sentiment, c.negative \
    FROM conversations c JOIN contacts ct ON ct.id = c.contact_id LEFT JOIN agents a ON a.id = c.assignee_id";

fn summary_from_row(r: &Row) -> rusqlite::Result<ConversationSummary> {
    let last: Option<String> = r.get(17)?;
    let last_message = last.and_then(|j| {
        let v: serde_json::Value = serde_json::from_str(&j).ok()?;
        Some(LastMessage {
            sender: Sender::parse(v["sender"].as_str()?)?,
            body: v["body"].as_str()?.to_string(),
            image: v["image"].as_i64() == Some(1),
            file: v["file"].as_i64() == Some(1),
            created_at: v["created_at"].as_i64()?,
        })
    });
    Ok(ConversationSummary {
        id: r.get(0)?,
        inbox_id: r.get(1)?,
        inbox_kind: r.get(20)?,
        contact: ContactBrief {
            id: r.get(2)?,
            name: r.get(3)?,
            email: r.get(4)?,
        },
        status: r.get(5)?,
        team_id: r.get(6)?,
        assignee_id: r.get(7)?,
        assignee_name: r.get(8)?,
        priority: r.get(9)?,
        unread: r.get(10)?,
        waiting_since: r.get(11)?,
        snoozed_until: r.get(12)?,
        first_reply_at: r.get(13)?,
        resolved_at: r.get(14)?,
        last_message_at: r.get(15)?,
        created_at: r.get(16)?,
        last_message,
        queue_position: r.get(18)?,
        estimated_wait_ms: None,
        labels: r
            .get::<_, Option<String>>(19)?
            .and_then(|j| serde_json::from_str(&j).ok())
            .unwrap_or_default(),
        intent: r
            .get::<_, Option<String>>(21)?
            .and_then(|j| serde_json::from_str(&j).ok()),
        sentiment: r.get(22)?,
        negative: r.get(23)?,
    })
}

/// Fills in the estimated wait of the queued ones (one look at the queue's pace for all).
fn with_waits(
    c: &Connection,
    mut list: Vec<ConversationSummary>,
) -> rusqlite::Result<Vec<ConversationSummary>> {
    if list.iter().any(|s| s.queue_position.is_some()) {
        let pace = crate::routing::queue_pace(c)?;
        for s in &mut list {
            s.estimated_wait_ms = s
                .queue_position
                .and_then(|p| crate::routing::estimated_wait_ms(pace, p));
        }
    }
    Ok(list)
}

fn with_wait(
    c: &Connection,
    s: Option<ConversationSummary>,
) -> rusqlite::Result<Option<ConversationSummary>> {
    Ok(with_waits(c, s.into_iter().collect())?.pop())
}

pub fn summary(c: &Connection, id: ConversationId) -> AppResult<ConversationSummary> {
    let found = c
        .prepare_cached(&format!("{SUMMARY_SELECT} WHERE c.id = ?1"))?
        .query_row([id], summary_from_row)
        .optional()?;
    with_wait(c, found)?.ok_or_else(|| AppError::not_found("not_found"))
}

/// The customer's current conversation in an inbox, if any.
pub fn current_for_contact(
    c: &Connection,
    contact: ContactId,
    inbox: InboxId,
) -> AppResult<Option<ConversationSummary>> {
    c.prepare_cached(&format!(
        "{SUMMARY_SELECT} WHERE c.contact_id = ?1 AND c.inbox_id = ?2 ORDER BY c.id DESC LIMIT 1"
    ))?
    .query_row(rusqlite::params![contact, inbox], summary_from_row)
    .optional()
    .and_then(|s| with_wait(c, s))
    .map_err(Into::into)
}

/// Every conversation of a contact, newest first.
pub fn for_contact(c: &Connection, contact: ContactId) -> AppResult<Vec<ConversationSummary>> {
    c.prepare_cached(&format!(
        "{SUMMARY_SELECT} WHERE c.contact_id = ?1 ORDER BY c.id DESC LIMIT 100"
    ))?
    .query_map([contact], summary_from_row)?
    .collect::<rusqlite::Result<_>>()
    .and_then(|list| with_waits(c, list))
    .map_err(Into::into)
}

/// Which conversations an inbox list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    Mine(AgentId),
    Unassigned,
    All,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    /// Longest-waiting customer first.
    Waiting,
    /// Highest priority first, then longest waiting.
    Priority,
    /// Latest activity first.
    Recent,
}

pub struct ListFilter {
    pub view: View,
    pub team: Option<TeamId>,
    pub status: Option<Status>,
    pub search: Option<String>,
    pub sort: Sort,
    pub limit: usize,
}

fn like_pattern(q: &str) -> String {
    let escaped = q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
    format!("%{escaped}%")
}

pub fn list(c: &Connection, f: &ListFilter) -> rusqlite::Result<Vec<ConversationSummary>> {
    let mut sql = format!("{SUMMARY_SELECT} WHERE 1 = 1");
    let mut params: Vec<rusqlite::types::Value> = Vec::new();
    let mut bind = |sql: &mut String, clause: &str, v: rusqlite::types::Value| {
        params.push(v);
        sql.push_str(&clause.replace('?', &format!("?{}", params.len())));
    };
    match f.view {
        View::Mine(a) => bind(&mut sql, " AND c.assignee_id = ?", a.0.into()),
        View::Unassigned => sql.push_str(" AND c.assignee_id IS NULL"),
        View::All => {}
    }
    if let Some(t) = f.team {
        bind(&mut sql, " AND c.team_id = ?", t.0.into());
    }
    match f.status {
        Some(s) => bind(&mut sql, " AND c.status = ?", s.as_str().to_string().into()),
        None => sql.push_str(" AND c.status != 'resolved'"),
    }
    if let Some(q) = f.search.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let p = like_pattern(q);
        params.push(p.into());
        let n = params.len();
        sql.push_str(&format!(
            " AND (ct.name LIKE ?{n} ESCAPE '\\' OR ct.email LIKE ?{n} ESCAPE '\\' OR ct.phone LIKE ?{n} ESCAPE '\\' \
             OR EXISTS (SELECT 1 FROM messages sm WHERE sm.conversation_id = c.id AND sm.body LIKE ?{n} ESCAPE '\\'))"
        ));
    }
    sql.push_str(match f.sort {
        Sort::Waiting => " ORDER BY c.waiting_since IS NULL, c.waiting_since, c.last_message_at DESC",
        Sort::Priority => {
            " ORDER BY c.priority DESC, c.waiting_since IS NULL, c.waiting_since, c.last_message_at DESC"
        }
        Sort::Recent => " ORDER BY c.last_message_at DESC",
    });
    sql.push_str(&format!(" LIMIT {}", f.limit.clamp(1, 200)));
    let list = c
        .prepare(&sql)?
        .query_map(rusqlite::params_from_iter(params), summary_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    with_waits(c, list)
}

/// A timeline entry.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TimelineEvent {
    pub id: i64,
    pub at: i64,
    /// `agent`, `contact` or `system`.
    pub actor_kind: String,
    pub actor_agent_id: Option<AgentId>,
    pub actor_name: Option<String>,
    /// `created`, `assigned`, `unassigned`, `status`, `team`, `reopened`, `human_requested`.
    pub kind: String,
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

pub fn timeline(c: &Connection, conv: ConversationId) -> rusqlite::Result<Vec<TimelineEvent>> {
    c.prepare_cached(
        "SELECT e.id, e.at, e.actor_kind, e.actor_agent_id, a.name, e.kind, e.detail
         FROM conversation_events e LEFT JOIN agents a ON a.id = e.actor_agent_id
         WHERE e.conversation_id = ?1 ORDER BY e.id",
    )?
    .query_map([conv], |r| {
        let detail: String = r.get(6)?;
        Ok(TimelineEvent {
            id: r.get(0)?,
            at: r.get(1)?,
            actor_kind: r.get(2)?,
            actor_agent_id: r.get(3)?,
            actor_name: r.get(4)?,
            kind: r.get(5)?,
            detail: serde_json::from_str(&detail).unwrap_or_default(),
        })
    })?
    .collect()
}
