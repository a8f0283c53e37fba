//! Accounts: the shop owner, admins and agents; their sessions, roles, availability
//! and teams; invitations, password resets and API tokens for integrations.
//! Async functions here orchestrate (hash off the async threads, then write);
//! the SQL lives in the submodules next to the function that runs it.

pub mod agents;
pub mod invites;
pub mod password;
pub mod ratelimit;
pub mod resets;
pub mod sessions;
pub mod setup;
pub mod teams;
pub mod tokens;
mod validate;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::i18n::Lang;

pub use agents::Agent;
pub use teams::Team;
pub use validate::{MAX_CONCURRENT_RANGE, PASSWORD_MIN};

/// Declares an integer id newtype with serde, SQL and Display support.
#[macro_export]
macro_rules! id_type {
    ($name:ident) => {
        #[derive(
            Clone,
            Copy,
            Debug,
            PartialEq,
            Eq,
            Hash,
            PartialOrd,
            Ord,
            serde::Serialize,
            serde::Deserialize,
            utoipa::ToSchema,
        )]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl rusqlite::ToSql for $name {
            fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
                self.0.to_sql()
            }
        }

        impl rusqlite::types::FromSql for $name {
            fn column_result(v: rusqlite::types::ValueRef<'_>) -> rusqlite::types::FromSqlResult<Self> {
                i64::column_result(v).map($name)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

pub use crate::id_type;

id_type!(AgentId);
id_type!(TeamId);
id_type!(InviteId);
id_type!(TokenId);

/// What someone may do. Ordered: an owner can do everything an admin can.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Agent,
    Admin,
    Owner,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Agent => "agent",
            Role::Admin => "admin",
            Role::Owner => "owner",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "agent" => Some(Role::Agent),
            "admin" => Some(Role::Admin),
            "owner" => Some(Role::Owner),
            _ => None,
        }
    }

    pub fn is_admin(self) -> bool {
        self >= Role::Admin
    }
}

crate::util::sql_text_enum!(Role);

/// Whether an agent takes new conversations right now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Availability {
    Online,
    Away,
    Offline,
}

impl Availability {
    pub fn as_str(self) -> &'static str {
        match self {
            Availability::Online => "online",
            Availability::Away => "away",
            Availability::Offline => "offline",
        }
    }

    pub fn parse(s: &str) -> Option<Availability> {
        match s {
            "online" => Some(Availability::Online),
            "away" => Some(Availability::Away),
            "offline" => Some(Availability::Offline),
            _ => None,
        }
    }
}

crate::util::sql_text_enum!(Availability);

/// Who is making a request: a logged-in agent (session) or an integration (API token).
#[derive(Clone, Debug)]
pub struct Principal {
    pub role: Role,
    pub auth: Auth,
}

#[derive(Clone, Debug)]
pub enum Auth {
    Session {
        agent_id: AgentId,
        session_id: i64,
        csrf_token: String,
        locale: Option<Lang>,
    },
    Token {
        token_id: TokenId,
    },
}

impl Principal {
    /// The agent behind a session; `None` for API tokens.
    pub fn agent_id(&self) -> Option<AgentId> {
        match &self.auth {
            Auth::Session { agent_id, .. } => Some(*agent_id),
            Auth::Token { .. } => None,
        }
    }

    /// Text for the audit log: `agent:3` or `token:7`.
    pub fn actor(&self) -> String {
        match &self.auth {
            Auth::Session { agent_id, .. } => format!("agent:{agent_id}"),
            Auth::Token { token_id } => format!("token:{token_id}"),
        }
    }
}

/// Records who did what; written in the same transaction as the change.
pub(crate) fn audit(
    conn: &rusqlite::Connection,
    actor: Option<AgentId>,
    action: &str,
    target: &str,
    detail: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO audit_log (at, actor_id, action, target, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(rusqlite::params![
        crate::util::now_ms(),
        actor,
        action,
        target,
        detail
    ])?;
    Ok(())
}

/// Checks a required single-line text field (for other modules' forms).
pub fn validate_text(field: &'static str, raw: &str) -> crate::error::AppResult<String> {
    validate::required_text(field, raw)
}

/// Checks an optional text field with a length limit (for other modules' forms).
pub fn validate_optional_text(field: &'static str, raw: &str, max: usize) -> crate::error::AppResult<String> {
    validate::optional_text(field, raw, max)
}

/// Trims, lower-cases and checks an email address (for other modules' forms).
pub fn validate_email(raw: &str) -> crate::error::AppResult<String> {
    validate::email(raw)
}

/// Checks a `#rrggbb` colour (inboxes, labels).
pub fn validate_color(raw: &str) -> crate::error::AppResult<String> {
    validate::color(raw)
}
