//! Import and export of articles, as JSON (a list of objects) or CSV
//! (`question,answer,category,alternates`, alternates separated by `|`). An import
//! is checked whole before anything is written, and written in one transaction:
//! a file with a bad row imports nothing and says which rows, by line.
//!
//! Rows update the article with the same `external_id` and language, or without
//! one, the same title (question) in the same language; otherwise they add one.

use std::collections::HashSet;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::ToSchema;

use super::{ArticleInput, Checked, Engine, Status, check, store};
use crate::accounts::AgentId;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;

/// Files larger than this are refused (the demo shop's 108 articles are 120 kB).
pub const FILE_MAX_BYTES: usize = 20 * 1024 * 1024;
/// Rows listed in an error; the count says how many more.
const PROBLEMS_SHOWN: usize = 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Json,
    Csv,
}

impl Format {
    /// From a file name's extension.
    pub fn from_path(path: &str) -> Option<Format> {
        let lower = path.to_ascii_lowercase();
        if lower.ends_with(".json") {
            Some(Format::Json)
        } else if lower.ends_with(".csv") {
            Some(Format::Csv)
        } else {
            None
        }
    }
}

/// One article as files carry it.
#[derive(Clone, Debug, Default, Serialize, Deserialize, ToSchema)]
pub struct FileArticle {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    pub locale: String,
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub questions: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// `published` (the default for imports) or `draft`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

/// A row that cannot be imported, and why, in the reader's language.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Problem {
    pub line: usize,
    pub message: String,
}

#[derive(Clone, Debug, Default, Serialize, ToSchema)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub categories_created: usize,
}

/// A parsed, checked row ready to write.
pub struct Row {
    line: usize,
    category: Option<String>,
    article: Checked,
}

/// Parses and checks a whole file. `Err` lists every bad row (nothing is written).
pub fn parse(bytes: &[u8], format: Format, lang: Lang) -> Result<Vec<Row>, Vec<Problem>> {
    if bytes.len() > FILE_MAX_BYTES {
        return Err(vec![problem(
            0,
            lang,
            "kb_import_too_large",
            &[("max", "20 MB".into())],
        )]);
    }
    let Ok(text) = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)) else {
        return Err(vec![problem(0, lang, "kb_import_not_utf8", &[])]);
    };
    let items = match format {
        Format::Json => read_json(text, lang)?,
        Format::Csv => read_csv(text, lang)?,
    };
    if items.is_empty() {
        return Err(vec![problem(0, lang, "kb_import_empty", &[])]);
    }
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    let mut keys = HashSet::new();
    for (line, item) in items {
        match to_row(line, item) {
            Ok(row) => {
                let key = (
                    row.article.locale.tag(),
                    row.article.external_id.clone(),
                    row.article
                        .external_id
                        .is_none()
                        .then(|| row.article.title.clone()),
                );
                if keys.insert(key) {
                    rows.push(row);
                } else {
                    problems.push(problem(line, lang, "kb_import_duplicate", &[]));
                }
            }
            Err(e) => problems.push(Problem {
                line,
                message: e.message(lang),
            }),
        }
    }
    if problems.is_empty() {
        Ok(rows)
    } else {
        Err(problems)
    }
}

fn problem(line: usize, lang: Lang, code: &str, params: &[(&str, String)]) -> Problem {
    Problem {
        line,
        message: crate::i18n::format(lang, &format!("error.{code}"), params),
    }
}

fn line_of(text: &str, part: &str) -> usize {
    let offset = (part.as_ptr() as usize)
        .saturating_sub(text.as_ptr() as usize)
        .min(text.len());
    text[..offset].matches('\n').count() + 1
}

fn read_json(text: &str, lang: Lang) -> Result<Vec<(usize, FileArticle)>, Vec<Problem>> {
    let raw: Vec<&RawValue> = serde_json::from_str(text).map_err(|e| {
        vec![problem(
            e.line(),
            lang,
            "kb_import_json",
            &[("reason", e.to_string())],
        )]
    })?;
    let mut items = Vec::new();
    let mut problems = Vec::new();
    for value in raw {
        let line = line_of(text, value.get());
        match serde_json::from_str::<FileArticle>(value.get()) {
            Ok(item) => items.push((line, item)),
            Err(e) => problems.push(problem(
                line,
                lang,
                "kb_import_json",
                &[("reason", e.to_string())],
            )),
        }
    }
    if problems.is_empty() {
        Ok(items)
    } else {
        Err(problems)
    }
}

