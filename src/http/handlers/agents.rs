use actix_web::{get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::agents::{self, AgentChanges};
use crate::accounts::{Agent, AgentId, Role, resets};
use crate::error::{AppError, AppResult};
use crate::http::AppState;
use crate::http::errors::ErrorBody;
use crate::http::extract::{Body, CurrentAgent, RequireAdmin};

#[derive(Serialize, ToSchema)]
pub struct AgentList {
    agents: Vec<Agent>,
}

#[derive(Serialize, ToSchema)]
pub struct AgentResponse {
    pub agent: Agent,
}

/// Every agent of the shop (deactivated ones too, flagged `active: false`).
#[utoipa::path(tag = "agents", responses((status = 200, body = AgentList)),
    security(("session" = []), ("token" = [])))]
#[get("/agents")]
pub async fn list(state: web::Data<AppState>, _: CurrentAgent) -> AppResult<web::Json<AgentList>> {
    let agents = state.db.read(|c| Ok(agents::all_agents(c)?)).await?;
    Ok(web::Json(AgentList { agents }))
}

#[derive(Deserialize, ToSchema)]
pub struct AgentUpdateBody {
    name: Option<String>,
    /// `agent` or `admin` (only the owner may grant `admin`).
    role: Option<String>,
    /// Most conversations the agent handles at once (1–100).
    max_concurrent: Option<i64>,
    /// Intent names the agent is good at (teams routing by skills prefer them).
    skills: Option<Vec<String>>,
}

/// `agent` or `admin`: the roles that can be given (there is one owner, made at setup).
pub(super) fn role_param(s: &str) -> AppResult<Role> {
    match Role::parse(s) {
        Some(r @ (Role::Agent | Role::Admin)) => Ok(r),
        _ => Err(AppError::bad_request("invalid_role").with("allowed", "agent, admin")),
    }
}

/// Change an agent's name, role or concurrent-conversation limit.
#[utoipa::path(tag = "agents", request_body = AgentUpdateBody, params(("id" = i64, Path)),
    responses((status = 200, body = AgentResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[patch("/agents/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    id: web::Path<i64>,
    body: Body<AgentUpdateBody>,
) -> AppResult<web::Json<AgentResponse>> {
    let body = body.parse()?;
    let b = body.into_inner();
    let changes = AgentChanges {
        name: b.name,
        role: b.role.as_deref().map(role_param).transpose()?,
        max_concurrent: b.max_concurrent,
        skills: b.skills,
    };
    let agent = agents::update_agent(&state.db, admin.0, AgentId(*id), changes).await?;
    // A higher limit may free room for queued conversations.
    crate::conversations::redispatch(&state.db, &state.hub).await?;
    Ok(web::Json(AgentResponse { agent }))
}

/// Deactivate an agent: they are logged out everywhere and cannot log in.
#[utoipa::path(tag = "agents", params(("id" = i64, Path)),
    responses((status = 200, body = AgentResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[post("/agents/{id}/deactivate")]
pub async fn deactivate(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    id: web::Path<i64>,
) -> AppResult<web::Json<AgentResponse>> {
    let agent = agents::set_active(&state.db, admin.0, AgentId(*id), false).await?;
    Ok(web::Json(AgentResponse { agent }))
}

/// Let a deactivated agent log in again.
#[utoipa::path(tag = "agents", params(("id" = i64, Path)),
    responses((status = 200, body = AgentResponse), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[post("/agents/{id}/activate")]
pub async fn activate(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    id: web::Path<i64>,
) -> AppResult<web::Json<AgentResponse>> {
    let agent = agents::set_active(&state.db, admin.0, AgentId(*id), true).await?;
    Ok(web::Json(AgentResponse { agent }))
}

#[derive(Serialize, ToSchema)]
pub struct ResetLink {
    /// One-time link for the agent to choose a new password; shown once.
    link: String,
    expires_at: i64,
    /// Whether the link was also emailed to the agent (only when mail is set up).
    emailed: bool,
}

/// Issue a one-time password reset link for an agent (valid 24 hours); it is also
/// emailed to them when mail is set up.
#[utoipa::path(tag = "agents", params(("id" = i64, Path)),
    responses((status = 200, body = ResetLink), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[post("/agents/{id}/password-reset")]
pub async fn password_reset(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    id: web::Path<i64>,
) -> AppResult<web::Json<ResetLink>> {
    let reset = resets::create_reset(&state.db, &state.mailroom, admin.0, AgentId(*id)).await?;
    Ok(web::Json(ResetLink {
        link: reset.link,
        expires_at: reset.expires_at,
        emailed: reset.email.is_some(),
    }))
}
