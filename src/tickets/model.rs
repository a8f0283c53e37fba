//! The ticket's types: its status machine, priority, and what the API shows.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::{AgentId, TeamId};
use crate::contacts::ContactId;
use crate::conversations::ConversationId;

crate::accounts::id_type!(TicketId);
crate::accounts::id_type!(TicketTypeId);

/// new → open → pending (waiting on the customer) / on_hold (waiting on a third
/// party) → solved → closed. A customer reply reopens anything but closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    New,
    Open,
    Pending,
    OnHold,
    Solved,
    Closed,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::New,
        Status::Open,
        Status::Pending,
        Status::OnHold,
        Status::Solved,
        Status::Closed,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Open => "open",
            Status::Pending => "pending",
            Status::OnHold => "on_hold",
            Status::Solved => "solved",
            Status::Closed => "closed",
        }
    }
    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }
}
crate::util::sql_text_enum!(Status);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

impl Priority {
    pub const ALL: [Priority; 4] = [Priority::Low, Priority::Normal, Priority::High, Priority::Urgent];
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }
    pub fn parse(s: &str) -> Option<Priority> {
        Priority::ALL.into_iter().find(|p| p.as_str() == s)
    }
}
crate::util::sql_text_enum!(Priority);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Created,
    PublicReply,
    CustomerReply,
    Note,
    Status,
    Team,
    Assignee,
    Priority,
    Type,
    Link,
    Fields,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Created => "created",
            EventKind::PublicReply => "public_reply",
            EventKind::CustomerReply => "customer_reply",
            EventKind::Note => "note",
            EventKind::Status => "status",
            EventKind::Team => "team",
            EventKind::Assignee => "assignee",
            EventKind::Priority => "priority",
            EventKind::Type => "type",
            EventKind::Link => "link",
            EventKind::Fields => "fields",
        }
    }
    pub fn parse(s: &str) -> Option<EventKind> {
        use EventKind::*;
        [
            Created,
            PublicReply,
            CustomerReply,
            Note,
            Status,
            Team,
            Assignee,
            Priority,
            Type,
            Link,
            Fields,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}
crate::util::sql_text_enum!(EventKind);

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TicketContact {
    pub id: ContactId,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Ticket {
    pub id: TicketId,
    /// Shown as #1001.
    pub number: i64,
    pub subject: String,
    pub request: String,
    pub status: Status,
    pub priority: Priority,
    pub type_id: Option<TicketTypeId>,
    pub type_name: Option<String>,
    pub team_id: Option<TeamId>,
    pub assignee_id: Option<AgentId>,
    pub order_ref: Option<String>,
    pub due_at: Option<i64>,
    pub contact: TicketContact,
    pub conversation_id: Option<ConversationId>,
    /// console, conversation, email or api.
    pub source: String,
    /// The customer's language: `en` or `zh-CN`.
    pub locale: String,
    #[serde(skip)]
    pub public_token: String,
    /// The customer's status page (no login; the link is the key).
    pub status_url: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub first_response_at: Option<i64>,
    pub solved_at: Option<i64>,
    pub closed_at: Option<i64>,
}

/// Who wrote or changed something.
#[derive(Clone, Debug)]
pub enum EventAuthor {
    Agent(AgentId),
    Contact,
    System,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AuthorView {
    /// agent, contact or system
    pub kind: String,
    pub id: Option<AgentId>,
    pub name: String,
}

/// The delivery of the email that carried a public reply or update.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EmailState {
    pub outbox_id: i64,
    /// queued, sent or failed
    pub status: String,
    pub error: Option<String>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Event {
    pub id: i64,
    pub kind: EventKind,
    /// Shown on the customer's status page.
    pub public: bool,
    pub author: AuthorView,
    pub body: Option<String>,
    /// `{from, to}` for changes, `{note}` on a transfer, `{conversation_id}` for links.
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    pub attachment: Option<crate::attachments::Attachment>,
    pub email: Option<EmailState>,
    pub created_at: i64,
}
