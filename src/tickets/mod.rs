//! Tickets: work that outlives a chat — often another department's — with a
//! status machine, a timeline of replies, notes and changes, and a public status
//! page. Every public step is emailed to the customer through the outbox, in the
//! same transaction as the step.

mod customer;
mod list;
mod mail;
mod model;
mod store;
pub mod types;

use rusqlite::Connection;
use serde::Serialize;
use utoipa::ToSchema;

pub use customer::{PublicEvent, PublicTicket, PublicView, contact_for_token, customer_reply, public_view};
pub(crate) use customer::{attach_in, mail_reply_in};
pub use list::{AssigneeFilter, ListQuery, SlaFilter, Sort, TicketPage, list};
pub use model::*;

use crate::accounts::{AgentId, Principal, TeamId};
use crate::attachments::{AttachmentId, Uploader};
use crate::contacts::ContactId;
use crate::conversations::ConversationId;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::notify::Mailroom;

pub const SUBJECT_MAX: usize = 200;
pub const TEXT_MAX: usize = 10_000;

/// Who the ticket is for: a known contact, or details to find or create one by.
pub enum ContactRef {
    Id(ContactId),
    Details {
        name: String,
        email: Option<String>,
        phone: Option<String>,
    },
}

pub struct NewTicket {
    pub subject: String,
    pub request: String,
    pub contact: ContactRef,
    pub type_id: Option<TicketTypeId>,
    pub priority: Option<Priority>,
    pub team_id: Option<TeamId>,
    pub assignee_id: Option<AgentId>,
    pub order_ref: Option<String>,
    pub due_at: Option<i64>,
    pub conversation_id: Option<ConversationId>,
    /// Email the customer that the ticket exists (with the status link).
    pub notify_customer: bool,
    pub source: &'static str,
}

/// A customer's email answering a ticket (see `customer::mail_reply_in`).
pub struct MailReply {
    pub body: String,
    pub quoted: Option<String>,
    pub message_id: Option<String>,
    pub attachments: Vec<AttachmentId>,
    /// `auto_reply`, `bounce` or `bulk` for mail a robot sent.
    pub automatic: Option<&'static str>,
}

/// A change from the console or the API: `None` leaves a field, `Some(None)`
/// clears a nullable one.
#[derive(Default)]
pub struct Changes {
    pub subject: Option<String>,
    pub status: Option<Status>,
    pub priority: Option<Priority>,
    pub type_id: Option<Option<TicketTypeId>>,
    pub team_id: Option<Option<TeamId>>,
    pub assignee_id: Option<Option<AgentId>>,
    pub order_ref: Option<Option<String>>,
    pub due_at: Option<Option<i64>>,
    /// With a team change: why it moves (the cross-department hand-over).
    pub note: Option<String>,
}

pub(crate) fn text(field: &'static str, raw: &str, max: usize) -> AppResult<String> {
    let v = raw.trim();
    if v.chars().count() > max {
        return Err(AppError::bad_request("field_too_long")
            .with("field", field)
            .with("max", max));
    }
    Ok(v.to_string())
}

fn check_reply_body(body: &str, has_attachment: bool) -> AppResult<String> {
    let body = body.trim();
    if body.is_empty() && !has_attachment {
        return Err(AppError::bad_request("body_empty"));
    }
    if body.chars().count() > TEXT_MAX {
        return Err(AppError::bad_request("body_too_long").with("max", TEXT_MAX));
    }
    Ok(body.to_string())
}

fn load(c: &Connection, mailroom: &Mailroom, id: TicketId) -> AppResult<Ticket> {
    let mut t = store::ticket(c, id)?.ok_or_else(|| AppError::not_found("not_found"))?;
    t.status_url = status_url(mailroom, &t.public_token);
    Ok(t)
}

pub(crate) fn status_url(mailroom: &Mailroom, token: &str) -> String {
    format!("{}/s/{token}", mailroom.config().public_url())
}

fn ensure_agent(c: &Connection, agent: Option<AgentId>) -> AppResult<()> {
    if let Some(a) = agent {
        match crate::accounts::agents::agent_by_id(c, a)? {
            None => return Err(AppError::bad_request("unknown_agent").with("id", a)),
            Some(x) if !x.active => return Err(AppError::bad_request("agent_inactive").with("id", a)),
            Some(_) => {}
        }
    }
    Ok(())
}

