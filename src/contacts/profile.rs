//! A contact's profile as agents see and edit it, duplicates, and merging.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ContactId, contact_by_id};
use crate::accounts::{AgentId, audit, validate_email, validate_optional_text};
use crate::db::Db;
use crate::error::{AppError, AppResult};

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Profile {
    #[serde(flatten)]
    pub contact: super::Contact,
    pub notes: String,
    pub vip_tier: Option<String>,
    pub tags: Vec<String>,
    #[schema(value_type = Object)]
    pub attributes: serde_json::Map<String, serde_json::Value>,
}

pub fn profile(conn: &Connection, id: ContactId) -> AppResult<Profile> {
    let contact = contact_by_id(conn, id)?.ok_or_else(|| AppError::not_found("not_found"))?;
    let (notes, vip_tier, tags, attributes): (String, Option<String>, String, String) = conn
        .prepare_cached("SELECT notes, vip_tier, tags, attributes FROM contacts WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?;
    Ok(Profile {
        contact,
        notes,
        vip_tier,
        tags: serde_json::from_str(&tags).unwrap_or_default(),
        attributes: serde_json::from_str(&attributes).unwrap_or_default(),
    })
}

/// How a contact is known on a channel (visitor tokens are never shown).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct IdentityView {
    pub inbox_id: crate::inboxes::InboxId,
    /// `visitor` or `user`.
    pub kind: String,
    /// The shop's user id for `user`; `null` for anonymous visitors.
    pub external_id: Option<String>,
    pub created_at: i64,
}

pub fn identities(conn: &Connection, id: ContactId) -> rusqlite::Result<Vec<IdentityView>> {
    conn.prepare_cached(
        "SELECT inbox_id, kind, CASE WHEN kind = 'user' THEN external_id END, created_at
         FROM contact_identities WHERE contact_id = ?1 ORDER BY id",
    )?
    .query_map([id], |r| {
        Ok(IdentityView {
            inbox_id: r.get(0)?,
            kind: r.get(1)?,
            external_id: r.get(2)?,
            created_at: r.get(3)?,
        })
    })?
    .collect()
}

/// What an agent may change; `None` keeps a field.
#[derive(Default, Deserialize, ToSchema)]
pub struct ProfileChanges {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub notes: Option<String>,
    /// e.g. `gold`; `null` clears it.
    #[serde(default, deserialize_with = "crate::util::double_option")]
    #[schema(value_type = Option<String>)]
    pub vip_tier: Option<Option<String>>,
    pub tags: Option<Vec<String>>,
    #[schema(value_type = Option<Object>)]
    pub attributes: Option<serde_json::Map<String, serde_json::Value>>,
}

pub async fn update_profile(
    db: &Db,
    actor: AgentId,
    id: ContactId,
    ch: ProfileChanges,
) -> AppResult<Profile> {
    let name = ch
        .name
        .as_deref()
        .map(|n| validate_optional_text("name", n, 100))
        .transpose()?;
    let email = match ch.email.as_deref().map(str::trim) {
        Some("") => Some(None),
        Some(e) => Some(Some(validate_email(e)?)),
        None => None,
    };
    // An emptied email or phone is NULL, not "": "" would match every other
    // emptied contact as a duplicate.
    let phone = match ch
        .phone
        .as_deref()
        .map(|p| validate_optional_text("phone", p, 40))
        .transpose()?
    {
        Some(p) if p.is_empty() => Some(None),
        Some(p) => Some(Some(p)),
        None => None,
    };
    let notes = ch
        .notes
        .as_deref()
        .map(|n| validate_optional_text("notes", n, 5000))
        .transpose()?;
    let vip = match ch.vip_tier {
        Some(Some(v)) => Some(Some(validate_optional_text("vip_tier", &v, 40)?).filter(|v| !v.is_empty())),
        other => other,
    };
    let tags = match ch.tags {
        Some(list) => {
            let mut clean = Vec::new();
            for t in list {
                let t = validate_optional_text("tags", &t, 40)?;
                if !t.is_empty() && !clean.contains(&t) {
                    clean.push(t);
                }
            }
            Some(serde_json::to_string(&clean).unwrap_or_else(|_| "[]".into()))
        }
        None => None,
    };
    let attributes = ch.attributes.map(|a| serde_json::Value::Object(a).to_string());
    if attributes.as_ref().is_some_and(|a| a.len() > 10_000) {
        return Err(AppError::bad_request("field_too_long")
            .with("field", "attributes")
            .with("max", 10_000));
    }
    db.write(move |c| {
        contact_by_id(c, id)?.ok_or_else(|| AppError::not_found("not_found"))?;
        c.prepare_cached(
            "UPDATE contacts SET name = coalesce(?2, name), notes = coalesce(?3, notes),
                 tags = coalesce(?4, tags), attributes = coalesce(?5, attributes) WHERE id = ?1",
        )?
        .execute(rusqlite::params![id, name, notes, tags, attributes])?;
        if let Some(email) = email {
            c.prepare_cached("UPDATE contacts SET email = ?2 WHERE id = ?1")?
                .execute(rusqlite::params![id, email])?;
        }
        if let Some(phone) = phone {
            c.prepare_cached("UPDATE contacts SET phone = ?2 WHERE id = ?1")?
                .execute(rusqlite::params![id, phone])?;
        }
        if let Some(vip) = vip {
            c.prepare_cached("UPDATE contacts SET vip_tier = ?2 WHERE id = ?1")?
                .execute(rusqlite::params![id, vip])?;
        }
        audit(c, Some(actor), "contact.update", &format!("contact:{id}"), "")?;
        profile(c, id)
    })
    .await
}

