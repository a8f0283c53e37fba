use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{AppError, AppResult, ErrorKind};
use crate::http::AppState;
use crate::http::errors::{ErrorBody, no_content};
use crate::http::extract::{Body, CurrentAgent, RequireAdmin, request_lang};
use crate::i18n::Lang;
use crate::inboxes::InboxId;
use crate::kb::search::{Hit, Scope};
use crate::kb::transfer::{self, Format, ImportReport};
use crate::kb::vocabulary::{self, Vocabulary};
use crate::kb::{
    self, Article, ArticleFilter, ArticleId, ArticleInput, ArticleSummary, Category, CategoryId, Status,
};

#[derive(Serialize, ToSchema)]
pub struct CategoryList {
    categories: Vec<Category>,
}

/// Every category of the knowledge base, both languages.
#[utoipa::path(tag = "knowledge base", responses((status = 200, body = CategoryList)),
    security(("session" = []), ("token" = [])))]
#[get("/kb/categories")]
pub async fn list_categories(
    state: web::Data<AppState>,
    _me: CurrentAgent,
) -> AppResult<web::Json<CategoryList>> {
    let categories = state.db.read(|c| Ok(kb::categories(c)?)).await?;
    Ok(web::Json(CategoryList { categories }))
}

#[derive(Deserialize, ToSchema)]
pub struct CategoryBody {
    locale: Lang,
    name: String,
    #[serde(default)]
    position: i64,
}

/// Create a category (names are unique per language).
#[utoipa::path(tag = "knowledge base", request_body = CategoryBody,
    responses((status = 201, body = Category), (status = 400, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`kb_category_taken`")),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[post("/kb/categories")]
pub async fn create_category(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    body: Body<CategoryBody>,
) -> AppResult<HttpResponse> {
    let b = body.parse()?.into_inner();
    let created = kb::create_category(&state.db, admin.0, b.locale, &b.name, b.position).await?;
    Ok(HttpResponse::Created().json(created))
}

#[derive(Deserialize, ToSchema)]
pub struct CategoryUpdateBody {
    name: Option<String>,
    position: Option<i64>,
}

/// Rename or move a category.
#[utoipa::path(tag = "knowledge base", params(("id" = i64, Path)), request_body = CategoryUpdateBody,
    responses((status = 200, body = Category), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[patch("/kb/categories/{id}")]
pub async fn update_category(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    id: web::Path<i64>,
    body: Body<CategoryUpdateBody>,
) -> AppResult<web::Json<Category>> {
    let b = body.parse()?.into_inner();
    Ok(web::Json(
        kb::update_category(&state.db, admin.0, CategoryId(*id), b.name, b.position).await?,
    ))
}

/// Delete a category; its articles stay, without a category.
#[utoipa::path(tag = "knowledge base", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[delete("/kb/categories/{id}")]
pub async fn delete_category(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    kb::delete_category(&state.db, admin.0, CategoryId(*id)).await?;
    Ok(no_content())
}

#[derive(Deserialize, IntoParams)]
pub struct ArticleQuery {
    /// `en` or `zh-CN`.
    locale: Option<String>,
    /// `draft` or `published`.
    status: Option<String>,
    category_id: Option<i64>,
    /// Words in the title.
    q: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ArticleList {
    articles: Vec<ArticleSummary>,
}

fn parse_locale(raw: Option<&str>) -> AppResult<Option<Lang>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(l) => Lang::parse_exact(l)
            .map(Some)
            .ok_or_else(|| AppError::bad_request("kb_locale_invalid")),
    }
}

/// The articles, newest change first (drafts included).
#[utoipa::path(tag = "knowledge base", params(ArticleQuery), responses((status = 200, body = ArticleList),
    (status = 400, body = ErrorBody)), security(("session" = []), ("token" = [])))]
#[get("/kb/articles")]
pub async fn list_articles(
    state: web::Data<AppState>,
    _me: CurrentAgent,
    q: web::Query<ArticleQuery>,
) -> AppResult<web::Json<ArticleList>> {
    let q = q.into_inner();
    let filter = ArticleFilter {
        locale: parse_locale(q.locale.as_deref())?,
        status: match q.status.as_deref() {
            None | Some("") => None,
            Some(s) => Some(Status::parse(s).ok_or_else(|| AppError::bad_request("kb_status_invalid"))?),
        },
        category: q.category_id.map(CategoryId),
        title: q.q.map(|t| t.trim().to_string()).filter(|t| !t.is_empty()),
    };
    let articles = state.db.read(move |c| Ok(kb::list(c, &filter)?)).await?;
    Ok(web::Json(ArticleList { articles }))
}

