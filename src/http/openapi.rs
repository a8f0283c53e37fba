//! The OpenAPI 3.1 document, generated from the handlers' annotations and the route
//! table itself (utoipa-actix-web), so it cannot drift from what is served.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use super::errors::{ErrorBody, ErrorDetail};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "kefu API",
        description = "HTTP API of kefu, the self-hosted customer-service desk. Errors are \
            `{\"error\": {\"code\", \"message\"}}`; the message is in the caller's language. \
            Cookie-authenticated writes need the `X-CSRF-Token` header (token from `GET /api/me`). \
            Security requirements list the role needed: `admin` means owner or admin.",
    ),
    components(schemas(ErrorBody, ErrorDetail)),
    modifiers(&SecuritySchemes)
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "kefu_session",
                "Set by POST /api/session or /api/setup.",
            ))),
        );
        components.add_security_scheme(
            "visitor",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Kefu-Visitor",
                "The widget's visitor token from POST /api/widget/session.",
            ))),
        );
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("An API token created under Settings → API tokens."))
                    .build(),
            ),
        );
    }
}

/// The document plus what the API fallback needs to tell 404 from 405.
pub struct ApiIndex {
    pub json: String,
    /// (path template split in segments, allowed methods)
    paths: Vec<(Vec<String>, Vec<String>)>,
}

pub fn document() -> utoipa::openapi::OpenApi {
    let app = actix_web::App::new().into_utoipa_app().openapi(ApiDoc::openapi());
    let (_, api) = super::documented_routes(app).split_for_parts();
    api
}

impl ApiIndex {
    pub fn build() -> ApiIndex {
        let api = document();
        let json = api.to_json().unwrap_or_else(|_| "{}".into());
        let value: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
        let paths = value["paths"]
            .as_object()
            .map(|paths| {
                paths
                    .iter()
                    .map(|(path, item)| {
                        let segments = path.split('/').map(str::to_string).collect();
                        let methods = item
                            .as_object()
                            .map(|m| m.keys().map(|k| k.to_ascii_uppercase()).collect())
                            .unwrap_or_default();
                        (segments, methods)
                    })
                    .collect()
            })
            .unwrap_or_default();
        ApiIndex { json, paths }
    }

    /// The methods the API serves at `path`, or `None` if no route matches it.
    pub fn methods_for(&self, path: &str) -> Option<Vec<String>> {
        let want: Vec<&str> = path.split('/').collect();
        self.paths
            .iter()
            .find(|(segments, _)| {
                segments.len() == want.len()
                    && segments
                        .iter()
                        .zip(&want)
                        .all(|(s, w)| (s.starts_with('{') && s.ends_with('}') && !w.is_empty()) || s == w)
            })
            .map(|(_, methods)| methods.clone())
    }
}
