//! The shop's ticket types (退款 refund, 物流 logistics…), edited by admins.

use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;
use utoipa::ToSchema;

use super::TicketTypeId;
use crate::accounts::{Principal, audit};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::util::now_ms;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TicketType {
    pub id: TicketTypeId,
    pub name: String,
    pub position: i64,
}

pub fn all(c: &Connection) -> rusqlite::Result<Vec<TicketType>> {
    c.prepare_cached("SELECT id, name, position FROM ticket_types ORDER BY position, name COLLATE NOCASE")?
        .query_map([], |r| {
            Ok(TicketType {
                id: r.get(0)?,
                name: r.get(1)?,
                position: r.get(2)?,
            })
        })?
        .collect()
}

fn by_id(c: &Connection, id: TicketTypeId) -> rusqlite::Result<Option<TicketType>> {
    c.prepare_cached("SELECT id, name, position FROM ticket_types WHERE id = ?1")?
        .query_row([id], |r| {
            Ok(TicketType {
                id: r.get(0)?,
                name: r.get(1)?,
                position: r.get(2)?,
            })
        })
        .optional()
}

/// `unknown_type` (400) when `id` is set but does not exist.
pub fn ensure_exists(c: &Connection, id: Option<TicketTypeId>) -> AppResult<()> {
    if let Some(t) = id
        && by_id(c, t)?.is_none()
    {
        return Err(AppError::bad_request("unknown_type").with("id", t));
    }
    Ok(())
}

fn taken(e: rusqlite::Error) -> AppError {
    if AppError::is_unique_violation(&e) {
        AppError::conflict("type_exists")
    } else {
        AppError::from(e)
    }
}

pub async fn create(db: &Db, actor: Principal, name: String) -> AppResult<TicketType> {
    let name = crate::accounts::validate_text("name", &name)?;
    db.write(move |c| {
        c.prepare_cached(
            "INSERT INTO ticket_types (name, position, created_at)
             VALUES (?1, (SELECT coalesce(max(position), 0) + 1 FROM ticket_types), ?2)",
        )?
        .execute(rusqlite::params![name, now_ms()])
        .map_err(taken)?;
        let id = TicketTypeId(c.last_insert_rowid());
        audit(
            c,
            actor.agent_id(),
            "ticket_type.create",
            &format!("ticket_type:{id}"),
            &name,
        )?;
        by_id(c, id)?.ok_or_else(|| AppError::not_found("not_found"))
    })
    .await
}

pub async fn rename(db: &Db, actor: Principal, id: TicketTypeId, name: String) -> AppResult<TicketType> {
    let name = crate::accounts::validate_text("name", &name)?;
    db.write(move |c| {
        let n = c
            .prepare_cached("UPDATE ticket_types SET name = ?2 WHERE id = ?1")?
            .execute(rusqlite::params![id, name])
            .map_err(taken)?;
        if n == 0 {
            return Err(AppError::not_found("not_found"));
        }
        audit(
            c,
            actor.agent_id(),
            "ticket_type.rename",
            &format!("ticket_type:{id}"),
            &name,
        )?;
        by_id(c, id)?.ok_or_else(|| AppError::not_found("not_found"))
    })
    .await
}

/// Deletes a type; tickets of that type keep their history and lose the type.
pub async fn remove(db: &Db, actor: Principal, id: TicketTypeId) -> AppResult<()> {
    db.write(move |c| {
        let n = c
            .prepare_cached("DELETE FROM ticket_types WHERE id = ?1")?
            .execute([id])?;
        if n == 0 {
            return Err(AppError::not_found("not_found"));
        }
        audit(
            c,
            actor.agent_id(),
            "ticket_type.delete",
            &format!("ticket_type:{id}"),
            "",
        )?;
        Ok(())
    })
    .await
}
