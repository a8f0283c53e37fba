//! The learning loop's review queue and the top unanswered questions.

use actix_web::{get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::bot::PeriodQuery;
use crate::error::{AppError, AppResult};
use crate::http::AppState;
use crate::http::errors::ErrorBody;
use crate::http::extract::{Body, CurrentAgent, RequireAdmin};
use crate::kb::suggestions::{self, Approval, Suggestion, SuggestionId, SuggestionStatus};
use crate::kb::{ArticleId, unanswered};

#[derive(Deserialize, utoipa::IntoParams)]
pub struct SuggestionQuery {
    /// pending (default), approved or rejected.
    status: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct SuggestionList {
    suggestions: Vec<Suggestion>,
}

/// Questions the bot could not answer with the agent's answer, newest first.
#[utoipa::path(tag = "knowledge base", params(SuggestionQuery),
    responses((status = 200, body = SuggestionList), (status = 400, body = ErrorBody)),
    security(("session" = []), ("token" = [])))]
#[get("/kb/suggestions")]
pub async fn list_suggestions(
    state: web::Data<AppState>,
    _me: CurrentAgent,
    q: web::Query<SuggestionQuery>,
) -> AppResult<web::Json<SuggestionList>> {
    let status = match q.status.as_deref() {
        None | Some("") => SuggestionStatus::Pending,
        Some(s) => SuggestionStatus::parse(s).ok_or_else(|| {
            AppError::bad_request("status_invalid").with("allowed", "pending, approved, rejected")
        })?,
    };
    let suggestions = state.db.read(move |c| Ok(suggestions::list(c, status)?)).await?;
    Ok(web::Json(SuggestionList { suggestions }))
}

#[derive(Serialize, ToSchema)]
pub struct Approved {
    suggestion: Suggestion,
    /// The new article, or the one that gained the question.
    article_id: ArticleId,
}

/// Approve as a new article (`{"as":"article", …article fields}`) or as another
/// way of asking an existing one (`{"as":"question","article_id":…,"question":…}`).
#[utoipa::path(tag = "knowledge base", params(("id" = i64, Path)), request_body = Approval,
    responses((status = 200, body = Approved), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`suggestion_decided`")),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[post("/kb/suggestions/{id}/approve")]
pub async fn approve_suggestion(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    id: web::Path<i64>,
    body: Body<Approval>,
) -> AppResult<web::Json<Approved>> {
    let approval = body.parse()?.into_inner();
    let (suggestion, article_id) =
        suggestions::approve(&state.db, &state.kb, admin.0, SuggestionId(*id), approval).await?;
    Ok(web::Json(Approved {
        suggestion,
        article_id,
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Rejected {
    suggestion: Suggestion,
}

#[utoipa::path(tag = "knowledge base", params(("id" = i64, Path)),
    responses((status = 200, body = Rejected), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`suggestion_decided`")),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[post("/kb/suggestions/{id}/reject")]
pub async fn reject_suggestion(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    id: web::Path<i64>,
) -> AppResult<web::Json<Rejected>> {
    let suggestion = suggestions::reject(&state.db, admin.0, SuggestionId(*id)).await?;
    Ok(web::Json(Rejected { suggestion }))
}

#[derive(Serialize, ToSchema)]
pub struct UnansweredList {
    days: i64,
    groups: Vec<unanswered::UnansweredGroup>,
}

/// The questions the bot could not answer, similar ones grouped, most asked first.
#[utoipa::path(tag = "knowledge base", params(PeriodQuery),
    responses((status = 200, body = UnansweredList), (status = 400, body = ErrorBody)),
    security(("session" = []), ("token" = [])))]
#[get("/kb/unanswered")]
pub async fn top_unanswered(
    state: web::Data<AppState>,
    _me: CurrentAgent,
    q: web::Query<PeriodQuery>,
) -> AppResult<web::Json<UnansweredList>> {
    let days = q.days()?;
    let groups = state.db.read(move |c| unanswered::top(c, days)).await?;
    Ok(web::Json(UnansweredList { days, groups }))
}
