//! Who is using the console and what a handler gives back: the visit (language, cookies, the
//! flash message), the signed-in user, the guards every screen and form passes (session, CSRF
//! token, role), and `Reply`, a page or an error that becomes the console's error page.

use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::Arc;

use askama::Template;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::Form;

use super::form::{Errs, Fields};
use super::text::{cookie, role_key, Chrome, LangLink, Tr};
use super::{FLASH_COOKIE, SESSION_COOKIE};
use crate::domain::{Role, SUPPORTED_LOCALES};
use crate::error::Error;
use crate::service::{Actor, SignedIn};
use crate::web::AppState;

/// What a console handler returns: its response, or an error shown as the console's error page
/// (in the visitor's language, by `render_errors`), so handlers use `?`.
pub type Reply = Result<Response, ConsoleError>;

/// An error on its way to becoming the console's error page.
#[derive(Debug)]
pub struct ConsoleError(pub Error);

impl From<Error> for ConsoleError {
    fn from(e: Error) -> ConsoleError {
        ConsoleError(e)
    }
}

impl From<crate::store::StoreError> for ConsoleError {
    fn from(e: crate::store::StoreError) -> ConsoleError {
        ConsoleError(e.into())
    }
}

/// The error of a console response, for `render_errors` to put in words.
#[derive(Clone)]
struct Failed(Arc<Error>);

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut r = status.into_response();
        r.extensions_mut().insert(Failed(Arc::new(self.0)));
        r
    }
}

/// The console's layer: a response that carries an error becomes the error page, in the
/// language of the request.
pub async fn render_errors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let tr = Tr::of(&state.i18n, req.headers());
    let mut response = next.run(req).await;
    match response.extensions_mut().remove::<Failed>() {
        Some(Failed(error)) => error_page(&tr, &error),
        None => response,
    }
}

/// The status of a refused request: its error's, unprocessable if it has none.
pub fn status_of(e: &Error) -> StatusCode {
    StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY)
}

#[derive(Template)]
#[template(path = "console/message.html")]
struct MessagePage {
    tr: Tr,
    title: String,
    body: String,
}

/// A console page for an error: what went wrong, in the user's language, nothing more.
fn error_page(tr: &Tr, error: &Error) -> Response {
    let (title, body) = match error {
        Error::Forbidden(_) => (
            tr.t("console-forbidden-title"),
            tr.t("console-forbidden-body"),
        ),
        Error::NotFound(_) => (tr.t("error-not-found-title"), tr.t("error-not-found-body")),
        Error::RateLimited { retry_after_secs } => (
            tr.t("console-rate-limited-title"),
            tr.f(
                "console-rate-limited-body",
                &[("minutes", retry_after_secs.div_ceil(60).to_string())],
            ),
        ),
        Error::Internal(inner) => {
            tracing::error!(error = ?inner, "internal error");
            (tr.t("error-server-title"), tr.t("error-server-body"))
        }
        Error::Invalid(_) => (
            tr.t("error-request-title"),
            Errs::from_error(error, tr).lines().join(" · "),
        ),
        other => (tr.t("error-request-title"), other.public_message()),
    };
    let page = MessagePage {
        tr: tr.clone(),
        title,
        body,
    };
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut r = match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, "error").into_response(),
    };
    if let Error::RateLimited { retry_after_secs } = error {
        if let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
    }
    r
}

/// Who is using the console (maybe nobody yet): locale, secure cookies, the flash message.
pub struct Visit {
    pub tr: Tr,
    pub secure: bool,
    pub flash: String,
    pub path: String,
    pub headers: HeaderMap,
    pub ip: std::net::IpAddr,
}

impl FromRequestParts<AppState> for Visit {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Visit, Response> {
        let tr = Tr::of(&state.i18n, &parts.headers);
        let secure = state
            .service
            .page()
            .await
            .map(|p| p.url.starts_with("https://"))
            .unwrap_or(false);
        let flash = cookie(&parts.headers, FLASH_COOKIE)
            .filter(|k| k.starts_with("console-flash-") && state.i18n.has("en", k))
            .map(|k| tr.t(k))
            .unwrap_or_default();
        Ok(Visit {
            tr,
            secure,
            flash,
            path: parts.uri.path().to_string(),
            headers: parts.headers.clone(),
            ip: crate::web::auth::client_ip(parts, &state.config.trusted_proxies),
        })
    }
}

