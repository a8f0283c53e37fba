use actix_web::{delete, get, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::AppResult;
use crate::http::AppState;
use crate::http::errors::ErrorBody;
use crate::http::extract::{Body, CurrentAgent, RequireAdmin};
use crate::notify::admin;
use crate::notify::outbox::Delivery;
use crate::notify::smtp::{SmtpUpdate, SmtpView};

/// The SMTP server mail is sent through (the password is never shown).
#[utoipa::path(tag = "mail", responses((status = 200, body = SmtpView)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[get("/settings/smtp")]
pub async fn get_smtp(state: web::Data<AppState>, _: RequireAdmin) -> AppResult<web::Json<SmtpView>> {
    Ok(web::Json(admin::smtp_view(&state.db, &state.mailroom).await?))
}

/// Save the SMTP settings. Omit `password` to keep the stored one.
#[utoipa::path(tag = "mail", request_body = SmtpUpdate,
    responses((status = 200, body = SmtpView), (status = 400, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[put("/settings/smtp")]
pub async fn put_smtp(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    body: Body<SmtpUpdate>,
) -> AppResult<web::Json<SmtpView>> {
    let update = body.parse()?.into_inner();
    Ok(web::Json(
        admin::save_smtp(&state.db, &state.mailroom, admin.0, update).await?,
    ))
}

/// Forget the console's SMTP settings (kefu.toml's `[smtp]` applies again).
#[utoipa::path(tag = "mail", responses((status = 200, body = SmtpView)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[delete("/settings/smtp")]
pub async fn delete_smtp(state: web::Data<AppState>, admin: RequireAdmin) -> AppResult<web::Json<SmtpView>> {
    Ok(web::Json(
        admin::clear_smtp(&state.db, &state.mailroom, admin.0).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct TestMailBody {
    to: String,
}

#[derive(Serialize, ToSchema)]
pub struct TestMailSent {
    /// What the SMTP server answered.
    reply: String,
}

/// Send a test email now, through the settings in effect.
#[utoipa::path(tag = "mail", request_body = TestMailBody,
    responses((status = 200, body = TestMailSent), (status = 400, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[post("/settings/smtp/test")]
pub async fn test_smtp(
    state: web::Data<AppState>,
    _: RequireAdmin,
    body: Body<TestMailBody>,
) -> AppResult<web::Json<TestMailSent>> {
    let to = body.parse()?.into_inner().to;
    Ok(web::Json(TestMailSent {
        reply: admin::send_test(&state.db, &state.mailroom, to).await?,
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct MailLogQuery {
    /// queued, sent or failed
    status: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MailLog {
    mails: Vec<Delivery>,
}

/// The latest 200 emails and their delivery state.
#[utoipa::path(tag = "mail", params(MailLogQuery), responses((status = 200, body = MailLog)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[get("/mail")]
pub async fn log(
    state: web::Data<AppState>,
    _: RequireAdmin,
    query: web::Query<MailLogQuery>,
) -> AppResult<web::Json<MailLog>> {
    Ok(web::Json(MailLog {
        mails: admin::log(&state.db, query.into_inner().status).await?,
    }))
}

/// Send a failed email again.
#[utoipa::path(tag = "mail", responses((status = 200, body = Delivery), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("session" = []), ("token" = [])))]
#[post("/mail/{id}/retry")]
pub async fn retry(
    state: web::Data<AppState>,
    agent: CurrentAgent,
    id: web::Path<i64>,
) -> AppResult<web::Json<Delivery>> {
    Ok(web::Json(
        admin::retry(&state.db, &state.mailroom, agent.0, id.into_inner()).await?,
    ))
}
