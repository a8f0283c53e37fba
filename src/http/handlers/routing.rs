//! Routing: intents, rules, the "try it" box, options, and an agent's intent label.

use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::conversations::ConversationResponse;
use crate::conversations::ConversationId;
use crate::error::AppResult;
use crate::http::AppState;
use crate::http::errors::{ErrorBody, no_content};
use crate::http::extract::{Body, CurrentAgent, RequireAdmin, SessionAgent};
use crate::routing::admin::{self, Sample, Tried};
use crate::routing::intents::{self, Intent, IntentId, IntentInput};
use crate::routing::rules::{self, Rule, RuleId, RuleInput};
use crate::routing::settings::{self, RoutingSettings};

#[derive(Serialize, ToSchema)]
pub struct IntentList {
    intents: Vec<Intent>,
}

#[derive(Serialize, ToSchema)]
pub struct IntentResponse {
    intent: Intent,
}

/// Every intent, with how many conversations it had in the last 30 days.
#[utoipa::path(tag = "routing", responses((status = 200, body = IntentList)), security(("session" = []), ("token" = [])))]
#[get("/routing/intents")]
pub async fn list_intents(state: web::Data<AppState>, _: CurrentAgent) -> AppResult<web::Json<IntentList>> {
    let intents = state.db.read(|c| Ok(intents::all(c)?)).await?;
    Ok(web::Json(IntentList { intents }))
}

