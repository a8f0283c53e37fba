//! The SQL of tickets and their timeline.

use rusqlite::{Connection, OptionalExtension, Row, named_params};

use super::{
    Event, EventAuthor, EventKind, Priority, SlaBrief, Status, Ticket, TicketContact, TicketId, TicketTypeId,
};
use crate::accounts::{AgentId, TeamId};
use crate::conversations::ConversationId;
use crate::util::now_ms;

pub const TICKET_COLUMNS: &str = "t.id, t.number, t.subject, t.request, t.status, t.priority, t.type_id, ty.name, \
    t.team_id, t.assignee_id, t.order_ref, t.due_at, t.contact_id, ct.name, ct.email, ct.phone, t.conversation_id, \
    t.source, t.locale, t.public_token, t.created_at, t.updated_at, t.first_response_at, t.solved_at, t.closed_at, \
    t.sla_policy_id, sp.name, t.sla_due_at, t.sla_warn_at, t.sla_breached, t.next_due_at";
pub const TICKET_JOINS: &str = "FROM tickets t JOIN contacts ct ON ct.id = t.contact_id \
    LEFT JOIN ticket_types ty ON ty.id = t.type_id LEFT JOIN sla_policies sp ON sp.id = t.sla_policy_id";

pub fn ticket_from_row(r: &Row) -> rusqlite::Result<Ticket> {
    let status: Status = r.get(4)?;
    let sla = match r.get::<_, Option<i64>>(25)? {
        None => None,
        Some(policy_id) => Some(SlaBrief::new(
            policy_id,
            r.get(26)?,
            status,
            r.get(27)?,
            r.get(28)?,
            r.get(29)?,
            now_ms(),
        )),
    };
    Ok(Ticket {
        id: r.get(0)?,
        number: r.get(1)?,
        subject: r.get(2)?,
        request: r.get(3)?,
        status,
        priority: r.get(5)?,
        type_id: r.get(6)?,
        type_name: r.get(7)?,
        team_id: r.get(8)?,
        assignee_id: r.get(9)?,
        order_ref: r.get(10)?,
        due_at: r.get(11)?,
        contact: TicketContact {
            id: r.get(12)?,
            name: r.get(13)?,
            email: r.get(14)?,
            phone: r.get(15)?,
        },
        conversation_id: r.get(16)?,
        source: r.get(17)?,
        locale: r.get(18)?,
        public_token: r.get(19)?,
        status_url: String::new(),
        created_at: r.get(20)?,
        updated_at: r.get(21)?,
        first_response_at: r.get(22)?,
        solved_at: r.get(23)?,
        closed_at: r.get(24)?,
        sla,
        next_due_at: r.get(30)?,
    })
}

pub fn ticket(c: &Connection, id: TicketId) -> rusqlite::Result<Option<Ticket>> {
    c.prepare_cached(&format!("SELECT {TICKET_COLUMNS} {TICKET_JOINS} WHERE t.id = ?1"))?
        .query_row([id], ticket_from_row)
        .optional()
}

pub fn ticket_by_public_token(c: &Connection, token: &str) -> rusqlite::Result<Option<Ticket>> {
    c.prepare_cached(&format!(
        "SELECT {TICKET_COLUMNS} {TICKET_JOINS} WHERE t.public_token = ?1"
    ))?
    .query_row([token], ticket_from_row)
    .optional()
}

pub fn next_number(c: &Connection) -> rusqlite::Result<i64> {
    c.prepare_cached("SELECT coalesce(max(number), 1000) + 1 FROM tickets")?
        .query_row([], |r| r.get(0))
}

/// A new ticket row, every field at once.
pub struct NewRow<'a> {
    pub number: i64,
    pub subject: &'a str,
    pub request: &'a str,
    pub contact_id: crate::contacts::ContactId,
    pub locale: &'a str,
    pub source: &'a str,
    pub created_by: Option<crate::accounts::AgentId>,
    pub public_token: &'a str,
    pub thread_token: &'a str,
    pub priority: Priority,
    pub type_id: Option<TicketTypeId>,
    pub team_id: Option<TeamId>,
    pub assignee_id: Option<AgentId>,
    pub order_ref: Option<&'a str>,
    pub due_at: Option<i64>,
    pub conversation_id: Option<ConversationId>,
}