/// One article, with its questions and the body rendered.
#[utoipa::path(tag = "knowledge base", params(("id" = i64, Path)),
    responses((status = 200, body = Article), (status = 404, body = ErrorBody)),
    security(("session" = []), ("token" = [])))]
#[get("/kb/articles/{id}")]
pub async fn get_article(
    state: web::Data<AppState>,
    _me: CurrentAgent,
    id: web::Path<i64>,
) -> AppResult<web::Json<Article>> {
    Ok(web::Json(kb::get(&state.db, ArticleId(*id)).await?))
}

/// Create an article (a draft unless `status` is `published`).
#[utoipa::path(tag = "knowledge base", request_body = ArticleInput,
    responses((status = 201, body = Article), (status = 400, body = ErrorBody),
        (status = 409, body = ErrorBody, description = "`kb_external_id_taken`")),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[post("/kb/articles")]
pub async fn create_article(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    body: Body<ArticleInput>,
) -> AppResult<HttpResponse> {
    let input = body.parse()?.into_inner();
    let created = kb::create(&state.db, &state.kb, admin.0, input).await?;
    Ok(HttpResponse::Created().json(created))
}

/// Replace an article (every field; the editor sends the whole article).
#[utoipa::path(tag = "knowledge base", params(("id" = i64, Path)), request_body = ArticleInput,
    responses((status = 200, body = Article), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[put("/kb/articles/{id}")]
pub async fn update_article(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    id: web::Path<i64>,
    body: Body<ArticleInput>,
) -> AppResult<web::Json<Article>> {
    let input = body.parse()?.into_inner();
    Ok(web::Json(
        kb::update(&state.db, &state.kb, admin.0, ArticleId(*id), input).await?,
    ))
}

/// Delete an article.
#[utoipa::path(tag = "knowledge base", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[delete("/kb/articles/{id}")]
pub async fn delete_article(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    id: web::Path<i64>,
) -> AppResult<HttpResponse> {
    kb::delete(&state.db, &state.kb, admin.0, ArticleId(*id)).await?;
    Ok(no_content())
}

#[derive(Deserialize, ToSchema)]
pub struct PreviewBody {
    body: String,
}

#[derive(Serialize, ToSchema)]
pub struct Preview {
    html: String,
}

/// Markdown rendered and sanitised exactly as the help center and the bot show it.
#[utoipa::path(tag = "knowledge base", request_body = PreviewBody,
    responses((status = 200, body = Preview), (status = 400, body = ErrorBody)),
    security(("session" = []), ("token" = [])))]
#[post("/kb/preview")]
pub async fn preview(_me: CurrentAgent, body: Body<PreviewBody>) -> AppResult<web::Json<Preview>> {
    let b = body.parse()?.into_inner();
    if b.body.chars().count() > kb::BODY_MAX {
        return Err(AppError::bad_request("field_too_long")
            .with("field", "body")
            .with("max", kb::BODY_MAX));
    }
    Ok(web::Json(Preview {
        html: kb::markdown::to_html(&b.body),
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct SearchQuery {
    /// The question, as a customer would type it.
    q: String,
    /// Show hits in this language where a translation exists.
    locale: Option<String>,
    /// Only articles this inbox's bot may use.
    inbox_id: Option<i64>,
    /// At most 10 (default 5).
    limit: Option<usize>,
}

#[derive(Serialize, ToSchema)]
pub struct SearchResult {
    hits: Vec<Hit>,
    /// Hits at or above this confidence are what the bot would answer with.
    answer_threshold: f64,
}

/// Search published articles (agent assist, the console's try box).
#[utoipa::path(tag = "knowledge base", params(SearchQuery),
    responses((status = 200, body = SearchResult), (status = 400, body = ErrorBody)),
    security(("session" = []), ("token" = [])))]
#[get("/kb/search")]
pub async fn search(
    state: web::Data<AppState>,
    _me: CurrentAgent,
    q: web::Query<SearchQuery>,
) -> AppResult<web::Json<SearchResult>> {
    let q = q.into_inner();
    let scope = Scope {
        locale: parse_locale(q.locale.as_deref())?,
        inbox: q.inbox_id.map(InboxId),
    };
    let limit = q.limit.unwrap_or(5).clamp(1, 10);
    let engine = state.kb.clone();
    let (hits, answer_threshold) = state
        .db
        .read(move |c| {
            let hits = kb::search::search(c, &engine, &q.q, scope, limit)?;
            Ok((hits, kb::search::answer_threshold(c)?))
        })
        .await?;
    Ok(web::Json(SearchResult {
        hits,
        answer_threshold,
    }))
}

/// The shop's search words and synonyms.
#[utoipa::path(tag = "knowledge base", responses((status = 200, body = Vocabulary)),
    security(("session" = []), ("token" = [])))]
