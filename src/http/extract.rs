//! Extractors that put authorization in the handler's signature:
//! `CurrentAgent` (any logged-in agent or API token), `RequireAdmin` (owner/admin),
//! `SessionAgent` (a person in the console, not a token), and `Client` (address).

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::http::Method;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};

use super::AppState;
use crate::accounts::sessions::{self, ClientInfo};
use crate::accounts::{AgentId, Auth, Principal, tokens};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;

pub const SESSION_COOKIE: &str = "kefu_session";
pub const LANG_COOKIE: &str = "kefu_lang";
pub const CSRF_HEADER: &str = "x-csrf-token";

type Fut<T> = Pin<Box<dyn Future<Output = Result<T, AppError>>>>;

pub fn state(req: &HttpRequest) -> web::Data<AppState> {
    req.app_data::<web::Data<AppState>>()
        .cloned()
        .expect("AppState is registered on the app")
}

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get("authorization")?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

fn is_safe(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Compares without an early exit, so timing does not leak how much matched.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Resolves the caller once per request (cached in the request's extensions).
async fn principal(req: HttpRequest) -> AppResult<Principal> {
    if let Some(p) = req.extensions().get::<Principal>() {
        return Ok(p.clone());
    }
    let st = state(&req);
    let p = if let Some(secret) = bearer(&req) {
        tokens::authenticate(&st.db, secret).await?
    } else if let Some(cookie) = req.cookie(SESSION_COOKIE) {
        let p =
            sessions::authenticate(&st.db, cookie.value().to_string(), st.config.session.idle_days).await?;
        if !is_safe(req.method()) {
            let sent = req
                .headers()
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            let expected = match &p.auth {
                Auth::Session { csrf_token, .. } => csrf_token.as_str(),
                Auth::Token { .. } => "",
            };
            if !same_secret(sent, expected) {
                return Err(AppError::forbidden("csrf_failed"));
            }
        }
        p
    } else {
        return Err(AppError::unauthorized("not_authenticated"));
    };
    req.extensions_mut().insert(p.clone());
    Ok(p)
}

/// Any authenticated caller: an agent's session or an API token.
pub struct CurrentAgent(pub Principal);

impl FromRequest for CurrentAgent {
    type Error = AppError;
    type Future = Fut<Self>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(principal(req.clone()).map_ok(CurrentAgent))
    }
}

/// The owner or an admin (session or admin token); others get 403 `forbidden`.
pub struct RequireAdmin(pub Principal);

impl FromRequest for RequireAdmin {
    type Error = AppError;
    type Future = Fut<Self>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(principal(req.clone()).and_then_sync(|p| {
            if p.role.is_admin() {
                Ok(RequireAdmin(p))
            } else {
                Err(AppError::forbidden("forbidden"))
            }
        }))
    }
}

/// A person logged in to the console (not an API token).
pub struct SessionAgent {
    pub principal: Principal,
    pub agent_id: AgentId,
    pub session_id: i64,
    pub csrf_token: String,
}

impl FromRequest for SessionAgent {
    type Error = AppError;
    type Future = Fut<Self>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(principal(req.clone()).and_then_sync(|p| match &p.auth {
            Auth::Session {
                agent_id,
                session_id,
                csrf_token,
                ..
            } => Ok(SessionAgent {
                agent_id: *agent_id,
                session_id: *session_id,
                csrf_token: csrf_token.clone(),
                principal: p.clone(),
            }),
            Auth::Token { .. } => Err(AppError::forbidden("session_required")),
        }))
    }
}

/// A widget visitor, from the `X-Kefu-Visitor` header.
pub struct Visitor(pub crate::channels::web::Visitor);

impl FromRequest for Visitor {
    type Error = AppError;
    type Future = Fut<Self>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let st = state(req);
        let token = req
            .headers()
            .get("x-kefu-visitor")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        Box::pin(async move {
            let token = token.ok_or_else(|| AppError::unauthorized("visitor_unknown"))?;
            crate::channels::web::authenticate(&st.db, token)
                .await
                .map(Visitor)
        })
    }
}

