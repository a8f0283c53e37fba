//! The shop's orders, pushed by its systems (API upsert by external id, or a CSV
//! import), so agents see the latest orders beside the conversation.

use rusqlite::{Connection, OptionalExtension, Row, named_params};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ContactId, Details, contact_by_id, create_contact, update_details};
use crate::accounts::{validate_email, validate_optional_text};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::util::now_ms;

#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct OrderItem {
    pub name: String,
    #[serde(default = "one")]
    pub quantity: i64,
    /// Unit price in cents.
    #[serde(default)]
    pub price_cents: Option<i64>,
}

fn one() -> i64 {
    1
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Order {
    pub id: i64,
    pub external_id: String,
    pub contact_id: ContactId,
    pub number: String,
    pub items: Vec<OrderItem>,
    pub amount_cents: Option<i64>,
    pub currency: Option<String>,
    pub status: String,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    pub updated_at: i64,
}

fn from_row(r: &Row) -> rusqlite::Result<Order> {
    let items: String = r.get(4)?;
    Ok(Order {
        id: r.get(0)?,
        external_id: r.get(1)?,
        contact_id: r.get(2)?,
        number: r.get(3)?,
        items: serde_json::from_str(&items).unwrap_or_default(),
        amount_cents: r.get(5)?,
        currency: r.get(6)?,
        status: r.get(7)?,
        carrier: r.get(8)?,
        tracking_number: r.get(9)?,
        updated_at: r.get(10)?,
    })
}

const COLUMNS: &str = "id, external_id, contact_id, number, items, amount_cents, currency, status, carrier, tracking_number, updated_at";

/// The contact's most recently updated orders.
pub fn latest_orders(conn: &Connection, contact: ContactId, limit: usize) -> rusqlite::Result<Vec<Order>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM orders WHERE contact_id = ?1 ORDER BY updated_at DESC, id DESC LIMIT ?2"
    ))?
    .query_map(rusqlite::params![contact, limit as i64], from_row)?
    .collect()
}

/// Orders with this number (a leading `#` and letter case ignored), newest first.
pub fn orders_by_number(conn: &Connection, number: &str) -> rusqlite::Result<Vec<Order>> {
    conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM orders WHERE lower(ltrim(number, '#')) = lower(ltrim(?1, '#'))
         ORDER BY updated_at DESC, id DESC LIMIT 20"
    ))?
    .query_map([number], from_row)?
    .collect()
}

/// Who the order belongs to: a contact id, or an email / phone (a contact is
/// created when nobody has them).
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct OrderContact {
    pub id: Option<i64>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub name: Option<String>,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct OrderInput {
    pub external_id: String,
    pub contact: OrderContact,
    pub number: String,
    #[serde(default)]
    pub items: Vec<OrderItem>,
    pub amount_cents: Option<i64>,
    pub currency: Option<String>,
    #[serde(default)]
    pub status: String,
    pub carrier: Option<String>,
    pub tracking_number: Option<String>,
    /// UTC ms; default now.
    pub updated_at: Option<i64>,
}

fn short(field: &'static str, v: &str, max: usize) -> AppResult<String> {
    validate_optional_text(field, v, max)
}

fn check(o: &OrderInput) -> AppResult<()> {
    if o.external_id.trim().is_empty() {
        return Err(AppError::bad_request("field_required").with("field", "external_id"));
    }
    if o.number.trim().is_empty() {
        return Err(AppError::bad_request("field_required").with("field", "number"));
    }
    short("external_id", &o.external_id, 100)?;
    short("number", &o.number, 100)?;
    short("status", &o.status, 60)?;
    if o.items.len() > 200 {
        return Err(AppError::bad_request("field_too_long")
            .with("field", "items")
            .with("max", 200));
    }
    if o.contact.id.is_none() && o.contact.email.is_none() && o.contact.phone.is_none() {
        return Err(AppError::bad_request("order_contact_required"));
    }
    if let Some(e) = &o.contact.email {
        validate_email(e)?;
    }
    Ok(())
}

fn resolve_contact(c: &Connection, who: &OrderContact) -> AppResult<ContactId> {
    if let Some(id) = who.id {
        return contact_by_id(c, ContactId(id))?
            .map(|ct| ct.id)
            .ok_or_else(|| AppError::bad_request("unknown_contact").with("id", id));
    }
    let email = who.email.as_deref().map(|e| e.trim().to_lowercase());
    let found: Option<ContactId> = c
        .prepare_cached(
            "SELECT id FROM contacts WHERE (?1 IS NOT NULL AND email = ?1) OR (?2 IS NOT NULL AND phone = ?2)
             ORDER BY (email = ?1) DESC, id LIMIT 1",
        )?
        .query_row(rusqlite::params![email, who.phone], |r| r.get(0))
        .optional()?;
    let id = match found {
        Some(id) => id,
        None => create_contact(c)?,
    };
    update_details(
        c,
        id,
        &Details {
            name: who.name.clone(),
            email,
            phone: who.phone.clone(),
            ..Details::default()
        },
    )?;
    Ok(id)
}

/// Inserts or updates by `external_id`; returns the stored order.
pub fn upsert_in(c: &Connection, o: &OrderInput) -> AppResult<Order> {
    check(o)?;
    let contact = resolve_contact(c, &o.contact)?;
    let now = now_ms();
    c.prepare_cached(
        "INSERT INTO orders (external_id, contact_id, number, items, amount_cents, currency, status, carrier,
             tracking_number, updated_at, created_at)
         VALUES (:ext, :contact, :number, :items, :amount, :currency, :status, :carrier, :tracking, :updated, :now)
         ON CONFLICT (external_id) DO UPDATE SET contact_id = excluded.contact_id, number = excluded.number,
             items = excluded.items, amount_cents = excluded.amount_cents, currency = excluded.currency,
             status = excluded.status, carrier = excluded.carrier, tracking_number = excluded.tracking_number,
             updated_at = excluded.updated_at",
    )?
    .execute(named_params! {
        ":ext": o.external_id.trim(), ":contact": contact, ":number": o.number.trim(),
        ":items": serde_json::to_string(&o.items).unwrap_or_else(|_| "[]".into()),
        ":amount": o.amount_cents, ":currency": o.currency, ":status": o.status.trim(), ":carrier": o.carrier,
        ":tracking": o.tracking_number, ":updated": o.updated_at.unwrap_or(now), ":now": now,
    })?;
    c.prepare_cached(&format!("SELECT {COLUMNS} FROM orders WHERE external_id = ?1"))?
        .query_row([o.external_id.trim()], from_row)
        .map_err(Into::into)
}

