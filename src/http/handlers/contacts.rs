use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::contacts::orders::{self, ImportReport, Order, OrderInput};
use crate::contacts::profile::{self, IdentityView, Profile, ProfileChanges};
use crate::contacts::{Contact, ContactId};
use crate::conversations::ConversationSummary;
use crate::error::AppResult;
use crate::http::AppState;
use crate::http::errors::ErrorBody;
use crate::http::extract::{Body, CurrentAgent, SessionAgent, request_lang};

#[derive(Serialize, ToSchema)]
pub struct ContactDetail {
    contact: Profile,
    identities: Vec<IdentityView>,
    /// Every conversation of this customer, on every channel, newest first.
    conversations: Vec<ConversationSummary>,
    /// The 10 most recently updated orders.
    orders: Vec<Order>,
}

/// A customer's profile, identities, conversations and latest orders.
#[utoipa::path(tag = "contacts", params(("id" = i64, Path)),
    responses((status = 200, body = ContactDetail), (status = 404, body = ErrorBody)),
    security(("session" = []), ("token" = [])))]
#[get("/contacts/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    _: CurrentAgent,
    id: web::Path<i64>,
) -> AppResult<web::Json<ContactDetail>> {
    let id = ContactId(*id);
    let detail = state
        .db
        .read(move |c| {
            Ok(ContactDetail {
                contact: profile::profile(c, id)?,
                identities: profile::identities(c, id)?,
                conversations: crate::conversations::views::for_contact(c, id)?,
                orders: orders::latest_orders(c, id, 10)?,
            })
        })
        .await?;
    Ok(web::Json(detail))
}

/// Edit a customer's name, email, phone, notes, VIP tier, tags or attributes.
#[utoipa::path(tag = "contacts", params(("id" = i64, Path)), request_body = ProfileChanges,
    responses((status = 200, body = Profile), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = [])))]
#[patch("/contacts/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    me: SessionAgent,
    id: web::Path<i64>,
    body: Body<ProfileChanges>,
) -> AppResult<web::Json<Profile>> {
    let body = body.parse()?;
    Ok(web::Json(
        profile::update_profile(&state.db, me.agent_id, ContactId(*id), body.into_inner()).await?,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct ContactList {
    contacts: Vec<Contact>,
}

/// Other customers with the same email or phone, offered for merging.
#[utoipa::path(tag = "contacts", params(("id" = i64, Path)),
    responses((status = 200, body = ContactList), (status = 404, body = ErrorBody)), security(("session" = [])))]
#[get("/contacts/{id}/duplicates")]
pub async fn duplicates(
    state: web::Data<AppState>,
    _: SessionAgent,
    id: web::Path<i64>,
) -> AppResult<web::Json<ContactList>> {
    let id = ContactId(*id);
    let contacts = state.db.read(move |c| profile::duplicates(c, id)).await?;
    Ok(web::Json(ContactList { contacts }))
}

#[derive(Deserialize, ToSchema)]
pub struct MergeBody {
    /// This contact is merged into the one in the path and disappears.
    other_id: i64,
}

/// Merge another contact into this one, keeping every conversation, identity and order.
#[utoipa::path(tag = "contacts", params(("id" = i64, Path)), request_body = MergeBody,
    responses((status = 200, body = Profile), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("session" = [])))]
#[post("/contacts/{id}/merge")]
pub async fn merge(
    state: web::Data<AppState>,
    me: SessionAgent,
    id: web::Path<i64>,
    body: Body<MergeBody>,
) -> AppResult<web::Json<Profile>> {
    let body = body.parse()?;
    Ok(web::Json(
        profile::merge(&state.db, me.agent_id, ContactId(*id), ContactId(body.other_id)).await?,
    ))
}

/// Create or update an order by its `external_id` (for the shop's systems).
#[utoipa::path(tag = "orders", request_body = OrderInput,
    responses((status = 200, body = Order), (status = 400, body = ErrorBody)),
    security(("session" = []), ("token" = [])))]
#[post("/orders")]
pub async fn upsert_order(
    state: web::Data<AppState>,
    _: CurrentAgent,
    body: Body<OrderInput>,
) -> AppResult<web::Json<Order>> {
    let body = body.parse()?;
    Ok(web::Json(orders::upsert(&state.db, body.into_inner()).await?))
}

/// Import orders from CSV (`Content-Type: text/csv`; columns in docs/orders.md).
#[utoipa::path(tag = "orders", request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportReport), (status = 400, body = ErrorBody)),
    security(("session" = []), ("token" = [])))]
#[post("/orders/import")]
pub async fn import_orders(
    req: HttpRequest,
    state: web::Data<AppState>,
    _: CurrentAgent,
    body: String,
) -> AppResult<HttpResponse> {
    let report = orders::import_csv(&state.db, body, request_lang(&req)).await?;
    Ok(HttpResponse::Ok().json(report))
}
