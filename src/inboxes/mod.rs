//! Inboxes: where conversations come in. For now the web inbox (the widget): its
//! look, pre-chat form, default team, allowed origins, public token and secret.

use rusqlite::{Connection, OptionalExtension, Row, named_params};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::{AgentId, Principal, TeamId, audit, validate_text};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::util::{now_ms, random_token};

crate::accounts::id_type!(InboxId);

/// Whether the widget asks for a field before the first message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum FieldMode {
    #[default]
    Off,
    Optional,
    Required,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Prechat {
    pub name: FieldMode,
    pub email: FieldMode,
    pub phone: FieldMode,
}

/// An inbox as admins see it (with its secret).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Inbox {
    pub id: InboxId,
    pub kind: String,
    pub name: String,
    /// Goes into the snippet on the shop's page.
    pub public_token: String,
    /// HMAC key for identified mode; keep it on the shop's server.
    pub secret: String,
    pub greeting: String,
    pub color: String,
    pub default_team_id: Option<TeamId>,
    pub allowed_origins: Vec<String>,
    pub prechat: Prechat,
    pub offline_message: String,
    /// The bot answers new conversations from the knowledge base first.
    pub bot_enabled: bool,
    /// Words that make the bot hand over at once; empty: the built-in ones.
    pub handoff_words: Vec<String>,
    pub created_at: i64,
}

const COLUMNS: &str = "id, kind, name, public_token, secret, greeting, color, default_team_id, \
    allowed_origins, prechat, offline_message, created_at, bot_enabled, handoff_words";

fn from_row(r: &Row) -> rusqlite::Result<Inbox> {
    let origins: String = r.get(8)?;
    let prechat: String = r.get(9)?;
    Ok(Inbox {
        id: r.get(0)?,
        kind: r.get(1)?,
        name: r.get(2)?,
        public_token: r.get(3)?,
        secret: r.get(4)?,
        greeting: r.get(5)?,
        color: r.get(6)?,
        default_team_id: r.get(7)?,
        allowed_origins: serde_json::from_str(&origins).unwrap_or_default(),
        prechat: serde_json::from_str(&prechat).unwrap_or_default(),
        offline_message: r.get(10)?,
        created_at: r.get(11)?,
        bot_enabled: r.get(12)?,
        handoff_words: serde_json::from_str(&r.get::<_, String>(13)?).unwrap_or_default(),
    })
}

pub fn inbox_by_id(conn: &Connection, id: InboxId) -> rusqlite::Result<Option<Inbox>> {
    conn.prepare_cached(&format!("SELECT {COLUMNS} FROM inboxes WHERE id = ?1"))?
        .query_row([id], from_row)
        .optional()
}

/// A widget's inbox by the token in its snippet (an email inbox has no widget).
pub fn inbox_by_public_token(conn: &Connection, token: &str) -> rusqlite::Result<Option<Inbox>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM inboxes WHERE public_token = ?1 AND kind = 'web'"
    ))?
    .query_row([token], from_row)
    .optional()
}

pub fn all_inboxes(conn: &Connection) -> rusqlite::Result<Vec<Inbox>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM inboxes ORDER BY name COLLATE NOCASE, id"
    ))?
    .query_map([], from_row)?
    .collect()
}

/// The inbox that holds conversations begun by email, made the first time one is.
pub fn email_inbox(conn: &Connection) -> rusqlite::Result<InboxId> {
    let found = conn
        .prepare_cached("SELECT id FROM inboxes WHERE kind = 'email' ORDER BY id LIMIT 1")?
        .query_row([], |r| r.get(0))
        .optional()?;
    if let Some(id) = found {
        return Ok(id);
    }
    conn.prepare_cached(
        "INSERT INTO inboxes (kind, name, public_token, secret, created_at, updated_at)
         VALUES ('email', 'Email', ?1, ?2, ?3, ?3)",
    )?
    .execute(rusqlite::params![
        random_token()[..24].to_string(),
        random_token(),
        now_ms()
    ])?;
    Ok(InboxId(conn.last_insert_rowid()))
}

