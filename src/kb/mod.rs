//! The knowledge base: categories and articles in zh-CN and en, the ways customers
//! ask for each article, and search over them that understands both languages.
//! The bot answers from it, the help center shows it, agents insert from it.
//!
//! Articles are stored as written (Markdown); the search index (`kb_index`) holds
//! published articles as analysed words and is written in the same transaction as
//! the article, so search never disagrees with what was saved.

pub mod demo;
pub mod eval;
pub mod help;
mod index;
pub mod markdown;
pub mod rank;
pub mod search;
mod store;
pub mod suggestions;
pub mod text;
pub mod transfer;
pub mod unanswered;
pub mod vocabulary;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::accounts::{AgentId, Principal, audit, validate_optional_text};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::inboxes::InboxId;

pub use index::Engine;
pub use store::{ArticleFilter, categories, category, list};

crate::accounts::id_type!(ArticleId);
crate::accounts::id_type!(CategoryId);

pub const TITLE_MAX: usize = 200;
pub const BODY_MAX: usize = 20_000;
pub const QUESTION_MAX: usize = 300;
pub const KEYWORD_MAX: usize = 40;
/// Per article; more alternates than this are better as a second article.
pub const QUESTIONS_MAX: usize = 100;
pub const KEYWORDS_MAX: usize = 50;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Draft,
    Published,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Published => "published",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "draft" => Some(Status::Draft),
            "published" => Some(Status::Published),
            _ => None,
        }
    }
}

crate::util::sql_text_enum!(Status);

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Category {
    pub id: CategoryId,
    pub locale: Lang,
    pub name: String,
    pub position: i64,
    /// Articles in it (drafts included).
    pub articles: i64,
    /// Published articles in it.
    pub published: i64,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Article {
    pub id: ArticleId,
    pub category_id: Option<CategoryId>,
    pub category: Option<String>,
    pub locale: Lang,
    pub external_id: Option<String>,
    pub title: String,
    /// Markdown, as written.
    pub body: String,
    /// The body rendered to sanitised HTML.
    pub body_html: String,
    /// The body as plain text, as the bot writes it in chat (and an agent inserts it).
    pub body_text: String,
    pub questions: Vec<String>,
    pub keywords: Vec<String>,
    pub status: Status,
    /// The inboxes whose bot may use it; `null`: every inbox.
    pub inbox_ids: Option<Vec<InboxId>>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ArticleSummary {
    pub id: ArticleId,
    pub category_id: Option<CategoryId>,
    pub locale: Lang,
    pub external_id: Option<String>,
    pub title: String,
    pub status: Status,
    pub questions: i64,
    pub updated_at: i64,
}

/// What an editor or an import sends for one article.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct ArticleInput {
    pub category_id: Option<CategoryId>,
    pub locale: Lang,
    #[serde(default)]
    pub external_id: Option<String>,
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub questions: Vec<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default = "draft")]
    pub status: Status,
    /// Omit or `null` for every inbox.
    #[serde(default)]
    pub inbox_ids: Option<Vec<InboxId>>,
}

fn draft() -> Status {
    Status::Draft
}

/// An article's text, checked and trimmed; what the store writes.
#[derive(Clone, Debug)]
pub(crate) struct Checked {
    pub category_id: Option<CategoryId>,
    pub locale: Lang,
    pub external_id: Option<String>,
    pub title: String,
    pub body: String,
    pub questions: Vec<String>,
    pub keywords: Vec<String>,
    pub status: Status,
    pub inbox_ids: Option<Vec<InboxId>>,
}

/// Checks one article: a reason for the first problem, never a partial fix.
pub(crate) fn check(input: ArticleInput) -> AppResult<Checked> {
    let title = validate_optional_text("title", &input.title, TITLE_MAX)?;
    if title.is_empty() {
        return Err(AppError::bad_request("field_required").with("field", "title"));
    }
    let body = input.body.trim().to_string();
    if body.chars().count() > BODY_MAX {
        return Err(AppError::bad_request("field_too_long")
            .with("field", "body")
            .with("max", BODY_MAX));
    }
    let external_id = match input.external_id.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(e) if e.chars().count() > 100 || e.chars().any(char::is_control) => {
            return Err(AppError::bad_request("kb_external_id_invalid"));
        }
        Some(e) => Some(e.to_string()),
    };
    Ok(Checked {
        category_id: input.category_id,
        locale: input.locale,
        external_id,
        title,
        body,
        questions: clean_list("questions", input.questions, QUESTIONS_MAX, QUESTION_MAX)?,
        keywords: clean_list("keywords", input.keywords, KEYWORDS_MAX, KEYWORD_MAX)?,
        status: input.status,
        inbox_ids: input.inbox_ids,
    })
}

/// Trims each entry, drops empty ones and repeats, and enforces the limits.
fn clean_list(
    field: &'static str,
    raw: Vec<String>,
    max_items: usize,
    max_len: usize,
) -> AppResult<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for item in raw {
        let item = validate_optional_text(field, &item.replace(['\r', '\n'], " "), max_len)?;
        if !item.is_empty() && !out.iter().any(|o| o.eq_ignore_ascii_case(&item)) {
            out.push(item);
        }
    }
    if out.len() > max_items {
        return Err(AppError::bad_request("too_many_items")
            .with("field", field)
            .with("max", max_items));
    }
    Ok(out)
}

fn article_taken(e: rusqlite::Error) -> AppError {
    if AppError::is_unique_violation(&e) {
        AppError::conflict("kb_external_id_taken")
    } else {
        e.into()
    }
}

