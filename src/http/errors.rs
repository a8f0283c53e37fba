//! The one place where `AppError` becomes an HTTP response:
//! `{"error": {"code": "...", "message": "..."}}`, the message in the caller's language.

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::{JsonPayloadError, PathError, PayloadError, QueryPayloadError};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError, web};
use serde::Serialize;
use utoipa::ToSchema;

use super::extract::request_lang;
use crate::error::{AppError, ErrorKind};
use crate::i18n::Lang;

/// Body of every error response.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable, for programs: e.g. `invalid_credentials`.
    pub code: String,
    /// For people, already translated.
    pub message: String,
    /// The message's parameters, for programs that point at the problem (e.g.
    /// `field`, `max`, `reason`).
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub params: std::collections::BTreeMap<&'static str, String>,
}

fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
        ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        ErrorKind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ErrorKind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
        ErrorKind::StorageFull => StatusCode::INSUFFICIENT_STORAGE,
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn render(err: &AppError, lang: Lang) -> HttpResponse {
    let mut res = HttpResponse::build(status_of(err.kind));
    if let Some(secs) = err.retry_after {
        res.insert_header((header::RETRY_AFTER, secs.to_string()));
    }
    if let Some((_, allow)) = err.params.iter().find(|(k, _)| *k == "allow") {
        res.insert_header((header::ALLOW, allow.clone()));
    }
    res.insert_header((header::CACHE_CONTROL, "no-store"));
    res.json(ErrorBody {
        error: ErrorDetail {
            code: err.code.to_string(),
            message: err.message(lang),
            params: err
                .params
                .iter()
                .filter(|(k, _)| !matches!(*k, "code" | "message"))
                .map(|(k, v)| (*k, v.clone()))
                .collect(),
        },
    })
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        status_of(self.kind)
    }

    /// Rendered in English here; `localize_errors` re-renders for other languages,
    /// because only the middleware can see the request.
    fn error_response(&self) -> HttpResponse {
        match self.kind {
            ErrorKind::Internal | ErrorKind::Unavailable | ErrorKind::StorageFull => {
                tracing::error!(code = self.code, cause = ?self.cause(), "request failed");
            }
            _ => tracing::debug!(code = self.code, "request refused"),
        }
        render(self, Lang::En)
    }
}

/// Re-renders `AppError` responses in the caller's language, and gives actix's own
/// body-limit refusals (raw bodies such as CSV imports) the same JSON shape.
pub async fn localize_errors(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody, BoxBody>>, actix_web::Error> {
    let res = next.call(req).await?;
    let lang = request_lang(res.request());
    let localized = res.response().error().and_then(|e| {
        if let Some(app) = e.as_error::<AppError>() {
            return (lang != Lang::En).then(|| render(app, lang));
        }
        match e.as_error::<PayloadError>() {
            Some(PayloadError::Overflow) => Some(render(
                &AppError::new(ErrorKind::PayloadTooLarge, "payload_too_large")
                    .with("limit_kib", RAW_BODY_LIMIT >> 10),
                lang,
            )),
            _ => None,
        }
    });
    Ok(match localized {
        Some(body) => res.into_response(body).map_into_right_body(),
        None => res.map_into_left_body(),
    })
}

/// Raw bodies (CSV imports) may be larger than JSON ones.
pub const RAW_BODY_LIMIT: usize = 16 * 1024 * 1024;

pub struct ExtractorConfigs {
    pub json: web::JsonConfig,
    pub path: web::PathConfig,
    pub query: web::QueryConfig,
}

/// Malformed JSON, wrong content type, oversized bodies and bad path/query values
/// become clear `AppError`s instead of actix's plain-text defaults.
pub fn extractor_configs(max_body_kib: usize) -> ExtractorConfigs {
    let json = web::JsonConfig::default()
        .limit(max_body_kib * 1024)
        .error_handler(move |err, _req| {
            let e = match &err {
                JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
                    AppError::new(ErrorKind::PayloadTooLarge, "payload_too_large")
                        .with("limit_kib", max_body_kib)
                }
                JsonPayloadError::ContentType => {
                    AppError::new(ErrorKind::UnsupportedMediaType, "unsupported_media_type")
                }
                JsonPayloadError::Deserialize(d) => AppError::bad_request("invalid_json").with("detail", d),
                other => AppError::bad_request("invalid_json").with("detail", other),
            };
            e.into()
        });
    let path = web::PathConfig::default().error_handler(|err: PathError, _req| {
        AppError::bad_request("invalid_path").with("detail", err).into()
    });
    let query = web::QueryConfig::default().error_handler(|err: QueryPayloadError, _req| {
        AppError::bad_request("invalid_query").with("detail", err).into()
    });
    ExtractorConfigs { json, path, query }
}

/// For handlers that answer "no content".
pub fn no_content() -> HttpResponse {
    HttpResponse::NoContent()
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .finish()
}
