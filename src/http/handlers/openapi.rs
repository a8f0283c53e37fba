use actix_web::{HttpResponse, get, web};

use crate::http::AppState;

/// This document.
#[utoipa::path(tag = "system", responses((status = 200, description = "OpenAPI 3.1 document")))]
#[get("/openapi.json")]
pub async fn document(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(state.api.json.clone())
}
