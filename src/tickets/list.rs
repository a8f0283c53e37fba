//! The ticket list: filters, search, three sort orders and keyset pages, so the
//! first page stays fast with a hundred thousand tickets.

use rusqlite::types::Value;
use serde::Serialize;
use utoipa::ToSchema;

use super::store::{TICKET_COLUMNS, TICKET_JOINS, ticket_from_row};
use super::{Priority, Status, Ticket, TicketTypeId};
use crate::accounts::{AgentId, TeamId};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::notify::Mailroom;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    /// Recently updated first.
    Updated,
    /// Soonest due first (the SLA deadline or the agent's due date, whichever is
    /// sooner); tickets without either last.
    Due,
    /// Newest first.
    Created,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssigneeFilter {
    Agent(AgentId),
    Nobody,
}

/// The list's SLA filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlaFilter {
    /// Running, before the warning.
    Ok,
    /// Past the warning share, not yet due.
    Warning,
    /// A running target is past its deadline.
    Overdue,
    /// Waiting on the customer or a third party.
    Paused,
    /// A target was missed, at any time.
    Breached,
    /// No policy applies.
    None,
}

impl SlaFilter {
    pub fn parse(s: &str) -> Option<SlaFilter> {
        Some(match s {
            "ok" => SlaFilter::Ok,
            "warning" => SlaFilter::Warning,
            "overdue" => SlaFilter::Overdue,
            "paused" => SlaFilter::Paused,
            "breached" => SlaFilter::Breached,
            "none" => SlaFilter::None,
            _ => return None,
        })
    }

    /// The condition, with `?now` standing for the current time.
    fn condition(self) -> &'static str {
        match self {
            SlaFilter::Ok => "t.sla_due_at > ?now AND (t.sla_warn_at IS NULL OR t.sla_warn_at > ?now)",
            SlaFilter::Warning => "t.sla_due_at > ?now AND t.sla_warn_at <= ?now",
            SlaFilter::Overdue => "t.sla_due_at <= ?now",
            SlaFilter::Paused => {
                "t.sla_policy_id IS NOT NULL AND t.sla_due_at IS NULL AND t.status IN ('pending', 'on_hold')"
            }
            SlaFilter::Breached => "t.sla_breached = 1",
            SlaFilter::None => "t.sla_policy_id IS NULL",
        }
    }
}

