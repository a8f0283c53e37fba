use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::resets;
use crate::error::AppResult;
use crate::http::AppState;
use crate::http::errors::{ErrorBody, no_content};
use crate::http::extract::Client;

#[derive(Serialize, ToSchema)]
pub struct ResetPreview {
    email: String,
    expires_at: i64,
}

/// Whose password a reset link is for (public: the token is the secret).
#[utoipa::path(tag = "password resets", params(("token" = String, Path)),
    responses((status = 200, body = ResetPreview), (status = 404, body = ErrorBody, description = "`reset_invalid`")))]
#[get("/password-resets/{token}")]
pub async fn lookup(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> AppResult<web::Json<ResetPreview>> {
    let (email, expires_at) = resets::describe_reset(&state.db, token.into_inner()).await?;
    Ok(web::Json(ResetPreview { email, expires_at }))
}

#[derive(Deserialize, ToSchema)]
pub struct ForgotBody {
    email: String,
}

/// "Forgot password": emails a reset link if an active agent has this address and
/// mail is set up. Always answers 202, so it does not tell who has an account.
#[utoipa::path(tag = "password resets", request_body = ForgotBody,
    responses((status = 202), (status = 429, body = ErrorBody, description = "`too_many_attempts`")))]
#[post("/password-resets/request")]
pub async fn request(
    state: web::Data<AppState>,
    client: Client,
    body: web::Json<ForgotBody>,
) -> AppResult<HttpResponse> {
    let email = body.into_inner().email;
    // Its own counters, so asking for links cannot lock anyone out of logging in.
    let (ip, account) = (
        format!("reset:{}", client.0.ip),
        format!("reset:{}", email.trim().to_lowercase()),
    );
    state.limiter.check(&ip, &account)?;
    state.limiter.record_failure(&ip, &account);
    resets::request_reset(&state.db, &state.mailroom, email).await?;
    Ok(HttpResponse::Accepted().finish())
}

#[derive(Deserialize, ToSchema)]
pub struct CompleteBody {
    token: String,
    password: String,
}

/// Set a new password with a reset link; every session of that agent ends.
#[utoipa::path(tag = "password resets", request_body = CompleteBody,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
#[post("/password-resets/complete")]
pub async fn complete(state: web::Data<AppState>, body: web::Json<CompleteBody>) -> AppResult<HttpResponse> {
    let b = body.into_inner();
    resets::complete_reset(&state.db, b.token, b.password).await?;
    Ok(no_content())
}