/// Chinese text in the question means a zh-CN article, for CSV rows without `locale`.
fn guess_locale(text: &str) -> &'static str {
    if text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) {
        "zh-CN"
    } else {
        "en"
    }
}

fn read_csv(text: &str, lang: Lang) -> Result<Vec<(usize, FileArticle)>, Vec<Problem>> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|h| h.trim().to_ascii_lowercase()).collect(),
        Err(e) => {
            return Err(vec![problem(
                1,
                lang,
                "kb_import_csv",
                &[("reason", e.to_string())],
            )]);
        }
    };
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(question), Some(answer)) = (column("question"), column("answer")) else {
        return Err(vec![problem(1, lang, "kb_import_csv_header", &[])]);
    };
    let (category, alternates) = (column("category"), column("alternates"));
    let (locale, external_id, keywords, status) = (
        column("locale"),
        column("external_id"),
        column("keywords"),
        column("status"),
    );
    let mut items = Vec::new();
    let mut problems = Vec::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as usize);
                problems.push(problem(line, lang, "kb_import_csv", &[("reason", e.to_string())]));
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as usize);
        let get = |i: Option<usize>| i.and_then(|i| record.get(i)).unwrap_or("").trim().to_string();
        let split = |s: String, sep: char| -> Vec<String> {
            s.split(sep)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect()
        };
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let title = get(Some(question));
        let locale = Some(get(locale))
            .filter(|l| !l.is_empty())
            .unwrap_or_else(|| guess_locale(&title).into());
        items.push((
            line,
            FileArticle {
                external_id: Some(get(external_id)).filter(|s| !s.is_empty()),
                category: Some(get(category)).filter(|s| !s.is_empty()),
                locale,
                title,
                body: get(Some(answer)),
                questions: split(get(alternates), '|'),
                keywords: split(get(keywords), '|'),
                status: Some(get(status)).filter(|s| !s.is_empty()),
            },
        ));
    }
    if problems.is_empty() {
        Ok(items)
    } else {
        Err(problems)
    }
}

fn to_row(line: usize, item: FileArticle) -> AppResult<Row> {
    let locale =
        Lang::parse_exact(item.locale.trim()).ok_or_else(|| AppError::bad_request("kb_locale_invalid"))?;
    let status = match item.status.as_deref().map(str::trim) {
        None | Some("") => Status::Published,
        Some(s) => Status::parse(s).ok_or_else(|| AppError::bad_request("kb_status_invalid"))?,
    };
    if item.body.trim().is_empty() {
        return Err(AppError::bad_request("field_required").with("field", "body"));
    }
    let category = item
        .category
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty());
    if category.as_ref().is_some_and(|c| c.chars().count() > 80) {
        return Err(AppError::bad_request("field_too_long")
            .with("field", "category")
            .with("max", 80));
    }
    let article = check(ArticleInput {
        category_id: None,
        locale,
        external_id: item.external_id,
        title: item.title,
        body: item.body,
        questions: item.questions,
        keywords: item.keywords,
        status,
        inbox_ids: None,
    })?;
    Ok(Row {
        line,
        category,
        article,
    })
}

/// Writes checked rows inside the caller's transaction. An error names its line.
pub fn write_in(
    c: &Connection,
    engine: &Engine,
    actor: Option<AgentId>,
    rows: Vec<Row>,
    lang: Lang,
) -> Result<ImportReport, (AppError, Option<Problem>)> {
    let mut report = ImportReport::default();
    for mut row in rows {
        let at_line = |e: AppError| {
            let message = e.message(lang);
            let line = row.line;
            (e, Some(Problem { line, message }))
        };
        if let Some(name) = &row.category {
            let found = store::category_by_name(c, row.article.locale, name).map_err(|e| (e.into(), None))?;
            row.article.category_id = Some(match found {
                Some(id) => id,
                None => {
                    report.categories_created += 1;
                    store::insert_category(c, row.article.locale, name, 0).map_err(|e| (e.into(), None))?
                }
            });
        }
        let existing = store::find(
            c,
            row.article.locale,
            row.article.external_id.as_deref(),
            &row.article.title,
        )
        .map_err(|e| (e.into(), None))?;
        // Imports do not say which inboxes; an update keeps the article's list.
        if let Some(id) = existing {
            row.article.inbox_ids = store::as_written(c, id)
                .map_err(|e| (e.into(), None))?
                .and_then(|a| a.inbox_ids);
        }
        super::save_in(c, engine, actor, existing, &row.article).map_err(at_line)?;
        if existing.is_some() {
            report.updated += 1;
        } else {
            report.created += 1;
        }
    }
    Ok(report)
}

