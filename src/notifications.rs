//! What an agent should look at: a ticket assigned to them, a customer's answer,
//! an SLA warning or breach. Each is a row the console lists (with an unread
//! count, refreshed over the websocket) and, if the agent wants that kind by email,
//! an `agent_notification` mail written in the same transaction.

use rusqlite::{Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::accounts::AgentId;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::notify::{Mail, Mailroom};
use crate::sla::Metric;
use crate::tickets::TicketId;
use crate::util::now_ms;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Assigned,
    CustomerReplied,
    SlaWarning,
    SlaBreach,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Assigned => "assigned",
            Kind::CustomerReplied => "customer_replied",
            Kind::SlaWarning => "sla_warning",
            Kind::SlaBreach => "sla_breach",
        }
    }

    fn parse(s: &str) -> Option<Kind> {
        [
            Kind::Assigned,
            Kind::CustomerReplied,
            Kind::SlaWarning,
            Kind::SlaBreach,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }

    /// The agent's switch for this kind's email.
    fn email_column(self) -> &'static str {
        match self {
            Kind::Assigned => "email_on_assigned",
            Kind::CustomerReplied => "email_on_customer_reply",
            Kind::SlaWarning | Kind::SlaBreach => "email_on_sla",
        }
    }
}

crate::util::sql_text_enum!(Kind);

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Notification {
    pub id: i64,
    pub kind: Kind,
    pub ticket_id: Option<TicketId>,
    /// `#1001 Refund for a broken kettle`.
    pub title: String,
    pub excerpt: String,
    /// For SLA notifications: which target, and when it falls (or fell) due.
    pub metric: Option<String>,
    pub due_at: Option<i64>,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

/// A ticket as a notification names it.
pub struct About<'a> {
    pub ticket: TicketId,
    pub number: i64,
    pub subject: &'a str,
}

/// Tells `agent` (in the console, and by email if they want this kind).
pub fn notify(
    c: &Connection,
    mailroom: &Mailroom,
    agent: AgentId,
    kind: Kind,
    about: &About,
    excerpt: &str,
    sla: Option<(Metric, i64)>,
) -> AppResult<()> {
    let due_at = sla.map(|(_, at)| at);
    let title = format!("#{} {}", about.number, about.subject);
    let excerpt: String = excerpt.chars().take(300).collect();
    c.prepare_cached(
        "INSERT INTO notifications (agent_id, kind, ticket_id, title, excerpt, data, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(rusqlite::params![
        agent,
        kind,
        about.ticket,
        title,
        excerpt,
        json!({"due_at": due_at, "metric": sla.map(|(m, _)| m)}).to_string(),
        now_ms()
    ])?;
    let id = c.last_insert_rowid();
    mailroom.alert_agents();
    let wants_email: Option<(String, String, Option<String>)> = c
        .query_row(
            &format!(
                "SELECT email, name, locale FROM agents WHERE id = ?1 AND active = 1 AND {} = 1",
                kind.email_column()
            ),
            [agent],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((email, name, locale)) = wants_email else {
        return Ok(());
    };
    let lang = locale
        .as_deref()
        .and_then(Lang::parse_exact)
        .unwrap_or(crate::settings::shop(c)?.default_locale);
    let due = due_at.map(|d| crate::settings::format_time(c, d)).transpose()?;
    let link = format!("{}/#/tickets/{}", mailroom.config().public_url(), about.ticket);
    mailroom.compose(
        c,
        Mail {
            template: "agent_notification",
            lang,
            to_name: Some(name.clone()),
            to_email: email,
            context: json!({
                "agent": {"name": name},
                "notification": {"kind": kind, "title": title, "excerpt": excerpt, "due": due, "link": link},
            }),
            thread: None,
            automatic: true,
            about: Some(format!("notification:{id}")),
        },
    )?;
    Ok(())
}

fn from_row(r: &Row) -> rusqlite::Result<Notification> {
    let data: String = r.get(5)?;
    let data: serde_json::Value = serde_json::from_str(&data).unwrap_or_default();
    Ok(Notification {
        id: r.get(0)?,
        kind: r.get(1)?,
        ticket_id: r.get(2)?,
        title: r.get(3)?,
        excerpt: r.get(4)?,
        metric: data["metric"].as_str().map(str::to_string),
        due_at: data["due_at"].as_i64(),
        created_at: r.get(6)?,
        read_at: r.get(7)?,
    })
}

/// The agent's newest notifications (older than `before` when paging) and how many
/// are unread.
pub fn list(
    c: &Connection,
    agent: AgentId,
    unread_only: bool,
    before: Option<i64>,
    limit: usize,
) -> rusqlite::Result<(Vec<Notification>, i64)> {
    let items = c
        .prepare_cached(
            "SELECT id, kind, ticket_id, title, excerpt, data, created_at, read_at FROM notifications
             WHERE agent_id = ?1 AND (?2 = 0 OR read_at IS NULL) AND id < ?3
             ORDER BY id DESC LIMIT ?4",
        )?
        .query_map(
            rusqlite::params![agent, unread_only, before.unwrap_or(i64::MAX), limit as i64],
            from_row,
        )?
        .collect::<rusqlite::Result<_>>()?;
    let unread = c
        .prepare_cached("SELECT count(*) FROM notifications WHERE agent_id = ?1 AND read_at IS NULL")?
        .query_row([agent], |r| r.get(0))?;
    Ok((items, unread))
}

/// Marks some (or, with `None`, all) of the agent's notifications read; others'
/// are untouched whatever ids are given.
pub fn mark_read(c: &Connection, agent: AgentId, ids: Option<&[i64]>) -> rusqlite::Result<usize> {
    let now = now_ms();
    match ids {
        None => c.execute(
            "UPDATE notifications SET read_at = ?2 WHERE agent_id = ?1 AND read_at IS NULL",
            rusqlite::params![agent, now],
        ),
        Some(ids) => {
            let mut stmt = c.prepare_cached(
                "UPDATE notifications SET read_at = ?3 WHERE agent_id = ?1 AND id = ?2 AND read_at IS NULL",
            )?;
            let mut n = 0;
            for id in ids {
                n += stmt.execute(rusqlite::params![agent, id, now])?;
            }
            Ok(n)
        }
    }
}

/// Which notification emails an agent gets.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, ToSchema)]
pub struct EmailPrefs {
    pub assigned: bool,
    pub customer_replied: bool,
    pub sla: bool,
}

pub fn email_prefs(c: &Connection, agent: AgentId) -> AppResult<EmailPrefs> {
    c.prepare_cached(
        "SELECT email_on_assigned, email_on_customer_reply, email_on_sla FROM agents WHERE id = ?1",
    )?
    .query_row([agent], |r| {
        Ok(EmailPrefs {
            assigned: r.get(0)?,
            customer_replied: r.get(1)?,
            sla: r.get(2)?,
        })
    })
    .optional()?
    .ok_or_else(|| AppError::not_found("not_found"))
}

pub fn set_email_prefs(c: &Connection, agent: AgentId, prefs: EmailPrefs) -> rusqlite::Result<()> {
    c.prepare_cached(
        "UPDATE agents SET email_on_assigned = ?2, email_on_customer_reply = ?3, email_on_sla = ?4 WHERE id = ?1",
    )?
    .execute(rusqlite::params![agent, prefs.assigned, prefs.customer_replied, prefs.sla])?;
    Ok(())
}
