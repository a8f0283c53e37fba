//! Conversations by email. An agent's reply reaches a customer who has left the
//! chat (and left an address) as a mail in the conversation's own thread; their
//! answer comes back through the email inbox into the same conversation. A
//! conversation begun by email is answered the same way. And on request, a copy
//! of the chat: the transcript.

use rusqlite::{Connection, OptionalExtension};
use serde_json::json;

use super::store::{self, ConvRow};
use super::{
    BODY_MAX, ConversationId, Delivery, InboundMessage, MessageId, Sender, publish_message, store_in, views,
};
use crate::accounts::AgentId;
use crate::contacts::ContactId;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::inboxes::InboxId;
use crate::notify::{Mail, Mailroom, Queued, Thread};
use crate::realtime::Hub;

/// The conversation's mail thread: its reply token (made the first time) and the
/// latest Message-IDs in it.
pub(super) fn thread(c: &Connection, id: ConversationId) -> rusqlite::Result<Thread> {
    let (token, refs): (Option<String>, String) = c
        .prepare_cached("SELECT thread_token, mail_references FROM conversations WHERE id = ?1")?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    let token = match token {
        Some(t) => t,
        None => {
            let t = crate::notify::new_thread_token();
            c.prepare_cached("UPDATE conversations SET thread_token = ?2 WHERE id = ?1")?
                .execute(rusqlite::params![id, t])?;
            t
        }
    };
    let references: Vec<String> = serde_json::from_str(&refs).unwrap_or_default();
    Ok(Thread {
        token,
        in_reply_to: references.last().cloned(),
        references,
    })
}

/// Adds a Message-ID (ours or the customer's) to the conversation's thread.
pub(super) fn add_reference(c: &Connection, id: ConversationId, message_id: &str) -> rusqlite::Result<()> {
    let refs = crate::notify::add_reference(thread(c, id)?.references, message_id);
    c.prepare_cached("UPDATE conversations SET mail_references = ?2 WHERE id = ?1")?
        .execute(rusqlite::params![
            id,
            serde_json::to_string(&refs).unwrap_or_default()
        ])?;
    Ok(())
}

/// The conversation whose reply token this is, with its customer's address.
pub fn by_token(c: &Connection, token: &str) -> rusqlite::Result<Option<(ConversationId, Option<String>)>> {
    c.prepare_cached(
        "SELECT c.id, ct.email FROM conversations c JOIN contacts ct ON ct.id = c.contact_id
         WHERE c.thread_token = lower(?1)",
    )?
    .query_row([token], |r| Ok((r.get(0)?, r.get(1)?)))
    .optional()
}

struct Recipient {
    email: String,
    name: String,
    lang: Lang,
    email_inbox: bool,
}

fn recipient(c: &Connection, conv: &ConvRow) -> rusqlite::Result<Option<Recipient>> {
    c.prepare_cached(
        "SELECT ct.email, ct.name, ct.locale, i.kind = 'email' FROM contacts ct, inboxes i
         WHERE ct.id = ?1 AND i.id = ?2",
    )?
    .query_row(rusqlite::params![conv.contact_id, conv.inbox_id], |r| {
        let email: Option<String> = r.get(0)?;
        let locale: Option<String> = r.get(2)?;
        Ok(email.map(|email| Recipient {
            email,
            name: r.get(1).unwrap_or_default(),
            lang: locale.as_deref().and_then(Lang::from_tag).unwrap_or(Lang::ZhCn),
            email_inbox: r.get(3).unwrap_or(false),
        }))
    })
    .optional()
    .map(Option::flatten)
}