impl Visit {
    /// Cookie attributes for the console.
    pub fn cookie(&self, name: &str, value: &str, max_age: Option<i64>) -> String {
        let age = max_age
            .map(|a| format!("; Max-Age={a}"))
            .unwrap_or_default();
        format!(
            "{name}={value}; Path=/console; HttpOnly; SameSite=Strict{age}{}",
            if self.secure { "; Secure" } else { "" }
        )
    }

    /// Adds a `Set-Cookie` for the console to `r`.
    pub fn set_cookie(&self, r: &mut Response, name: &str, value: &str, max_age: Option<i64>) {
        if let Ok(v) = HeaderValue::from_str(&self.cookie(name, value, max_age)) {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
    }

    pub fn chrome(&self, state: &AppState, title: &str, who: Option<&SignedIn>) -> Chrome {
        let languages = SUPPORTED_LOCALES
            .iter()
            .map(|tag| LangLink {
                tag: tag.to_string(),
                name: self.tr.language(tag),
                href: format!(
                    "/preferences?lang={tag}&return={}",
                    crate::render::pages::urlencode(&self.path)
                ),
                current: *tag == self.tr.locale,
            })
            .collect();
        Chrome {
            tr: self.tr.clone(),
            title: title.to_string(),
            css_href: state.assets.href("herald.css"),
            icon_href: state.assets.href("icon.svg"),
            user: who.map(|w| (w.user.username.clone(), self.tr.t(role_key(w.user.role)))),
            csrf: who
                .map(|w| w.session.csrf_token.clone())
                .unwrap_or_default(),
            flash: self.flash.clone(),
            is_admin: who.is_some_and(|w| w.user.role.is_admin()),
            can_respond: who.is_some_and(|w| w.user.role.can_respond()),
            languages,
        }
    }

    /// A rendered page (the flash, once shown, is cleared).
    pub fn page(&self, status: StatusCode, rendered: askama::Result<String>) -> Reply {
        let html = rendered.map_err(|e| Error::Internal(anyhow::anyhow!("template: {e}")))?;
        let mut r = (status, Html(html)).into_response();
        let h = r.headers_mut();
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        h.insert(
            header::HeaderName::from_static("x-frame-options"),
            HeaderValue::from_static("DENY"),
        );
        if !self.flash.is_empty() {
            self.set_cookie(&mut r, FLASH_COOKIE, "", Some(0));
        }
        Ok(r)
    }

    /// 303 to `to`, with a flash message (a locale key) for the next page; none if empty.
    pub fn redirect(&self, to: &str, flash: &str) -> Response {
        let mut r = (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response();
        if !flash.is_empty() {
            self.set_cookie(&mut r, FLASH_COOKIE, flash, Some(60));
        }
        r.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        r
    }
}

/// A signed-in user on a console page; anyone else is sent to the sign-in page.
pub struct Console {
    pub visit: Visit,
    pub who: SignedIn,
}

impl FromRequestParts<AppState> for Console {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Console, Response> {
        let visit = Visit::from_request_parts(parts, state).await?;
        let secret = cookie(&parts.headers, SESSION_COOKIE).unwrap_or("");
        match state.service.session_user(secret).await {
            Ok(Some(who)) => Ok(Console { visit, who }),
            Ok(None) => Err((
                StatusCode::SEE_OTHER,
                [
                    (header::LOCATION, "/console/sign-in".to_string()),
                    (header::CACHE_CONTROL, "no-store".to_string()),
                ],
            )
                .into_response()),
            Err(e) => Err(ConsoleError(e).into_response()),
        }
    }
}

impl Console {
    pub fn actor(&self) -> Actor {
        self.who.actor()
    }

    pub fn tr(&self) -> &Tr {
        &self.visit.tr
    }

    /// Every POST: the session's CSRF token must come back, and the role must allow the action.
    pub fn guard<N: Needs>(&self, fields: &Fields) -> Result<(), ConsoleError> {
        let sent = fields.get("csrf");
        if sent.is_empty() || !constant_eq(sent, &self.who.session.csrf_token) {
            return Err(ConsoleError(Error::Forbidden(
                "the form's CSRF token is missing or wrong".into(),
            )));
        }
        self.allow::<N>()
    }

    /// The role check alone (pages that only show).
    pub fn allow<N: Needs>(&self) -> Result<(), ConsoleError> {
        let role = self.who.user.role;
        if N::allows(role) {
            Ok(())
        } else {
            Err(ConsoleError(Error::Forbidden(format!(
                "the {role} role may not do this"
            ))))
        }
    }

    pub fn chrome(&self, state: &AppState, title: &str) -> Chrome {
        self.visit.chrome(state, title, Some(&self.who))
    }
}

/// What a screen or form needs besides a session.
pub trait Needs: Send + Sync + 'static {
    fn allows(role: Role) -> bool;
}

/// Any signed-in user: translators, responders and admins.
pub struct Translate;
/// Responders and admins.
pub struct Respond;
/// Admins.
pub struct Admin;

impl Needs for Translate {
    fn allows(role: Role) -> bool {
        role.can_translate()
    }
}

impl Needs for Respond {
    fn allows(role: Role) -> bool {
        role.can_respond()
    }
}

impl Needs for Admin {
    fn allows(role: Role) -> bool {
        role.is_admin()
    }
}

/// A console screen for a user whose role allows it (`N`).
pub struct Allowed<N: Needs> {
    pub console: Console,
    need: PhantomData<N>,
}

impl<N: Needs> FromRequestParts<AppState> for Allowed<N> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let console = Console::from_request_parts(parts, state).await?;
        console.allow::<N>().map_err(IntoResponse::into_response)?;
        Ok(Allowed {
            console,
            need: PhantomData,
        })
    }
}

