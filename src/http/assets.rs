//! Static files from the binary. Every public file gets a content-hashed URL
//! (`/assets/console/js/main.3fa2b1c9d0e1.js`) cached for a year; `index.html` is
//! rewritten at start with an import map to those URLs, so ES modules written with
//! plain relative imports load the right version without a bundler.

use std::collections::HashMap;

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use base64::Engine;
use sha2::{Digest, Sha256};

use super::AppState;
use crate::assets::Assets;

/// Directories whose files browsers may fetch (email templates, for example, are not public).
const PUBLIC_DIRS: &[&str] = &["console/", "widget/", "help/", "i18n/"];
const HASH_LEN: usize = 12;
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

struct Entry {
    hash: String,
    url: String,
    mime: String,
}

pub struct AssetIndex {
    by_path: HashMap<String, Entry>,
    by_hashed_name: HashMap<String, String>,
    index_html: String,
    index_csp: String,
    /// The widget's chat frame; its CSP lacks `frame-ancestors`, set per inbox.
    pub frame_html: String,
    pub frame_csp: String,
    /// The customer's ticket status page (`/s/<token>`).
    pub status_html: String,
    pub status_csp: String,
}

fn hashed_name(path: &str, hash: &str) -> String {
    let (dir, file) = path.rsplit_once('/').map_or(("", path), |(d, f)| (d, f));
    let hashed = match file.rsplit_once('.') {
        Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
        None => format!("{file}.{hash}"),
    };
    if dir.is_empty() {
        hashed
    } else {
        format!("{dir}/{hashed}")
    }
}

impl AssetIndex {
    pub fn build() -> AssetIndex {
        let mut by_path = HashMap::new();
        let mut by_hashed_name = HashMap::new();
        for path in Assets::iter().filter(|p| PUBLIC_DIRS.iter().any(|d| p.starts_with(d))) {
            let Some(file) = Assets::get(&path) else { continue };
            let hash: String = file
                .metadata
                .sha256_hash()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            let hash = hash[..HASH_LEN].to_string();
            let name = hashed_name(&path, &hash);
            let mime = mime_guess::from_path(path.as_ref()).first_or_octet_stream();
            let mime = if mime.type_() == "text" || mime.subtype() == "javascript" || mime.subtype() == "json"
            {
                format!("{mime}; charset=utf-8")
            } else {
                mime.to_string()
            };
            by_hashed_name.insert(name.clone(), path.to_string());
            by_path.insert(
                path.to_string(),
                Entry {
                    hash,
                    url: format!("/assets/{name}"),
                    mime,
                },
            );
        }
        let (index_html, csp) = render_page("console/index.html", &by_path);
        let index_csp = format!("{csp}; frame-ancestors 'none'");
        let (frame_html, frame_csp) = render_page("widget/frame.html", &by_path);
        let (status_html, status_csp) = render_page("help/status.html", &by_path);
        let status_csp = format!("{status_csp}; frame-ancestors 'none'");
        AssetIndex {
            by_path,
            by_hashed_name,
            index_html,
            index_csp,
            frame_html,
            frame_csp,
            status_html,
            status_csp,
        }
    }

    /// The hashed URL for `/assets/<path>`.
    pub fn url(&self, path: &str) -> Option<&str> {
        self.by_path.get(path).map(|e| e.url.as_str())
    }
}

/// Renders an HTML page template: the import map and asset manifest replace
/// `<!-- kefu:head -->`, hashed URLs replace `{{asset:/assets/…}}`. Returns the page
/// and its Content-Security-Policy (without `frame-ancestors`).
fn render_page(template_path: &str, by_path: &HashMap<String, Entry>) -> (String, String) {
    let template = Assets::get(template_path)
        .map(|f| String::from_utf8_lossy(&f.data).into_owned())
        .unwrap_or_else(|| "<!doctype html><title>kefu</title><!-- kefu:head -->".into());
    let mut sorted: Vec<_> = by_path.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let imports: serde_json::Map<String, serde_json::Value> = sorted
        .iter()
        .filter(|(p, _)| p.ends_with(".js"))
        .map(|(p, e)| (format!("/assets/{p}"), e.url.clone().into()))
        .collect();
    let manifest: serde_json::Map<String, serde_json::Value> = sorted
        .iter()
        .map(|(p, e)| (format!("/assets/{p}"), e.url.clone().into()))
        .collect();
    let import_map = serde_json::json!({ "imports": imports }).to_string();
    // `</` cannot appear inside these scripts: JSON of our own file names only.
    let head = format!(
        "<script type=\"importmap\">{import_map}</script>\n\
         <script id=\"kefu-assets\" type=\"application/json\">{}</script>",
        serde_json::Value::Object(manifest)
    );
    let mut html = template.replace("<!-- kefu:head -->", &head);
    while let Some(start) = html.find("{{asset:") {
        let Some(len) = html[start..].find("}}") else {
            break;
        };
        let key = &html[start + 8..start + len];
        let url = key
            .strip_prefix("/assets/")
            .and_then(|p| by_path.get(p))
            .map_or_else(|| key.to_string(), |e| e.url.clone());
        html.replace_range(start..start + len + 2, &url);
    }
    let digest = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(import_map.as_bytes()));
    let csp = format!(
        "default-src 'self'; script-src 'self' 'sha256-{digest}'; style-src 'self'; \
         img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'"
    );
    (html, csp)
}

/// The console (login, setup and the app itself; routing happens in the URL fragment).
#[get("/")]
pub async fn index(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header((header::CONTENT_SECURITY_POLICY, state.assets.index_csp.clone()))
        .body(state.assets.index_html.clone())
}

/// A hashed URL is served with a one-year immutable lifetime; the plain path too
/// (for links that cannot know the hash) but revalidated every time.
#[get("/assets/{path:.*}")]
pub async fn asset(path: web::Path<String>, state: web::Data<AppState>) -> HttpResponse {
    let requested = path.into_inner();
    let (real, immutable) = match state.assets.by_hashed_name.get(&requested) {
        Some(real) => (real.clone(), true),
        None => (requested, false),
    };
    let (Some(entry), Some(file)) = (state.assets.by_path.get(&real), Assets::get(&real)) else {
        return HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("not found");
    };
    HttpResponse::Ok()
        .content_type(entry.mime.clone())
        .insert_header((
            header::CACHE_CONTROL,
            if immutable { IMMUTABLE } else { "no-cache" },
        ))
        .insert_header((header::ETAG, format!("\"{}\"", entry.hash)))
        .body(file.data.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_keep_the_extension() {
        assert_eq!(hashed_name("console/js/main.js", "abc"), "console/js/main.abc.js");
        assert_eq!(hashed_name("i18n/zh-CN.json", "abc"), "i18n/zh-CN.abc.json");
    }

    #[test]
    fn index_references_only_hashed_urls() {
        let idx = AssetIndex::build();
        assert!(!idx.index_html.contains("{{asset:"), "unreplaced placeholder");
        assert!(idx.index_html.contains("importmap"));
        let url = idx.url("i18n/en.json").expect("dictionary is public");
        assert!(url.starts_with("/assets/i18n/en.") && url.len() > "/assets/i18n/en.json".len());
        assert!(idx.url("../Cargo.toml").is_none());
    }
}
