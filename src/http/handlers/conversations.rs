use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::{AgentId, TeamId};
use crate::contacts::{self, Contact};
use crate::conversations::views::{self, ListFilter, Sort, TimelineEvent, View};
use crate::conversations::{self, ConversationId, ConversationSummary, Message, Status};
use crate::error::{AppError, AppResult};
use crate::http::AppState;
use crate::http::errors::{ErrorBody, no_content};
use crate::http::extract::{Body, SessionAgent};
use crate::realtime::{Event, Topic};

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// `mine` (default), `unassigned` or `all`.
    view: Option<String>,
    team: Option<i64>,
    /// One status; default: everything not resolved.
    status: Option<String>,
    /// Contact name, email, phone or message text.
    q: Option<String>,
    /// `waiting` (default), `priority` or `recent`.
    sort: Option<String>,
    limit: Option<usize>,
}

#[derive(Serialize, ToSchema)]
pub struct ConversationList {
    conversations: Vec<ConversationSummary>,
}

/// The inbox list.
#[utoipa::path(tag = "conversations", params(ListQuery), responses((status = 200, body = ConversationList),
    (status = 400, body = ErrorBody)), security(("session" = [])))]
#[get("/conversations")]
pub async fn list(
    state: web::Data<AppState>,
    me: SessionAgent,
    q: web::Query<ListQuery>,
) -> AppResult<web::Json<ConversationList>> {
    let q = q.into_inner();
    let view = match q.view.as_deref().unwrap_or("mine") {
        "mine" => View::Mine(me.agent_id),
        "unassigned" => View::Unassigned,
        "all" => View::All,
        _ => {
            return Err(
                AppError::bad_request("invalid_query").with("detail", "view: mine, unassigned or all")
            );
        }
    };
    let sort = match q.sort.as_deref().unwrap_or("waiting") {
        "waiting" => Sort::Waiting,
        "priority" => Sort::Priority,
        "recent" => Sort::Recent,
        _ => {
            return Err(
                AppError::bad_request("invalid_query").with("detail", "sort: waiting, priority or recent")
            );
        }
    };
    let status = q
        .status
        .as_deref()
        .map(|s| {
            Status::parse(s).ok_or_else(|| AppError::bad_request("invalid_query").with("detail", "status"))
        })
        .transpose()?;
    let filter = ListFilter {
        view,
        team: q.team.map(TeamId),
        status,
        search: q.q,
        sort,
        limit: q.limit.unwrap_or(50),
    };
    let conversations = state.db.read(move |c| Ok(views::list(c, &filter)?)).await?;
    Ok(web::Json(ConversationList { conversations }))
}

#[derive(Serialize, ToSchema)]
pub struct ConversationDetail {
    conversation: ConversationSummary,
    contact: Contact,
    messages: Vec<Message>,
    events: Vec<TimelineEvent>,
    /// The customer's latest orders, for the side panel.
    orders: Vec<crate::contacts::orders::Order>,
}

/// One conversation with its contact, every message (notes included) and timeline.
#[utoipa::path(tag = "conversations", params(("id" = i64, Path)), responses((status = 200, body = ConversationDetail),
    (status = 404, body = ErrorBody)), security(("session" = [])))]
#[get("/conversations/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    _: SessionAgent,
    id: web::Path<i64>,
) -> AppResult<web::Json<ConversationDetail>> {
    let id = ConversationId(*id);
    let detail = state
        .db
        .read(move |c| {
            let conversation = views::summary(c, id)?;
            let contact = contacts::contact_by_id(c, conversation.contact.id)?
                .ok_or_else(|| AppError::not_found("not_found"))?;
            Ok(ConversationDetail {
                messages: views::messages_for_agent(c, id)?,
                events: views::timeline(c, id)?,
                orders: crate::contacts::orders::latest_orders(c, conversation.contact.id, 3)?,
                conversation,
                contact,
            })
        })
        .await?;
    Ok(web::Json(detail))
}

#[derive(Deserialize, ToSchema)]
pub struct ReplyBody {
    /// May be empty when an image is attached.
    #[serde(default)]
    body: String,
    /// From `POST /api/attachments`.
    attachment_id: Option<i64>,
    /// A note for colleagues, never shown to the customer.
    #[serde(default)]
    private: bool,
}

#[derive(Serialize, ToSchema)]
pub struct MessageResponse {
    message: Message,
}

/// Reply to the customer, or add a private note.
#[utoipa::path(tag = "conversations", params(("id" = i64, Path)), request_body = ReplyBody,
    responses((status = 201, body = MessageResponse), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = [])))]
#[post("/conversations/{id}/messages")]
pub async fn reply(
    state: web::Data<AppState>,
    me: SessionAgent,
    id: web::Path<i64>,
    body: Body<ReplyBody>,
) -> AppResult<HttpResponse> {
    let body = body.parse()?;
    let b = body.into_inner();
    let message = conversations::reply(
        &state.db,
        &state.hub,
        &state.mailroom,
        me.agent_id,
        ConversationId(*id),
        &b.body,
        b.private,
        b.attachment_id.map(crate::attachments::AttachmentId),
    )
    .await?;
    Ok(HttpResponse::Created().json(MessageResponse { message }))
}

#[derive(Deserialize, ToSchema)]
pub struct TranscriptBody {
    /// Where to send it; the customer's address when left out.
    to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TranscriptResponse {
    mail: crate::notify::Delivery,
}

/// Email a copy of the chat (without private notes) to the customer.
#[utoipa::path(tag = "conversations", params(("id" = i64, Path)), request_body = TranscriptBody,
    responses((status = 202, body = TranscriptResponse),
        (status = 400, body = ErrorBody, description = "`contact_has_no_email`, `invalid_email`"),
        (status = 404, body = ErrorBody)),
    security(("session" = [])))]