/// Create an intent: a name, a label and at least one example.
#[utoipa::path(tag = "routing", request_body = IntentInput,
    responses((status = 201, body = IntentResponse), (status = 400, body = ErrorBody, description = "`intent_examples_required`, `intent_name_invalid`…"), (status = 409, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[post("/routing/intents")]
pub async fn create_intent(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    body: Body<IntentInput>,
) -> AppResult<HttpResponse> {
    let input = body.parse()?.into_inner();
    let intent = admin::create_intent(&state.db, &state.router, admin.0.agent_id(), input).await?;
    Ok(HttpResponse::Created().json(IntentResponse { intent }))
}

/// Change an intent; the classifier retrains before the answer.
#[utoipa::path(tag = "routing", params(("id" = i64, Path)), request_body = IntentInput,
    responses((status = 200, body = IntentResponse), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[patch("/routing/intents/{id}")]
pub async fn update_intent(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    id: web::Path<i64>,
    body: Body<IntentInput>,
) -> AppResult<web::Json<IntentResponse>> {
    let input = body.parse()?.into_inner();
    let intent =
        admin::update_intent(&state.db, &state.router, admin.0.agent_id(), IntentId(*id), input).await?;
    Ok(web::Json(IntentResponse { intent }))
}

/// Delete an intent (its conversations keep no intent).
#[utoipa::path(tag = "routing", params(("id" = i64, Path)), responses((status = 204), (status = 404, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[delete("/routing/intents/{id}")]
pub async fn delete_intent(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    admin::delete_intent(&state.db, &state.router, admin.0.agent_id(), IntentId(*id)).await?;
    Ok(no_content())
}

#[derive(Serialize, ToSchema)]
pub struct RuleList {
    rules: Vec<Rule>,
}

#[derive(Serialize, ToSchema)]
pub struct RuleResponse {
    rule: Rule,
}

/// The rules in order, each with its warnings (never matches, shadowed, contradicts, no actions).
#[utoipa::path(tag = "routing", responses((status = 200, body = RuleList)), security(("session" = []), ("token" = [])))]
#[get("/routing/rules")]
pub async fn list_rules(state: web::Data<AppState>, _: CurrentAgent) -> AppResult<web::Json<RuleList>> {
    let rules = state.db.read(rules::all).await?;
    Ok(web::Json(RuleList { rules }))
}

/// Add a rule at the end. An invalid pattern is refused with the reason.
#[utoipa::path(tag = "routing", request_body = RuleInput,
    responses((status = 201, body = RuleResponse), (status = 400, body = ErrorBody, description = "`pattern_invalid` (with `reason`), `condition_invalid`, `action_invalid` (with `field`)…")),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[post("/routing/rules")]
pub async fn create_rule(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    body: Body<RuleInput>,
) -> AppResult<HttpResponse> {
    let input = body.parse()?.into_inner();
    let rule = admin::create_rule(&state.db, &state.router, admin.0.agent_id(), input).await?;
    Ok(HttpResponse::Created().json(RuleResponse { rule }))
}

#[derive(Deserialize, ToSchema)]
pub struct RuleOrderBody {
    ids: Vec<i64>,
}

/// Put the rules in this order (every rule's id, once).
#[utoipa::path(tag = "routing", request_body = RuleOrderBody,
    responses((status = 200, body = RuleList), (status = 400, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[put("/routing/rules/order")]
pub async fn reorder_rules(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    body: Body<RuleOrderBody>,
) -> AppResult<web::Json<RuleList>> {
    let ids = body.parse()?.into_inner().ids.into_iter().map(RuleId).collect();
    let rules = admin::reorder_rules(&state.db, &state.router, admin.0.agent_id(), ids).await?;
    Ok(web::Json(RuleList { rules }))
}

/// Change a rule.
#[utoipa::path(tag = "routing", params(("id" = i64, Path)), request_body = RuleInput,
    responses((status = 200, body = RuleResponse), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[patch("/routing/rules/{id}")]
pub async fn update_rule(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    id: web::Path<i64>,
    body: Body<RuleInput>,
) -> AppResult<web::Json<RuleResponse>> {
    let input = body.parse()?.into_inner();
    let rule = admin::update_rule(&state.db, &state.router, admin.0.agent_id(), RuleId(*id), input).await?;
    Ok(web::Json(RuleResponse { rule }))
}

/// Delete a rule.
#[utoipa::path(tag = "routing", params(("id" = i64, Path)), responses((status = 204), (status = 404, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[delete("/routing/rules/{id}")]
pub async fn delete_rule(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    admin::delete_rule(&state.db, &state.router, admin.0.agent_id(), RuleId(*id)).await?;
    Ok(no_content())
}

/// What routing would do with a first message: intent, sentiment, each rule's verdict and why.
#[utoipa::path(tag = "routing", request_body = Sample,
    responses((status = 200, body = Tried), (status = 400, body = ErrorBody)), security(("session" = []), ("token" = [])))]
#[post("/routing/try")]
pub async fn try_message(
    state: web::Data<AppState>,
    _: CurrentAgent,
    body: Body<Sample>,
) -> AppResult<web::Json<Tried>> {
    let sample = body.parse()?.into_inner();
    Ok(web::Json(
        admin::try_message(&state.db, &state.router, sample).await?,
    ))
}

/// The routing options.
#[utoipa::path(tag = "routing", responses((status = 200, body = RoutingSettings)), security(("session" = []), ("token" = [])))]
#[get("/routing/settings")]
pub async fn get_settings(
    state: web::Data<AppState>,
    _: CurrentAgent,
) -> AppResult<web::Json<RoutingSettings>> {
    Ok(web::Json(state.db.read(|c| Ok(settings::load(c)?)).await?))
}

/// Change the routing options.
#[utoipa::path(tag = "routing", request_body = RoutingSettings,
    responses((status = 200, body = RoutingSettings), (status = 400, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[put("/routing/settings")]
pub async fn put_settings(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    body: Body<RoutingSettings>,
) -> AppResult<web::Json<RoutingSettings>> {
    let s = body.parse()?.into_inner();
    let saved = admin::save_settings(&state.db, admin.0.agent_id(), s).await?;
    crate::conversations::redispatch(&state.db, &state.hub).await?;
    Ok(web::Json(saved))
}

#[derive(Deserialize, ToSchema)]
pub struct IntentBody {
    /// The intent's name.
    intent: String,
}

/// Say what the conversation is about; the classifier learns from it.
#[utoipa::path(tag = "conversations", params(("id" = i64, Path)), request_body = IntentBody,
    responses((status = 200, body = ConversationResponse), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = [])))]
#[put("/conversations/{id}/intent")]
pub async fn set_conversation_intent(
    state: web::Data<AppState>,
    me: SessionAgent,
    id: web::Path<i64>,
    body: Body<IntentBody>,
) -> AppResult<web::Json<ConversationResponse>> {
    let name = body.parse()?.into_inner().intent;
    let conversation = admin::set_conversation_intent(
        &state.db,
        &state.hub,
        &state.router,
        me.agent_id,
        ConversationId(*id),
        name,
    )
    .await?;
    Ok(web::Json(ConversationResponse { conversation }))
}