/// The contact a ticket is for: checked, or found by email (or created) and named.
pub(crate) fn resolve_contact(c: &Connection, contact: &ContactRef) -> AppResult<ContactId> {
    match contact {
        ContactRef::Id(id) => {
            crate::contacts::contact_by_id(c, *id)?
                .ok_or_else(|| AppError::bad_request("unknown_contact").with("id", id))?;
            Ok(*id)
        }
        ContactRef::Details { name, email, phone } => {
            let email = email
                .as_deref()
                .filter(|e| !e.trim().is_empty())
                .map(crate::accounts::validate_email)
                .transpose()?;
            let phone = phone.as_deref().map(str::trim).filter(|p| !p.is_empty());
            if email.is_none() && phone.is_none() {
                return Err(AppError::bad_request("contact_required"));
            }
            let existing = match &email {
                Some(e) => crate::contacts::contact_by_email(c, e)?,
                None => None,
            };
            let id = match existing {
                Some(id) => id,
                None => crate::contacts::create_contact(c)?,
            };
            crate::contacts::update_details(
                c,
                id,
                &crate::contacts::Details {
                    name: Some(text("name", name, 100)?),
                    email,
                    phone: phone.map(|p| p.chars().take(40).collect()),
                    ..Default::default()
                },
            )?;
            Ok(id)
        }
    }
}

/// Opens a ticket: its timeline starts with `created` (and a link to the chat it
/// came from); the customer is emailed when asked and they have an address.
pub async fn create(db: &Db, mailroom: &Mailroom, actor: Principal, new: NewTicket) -> AppResult<Ticket> {
    let room = mailroom.clone();
    let ticket = db
        .write(move |c| Ok(open_in(c, &room, actor.agent_id(), new, None)?.0))
        .await?;
    mailroom.tickets_changed();
    Ok(ticket)
}

/// `create` inside the caller's transaction; `mail_message_id` marks a ticket opened
/// by a customer's email (so the same mail is never a ticket twice). Returns the
/// ticket and its `created` event.
pub(crate) fn open_in(
    c: &Connection,
    mailroom: &Mailroom,
    actor: Option<AgentId>,
    new: NewTicket,
    mail_message_id: Option<&str>,
) -> AppResult<(Ticket, i64)> {
    let subject = text("subject", &new.subject, SUBJECT_MAX)?;
    if subject.is_empty() {
        return Err(AppError::bad_request("field_required").with("field", "subject"));
    }
    let request = text("request", &new.request, TEXT_MAX)?;
    let order_ref = new
        .order_ref
        .as_deref()
        .map(|o| text("order_ref", o, 100))
        .transpose()?
        .filter(|o| !o.is_empty());
    crate::accounts::teams::ensure_team_exists(c, new.team_id)?;
    ensure_agent(c, new.assignee_id)?;
    types::ensure_exists(c, new.type_id)?;
    if let Some(conv) = new.conversation_id {
        crate::conversations::views::summary(c, conv)?;
    }
    let contact_id = resolve_contact(c, &new.contact)?;
    let contact = crate::contacts::contact_by_id(c, contact_id)?;
    let locale = crate::contacts::language_of(c, contact.as_ref())?;
    let public_token = crate::util::random_token();
    let thread_token = crate::notify::new_thread_token();
    let id = store::insert(
        c,
        &store::NewRow {
            number: store::next_number(c)?,
            subject: &subject,
            request: &request,
            contact_id,
            locale: locale.tag(),
            source: new.source,
            created_by: actor,
            public_token: &public_token,
            thread_token: &thread_token,
            priority: new.priority.unwrap_or(Priority::Normal),
            type_id: new.type_id,
            team_id: new.team_id,
            assignee_id: new.assignee_id,
            order_ref: order_ref.as_deref(),
            due_at: new.due_at,
            conversation_id: new.conversation_id,
        },
    )?;
    let author = match (actor, mail_message_id) {
        (_, Some(_)) => EventAuthor::Contact,
        (Some(a), None) => EventAuthor::Agent(a),
        (None, None) => EventAuthor::System,
    };
    let created = store::insert_event(
        c,
        &store::NewEvent {
            public: true,
            data: serde_json::json!({"source": new.source}),
            mail_message_id,
            ..store::NewEvent::new(id, EventKind::Created, &author)
        },
    )?;
    if let Some(conv) = new.conversation_id {
        store::insert_event(
            c,
            &store::NewEvent {
                data: serde_json::json!({"conversation_id": conv}),
                ..store::NewEvent::new(id, EventKind::Link, &author)
            },
        )?;
    }
    if let Some(mid) = mail_message_id {
        // Our confirmation answers the customer's mail, in their thread.
        store::add_mail_reference(c, id, mid)?;
    }
    crate::sla::refresh(c, id, crate::util::now_ms())?;
    let ticket = load(c, mailroom, id)?;
    if let Some(a) = ticket.assignee_id.filter(|a| Some(*a) != actor) {
        notify_assigned(c, mailroom, &ticket, a)?;
    }
    if new.notify_customer {
        mail::to_customer(
            c,
            mailroom,
            &ticket,
            "ticket_created",
            created,
            serde_json::json!({}),
        )?;
    }
    Ok((ticket, created))
}

