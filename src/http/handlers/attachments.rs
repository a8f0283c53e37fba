use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};

use crate::attachments::{self, Attachment, Uploader};
use crate::error::{AppError, AppResult};
use crate::http::AppState;
use crate::http::errors::ErrorBody;
use crate::http::extract::SessionAgent;

/// Upload an image (PNG, JPEG, GIF or WebP, at most 5 MiB) to send in a reply.
#[utoipa::path(tag = "conversations", request_body(content = Vec<u8>, content_type = "image/*"),
    responses((status = 201, body = Attachment), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)),
    security(("session" = [])))]
#[post("/attachments")]
pub async fn upload(
    state: web::Data<AppState>,
    me: SessionAgent,
    bytes: web::Bytes,
) -> AppResult<HttpResponse> {
    let stored = attachments::store(
        &state.db,
        state.config.attachments_dir(),
        bytes.to_vec(),
        Uploader::Agent(me.agent_id),
    )
    .await?;
    Ok(HttpResponse::Created().json(stored))
}

/// An image sent in chat. The address is unguessable and is the permission.
#[utoipa::path(tag = "conversations", params(("token" = String, Path)),
    responses((status = 200, description = "The image"), (status = 404, body = ErrorBody)))]
#[get("/attachments/{token}")]
pub async fn serve(state: web::Data<AppState>, token: web::Path<String>) -> AppResult<HttpResponse> {
    let (path, mime) =
        attachments::open(&state.db, state.config.attachments_dir(), token.into_inner()).await?;
    let bytes = tokio::task::spawn_blocking(move || std::fs::read(path))
        .await
        .map_err(|e| AppError::internal(anyhow::anyhow!("read task: {e}")))?
        .map_err(|e| AppError::internal(anyhow::anyhow!("attachment file missing: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type(mime)
        .insert_header((header::CACHE_CONTROL, "private, max-age=31536000, immutable"))
        .insert_header((header::CONTENT_DISPOSITION, "inline"))
        .insert_header((header::CONTENT_SECURITY_POLICY, "default-src 'none'; sandbox"))
        .body(bytes))
}