/// The error an API caller sees for a refused file: the first problem's line and
/// message, how many rows have problems and which (the first few).
pub fn refusal(problems: &[Problem]) -> AppError {
    let first = &problems[0];
    let lines: Vec<String> = problems
        .iter()
        .take(PROBLEMS_SHOWN)
        .map(|p| p.line.to_string())
        .collect();
    AppError::bad_request("kb_import_refused")
        .with("line", first.line)
        .with("reason", &first.message)
        .with("count", problems.len())
        .with("lines", lines.join(", "))
}

/// Every article (optionally one language) as files carry them.
pub fn export(c: &Connection, locale: Option<Lang>) -> AppResult<Vec<FileArticle>> {
    let ids = store::list(
        c,
        &store::ArticleFilter {
            locale,
            ..Default::default()
        },
    )?;
    let mut out = Vec::with_capacity(ids.len());
    // Oldest first, so an export re-imports in the order it was written.
    for summary in ids.into_iter().rev() {
        let Some(a) = store::as_written(c, summary.id)? else {
            continue;
        };
        out.push(FileArticle {
            external_id: a.external_id,
            category: a.category,
            locale: a.locale.tag().to_string(),
            title: a.title,
            body: a.body,
            questions: a.questions,
            keywords: a.keywords,
            status: Some(a.status.as_str().to_string()),
        });
    }
    Ok(out)
}

pub fn to_json(articles: &[FileArticle]) -> String {
    serde_json::to_string_pretty(articles).unwrap_or_else(|_| "[]".into()) + "\n"
}

/// CSV with the four columns every import reads, then the ones that make the
/// round trip exact. A `|` inside a question would split it, so it becomes `｜`.
pub fn to_csv(articles: &[FileArticle]) -> AppResult<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let joined = |list: &[String]| {
        list.iter()
            .map(|q| q.replace('|', "｜"))
            .collect::<Vec<_>>()
            .join("|")
    };
    let header = [
        "question",
        "answer",
        "category",
        "alternates",
        "locale",
        "external_id",
        "keywords",
        "status",
    ];
    w.write_record(header).map_err(AppError::internal)?;
    for a in articles {
        w.write_record([
            a.title.as_str(),
            a.body.as_str(),
            a.category.as_deref().unwrap_or(""),
            &joined(&a.questions),
            &a.locale,
            a.external_id.as_deref().unwrap_or(""),
            &joined(&a.keywords),
            a.status.as_deref().unwrap_or("published"),
        ])
        .map_err(AppError::internal)?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| AppError::internal(anyhow::anyhow!("{e}")))?;
    String::from_utf8(bytes).map_err(AppError::internal)
}

/// Checks and imports a whole file: every row or none.
pub async fn import(
    db: &crate::db::Db,
    engine: &Engine,
    actor: Option<AgentId>,
    bytes: Vec<u8>,
    format: Format,
    lang: Lang,
) -> AppResult<ImportReport> {
    let rows = tokio::task::spawn_blocking(move || parse(&bytes, format, lang))
        .await
        .map_err(AppError::internal)?
        .map_err(|problems| refusal(&problems))?;
    let writer = engine.clone();
    engine
        .write(db, move |c| {
            let report = write_in(c, &writer, actor, rows, lang).map_err(|(e, at)| match at {
                Some(p) if e.is_client_error() => refusal(&[p]),
                _ => e,
            })?;
            crate::accounts::audit(
                c,
                actor,
                "kb.import",
                "kb",
                &format!("{} created, {} updated", report.created, report.updated),
            )?;
            Ok(report)
        })
        .await
}
