//! Who is reading a public page: language (URL prefix, then cookie, then Accept-Language,
//! then the page's default), time zone (cookie), the page's path and canonical query; and the
//! fast path that answers a cached page from no more than that.

use std::borrow::Cow;
use std::sync::Arc;

use axum::extract::{FromRequestParts, Query};
use axum::http::{request::Parts, HeaderMap, Uri};
use axum::response::Response;
use chrono_tz::Tz;

use super::errors::error_page;
use super::lang::{accept_language, best_of, cookie, LANG_COOKIE, TZ_COOKIE};
use super::page_cache::{document_key, is_document, respond, respond_document};
use super::public::ListQuery;
use super::AppState;
use crate::domain::PageSettings;
use crate::error::Error;
use crate::render::pages;

/// The language of an unprefixed page: the visitor's cookie, else `Accept-Language`, else
/// the page's default.
fn negotiated<'a>(headers: &'a HeaderMap, page: &'a PageSettings) -> &'a str {
    let enabled = &page.locales;
    cookie(headers, LANG_COOKIE)
        .filter(|l| enabled.iter().any(|e| e == l))
        .or_else(|| accept_language(headers).and_then(|h| best_of(h, enabled)))
        .unwrap_or(&page.default_locale)
}

/// The language to say "not found" in when no page matched: the path's language prefix
/// (`/fr/…`), else the language an unprefixed page would have.
pub fn error_locale(uri: &Uri, headers: &HeaderMap, page: &PageSettings) -> String {
    let first = uri
        .path()
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or("");
    match page.locales.iter().find(|l| *l == first) {
        Some(prefix) => prefix.clone(),
        None => negotiated(headers, page).to_string(),
    }
}

/// Who is reading: language (URL prefix, then cookie, then Accept-Language, then the page's
/// default) and time zone (cookie).
pub struct Visitor {
    pub locale: String,
    /// The locale came from the URL: the page does not vary by Accept-Language.
    pub prefixed: bool,
    pub zone: Option<Tz>,
    /// The path without the locale prefix.
    pub path: String,
    pub query: String,
    pub page: Arc<PageSettings>,
}

/// Paths whose first segment is a page, not a locale.
const UNPREFIXED: &[&str] = &["", "incidents", "history", "components"];

impl FromRequestParts<AppState> for Visitor {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Visitor, Response> {
        let page = state
            .pages
            .settings(state)
            .await
            .map_err(|e| error_page(&state.i18n, "en", &e))?;
        Visitor::derive(&parts.uri, &parts.headers, page).map_err(|page| {
            let locale = error_locale(&parts.uri, &parts.headers, &page);
            error_page(
                &state.i18n,
                &locale,
                &Error::NotFound(format!("no page at {}", parts.uri.path())),
            )
        })
    }
}

impl Visitor {
    /// The visitor of a request, given the page settings; `Err` (with the settings back) when
    /// the first path segment is neither a page nor an enabled locale.
    fn derive(
        uri: &Uri,
        headers: &HeaderMap,
        page: Arc<PageSettings>,
    ) -> Result<Visitor, Arc<PageSettings>> {
        let Some(seen) = Seen::of(uri, headers, &page) else {
            return Err(page);
        };
        let visitor = Visitor {
            locale: seen.locale.to_string(),
            prefixed: seen.prefixed,
            zone: seen.zone,
            path: seen.path.to_string(),
            query: seen.query.into_owned(),
            page: page.clone(),
        };
        Ok(visitor)
    }
}

/// What a request says about its visitor, borrowed from the request and the page settings:
/// the fast path needs no more than this and the cache key.
struct Seen<'a> {
    locale: &'a str,
    prefixed: bool,
    zone: Option<Tz>,
    /// The path without the locale prefix.
    path: &'a str,
    /// The query as the page reads it (`canonical_query`).
    query: Cow<'a, str>,
}

impl<'a> Seen<'a> {
    /// `None` when the first path segment is neither a page nor an enabled locale.
    fn of(uri: &'a Uri, headers: &'a HeaderMap, page: &'a PageSettings) -> Option<Seen<'a>> {
        let path = uri.path();
        let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
        let enabled = &page.locales;
        let (locale, prefixed, rest) = if UNPREFIXED.contains(&first) {
            (negotiated(headers, page), false, path)
        } else {
            let locale = enabled.iter().find(|l| *l == first)?;
            let rest = &path[1 + first.len()..];
            (
                locale.as_str(),
                true,
                if rest.is_empty() { "/" } else { rest },
            )
        };
        let zone =
            cookie(headers, TZ_COOKIE).and_then(|z| z.replace("%2F", "/").parse::<Tz>().ok());
        Some(Seen {
            locale,
            prefixed,
            zone,
            path: rest,
            query: canonical_query(uri, rest),
        })
    }

    /// The page cache's key: the same page in the same language and zones.
    fn cache_key(&self) -> String {
        let zone = self.zone.map(|z| z.name()).unwrap_or("");
        let mut key = String::with_capacity(
            self.locale.len() + zone.len() + self.path.len() + self.query.len() + 3,
        );
        for part in [self.locale, "|", zone, "|", self.path, "?", &self.query] {
            key.push_str(part);
        }
        key
    }
}

/// The query of a page as the page reads it: only the parameters that page uses, in one order
/// and spelling. Made-up parameters (`?utm_source=…`, cache busters) change neither the page nor
/// its cache key, so they cannot fill the cache. A query the page cannot read is kept as it is:
/// the page answers 404 for it, and caches nothing.
fn canonical_query<'a>(uri: &'a Uri, path: &str) -> Cow<'a, str> {
    let raw = uri.query().unwrap_or("");
    let used = path == "/history" || path.starts_with("/components/");
    if raw.is_empty() || !used {
        return Cow::Borrowed("");
    }
    let Ok(Query(q)) = Query::<ListQuery>::try_from_uri(uri) else {
        return Cow::Borrowed(raw);
    };
    let mut parts = Vec::new();
    if path == "/history" {
        if let Some(page) = q.page {
            parts.push(format!("page={page}"));
        }
        if let Some(after) = &q.after {
            parts.push(format!("after={}", pages::urlencode(after)));
        }
    } else if let Some(before) = q.before {
        parts.push(format!("before={}", pages::urlencode(&before.to_rfc3339())));
    }
    Cow::Owned(parts.join("&"))
}

/// The fast path for a rush: a GET whose page is in the cache and fresh is answered here,
/// before routing and the middleware (`web::fast`). Anything else returns `None` and goes the
/// normal way, which renders and caches. Only a page handler puts pages in the cache, so a hit
/// always answers exactly what the routed handler would.
pub fn cached_page(state: &AppState, uri: &Uri, headers: &HeaderMap) -> Option<Response> {
    if uri.path().contains("//") {
        return None;
    }
    let now = state.clock.now();
    let generation = state.service.generation();
    if is_document(uri.path()) {
        let doc = state
            .pages
            .peek(&document_key(uri.path()), generation, now)?;
        return Some(respond_document(headers, &doc));
    }
    let settings = state.pages.fresh_settings(generation, now)?;
    let seen = Seen::of(uri, headers, &settings)?;
    let page = state.pages.peek(&seen.cache_key(), generation, now)?;
    Some(respond(seen.prefixed, headers, &page))
}

impl Visitor {
    /// The page cache's key of this visitor's page.
    pub(super) fn cache_key(&self) -> String {
        Seen {
            locale: &self.locale,
            prefixed: self.prefixed,
            zone: self.zone,
            path: &self.path,
            query: Cow::Borrowed(&self.query),
        }
        .cache_key()
    }
}
