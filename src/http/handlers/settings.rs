use actix_web::{get, patch, web};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::{AppError, AppResult};
use crate::http::AppState;
use crate::http::errors::ErrorBody;
use crate::http::extract::{Body, RequireAdmin};
use crate::i18n::Lang;
use crate::settings::{self, ShopSettings};

/// The shop's settings.
#[utoipa::path(tag = "settings", responses((status = 200, body = ShopSettings)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[get("/settings")]
pub async fn get(state: web::Data<AppState>, _: RequireAdmin) -> AppResult<web::Json<ShopSettings>> {
    Ok(web::Json(state.db.read(|c| Ok(settings::shop(c)?)).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct SettingsBody {
    shop_name: Option<String>,
    /// `en` or `zh-CN`.
    default_locale: Option<String>,
    /// IANA time zone, e.g. `Asia/Shanghai`.
    timezone: Option<String>,
    /// Days after which solved tickets close (1–365).
    ticket_close_days: Option<i64>,
}

/// Change the shop's name, default language or time zone.
#[utoipa::path(tag = "settings", request_body = SettingsBody,
    responses((status = 200, body = ShopSettings), (status = 400, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[patch("/settings")]
pub async fn update(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    body: Body<SettingsBody>,
) -> AppResult<web::Json<ShopSettings>> {
    let body = body.parse()?;
    let b = body.into_inner();
    let locale = b
        .default_locale
        .as_deref()
        .map(|t| {
            Lang::parse_exact(t)
                .ok_or_else(|| AppError::bad_request("invalid_locale").with("allowed", "en, zh-CN"))
        })
        .transpose()?;
    Ok(web::Json(
        settings::update_shop(
            &state.db,
            admin.0,
            b.shop_name,
            locale,
            b.timezone,
            b.ticket_close_days,
        )
        .await?,
    ))
}