/// Tells an agent something about a ticket (console, and email if they want it).
pub(crate) fn notify_agent(
    c: &Connection,
    mailroom: &Mailroom,
    t: &Ticket,
    agent: AgentId,
    kind: crate::notifications::Kind,
    excerpt: &str,
) -> AppResult<()> {
    let about = crate::notifications::About {
        ticket: t.id,
        number: t.number,
        subject: &t.subject,
    };
    crate::notifications::notify(c, mailroom, agent, kind, &about, excerpt, None)
}

/// Tells an agent a ticket is now theirs (unless they took it themselves).
pub(crate) fn notify_assigned(
    c: &Connection,
    mailroom: &Mailroom,
    t: &Ticket,
    agent: AgentId,
) -> AppResult<()> {
    notify_agent(
        c,
        mailroom,
        t,
        agent,
        crate::notifications::Kind::Assigned,
        &t.request,
    )
}

fn actor_author(actor: &Principal) -> EventAuthor {
    match actor.agent_id() {
        Some(id) => EventAuthor::Agent(id),
        None => EventAuthor::System,
    }
}

/// The ticket and its whole timeline (notes included).
pub async fn get(db: &Db, mailroom: &Mailroom, id: TicketId) -> AppResult<(Ticket, Vec<Event>)> {
    let room = mailroom.clone();
    db.read(move |c| {
        let t = load(c, &room, id)?;
        let events = store::events(c, id, false)?;
        Ok((t, events))
    })
    .await
}

/// Applies `changes` in one transaction: each changed field is an event, status
/// changes the customer should know of are emailed. Returns the new events.
pub async fn update(
    db: &Db,
    mailroom: &Mailroom,
    actor: Principal,
    id: TicketId,
    changes: Changes,
) -> AppResult<(Ticket, Vec<Event>)> {
    let room = mailroom.clone();
    let result = db
        .write(move |c| {
            let before = load(c, &room, id)?;
            let author = actor_author(&actor);
            let ids = changes::apply(c, &room, &before, &author, changes)?;
            crate::sla::refresh(c, id, crate::util::now_ms())?;
            let events = ids
                .into_iter()
                .filter_map(|e| store::event(c, e).transpose())
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok((load(c, &room, id)?, events))
        })
        .await?;
    mailroom.tickets_changed();
    Ok(result)
}

mod changes;

/// A public reply (emailed to the customer) or an internal note.
pub async fn reply(
    db: &Db,
    mailroom: &Mailroom,
    actor: Principal,
    id: TicketId,
    body: String,
    public: bool,
    attachment: Option<AttachmentId>,
) -> AppResult<Event> {
    let body = check_reply_body(&body, attachment.is_some())?;
    let room = mailroom.clone();
    let event = db
        .write(move |c| {
            let ticket = load(c, &room, id)?;
            if ticket.status == Status::Closed {
                return Err(AppError::conflict("ticket_closed"));
            }
            if let (Some(a), Some(agent)) = (attachment, actor.agent_id()) {
                crate::attachments::check_owned(c, a, Uploader::Agent(agent))?;
            }
            let author = actor_author(&actor);
            let event = store::insert_event(
                c,
                &store::NewEvent {
                    public,
                    body: Some(&body),
                    attachment_id: attachment,
                    ..store::NewEvent::new(id, if public { EventKind::PublicReply } else { EventKind::Note }, &author)
                },
            )?;
            if public {
                store::touch_first_response(c, id)?;
                if ticket.status == Status::New {
                    changes::record_status(c, &room, &ticket, &author, Status::Open, false)?;
                }
                let agent_name = match actor.agent_id() {
                    Some(a) => crate::accounts::agents::agent_by_id(c, a)?.map(|a| a.name),
                    None => None,
                };
                mail::to_customer(
                    c,
                    &room,
                    &ticket,
                    "public_reply",
                    event,
                    serde_json::json!({"reply": {"body": body, "agent_name": agent_name.unwrap_or_default()}}),
                )?;
                crate::sla::refresh(c, id, crate::util::now_ms())?;
            } else {
                store::touch(c, id)?;
            }
            store::event(c, event)?.ok_or_else(|| AppError::not_found("not_found"))
        })
        .await?;
    mailroom.tickets_changed();
    Ok(event)
}

