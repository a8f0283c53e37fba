//! The HTTP edge: the route table (where every route's authorization is visible),
//! extractors, error rendering, static assets. Handlers are thin: parse, authorize,
//! call one feature function, render.

pub mod assets;
pub mod errors;
pub mod extract;
mod handlers;
mod help_pages;
mod middleware;
mod openapi;
mod widget_assets;
mod ws;

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, Error, web};

use crate::accounts::ratelimit::LoginLimiter;
use crate::config::Config;
use crate::db::Db;

/// Shared by every worker.
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub limiter: LoginLimiter,
    pub assets: assets::AssetIndex,
    pub api: openapi::ApiIndex,
    pub hub: crate::realtime::Hub,
    pub flood: crate::channels::web::FloodGate,
    pub upload_flood: crate::channels::web::FloodGate,
    pub mailroom: crate::notify::Mailroom,
    /// The knowledge base's analyser (built on first search).
    pub kb: crate::kb::Engine,
    /// The intent classifier and routing rules (shares the knowledge base's analyser).
    pub router: crate::routing::Router,
    pub help: help_pages::HelpPages,
    /// Rung when the email inbox's settings change: the reader reconnects.
    pub inbox_changed: tokio::sync::Notify,
    /// Set at shutdown: websocket loops close with "going away" so the graceful
    /// stop does not wait for long-lived connections to time out.
    pub closing: tokio::sync::watch::Sender<bool>,
}

impl AppState {
    /// What the bot works with.
    pub fn bot(&self) -> crate::bot::chat::BotDeps<'_> {
        crate::bot::chat::BotDeps {
            db: &self.db,
            hub: &self.hub,
            engine: &self.kb,
            base_url: self.config.public_url(),
        }
    }

    pub fn new(db: Db, config: Arc<Config>, limiter: LoginLimiter) -> AppState {
        let kb = crate::kb::Engine::new();
        AppState {
            router: crate::routing::Router::new(kb.clone()),
            db,
            config: config.clone(),
            limiter,
            assets: assets::AssetIndex::build(),
            api: openapi::ApiIndex::build(),
            hub: crate::realtime::Hub::new(),
            flood: crate::channels::web::FloodGate::messages(),
            upload_flood: crate::channels::web::FloodGate::uploads(),
            mailroom: crate::notify::Mailroom::new(config.clone()),
            kb,
            help: help_pages::HelpPages::new(),
            inbox_changed: tokio::sync::Notify::new(),
            closing: tokio::sync::watch::Sender::new(false),
        }
    }
}

/// The documented routes, for the OpenAPI document (the same list workers serve).
fn documented_routes<T>(app: utoipa_actix_web::UtoipaApp<T>) -> utoipa_actix_web::UtoipaApp<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = Error, InitError = ()>,
{
    app.service(handlers::health::healthz)
        .service(utoipa_actix_web::scope("/api").configure(handlers::document))
}

/// The complete application for one worker.
pub fn app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = Error,
        InitError = (),
    >,
> {
    let limits = errors::extractor_configs(state.config.http.max_body_kib);
    App::new()
        .app_data(state)
        .app_data(limits.json)
        .app_data(limits.path)
        .app_data(limits.query)
        .app_data(web::PayloadConfig::new(errors::RAW_BODY_LIMIT))
        .service(handlers::health::healthz)
        .service(
            web::scope("/api")
                .configure(handlers::configure)
                .default_service(web::to(handlers::fallback::api_fallback)),
        )
        .service(assets::index)
        .service(assets::asset)
        .service(widget_assets::loader)
        .service(widget_assets::frame)
        .service(widget_assets::status_page)
        .service(help_pages::root)
        .service(help_pages::front)
        .service(help_pages::category)
        .service(help_pages::article)
        .service(help_pages::search_page)
        .default_service(web::to(handlers::fallback::not_found))
        .wrap(from_fn(errors::localize_errors))
        .wrap(from_fn(middleware::security_headers))
        .wrap(Compress::default())
        .wrap(from_fn(middleware::log_requests))
}