impl<N: Needs> Deref for Allowed<N> {
    type Target = Console;
    fn deref(&self) -> &Console {
        &self.console
    }
}

/// A console form, submitted by a signed-in user with the session's CSRF token and a role
/// that allows it (`N`): its pairs, ready to be read, and what the path names (`P`, a `Path`
/// extractor, read after the session as handlers always have).
pub struct Guarded<N: Needs, P = NoPath> {
    pub console: Console,
    pub path: P,
    pub form: Fields,
    need: PhantomData<N>,
}

/// A form's path that names nothing.
pub struct NoPath;

impl<S: Send + Sync> FromRequestParts<S> for NoPath {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(_: &mut Parts, _: &S) -> Result<NoPath, Self::Rejection> {
        Ok(NoPath)
    }
}

impl<N: Needs, P> FromRequest<AppState> for Guarded<N, P>
where
    P: FromRequestParts<AppState> + Send,
    P::Rejection: IntoResponse,
{
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let console = Console::from_request_parts(&mut parts, state).await?;
        let path = P::from_request_parts(&mut parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let Form(pairs) =
            Form::<Vec<(String, String)>>::from_request(Request::from_parts(parts, body), state)
                .await
                .map_err(IntoResponse::into_response)?;
        let form = Fields(pairs);
        console
            .guard::<N>(&form)
            .map_err(IntoResponse::into_response)?;
        Ok(Guarded {
            console,
            path,
            form,
            need: PhantomData,
        })
    }
}

impl<N: Needs, P> Deref for Guarded<N, P> {
    type Target = Console;
    fn deref(&self) -> &Console {
        &self.console
    }
}

/// Why a form was refused: its errors, by field, and the status to show them with.
pub struct Refused {
    pub errs: Errs,
    pub status: StatusCode,
}

impl<N: Needs, P> Guarded<N, P> {
    /// The form as read (or the errors found reading it), then the service call: its value,
    /// or why the form was refused.
    pub async fn attempt<I, T, F>(
        &self,
        parsed: Result<I, Errs>,
        call: impl FnOnce(I) -> F,
    ) -> Result<T, Refused>
    where
        F: std::future::Future<Output = crate::error::Result<T>>,
    {
        let input = parsed.map_err(|errs| Refused {
            errs,
            status: StatusCode::UNPROCESSABLE_ENTITY,
        })?;
        call(input).await.map_err(|e| Refused {
            errs: Errs::from_error(&e, &self.visit.tr),
            status: status_of(&e),
        })
    }

    /// The one shape of a console POST: the form as read, the service call, then a redirect
    /// (`done` says where, and the flash message) or the screen `again` with the errors.
    pub async fn submit<I, T, F, A>(
        &self,
        parsed: Result<I, Errs>,
        call: impl FnOnce(I) -> F,
        done: impl FnOnce(T) -> (String, &'static str),
        again: impl FnOnce(Refused) -> A,
    ) -> Reply
    where
        F: std::future::Future<Output = crate::error::Result<T>>,
        A: std::future::Future<Output = Reply>,
    {
        match self.attempt(parsed, call).await {
            Ok(value) => {
                let (to, flash) = done(value);
                Ok(self.visit.redirect(&to, flash))
            }
            Err(refused) => again(refused).await,
        }
    }
}

pub fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