/// The same change on many tickets (status, assignee or team), all or nothing.
pub async fn bulk(
    db: &Db,
    mailroom: &Mailroom,
    actor: Principal,
    ids: Vec<TicketId>,
    template: Changes,
) -> AppResult<usize> {
    if ids.is_empty() || ids.len() > 500 {
        return Err(AppError::bad_request("invalid_selection").with("max", 500));
    }
    let room = mailroom.clone();
    let n = db
        .write(move |c| {
            let author = actor_author(&actor);
            for id in &ids {
                let before = load(c, &room, *id)?;
                let one = Changes {
                    status: template.status,
                    assignee_id: template.assignee_id,
                    team_id: template.team_id,
                    ..Changes::default()
                };
                changes::apply(c, &room, &before, &author, one)?;
                crate::sla::refresh(c, *id, crate::util::now_ms())?;
            }
            Ok(ids.len())
        })
        .await?;
    mailroom.tickets_changed();
    Ok(n)
}

/// What "create a ticket from this chat" fills in.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Draft {
    pub subject: String,
    /// The customer's messages, then the chat in short.
    pub request: String,
    pub contact: TicketContact,
    pub order_ref: Option<String>,
    pub conversation_id: ConversationId,
}

pub async fn draft_from_conversation(db: &Db, conversation: ConversationId) -> AppResult<Draft> {
    db.read(move |c| {
        let summary = crate::conversations::views::summary(c, conversation)?;
        let messages = crate::conversations::views::messages_for_agent(c, conversation)?;
        let contact = crate::contacts::contact_by_id(c, summary.contact.id)?
            .ok_or_else(|| AppError::not_found("not_found"))?;
        let order = crate::contacts::orders::latest_orders(c, contact.id, 1)?
            .into_iter()
            .next();
        Ok(mail::draft(summary, messages, contact, order))
    })
    .await
}

/// Closes tickets solved more than the shop's `ticket_close_days` ago (the job runs
/// this every few minutes). Each closing is a timeline event by the system.
pub async fn close_solved(db: &Db) -> AppResult<usize> {
    db.write(|c| {
        let days = crate::settings::ticket_close_days(c)?;
        let cutoff = crate::util::now_ms() - days * 86_400_000;
        let due: Vec<TicketId> = c
            .prepare_cached("SELECT id FROM tickets WHERE status = 'solved' AND solved_at <= ?1 LIMIT 500")?
            .query_map([cutoff], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for id in &due {
            store::set_status(c, *id, Status::Closed)?;
            store::insert_event(
                c,
                &store::NewEvent {
                    public: true,
                    data: serde_json::json!({"from": Status::Solved, "to": Status::Closed}),
                    ..store::NewEvent::new(*id, EventKind::Status, &EventAuthor::System)
                },
            )?;
        }
        Ok(due.len())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn solved_tickets_close_after_the_shops_days() {
        let (_dir, db) = crate::db::testing::temp_db();
        let ids = db
            .write(|c| {
                let contact = crate::contacts::create_contact(c)?;
                let mut ids = Vec::new();
                for (n, token) in [(1001, "a"), (1002, "b")] {
                    let id = store::insert(
                        c,
                        &store::NewRow {
                            number: n,
                            subject: "s",
                            request: "",
                            contact_id: contact,
                            locale: "en",
                            source: "api",
                            created_by: None,
                            public_token: token,
                            thread_token: token,
                            priority: Priority::Normal,
                            type_id: None,
                            team_id: None,
                            assignee_id: None,
                            order_ref: None,
                            due_at: None,
                            conversation_id: None,
                        },
                    )?;
                    store::set_status(c, id, Status::Solved)?;
                    ids.push(id);
                }
                crate::settings::set(c, crate::settings::TICKET_CLOSE_DAYS, "3")?;
                // The first was solved four days ago, the second just now.
                let old = crate::util::now_ms() - 4 * 86_400_000;
                c.execute(
                    "UPDATE tickets SET solved_at = ?1 WHERE id = ?2",
                    rusqlite::params![old, ids[0]],
                )?;
                Ok(ids)
            })
            .await
            .unwrap();
        assert_eq!(close_solved(&db).await.unwrap(), 1);
        assert_eq!(close_solved(&db).await.unwrap(), 0, "closed once");
        let (first, second, events) = db
            .read(move |c| {
                Ok((
                    store::ticket(c, ids[0])?.unwrap().status,
                    store::ticket(c, ids[1])?.unwrap().status,
                    store::events(c, ids[0], true)?,
                ))
            })
            .await
            .unwrap();
        assert_eq!((first, second), (Status::Closed, Status::Solved));
        assert_eq!(events.last().unwrap().data["to"], "closed");
    }
}
