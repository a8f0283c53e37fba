use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{AppError, AppResult};
use crate::http::AppState;
use crate::http::errors::{ErrorBody, no_content};
use crate::http::extract::{Body, RequireAdmin};
use crate::inboxes::{self, Inbox, InboxFields, InboxId};

#[derive(Serialize, ToSchema)]
pub struct InboxView {
    #[serde(flatten)]
    inbox: Inbox,
    /// The `<script>` tag to paste into the shop's pages.
    snippet: String,
}

#[derive(Serialize, ToSchema)]
pub struct InboxList {
    inboxes: Vec<InboxView>,
}

#[derive(Serialize, ToSchema)]
pub struct InboxResponse {
    inbox: InboxView,
}

fn view(state: &AppState, inbox: Inbox) -> InboxView {
    InboxView {
        snippet: inbox.snippet(&state.config.public_url()),
        inbox,
    }
}

/// Every inbox with its snippet and secret.
#[utoipa::path(tag = "inboxes", responses((status = 200, body = InboxList)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[get("/inboxes")]
pub async fn list(state: web::Data<AppState>, _: RequireAdmin) -> AppResult<web::Json<InboxList>> {
    let all = state.db.read(|c| Ok(inboxes::all_inboxes(c)?)).await?;
    Ok(web::Json(InboxList {
        inboxes: all.into_iter().map(|i| view(&state, i)).collect(),
    }))
}

/// Create a web inbox (the chat widget).
#[utoipa::path(tag = "inboxes", request_body = InboxFields,
    responses((status = 201, body = InboxResponse), (status = 400, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[post("/inboxes")]
pub async fn create(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    body: Body<InboxFields>,
) -> AppResult<HttpResponse> {
    let body = body.parse()?;
    let inbox = inboxes::create_inbox(&state.db, admin.0.agent_id(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(InboxResponse {
        inbox: view(&state, inbox),
    }))
}

/// One inbox.
#[utoipa::path(tag = "inboxes", params(("id" = i64, Path)),
    responses((status = 200, body = InboxResponse), (status = 404, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[get("/inboxes/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    _: RequireAdmin,
    id: web::Path<i64>,
) -> AppResult<web::Json<InboxResponse>> {
    let id = InboxId(*id);
    let inbox = state.db.read(move |c| Ok(inboxes::inbox_by_id(c, id)?)).await?;
    let inbox = inbox.ok_or_else(|| AppError::not_found("not_found"))?;
    Ok(web::Json(InboxResponse {
        inbox: view(&state, inbox),
    }))
}

/// Change an inbox's look, pre-chat form, team or allowed origins.
#[utoipa::path(tag = "inboxes", params(("id" = i64, Path)), request_body = InboxFields,
    responses((status = 200, body = InboxResponse), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[patch("/inboxes/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    id: web::Path<i64>,
    body: Body<InboxFields>,
) -> AppResult<web::Json<InboxResponse>> {
    let body = body.parse()?;
    let inbox = inboxes::update_inbox(&state.db, admin.0, InboxId(*id), body.into_inner()).await?;
    Ok(web::Json(InboxResponse {
        inbox: view(&state, inbox),
    }))
}

/// Delete an inbox and its conversations.
#[utoipa::path(tag = "inboxes", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[delete("/inboxes/{id}")]
pub async fn delete(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    inboxes::delete_inbox(&state.db, admin.0, InboxId(*id)).await?;
    Ok(no_content())
}