/// Writes a checked article (new when `id` is `None`) and its index entry, inside
/// the caller's transaction.
pub(crate) fn save_in(
    c: &Connection,
    engine: &Engine,
    actor: Option<AgentId>,
    id: Option<ArticleId>,
    article: &Checked,
) -> AppResult<ArticleId> {
    if let Some(cat) = article.category_id {
        let found = store::category(c, cat)?.ok_or_else(|| AppError::bad_request("kb_category_unknown"))?;
        if found.locale != article.locale {
            return Err(AppError::bad_request("kb_category_other_language"));
        }
    }
    if let Some(inboxes) = &article.inbox_ids {
        for inbox in inboxes {
            if crate::inboxes::inbox_by_id(c, *inbox)?.is_none() {
                return Err(AppError::bad_request("inbox_unknown"));
            }
        }
    }
    let id = match id {
        Some(id) => {
            store::update(c, id, article, actor).map_err(article_taken)?;
            id
        }
        None => store::insert(c, article, actor).map_err(article_taken)?,
    };
    index::reindex_article(c, &*engine.analyzer(c)?, id)?;
    Ok(id)
}

pub async fn create(db: &Db, engine: &Engine, actor: Principal, input: ArticleInput) -> AppResult<Article> {
    let article = check(input)?;
    let writer = engine.clone();
    engine
        .write(db, move |c| {
            let id = save_in(c, &writer, actor.agent_id(), None, &article)?;
            audit(
                c,
                actor.agent_id(),
                "kb.article.create",
                &format!("kb_article:{id}"),
                &article.title,
            )?;
            get_in(c, id)
        })
        .await
}

pub async fn update(
    db: &Db,
    engine: &Engine,
    actor: Principal,
    id: ArticleId,
    input: ArticleInput,
) -> AppResult<Article> {
    let article = check(input)?;
    let writer = engine.clone();
    engine
        .write(db, move |c| {
            get_in(c, id)?;
            save_in(c, &writer, actor.agent_id(), Some(id), &article)?;
            audit(
                c,
                actor.agent_id(),
                "kb.article.update",
                &format!("kb_article:{id}"),
                &article.title,
            )?;
            get_in(c, id)
        })
        .await
}

pub async fn delete(db: &Db, engine: &Engine, actor: Principal, id: ArticleId) -> AppResult<()> {
    engine
        .write(db, move |c| {
            let article = get_in(c, id)?;
            index::remove_article(c, id)?;
            store::delete(c, id)?;
            audit(
                c,
                actor.agent_id(),
                "kb.article.delete",
                &format!("kb_article:{id}"),
                &article.title,
            )?;
            Ok(())
        })
        .await
}

/// One article with everything an editor shows.
pub fn get_in(c: &Connection, id: ArticleId) -> AppResult<Article> {
    store::article(c, id)?.ok_or_else(|| AppError::not_found("not_found"))
}

pub async fn get(db: &Db, id: ArticleId) -> AppResult<Article> {
    db.read(move |c| get_in(c, id)).await
}

/// A category name, checked.
fn check_category_name(raw: &str) -> AppResult<String> {
    let name = validate_optional_text("name", raw, 80)?;
    if name.is_empty() {
        return Err(AppError::bad_request("field_required").with("field", "name"));
    }
    Ok(name)
}

fn category_taken(e: rusqlite::Error) -> AppError {
    if AppError::is_unique_violation(&e) {
        AppError::conflict("kb_category_taken")
    } else {
        e.into()
    }
}

pub async fn create_category(
    db: &Db,
    actor: Principal,
    locale: Lang,
    name: &str,
    position: i64,
) -> AppResult<Category> {
    let name = check_category_name(name)?;
    db.write(move |c| {
        let id = store::insert_category(c, locale, &name, position).map_err(category_taken)?;
        audit(
            c,
            actor.agent_id(),
            "kb.category.create",
            &format!("kb_category:{id}"),
            &name,
        )?;
        category_in(c, id)
    })
    .await
}

pub async fn update_category(
    db: &Db,
    actor: Principal,
    id: CategoryId,
    name: Option<String>,
    position: Option<i64>,
) -> AppResult<Category> {
    let name = name.as_deref().map(check_category_name).transpose()?;
    db.write(move |c| {
        category_in(c, id)?;
        store::update_category(c, id, name.as_deref(), position).map_err(category_taken)?;
        audit(
            c,
            actor.agent_id(),
            "kb.category.update",
            &format!("kb_category:{id}"),
            "",
        )?;
        category_in(c, id)
    })
    .await
}

/// Deletes a category; its articles stay, without a category.
pub async fn delete_category(db: &Db, actor: Principal, id: CategoryId) -> AppResult<()> {
    db.write(move |c| {
        let cat = category_in(c, id)?;
        store::delete_category(c, id)?;
        audit(
            c,
            actor.agent_id(),
            "kb.category.delete",
            &format!("kb_category:{id}"),
            &cat.name,
        )?;
        Ok(())
    })
    .await
}

fn category_in(c: &Connection, id: CategoryId) -> AppResult<Category> {
    store::category(c, id)?.ok_or_else(|| AppError::not_found("not_found"))
}

/// Re-indexes every article with the current analyser (the benchmark times it;
/// kefu itself does it when the shop's words change or the analyser is upgraded).
pub async fn rebuild_index(db: &Db, engine: &Engine) -> AppResult<usize> {
    let writer = engine.clone();
    engine
        .write(db, move |c| index::rebuild(c, &*writer.analyzer(c)?))
        .await
}
