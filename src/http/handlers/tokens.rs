use actix_web::{HttpResponse, delete, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::agents::role_param;
use crate::accounts::tokens::{self, ApiToken};
use crate::accounts::{Role, TokenId};
use crate::error::AppResult;
use crate::http::AppState;
use crate::http::errors::{ErrorBody, no_content};
use crate::http::extract::{Body, RequireAdmin};

#[derive(Serialize, ToSchema)]
pub struct TokenList {
    tokens: Vec<ApiToken>,
}

/// API tokens that have not been revoked (never their secrets).
#[utoipa::path(tag = "api tokens", responses((status = 200, body = TokenList)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[get("/tokens")]
pub async fn list(state: web::Data<AppState>, _: RequireAdmin) -> AppResult<web::Json<TokenList>> {
    let tokens = state.db.read(|c| Ok(tokens::active_tokens(c)?)).await?;
    Ok(web::Json(TokenList { tokens }))
}

#[derive(Deserialize, ToSchema)]
pub struct TokenBody {
    name: String,
    /// `agent` (default) or `admin` (owner only).
    role: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedToken {
    token: ApiToken,
    /// The secret, shown only now: send it as `Authorization: Bearer <secret>`.
    secret: String,
}

/// Create an API token for an integration.
#[utoipa::path(tag = "api tokens", request_body = TokenBody,
    responses((status = 201, body = CreatedToken), (status = 400, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[post("/tokens")]
pub async fn create(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    body: Body<TokenBody>,
) -> AppResult<HttpResponse> {
    let body = body.parse()?;
    let b = body.into_inner();
    let role = b
        .role
        .as_deref()
        .map(role_param)
        .transpose()?
        .unwrap_or(Role::Agent);
    let (token, secret) = tokens::create_token(&state.db, admin.0, &b.name, role).await?;
    Ok(HttpResponse::Created().json(CreatedToken { token, secret }))
}

/// Revoke a token; requests using it fail from now on.
#[utoipa::path(tag = "api tokens", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[delete("/tokens/{id}")]
pub async fn delete(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    tokens::revoke_token(&state.db, admin.0, TokenId(*id)).await?;
    Ok(no_content())
}
