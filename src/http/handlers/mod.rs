//! One file per resource; functions named by verb. The `security` of each
//! `#[utoipa::path]` states who may call it (`admin` = owner or admin) and the
//! extractor in the signature enforces it.

pub mod agents;
pub mod attachments;
pub mod canned;
pub mod contacts;
pub mod conversations;
pub mod fallback;
pub mod health;
pub mod inboxes;
pub mod invites;
pub mod labels;
pub mod me;
pub mod openapi;
pub mod resets;
pub mod session;
pub mod settings;
pub mod setup;
pub mod teams;
pub mod tokens;
pub mod widget;

use utoipa_actix_web::service_config::ServiceConfig;

/// Everything under `/api`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(openapi::document)
        // First run and login: public.
        .service(setup::status)
        .service(setup::create)
        .service(session::create)
        .service(session::delete)
        .service(invites::lookup)
        .service(invites::accept)
        .service(resets::lookup)
        .service(resets::complete)
        // The widget: public, or the visitor token.
        .service(widget::config)
        .service(widget::session)
        .service(widget::send)
        .service(widget::poll)
        .service(widget::set_typing)
        .service(widget::mark_read)
        .service(widget::handoff)
        .service(widget::save_email)
        .service(widget::upload)
        .service(attachments::serve)
        .service(crate::http::ws::visitor_socket)
        // Any logged-in agent.
        .service(me::get)
        .service(me::update)
        .service(me::availability)
        .service(me::password)
        .service(agents::list)
        .service(teams::list)
        .service(teams::get)
        .service(conversations::list)
        .service(conversations::get)
        .service(conversations::reply)
        .service(conversations::set_status)
        .service(conversations::assign)
        .service(conversations::mark_read)
        .service(conversations::set_typing)
        .service(labels::set_on_conversation)
        .service(attachments::upload)
        .service(labels::list)
        .service(canned::list)
        .service(contacts::get)
        .service(contacts::update)
        .service(contacts::duplicates)
        .service(contacts::merge)
        .service(contacts::upsert_order)
        .service(contacts::import_orders)
        .service(crate::http::ws::agent_socket)
        // Admins.
        .service(agents::update)
        .service(agents::deactivate)
        .service(agents::activate)
        .service(agents::password_reset)
        .service(invites::list)
        .service(invites::create)
        .service(invites::delete)
        .service(teams::create)
        .service(teams::update)
        .service(teams::delete)
        .service(teams::members)
        .service(tokens::list)
        .service(tokens::create)
        .service(tokens::delete)
        .service(inboxes::list)
        .service(inboxes::create)
        .service(inboxes::get)
        .service(inboxes::update)
        .service(inboxes::delete)
        .service(labels::create)
        .service(labels::remove)
        .service(canned::create)
        .service(canned::update)
        .service(canned::remove)
        .service(settings::get)
        .service(settings::update);
}