/// What an admin may set; `None` leaves a field as it is.
#[derive(Default, Deserialize, ToSchema)]
pub struct InboxFields {
    pub name: Option<String>,
    pub greeting: Option<String>,
    /// `#rrggbb`.
    pub color: Option<String>,
    /// A team id, or `null` for none.
    #[serde(default, deserialize_with = "crate::util::double_option")]
    #[schema(value_type = Option<i64>)]
    pub default_team_id: Option<Option<TeamId>>,
    /// e.g. `["https://shop.example"]`; empty allows any site.
    pub allowed_origins: Option<Vec<String>>,
    pub prechat: Option<Prechat>,
    pub offline_message: Option<String>,
    pub bot_enabled: Option<bool>,
    /// e.g. `["转人工", "找店长"]`; each 1–40 characters, at most 50; empty: the built-in words.
    pub handoff_words: Option<Vec<String>>,
}

/// Most handoff words an inbox may have, and the longest one.
const HANDOFF_WORDS_MAX: usize = 50;
const HANDOFF_WORD_CHARS: usize = 40;

/// Trims, drops duplicates and refuses empty or overlong words.
fn check_handoff_words(words: &[String]) -> AppResult<String> {
    if words.len() > HANDOFF_WORDS_MAX {
        return Err(AppError::bad_request("handoff_words_too_many").with("max", HANDOFF_WORDS_MAX));
    }
    let mut clean: Vec<String> = Vec::new();
    for w in words {
        let w = w.trim();
        if w.is_empty() || w.chars().count() > HANDOFF_WORD_CHARS {
            return Err(AppError::bad_request("handoff_word_invalid")
                .with("word", w)
                .with("max", HANDOFF_WORD_CHARS));
        }
        if !clean.iter().any(|c| c == w) {
            clean.push(w.to_string());
        }
    }
    Ok(serde_json::to_string(&clean).unwrap_or_else(|_| "[]".into()))
}

struct Checked {
    name: Option<String>,
    greeting: Option<String>,
    color: Option<String>,
    origins: Option<String>,
    prechat: Option<String>,
    offline: Option<String>,
    handoff_words: Option<String>,
}

fn check(f: &InboxFields) -> AppResult<Checked> {
    let text = |field, v: &Option<String>, max| {
        v.as_deref()
            .map(|s| crate::accounts::validate_optional_text(field, s, max))
            .transpose()
    };
    let origins = match &f.allowed_origins {
        Some(list) => {
            let mut clean = Vec::new();
            for o in list {
                let o = o.trim().trim_end_matches('/');
                let valid = (o.starts_with("https://") || o.starts_with("http://"))
                    && !o["https://".len().min(o.len())..].contains('/')
                    && o.len() <= 200;
                if !valid {
                    return Err(AppError::bad_request("invalid_origin").with("origin", o));
                }
                clean.push(o.to_ascii_lowercase());
            }
            Some(serde_json::to_string(&clean).unwrap_or_else(|_| "[]".into()))
        }
        None => None,
    };
    Ok(Checked {
        name: f.name.as_deref().map(|n| validate_text("name", n)).transpose()?,
        greeting: text("greeting", &f.greeting, 500)?,
        color: f
            .color
            .as_deref()
            .map(crate::accounts::validate_color)
            .transpose()?,
        origins,
        prechat: f
            .prechat
            .as_ref()
            .map(|p| serde_json::to_string(p).unwrap_or_default()),
        offline: text("offline_message", &f.offline_message, 500)?,
        handoff_words: f.handoff_words.as_deref().map(check_handoff_words).transpose()?,
    })
}