pub async fn upsert(db: &Db, o: OrderInput) -> AppResult<Order> {
    db.write(move |c| upsert_in(c, &o)).await
}

/// One refused CSV line.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ImportError {
    pub line: u64,
    pub message: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ImportReport {
    pub imported: usize,
    pub errors: Vec<ImportError>,
}

/// Imports CSV with a header row. Columns: `external_id, number, contact_email,
/// contact_phone, contact_name, status, carrier, tracking_number, amount` (a decimal
/// such as `199.00`), `currency`, `items` (`name x quantity`, separated by `|`),
/// `updated_at` (UTC ms). Each good line is stored; bad lines are reported with
/// their number and nothing of them is stored.
pub async fn import_csv(db: &Db, text: String, lang: crate::i18n::Lang) -> AppResult<ImportReport> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .map_err(|e| AppError::bad_request("csv_invalid").with("detail", e))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    if col("external_id").is_none() || col("number").is_none() {
        return Err(
            AppError::bad_request("csv_invalid").with("detail", "the header needs external_id and number")
        );
    }
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let line = i as u64 + 2;
        match record {
            Ok(r) => {
                let get = |name: &str| {
                    col(name)
                        .and_then(|c| r.get(c))
                        .filter(|v| !v.is_empty())
                        .map(str::to_string)
                };
                let amount = match get("amount").map(|a| parse_cents(&a)) {
                    Some(Some(c)) => Some(c),
                    Some(None) => {
                        errors.push(ImportError {
                            line,
                            message: format!("amount: not a number: {}", get("amount").unwrap_or_default()),
                        });
                        continue;
                    }
                    None => None,
                };
                let items = get("items")
                    .map(|s| s.split('|').map(parse_item).collect())
                    .unwrap_or_default();
                rows.push((
                    line,
                    OrderInput {
                        external_id: get("external_id").unwrap_or_default(),
                        contact: OrderContact {
                            id: None,
                            email: get("contact_email"),
                            phone: get("contact_phone"),
                            name: get("contact_name"),
                        },
                        number: get("number").unwrap_or_default(),
                        items,
                        amount_cents: amount,
                        currency: get("currency"),
                        status: get("status").unwrap_or_default(),
                        carrier: get("carrier"),
                        tracking_number: get("tracking_number"),
                        updated_at: get("updated_at").and_then(|t| t.parse().ok()),
                    },
                ));
            }
            Err(e) => errors.push(ImportError {
                line,
                message: e.to_string(),
            }),
        }
    }
    let (imported, mut refused) = db
        .write(move |c| {
            let mut imported = 0;
            let mut refused = Vec::new();
            for (line, row) in rows {
                // Each line in its own savepoint: a bad one leaves no trace.
                c.execute_batch("SAVEPOINT line")?;
                match upsert_in(c, &row) {
                    Ok(_) => {
                        c.execute_batch("RELEASE line")?;
                        imported += 1;
                    }
                    Err(e) => {
                        c.execute_batch("ROLLBACK TO line; RELEASE line")?;
                        refused.push(ImportError {
                            line,
                            message: e.message(lang),
                        });
                    }
                }
            }
            Ok((imported, refused))
        })
        .await?;
    errors.append(&mut refused);
    errors.sort_by_key(|e| e.line);
    Ok(ImportReport { imported, errors })
}

fn parse_cents(s: &str) -> Option<i64> {
    let s = s.trim().trim_start_matches(['¥', '$', '€']).replace(',', "");
    let (whole, frac) = s.split_once('.').unwrap_or((&s, ""));
    if frac.len() > 2 || whole.is_empty() && frac.is_empty() {
        return None;
    }
    let whole: i64 = if whole.is_empty() { 0 } else { whole.parse().ok()? };
    let frac: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().ok()?
    };
    Some(whole * 100 + frac)
}

fn parse_item(s: &str) -> OrderItem {
    let s = s.trim();
    match s.rsplit_once(" x ") {
        Some((name, q)) if q.trim().parse::<i64>().is_ok() => OrderItem {
            name: name.trim().to_string(),
            quantity: q.trim().parse().unwrap_or(1),
            price_cents: None,
        },
        _ => OrderItem {
            name: s.to_string(),
            quantity: 1,
            price_cents: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_in_cents() {
        assert_eq!(parse_cents("199.00"), Some(19900));
        assert_eq!(parse_cents("¥1,299.5"), Some(129950));
        assert_eq!(parse_cents("12"), Some(1200));
        assert_eq!(parse_cents("1.234"), None);
        assert_eq!(parse_cents("abc"), None);
    }

    #[test]
    fn items_with_quantities() {
        let i = parse_item("保湿面霜 50ml x 2");
        assert_eq!((i.name.as_str(), i.quantity), ("保湿面霜 50ml", 2));
        assert_eq!(parse_item("T恤").quantity, 1);
    }
}
