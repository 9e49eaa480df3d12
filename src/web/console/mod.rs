//! The console: where on-call engineers, translators and admins write. Server-side sessions
//! (cookie = random secret, database = its digest), a CSRF token per session on every form,
//! roles checked on the server (and again by the service), no JavaScript needed.
//!
//! Every handler is GET (show) or POST (act, then redirect with a flash message). Forms are read
//! as name/value pairs so that bad input can be shown back with the field at fault.

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use fluent_bundle::FluentArgs;

use super::public::LANG_COOKIE;
use super::AppState;
use crate::domain::{Component, Problem, Role, SUPPORTED_LOCALES};
use crate::error::Error;
use crate::render::i18n::I18n;
use crate::service::SignedIn;

mod components;
mod fields;
mod maintenance;
mod screens;
mod settings;
mod sign_in;

pub const SESSION_COOKIE: &str = "herald_session";
pub const CSRF_COOKIE: &str = "herald_csrf";
const FLASH_COOKIE: &str = "herald_flash";

/// The console's routes (mounted by `build_app`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console", get(screens::dashboard))
        .route(
            "/console/sign-in",
            get(sign_in::sign_in_page).post(sign_in::sign_in),
        )
        .route("/console/sign-out", post(sign_in::sign_out))
        .route(
            "/console/setup",
            get(sign_in::setup_page).post(sign_in::setup),
        )
        .route(
            "/console/incidents/new",
            get(screens::new_incident_page).post(screens::create_incident),
        )
        .route("/console/incidents/{id}", get(screens::incident_page))
        .route(
            "/console/incidents/{id}/updates",
            post(screens::post_update),
        )
        .route("/console/updates/{id}", post(screens::correct_update))
        .route(
            "/console/incidents/{id}/postmortem",
            post(screens::put_postmortem),
        )
        .route("/console/incidents/{id}/items", post(screens::add_item))
        .route(
            "/console/incidents/{id}/milestones",
            post(screens::put_milestones),
        )
        .route("/console/items/{id}", post(screens::patch_item))
        .route(
            "/console/incidents/{id}/translations",
            get(screens::translations_page),
        )
        .route(
            "/console/page/translations",
            get(screens::page_translations_page),
        )
        .route(
            "/console/translations/{kind}/{id}/{locale}",
            post(screens::put_translation),
        )
        .route(
            "/console/components",
            get(components::components_page).post(components::create_component),
        )
        .route(
            "/console/components/{id}",
            get(components::component_page).post(components::save_component),
        )
        .route(
            "/console/components/{id}/move",
            post(components::move_component),
        )
        .route(
            "/console/components/{id}/status",
            post(components::set_component_status),
        )
        .route(
            "/console/maintenance",
            get(maintenance::maintenance_page).post(maintenance::schedule_maintenance),
        )
        .route("/console/audit", get(screens::audit_page))
        .route(
            "/console/settings",
            get(settings::settings_page).post(settings::save_settings),
        )
        .route(
            "/console/users",
            get(screens::users_page).post(screens::create_user),
        )
        .route("/console/users/{id}/disable", post(screens::disable_user))
        .route("/console/users/{id}/enable", post(screens::enable_user))
        .route(
            "/console/tokens",
            get(screens::tokens_page).post(screens::create_token),
        )
        .route("/console/tokens/{id}/revoke", post(screens::revoke_token))
}

/// Localized texts for templates: `{{ tr.t("console-...") }}`.
#[derive(Clone)]
pub struct Tr {
    i18n: Arc<I18n>,
    pub locale: String,
}

impl Tr {
    pub fn t(&self, key: &str) -> String {
        self.i18n.text(&self.locale, key)
    }

    pub fn f(&self, key: &str, args: &[(&str, String)]) -> String {
        let mut fa = FluentArgs::new();
        for (k, v) in args {
            fa.set(*k, v.clone());
        }
        self.i18n.format(&self.locale, key, Some(&fa))
    }

    /// A validation problem in the console's language; fields it names are given their labels.
    pub fn problem(&self, problem: &Problem) -> String {
        self.i18n.problem(&self.locale, problem, &|field| {
            fields::field_label(self, field, &[])
        })
    }
}

/// A select option.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Opt {
    pub fn list<T: Copy + PartialEq>(
        all: &[T],
        value: impl Fn(T) -> &'static str,
        label: impl Fn(T) -> String,
        current: &str,
    ) -> Vec<Opt> {
        all.iter()
            .map(|v| Opt {
                value: value(*v).to_string(),
                label: label(*v),
                selected: value(*v) == current,
            })
            .collect()
    }
}

