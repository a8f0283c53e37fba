use actix_web::{HttpResponse, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::accounts::{AgentId, TeamId};
use crate::attachments::AttachmentId;
use crate::contacts::ContactId;
use crate::conversations::ConversationId;
use crate::error::{AppError, AppResult};
use crate::http::AppState;
use crate::http::errors::ErrorBody;
use crate::http::extract::{Body, CurrentAgent};
use crate::sla::ClockView;
use crate::tickets::{
    self, AssigneeFilter, Changes, ContactRef, Draft, Event, ListQuery, NewTicket, Priority, SlaFilter, Sort,
    Status, Ticket, TicketId, TicketPage, TicketTypeId,
};

#[derive(Deserialize, IntoParams)]
pub struct TicketListQuery {
    /// Comma-separated statuses; default: all but closed.
    status: Option<String>,
    team: Option<i64>,
    /// An agent id, `me` or `none`.
    assignee: Option<String>,
    priority: Option<String>,
    #[serde(rename = "type")]
    type_id: Option<i64>,
    /// Subject, request, customer name or email, order reference, or #number.
    q: Option<String>,
    /// SLA state: `ok`, `warning`, `overdue`, `paused`, `breached` (a target was
    /// missed, at any time) or `none` (no policy).
    sla: Option<String>,
    /// `updated` (default), `due` (the SLA deadline or the due date, whichever is
    /// sooner) or `created`.
    sort: Option<String>,
    /// The `next` of the previous page.
    before: Option<String>,
    /// 1–100, default 50.
    limit: Option<usize>,
}

fn parse_priority(raw: &str) -> AppResult<Priority> {
    Priority::parse(raw)
        .ok_or_else(|| AppError::bad_request("invalid_priority").with("allowed", "low, normal, high, urgent"))
}

fn parse_status(raw: &str) -> AppResult<Status> {
    Status::parse(raw.trim()).ok_or_else(|| {
        AppError::bad_request("invalid_status").with("allowed", "new, open, pending, on_hold, solved, closed")
    })
}

/// Tickets, filtered and sorted, a page at a time.
#[utoipa::path(tag = "tickets", params(TicketListQuery),
    responses((status = 200, body = TicketPage), (status = 400, body = ErrorBody)),
    security(("session" = []), ("token" = [])))]
