//! Answers for addresses no route serves: JSON under `/api` (404 or 405 with
//! `Allow`, decided from the OpenAPI route list), plain text elsewhere.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::{AppError, ErrorKind};
use crate::http::AppState;

pub async fn api_fallback(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    Err(match state.api.methods_for(req.path()) {
        Some(methods) => AppError::new(ErrorKind::MethodNotAllowed, "method_not_allowed")
            .with("method", req.method())
            .with("allow", methods.join(", ")),
        None => AppError::not_found("route_not_found"),
    })
}

pub async fn not_found() -> HttpResponse {
    HttpResponse::NotFound()
        .content_type("text/plain; charset=utf-8")
        .body("404 not found")
}
