use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::AppState;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `ok` or `unavailable`.
    status: &'static str,
    schema_version: Option<u32>,
}

/// Liveness and database check, for monitors, containers and `kefu healthcheck`.
#[utoipa::path(tag = "system", responses(
    (status = 200, description = "Serving, database readable", body = Health),
    (status = 503, description = "Database not readable", body = Health)))]
#[get("/healthz")]
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let version = state.db.read(|c| Ok(crate::db::schema_version(c)?)).await;
    match version {
        Ok(v) => HttpResponse::Ok().json(Health {
            status: "ok",
            schema_version: Some(v),
        }),
        Err(e) => {
            tracing::warn!(error = ?e, "health check failed");
            HttpResponse::ServiceUnavailable().json(Health {
                status: "unavailable",
                schema_version: None,
            })
        }
    }
}
