//! Labels that agents put on conversations (e.g. 退款, VIP, 待回访).

use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::{AgentId, Principal, audit, validate_text};
use crate::conversations::ConversationId;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::util::now_ms;

crate::accounts::id_type!(LabelId);

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Label {
    pub id: LabelId,
    pub name: String,
    pub color: String,
}

pub fn all_labels(conn: &Connection) -> rusqlite::Result<Vec<Label>> {
    conn.prepare_cached("SELECT id, name, color FROM labels ORDER BY name COLLATE NOCASE")?
        .query_map([], |r| {
            Ok(Label {
                id: r.get(0)?,
                name: r.get(1)?,
                color: r.get(2)?,
            })
        })?
        .collect()
}

pub async fn create_label(db: &Db, actor: Principal, name: &str, color: Option<&str>) -> AppResult<Label> {
    let name = validate_text("name", name)?;
    let color = color
        .map(crate::accounts::validate_color)
        .transpose()?
        .unwrap_or_else(|| "#64748b".into());
    db.write(move |c| {
        c.prepare_cached("INSERT INTO labels (name, color, created_at) VALUES (?1, ?2, ?3)")?
            .execute(rusqlite::params![name, color, now_ms()])
            .map_err(|e| {
                if AppError::is_unique_violation(&e) {
                    AppError::conflict("label_taken")
                } else {
                    e.into()
                }
            })?;
        let id = LabelId(c.last_insert_rowid());
        audit(c, actor.agent_id(), "label.create", &format!("label:{id}"), &name)?;
        Ok(Label { id, name, color })
    })
    .await
}

pub async fn delete_label(db: &Db, actor: Principal, id: LabelId) -> AppResult<()> {
    db.write(move |c| {
        let n = c
            .prepare_cached("DELETE FROM labels WHERE id = ?1")?
            .execute([id])?;
        if n == 0 {
            return Err(AppError::not_found("not_found"));
        }
        audit(c, actor.agent_id(), "label.delete", &format!("label:{id}"), "")?;
        Ok(())
    })
    .await
}

/// Replaces a conversation's labels, recording what was added and removed.
pub fn set_conversation_labels(
    c: &Connection,
    conversation: ConversationId,
    labels: &[LabelId],
    actor: AgentId,
) -> AppResult<()> {
    for l in labels {
        let exists: Option<i64> = c
            .prepare_cached("SELECT id FROM labels WHERE id = ?1")?
            .query_row([l], |r| r.get(0))
            .optional()?;
        if exists.is_none() {
            return Err(AppError::bad_request("unknown_label").with("id", l));
        }
    }
    let before: Vec<LabelId> = c
        .prepare_cached("SELECT label_id FROM conversation_labels WHERE conversation_id = ?1")?
        .query_map([conversation], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    c.prepare_cached("DELETE FROM conversation_labels WHERE conversation_id = ?1")?
        .execute([conversation])?;
    let mut insert = c.prepare_cached("INSERT OR IGNORE INTO conversation_labels VALUES (?1, ?2)")?;
    for l in labels {
        insert.execute(rusqlite::params![conversation, l])?;
    }
    let added: Vec<&LabelId> = labels.iter().filter(|l| !before.contains(l)).collect();
    let removed: Vec<&LabelId> = before.iter().filter(|l| !labels.contains(l)).collect();
    if !added.is_empty() || !removed.is_empty() {
        c.prepare_cached(
            "INSERT INTO conversation_events (conversation_id, at, actor_kind, actor_agent_id, kind, detail)
             VALUES (?1, ?2, 'agent', ?3, 'labels', ?4)",
        )?
        .execute(rusqlite::params![
            conversation,
            now_ms(),
            actor,
            serde_json::json!({"added": added, "removed": removed}).to_string()
        ])?;
    }
    Ok(())
}
