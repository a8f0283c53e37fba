use actix_web::http::header;
use actix_web::{HttpResponse, get, post, web};
use futures_util::StreamExt;

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
    body: web::Payload,
) -> AppResult<HttpResponse> {
    let bytes = upload_body(body).await?;
    let stored = attachments::store(
        &state.db,
        state.config.attachments_dir(),
        bytes,
        Uploader::Agent(me.agent_id),
    )
    .await?;
    Ok(HttpResponse::Created().json(stored))
}

/// Reads an upload, refusing it as soon as it passes the image limit: a huge body
/// is neither buffered nor answered with a generic error.
pub async fn upload_body(body: web::Payload) -> AppResult<Vec<u8>> {
    read_capped(body, attachments::MAX_BYTES, attachments::too_large).await
}

/// Reads a request body of at most `max` bytes; `too_large` is the error past it.
pub async fn read_capped(
    mut body: web::Payload,
    max: usize,
    too_large: fn() -> AppError,
) -> AppResult<Vec<u8>> {
    let mut bytes = Vec::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(|e| AppError::bad_request("upload_incomplete").with("detail", e))?;
        if bytes.len() + chunk.len() > max {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// An image sent in chat. The address is unguessable and is the permission.
#[utoipa::path(tag = "conversations", params(("token" = String, Path)),
    responses((status = 200, description = "The image"), (status = 404, body = ErrorBody)))]
#[get("/attachments/{token}")]
pub async fn serve(state: web::Data<AppState>, token: web::Path<String>) -> AppResult<HttpResponse> {
    let (path, filename) =
        attachments::open(&state.db, state.config.attachments_dir(), token.into_inner()).await?;
    let bytes = tokio::task::spawn_blocking(move || std::fs::read(path))
        .await
        .map_err(|e| AppError::internal(anyhow::anyhow!("read task: {e}")))?
        .map_err(|e| AppError::internal(anyhow::anyhow!("attachment file missing: {e}")))?;
    // Only images we recognise by their bytes are shown in the page; anything else a
    // customer mailed (HTML, SVG, PDF…) is a download of opaque bytes.
    let image = attachments::sniff_image(&bytes);
    let (content_type, disposition) = match (image, filename) {
        (Some(kind), _) => (kind.to_string(), "inline".to_string()),
        (None, name) => (
            "application/octet-stream".to_string(),
            download_disposition(name.as_deref().unwrap_or("attachment")),
        ),
    };
    Ok(HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "private, max-age=31536000, immutable"))
        .insert_header((header::CONTENT_DISPOSITION, disposition))
        .insert_header((header::CONTENT_SECURITY_POLICY, "default-src 'none'; sandbox"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(bytes))
}

/// `attachment; filename*=UTF-8''…` with the name percent-encoded (RFC 6266), so
/// Chinese names survive and no quote or newline can break the header.
fn download_disposition(name: &str) -> String {
    let encoded: String = name
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("attachment; filename*=UTF-8''{encoded}")
}
