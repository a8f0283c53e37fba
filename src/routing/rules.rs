//! Ordered routing rules: conditions on the message, the customer and the hour,
//! and what to do when they all hold. Stored as JSON next to their position;
//! checked on every write (an invalid pattern is refused with the reason).
//! Evaluation and the warnings shown in the console are in `matching` and `lint`.

use rusqlite::{Connection, Row};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::sentiment::Feeling;
use crate::accounts::{AgentId, TeamId};
use crate::error::{AppError, AppResult};
use crate::inboxes::InboxId;
use crate::labels::LabelId;
use crate::util::now_ms;

crate::accounts::id_type!(RuleId);

const NAME_MAX: usize = 80;
const WORD_MAX: usize = 40;
const WORDS_MAX: usize = 50;
const PATTERN_MAX: usize = 300;
const AUTO_REPLY_MAX: usize = 1000;
/// Compiled patterns are capped: a rule runs on every new conversation.
const PATTERN_SIZE_LIMIT: usize = 256 * 1024;

pub const CHANNELS: &[&str] = &["web", "email"];
pub const LANGUAGES: &[&str] = &["zh-CN", "en"];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Hours {
    Open,
    Closed,
}

/// Conversation priority: `conversations.priority` holds the number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Low,
    Normal,
    High,
    Urgent,
}

impl Priority {
    pub fn level(self) -> i64 {
        match self {
            Priority::Low => -1,
            Priority::Normal => 0,
            Priority::High => 1,
            Priority::Urgent => 2,
        }
    }
    pub fn of_level(level: i64) -> Priority {
        match level {
            i64::MIN..=-1 => Priority::Low,
            0 => Priority::Normal,
            1 => Priority::High,
            _ => Priority::Urgent,
        }
    }
}

/// Every condition given must hold; none given matches every conversation.
/// Lists match when any of their items does.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Conditions {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<i64>)]
    pub inbox_ids: Vec<InboxId>,
    /// `web`, `email`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub channels: Vec<String>,
    /// Intent names.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub intents: Vec<String>,
    /// Any of them in the message, ignoring case.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// A regular expression the message matches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// The contact has a VIP tier (true) or has none (false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vip: Option<bool>,
    /// The contact carries any of these tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// `zh-CN`, `en`: the customer's language.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub business_hours: Option<Hours>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sentiment: Option<Feeling>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Actions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>)]
    pub team_id: Option<TeamId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<i64>)]
    pub label_ids: Vec<LabelId>,
    /// The conversation waits for this agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>)]
    pub agent_id: Option<AgentId>,
    /// Turn the bot on or off for this conversation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot: Option<bool>,
    /// Sent to the customer when the rule applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_reply: Option<String>,
}

impl Actions {
    pub fn is_empty(&self) -> bool {
        *self == Actions::default()
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Warning {
    /// `never_matches`, `shadowed`, `contradicts`, `no_actions`.
    pub code: &'static str,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<i64>)]
    pub rule_id: Option<RuleId>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Rule {
    pub id: RuleId,
    pub position: i64,
    pub name: String,
    pub enabled: bool,
    /// Go on to the next rules after this one matched.
    #[serde(rename = "continue")]
    pub continue_after: bool,
    pub conditions: Conditions,
    pub actions: Actions,
    pub warnings: Vec<Warning>,
}

/// A new rule, or the fields a change sets. Conditions and actions arrive as
/// JSON so that a wrong field is reported by name.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct RuleInput {
    pub name: Option<String>,
    pub enabled: Option<bool>,
    #[serde(rename = "continue")]
    pub continue_after: Option<bool>,
    #[schema(value_type = Option<Object>)]
    pub conditions: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub actions: Option<serde_json::Value>,
}

fn from_row(r: &Row) -> rusqlite::Result<Rule> {
    Ok(Rule {
        id: r.get(0)?,
        position: r.get(1)?,
        name: r.get(2)?,
        enabled: r.get(3)?,
        continue_after: r.get(4)?,
        conditions: serde_json::from_str(&r.get::<_, String>(5)?).unwrap_or_default(),
        actions: serde_json::from_str(&r.get::<_, String>(6)?).unwrap_or_default(),
        warnings: Vec::new(),
    })
}

const COLUMNS: &str = "id, position, name, enabled, continue_after, conditions, actions";

/// Every rule in order, with its warnings.
pub fn all(c: &Connection) -> AppResult<Vec<Rule>> {
    let mut rules: Vec<Rule> = c
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM routing_rules ORDER BY position, id"
        ))?
        .query_map([], from_row)?
        .collect::<rusqlite::Result<_>>()?;
    super::lint::annotate(c, &mut rules)?;
    Ok(rules)
}

