use actix_web::{HttpResponse, get, patch, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::agents::AgentResponse;
use crate::accounts::{Agent, Availability, Team, agents, teams};
use crate::error::{AppError, AppResult};
use crate::http::AppState;
use crate::http::errors::{ErrorBody, no_content};
use crate::http::extract::{Body, SessionAgent};
use crate::i18n::Lang;
use crate::settings;

#[derive(Serialize, ToSchema)]
pub struct MeResponse {
    agent: Agent,
    csrf_token: String,
    shop_name: String,
    /// The teams this agent belongs to.
    teams: Vec<Team>,
}

/// The logged-in agent, their teams and the CSRF token for writes.
#[utoipa::path(tag = "me", responses((status = 200, body = MeResponse), (status = 401, body = ErrorBody)),
    security(("session" = [])))]
#[get("/me")]
pub async fn get(state: web::Data<AppState>, me: SessionAgent) -> AppResult<web::Json<MeResponse>> {
    let id = me.agent_id;
    let (agent, teams, shop) = state
        .db
        .read(move |c| {
            let agent =
                agents::agent_by_id(c, id)?.ok_or_else(|| AppError::unauthorized("session_expired"))?;
            Ok((agent, teams::teams_of_agent(c, id)?, settings::shop(c)?))
        })
        .await?;
    Ok(web::Json(MeResponse {
        agent,
        csrf_token: me.csrf_token,
        shop_name: shop.shop_name,
        teams,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ProfileBody {
    name: Option<String>,
    /// `en`, `zh-CN`, or `null` to follow the browser. Omit to leave unchanged.
    #[serde(default, deserialize_with = "deserialize_some")]
    #[schema(value_type = Option<String>)]
    locale: Option<Option<String>>,
}

/// Distinguishes `"locale": null` (clear) from an absent field (keep).
fn deserialize_some<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    serde::Deserialize::deserialize(d).map(Some)
}

/// Change your own name or language.
#[utoipa::path(tag = "me", request_body = ProfileBody, responses((status = 200, body = AgentResponse),
    (status = 400, body = ErrorBody)), security(("session" = [])))]
#[patch("/me")]
pub async fn update(
    state: web::Data<AppState>,
    me: SessionAgent,
    body: Body<ProfileBody>,
) -> AppResult<web::Json<AgentResponse>> {
    let body = body.parse()?;
    let b = body.into_inner();
    let locale = match b.locale {
        None => None,
        Some(None) => Some(None),
        Some(Some(tag)) => Some(Some(Lang::parse_exact(&tag).ok_or_else(|| {
            AppError::bad_request("invalid_locale").with("allowed", "en, zh-CN")
        })?)),
    };
    let agent = agents::update_profile(&state.db, me.agent_id, b.name, locale).await?;
    Ok(web::Json(AgentResponse { agent }))
}

#[derive(Deserialize, ToSchema)]
pub struct AvailabilityBody {
    availability: String,
}

/// Set yourself online, away or offline.
#[utoipa::path(tag = "me", request_body = AvailabilityBody, responses((status = 200, body = AgentResponse),
    (status = 400, body = ErrorBody)), security(("session" = [])))]
#[put("/me/availability")]
pub async fn availability(
    state: web::Data<AppState>,
    me: SessionAgent,
    body: Body<AvailabilityBody>,
) -> AppResult<web::Json<AgentResponse>> {
    let body = body.parse()?;
    let a = Availability::parse(&body.availability)
        .ok_or_else(|| AppError::bad_request("invalid_availability"))?;
    let agent = agents::set_availability(&state.db, me.agent_id, a).await?;
    // Someone came online: waiting customers may be handed out now (or someone
    // left and their chats go back to the queue, if the shop wants that).
    crate::conversations::availability_changed(&state.db, &state.hub, me.agent_id).await?;
    crate::conversations::publish_presence(&state.db, &state.hub).await?;
    Ok(web::Json(AgentResponse { agent }))
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordBody {
    current_password: String,
    new_password: String,
}

/// Change your password; your other sessions are logged out.
#[utoipa::path(tag = "me", request_body = PasswordBody, responses((status = 204),
    (status = 400, body = ErrorBody, description = "`wrong_password` or a weak new password")),
    security(("session" = [])))]
#[post("/me/password")]
pub async fn password(
    state: web::Data<AppState>,
    me: SessionAgent,
    body: Body<PasswordBody>,
) -> AppResult<HttpResponse> {
    let body = body.parse()?;
    let b = body.into_inner();
    agents::change_own_password(
        &state.db,
        me.agent_id,
        me.session_id,
        b.current_password,
        b.new_password,
    )
    .await?;
    Ok(no_content())
}