/// Other contacts with the same email or phone: candidates for a merge.
pub fn duplicates(conn: &Connection, id: ContactId) -> AppResult<Vec<super::Contact>> {
    let c = contact_by_id(conn, id)?.ok_or_else(|| AppError::not_found("not_found"))?;
    let ids: Vec<ContactId> = conn
        .prepare_cached(
            "SELECT id FROM contacts WHERE id != ?1 AND ((?2 != '' AND email = ?2) OR (?3 != '' AND phone = ?3))
             ORDER BY id",
        )?
        .query_map(rusqlite::params![id, c.email, c.phone], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    ids.into_iter()
        .filter_map(|i| contact_by_id(conn, i).transpose())
        .collect::<rusqlite::Result<_>>()
        .map_err(Into::into)
}

/// Moves everything of `other` (identities, conversations, orders) onto `target`,
/// fills the target's empty fields from it, joins tags, and deletes `other`.
pub async fn merge(db: &Db, actor: AgentId, target: ContactId, other: ContactId) -> AppResult<Profile> {
    if target == other {
        return Err(AppError::bad_request("merge_same"));
    }
    db.write(move |c| {
        let keep = profile(c, target)?;
        let gone = profile(c, other)?;
        for table in ["contact_identities", "conversations", "orders"] {
            c.execute(&format!("UPDATE {table} SET contact_id = ?1 WHERE contact_id = ?2"), rusqlite::params![target, other])?;
        }
        let mut tags = keep.tags.clone();
        tags.extend(gone.tags.iter().filter(|t| !keep.tags.contains(t)).cloned());
        let mut attributes = gone.attributes.clone();
        attributes.extend(keep.attributes.clone());
        let notes = match (keep.notes.is_empty(), gone.notes.is_empty()) {
            (_, true) => keep.notes.clone(),
            (true, false) => gone.notes.clone(),
            (false, false) => format!("{}\n\n{}", keep.notes, gone.notes),
        };
        let first_seen = keep.contact.first_seen_at.min(gone.contact.first_seen_at);
        let last_seen = keep.contact.last_seen_at.max(gone.contact.last_seen_at);
        c.prepare_cached(
            "UPDATE contacts SET name = CASE WHEN name = '' THEN ?2 ELSE name END, email = coalesce(email, ?3),
                 phone = coalesce(phone, ?4), vip_tier = coalesce(vip_tier, ?5), tags = ?6, attributes = ?7,
                 notes = ?8, first_seen_at = ?9, last_seen_at = ?10 WHERE id = ?1",
        )?
        .execute(rusqlite::params![
            target,
            gone.contact.name,
            gone.contact.email,
            gone.contact.phone,
            gone.vip_tier,
            serde_json::to_string(&tags).unwrap_or_default(),
            serde_json::Value::Object(attributes).to_string(),
            notes,
            first_seen,
            last_seen,
        ])?;
        c.prepare_cached("DELETE FROM contacts WHERE id = ?1")?.execute([other])?;
        audit(c, Some(actor), "contact.merge", &format!("contact:{target}"), &format!("merged contact:{other}"))?;
        profile(c, target)
    })
    .await
}