pub fn by_id(c: &Connection, id: RuleId) -> AppResult<Rule> {
    all(c)?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| AppError::not_found("not_found"))
}

/// Compiles a pattern, or says why it cannot be.
pub fn compile_pattern(pattern: &str) -> AppResult<regex::Regex> {
    if pattern.is_empty() || pattern.chars().count() > PATTERN_MAX {
        return Err(
            AppError::bad_request("pattern_invalid").with("reason", format!("1–{PATTERN_MAX} characters"))
        );
    }
    regex::RegexBuilder::new(pattern)
        .case_insensitive(true)
        .size_limit(PATTERN_SIZE_LIMIT)
        .build()
        .map_err(|e| AppError::bad_request("pattern_invalid").with("reason", e))
}

fn words(list: &[String], field: &'static str) -> AppResult<Vec<String>> {
    super::intents::clean_list(list, WORD_MAX, WORDS_MAX, "condition_invalid")
        .map_err(|_| AppError::bad_request("condition_invalid").with("field", field))
}

fn one_of(list: &[String], allowed: &[&str], field: &'static str) -> AppResult<()> {
    match list.iter().find(|x| !allowed.contains(&x.as_str())) {
        Some(_) => Err(AppError::bad_request("condition_invalid")
            .with("field", field)
            .with("allowed", allowed.join(", "))),
        None => Ok(()),
    }
}

fn exists(c: &Connection, sql: &str, id: i64) -> rusqlite::Result<bool> {
    c.prepare_cached(sql)?.query_row([id], |r| r.get(0))
}

fn check_conditions(c: &Connection, raw: serde_json::Value) -> AppResult<Conditions> {
    let mut k: Conditions = serde_json::from_value(raw)
        .map_err(|e| AppError::bad_request("condition_invalid").with("field", field_of(&e)))?;
    one_of(&k.channels, CHANNELS, "channels")?;
    one_of(&k.languages, LANGUAGES, "languages")?;
    k.keywords = words(&k.keywords, "keywords")?;
    k.tags = words(&k.tags, "tags")?;
    super::intents::ensure_exist(c, &k.intents)?;
    for inbox in &k.inbox_ids {
        if !exists(c, "SELECT EXISTS (SELECT 1 FROM inboxes WHERE id = ?1)", inbox.0)? {
            return Err(AppError::bad_request("unknown_inbox").with("id", inbox));
        }
    }
    if let Some(p) = &k.pattern {
        compile_pattern(p)?;
    }
    Ok(k)
}

fn check_actions(c: &Connection, raw: serde_json::Value) -> AppResult<Actions> {
    let a: Actions = serde_json::from_value(raw)
        .map_err(|e| AppError::bad_request("action_invalid").with("field", field_of(&e)))?;
    crate::accounts::teams::ensure_team_exists(c, a.team_id)?;
    if let Some(agent) = a.agent_id
        && !exists(
            c,
            "SELECT EXISTS (SELECT 1 FROM agents WHERE id = ?1 AND active = 1)",
            agent.0,
        )?
    {
        return Err(AppError::bad_request("unknown_agent").with("id", agent));
    }
    for label in &a.label_ids {
        if !exists(c, "SELECT EXISTS (SELECT 1 FROM labels WHERE id = ?1)", label.0)? {
            return Err(AppError::bad_request("unknown_label").with("id", label));
        }
    }
    if let Some(text) = &a.auto_reply
        && (text.trim().is_empty() || text.chars().count() > AUTO_REPLY_MAX)
    {
        return Err(AppError::bad_request("action_invalid")
            .with("field", "auto_reply")
            .with("max", AUTO_REPLY_MAX));
    }
    Ok(a)
}