#[derive(Clone, Debug)]
pub struct ListQuery {
    pub statuses: Vec<Status>,
    pub team: Option<TeamId>,
    pub assignee: Option<AssigneeFilter>,
    pub priority: Option<Priority>,
    pub type_id: Option<TicketTypeId>,
    pub sla: Option<SlaFilter>,
    pub search: Option<String>,
    pub sort: Sort,
    /// The `next` of the previous page.
    pub before: Option<String>,
    pub limit: usize,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TicketPage {
    pub tickets: Vec<Ticket>,
    /// Pass as `before` for the next page; `null` on the last.
    pub next: Option<String>,
}

/// The sort key of the last row and its id: `<key>.<id>`.
fn parse_cursor(raw: &str) -> AppResult<(i64, i64)> {
    let bad = || AppError::bad_request("invalid_query").with("detail", "before");
    let (k, id) = raw.split_once('.').ok_or_else(bad)?;
    Ok((k.parse().map_err(|_| bad())?, id.parse().map_err(|_| bad())?))
}

/// The tickets with these ids, in this order.
fn by_ids(c: &rusqlite::Connection, ids: &[i64]) -> rusqlite::Result<Vec<Ticket>> {
    let json = serde_json::to_string(ids).unwrap_or_else(|_| "[]".into());
    let mut rows: Vec<Ticket> = c
        .prepare_cached(&format!(
            "SELECT {TICKET_COLUMNS} {TICKET_JOINS} WHERE t.id IN (SELECT value FROM json_each(?1))"
        ))?
        .query_map([json], ticket_from_row)?
        .collect::<rusqlite::Result<_>>()?;
    let position = |id: i64| ids.iter().position(|x| *x == id).unwrap_or(usize::MAX);
    rows.sort_by_key(|t| position(t.id.0));
    Ok(rows)
}

pub async fn list(db: &Db, mailroom: &Mailroom, q: ListQuery) -> AppResult<TicketPage> {
    let cursor = q.before.as_deref().map(parse_cursor).transpose()?;
    let room = mailroom.clone();
    db.read(move |c| {
        // First the page's ids, from the tickets table alone (contacts only when the
        // search needs them), then their full rows: the filter and sort read narrow
        // rows and can walk an index in order instead of joining every match.
        let search = q.search.as_deref().map(str::trim).filter(|s| !s.is_empty());
        let contacts = if search.is_some() {
            "JOIN contacts ct ON ct.id = t.contact_id"
        } else {
            ""
        };
        let mut sql = format!("SELECT t.id FROM tickets t {contacts} WHERE 1 = 1");
        let mut args: Vec<Value> = Vec::new();
        let arg = |v: Value, args: &mut Vec<Value>| {
            args.push(v);
            format!("?{}", args.len())
        };
        if !q.statuses.is_empty() {
            let list: Vec<String> = q
                .statuses
                .iter()
                .map(|s| arg(Value::Text(s.as_str().into()), &mut args))
                .collect();
            sql += &format!(" AND t.status IN ({})", list.join(", "));
        }
        if let Some(t) = q.team {
            sql += &format!(" AND t.team_id = {}", arg(Value::Integer(t.0), &mut args));
        }
        match q.assignee {
            Some(AssigneeFilter::Agent(a)) => {
                sql += &format!(" AND t.assignee_id = {}", arg(Value::Integer(a.0), &mut args));
            }
            Some(AssigneeFilter::Nobody) => sql += " AND t.assignee_id IS NULL",
            None => {}
        }
        if let Some(p) = q.priority {
            sql += &format!(" AND t.priority = {}", arg(Value::Text(p.as_str().into()), &mut args));
        }
        if let Some(ty) = q.type_id {
            sql += &format!(" AND t.type_id = {}", arg(Value::Integer(ty.0), &mut args));
        }
        if let Some(f) = q.sla {
            let mut cond = f.condition().to_string();
            if cond.contains("?now") {
                cond = cond.replace("?now", &arg(Value::Integer(crate::util::now_ms()), &mut args));
            }
            sql += &format!(" AND ({cond})");
        }
        if let Some(text) = search {
            let number = text.trim_start_matches('#').parse::<i64>().ok();
            let like = format!("%{}%", text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
            let n = arg(Value::Text(like), &mut args);
            let mut cond = format!(
                "t.subject LIKE {n} ESCAPE '\\' OR t.request LIKE {n} ESCAPE '\\' OR ct.name LIKE {n} ESCAPE '\\' \
                 OR ct.email LIKE {n} ESCAPE '\\' OR t.order_ref LIKE {n} ESCAPE '\\'"
            );
            if let Some(num) = number {
                cond += &format!(" OR t.number = {}", arg(Value::Integer(num), &mut args));
            }
            sql += &format!(" AND ({cond})");
        }
        // Keyset paging: rows after the cursor in the sort order.
        let (key, order) = match q.sort {
            Sort::Updated => ("t.updated_at", "t.updated_at DESC, t.id DESC"),
            Sort::Created => ("t.created_at", "t.created_at DESC, t.id DESC"),
            Sort::Due => (
                "coalesce(t.next_due_at, 9223372036854775807)",
                "coalesce(t.next_due_at, 9223372036854775807), t.id",
            ),
        };
        if let Some((k, id)) = cursor {
            let (k, id) = (arg(Value::Integer(k), &mut args), arg(Value::Integer(id), &mut args));
            sql += &match q.sort {
                Sort::Due => format!(" AND ({key} > {k} OR ({key} = {k} AND t.id > {id}))"),
                _ => format!(" AND ({key} < {k} OR ({key} = {k} AND t.id < {id}))"),
            };
        }
        sql += &format!(" ORDER BY {order} LIMIT {}", q.limit + 1);
        let ids: Vec<i64> = c
            .prepare_cached(&sql)?
            .query_map(rusqlite::params_from_iter(args), |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        let mut tickets = by_ids(c, &ids)?;
        let next = if tickets.len() > q.limit {
            tickets.truncate(q.limit);
            tickets.last().map(|t| {
                let k = match q.sort {
                    Sort::Updated => t.updated_at,
                    Sort::Created => t.created_at,
                    Sort::Due => t.next_due_at.unwrap_or(i64::MAX),
                };
                format!("{k}.{}", t.id)
            })
        } else {
            None
        };
        for t in &mut tickets {
            t.status_url = super::status_url(&room, &t.public_token);
        }
        Ok(TicketPage { tickets, next })
    })
    .await
}
