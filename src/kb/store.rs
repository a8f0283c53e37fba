//! The knowledge base's SQL: categories, articles, their questions and inboxes.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{Article, ArticleId, ArticleSummary, Category, CategoryId, Checked, Status};
use crate::accounts::AgentId;
use crate::i18n::Lang;
use crate::inboxes::InboxId;
use crate::util::now_ms;

fn lang(r: &Row, i: usize) -> rusqlite::Result<Lang> {
    let tag: String = r.get(i)?;
    Lang::parse_exact(&tag).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            i,
            rusqlite::types::Type::Text,
            format!("locale {tag:?}").into(),
        )
    })
}

fn json_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

const CATEGORY_COLUMNS: &str = "k.id, k.locale, k.name, k.position,
    (SELECT count(*) FROM kb_articles a WHERE a.category_id = k.id),
    (SELECT count(*) FROM kb_articles a WHERE a.category_id = k.id AND a.status = 'published')";

fn category_row(r: &Row) -> rusqlite::Result<Category> {
    Ok(Category {
        id: r.get(0)?,
        locale: lang(r, 1)?,
        name: r.get(2)?,
        position: r.get(3)?,
        articles: r.get(4)?,
        published: r.get(5)?,
    })
}

/// Every category, in help-center order.
pub fn categories(c: &Connection) -> rusqlite::Result<Vec<Category>> {
    c.prepare_cached(&format!(
        "SELECT {CATEGORY_COLUMNS} FROM kb_categories k ORDER BY k.locale, k.position, k.name"
    ))?
    .query_map([], category_row)?
    .collect()
}

pub fn category(c: &Connection, id: CategoryId) -> rusqlite::Result<Option<Category>> {
    c.prepare_cached(&format!(
        "SELECT {CATEGORY_COLUMNS} FROM kb_categories k WHERE k.id = ?1"
    ))?
    .query_row([id], category_row)
    .optional()
}

pub fn category_by_name(c: &Connection, locale: Lang, name: &str) -> rusqlite::Result<Option<CategoryId>> {
    c.prepare_cached("SELECT id FROM kb_categories WHERE locale = ?1 AND name = ?2")?
        .query_row(params![locale.tag(), name], |r| r.get(0))
        .optional()
}

