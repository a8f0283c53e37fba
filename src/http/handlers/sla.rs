//! SLA policies and the shop's business hours (Settings → SLA). Every change
//! recomputes the clocks of the tickets still being worked on.

use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::audit;
use crate::error::{AppError, AppResult};
use crate::http::AppState;
use crate::http::errors::{ErrorBody, no_content};
use crate::http::extract::{Body, CurrentAgent, RequireAdmin};
use crate::sla::hours::{self, Hours};
use crate::sla::{Policy, PolicyId, PolicyInput, policies};
use crate::util::now_ms;

#[derive(Serialize, ToSchema)]
pub struct PolicyList {
    policies: Vec<Policy>,
}

#[derive(Serialize, ToSchema)]
pub struct PolicyResponse {
    policy: Policy,
}

/// The SLA policies in the order they are tried.
#[utoipa::path(tag = "sla", responses((status = 200, body = PolicyList)), security(("session" = []), ("token" = [])))]
#[get("/sla-policies")]
pub async fn list(state: web::Data<AppState>, _: CurrentAgent) -> AppResult<web::Json<PolicyList>> {
    let policies = state.db.read(|c| Ok(policies::all(c)?)).await?;
    Ok(web::Json(PolicyList { policies }))
}

/// Runs a policy change and the recomputation it causes in one transaction.
async fn change<T: Send + 'static>(
    state: &AppState,
    what: &'static str,
    actor: crate::accounts::Principal,
    f: impl FnOnce(&rusqlite::Connection) -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
    let out = state
        .db
        .write(move |c| {
            let out = f(c)?;
            crate::sla::refresh_open(c, now_ms())?;
            audit(c, actor.agent_id(), what, "sla", "")?;
            Ok(out)
        })
        .await?;
    state.mailroom.tickets_changed();
    Ok(out)
}

/// Add a policy (tried after the existing ones).
#[utoipa::path(tag = "sla", request_body = PolicyInput,
    responses((status = 201, body = PolicyResponse), (status = 400, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[post("/sla-policies")]
pub async fn create(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    body: Body<PolicyInput>,
) -> AppResult<HttpResponse> {
    let input = body.parse()?.into_inner();
    let policy = change(&state, "sla.policy.create", admin.0, move |c| {
        let id = policies::create(c, &input)?;
        policies::by_id(c, id)?.ok_or_else(|| AppError::not_found("not_found"))
    })
    .await?;
    Ok(HttpResponse::Created().json(PolicyResponse { policy }))
}

/// Change a policy (every field is sent, as the form shows it).
#[utoipa::path(tag = "sla", request_body = PolicyInput, params(("id" = i64, Path)),
    responses((status = 200, body = PolicyResponse), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[patch("/sla-policies/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    id: web::Path<i64>,
    body: Body<PolicyInput>,
) -> AppResult<web::Json<PolicyResponse>> {
    let input = body.parse()?.into_inner();
    let id = PolicyId(*id);
    let policy = change(&state, "sla.policy.update", admin.0, move |c| {
        policies::update(c, id, &input)?;
        policies::by_id(c, id)?.ok_or_else(|| AppError::not_found("not_found"))
    })
    .await?;
    Ok(web::Json(PolicyResponse { policy }))
}

/// Delete a policy; its tickets fall to the next matching one (or none).
#[utoipa::path(tag = "sla", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[delete("/sla-policies/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = PolicyId(*id);
    change(&state, "sla.policy.delete", admin.0, move |c| {
        policies::delete(c, id)
    })
    .await?;
    Ok(no_content())
}

#[derive(Deserialize, ToSchema)]
pub struct OrderBody {
    /// Every policy id, in the new order.
    ids: Vec<i64>,
}

/// Reorder the policies (the first that matches applies).
#[utoipa::path(tag = "sla", request_body = OrderBody,
    responses((status = 200, body = PolicyList), (status = 400, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[put("/sla-policies/order")]
pub async fn reorder(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    body: Body<OrderBody>,
) -> AppResult<web::Json<PolicyList>> {
    let ids: Vec<PolicyId> = body.parse()?.into_inner().ids.into_iter().map(PolicyId).collect();
    let policies = change(&state, "sla.policy.reorder", admin.0, move |c| {
        policies::reorder(c, &ids)?;
        Ok(policies::all(c)?)
    })
    .await?;
    Ok(web::Json(PolicyList { policies }))
}

#[derive(Serialize, ToSchema)]
pub struct HoursResponse {
    business_hours: Hours,
    /// The shop's time zone (changed in Settings → Shop), in which the hours are read.
    timezone: String,
}

/// The shop's business hours.
#[utoipa::path(tag = "sla", responses((status = 200, body = HoursResponse)), security(("session" = []), ("token" = [])))]
#[get("/settings/business-hours")]
pub async fn get_hours(state: web::Data<AppState>, _: CurrentAgent) -> AppResult<web::Json<HoursResponse>> {
    let (business_hours, timezone) = state.db.read(|c| Ok(hours::load(c)?)).await?;
    Ok(web::Json(HoursResponse {
        business_hours,
        timezone,
    }))
}

/// Set the weekly hours and holidays. Refused with the offending field
/// (`invalid_business_hours`: `field`, `reason`).
#[utoipa::path(tag = "sla", request_body = Hours,
    responses((status = 200, body = HoursResponse), (status = 400, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[put("/settings/business-hours")]
pub async fn put_hours(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    body: Body<Hours>,
) -> AppResult<web::Json<HoursResponse>> {
    let new = body.parse()?.into_inner();
    let (business_hours, timezone) = change(&state, "settings.business_hours", admin.0, move |c| {
        hours::save(c, &new)?;
        Ok(hours::load(c)?)
    })
    .await?;
    Ok(web::Json(HoursResponse {
        business_hours,
        timezone,
    }))
}
