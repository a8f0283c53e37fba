//! The logged-in agent's notifications and which of them they also get by email.

use actix_web::{get, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{AppError, AppResult};
use crate::http::AppState;
use crate::http::errors::ErrorBody;
use crate::http::extract::{Body, SessionAgent};
use crate::notifications::{self, EmailPrefs, Notification};

#[derive(Deserialize, IntoParams)]
pub struct ListParams {
    /// `1` (or `true`): only unread ones.
    unread: Option<String>,
    /// The `id` of the last one already shown, for the next page.
    before: Option<i64>,
    /// 1–100, default 30.
    limit: Option<usize>,
}

#[derive(Serialize, ToSchema)]
pub struct NotificationList {
    notifications: Vec<Notification>,
    unread: i64,
}

/// Your notifications, newest first, and how many are unread.
#[utoipa::path(tag = "me", params(ListParams), responses((status = 200, body = NotificationList),
    (status = 400, body = ErrorBody)), security(("session" = [])))]
#[get("/notifications")]
pub async fn list(
    state: web::Data<AppState>,
    me: SessionAgent,
    q: web::Query<ListParams>,
) -> AppResult<web::Json<NotificationList>> {
    let q = q.into_inner();
    let unread = matches!(q.unread.as_deref(), Some("1" | "true"));
    let limit = q.limit.unwrap_or(30);
    if !(1..=100).contains(&limit) {
        return Err(AppError::bad_request("invalid_query").with("detail", "limit"));
    }
    let agent = me.agent_id;
    let (notifications, unread) = state
        .db
        .read(move |c| Ok(notifications::list(c, agent, unread, q.before, limit)?))
        .await?;
    Ok(web::Json(NotificationList {
        notifications,
        unread,
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ReadBody {
    /// These ids; omit to mark all read.
    ids: Option<Vec<i64>>,
}

#[derive(Serialize, ToSchema)]
pub struct ReadResponse {
    /// How many were unread and now are read.
    marked: usize,
}

/// Mark notifications read.
#[utoipa::path(tag = "me", request_body = ReadBody, responses((status = 200, body = ReadResponse),
    (status = 400, body = ErrorBody)), security(("session" = [])))]
#[post("/notifications/read")]
pub async fn mark_read(
    state: web::Data<AppState>,
    me: SessionAgent,
    body: Body<ReadBody>,
) -> AppResult<web::Json<ReadResponse>> {
    let ids = body.parse()?.into_inner().ids;
    if ids.as_ref().is_some_and(|i| i.len() > 500) {
        return Err(AppError::bad_request("invalid_selection").with("max", 500));
    }
    let agent = me.agent_id;
    let marked = state
        .db
        .write(move |c| Ok(notifications::mark_read(c, agent, ids.as_deref())?))
        .await?;
    Ok(web::Json(ReadResponse { marked }))
}

#[derive(Serialize, ToSchema)]
pub struct PrefsResponse {
    email: EmailPrefs,
}

/// Which notifications you also get by email.
#[utoipa::path(tag = "me", responses((status = 200, body = PrefsResponse)), security(("session" = [])))]
#[get("/me/notification-emails")]
pub async fn get_prefs(state: web::Data<AppState>, me: SessionAgent) -> AppResult<web::Json<PrefsResponse>> {
    let agent = me.agent_id;
    let email = state
        .db
        .read(move |c| notifications::email_prefs(c, agent))
        .await?;
    Ok(web::Json(PrefsResponse { email }))
}

/// Switch notification emails on or off, each kind on its own.
#[utoipa::path(tag = "me", request_body = EmailPrefs, responses((status = 200, body = PrefsResponse),
    (status = 400, body = ErrorBody)), security(("session" = [])))]
#[put("/me/notification-emails")]
pub async fn put_prefs(
    state: web::Data<AppState>,
    me: SessionAgent,
    body: Body<EmailPrefs>,
) -> AppResult<web::Json<PrefsResponse>> {
    let prefs = body.parse()?.into_inner();
    let agent = me.agent_id;
    let email = state
        .db
        .write(move |c| {
            notifications::set_email_prefs(c, agent, prefs)?;
            notifications::email_prefs(c, agent)
        })
        .await?;
    Ok(web::Json(PrefsResponse { email }))
}
