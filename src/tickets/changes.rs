//! Applying a change to a ticket: one event per changed field, and the emails a
//! customer should get about it.

use rusqlite::Connection;
use serde_json::json;

use super::{
    Changes, EventAuthor, EventKind, Status, Ticket, TicketId, ensure_agent, mail, store, text, types,
};
use crate::error::{AppError, AppResult};
use crate::notify::Mailroom;

fn event(
    c: &Connection,
    ticket: TicketId,
    kind: EventKind,
    author: &EventAuthor,
    data: serde_json::Value,
) -> AppResult<i64> {
    Ok(store::insert_event(
        c,
        &store::NewEvent {
            data,
            ..store::NewEvent::new(ticket, kind, author)
        },
    )?)
}

/// Sets the status and records it; tells the customer when `tell` and the new
/// status is a step they should hear of (working on it again, waiting on them or
/// on someone else, solved).
pub fn record_status(
    c: &Connection,
    mailroom: &Mailroom,
    ticket: &Ticket,
    author: &EventAuthor,
    to: Status,
    tell: bool,
) -> AppResult<Option<i64>> {
    if ticket.status == to {
        return Ok(None);
    }
    store::set_status(c, ticket.id, to)?;
    let id = store::insert_event(
        c,
        &store::NewEvent {
            public: true,
            data: json!({"from": ticket.status, "to": to}),
            ..store::NewEvent::new(ticket.id, EventKind::Status, author)
        },
    )?;
    let reopened = to == Status::Open && ticket.status != Status::New;
    let template = match to {
        Status::Solved => Some("ticket_solved"),
        Status::Pending | Status::OnHold => Some("status_changed"),
        Status::Open if reopened => Some("status_changed"),
        _ => None,
    };
    if let (true, Some(template)) = (tell, template) {
        let mut now = ticket.clone();
        now.status = to;
        mail::to_customer(c, mailroom, &now, template, id, json!({}))?;
    }
    Ok(Some(id))
}

/// Applies every field of `changes` that differs; returns the new events' ids.
pub fn apply(
    c: &Connection,
    mailroom: &Mailroom,
    before: &Ticket,
    author: &EventAuthor,
    changes: Changes,
) -> AppResult<Vec<i64>> {
    let id = before.id;
    if before.status == Status::Closed {
        return Err(AppError::conflict("ticket_closed"));
    }
    let mut events = Vec::new();
    if let Some(subject) = &changes.subject {
        let subject = text("subject", subject, super::SUBJECT_MAX)?;
        if subject.is_empty() {
            return Err(AppError::bad_request("field_required").with("field", "subject"));
        }
        if subject != before.subject {
            store::set_column(c, id, "subject", &subject)?;
            events.push(event(
                c,
                id,
                EventKind::Fields,
                author,
                json!({"field": "subject", "from": before.subject, "to": subject}),
            )?);
        }
    }
    if let Some(p) = changes.priority
        && p != before.priority
    {
        store::set_column(c, id, "priority", &p)?;
        events.push(event(
            c,
            id,
            EventKind::Priority,
            author,
            json!({"from": before.priority, "to": p}),
        )?);
    }
    if let Some(t) = changes.type_id
        && t != before.type_id
    {
        types::ensure_exists(c, t)?;
        store::set_column(c, id, "type_id", &t)?;
        events.push(event(
            c,
            id,
            EventKind::Type,
            author,
            json!({"from": before.type_id, "to": t}),
        )?);
    }
    let note = changes
        .note
        .as_deref()
        .map(|n| text("note", n, super::TEXT_MAX))
        .transpose()?
        .filter(|n| !n.is_empty());
    if let Some(team) = changes.team_id
        && team != before.team_id
    {
        crate::accounts::teams::ensure_team_exists(c, team)?;
        store::set_column(c, id, "team_id", &team)?;
        events.push(event(
            c,
            id,
            EventKind::Team,
            author,
            json!({"from": before.team_id, "to": team, "note": note}),
        )?);
    } else if let Some(note) = &note {
        // A note without a team change is just a note.
        events.push(store::insert_event(
            c,
            &store::NewEvent {
                body: Some(note),
                ..store::NewEvent::new(id, EventKind::Note, author)
            },
        )?);
    }
    if let Some(a) = changes.assignee_id
        && a != before.assignee_id
    {
        ensure_agent(c, a)?;
        store::set_column(c, id, "assignee_id", &a)?;
        let by_self = matches!(author, EventAuthor::Agent(me) if Some(*me) == a);
        if let (Some(agent), false) = (a, by_self) {
            super::notify_assigned(c, mailroom, before, agent)?;
        }
        events.push(event(
            c,
            id,
            EventKind::Assignee,
            author,
            json!({"from": before.assignee_id, "to": a}),
        )?);
    }
    if let Some(o) = &changes.order_ref {
        let o = o
            .as_deref()
            .map(|v| text("order_ref", v, 100))
            .transpose()?
            .filter(|v| !v.is_empty());
        if o != before.order_ref {
            store::set_column(c, id, "order_ref", &o)?;
            events.push(event(
                c,
                id,
                EventKind::Fields,
                author,
                json!({"field": "order_ref", "from": before.order_ref, "to": o}),
            )?);
        }
    }
    if let Some(d) = changes.due_at
        && d != before.due_at
    {
        store::set_column(c, id, "due_at", &d)?;
        events.push(event(
            c,
            id,
            EventKind::Fields,
            author,
            json!({"field": "due_at", "from": before.due_at, "to": d}),
        )?);
    }
    if let Some(s) = changes.status
        && let Some(e) = record_status(c, mailroom, before, author, s, true)?
    {
        events.push(e);
    }
    Ok(events)
}
