use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::{AgentId, Team, TeamId, teams};
use crate::error::{AppError, AppResult};
use crate::http::AppState;
use crate::http::errors::{ErrorBody, no_content};
use crate::http::extract::{Body, CurrentAgent, RequireAdmin};

#[derive(Serialize, ToSchema)]
pub struct TeamList {
    teams: Vec<Team>,
}

#[derive(Serialize, ToSchema)]
pub struct TeamResponse {
    team: Team,
}

/// All teams with their members.
#[utoipa::path(tag = "teams", responses((status = 200, body = TeamList)),
    security(("session" = []), ("token" = [])))]
#[get("/teams")]
pub async fn list(state: web::Data<AppState>, _: CurrentAgent) -> AppResult<web::Json<TeamList>> {
    let teams = state.db.read(|c| Ok(teams::all_teams(c)?)).await?;
    Ok(web::Json(TeamList { teams }))
}

/// One team.
#[utoipa::path(tag = "teams", params(("id" = i64, Path)),
    responses((status = 200, body = TeamResponse), (status = 404, body = ErrorBody)),
    security(("session" = []), ("token" = [])))]
#[get("/teams/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    _: CurrentAgent,
    id: web::Path<i64>,
) -> AppResult<web::Json<TeamResponse>> {
    let id = TeamId(*id);
    let team = state.db.read(move |c| Ok(teams::team_by_id(c, id)?)).await?;
    let team = team.ok_or_else(|| AppError::not_found("not_found"))?;
    Ok(web::Json(TeamResponse { team }))
}

#[derive(Deserialize, ToSchema)]
pub struct TeamBody {
    name: String,
    #[serde(default)]
    description: String,
}

/// Create a team (e.g. 售后 after-sales).
#[utoipa::path(tag = "teams", request_body = TeamBody,
    responses((status = 201, body = TeamResponse), (status = 400, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`team_name_taken`")),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[post("/teams")]
pub async fn create(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    body: Body<TeamBody>,
) -> AppResult<HttpResponse> {
    let body = body.parse()?;
    let team = teams::create_team(&state.db, admin.0, &body.name, &body.description).await?;
    Ok(HttpResponse::Created().json(TeamResponse { team }))
}

#[derive(Deserialize, ToSchema)]
pub struct TeamUpdateBody {
    name: Option<String>,
    description: Option<String>,
    /// The team lead (hears of SLA warnings and breaches); `null` for none, omit to keep.
    #[serde(default, deserialize_with = "some")]
    #[schema(value_type = Option<i64>)]
    lead_agent_id: Option<Option<i64>>,
    /// `round_robin`, `least_busy` or `skills`.
    strategy: Option<String>,
}

/// Tells `"lead_agent_id": null` (clear) from an absent field (keep).
fn some<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    serde::Deserialize::deserialize(d).map(Some)
}

/// Rename a team or change its description.
#[utoipa::path(tag = "teams", request_body = TeamUpdateBody, params(("id" = i64, Path)),
    responses((status = 200, body = TeamResponse), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[patch("/teams/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    id: web::Path<i64>,
    body: Body<TeamUpdateBody>,
) -> AppResult<web::Json<TeamResponse>> {
    let body = body.parse()?;
    let b = body.into_inner();
    let lead = b.lead_agent_id.map(|l| l.map(AgentId));
    let changes = teams::TeamChanges {
        name: b.name,
        description: b.description,
        lead,
        strategy: b.strategy,
    };
    let team = teams::update_team(&state.db, admin.0, TeamId(*id), changes).await?;
    // Another strategy may hand waiting conversations out differently.
    crate::conversations::redispatch(&state.db, &state.hub).await?;
    Ok(web::Json(TeamResponse { team }))
}

/// Delete a team (its members stay agents).
#[utoipa::path(tag = "teams", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[delete("/teams/{id}")]
pub async fn delete(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    teams::delete_team(&state.db, admin.0, TeamId(*id)).await?;
    Ok(no_content())
}

#[derive(Deserialize, ToSchema)]
pub struct MembersBody {
    agent_ids: Vec<i64>,
}

/// Replace a team's members.
#[utoipa::path(tag = "teams", request_body = MembersBody, params(("id" = i64, Path)),
    responses((status = 200, body = TeamResponse), (status = 400, body = ErrorBody, description = "`unknown_agent` or `agent_inactive`"),
        (status = 404, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[put("/teams/{id}/members")]
pub async fn members(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    id: web::Path<i64>,
    body: Body<MembersBody>,
) -> AppResult<web::Json<TeamResponse>> {
    let body = body.parse()?;
    let ids = body.into_inner().agent_ids.into_iter().map(AgentId).collect();
    let team = teams::set_members(&state.db, admin.0, TeamId(*id), ids).await?;
    Ok(web::Json(TeamResponse { team }))
}
