use actix_web::{get, post, web};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::bot::{self, BotReply};
use crate::error::{AppError, AppResult};
use crate::http::AppState;
use crate::http::errors::ErrorBody;
use crate::http::extract::{Body, CurrentAgent};
use crate::i18n::Lang;
use crate::inboxes::{self, InboxId};

#[derive(Deserialize, ToSchema)]
pub struct BotAnswerBody {
    /// The inbox whose articles the bot may use; omit for all.
    inbox_id: Option<i64>,
    /// The customer's message.
    text: String,
    /// The customer's language: answers in it where a translation exists.
    locale: Option<Lang>,
}

/// What the bot would say to a customer's message: answer, suggest or hand over,
/// with the articles and the confidence. Changes nothing.
#[utoipa::path(tag = "bot", request_body = BotAnswerBody,
    responses((status = 200, body = BotReply), (status = 400, body = ErrorBody)),
    security(("session" = []), ("token" = [])))]
#[post("/bot/answer")]
pub async fn answer(
    state: web::Data<AppState>,
    _me: CurrentAgent,
    body: Body<BotAnswerBody>,
) -> AppResult<web::Json<BotReply>> {
    let b = body.parse()?.into_inner();
    let text = bot::check_question(&b.text)?.to_string();
    let engine = state.kb.clone();
    let base_url = state.config.public_url();
    let reply = state
        .db
        .read(move |c| {
            let inbox = match b.inbox_id.map(InboxId) {
                Some(id) => Some(
                    inboxes::inbox_by_id(c, id)?
                        .ok_or_else(|| AppError::bad_request("inbox_unknown"))?
                        .id,
                ),
                None => None,
            };
            bot::reply(c, &engine, &base_url, inbox, &text, b.locale, &[])
        })
        .await?;
    Ok(web::Json(reply))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct PeriodQuery {
    /// The last this many days (1–366; default 30).
    days: Option<i64>,
}

impl PeriodQuery {
    pub(crate) fn days(&self) -> AppResult<i64> {
        match self.days {
            None => Ok(30),
            Some(d) if (1..=366).contains(&d) => Ok(d),
            Some(_) => Err(AppError::bad_request("days_invalid")
                .with("min", 1)
                .with("max", 366)),
        }
    }
}

/// How the bot's conversations ended: resolved by the bot, handed off, or
/// abandoned (one outcome per conversation, so the rates add up to 100 %).
#[utoipa::path(tag = "bot", params(PeriodQuery),
    responses((status = 200, body = bot::outcomes::OutcomeReport), (status = 400, body = ErrorBody)),
    security(("session" = []), ("token" = [])))]
#[get("/bot/outcomes")]
pub async fn outcomes(
    state: web::Data<AppState>,
    _me: CurrentAgent,
    q: web::Query<PeriodQuery>,
) -> AppResult<web::Json<bot::outcomes::OutcomeReport>> {
    let days = q.days()?;
    Ok(web::Json(
        state.db.read(move |c| bot::outcomes::report(c, days)).await?,
    ))
}
