use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::AppResult;
use crate::http::AppState;
use crate::http::errors::{ErrorBody, no_content};
use crate::http::extract::{Body, CurrentAgent, RequireAdmin};
use crate::tickets::TicketTypeId;
use crate::tickets::types::{self, TicketType};

#[derive(Serialize, ToSchema)]
pub struct TypeList {
    types: Vec<TicketType>,
}

/// The shop's ticket types.
#[utoipa::path(tag = "tickets", responses((status = 200, body = TypeList)), security(("session" = []), ("token" = [])))]
#[get("/ticket-types")]
pub async fn list(state: web::Data<AppState>, _: CurrentAgent) -> AppResult<web::Json<TypeList>> {
    Ok(web::Json(TypeList {
        types: state.db.read(|c| Ok(types::all(c)?)).await?,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct TypeBody {
    name: String,
}

#[derive(Serialize, ToSchema)]
pub struct TypeResponse {
    #[serde(rename = "type")]
    ticket_type: TicketType,
}

/// Add a ticket type.
#[utoipa::path(tag = "tickets", request_body = TypeBody,
    responses((status = 201, body = TypeResponse), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[post("/ticket-types")]
pub async fn create(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    body: Body<TypeBody>,
) -> AppResult<HttpResponse> {
    let name = body.parse()?.into_inner().name;
    let ticket_type = types::create(&state.db, admin.0, name).await?;
    Ok(HttpResponse::Created().json(TypeResponse { ticket_type }))
}

/// Rename a ticket type.
#[utoipa::path(tag = "tickets", request_body = TypeBody,
    responses((status = 200, body = TypeResponse), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[patch("/ticket-types/{id}")]
pub async fn rename(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    id: web::Path<i64>,
    body: Body<TypeBody>,
) -> AppResult<web::Json<TypeResponse>> {
    let name = body.parse()?.into_inner().name;
    let ticket_type = types::rename(&state.db, admin.0, TicketTypeId(*id), name).await?;
    Ok(web::Json(TypeResponse { ticket_type }))
}

/// Delete a ticket type (its tickets keep their history, without a type).
#[utoipa::path(tag = "tickets", responses((status = 204), (status = 404, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[delete("/ticket-types/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    types::remove(&state.db, admin.0, TicketTypeId(*id)).await?;
    Ok(no_content())
}
