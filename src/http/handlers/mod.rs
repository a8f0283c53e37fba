//! One file per resource; functions named by verb. The `security` of each
//! `#[utoipa::path]` states who may call it (`admin` = owner or admin) and the
//! extractor in the signature enforces it.

pub mod agents;
pub mod attachments;
pub mod bot;
pub mod canned;
pub mod contacts;
pub mod conversations;
pub mod email_inbox;
pub mod fallback;
pub mod health;
pub mod help;
pub mod inboxes;
pub mod invites;
pub mod kb;
pub mod kb_learning;
pub mod labels;
pub mod mail;
pub mod me;
pub mod notifications;
pub mod openapi;
pub mod resets;
pub mod routing;
pub mod session;
pub mod settings;
pub mod setup;
pub mod sla;
pub mod status_page;
pub mod teams;
pub mod ticket_types;
pub mod tickets;
pub mod tokens;
pub mod widget;
pub mod widget_bot;

use utoipa_actix_web::service_config::ServiceConfig;

/// Every `/api` handler, listed once. The list is expanded twice: into the routes
/// the workers serve (plain actix, cheap to build per worker) and into the OpenAPI
/// document (built once at start), so the two can never disagree.
macro_rules! api_handlers {
    ($register:ident) => {
        $register!(
            openapi::document,
            // First run and login: public.
            setup::status,
            setup::create,
            session::create,
            session::delete,
            invites::lookup,
            invites::accept,
            resets::lookup,
            resets::complete,
            resets::request,
            // The widget: public, or the visitor token.
            widget::config,
            widget::session,
            widget::send,
            widget::poll,
            widget::set_typing,
            widget::mark_read,
            widget::handoff,
            widget::save_email,
            widget::upload,
            widget_bot::feedback,
            widget_bot::pick,
            // The customer's ticket status page: the link's token.
            status_page::view,
            status_page::reply,
            status_page::upload,
            attachments::serve,
            // The help center: public.
            help::search,
            help::article,
            crate::http::ws::visitor_socket,
            // Any logged-in agent.
            me::get,
            me::update,
            me::availability,
            me::password,
            agents::list,
            teams::list,
            teams::get,
            conversations::list,
            conversations::get,
            conversations::reply,
            conversations::set_status,
            conversations::assign,
            conversations::mark_read,
            conversations::set_typing,
            conversations::transcript,
            labels::set_on_conversation,
            attachments::upload,
            labels::list,
            canned::list,
            contacts::get,
            contacts::update,
            contacts::duplicates,
            contacts::merge,
            contacts::upsert_order,
            contacts::import_orders,
            crate::http::ws::agent_socket,
            mail::retry,
            tickets::list,
            tickets::create,
            tickets::bulk,
            tickets::get,
            tickets::update,
            tickets::reply,
            tickets::draft,
            ticket_types::list,
            notifications::list,
            notifications::mark_read,
            notifications::get_prefs,
            notifications::put_prefs,
            sla::list,
            sla::get_hours,
            kb::list_categories,
            kb::list_articles,
            kb::get_article,
            kb::preview,
            kb::search,
            kb::get_vocabulary,
            bot::answer,
            bot::outcomes,
            kb_learning::list_suggestions,
            kb_learning::top_unanswered,
            routing::list_intents,
            routing::list_rules,
            routing::try_message,
            routing::get_settings,
            routing::set_conversation_intent,
            // Admins.
            agents::update,
            agents::deactivate,
            agents::activate,
            agents::password_reset,
            invites::list,
            invites::create,
            invites::delete,
            teams::create,
            teams::update,
            teams::delete,
            teams::members,
            tokens::list,
            tokens::create,
            tokens::delete,
            inboxes::list,
            inboxes::create,
            inboxes::get,
            inboxes::update,
            inboxes::delete,
            labels::create,
            labels::remove,
            canned::create,
            canned::update,
            canned::remove,
            settings::get,
            settings::update,
            mail::get_smtp,
            mail::put_smtp,
            mail::delete_smtp,
            mail::test_smtp,
            mail::log,
            ticket_types::create,
            ticket_types::rename,
            ticket_types::remove,
            routing::create_intent,
            routing::update_intent,
            routing::delete_intent,
            routing::reorder_rules,
            routing::create_rule,
            routing::update_rule,
            routing::delete_rule,
            routing::put_settings,
            sla::reorder,
            sla::create,
            sla::update,
            sla::remove,
            sla::put_hours,
            email_inbox::get,
            email_inbox::put,
            email_inbox::delete,
            email_inbox::test,
            email_inbox::log,
            kb::create_category,
            kb::update_category,
            kb::delete_category,
            kb::create_article,
            kb::update_article,
            kb::delete_article,
            kb::put_vocabulary,
            kb::import,
            kb::export,
            kb_learning::approve_suggestion,
            kb_learning::reject_suggestion,
        )
    };
}

/// Registers everything under `/api` on a worker's app.
pub fn configure(cfg: &mut actix_web::web::ServiceConfig) {
    macro_rules! plain {
        ($($handler:path,)*) => { $(cfg.service($handler);)* };
    }
    api_handlers!(plain);
}

/// The same routes, collected for the OpenAPI document.
pub fn document(cfg: &mut ServiceConfig) {
    macro_rules! documented {
        ($($handler:path,)*) => { $(cfg.service($handler);)* };
    }
    api_handlers!(documented);
}