pub fn insert_category(
    c: &Connection,
    locale: Lang,
    name: &str,
    position: i64,
) -> rusqlite::Result<CategoryId> {
    c.prepare_cached(
        "INSERT INTO kb_categories (locale, name, position, created_at) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![locale.tag(), name, position, now_ms()])?;
    Ok(CategoryId(c.last_insert_rowid()))
}

pub fn update_category(
    c: &Connection,
    id: CategoryId,
    name: Option<&str>,
    position: Option<i64>,
) -> rusqlite::Result<()> {
    c.prepare_cached(
        "UPDATE kb_categories SET name = coalesce(?2, name), position = coalesce(?3, position) WHERE id = ?1",
    )?
    .execute(params![id, name, position])?;
    Ok(())
}

pub fn delete_category(c: &Connection, id: CategoryId) -> rusqlite::Result<()> {
    c.prepare_cached("DELETE FROM kb_categories WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

/// What the article list may be narrowed to.
#[derive(Clone, Debug, Default)]
pub struct ArticleFilter {
    pub locale: Option<Lang>,
    pub status: Option<Status>,
    pub category: Option<CategoryId>,
    /// Words in the title (a plain substring match: the editor's list, not search).
    pub title: Option<String>,
}

/// Articles for the editor's list, newest change first.
pub fn list(c: &Connection, f: &ArticleFilter) -> rusqlite::Result<Vec<ArticleSummary>> {
    let title = f
        .title
        .as_deref()
        .map(|t| format!("%{}%", t.replace(['%', '_'], "")));
    c.prepare_cached(
        "SELECT a.id, a.category_id, a.locale, a.external_id, a.title, a.status,
                (SELECT count(*) FROM kb_questions q WHERE q.article_id = a.id), a.updated_at
         FROM kb_articles a
         WHERE (?1 IS NULL OR a.locale = ?1) AND (?2 IS NULL OR a.status = ?2)
           AND (?3 IS NULL OR a.category_id = ?3) AND (?4 IS NULL OR a.title LIKE ?4)
         ORDER BY a.updated_at DESC, a.id DESC",
    )?
    .query_map(
        params![f.locale.map(Lang::tag), f.status, f.category, title],
        |r| {
            Ok(ArticleSummary {
                id: r.get(0)?,
                category_id: r.get(1)?,
                locale: lang(r, 2)?,
                external_id: r.get(3)?,
                title: r.get(4)?,
                status: r.get(5)?,
                questions: r.get(6)?,
                updated_at: r.get(7)?,
            })
        },
    )?
    .collect()
}

/// An article with its body rendered, as editors and the API show it.
pub fn article(c: &Connection, id: ArticleId) -> rusqlite::Result<Option<Article>> {
    Ok(as_written(c, id)?.map(|mut a| {
        a.body_html = super::markdown::to_html(&a.body);
        a.body_text = super::markdown::to_text(&a.body);
        a
    }))
}

/// An article as stored, `body_html` and `body_text` left empty: indexing,
/// imports and exports need only the Markdown, and rendering every article of a
/// rebuild or an export would be wasted.
pub fn as_written(c: &Connection, id: ArticleId) -> rusqlite::Result<Option<Article>> {
    let found = c
        .prepare_cached(
            "SELECT a.id, a.category_id, k.name, a.locale, a.external_id, a.title, a.body, a.keywords,
                    a.status, a.all_inboxes, a.created_at, a.updated_at
             FROM kb_articles a LEFT JOIN kb_categories k ON k.id = a.category_id WHERE a.id = ?1",
        )?
        .query_row([id], |r| {
            let keywords: String = r.get(7)?;
            let all_inboxes: bool = r.get(9)?;
            Ok((
                Article {
                    id: r.get(0)?,
                    category_id: r.get(1)?,
                    category: r.get(2)?,
                    locale: lang(r, 3)?,
                    external_id: r.get(4)?,
                    title: r.get(5)?,
                    body_html: String::new(),
                    body_text: String::new(),
                    body: r.get(6)?,
                    questions: Vec::new(),
                    keywords: json_list(&keywords),
                    status: r.get(8)?,
                    inbox_ids: None,
                    created_at: r.get(10)?,
                    updated_at: r.get(11)?,
                },
                all_inboxes,
            ))
        })
        .optional()?;
    let Some((mut article, all_inboxes)) = found else {
        return Ok(None);
    };
    article.questions = questions(c, id)?;
    if !all_inboxes {
        article.inbox_ids = Some(
            c.prepare_cached(
                "SELECT inbox_id FROM kb_article_inboxes WHERE article_id = ?1 ORDER BY inbox_id",
            )?
            .query_map([id], |r| r.get(0))?
            .collect::<rusqlite::Result<Vec<InboxId>>>()?,
        );
    }
    Ok(Some(article))
}

pub fn questions(c: &Connection, id: ArticleId) -> rusqlite::Result<Vec<String>> {
    c.prepare_cached("SELECT text FROM kb_questions WHERE article_id = ?1 ORDER BY position, id")?
        .query_map([id], |r| r.get(0))?
        .collect()
}

/// The article with this key in this language, for imports that update in place.
pub fn find(
    c: &Connection,
    locale: Lang,
    external_id: Option<&str>,
    title: &str,
) -> rusqlite::Result<Option<ArticleId>> {
    match external_id {
        Some(e) => c
            .prepare_cached("SELECT id FROM kb_articles WHERE external_id = ?1 AND locale = ?2")?
            .query_row(params![e, locale.tag()], |r| r.get(0))
            .optional(),
        // Without a key, the same question (title) in the same language is the same article.
        None => c
            .prepare_cached(
                "SELECT id FROM kb_articles WHERE external_id IS NULL AND locale = ?1 AND title = ?2
                 ORDER BY id LIMIT 1",
            )?
            .query_row(params![locale.tag(), title], |r| r.get(0))
            .optional(),
    }
}

pub fn insert(c: &Connection, a: &Checked, actor: Option<AgentId>) -> rusqlite::Result<ArticleId> {
    let now = now_ms();
    c.prepare_cached(
        "INSERT INTO kb_articles (category_id, locale, external_id, title, body, keywords, status, all_inboxes,
                                  created_at, updated_at, updated_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10)",
    )?
    .execute(params![
        a.category_id,
        a.locale.tag(),
        a.external_id,
        a.title,
        a.body,
        serde_json::to_string(&a.keywords).unwrap_or_default(),
        a.status,
        a.inbox_ids.is_none(),
        now,
        actor
    ])?;
    let id = ArticleId(c.last_insert_rowid());
    write_children(c, id, a)?;
    Ok(id)
}

pub fn update(c: &Connection, id: ArticleId, a: &Checked, actor: Option<AgentId>) -> rusqlite::Result<()> {
    c.prepare_cached(
        "UPDATE kb_articles SET category_id = ?2, locale = ?3, external_id = ?4, title = ?5, body = ?6,
             keywords = ?7, status = ?8, all_inboxes = ?9, updated_at = ?10, updated_by = ?11
         WHERE id = ?1",
    )?
    .execute(params![
        id,
        a.category_id,
        a.locale.tag(),
        a.external_id,
        a.title,
        a.body,
        serde_json::to_string(&a.keywords).unwrap_or_default(),
        a.status,
        a.inbox_ids.is_none(),
        now_ms(),
        actor
    ])?;
    write_children(c, id, a)
}

/// Replaces the article's questions and inbox list.
fn write_children(c: &Connection, id: ArticleId, a: &Checked) -> rusqlite::Result<()> {
    c.prepare_cached("DELETE FROM kb_questions WHERE article_id = ?1")?
        .execute([id])?;
    let mut add =
        c.prepare_cached("INSERT INTO kb_questions (article_id, text, position) VALUES (?1, ?2, ?3)")?;
    for (i, q) in a.questions.iter().enumerate() {
        add.execute(params![id, q, i as i64])?;
    }
    c.prepare_cached("DELETE FROM kb_article_inboxes WHERE article_id = ?1")?
        .execute([id])?;
    let mut add =
        c.prepare_cached("INSERT OR IGNORE INTO kb_article_inboxes (article_id, inbox_id) VALUES (?1, ?2)")?;
    for inbox in a.inbox_ids.iter().flatten() {
        add.execute(params![id, inbox])?;
    }
    Ok(())
}

pub fn delete(c: &Connection, id: ArticleId) -> rusqlite::Result<()> {
    c.prepare_cached("DELETE FROM kb_articles WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}
