//! The email inbox (Settings → Email): the mailbox kefu reads, a connection test,
//! and the log of what each fetched mail became.

use actix_web::{delete, get, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::accounts::audit;
use crate::channels::email::imap;
use crate::channels::email::inbox::{self, InboundMail, InboxUpdate, InboxView};
use crate::error::{AppError, AppResult};
use crate::http::AppState;
use crate::http::errors::ErrorBody;
use crate::http::extract::{Body, RequireAdmin};

/// The mailbox kefu reads and how reading goes (the password is never shown).
#[utoipa::path(tag = "mail", responses((status = 200, body = InboxView)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[get("/settings/imap")]
pub async fn get(state: web::Data<AppState>, _: RequireAdmin) -> AppResult<web::Json<InboxView>> {
    Ok(web::Json(state.db.read(|c| Ok(inbox::view(c)?)).await?))
}

/// Save the mailbox settings; the reader reconnects with them at once. Omit
/// `password` to keep the stored one.
#[utoipa::path(tag = "mail", request_body = InboxUpdate,
    responses((status = 200, body = InboxView), (status = 400, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[put("/settings/imap")]
pub async fn put(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    body: Body<InboxUpdate>,
) -> AppResult<web::Json<InboxView>> {
    let update = body.parse()?.into_inner();
    let view = state
        .db
        .write(move |c| {
            inbox::save(c, update)?;
            audit(c, admin.0.agent_id(), "settings.imap", "imap", "")?;
            Ok(inbox::view(c)?)
        })
        .await?;
    state.inbox_changed.notify_one();
    Ok(web::Json(view))
}

/// Stop reading mail (the mail already stored stays).
#[utoipa::path(tag = "mail", responses((status = 200, body = InboxView)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[delete("/settings/imap")]
pub async fn delete(state: web::Data<AppState>, admin: RequireAdmin) -> AppResult<web::Json<InboxView>> {
    let view = state
        .db
        .write(move |c| {
            inbox::clear(c)?;
            audit(c, admin.0.agent_id(), "settings.imap.clear", "imap", "")?;
            Ok(inbox::view(c)?)
        })
        .await?;
    state.inbox_changed.notify_one();
    Ok(web::Json(view))
}

#[derive(Serialize, ToSchema)]
pub struct TestResult {
    /// How many messages the folder holds now.
    messages_waiting: usize,
    idle: bool,
}

/// Connect, log in and open the folder with the saved settings, now. A failure is
/// a 400 whose code says what went wrong (`imap_auth_failed`, `imap_connect_failed`,
/// `imap_folder_missing`, `imap_tls_failed`, `imap_timeout`) with the server's words.
#[utoipa::path(tag = "mail", responses((status = 200, body = TestResult), (status = 400, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[post("/settings/imap/test")]
pub async fn test(state: web::Data<AppState>, _: RequireAdmin) -> AppResult<web::Json<TestResult>> {
    let settings = state
        .db
        .read(|c| Ok(inbox::load(c)?))
        .await?
        .ok_or_else(|| AppError::bad_request("imap_not_configured"))?;
    let refused = |e: imap::ImapError| AppError::bad_request(e.code()).with("detail", e);
    let mut mailbox = imap::connect(&settings.imap()).await.map_err(refused)?;
    let waiting = mailbox.list_after(0).await.map_err(refused)?.len();
    let idle = mailbox.supports_idle();
    mailbox.logout().await;
    Ok(web::Json(TestResult {
        messages_waiting: waiting,
        idle,
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct InboundQuery {
    /// The `id` of the last entry shown, for the next page.
    before: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct InboundList {
    mail: Vec<InboundMail>,
}

/// What became of each fetched mail, newest first (50 a page).
#[utoipa::path(tag = "mail", params(InboundQuery), responses((status = 200, body = InboundList)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[get("/mail/inbound")]
pub async fn log(
    state: web::Data<AppState>,
    _: RequireAdmin,
    q: web::Query<InboundQuery>,
) -> AppResult<web::Json<InboundList>> {
    let before = q.before.unwrap_or(i64::MAX);
    let mail = state.db.read(move |c| Ok(inbox::inbound(c, before)?)).await?;
    Ok(web::Json(InboundList { mail }))
}
