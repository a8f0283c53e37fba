use actix_web::{get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{AppError, AppResult};
use crate::http::AppState;
use crate::http::errors::ErrorBody;
use crate::i18n::Lang;
use crate::kb::ArticleId;
use crate::kb::help::{self, PublicArticle};
use crate::kb::search::{Hit, Scope};

#[derive(Deserialize, IntoParams)]
pub struct HelpSearchQuery {
    /// What the reader typed; longer than 500 characters is searched on its start.
    q: String,
    /// `en` or `zh-CN`: hits in this language where a translation exists.
    locale: Option<String>,
    /// A widget's inbox (its public token): only articles that inbox may use.
    inbox: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct HelpSearchResult {
    hits: Vec<Hit>,
}

/// Search the published help articles (the help center's instant search and the
/// widget's help view). Public.
#[utoipa::path(tag = "help center", params(HelpSearchQuery), responses((status = 200, body = HelpSearchResult)))]
#[get("/help/search")]
pub async fn search(
    state: web::Data<AppState>,
    q: web::Query<HelpSearchQuery>,
) -> AppResult<web::Json<HelpSearchResult>> {
    let q = q.into_inner();
    let locale = q.locale.as_deref().and_then(Lang::from_tag);
    let engine = state.kb.clone();
    let hits = state
        .db
        .read(move |c| {
            let inbox = match q.inbox.as_deref().filter(|t| !t.is_empty()) {
                Some(token) => Some(
                    crate::inboxes::inbox_by_public_token(c, token)?
                        .ok_or_else(|| AppError::not_found("inbox_unknown"))?
                        .id,
                ),
                None => None,
            };
            let scope = Scope { locale, inbox };
            crate::kb::search::search(c, &engine, &q.q, scope, 8)
        })
        .await?;
    Ok(web::Json(HelpSearchResult { hits }))
}

/// One published article (the widget shows it without leaving the chat). Public.
#[utoipa::path(tag = "help center", params(("id" = i64, Path)),
    responses((status = 200, body = PublicArticle), (status = 404, body = ErrorBody)))]
#[get("/help/articles/{id}")]
pub async fn article(state: web::Data<AppState>, id: web::Path<i64>) -> AppResult<web::Json<PublicArticle>> {
    let id = ArticleId(*id);
    let found = state.db.read(move |c| help::article(c, id)).await?;
    found
        .map(web::Json)
        .ok_or_else(|| AppError::not_found("not_found"))
}
