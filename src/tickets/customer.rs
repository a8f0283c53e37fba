//! The customer's side of a ticket: the public status page (the link in every
//! email is the only key) and replies written there.

use serde::Serialize;
use utoipa::ToSchema;

use super::changes::record_status;
use super::{EventAuthor, EventKind, Status, TicketId, check_reply_body, store};
use crate::attachments::{AttachmentId, Uploader};
use crate::contacts::ContactId;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::notify::Mailroom;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PublicTicket {
    pub number: i64,
    pub subject: String,
    /// What the customer asked for, as recorded when the ticket was opened.
    pub request: String,
    pub status: Status,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PublicAuthor {
    /// agent, contact or system
    pub kind: String,
    pub name: String,
}

/// What the customer sees of an event: no ids of agents, no delivery details.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PublicEvent {
    pub id: i64,
    pub kind: EventKind,
    pub author: PublicAuthor,
    pub body: Option<String>,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
    pub attachment: Option<crate::attachments::Attachment>,
    pub created_at: i64,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PublicView {
    pub shop_name: String,
    /// The customer's language: en or zh-CN.
    pub locale: String,
    pub ticket: PublicTicket,
    pub events: Vec<PublicEvent>,
}

fn public_event(e: super::Event) -> PublicEvent {
    PublicEvent {
        id: e.id,
        kind: e.kind,
        author: PublicAuthor {
            kind: e.author.kind,
            name: e.author.name,
        },
        body: e.body,
        // Only a status change carries data the customer may see.
        data: if e.kind == EventKind::Status {
            e.data
        } else {
            serde_json::json!({})
        },
        attachment: e.attachment,
        created_at: e.created_at,
    }
}

/// The ticket behind a status link; `not_found` for anything unknown.
fn by_token(c: &rusqlite::Connection, mailroom: &Mailroom, token: &str) -> AppResult<super::Ticket> {
    let mut t = store::ticket_by_public_token(c, token)?.ok_or_else(|| AppError::not_found("not_found"))?;
    t.status_url = super::status_url(mailroom, &t.public_token);
    Ok(t)
}

pub async fn public_view(db: &Db, mailroom: &Mailroom, token: String) -> AppResult<PublicView> {
    let room = mailroom.clone();
    db.read(move |c| {
        let t = by_token(c, &room, &token)?;
        let events = store::events(c, t.id, true)?;
        Ok(PublicView {
            shop_name: crate::settings::shop(c)?.shop_name,
            locale: t.locale.clone(),
            ticket: PublicTicket {
                number: t.number,
                subject: t.subject,
                request: t.request,
                status: t.status,
                created_at: t.created_at,
                updated_at: t.updated_at,
            },
            events: events.into_iter().map(public_event).collect(),
        })
    })
    .await
}

/// Who a status link belongs to, for rate limits and uploads.
pub async fn contact_for_token(db: &Db, token: String) -> AppResult<(TicketId, ContactId)> {
    db.read(move |c| {
        let t = store::ticket_by_public_token(c, &token)?.ok_or_else(|| AppError::not_found("not_found"))?;
        Ok((t.id, t.contact.id))
    })
    .await
}

/// A reply from the status page. It reopens a pending or solved ticket; a closed
/// one takes no replies (the customer starts a new request).
pub async fn customer_reply(
    db: &Db,
    mailroom: &Mailroom,
    token: String,
    body: String,
    attachment: Option<AttachmentId>,
) -> AppResult<PublicEvent> {
    let body = check_reply_body(&body, attachment.is_some())?;
    let room = mailroom.clone();
    let event = db
        .write(move |c| {
            let t = by_token(c, &room, &token)?;
            if t.status == Status::Closed {
                return Err(AppError::conflict("ticket_closed"));
            }
            if let Some(a) = attachment {
                crate::attachments::check_owned(c, a, Uploader::Contact(t.contact.id))?;
            }
            let id = store::insert_event(
                c,
                &store::NewEvent {
                    public: true,
                    body: Some(&body),
                    attachment_id: attachment,
                    ..store::NewEvent::new(t.id, EventKind::CustomerReply, &EventAuthor::Contact)
                },
            )?;
            reopen_on_reply(c, &room, &t)?;
            crate::sla::refresh(c, t.id, crate::util::now_ms())?;
            notify_assignee_of_reply(c, &room, &t, &body)?;
            let event = store::event(c, id)?.ok_or_else(|| AppError::not_found("not_found"))?;
            Ok(public_event(event))
        })
        .await?;
    // The assignee's notification mail.
    mailroom.tickets_changed();
    Ok(event)
}

/// Tells the assignee the customer answered.
pub(super) fn notify_assignee_of_reply(
    c: &rusqlite::Connection,
    mailroom: &Mailroom,
    t: &super::Ticket,
    body: &str,
) -> AppResult<()> {
    let Some(agent) = t.assignee_id else {
        return Ok(());
    };
    super::notify_agent(
        c,
        mailroom,
        t,
        agent,
        crate::notifications::Kind::CustomerReplied,
        body,
    )
}

/// A customer's answer puts a ticket waiting on them (or solved) back to work.
pub(super) fn reopen_on_reply(
    c: &rusqlite::Connection,
    mailroom: &Mailroom,
    t: &super::Ticket,
) -> AppResult<()> {
    if matches!(t.status, Status::Pending | Status::Solved) {
        record_status(c, mailroom, t, &EventAuthor::Contact, Status::Open, false)?;
    } else {
        store::touch(c, t.id)?;
    }
    Ok(())
}

/// A customer's email that answers a ticket's thread, inside the caller's
/// transaction. The text is what they wrote now (quoted history in `data.quoted`);
/// every attachment becomes part of the timeline. Mail from a robot (an
/// out-of-office) is recorded but neither reopens the ticket nor calls anyone.
pub(crate) fn mail_reply_in(
    c: &rusqlite::Connection,
    mailroom: &Mailroom,
    ticket: TicketId,
    reply: &super::MailReply,
) -> AppResult<()> {
    let t = super::load(c, mailroom, ticket)?;
    let body: String = reply.body.chars().take(super::TEXT_MAX).collect();
    let data = serde_json::json!({"email": {"quoted": reply.quoted, "automatic": reply.automatic}});
    let mut attachments = reply.attachments.iter();
    store::insert_event(
        c,
        &store::NewEvent {
            public: true,
            body: Some(&body),
            data,
            attachment_id: attachments.next().copied(),
            mail_message_id: reply.message_id.as_deref(),
            ..store::NewEvent::new(t.id, EventKind::CustomerReply, &EventAuthor::Contact)
        },
    )?;
    for a in attachments {
        store::insert_event(
            c,
            &store::NewEvent {
                public: true,
                body: Some(""),
                attachment_id: Some(*a),
                ..store::NewEvent::new(t.id, EventKind::CustomerReply, &EventAuthor::Contact)
            },
        )?;
    }
    if let Some(mid) = &reply.message_id {
        store::add_mail_reference(c, t.id, mid)?;
    }
    if reply.automatic.is_some() || t.status == Status::Closed {
        store::touch(c, t.id)?;
        return Ok(());
    }
    reopen_on_reply(c, mailroom, &t)?;
    crate::sla::refresh(c, t.id, crate::util::now_ms())?;
    notify_assignee_of_reply(c, mailroom, &t, &body)
}

/// A file the customer sent with the mail that opened a ticket.
pub(crate) fn attach_in(
    c: &rusqlite::Connection,
    ticket: TicketId,
    attachment: crate::attachments::AttachmentId,
) -> AppResult<()> {
    store::insert_event(
        c,
        &store::NewEvent {
            public: true,
            body: Some(""),
            attachment_id: Some(attachment),
            ..store::NewEvent::new(ticket, EventKind::CustomerReply, &EventAuthor::Contact)
        },
    )?;
    Ok(())
}
