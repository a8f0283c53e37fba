use actix_web::{HttpResponse, delete, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::agents::role_param;
use super::session::SessionResponse;
use crate::accounts::invites::{self, Invite};
use crate::accounts::{InviteId, Role};
use crate::error::{AppError, AppResult};
use crate::http::AppState;
use crate::http::errors::{ErrorBody, no_content};
use crate::http::extract::{Body, Client, RequireAdmin};
use crate::settings;

#[derive(Serialize, ToSchema)]
pub struct InviteList {
    invites: Vec<Invite>,
}

/// Pending (not yet accepted, not expired) invitations.
#[utoipa::path(tag = "invites", responses((status = 200, body = InviteList)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[get("/invites")]
pub async fn list(state: web::Data<AppState>, _: RequireAdmin) -> AppResult<web::Json<InviteList>> {
    let invites = state.db.read(|c| Ok(invites::pending_invites(c)?)).await?;
    Ok(web::Json(InviteList { invites }))
}

#[derive(Deserialize, ToSchema)]
pub struct InviteBody {
    email: String,
    #[serde(default)]
    name: String,
    /// `agent` (default) or `admin` (owner only).
    role: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct CreatedInvite {
    invite: Invite,
    /// The invitation link; shown only now (kefu stores a hash of its token).
    link: String,
    /// Whether the link was also emailed (only when an SMTP server is set up).
    emailed: bool,
}

/// Invite someone by email. The link is valid for 7 days and works once.
#[utoipa::path(tag = "invites", request_body = InviteBody,
    responses((status = 201, body = CreatedInvite), (status = 400, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`email_taken` or `invite_pending`")),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[post("/invites")]
pub async fn create(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    body: Body<InviteBody>,
) -> AppResult<HttpResponse> {
    let body = body.parse()?;
    let b = body.into_inner();
    let role = b
        .role
        .as_deref()
        .map(role_param)
        .transpose()?
        .unwrap_or(Role::Agent);
    let created =
        invites::create_invite(&state.db, &state.mailroom, admin.0, &b.email, &b.name, role).await?;
    Ok(HttpResponse::Created().json(CreatedInvite {
        invite: created.invite,
        link: created.link,
        emailed: created.email.is_some(),
    }))
}

/// Withdraw a pending invitation.
#[utoipa::path(tag = "invites", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[delete("/invites/{id}")]
pub async fn delete(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    invites::revoke_invite(&state.db, admin.0, InviteId(*id)).await?;
    Ok(no_content())
}

#[derive(Serialize, ToSchema)]
pub struct InvitePreview {
    email: String,
    name: String,
    role: Role,
    shop_name: String,
    expires_at: i64,
}

/// What an invitation link is for (public: the token itself is the secret).
#[utoipa::path(tag = "invites", params(("token" = String, Path)),
    responses((status = 200, body = InvitePreview), (status = 404, body = ErrorBody, description = "`invite_invalid`")))]
#[get("/invites/{token}")]
pub async fn lookup(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> AppResult<web::Json<InvitePreview>> {
    let token = token.into_inner();
    let (invite, shop) = state
        .db
        .read(move |c| Ok((invites::invite_by_token(c, &token)?, settings::shop(c)?)))
        .await?;
    let i = invite.ok_or_else(|| AppError::not_found("invite_invalid"))?;
    Ok(web::Json(InvitePreview {
        email: i.email,
        name: i.name,
        role: i.role,
        shop_name: shop.shop_name,
        expires_at: i.expires_at,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct AcceptBody {
    token: String,
    name: String,
    password: String,
}

/// Accept an invitation: creates the account and logs it in.
#[utoipa::path(tag = "invites", request_body = AcceptBody,
    responses((status = 201, body = SessionResponse), (status = 400, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "`invite_invalid`")))]
#[post("/invites/accept")]
pub async fn accept(
    state: web::Data<AppState>,
    client: Client,
    body: web::Json<AcceptBody>,
) -> AppResult<HttpResponse> {
    let b = body.into_inner();
    let idle = state.config.session.idle_days;
    let session = invites::accept_invite(&state.db, b.token, &b.name, b.password, client.0, idle).await?;
    Ok(SessionResponse::respond(HttpResponse::Created(), session, &state))
}
