//! The public help center at `/help/<language>/…`: pages rendered on the server
//! (fast on a phone, readable without JavaScript, linkable), with a small script
//! for instant search. Templates are `assets/help/center/*.html` (minijinja,
//! HTML-escaped; article bodies are sanitised HTML).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use minijinja::value::Value;
use minijinja::{AutoEscape, Environment};
use rusqlite::Connection;
use serde::Deserialize;

use super::AppState;
use super::extract::request_lang;
use crate::assets::Assets;
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::kb::search::{self, Scope};
use crate::kb::{ArticleId, CategoryId, help};

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; \
     connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
/// Results on the search page.
const SEARCH_RESULTS: usize = 10;

pub struct HelpPages {
    env: Environment<'static>,
}

impl HelpPages {
    pub fn new() -> HelpPages {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| AutoEscape::Html);
        env.set_loader(|name| {
            if name.contains("..") {
                return Ok(None);
            }
            Ok(Assets::get(&format!("help/center/{name}"))
                .map(|f| String::from_utf8_lossy(&f.data).into_owned()))
        });
        HelpPages { env }
    }
}

impl Default for HelpPages {
    fn default() -> Self {
        Self::new()
    }
}

fn other(lang: Lang) -> Lang {
    match lang {
        Lang::En => Lang::ZhCn,
        Lang::ZhCn => Lang::En,
    }
}

/// Renders `template` with what every page has (language, shop, asset URLs, `t()`).
fn render(
    state: &AppState,
    lang: Lang,
    shop: &str,
    template: &str,
    page: Value,
    status: u16,
) -> HttpResponse {
    let t = Value::from_function(move |key: String| crate::i18n::text(lang, &key));
    let ctx = minijinja::context! {
        lang => lang.tag(),
        other_lang => other(lang).tag(),
        shop_name => shop,
        css_url => state.assets.url("help/center.css").unwrap_or("/assets/help/center.css"),
        js_url => state.assets.url("help/center.js").unwrap_or("/assets/help/center.js"),
        t => t,
        ..page
    };
    let rendered = state
        .help
        .env
        .get_template(template)
        .and_then(|tpl| tpl.render(ctx));
    match rendered {
        Ok(html) => HttpResponse::build(actix_web::http::StatusCode::from_u16(status).unwrap_or_default())
            .content_type("text/html; charset=utf-8")
            .insert_header((header::CACHE_CONTROL, "no-cache"))
            .insert_header((header::CONTENT_SECURITY_POLICY, CSP))
            .body(html),
        Err(e) => {
            tracing::error!(error = %e, template, "cannot render a help page");
            HttpResponse::InternalServerError().finish()
        }
    }
}

fn missing(state: &AppState, lang: Lang, shop: &str) -> HttpResponse {
    render(
        state,
        lang,
        shop,
        "missing.html",
        minijinja::context! { page => "missing" },
        404,
    )
}

/// The shop's name and a page's data, in one read.
async fn read_page<T, F>(state: &AppState, f: F) -> AppResult<(String, T)>
where
    F: FnOnce(&Connection) -> AppResult<T> + Send + 'static,
    T: Send + 'static,
{
    state
        .db
        .read(move |c| {
            let shop = crate::settings::get(c, crate::settings::SHOP_NAME)?.unwrap_or_default();
            Ok((shop, f(c)?))
        })
        .await
}

/// The page's language from its address; otherwise the not-found page, in the
/// reader's language.
async fn page_lang(state: &AppState, req: &HttpRequest, tag: &str) -> Result<Lang, HttpResponse> {
    match Lang::parse_exact(tag) {
        Some(lang) => Ok(lang),
        None => {
            let shop = read_page(state, |_| Ok(()))
                .await
                .map(|(s, ())| s)
                .unwrap_or_default();
            Err(missing(state, request_lang(req), &shop))
        }
    }
}

/// `/help` goes to the reader's language.
#[get("/help")]
pub async fn root(req: HttpRequest) -> HttpResponse {
    HttpResponse::Found()
        .insert_header((header::LOCATION, format!("/help/{}", request_lang(&req).tag())))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .finish()
}

#[get("/help/{lang}")]
pub async fn front(state: web::Data<AppState>, req: HttpRequest, path: web::Path<String>) -> HttpResponse {
    let lang = match page_lang(&state, &req, &path).await {
        Ok(lang) => lang,
        Err(page) => return page,
    };
    match read_page(&state, move |c| help::front_page(c, lang)).await {
        Ok((shop, sections)) => render(
            &state,
            lang,
            &shop,
            "home.html",
            minijinja::context! { page => "home", sections },
            200,
        ),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}

#[get("/help/{lang}/categories/{id}")]
pub async fn category(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, i64)>,
) -> HttpResponse {
    let (tag, id) = path.into_inner();
    let lang = match page_lang(&state, &req, &tag).await {
        Ok(lang) => lang,
        Err(page) => return page,
    };
    match read_page(&state, move |c| help::category_page(c, lang, CategoryId(id))).await {
        Ok((shop, Some(section))) => render(
            &state,
            lang,
            &shop,
            "category.html",
            minijinja::context! { page => "category", section },
            200,
        ),
        Ok((shop, None)) => missing(&state, lang, &shop),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}

#[get("/help/{lang}/articles/{id}")]
pub async fn article(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<(String, i64)>,
) -> HttpResponse {
    let (tag, id) = path.into_inner();
    let lang = match page_lang(&state, &req, &tag).await {
        Ok(lang) => lang,
        Err(page) => return page,
    };
    let found = read_page(&state, move |c| {
        let Some(a) = help::article(c, ArticleId(id))? else {
            return Ok(None);
        };
        let updated = crate::settings::format_time(c, a.updated_at)?;
        Ok(Some((a, updated)))
    })
    .await;
    match found {
        // An article is shown in its own language, whatever the address says.
        Ok((_, Some((a, _)))) if a.locale != lang => HttpResponse::MovedPermanently()
            .insert_header((
                header::LOCATION,
                format!("/help/{}/articles/{id}", a.locale.tag()),
            ))
            .finish(),
        Ok((shop, Some((article, updated)))) => render(
            &state,
            lang,
            &shop,
            "article.html",
            minijinja::context! {
                page => "article",
                body_html => Value::from_safe_string(article.body_html.clone()),
                description => article.summary.clone(),
                updated,
                article,
            },
            200,
        ),
        Ok((shop, None)) => missing(&state, lang, &shop),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

/// The search results page (what the search box submits to without JavaScript).
#[get("/help/{lang}/search")]
pub async fn search_page(
    state: web::Data<AppState>,
    req: HttpRequest,
    path: web::Path<String>,
    q: web::Query<SearchQuery>,
) -> HttpResponse {
    let lang = match page_lang(&state, &req, &path).await {
        Ok(lang) => lang,
        Err(page) => return page,
    };
    let q = q.into_inner().q.unwrap_or_default();
    let question = q.clone();
    let engine = state.kb.clone();
    let hits = read_page(&state, move |c| {
        let scope = Scope {
            locale: Some(lang),
            inbox: None,
        };
        search::search(c, &engine, &question, scope, SEARCH_RESULTS)
    })
    .await;
    match hits {
        Ok((shop, hits)) => render(
            &state,
            lang,
            &shop,
            "search.html",
            minijinja::context! { page => "search", q, hits },
            200,
        ),
        Err(_) => HttpResponse::InternalServerError().finish(),
    }
}