/// The field serde stumbled on, for the error: "unknown field `foo`" names it.
fn field_of(e: &serde_json::Error) -> String {
    let text = e.to_string();
    text.split('`').nth(1).map(str::to_string).unwrap_or(text)
}

fn check_name(name: &str) -> AppResult<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > NAME_MAX {
        return Err(AppError::bad_request("rule_name_invalid").with("max", NAME_MAX));
    }
    Ok(name.to_string())
}

pub fn create(c: &Connection, input: RuleInput) -> AppResult<Rule> {
    let name = check_name(input.name.as_deref().unwrap_or(""))?;
    let conditions = check_conditions(c, input.conditions.unwrap_or_else(|| serde_json::json!({})))?;
    let actions = check_actions(c, input.actions.unwrap_or_else(|| serde_json::json!({})))?;
    let now = now_ms();
    c.prepare_cached(
        "INSERT INTO routing_rules (position, name, enabled, continue_after, conditions, actions, created_at, updated_at)
         VALUES ((SELECT coalesce(max(position), 0) + 1 FROM routing_rules), ?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )?
    .execute(rusqlite::params![
        name,
        input.enabled.unwrap_or(true),
        input.continue_after.unwrap_or(false),
        serde_json::to_string(&conditions).unwrap_or_default(),
        serde_json::to_string(&actions).unwrap_or_default(),
        now
    ])?;
    by_id(c, RuleId(c.last_insert_rowid()))
}

pub fn update(c: &Connection, id: RuleId, input: RuleInput) -> AppResult<Rule> {
    let current = by_id(c, id)?;
    let name = match input.name {
        Some(n) => check_name(&n)?,
        None => current.name,
    };
    let conditions = match input.conditions {
        Some(raw) => check_conditions(c, raw)?,
        None => current.conditions,
    };
    let actions = match input.actions {
        Some(raw) => check_actions(c, raw)?,
        None => current.actions,
    };
    c.prepare_cached(
        "UPDATE routing_rules SET name = ?2, enabled = ?3, continue_after = ?4, conditions = ?5, actions = ?6,
             updated_at = ?7 WHERE id = ?1",
    )?
    .execute(rusqlite::params![
        id,
        name,
        input.enabled.unwrap_or(current.enabled),
        input.continue_after.unwrap_or(current.continue_after),
        serde_json::to_string(&conditions).unwrap_or_default(),
        serde_json::to_string(&actions).unwrap_or_default(),
        now_ms()
    ])?;
    by_id(c, id)
}

pub fn delete(c: &Connection, id: RuleId) -> AppResult<()> {
    if c.prepare_cached("DELETE FROM routing_rules WHERE id = ?1")?
        .execute([id])?
        == 0
    {
        return Err(AppError::not_found("not_found"));
    }
    Ok(())
}

/// Puts the rules in this order; `ids` must name every rule once.
pub fn reorder(c: &Connection, ids: &[RuleId]) -> AppResult<Vec<Rule>> {
    let mut current: Vec<RuleId> = c
        .prepare_cached("SELECT id FROM routing_rules")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut wanted = ids.to_vec();
    current.sort();
    wanted.sort();
    if current != wanted {
        return Err(AppError::bad_request("rule_order_invalid"));
    }
    let mut set = c.prepare_cached("UPDATE routing_rules SET position = ?2 WHERE id = ?1")?;
    for (position, id) in ids.iter().enumerate() {
        set.execute(rusqlite::params![id, position as i64 + 1])?;
    }
    all(c)
}