/// What the customer last wrote before `before` (since our previous public reply),
/// quoted under the answer so the mail makes sense on its own.
fn question(c: &Connection, id: ConversationId, before: MessageId) -> rusqlite::Result<String> {
    let mut lines: Vec<String> = c
        .prepare_cached(
            "SELECT sender_kind, body FROM messages WHERE conversation_id = ?1 AND id < ?2 AND private = 0
             ORDER BY id DESC LIMIT 10",
        )?
        .query_map(rusqlite::params![id, before], |r| {
            Ok((r.get::<_, Sender>(0)?, r.get::<_, String>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?
        .into_iter()
        .take_while(|(sender, _)| *sender == Sender::Contact)
        .map(|(_, body)| body)
        .filter(|b| !b.trim().is_empty())
        .collect();
    lines.reverse();
    Ok(lines.join("\n\n"))
}

/// The subject of the customer's latest mail in the conversation, if they wrote
/// one, without its reply prefixes (the template adds one).
fn mail_subject(c: &Connection, id: ConversationId) -> rusqlite::Result<Option<String>> {
    let subject: Option<String> = c
        .prepare_cached(
            "SELECT subject FROM inbound_mail WHERE conversation_id = ?1 AND subject != '' ORDER BY id DESC LIMIT 1",
        )?
        .query_row([id], |r| r.get(0))
        .optional()?;
    Ok(subject.map(|s| strip_reply_prefixes(&s).to_string()))
}

/// `Re: 回复: AW: Where is my parcel?` → `Where is my parcel?`.
fn strip_reply_prefixes(subject: &str) -> &str {
    let mut s = subject.trim();
    loop {
        let lower = s.to_lowercase();
        let prefix = ["re:", "re：", "aw:", "回复:", "回复：", "答复:", "答复："]
            .into_iter()
            .find(|p| lower.starts_with(p));
        match prefix {
            // The prefixes are the same length in bytes lower-cased or not.
            Some(p) => s = s[p.len()..].trim_start(),
            None => return s,
        }
    }
}

/// After an agent's public reply: a customer who is not in the chat right now but
/// left an address (or who wrote by email) gets it by mail, in the conversation's
/// thread. Returns whether a mail was queued.
pub(super) fn reply_if_away(
    c: &Connection,
    mailroom: &Mailroom,
    conv: &ConvRow,
    message: &views::Message,
    customer_in_chat: bool,
) -> AppResult<bool> {
    let Some(to) = recipient(c, conv)? else {
        return Ok(false);
    };
    if customer_in_chat && !to.email_inbox {
        return Ok(false);
    }
    let thread = thread(c, conv.id)?;
    // The apology for the wait belongs in the first mail of a chat only.
    let first = thread.references.is_empty() && !to.email_inbox;
    let context = json!({
        "contact": {"name": to.name},
        "reply": {"body": message.body, "agent_name": message.agent_name},
        "question": if first { question(c, conv.id, message.id)? } else { String::new() },
        "subject": mail_subject(c, conv.id)?,
        "first": first,
    });
    let queued = mailroom.compose(
        c,
        Mail {
            template: "offline_answer",
            lang: to.lang,
            to_name: Some(to.name).filter(|n| !n.is_empty()),
            to_email: to.email,
            context,
            thread: Some(thread),
            automatic: false,
            about: Some(format!("message:{}", message.id)),
        },
    )?;
    if let Some(a) = &message.attachment {
        crate::notify::outbox::set_attachments(c, queued.id, &[a.id.0])?;
    }
    add_reference(c, conv.id, &queued.message_id)?;
    Ok(true)
}

/// A copy of the chat (without private notes) to `to`, or to the customer's address.
pub fn transcript(
    c: &Connection,
    mailroom: &Mailroom,
    actor: AgentId,
    id: ConversationId,
    to: Option<String>,
) -> AppResult<Queued> {
    let conv = store::conversation_row(c, id)?;
    let contact = crate::contacts::contact_by_id(c, conv.contact_id)?
        .ok_or_else(|| AppError::not_found("not_found"))?;
    let to_email = match to {
        Some(address) => crate::accounts::validate_email(&address)?,
        None => contact
            .email
            .clone()
            .ok_or_else(|| AppError::bad_request("contact_has_no_email"))?,
    };
    let tz = crate::settings::time_zone(c)?;
    let at = |ms: i64| {
        jiff::Timestamp::from_millisecond(ms)
            .map(|t| t.to_zoned(tz.clone()).strftime("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default()
    };
    let messages: Vec<serde_json::Value> = views::messages_for_agent(c, id)?
        .into_iter()
        .filter(|m| !m.private && (!m.body.trim().is_empty() || m.attachment.is_some()))
        .map(|m| {
            let body = match (&m.attachment, m.body.trim().is_empty()) {
                (Some(a), true) => format!("[{}]", a.filename.as_deref().unwrap_or(&a.mime)),
                _ => m.body.clone(),
            };
            json!({
                "from_customer": m.sender == Sender::Contact,
                "sender_name": if m.sender == Sender::Contact { None } else { m.agent_name.clone() },
                "at": at(m.created_at),
                "body": body,
            })
        })
        .collect();
    let started: i64 = c.query_row("SELECT created_at FROM conversations WHERE id = ?1", [id], |r| {
        r.get(0)
    })?;
    let lang = contact
        .locale
        .as_deref()
        .and_then(Lang::from_tag)
        .unwrap_or(Lang::ZhCn);
    let recipient_email = to_email.clone();
    let queued = mailroom.compose(
        c,
        Mail {
            template: "conversation_transcript",
            lang,
            to_name: Some(contact.name.clone()).filter(|n| !n.is_empty()),
            to_email,
            context: json!({
                "contact": {"name": contact.name},
                "conversation": {"id": id, "started_at": at(started)},
                "messages": messages,
            }),
            // Answering the copy continues the conversation.
            thread: Some(thread(c, id)?),
            automatic: true,
            about: Some(format!("conversation:{id}")),
        },
    )?;
    add_reference(c, id, &queued.message_id)?;
    store::event(
        c,
        id,
        Some(actor),
        "agent",
        "transcript_sent",
        json!({"outbox_id": queued.id, "to": recipient_email}),
    )?;
    Ok(queued)
}

/// A customer's mail in a conversation, as the email reader found it.
pub struct MailMessage {
    /// The inbox the conversation is in (the chat's, or the email inbox).
    pub inbox_id: InboxId,
    pub contact_id: ContactId,
    /// What they wrote, quoted history folded away.
    pub body: String,
    pub message_id: Option<String>,
    pub files: Vec<crate::attachments::AttachmentId>,
}

/// What a write inside someone else's transaction owes the hub once committed.
pub struct Unpublished {
    conversation: ConversationId,
    messages: Vec<MessageId>,
    changed: Vec<ConversationId>,
}

/// A customer's mail into their conversation in `inbox_id` (opened or reopened as
/// a chat message would), inside the email reader's transaction. The first file
/// goes with the text; each further one is a message of its own, as in a chat.
pub fn ingest_mail(
    c: &rusqlite::Connection,
    routing: &crate::routing::Snapshot,
    mail: MailMessage,
) -> AppResult<(ConversationId, Unpublished)> {
    let mut files = mail.files.into_iter();
    // A chat message has a size limit a long mail may pass; the whole mail stays in
    // the received-mail log.
    let body = match mail.body.char_indices().nth(BODY_MAX - 1) {
        Some((cut, _)) => format!("{}…", &mail.body[..cut]),
        None => mail.body,
    };
    let inbound = InboundMessage {
        inbox_id: mail.inbox_id,
        contact_id: mail.contact_id,
        body,
        external_id: mail.message_id.clone(),
        attachment: files.next(),
    };
    let stored = store_in(c, &inbound, false, routing)?;
    let conversation = stored.conversation;
    if stored.duplicate {
        let nothing = Unpublished {
            conversation,
            messages: Vec::new(),
            changed: Vec::new(),
        };
        return Ok((conversation, nothing));
    }
    let mut messages = vec![stored.message];
    for file in files {
        let id = store::insert_message(
            c,
            conversation,
            mail.inbox_id,
            Sender::Contact,
            None,
            "",
            false,
            None,
            Delivery::Sent,
            Some(file),
        )?;
        store::after_customer_message(c, conversation)?;
        messages.push(id);
    }
    store::mark_via_email(c, &messages)?;
    // A rule's auto-reply is part of the thread; it is not mailed.
    messages.extend(stored.replies);
    // Our next reply answers this mail, in the customer's thread.
    match &mail.message_id {
        Some(mid) => add_reference(c, conversation, mid)?,
        None => drop(thread(c, conversation)?),
    }
    let unpublished = Unpublished {
        conversation,
        messages,
        changed: stored.changed,
    };
    Ok((conversation, unpublished))
}

/// Publishes what `ingest_mail` stored, after its transaction committed.
pub async fn publish_mail(db: &Db, hub: &Hub, news: Vec<Unpublished>) {
    for n in news.into_iter().filter(|n| !n.messages.is_empty()) {
        let (ids, conversation) = (n.messages, n.conversation);
        let loaded = db
            .read(move |c| {
                let messages = ids
                    .into_iter()
                    .map(|id| views::message(c, id))
                    .collect::<AppResult<Vec<_>>>()?;
                Ok((messages, views::summary(c, conversation)?))
            })
            .await;
        match loaded {
            Ok((messages, summary)) => {
                let mut changed = Some(n.changed);
                for m in messages {
                    publish_message(db, hub, &m, &summary, changed.take().unwrap_or_default()).await;
                }
            }
            Err(e) => tracing::warn!(error = ?e, "cannot load the messages of a mail to publish"),
        }
    }
}

/// Emails a copy of the chat to the customer (or to `to`).
pub async fn send_transcript(
    db: &Db,
    mailroom: &Mailroom,
    actor: AgentId,
    conversation_id: ConversationId,
    to: Option<String>,
) -> AppResult<crate::notify::Delivery> {
    let room = mailroom.clone();
    let delivery = db
        .write(move |c| {
            let queued = transcript(c, &room, actor, conversation_id, to)?;
            crate::notify::outbox::delivery(c, queued.id)?.ok_or_else(|| AppError::not_found("not_found"))
        })
        .await?;
    mailroom.wake();
    Ok(delivery)
}

#[cfg(test)]
mod tests {
    use super::strip_reply_prefixes;

    #[test]
    fn reply_prefixes_are_stripped_once_or_many_times() {
        for (given, expected) in [
            ("Where is my parcel?", "Where is my parcel?"),
            ("Re: Where is my parcel?", "Where is my parcel?"),
            ("RE: re:Where", "Where"),
            ("回复：退款", "退款"),
            ("Re: 回复: AW: 退款 Re: 发票", "退款 Re: 发票"),
            ("Re:", ""),
        ] {
            assert_eq!(strip_reply_prefixes(given), expected, "{given}");
        }
    }
}