#[get("/tickets")]
pub async fn list(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    query: web::Query<TicketListQuery>,
) -> AppResult<web::Json<TicketPage>> {
    let q = query.into_inner();
    let statuses = match q.status.as_deref().filter(|s| !s.is_empty()) {
        Some(list) => list.split(',').map(parse_status).collect::<AppResult<Vec<_>>>()?,
        None => Status::ALL
            .iter()
            .copied()
            .filter(|s| *s != Status::Closed)
            .collect(),
    };
    let assignee = match q.assignee.as_deref() {
        None | Some("") => None,
        Some("none") => Some(AssigneeFilter::Nobody),
        Some("me") => Some(AssigneeFilter::Agent(agent.0.agent_id().ok_or_else(|| {
            AppError::bad_request("invalid_query").with("detail", "assignee=me needs a login")
        })?)),
        Some(id) => Some(AssigneeFilter::Agent(AgentId(id.parse().map_err(|_| {
            AppError::bad_request("invalid_query").with("detail", "assignee")
        })?))),
    };
    let sort = match q.sort.as_deref() {
        None | Some("updated") => Sort::Updated,
        Some("due") => Sort::Due,
        Some("created") => Sort::Created,
        Some(_) => return Err(AppError::bad_request("invalid_query").with("detail", "sort")),
    };
    let query = ListQuery {
        statuses,
        team: q.team.map(TeamId),
        assignee,
        priority: q.priority.as_deref().map(parse_priority).transpose()?,
        type_id: q.type_id.map(TicketTypeId),
        sla: match q.sla.as_deref().filter(|s| !s.is_empty()) {
            None => None,
            Some(s) => Some(SlaFilter::parse(s).ok_or_else(|| {
                AppError::bad_request("invalid_query")
                    .with("detail", "sla")
                    .with("allowed", "ok, warning, overdue, paused, breached, none")
            })?),
        },
        search: q.q,
        sort,
        before: q.before,
        limit: q.limit.unwrap_or(50).clamp(1, 100),
    };
    Ok(web::Json(tickets::list(&state.db, &state.mailroom, query).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct ContactBody {
    #[serde(default)]
    name: String,
    email: Option<String>,
    phone: Option<String>,
}

#[derive(Deserialize, ToSchema)]
pub struct NewTicketBody {
    subject: String,
    #[serde(default)]
    request: String,
    /// An existing contact…
    contact_id: Option<i64>,
    /// …or one found by email (or created).
    contact: Option<ContactBody>,
    type_id: Option<i64>,
    /// low, normal (default), high, urgent
    priority: Option<String>,
    team_id: Option<i64>,
    assignee_id: Option<i64>,
    order_ref: Option<String>,
    due_at: Option<i64>,
    conversation_id: Option<i64>,
    /// Email the customer a confirmation with the status link (default true).
    notify_customer: Option<bool>,
}

#[derive(Serialize, ToSchema)]
pub struct TicketResponse {
    ticket: Ticket,
}

/// Open a ticket (from the console, a conversation, or an integration's token).
#[utoipa::path(tag = "tickets", request_body = NewTicketBody,
    responses((status = 201, body = TicketResponse), (status = 400, body = ErrorBody)),
    security(("session" = []), ("token" = [])))]
#[post("/tickets")]
pub async fn create(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    body: Body<NewTicketBody>,
) -> AppResult<HttpResponse> {
    let b = body.parse()?.into_inner();
    let contact = match (b.contact_id, b.contact) {
        (Some(id), _) => ContactRef::Id(ContactId(id)),
        (None, Some(c)) => ContactRef::Details {
            name: c.name,
            email: c.email,
            phone: c.phone,
        },
        (None, None) => return Err(AppError::bad_request("contact_required")),
    };
    let source = match (b.conversation_id, agent.0.agent_id()) {
        (Some(_), _) => "conversation",
        (None, Some(_)) => "console",
        (None, None) => "api",
    };
    let new = NewTicket {
        subject: b.subject,
        request: b.request,
        contact,
        type_id: b.type_id.map(TicketTypeId),
        priority: b.priority.as_deref().map(parse_priority).transpose()?,
        team_id: b.team_id.map(TeamId),
        assignee_id: b.assignee_id.map(AgentId),
        order_ref: b.order_ref,
        due_at: b.due_at,
        conversation_id: b.conversation_id.map(ConversationId),
        notify_customer: b.notify_customer.unwrap_or(true),
        source,
    };
    let ticket = tickets::create(&state.db, &state.mailroom, agent.0, new).await?;
    Ok(HttpResponse::Created().json(TicketResponse { ticket }))
}

#[derive(Serialize, ToSchema)]
pub struct TicketDetail {
    ticket: Ticket,
    events: Vec<Event>,
    /// The ticket's SLA targets (empty without a policy).
    sla_clocks: Vec<ClockView>,
}

async fn clocks(state: &AppState, id: TicketId) -> AppResult<Vec<ClockView>> {
    state.db.read(move |c| Ok(crate::sla::clocks(c, id)?)).await
}

/// A ticket and its whole timeline, internal notes included.
#[utoipa::path(tag = "tickets", responses((status = 200, body = TicketDetail), (status = 404, body = ErrorBody)),
    security(("session" = []), ("token" = [])))]
#[get("/tickets/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    _: CurrentAgent,
    id: web::Path<i64>,
) -> AppResult<web::Json<TicketDetail>> {
    let (ticket, events) = tickets::get(&state.db, &state.mailroom, TicketId(*id)).await?;
    let sla_clocks = clocks(&state, ticket.id).await?;
    Ok(web::Json(TicketDetail {
        ticket,
        events,
        sla_clocks,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct TicketChanges {
    subject: Option<String>,
    status: Option<String>,
    priority: Option<String>,
    #[serde(default, deserialize_with = "crate::util::double_option")]
    type_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "crate::util::double_option")]
    team_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "crate::util::double_option")]
    assignee_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "crate::util::double_option")]
    order_ref: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::util::double_option")]
    due_at: Option<Option<i64>>,
    /// With `team_id`: why the ticket moves to that team (kept as an internal note).
    note: Option<String>,
}

