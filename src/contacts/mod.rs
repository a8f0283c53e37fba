//! Contacts: the shop's customers, and the identities that recognise them on each
//! channel (a widget visitor token, a shop's user id); their profile, orders, and
//! merging duplicates.

pub mod orders;
pub mod profile;

use rusqlite::{Connection, OptionalExtension, Row, named_params};
use serde::Serialize;
use utoipa::ToSchema;

use crate::inboxes::InboxId;
use crate::util::now_ms;

crate::accounts::id_type!(ContactId);

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Contact {
    pub id: ContactId,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub locale: Option<String>,
    /// The page the customer was last seen on (from the widget).
    pub last_page: Option<String>,
    pub first_seen_at: i64,
    pub last_seen_at: i64,
}

fn from_row(r: &Row) -> rusqlite::Result<Contact> {
    Ok(Contact {
        id: r.get(0)?,
        name: r.get(1)?,
        email: r.get(2)?,
        phone: r.get(3)?,
        locale: r.get(4)?,
        last_page: r.get(5)?,
        first_seen_at: r.get(6)?,
        last_seen_at: r.get(7)?,
    })
}

pub fn contact_by_id(conn: &Connection, id: ContactId) -> rusqlite::Result<Option<Contact>> {
    conn.prepare_cached(
        "SELECT id, name, email, phone, locale, last_page, first_seen_at, last_seen_at FROM contacts WHERE id = ?1",
    )?
    .query_row([id], from_row)
    .optional()
}

/// The contact with this email address (the oldest, if duplicates exist).
/// The language to write to a customer in: theirs if known, else the shop's.
pub fn language_of(conn: &Connection, contact: Option<&Contact>) -> rusqlite::Result<crate::i18n::Lang> {
    match contact
        .and_then(|ct| ct.locale.as_deref())
        .and_then(crate::i18n::Lang::from_tag)
    {
        Some(lang) => Ok(lang),
        None => Ok(crate::settings::shop(conn)?.default_locale),
    }
}

pub fn contact_by_email(conn: &Connection, email: &str) -> rusqlite::Result<Option<ContactId>> {
    conn.prepare_cached("SELECT id FROM contacts WHERE email = ?1 ORDER BY id LIMIT 1")?
        .query_row([email], |r| r.get(0))
        .optional()
}

/// How a channel recognises a contact.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdentityKind {
    /// A widget visitor; `external_id` is the hex SHA-256 of the visitor token.
    Visitor,
    /// A customer logged in to the shop; `external_id` is the shop's user id.
    User,
}

impl IdentityKind {
    fn as_str(self) -> &'static str {
        match self {
            IdentityKind::Visitor => "visitor",
            IdentityKind::User => "user",
        }
    }
}

pub fn contact_by_identity(
    conn: &Connection,
    inbox: InboxId,
    kind: IdentityKind,
    external_id: &str,
) -> rusqlite::Result<Option<ContactId>> {
    conn.prepare_cached(
        "SELECT contact_id FROM contact_identities WHERE inbox_id = ?1 AND kind = ?2 AND external_id = ?3",
    )?
    .query_row(rusqlite::params![inbox, kind.as_str(), external_id], |r| r.get(0))
    .optional()
}

pub fn add_identity(
    conn: &Connection,
    contact: ContactId,
    inbox: InboxId,
    kind: IdentityKind,
    external_id: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO contact_identities (contact_id, inbox_id, kind, external_id, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
    )?
    .execute(rusqlite::params![
        contact,
        inbox,
        kind.as_str(),
        external_id,
        now_ms()
    ])?;
    Ok(())
}

pub fn create_contact(conn: &Connection) -> rusqlite::Result<ContactId> {
    let now = now_ms();
    conn.prepare_cached("INSERT INTO contacts (first_seen_at, last_seen_at) VALUES (?1, ?1)")?
        .execute([now])?;
    Ok(ContactId(conn.last_insert_rowid()))
}

/// Details a channel learned; empty values leave what is stored.
#[derive(Default, Clone, Debug)]
pub struct Details {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub locale: Option<String>,
    pub page: Option<String>,
}

/// Records what the channel told us and that the contact was seen now.
pub fn update_details(conn: &Connection, id: ContactId, d: &Details) -> rusqlite::Result<()> {
    let some = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    conn.prepare_cached(
        "UPDATE contacts SET name = coalesce(:name, name), email = coalesce(:email, email),
             phone = coalesce(:phone, phone), locale = coalesce(:locale, locale),
             last_page = coalesce(:page, last_page), last_seen_at = :now WHERE id = :id",
    )?
    .execute(named_params! {
        ":name": some(&d.name), ":email": some(&d.email).map(|e| e.to_lowercase()), ":phone": some(&d.phone),
        ":locale": some(&d.locale), ":page": some(&d.page), ":now": now_ms(), ":id": id,
    })?;
    Ok(())
}