/// A submitted form, as name/value pairs in order.
#[derive(Default, Clone)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    pub fn opt(&self, name: &str) -> Option<String> {
        let v = self.get(name).trim();
        (!v.is_empty()).then(|| v.to_string())
    }

    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        match self.0.iter_mut().find(|(k, _)| k == name) {
            Some(pair) => pair.1 = value,
            None => self.0.push((name.to_string(), value)),
        }
    }

    /// Pairs whose name starts with `prefix`, with the prefix removed.
    pub fn with_prefix<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> {
        self.0
            .iter()
            .filter_map(move |(k, v)| k.strip_prefix(prefix).map(|rest| (rest, v.as_str())))
    }
}

/// Field errors in the console's language: each message next to its field, and each line
/// (the field's label, then the message) in a summary at the top of the form.
#[derive(Default)]
pub struct Errs(BTreeMap<String, FieldError>);

pub struct FieldError {
    /// Shown next to the field.
    pub message: String,
    /// The summary's line: the field's label and the message ("Title: must not be empty", as
    /// the language writes it), or the message alone for an error of the whole form.
    pub line: String,
}

impl Errs {
    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    /// The message of `field`, shown next to it.
    pub fn msg(&self, field: &str) -> String {
        self.0
            .get(field)
            .map(|e| e.message.clone())
            .unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The summary's lines, one per field, in the order forms show their fields.
    pub fn lines(&self) -> Vec<String> {
        let mut all: Vec<(&String, &FieldError)> = self.0.iter().collect();
        all.sort_by_key(|(field, _)| fields::form_rank(field));
        all.into_iter().map(|(_, e)| e.line.clone()).collect()
    }

    /// A problem the console found itself (a value it could not read), already in words.
    pub fn add(&mut self, tr: &Tr, field: &str, message: impl Into<String>) {
        self.0.insert(
            field.to_string(),
            FieldError::new(tr, field, message.into(), &[]),
        );
    }

    /// The errors of a rejected request, by field, in the console's language; other errors
    /// under `form`.
    pub fn from_error(e: &Error, tr: &Tr) -> Errs {
        match e {
            Error::Invalid(problems) => Errs(
                problems
                    .iter()
                    .map(|(field, problem)| {
                        let message = tr.problem(problem);
                        (field.clone(), FieldError::new(tr, field, message, &[]))
                    })
                    .collect(),
            ),
            other => {
                let mut errs = Errs::default();
                errs.add(tr, "form", other.public_message());
                errs
            }
        }
    }

    /// Names the components of `components.<id>` errors by their names (the form shows names).
    pub fn name_components(&mut self, tr: &Tr, components: &[Component]) {
        for (field, e) in self.0.iter_mut() {
            if field.starts_with("components.") {
                *e = FieldError::new(tr, field, std::mem::take(&mut e.message), components);
            }
        }
    }
}

impl FieldError {
    fn new(tr: &Tr, field: &str, message: String, components: &[Component]) -> FieldError {
        let label = fields::field_label(tr, field, components);
        let line = if label.is_empty() {
            message.clone()
        } else {
            tr.f(
                "console-error-line",
                &[("field", label), ("message", message.clone())],
            )
        };
        FieldError { message, line }
    }
}

pub struct LangLink {
    pub tag: String,
    pub name: String,
    pub href: String,
    pub current: bool,
}

/// The layout every console page shares (templates/console/base.html).
pub struct Chrome {
    pub tr: Tr,
    pub title: String,
    pub css_href: String,
    pub icon_href: String,
    /// The signed-in user's name and role label, if any.
    pub user: Option<(String, String)>,
    pub csrf: String,
    pub flash: String,
    pub is_admin: bool,
    pub can_respond: bool,
    pub languages: Vec<LangLink>,
}

/// Reads a cookie's value.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The console's language: the visitor's language cookie, else Accept-Language.
pub fn console_locale(headers: &HeaderMap) -> String {
    cookie(headers, LANG_COOKIE)
        .filter(|l| SUPPORTED_LOCALES.contains(l))
        .map(str::to_string)
        .unwrap_or_else(|| super::errors::visitor_locale(headers, "en"))
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
        let locale = console_locale(&parts.headers);
        let tr = Tr {
            i18n: state.i18n.clone(),
            locale,
        };
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
            ip: super::auth::client_ip(parts, &state.config.trusted_proxies),
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

    pub fn chrome(&self, state: &AppState, title: &str, who: Option<&SignedIn>) -> Chrome {
        let languages = SUPPORTED_LOCALES
            .iter()
            .map(|tag| LangLink {
                tag: tag.to_string(),
                name: self.tr.t(&format!("language-name-{tag}")),
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
    pub fn page(&self, status: StatusCode, rendered: askama::Result<String>) -> Response {
        match rendered {
            Ok(html) => {
                let mut r = (status, Html(html)).into_response();
                let h = r.headers_mut();
                h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                h.insert(
                    header::HeaderName::from_static("x-frame-options"),
                    HeaderValue::from_static("DENY"),
                );
                if !self.flash.is_empty() {
                    if let Ok(v) = HeaderValue::from_str(&self.cookie(FLASH_COOKIE, "", Some(0))) {
                        h.append(header::SET_COOKIE, v);
                    }
                }
                r
            }
            Err(e) => self.error(&Error::Internal(anyhow::anyhow!("template: {e}"))),
        }
    }

    /// 303 to `to`, with a flash message (a locale key) for the next page; none if empty.
    pub fn redirect(&self, to: &str, flash: &str) -> Response {
        let mut r = (StatusCode::SEE_OTHER, [(header::LOCATION, to.to_string())]).into_response();
        let cookie = (!flash.is_empty()).then(|| self.cookie(FLASH_COOKIE, flash, Some(60)));
        if let Some(Ok(v)) = cookie.map(|c| HeaderValue::from_str(&c)) {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
        r.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        r
    }

    /// A console page for an error: what went wrong, in the user's language, nothing more.
    pub fn error(&self, error: &Error) -> Response {
        let (title, body) = match error {
            Error::Forbidden(_) => (
                self.tr.t("console-forbidden-title"),
                self.tr.t("console-forbidden-body"),
            ),
            Error::NotFound(_) => (
                self.tr.t("error-not-found-title"),
                self.tr.t("error-not-found-body"),
            ),
            Error::RateLimited { retry_after_secs } => (
                self.tr.t("console-rate-limited-title"),
                self.tr.f(
                    "console-rate-limited-body",
                    &[("minutes", retry_after_secs.div_ceil(60).to_string())],
                ),
            ),
            Error::Internal(inner) => {
                tracing::error!(error = ?inner, "internal error");
                (
                    self.tr.t("error-server-title"),
                    self.tr.t("error-server-body"),
                )
            }
            Error::Invalid(_) => (
                self.tr.t("error-request-title"),
                Errs::from_error(error, &self.tr).lines().join(" · "),
            ),
            other => (self.tr.t("error-request-title"), other.public_message()),
        };
        let page = MessagePage {
            tr: self.tr.clone(),
            title,
            body,
        };
        let status =
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
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
}

#[derive(Template)]
#[template(path = "console/message.html")]
struct MessagePage {
    tr: Tr,
    title: String,
    body: String,
}

pub fn role_key(role: Role) -> &'static str {
    match role {
        Role::Admin => "console-role-admin",
        Role::Responder => "console-role-responder",
        Role::Translator => "console-role-translator",
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
            Err(e) => Err(visit.error(&e)),
        }
    }
}

/// What a form needs besides a session.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Translate,
    Respond,
    Admin,
}

impl Console {
    pub fn actor(&self) -> crate::service::Actor {
        self.who.actor()
    }

    /// Every POST: the session's CSRF token must come back, and the role must allow the action.
    #[allow(clippy::result_large_err)] // the refusal is the response itself
    pub fn guard(&self, fields: &Fields, need: Need) -> Result<(), Response> {
        let sent = fields.get("csrf");
        if sent.is_empty() || !constant_eq(sent, &self.who.session.csrf_token) {
            return Err(self.visit.error(&Error::Forbidden(
                "the form's CSRF token is missing or wrong".into(),
            )));
        }
        self.allow(need)
    }

    /// The role check alone (pages that only show).
    #[allow(clippy::result_large_err)]
    pub fn allow(&self, need: Need) -> Result<(), Response> {
        let role = self.who.user.role;
        let ok = match need {
            Need::Translate => role.can_translate(),
            Need::Respond => role.can_respond(),
            Need::Admin => role.is_admin(),
        };
        if ok {
            Ok(())
        } else {
            Err(self.visit.error(&Error::Forbidden(format!(
                "the {role} role may not do this"
            ))))
        }
    }

    pub fn chrome(&self, state: &AppState, title: &str) -> Chrome {
        self.visit.chrome(state, title, Some(&self.who))
    }
}

pub fn constant_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
