//! The customer's emails about a ticket, and the draft made from a chat.

use rusqlite::Connection;
use serde_json::json;

use super::{Draft, Ticket, TicketContact, store};
use crate::conversations::{ConversationSummary, Message};
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::notify::{Mail, Mailroom, Thread};

/// Queues `template` to the ticket's customer (if they have an address), threaded
/// into the ticket's mail thread, with the status link. `extra` adds variables.
pub fn to_customer(
    c: &Connection,
    mailroom: &Mailroom,
    ticket: &Ticket,
    template: &'static str,
    event_id: i64,
    extra: serde_json::Value,
) -> AppResult<Option<i64>> {
    let Some(email) = ticket.contact.email.clone() else {
        return Ok(None);
    };
    let lang = Lang::from_tag(&ticket.locale).unwrap_or(Lang::ZhCn);
    let (token, refs) = store::mail_thread(c, ticket.id)?;
    let mut context = json!({
        "contact": {"name": ticket.contact.name},
        "ticket": {
            "number": ticket.number,
            "subject": ticket.subject,
            "request": ticket.request,
            "status": ticket.status,
            "status_label": crate::i18n::text(lang, &format!("ticket_status.{}", ticket.status.as_str())),
        },
        "status_url": ticket.status_url,
        "reopen_days": crate::settings::ticket_close_days(c)?,
    });
    if let (Some(ctx), Some(more)) = (context.as_object_mut(), extra.as_object()) {
        ctx.extend(more.clone());
    }
    let queued = mailroom.compose(
        c,
        Mail {
            template,
            lang,
            to_name: Some(ticket.contact.name.clone()).filter(|n| !n.is_empty()),
            to_email: email,
            context,
            thread: Some(Thread {
                token,
                in_reply_to: refs.last().cloned(),
                references: refs,
            }),
            // A person's reply is not automatic; confirmations and status news are.
            automatic: template != "public_reply",
            about: Some(format!("ticket_event:{event_id}")),
        },
    )?;
    store::add_mail_reference(c, ticket.id, &queued.message_id)?;
    Ok(Some(queued.id))
}

/// Prefill for a ticket made from a chat: the first customer message as the
/// subject, the chat (without private notes) as the request.
pub fn draft(
    summary: ConversationSummary,
    messages: Vec<Message>,
    contact: crate::contacts::Contact,
    order: Option<crate::contacts::orders::Order>,
) -> Draft {
    use crate::conversations::Sender;
    let first = messages
        .iter()
        .find(|m| m.sender == Sender::Contact && !m.body.trim().is_empty())
        .map(|m| m.body.trim().to_string())
        .unwrap_or_default();
    let subject: String = first.lines().next().unwrap_or("").chars().take(80).collect();
    let mut request = String::new();
    for m in messages
        .iter()
        .filter(|m| !m.private && !m.body.trim().is_empty())
    {
        let who = match m.sender {
            Sender::Contact => contact.name.clone(),
            _ => m.agent_name.clone().unwrap_or_default(),
        };
        let who = if who.is_empty() { "—".to_string() } else { who };
        let line = format!("{who}: {}\n", m.body.trim());
        if request.chars().count() + line.chars().count() > super::TEXT_MAX {
            break;
        }
        request.push_str(&line);
    }
    Draft {
        subject,
        request: request.trim_end().to_string(),
        contact: TicketContact {
            id: contact.id,
            name: contact.name,
            email: contact.email,
            phone: contact.phone,
        },
        order_ref: order.map(|o| o.number),
        conversation_id: summary.id,
    }
}