#[post("/conversations/{id}/transcript")]
pub async fn transcript(
    state: web::Data<AppState>,
    me: SessionAgent,
    id: web::Path<i64>,
    body: Body<TranscriptBody>,
) -> AppResult<HttpResponse> {
    let to = body.parse()?.into_inner().to.filter(|t| !t.trim().is_empty());
    let mail =
        conversations::send_transcript(&state.db, &state.mailroom, me.agent_id, ConversationId(*id), to)
            .await?;
    Ok(HttpResponse::Accepted().json(TranscriptResponse { mail }))
}

#[derive(Deserialize, ToSchema)]
pub struct StatusBody {
    /// `open`, `pending`, `snoozed` or `resolved`.
    status: String,
    /// For `snoozed`: until when (UTC ms).
    snoozed_until: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct ConversationResponse {
    pub conversation: ConversationSummary,
}

impl ConversationResponse {
    pub fn new(conversation: ConversationSummary) -> Self {
        ConversationResponse { conversation }
    }
}

/// Resolve, reopen, mark pending or snooze.
#[utoipa::path(tag = "conversations", params(("id" = i64, Path)), request_body = StatusBody,
    responses((status = 200, body = ConversationResponse), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = [])))]
#[post("/conversations/{id}/status")]
pub async fn set_status(
    state: web::Data<AppState>,
    me: SessionAgent,
    id: web::Path<i64>,
    body: Body<StatusBody>,
) -> AppResult<web::Json<ConversationResponse>> {
    let body = body.parse()?;
    let status = Status::parse(&body.status).ok_or_else(|| {
        AppError::bad_request("status_invalid").with("allowed", "open, pending, snoozed, resolved")
    })?;
    let conversation = conversations::set_status(
        &state.db,
        &state.hub,
        me.agent_id,
        ConversationId(*id),
        status,
        body.snoozed_until,
    )
    .await?;
    Ok(web::Json(ConversationResponse { conversation }))
}

#[derive(Deserialize, ToSchema)]
pub struct AssignBody {
    /// An agent id, or `null` to put the conversation back in the queue. Omit to keep.
    #[serde(default, deserialize_with = "crate::util::double_option")]
    #[schema(value_type = Option<i64>)]
    agent_id: Option<Option<AgentId>>,
    /// A team id, or `null` for none. Omit to keep.
    #[serde(default, deserialize_with = "crate::util::double_option")]
    #[schema(value_type = Option<i64>)]
    team_id: Option<Option<TeamId>>,
}

/// Assign to an agent and/or move to a team.
#[utoipa::path(tag = "conversations", params(("id" = i64, Path)), request_body = AssignBody,
    responses((status = 200, body = ConversationResponse), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = [])))]
#[post("/conversations/{id}/assign")]
pub async fn assign(
    state: web::Data<AppState>,
    me: SessionAgent,
    id: web::Path<i64>,
    body: Body<AssignBody>,
) -> AppResult<web::Json<ConversationResponse>> {
    let body = body.parse()?;
    let b = body.into_inner();
    let conversation = conversations::assign(
        &state.db,
        &state.hub,
        me.agent_id,
        ConversationId(*id),
        b.agent_id,
        b.team_id,
    )
    .await?;
    Ok(web::Json(ConversationResponse { conversation }))
}

/// The agent has read the conversation (unread to zero; the customer sees "read").
#[utoipa::path(tag = "conversations", params(("id" = i64, Path)), responses((status = 204), (status = 404, body = ErrorBody)),
    security(("session" = [])))]
#[post("/conversations/{id}/read")]
pub async fn mark_read(
    state: web::Data<AppState>,
    _: SessionAgent,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    conversations::mark_read_by_agent(&state.db, &state.hub, ConversationId(*id)).await?;
    Ok(no_content())
}

#[derive(Deserialize, ToSchema)]
pub struct TypingBody {
    typing: bool,
}

/// The agent is (not) typing; the customer sees it.
#[utoipa::path(tag = "conversations", params(("id" = i64, Path)), request_body = TypingBody,
    responses((status = 204), (status = 404, body = ErrorBody)), security(("session" = [])))]
#[post("/conversations/{id}/typing")]
pub async fn set_typing(
    state: web::Data<AppState>,
    me: SessionAgent,
    id: web::Path<i64>,
    body: Body<TypingBody>,
) -> AppResult<HttpResponse> {
    let body = body.parse()?;
    agent_typing(&state, me.agent_id, ConversationId(*id), body.typing).await?;
    Ok(no_content())
}

/// Shared by the HTTP endpoint and the agent websocket.
pub(crate) async fn agent_typing(
    state: &AppState,
    agent: AgentId,
    id: ConversationId,
    typing: bool,
) -> AppResult<()> {
    let (contact, name) = state
        .db
        .read(move |c| {
            let s = views::summary(c, id)?;
            let name = crate::accounts::agents::agent_by_id(c, agent)?
                .map(|a| a.name)
                .unwrap_or_default();
            Ok((s.contact.id, name))
        })
        .await?;
    let event = || Event::Typing {
        conversation_id: id,
        agent: Some((agent, name.clone())),
        typing,
    };
    state.hub.publish(Topic::Contact(contact), event());
    state.hub.publish(Topic::Agents, event());
    Ok(())
}