pub async fn create_inbox(db: &Db, actor: Option<AgentId>, fields: InboxFields) -> AppResult<Inbox> {
    let c = check(&fields)?;
    let name = c
        .name
        .clone()
        .ok_or_else(|| AppError::bad_request("field_required").with("field", "name"))?;
    let team = fields.default_team_id.flatten();
    db.write(move |conn| {
        crate::accounts::teams::ensure_team_exists(conn, team)?;
        let now = now_ms();
        conn.prepare_cached(
            "INSERT INTO inboxes (kind, name, public_token, secret, greeting, color, default_team_id,
                 allowed_origins, prechat, offline_message, bot_enabled, handoff_words, created_at, updated_at)
             VALUES ('web', :name, :public, :secret, coalesce(:greeting, ''), coalesce(:color, '#0f766e'),
                 :team, coalesce(:origins, '[]'), coalesce(:prechat, '{}'), coalesce(:offline, ''),
                 coalesce(:bot, 0), coalesce(:words, '[]'), :now, :now)",
        )?
        .execute(named_params! {
            ":name": name, ":public": random_token()[..24].to_string(), ":secret": random_token(),
            ":greeting": c.greeting, ":color": c.color, ":team": team, ":origins": c.origins,
            ":prechat": c.prechat, ":offline": c.offline, ":bot": fields.bot_enabled,
            ":words": c.handoff_words, ":now": now,
        })?;
        let id = InboxId(conn.last_insert_rowid());
        audit(conn, actor, "inbox.create", &format!("inbox:{id}"), &name)?;
        inbox_by_id(conn, id)?.ok_or_else(|| AppError::not_found("not_found"))
    })
    .await
}

pub async fn update_inbox(db: &Db, actor: Principal, id: InboxId, fields: InboxFields) -> AppResult<Inbox> {
    let c = check(&fields)?;
    db.write(move |conn| {
        inbox_by_id(conn, id)?.ok_or_else(|| AppError::not_found("not_found"))?;
        if let Some(team) = fields.default_team_id {
            crate::accounts::teams::ensure_team_exists(conn, team)?;
            conn.prepare_cached("UPDATE inboxes SET default_team_id = ?2 WHERE id = ?1")?
                .execute(rusqlite::params![id, team])?;
        }
        conn.prepare_cached(
            "UPDATE inboxes SET name = coalesce(:name, name), greeting = coalesce(:greeting, greeting),
                 color = coalesce(:color, color), allowed_origins = coalesce(:origins, allowed_origins),
                 prechat = coalesce(:prechat, prechat), offline_message = coalesce(:offline, offline_message),
                 bot_enabled = coalesce(:bot, bot_enabled), handoff_words = coalesce(:words, handoff_words),
                 updated_at = :now WHERE id = :id",
        )?
        .execute(named_params! {
            ":name": c.name, ":greeting": c.greeting, ":color": c.color, ":origins": c.origins,
            ":prechat": c.prechat, ":offline": c.offline, ":bot": fields.bot_enabled,
            ":words": c.handoff_words, ":now": now_ms(), ":id": id,
        })?;
        audit(conn, actor.agent_id(), "inbox.update", &format!("inbox:{id}"), "")?;
        inbox_by_id(conn, id)?.ok_or_else(|| AppError::not_found("not_found"))
    })
    .await
}

/// Deleting an inbox deletes its conversations too; the audit log keeps the record.
pub async fn delete_inbox(db: &Db, actor: Principal, id: InboxId) -> AppResult<()> {
    db.write(move |conn| {
        let inbox = inbox_by_id(conn, id)?.ok_or_else(|| AppError::not_found("not_found"))?;
        conn.prepare_cached("DELETE FROM inboxes WHERE id = ?1")?
            .execute([id])?;
        audit(
            conn,
            actor.agent_id(),
            "inbox.delete",
            &format!("inbox:{id}"),
            &inbox.name,
        )?;
        Ok(())
    })
    .await
}

impl Inbox {
    /// May a page on `origin` embed this inbox's widget?
    pub fn allows_origin(&self, origin: Option<&str>) -> bool {
        match origin {
            _ if self.allowed_origins.is_empty() => true,
            Some(o) => {
                let o = o.trim_end_matches('/').to_ascii_lowercase();
                self.allowed_origins.contains(&o)
            }
            // No Origin, or kefu's own (our frame): see `http::extract::foreign_origin`.
            None => true,
        }
    }

    /// The `<script>` tag for the shop's pages.
    pub fn snippet(&self, public_url: &str) -> String {
        format!(
            "<script src=\"{public_url}/widget.js\" data-inbox=\"{}\" async></script>",
            self.public_token
        )
    }
}