pub fn insert(c: &Connection, t: &NewRow) -> rusqlite::Result<TicketId> {
    let now = now_ms();
    c.prepare_cached(
        "INSERT INTO tickets (number, subject, request, contact_id, locale, source, created_by, public_token,
                              thread_token, priority, type_id, team_id, assignee_id, order_ref, due_at,
                              conversation_id, created_at, updated_at)
         VALUES (:number, :subject, :request, :contact, :locale, :source, :by, :public, :thread, :priority,
                 :type, :team, :assignee, :order_ref, :due_at, :conversation, :now, :now)",
    )?
    .execute(named_params! {
        ":number": t.number, ":subject": t.subject, ":request": t.request, ":contact": t.contact_id,
        ":locale": t.locale, ":source": t.source, ":by": t.created_by, ":public": t.public_token,
        ":thread": t.thread_token, ":priority": t.priority, ":type": t.type_id, ":team": t.team_id,
        ":assignee": t.assignee_id, ":order_ref": t.order_ref, ":due_at": t.due_at,
        ":conversation": t.conversation_id, ":now": now,
    })?;
    Ok(TicketId(c.last_insert_rowid()))
}

/// Sets one column (a name from a fixed list, never user input) and touches the row.
pub fn set_column(
    c: &Connection,
    id: TicketId,
    column: &'static str,
    value: &dyn rusqlite::ToSql,
) -> rusqlite::Result<()> {
    debug_assert!(matches!(
        column,
        "subject" | "priority" | "type_id" | "team_id" | "assignee_id" | "order_ref" | "due_at"
    ));
    c.execute(
        &format!("UPDATE tickets SET {column} = ?2, updated_at = ?3 WHERE id = ?1"),
        rusqlite::params![id, value, now_ms()],
    )?;
    Ok(())
}

/// Sets the status with the times that go with it.
pub fn set_status(c: &Connection, id: TicketId, status: Status) -> rusqlite::Result<()> {
    c.prepare_cached(
        "UPDATE tickets SET status = ?2, updated_at = ?3,
             solved_at = CASE WHEN ?2 = 'solved' THEN ?3 WHEN ?2 IN ('new', 'open', 'pending', 'on_hold') THEN NULL ELSE solved_at END,
             closed_at = CASE WHEN ?2 = 'closed' THEN ?3 ELSE NULL END
         WHERE id = ?1",
    )?
    .execute(rusqlite::params![id, status, now_ms()])?;
    Ok(())
}

pub fn touch_first_response(c: &Connection, id: TicketId) -> rusqlite::Result<()> {
    c.prepare_cached("UPDATE tickets SET first_response_at = coalesce(first_response_at, ?2), updated_at = ?2 WHERE id = ?1")?
        .execute(rusqlite::params![id, now_ms()])?;
    Ok(())
}

pub fn touch(c: &Connection, id: TicketId) -> rusqlite::Result<()> {
    c.prepare_cached("UPDATE tickets SET updated_at = ?2 WHERE id = ?1")?
        .execute(rusqlite::params![id, now_ms()])?;
    Ok(())
}

/// The mail thread's Message-IDs and reply token.
pub fn mail_thread(c: &Connection, id: TicketId) -> rusqlite::Result<(String, Vec<String>)> {
    c.prepare_cached("SELECT thread_token, mail_references FROM tickets WHERE id = ?1")?
        .query_row([id], |r| {
            let refs: String = r.get(1)?;
            Ok((r.get(0)?, serde_json::from_str(&refs).unwrap_or_default()))
        })
}

/// Adds a Message-ID to the thread.
pub fn add_mail_reference(c: &Connection, id: TicketId, message_id: &str) -> rusqlite::Result<()> {
    let (_, refs) = mail_thread(c, id)?;
    let refs = crate::notify::add_reference(refs, message_id);
    let json = serde_json::to_string(&refs).unwrap_or_else(|_| "[]".into());
    c.prepare_cached("UPDATE tickets SET mail_references = ?2 WHERE id = ?1")?
        .execute(rusqlite::params![id, json])?;
    Ok(())
}

