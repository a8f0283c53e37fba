//! The pages customers open outside the console: the widget's loader script
//! (stable URL, short cache, since shops cannot know our hashes), the chat frame,
//! which may only be embedded by the inbox's allowed origins, and the ticket
//! status page.

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use serde::Deserialize;

use super::AppState;
use crate::assets::Assets;
use crate::inboxes;

/// `<script src="…/widget.js" data-inbox="…">` on the shop's pages.
#[get("/widget.js")]
pub async fn loader() -> HttpResponse {
    match Assets::get("widget/loader.js") {
        Some(f) => HttpResponse::Ok()
            .content_type("text/javascript; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "public, max-age=300"))
            .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
            .body(f.data.into_owned()),
        None => HttpResponse::NotFound().finish(),
    }
}

#[derive(Deserialize)]
pub struct FrameQuery {
    inbox: Option<String>,
}

/// The chat panel, loaded by the loader in an iframe.
#[get("/widget/frame")]
pub async fn frame(state: web::Data<AppState>, q: web::Query<FrameQuery>) -> HttpResponse {
    let token = q.into_inner().inbox.unwrap_or_default();
    let inbox = state
        .db
        .read(move |c| Ok(inboxes::inbox_by_public_token(c, &token)?))
        .await
        .ok()
        .flatten();
    let ancestors = match inbox {
        Some(i) if !i.allowed_origins.is_empty() => i.allowed_origins.join(" "),
        _ => "*".to_string(),
    };
    let mut res = HttpResponse::Ok();
    res.content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((
            header::CONTENT_SECURITY_POLICY,
            format!("{}; frame-ancestors {ancestors}", state.assets.frame_csp),
        ));
    let mut response = res.body(state.assets.frame_html.clone());
    // The frame is meant to be embedded: drop the global DENY for this page.
    response.headers_mut().remove(header::X_FRAME_OPTIONS);
    response
}

/// The customer's ticket status page. The page itself is the same for every
/// ticket; it reads its token from the address and asks the API.
#[get("/s/{token}")]
pub async fn status_page(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::CONTENT_SECURITY_POLICY, state.assets.status_csp.clone()))
        .body(state.assets.status_html.clone())
}
