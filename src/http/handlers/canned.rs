use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::TeamId;
use crate::canned::{self, CannedId, CannedResponse};
use crate::error::AppResult;
use crate::http::AppState;
use crate::http::errors::{ErrorBody, no_content};
use crate::http::extract::{Body, CurrentAgent, RequireAdmin};

#[derive(Serialize, ToSchema)]
pub struct CannedList {
    canned_responses: Vec<CannedResponse>,
}

/// The canned responses the caller may use: global ones and their teams'.
#[utoipa::path(tag = "canned responses", responses((status = 200, body = CannedList)),
    security(("session" = []), ("token" = [])))]
#[get("/canned-responses")]
pub async fn list(state: web::Data<AppState>, me: CurrentAgent) -> AppResult<web::Json<CannedList>> {
    // Admins manage all of them; agents see what applies to them.
    let agent = if me.0.role.is_admin() {
        None
    } else {
        me.0.agent_id()
    };
    let canned_responses = state.db.read(move |c| Ok(canned::visible_to(c, agent)?)).await?;
    Ok(web::Json(CannedList { canned_responses }))
}

#[derive(Deserialize, ToSchema)]
pub struct CannedBody {
    /// Letters, digits, `-` and `_`; typed after `/`.
    shortcut: String,
    /// May use `{{contact.name}}`, `{{agent.name}}`, `{{order.number}}`.
    body: String,
    /// Only this team's members see it; omit for everyone.
    team_id: Option<i64>,
}

/// Create a canned response.
#[utoipa::path(tag = "canned responses", request_body = CannedBody,
    responses((status = 201, body = CannedResponse), (status = 400, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`shortcut_taken`")),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[post("/canned-responses")]
pub async fn create(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    body: Body<CannedBody>,
) -> AppResult<HttpResponse> {
    let body = body.parse()?;
    let b = body.into_inner();
    let created = canned::create(&state.db, admin.0, &b.shortcut, &b.body, b.team_id.map(TeamId)).await?;
    Ok(HttpResponse::Created().json(created))
}

#[derive(Deserialize, ToSchema)]
pub struct CannedUpdateBody {
    shortcut: Option<String>,
    body: Option<String>,
    /// A team id, or `null` for everyone. Omit to keep.
    #[serde(default, deserialize_with = "crate::util::double_option")]
    #[schema(value_type = Option<i64>)]
    team_id: Option<Option<TeamId>>,
}

/// Change a canned response.
#[utoipa::path(tag = "canned responses", params(("id" = i64, Path)), request_body = CannedUpdateBody,
    responses((status = 200, body = CannedResponse), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[patch("/canned-responses/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    id: web::Path<i64>,
    body: Body<CannedUpdateBody>,
) -> AppResult<web::Json<CannedResponse>> {
    let body = body.parse()?;
    let b = body.into_inner();
    Ok(web::Json(
        canned::update(&state.db, admin.0, CannedId(*id), b.shortcut, b.body, b.team_id).await?,
    ))
}

/// Delete a canned response.
#[utoipa::path(tag = "canned responses", params(("id" = i64, Path)), responses((status = 204), (status = 404, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[delete("/canned-responses/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    canned::delete(&state.db, admin.0, CannedId(*id)).await?;
    Ok(no_content())
}
