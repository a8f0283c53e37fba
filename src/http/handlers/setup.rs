use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::session::SessionResponse;
use crate::accounts::setup::{self, SetupRequest};
use crate::error::AppResult;
use crate::http::AppState;
use crate::http::extract::Client;

#[derive(Serialize, ToSchema)]
pub struct SetupStatus {
    /// True until the owner account exists.
    needed: bool,
}

/// Whether the first-run setup page should be shown.
#[utoipa::path(tag = "setup", responses((status = 200, body = SetupStatus)))]
#[get("/setup")]
pub async fn status(state: web::Data<AppState>) -> AppResult<web::Json<SetupStatus>> {
    Ok(web::Json(SetupStatus {
        needed: setup::needed(&state.db).await?,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct SetupBody {
    shop_name: String,
    /// The owner's name.
    name: String,
    email: String,
    /// At least 8 characters.
    password: String,
}

/// First run only: creates the shop and its owner, and logs the owner in.
#[utoipa::path(tag = "setup", request_body = SetupBody, responses(
    (status = 201, body = SessionResponse, description = "Owner created; session cookie set"),
    (status = 400, body = crate::http::errors::ErrorBody),
    (status = 409, body = crate::http::errors::ErrorBody, description = "`setup_done`: already set up")))]
#[post("/setup")]
pub async fn create(
    state: web::Data<AppState>,
    client: Client,
    body: web::Json<SetupBody>,
) -> AppResult<HttpResponse> {
    let b = body.into_inner();
    let idle_days = state.config.session.idle_days;
    let req = SetupRequest {
        shop_name: b.shop_name,
        name: b.name,
        email: b.email,
        password: b.password,
    };
    let session = setup::run(&state.db, req, client.0, idle_days).await?;
    Ok(SessionResponse::respond(HttpResponse::Created(), session, &state))
}
