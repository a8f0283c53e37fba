//! Intents: what a customer wants (物流查询, 退款退货…), defined by the shop with
//! example phrases and keywords, and what agents labelled conversations with.

use rusqlite::{Connection, OptionalExtension, Row, named_params};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::TeamId;
use crate::error::{AppError, AppResult};
use crate::util::now_ms;

crate::accounts::id_type!(IntentId);

const NAME_MAX: usize = 40;
const LABEL_MAX: usize = 60;
const EXAMPLE_MAX: usize = 300;
const EXAMPLES_MAX: usize = 500;
const KEYWORD_MAX: usize = 40;
const KEYWORDS_MAX: usize = 100;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Intent {
    pub id: IntentId,
    /// `[a-z0-9_]`: what rules and agents' skills refer to.
    pub name: String,
    pub label: String,
    pub examples: Vec<String>,
    pub keywords: Vec<String>,
    /// Where its conversations go when no rule says otherwise.
    pub team_id: Option<TeamId>,
    /// Conversations with this intent in the last 30 days.
    pub conversations: i64,
}

/// A new intent, or the fields a change sets.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct IntentInput {
    pub name: Option<String>,
    pub label: Option<String>,
    pub examples: Option<Vec<String>>,
    pub keywords: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::util::double_option")]
    #[schema(value_type = Option<i64>)]
    pub team_id: Option<Option<TeamId>>,
}

const COLUMNS: &str = "i.id, i.name, i.label, i.examples, i.keywords, i.team_id, \
    (SELECT count(*) FROM conversations c WHERE c.intent_id = i.id AND c.created_at >= :since)";

fn from_row(r: &Row) -> rusqlite::Result<Intent> {
    let list = |s: String| serde_json::from_str::<Vec<String>>(&s).unwrap_or_default();
    Ok(Intent {
        id: r.get(0)?,
        name: r.get(1)?,
        label: r.get(2)?,
        examples: list(r.get(3)?),
        keywords: list(r.get(4)?),
        team_id: r.get(5)?,
        conversations: r.get(6)?,
    })
}

fn month_ago() -> i64 {
    now_ms() - 30 * 86_400_000
}

pub fn all(c: &Connection) -> rusqlite::Result<Vec<Intent>> {
    c.prepare_cached(&format!("SELECT {COLUMNS} FROM intents i ORDER BY i.id"))?
        .query_map(named_params! { ":since": month_ago() }, from_row)?
        .collect()
}

pub fn by_id(c: &Connection, id: IntentId) -> AppResult<Intent> {
    c.prepare_cached(&format!("SELECT {COLUMNS} FROM intents i WHERE i.id = :id"))?
        .query_row(named_params! { ":since": month_ago(), ":id": id }, from_row)
        .optional()?
        .ok_or_else(|| AppError::not_found("not_found"))
}

pub fn id_by_name(c: &Connection, name: &str) -> rusqlite::Result<Option<IntentId>> {
    c.prepare_cached("SELECT id FROM intents WHERE name = ?1")?
        .query_row([name], |r| r.get(0))
        .optional()
}

/// `intent_not_found` (400, with the name) unless every name is an intent.
pub fn ensure_exist(c: &Connection, names: &[String]) -> AppResult<()> {
    for name in names {
        if id_by_name(c, name)?.is_none() {
            return Err(AppError::bad_request("intent_not_found").with("name", name));
        }
    }
    Ok(())
}

/// Trimmed, without repeats; refused (`code`, with the item's `index`) when an
/// item is empty or too long, or there are too many.
pub(super) fn clean_list(
    items: &[String],
    max_len: usize,
    max_items: usize,
    code: &'static str,
) -> AppResult<Vec<String>> {
    if items.len() > max_items {
        return Err(AppError::bad_request(code).with("max_items", max_items));
    }
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let item = item.trim();
        if item.is_empty() || item.chars().count() > max_len {
            return Err(AppError::bad_request(code)
                .with("index", index)
                .with("max", max_len));
        }
        if !out.iter().any(|x| x == item) {
            out.push(item.to_string());
        }
    }
    Ok(out)
}

fn check_name(name: &str) -> AppResult<()> {
    let ok = !name.is_empty()
        && name.len() <= NAME_MAX
        && name
            .chars()
            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '_');
    if !ok {
        return Err(AppError::bad_request("intent_name_invalid").with("max", NAME_MAX));
    }
    Ok(())
}

fn check_label(label: &str) -> AppResult<String> {
    let label = label.trim();
    if label.is_empty() || label.chars().count() > LABEL_MAX {
        return Err(AppError::bad_request("intent_label_invalid").with("max", LABEL_MAX));
    }
    Ok(label.to_string())
}

/// The checked fields of an intent being written.
struct Checked {
    name: String,
    label: String,
    examples: Vec<String>,
    keywords: Vec<String>,
    team_id: Option<TeamId>,
}

