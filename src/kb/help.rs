//! What the public help center shows: published articles only, by category.

use rusqlite::{Connection, OptionalExtension, params};
use serde::Serialize;
use utoipa::ToSchema;

use super::{ArticleId, CategoryId, markdown};
use crate::error::AppResult;
use crate::i18n::Lang;

/// Titles listed per category on the front page; the category page has the rest.
const FRONT_PAGE_TITLES: usize = 6;

#[derive(Clone, Debug, Serialize)]
pub struct Link {
    pub id: ArticleId,
    pub title: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Section {
    /// `None`: published articles without a category.
    pub id: Option<CategoryId>,
    pub name: Option<String>,
    pub articles: Vec<Link>,
    /// Published articles not listed here.
    pub more: usize,
}

fn links(c: &Connection, locale: Lang, category: Option<CategoryId>) -> rusqlite::Result<Vec<Link>> {
    c.prepare_cached(
        "SELECT id, title FROM kb_articles
         WHERE locale = ?1 AND status = 'published' AND category_id IS ?2
         ORDER BY title COLLATE NOCASE, id",
    )?
    .query_map(params![locale.tag(), category], |r| {
        Ok(Link {
            id: r.get(0)?,
            title: r.get(1)?,
        })
    })?
    .collect()
}

/// The front page: every category with published articles, in order, then the
/// articles without one.
pub fn front_page(c: &Connection, locale: Lang) -> AppResult<Vec<Section>> {
    let categories: Vec<(CategoryId, String)> = c
        .prepare_cached("SELECT id, name FROM kb_categories WHERE locale = ?1 ORDER BY position, name")?
        .query_map([locale.tag()], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut sections = Vec::new();
    for (id, name) in categories
        .into_iter()
        .map(|(id, n)| (Some(id), Some(n)))
        .chain([(None, None)])
    {
        let mut articles = links(c, locale, id)?;
        if articles.is_empty() {
            continue;
        }
        let more = articles.len().saturating_sub(FRONT_PAGE_TITLES);
        articles.truncate(FRONT_PAGE_TITLES);
        sections.push(Section {
            id,
            name,
            articles,
            more,
        });
    }
    Ok(sections)
}

/// One category with all its published articles; `None` if it is not this language's.
pub fn category_page(c: &Connection, locale: Lang, id: CategoryId) -> AppResult<Option<Section>> {
    let name: Option<String> = c
        .prepare_cached("SELECT name FROM kb_categories WHERE id = ?1 AND locale = ?2")?
        .query_row(params![id, locale.tag()], |r| r.get(0))
        .optional()?;
    let Some(name) = name else { return Ok(None) };
    Ok(Some(Section {
        id: Some(id),
        name: Some(name),
        articles: links(c, locale, Some(id))?,
        more: 0,
    }))
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PublicArticle {
    pub id: ArticleId,
    pub locale: Lang,
    pub title: String,
    /// Sanitised HTML.
    pub body_html: String,
    /// The start of the body as plain text (for a page's description).
    pub summary: String,
    pub category_id: Option<CategoryId>,
    pub category: Option<String>,
    pub updated_at: i64,
    /// The same article in the other language, when published.
    pub translation: Option<ArticleId>,
    /// Other published articles of the category.
    #[schema(value_type = Vec<Object>)]
    pub related: Vec<Link>,
}

/// A published article; `None` for drafts and unknown ids.
pub fn article(c: &Connection, id: ArticleId) -> AppResult<Option<PublicArticle>> {
    let found = c
        .prepare_cached(
            "SELECT a.locale, a.title, a.body, a.category_id, k.name, a.updated_at, a.external_id
             FROM kb_articles a LEFT JOIN kb_categories k ON k.id = a.category_id
             WHERE a.id = ?1 AND a.status = 'published'",
        )?
        .query_row([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<CategoryId>>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, Option<String>>(6)?,
            ))
        })
        .optional()?;
    let Some((locale, title, body, category_id, category, updated_at, external_id)) = found else {
        return Ok(None);
    };
    let locale = Lang::parse_exact(&locale).unwrap_or(Lang::En);
    let translation = match external_id {
        Some(e) => c
            .prepare_cached(
                "SELECT id FROM kb_articles WHERE external_id = ?1 AND locale <> ?2 AND status = 'published'",
            )?
            .query_row(params![e, locale.tag()], |r| r.get(0))
            .optional()?,
        None => None,
    };
    let related = match category_id {
        Some(_) => links(c, locale, category_id)?
            .into_iter()
            .filter(|l| l.id != id)
            .take(8)
            .collect(),
        None => Vec::new(),
    };
    Ok(Some(PublicArticle {
        id,
        locale,
        title,
        body_html: markdown::to_html(&body),
        summary: markdown::summary(&body, 160),
        category_id,
        category,
        updated_at,
        translation,
        related,
    }))
}
