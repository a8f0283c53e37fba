//! The ticket's types: its status machine, priority, and what the API shows.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::{AgentId, TeamId};
use crate::contacts::ContactId;
use crate::conversations::ConversationId;

crate::accounts::id_type!(TicketId);
crate::accounts::id_type!(TicketTypeId);

/// `ALL`, `as_str` and `parse` for an enum stored and sent as snake_case text,
/// plus its SQL conversions.
macro_rules! text_enum {
    ($name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text),+
                }
            }
            pub fn parse(s: &str) -> Option<$name> {
                match s {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }
        crate::util::sql_text_enum!($name);
    };
}

/// new → open → pending (waiting on the customer) / on_hold (waiting on a third
/// party) → solved → closed. A customer reply reopens pending and solved.
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

text_enum!(Status {
    New => "new",
    Open => "open",
    Pending => "pending",
    OnHold => "on_hold",
    Solved => "solved",
    Closed => "closed",
});

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

text_enum!(Priority {
    Low => "low",
    Normal => "normal",
    High => "high",
    Urgent => "urgent",
});

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

text_enum!(EventKind {
    Created => "created",
    PublicReply => "public_reply",
    CustomerReply => "customer_reply",
    Note => "note",
    Status => "status",
    Team => "team",
    Assignee => "assignee",
    Priority => "priority",
    Type => "type",
    Link => "link",
    Fields => "fields",
});

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
    /// `null` when no SLA policy applies.
    pub sla: Option<SlaBrief>,
    /// The list's "due" order: the sooner of `due_at` and the SLA deadline.
    #[serde(skip)]
    pub next_due_at: Option<i64>,
}

/// A ticket's SLA in brief, for lists: the soonest running deadline and its state.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SlaBrief {
    pub policy_id: i64,
    pub policy_name: String,
    /// ok, warning (past the warning share), overdue, paused (waiting on someone
    /// else), met, or missed (done, but a target was missed).
    pub state: String,
    /// The soonest deadline of a running target.
    pub due_at: Option<i64>,
    pub warn_at: Option<i64>,
    /// A target was missed at some point.
    pub breached: bool,
}

impl SlaBrief {
    pub fn new(
        policy_id: i64,
        policy_name: Option<String>,
        status: Status,
        due_at: Option<i64>,
        warn_at: Option<i64>,
        breached: bool,
        now: i64,
    ) -> SlaBrief {
        let state = match (due_at, warn_at) {
            (Some(due), _) if due <= now => "overdue",
            (Some(_), Some(warn)) if warn <= now => "warning",
            (Some(_), _) => "ok",
            (None, _) if matches!(status, Status::Pending | Status::OnHold) => "paused",
            (None, _) if breached => "missed",
            (None, _) => "met",
        };
        SlaBrief {
            policy_id,
            policy_name: policy_name.unwrap_or_default(),
            state: state.to_string(),
            due_at,
            warn_at,
            breached,
        }
    }
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