/// Where the request came from (for rate limits and the session list).
pub struct Client(pub ClientInfo);

impl FromRequest for Client {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;
    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let trust_proxy = state(req).config.http.trust_proxy;
        let ip = if trust_proxy {
            req.connection_info().realip_remote_addr().map(str::to_string)
        } else {
            req.peer_addr().map(|a| a.ip().to_string())
        }
        .unwrap_or_default();
        let user_agent = req
            .headers()
            .get("user-agent")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        std::future::ready(Ok(Client(ClientInfo { ip, user_agent })))
    }
}

/// The `Origin` of a request from another site; `None` when there is none or it is
/// kefu's own (the widget's frame and the console are served by kefu, and browsers
/// send `Origin` on their same-origin POSTs and websocket handshakes too).
pub fn foreign_origin(req: &HttpRequest) -> Option<String> {
    let origin = req.headers().get("origin").and_then(|v| v.to_str().ok())?;
    let host = req.connection_info().host().to_ascii_lowercase();
    let own = origin
        .split_once("://")
        .is_some_and(|(_, rest)| rest.trim_end_matches('/').eq_ignore_ascii_case(&host));
    (!own).then(|| origin.to_string())
}

/// The caller's language: their saved choice, else the `kefu_lang` cookie the console
/// sets, else `Accept-Language`, else English.
pub fn request_lang(req: &HttpRequest) -> Lang {
    if let Some(Principal {
        auth: Auth::Session { locale: Some(l), .. },
        ..
    }) = req.extensions().get::<Principal>()
    {
        return *l;
    }
    req.cookie(LANG_COOKIE)
        .and_then(|c| Lang::parse_exact(c.value()))
        .or_else(|| {
            req.headers()
                .get("accept-language")
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::from_accept_language)
        })
        .unwrap_or(Lang::En)
}

/// The session cookie: HttpOnly, SameSite=Lax, Secure when served over https.
pub fn session_cookie(token: String, secure: bool, idle_days: u32) -> Cookie<'static> {
    Cookie::build(SESSION_COOKIE, token)
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .max_age(actix_web::cookie::time::Duration::days(i64::from(idle_days)))
        .finish()
}

pub fn expired_session_cookie(secure: bool) -> Cookie<'static> {
    let mut c = session_cookie(String::new(), secure, 0);
    c.make_removal();
    c
}

/// Small combinators so the extractors above read as one line each.
trait FutExt<T>: Future<Output = AppResult<T>> + Sized + 'static {
    fn map_ok<U>(self, f: impl FnOnce(T) -> U + 'static) -> impl Future<Output = AppResult<U>> {
        async move { self.await.map(f) }
    }
    fn and_then_sync<U>(
        self,
        f: impl FnOnce(T) -> AppResult<U> + 'static,
    ) -> impl Future<Output = AppResult<U>> {
        async move { self.await.and_then(f) }
    }
}

impl<T, F: Future<Output = AppResult<T>> + Sized + 'static> FutExt<T> for F {}

/// A JSON body whose parse error is reported only when the handler asks for it.
/// actix polls all extractors together, so with a plain `web::Json` a malformed
/// body could answer 400 before the caller's missing permission answered 401/403;
/// with `Body`, authorization always comes first.
pub struct Body<T>(Result<web::Json<T>, actix_web::Error>);

impl<T: serde::de::DeserializeOwned + 'static> FromRequest for Body<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, actix_web::Error>>>>;
    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = web::Json::<T>::from_request(req, payload);
        Box::pin(async move { Ok(Body(json.await)) })
    }
}

impl<T> Body<T> {
    /// The parsed body, or the `invalid_json` / `payload_too_large` / … error.
    pub fn parse(self) -> AppResult<web::Json<T>> {
        self.0.map_err(|e| match e.as_error::<AppError>() {
            Some(app) => app.duplicate(),
            None => AppError::bad_request("invalid_json").with("detail", e),
        })
    }
}