pub struct NewEvent<'a> {
    pub ticket: TicketId,
    pub kind: EventKind,
    pub public: bool,
    pub author: &'a EventAuthor,
    pub body: Option<&'a str>,
    pub data: serde_json::Value,
    pub attachment_id: Option<crate::attachments::AttachmentId>,
    pub mail_message_id: Option<&'a str>,
}

impl<'a> NewEvent<'a> {
    /// An internal event without text; set what differs with `..NewEvent::new(…)`.
    pub fn new(ticket: TicketId, kind: EventKind, author: &'a EventAuthor) -> Self {
        NewEvent {
            ticket,
            kind,
            public: false,
            author,
            body: None,
            data: serde_json::json!({}),
            attachment_id: None,
            mail_message_id: None,
        }
    }
}

pub fn insert_event(c: &Connection, e: &NewEvent) -> rusqlite::Result<i64> {
    let (kind, agent) = match e.author {
        EventAuthor::Agent(id) => ("agent", Some(*id)),
        EventAuthor::Contact => ("contact", None),
        EventAuthor::System => ("system", None),
    };
    c.prepare_cached(
        "INSERT INTO ticket_events (ticket_id, kind, public, author_kind, author_agent_id, body, data,
                                    attachment_id, mail_message_id, created_at)
         VALUES (:ticket, :kind, :public, :author_kind, :agent, :body, :data, :attachment, :mail, :now)",
    )?
    .execute(named_params! {
        ":ticket": e.ticket, ":kind": e.kind, ":public": e.public, ":author_kind": kind, ":agent": agent,
        ":body": e.body, ":data": e.data.to_string(), ":attachment": e.attachment_id,
        ":mail": e.mail_message_id, ":now": now_ms(),
    })?;
    Ok(c.last_insert_rowid())
}

const EVENT_SELECT: &str =
    "SELECT e.id, e.kind, e.public, e.author_kind, e.author_agent_id, a.name, ct.name, e.body,
        e.data, e.attachment_id, e.created_at,
        (SELECT o.id FROM outbox o WHERE o.about = 'ticket_event:' || e.id ORDER BY o.id DESC LIMIT 1)
    FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id JOIN contacts ct ON ct.id = t.contact_id
    LEFT JOIN agents a ON a.id = e.author_agent_id";

fn event_from_row(c: &Connection, r: &Row) -> rusqlite::Result<Event> {
    let author_kind: String = r.get(3)?;
    let data: String = r.get(8)?;
    let outbox: Option<i64> = r.get(11)?;
    let name = match author_kind.as_str() {
        "agent" => r.get::<_, Option<String>>(5)?.unwrap_or_default(),
        "contact" => r.get(6)?,
        _ => String::new(),
    };
    Ok(Event {
        id: r.get(0)?,
        kind: r.get(1)?,
        public: r.get(2)?,
        author: super::AuthorView {
            kind: author_kind,
            id: r.get(4)?,
            name,
        },
        body: r.get(7)?,
        data: serde_json::from_str(&data).unwrap_or_default(),
        attachment: crate::attachments::for_message(c, r.get(9)?)?,
        email: match outbox {
            Some(id) => crate::notify::outbox::delivery(c, id)?.map(|d| super::EmailState {
                outbox_id: d.id,
                status: d.status,
                error: d.last_error,
            }),
            None => None,
        },
        created_at: r.get(10)?,
    })
}

/// The timeline, oldest first; `public_only` for the customer's status page.
pub fn events(c: &Connection, ticket: TicketId, public_only: bool) -> rusqlite::Result<Vec<Event>> {
    let mut stmt = c.prepare_cached(&format!(
        "{EVENT_SELECT} WHERE e.ticket_id = ?1 AND (?2 = 0 OR e.public = 1) ORDER BY e.id"
    ))?;
    let rows = stmt.query_map(rusqlite::params![ticket, public_only], |r| event_from_row(c, r))?;
    rows.collect()
}

pub fn event(c: &Connection, id: i64) -> rusqlite::Result<Option<Event>> {
    c.prepare_cached(&format!("{EVENT_SELECT} WHERE e.id = ?1"))?
        .query_row([id], |r| event_from_row(c, r))
        .optional()
}
