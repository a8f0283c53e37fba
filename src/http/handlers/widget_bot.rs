//! The widget's buttons under the bot's messages: "solved / not solved" under an
//! answer, and the articles it offered. Visitors authenticate with `X-Kefu-Visitor`.

use actix_web::{post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::widget::{VisitorConversation, VisitorMessage};
use crate::conversations::MessageId;
use crate::error::AppResult;
use crate::http::AppState;
use crate::http::errors::ErrorBody;
use crate::http::extract::{Body, Visitor};
use crate::kb::ArticleId;

#[derive(Deserialize, ToSchema)]
pub struct FeedbackBody {
    /// The bot's answer.
    message_id: i64,
    /// `true`: solved (the bot closes the conversation); `false`: a person takes over.
    solved: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Tapped {
    /// The bot's message with what the customer chose.
    message: VisitorMessage,
    conversation: VisitorConversation,
}

fn tapped((message, conversation): crate::bot::chat::Tapped) -> web::Json<Tapped> {
    web::Json(Tapped {
        message: (&message).into(),
        conversation: (&conversation).into(),
    })
}

/// "Solved" or "not solved, talk to a person" under the bot's answer.
#[utoipa::path(tag = "widget", request_body = FeedbackBody,
    responses((status = 200, body = Tapped), (status = 401, body = ErrorBody),
        (status = 404, body = ErrorBody, description = "Not a bot answer of this visitor"),
        (status = 409, body = ErrorBody, description = "`bot_feedback_given`, `bot_not_in_charge`")),
    security(("visitor" = [])))]
#[post("/widget/bot/feedback")]
pub async fn feedback(
    state: web::Data<AppState>,
    visitor: Visitor,
    body: Body<FeedbackBody>,
) -> AppResult<web::Json<Tapped>> {
    let b = body.parse()?.into_inner();
    let deps = state.bot();
    let done = crate::bot::chat::feedback(&deps, &visitor.0, MessageId(b.message_id), b.solved).await?;
    Ok(tapped(done))
}

#[derive(Deserialize, ToSchema)]
pub struct PickBody {
    /// The bot's message that offered the articles.
    message_id: i64,
    article_id: i64,
}

/// The customer picks one of the offered articles; the bot's answer follows as a
/// new message.
#[utoipa::path(tag = "widget", request_body = PickBody,
    responses((status = 200, body = Tapped), (status = 400, body = ErrorBody, description = "`article_not_offered`"),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`bot_offer_taken`, `bot_not_in_charge`")),
    security(("visitor" = [])))]
#[post("/widget/bot/pick")]
pub async fn pick(
    state: web::Data<AppState>,
    visitor: Visitor,
    body: Body<PickBody>,
) -> AppResult<web::Json<Tapped>> {
    let b = body.parse()?.into_inner();
    let deps = state.bot();
    let done = crate::bot::chat::pick(
        &deps,
        &visitor.0,
        MessageId(b.message_id),
        ArticleId(b.article_id),
    )
    .await?;
    Ok(tapped(done))
}
