//! The customer's ticket status page API: public, the token in the link is the key.

use actix_web::{HttpResponse, get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::attachments::{AttachmentId, Uploader};
use crate::error::AppResult;
use crate::http::AppState;
use crate::http::errors::ErrorBody;
use crate::tickets::{self, PublicEvent, PublicView};

/// A ticket as its customer sees it: status and public timeline.
#[utoipa::path(tag = "status page", params(("token" = String, Path)),
    responses((status = 200, body = PublicView), (status = 404, body = ErrorBody)))]
#[get("/status/{token}")]
pub async fn view(state: web::Data<AppState>, token: web::Path<String>) -> AppResult<HttpResponse> {
    let view = tickets::public_view(&state.db, &state.mailroom, token.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("cache-control", "no-store"))
        .json(view))
}

#[derive(Deserialize, ToSchema)]
pub struct CustomerReplyBody {
    #[serde(default)]
    body: String,
    attachment_id: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct PublicEventResponse {
    event: PublicEvent,
}

/// The customer answers from the status page; a pending or solved ticket reopens.
#[utoipa::path(tag = "status page", params(("token" = String, Path)), request_body = CustomerReplyBody,
    responses((status = 201, body = PublicEventResponse), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`ticket_closed`"), (status = 429, body = ErrorBody)))]
#[post("/status/{token}/replies")]
pub async fn reply(
    state: web::Data<AppState>,
    token: web::Path<String>,
    body: web::Json<CustomerReplyBody>,
) -> AppResult<HttpResponse> {
    let token = token.into_inner();
    let (_, contact) = tickets::contact_for_token(&state.db, token.clone()).await?;
    state.flood.check(contact)?;
    let b = body.into_inner();
    let event = tickets::customer_reply(
        &state.db,
        &state.mailroom,
        token,
        b.body,
        b.attachment_id.map(AttachmentId),
    )
    .await?;
    Ok(HttpResponse::Created().json(PublicEventResponse { event }))
}

/// An image for a reply from the status page (send the bytes as the body).
#[utoipa::path(tag = "status page", params(("token" = String, Path)), request_body(content = Vec<u8>, content_type = "image/*"),
    responses((status = 201, body = crate::attachments::Attachment), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody, description = "`image_too_large`"), (status = 415, body = ErrorBody, description = "`not_an_image`"),
        (status = 429, body = ErrorBody, description = "`uploads_slow_down`")))]
#[post("/status/{token}/attachments")]
pub async fn upload(
    state: web::Data<AppState>,
    token: web::Path<String>,
    body: web::Payload,
) -> AppResult<HttpResponse> {
    let (_, contact) = tickets::contact_for_token(&state.db, token.into_inner()).await?;
    state.upload_flood.check(contact)?;
    let bytes = super::attachments::upload_body(body).await?;
    let stored = crate::attachments::store(
        &state.db,
        state.config.attachments_dir(),
        bytes,
        Uploader::Contact(contact),
    )
    .await?;
    Ok(HttpResponse::Created().json(stored))
}