fn check(c: &Connection, input: IntentInput, current: Option<&Intent>) -> AppResult<Checked> {
    let name = match (input.name, current) {
        (Some(n), _) => n.trim().to_string(),
        (None, Some(cur)) => cur.name.clone(),
        (None, None) => String::new(),
    };
    check_name(&name)?;
    let label = check_label(
        input
            .label
            .as_deref()
            .or(current.map(|i| i.label.as_str()))
            .unwrap_or(""),
    )?;
    let examples = match (input.examples, current) {
        (Some(e), _) => clean_list(&e, EXAMPLE_MAX, EXAMPLES_MAX, "intent_example_invalid")?,
        (None, Some(cur)) => cur.examples.clone(),
        (None, None) => Vec::new(),
    };
    if examples.is_empty() {
        // The classifier learns an intent from its examples: none, nothing to learn.
        return Err(AppError::bad_request("intent_examples_required"));
    }
    let keywords = match (input.keywords, current) {
        (Some(k), _) => clean_list(&k, KEYWORD_MAX, KEYWORDS_MAX, "keyword_invalid")?,
        (None, Some(cur)) => cur.keywords.clone(),
        (None, None) => Vec::new(),
    };
    let team_id = match input.team_id {
        Some(t) => t,
        None => current.and_then(|i| i.team_id),
    };
    crate::accounts::teams::ensure_team_exists(c, team_id)?;
    if let Some(other) = id_by_name(c, &name)?
        && Some(other) != current.map(|i| i.id)
    {
        return Err(AppError::conflict("intent_name_taken").with("name", &name));
    }
    Ok(Checked {
        name,
        label,
        examples,
        keywords,
        team_id,
    })
}

pub fn create(c: &Connection, input: IntentInput) -> AppResult<Intent> {
    let k = check(c, input, None)?;
    let now = now_ms();
    c.prepare_cached(
        "INSERT INTO intents (name, label, examples, keywords, team_id, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)",
    )?
    .execute(rusqlite::params![
        k.name,
        k.label,
        serde_json::to_string(&k.examples).unwrap_or_default(),
        serde_json::to_string(&k.keywords).unwrap_or_default(),
        k.team_id,
        now
    ])?;
    by_id(c, IntentId(c.last_insert_rowid()))
}

pub fn update(c: &Connection, id: IntentId, input: IntentInput) -> AppResult<Intent> {
    let current = by_id(c, id)?;
    let k = check(c, input, Some(&current))?;
    c.prepare_cached(
        "UPDATE intents SET name = ?2, label = ?3, examples = ?4, keywords = ?5, team_id = ?6, updated_at = ?7
         WHERE id = ?1",
    )?
    .execute(rusqlite::params![
        id,
        k.name,
        k.label,
        serde_json::to_string(&k.examples).unwrap_or_default(),
        serde_json::to_string(&k.keywords).unwrap_or_default(),
        k.team_id,
        now_ms()
    ])?;
    if k.name != current.name {
        rename_references(c, &current.name, &k.name)?;
    }
    by_id(c, id)
}

/// Rules and agents' skills name intents: a renamed intent keeps them.
fn rename_references(c: &Connection, from: &str, to: &str) -> rusqlite::Result<()> {
    c.execute(
        "UPDATE agents SET skills = (SELECT json_group_array(CASE WHEN value = ?1 THEN ?2 ELSE value END)
             FROM json_each(agents.skills))
         WHERE EXISTS (SELECT 1 FROM json_each(agents.skills) WHERE value = ?1)",
        [from, to],
    )?;
    c.execute(
        "UPDATE routing_rules SET conditions = json_set(conditions, '$.intents',
             (SELECT json_group_array(CASE WHEN value = ?1 THEN ?2 ELSE value END)
              FROM json_each(conditions, '$.intents')))
         WHERE EXISTS (SELECT 1 FROM json_each(conditions, '$.intents') WHERE value = ?1)",
        [from, to],
    )?;
    Ok(())
}

pub fn delete(c: &Connection, id: IntentId) -> AppResult<()> {
    if c.prepare_cached("DELETE FROM intents WHERE id = ?1")?
        .execute([id])?
        == 0
    {
        return Err(AppError::not_found("not_found"));
    }
    Ok(())
}

/// What the classifier learns an intent from.
pub struct Training {
    pub id: IntentId,
    pub name: String,
    pub label: String,
    pub examples: Vec<String>,
    pub keywords: Vec<String>,
    /// First messages of conversations an agent labelled with this intent.
    pub labelled: Vec<String>,
}

/// Labels agents gave, newest first: the most recent this many per intent.
const LABELS_PER_INTENT: i64 = 2000;

pub fn training_set(c: &Connection) -> rusqlite::Result<Vec<Training>> {
    let intents = all(c)?;
    let mut labelled = c.prepare_cached(
        "SELECT intent_text FROM conversations
         WHERE intent_id = ?1 AND intent_source = 'agent' AND intent_text IS NOT NULL
         ORDER BY id DESC LIMIT ?2",
    )?;
    intents
        .into_iter()
        .map(|i| {
            let texts = labelled
                .query_map(rusqlite::params![i.id, LABELS_PER_INTENT], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()?;
            Ok(Training {
                id: i.id,
                name: i.name,
                label: i.label,
                examples: i.examples,
                keywords: i.keywords,
                labelled: texts,
            })
        })
        .collect()
}