#[get("/kb/vocabulary")]
pub async fn get_vocabulary(
    state: web::Data<AppState>,
    _me: CurrentAgent,
) -> AppResult<web::Json<Vocabulary>> {
    Ok(web::Json(state.db.read(|c| Ok(vocabulary::get_in(c)?)).await?))
}

/// Replace the shop's search words and synonyms; every article is re-indexed.
#[utoipa::path(tag = "knowledge base", request_body = Vocabulary,
    responses((status = 200, body = Vocabulary), (status = 400, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[put("/kb/vocabulary")]
pub async fn put_vocabulary(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    body: Body<Vocabulary>,
) -> AppResult<web::Json<Vocabulary>> {
    let v = body.parse()?.into_inner();
    Ok(web::Json(
        vocabulary::put(&state.db, &state.kb, admin.0.agent_id(), v).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
pub struct FormatQuery {
    /// `json` (default) or `csv`.
    format: Option<Format>,
    /// Export only: `en` or `zh-CN`.
    locale: Option<String>,
}

fn import_too_large() -> AppError {
    AppError::new(ErrorKind::PayloadTooLarge, "kb_import_too_large").with("max", "20 MB")
}

/// Import articles from the body (a JSON list or CSV). The whole file is checked
/// first; if any row is bad nothing is imported, and the error names the lines.
#[utoipa::path(tag = "knowledge base", params(FormatQuery), request_body(content = String, description = "The file"),
    responses((status = 200, body = ImportReport),
        (status = 400, body = ErrorBody, description = "`kb_import_refused`: `line`, `reason`, `count`, `lines`"),
        (status = 413, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[post("/kb/import")]
pub async fn import(
    state: web::Data<AppState>,
    admin: RequireAdmin,
    req: HttpRequest,
    q: web::Query<FormatQuery>,
    body: web::Payload,
) -> AppResult<web::Json<ImportReport>> {
    let bytes = super::attachments::read_capped(body, transfer::FILE_MAX_BYTES, import_too_large).await?;
    let format = q.format.unwrap_or(Format::Json);
    let lang = request_lang(&req);
    Ok(web::Json(
        transfer::import(&state.db, &state.kb, admin.0.agent_id(), bytes, format, lang).await?,
    ))
}

/// Export every article (or one language's) as a JSON or CSV file.
#[utoipa::path(tag = "knowledge base", params(FormatQuery),
    responses((status = 200, description = "The file"), (status = 400, body = ErrorBody)),
    security(("session" = ["admin"]), ("token" = ["admin"])))]
#[get("/kb/export")]
pub async fn export(
    state: web::Data<AppState>,
    _admin: RequireAdmin,
    q: web::Query<FormatQuery>,
) -> AppResult<HttpResponse> {
    let q = q.into_inner();
    let locale = parse_locale(q.locale.as_deref())?;
    let format = q.format.unwrap_or(Format::Json);
    let text = state
        .db
        .read(move |c| {
            let articles = transfer::export(c, locale)?;
            match format {
                Format::Json => Ok(transfer::to_json(&articles)),
                Format::Csv => transfer::to_csv(&articles),
            }
        })
        .await?;
    let (mime, ext) = match format {
        Format::Json => ("application/json; charset=utf-8", "json"),
        Format::Csv => ("text/csv; charset=utf-8", "csv"),
    };
    Ok(HttpResponse::Ok()
        .content_type(mime)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"kefu-knowledge-base.{ext}\""),
        ))
        .body(text))
}
