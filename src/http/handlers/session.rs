use actix_web::{HttpResponse, HttpResponseBuilder, delete, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::Agent;
use crate::accounts::sessions::{self, NewSession};
use crate::error::AppResult;
use crate::http::AppState;
use crate::http::errors::{ErrorBody, no_content};
use crate::http::extract::{Client, SessionAgent, expired_session_cookie, session_cookie};

#[derive(Serialize, ToSchema)]
pub struct SessionResponse {
    agent: Agent,
    /// Send as `X-CSRF-Token` on every cookie-authenticated write.
    csrf_token: String,
}

impl SessionResponse {
    /// The body plus the session cookie.
    pub fn respond(mut builder: HttpResponseBuilder, s: NewSession, state: &AppState) -> HttpResponse {
        let cfg = &state.config;
        builder
            .cookie(session_cookie(
                s.token,
                cfg.cookies_secure(),
                cfg.session.idle_days,
            ))
            .insert_header(("cache-control", "no-store"))
            .json(SessionResponse {
                agent: s.agent,
                csrf_token: s.csrf_token,
            })
    }
}

#[derive(Deserialize, ToSchema)]
pub struct LoginBody {
    email: String,
    password: String,
}

/// Log in: sets the `kefu_session` cookie (HttpOnly, SameSite=Lax).
#[utoipa::path(tag = "session", request_body = LoginBody, responses(
    (status = 200, body = SessionResponse),
    (status = 401, body = ErrorBody, description = "`invalid_credentials`"),
    (status = 403, body = ErrorBody, description = "`account_deactivated`"),
    (status = 429, body = ErrorBody, description = "`too_many_attempts`; see Retry-After")))]
#[post("/session")]
pub async fn create(
    state: web::Data<AppState>,
    client: Client,
    body: web::Json<LoginBody>,
) -> AppResult<HttpResponse> {
    let b = body.into_inner();
    let session = sessions::login(
        &state.db,
        &state.limiter,
        &b.email,
        b.password,
        client.0,
        state.config.session.idle_days,
    )
    .await?;
    Ok(SessionResponse::respond(HttpResponse::Ok(), session, &state))
}

/// Log out: ends this session and clears the cookie.
#[utoipa::path(tag = "session", responses((status = 204)), security(("session" = [])))]
#[delete("/session")]
pub async fn delete(state: web::Data<AppState>, me: SessionAgent) -> AppResult<HttpResponse> {
    sessions::logout(&state.db, me.session_id).await?;
    let mut res = no_content();
    res.add_cookie(&expired_session_cookie(state.config.cookies_secure()))
        .map_err(crate::error::AppError::internal)?;
    Ok(res)
}