impl TicketChanges {
    fn into_changes(self) -> AppResult<Changes> {
        Ok(Changes {
            subject: self.subject,
            status: self.status.as_deref().map(parse_status).transpose()?,
            priority: self.priority.as_deref().map(parse_priority).transpose()?,
            type_id: self.type_id.map(|v| v.map(TicketTypeId)),
            team_id: self.team_id.map(|v| v.map(TeamId)),
            assignee_id: self.assignee_id.map(|v| v.map(AgentId)),
            order_ref: self.order_ref,
            due_at: self.due_at,
            note: self.note,
        })
    }
}

/// Change fields, status, team (a transfer, with a note) or assignee. Every change
/// is a timeline event; the customer is emailed about public steps.
#[utoipa::path(tag = "tickets", request_body = TicketChanges,
    responses((status = 200, body = TicketDetail), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`ticket_closed`")),
    security(("session" = []), ("token" = [])))]
#[patch("/tickets/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    id: web::Path<i64>,
    body: Body<TicketChanges>,
) -> AppResult<web::Json<TicketDetail>> {
    let changes = body.parse()?.into_inner().into_changes()?;
    let (ticket, events) =
        tickets::update(&state.db, &state.mailroom, agent.0, TicketId(*id), changes).await?;
    let sla_clocks = clocks(&state, ticket.id).await?;
    Ok(web::Json(TicketDetail {
        ticket,
        events,
        sla_clocks,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ReplyBody {
    #[serde(default)]
    body: String,
    /// true: emailed to the customer and on the status page; false: internal note.
    public: bool,
    attachment_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct EventResponse {
    event: Event,
}

/// A public reply (emailed to the customer) or an internal note.
#[utoipa::path(tag = "tickets", request_body = ReplyBody,
    responses((status = 201, body = EventResponse), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`ticket_closed`")),
    security(("session" = []), ("token" = [])))]
#[post("/tickets/{id}/replies")]
pub async fn reply(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    id: web::Path<i64>,
    body: Body<ReplyBody>,
) -> AppResult<HttpResponse> {
    let b = body.parse()?.into_inner();
    let event = tickets::reply(
        &state.db,
        &state.mailroom,
        agent.0,
        TicketId(*id),
        b.body,
        b.public,
        b.attachment_id.map(AttachmentId),
    )
    .await?;
    Ok(HttpResponse::Created().json(EventResponse { event }))
}

#[derive(Deserialize, ToSchema)]
pub struct BulkBody {
    ids: Vec<i64>,
    status: Option<String>,
    #[serde(default, deserialize_with = "crate::util::double_option")]
    assignee_id: Option<Option<i64>>,
    #[serde(default, deserialize_with = "crate::util::double_option")]
    team_id: Option<Option<i64>>,
}

#[derive(Serialize, ToSchema)]
pub struct BulkResult {
    updated: usize,
}

/// Set status, assignee or team on many tickets at once (all or nothing).
#[utoipa::path(tag = "tickets", request_body = BulkBody,
    responses((status = 200, body = BulkResult), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = []), ("token" = [])))]
#[post("/tickets/bulk")]
pub async fn bulk(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    body: Body<BulkBody>,
) -> AppResult<web::Json<BulkResult>> {
    let b = body.parse()?.into_inner();
    let changes = Changes {
        status: b.status.as_deref().map(parse_status).transpose()?,
        assignee_id: b.assignee_id.map(|v| v.map(AgentId)),
        team_id: b.team_id.map(|v| v.map(TeamId)),
        ..Changes::default()
    };
    let ids = b.ids.into_iter().map(TicketId).collect();
    let updated = tickets::bulk(&state.db, &state.mailroom, agent.0, ids, changes).await?;
    Ok(web::Json(BulkResult { updated }))
}

/// What a ticket made from this conversation starts with.
#[utoipa::path(tag = "tickets", responses((status = 200, body = Draft), (status = 404, body = ErrorBody)),
    security(("session" = []), ("token" = [])))]
#[get("/conversations/{id}/ticket-draft")]
pub async fn draft(
    state: web::Data<AppState>,
    _: CurrentAgent,
    id: web::Path<i64>,
) -> AppResult<web::Json<Draft>> {
    Ok(web::Json(
        tickets::draft_from_conversation(&state.db, ConversationId(*id)).await?,
    ))
}
