//! The public site's pages: one handler per page, each rendering from the read side through
//! the page cache (`page_cache`) for the visitor (`visitor`), and the preferences link.
//! Pages are kept for up to a second (or until the next write), so a rush of visitors costs
//! little and a new update still shows within a second.

use std::future::Future;
use std::sync::Arc;

use askama::Template;
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;

use super::errors::error_page;
use super::page_cache::{obtain, respond, Rendered};
use super::AppState;
use crate::domain::is_supported_locale;
use crate::error::Error;
use crate::i18n::I18n;
use crate::read;
use crate::render::pages::{self, Ctx};

use super::lang::{LANG_COOKIE, TZ_COOKIE};
pub use super::page_cache::{document, Document, PageCache, DEFAULT_CACHE_BYTES};
pub use super::visitor::{cached_page, error_locale, Visitor};

/// A page that failed: answered by the error page, in the visitor's language.
pub struct PageError {
    i18n: Arc<I18n>,
    locale: String,
    error: Arc<Error>,
}

impl PageError {
    pub fn new(state: &AppState, locale: &str, error: impl Into<Arc<Error>>) -> PageError {
        PageError {
            i18n: state.i18n.clone(),
            locale: locale.to_string(),
            error: error.into(),
        }
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        error_page(&self.i18n, &self.locale, &self.error)
    }
}

/// What a page handler answers: the page, or the error page.
pub type PageResult = Result<Response, PageError>;

/// Answers with this visitor's page: the cached copy, the outcome of a render in progress, or
/// a render by `load`, run as a task of its own so that it finishes and caches the page (and
/// lets the waiting requests go) even if the request that started it goes away.
async fn serve<F, Fut>(
    state: AppState,
    visitor: Visitor,
    headers: &HeaderMap,
    load: F,
) -> PageResult
where
    F: FnOnce(AppState, Arc<Visitor>, DateTime<Utc>) -> Fut + Send + 'static,
    Fut: Future<Output = Result<String, Error>> + Send + 'static,
{
    let key = visitor.cache_key();
    let visitor = Arc::new(visitor);
    let (task_state, task_visitor) = (state.clone(), visitor.clone());
    let render = move || async move {
        let now = task_state.clock.now();
        let locale = task_visitor.locale.clone();
        let html = load(task_state, task_visitor, now).await?;
        Ok(Rendered::new(Bytes::from(html), &locale))
    };
    let page = obtain(&state, key, render)
        .await
        .map_err(|e| PageError::new(&state, &visitor.locale, e))?;
    Ok(respond(visitor.prefixed, headers, &page))
}

/// Builds the reader's context and renders a page model with it.
fn render_page<T: Template>(
    state: &AppState,
    visitor: &Visitor,
    now: DateTime<Utc>,
    build: impl FnOnce(&Ctx) -> T,
) -> Result<String, Error> {
    let mut zones = crate::render::time::zones(&visitor.page.display_time_zones);
    if let Some(z) = visitor.zone {
        if !zones.contains(&z) {
            zones.push(z);
        }
    }
    let css = state.assets.href("herald.css");
    let icon = state.assets.href("icon.svg");
    // The page's own feeds: its language's (the default language's are unprefixed), and a
    // component page's component's.
    let locale = (visitor.locale != visitor.page.default_locale).then_some(visitor.locale.as_str());
    let component = visitor.path.strip_prefix("/components/");
    let feeds = super::feeds::feed_links(locale, component)
        .into_iter()
        .map(|f| (f.href, f.mime, f.format))
        .collect();
    let ctx = Ctx {
        i18n: &state.i18n,
        locale: &visitor.locale,
        zones,
        visitor_zone: visitor.zone,
        now,
        path: &visitor.path,
        query: &visitor.query,
        css_href: &css,
        icon_href: &icon,
        feeds,
    };
    build(&ctx)
        .render()
        .map_err(|e| Error::Internal(anyhow::anyhow!("template: {e}")))
}

/// The id in `/incidents/{id}` or `/components/{id}`, with or without a locale prefix.
fn last_segment(visitor: &Visitor) -> String {
    visitor
        .path
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
        .to_string()
}

pub async fn home(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
) -> PageResult {
    serve(state, visitor, &headers, |state, visitor, now| async move {
        let data = state.read.home(now).await?;
        render_page(&state, &visitor, now, |ctx| pages::home(ctx, &data))
    })
    .await
}

pub async fn incident(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
) -> PageResult {
    serve(state, visitor, &headers, |state, visitor, now| async move {
        let data = state.read.incident(&last_segment(&visitor)).await?;
        render_page(&state, &visitor, now, |ctx| pages::incident(ctx, &data))
    })
    .await
}

/// The query parameters of the history and component pages. Any other parameter is ignored
/// (and left out of the cache key, see `visitor::canonical_query`).
#[derive(Deserialize)]
pub struct ListQuery {
    /// History: which three months, counting back from this one.
    pub page: Option<u32>,
    /// History: continue after this incident (a period with more incidents than one page
    /// lists).
    pub after: Option<String>,
    /// Component page: incidents that started before this instant.
    pub before: Option<DateTime<Utc>>,
}

type ListQueryResult = Result<Query<ListQuery>, QueryRejection>;

/// The list query, or "not found" (`what`) for one the page cannot read.
fn list_query(
    state: &AppState,
    visitor: &Visitor,
    query: ListQueryResult,
    what: &str,
) -> Result<ListQuery, PageError> {
    query
        .map(|Query(q)| q)
        .map_err(|_| PageError::new(state, &visitor.locale, Error::NotFound(what.into())))
}

pub async fn history(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    query: ListQueryResult,
) -> PageResult {
    let q = list_query(&state, &visitor, query, "no such history page")?;
    serve(
        state,
        visitor,
        &headers,
        move |state, visitor, now| async move {
            let period = read::Period::of(now, q.page);
            let data = state.read.history(period, q.after.as_deref()).await?;
            render_page(&state, &visitor, now, |ctx| pages::history(ctx, &data))
        },
    )
    .await
}

pub async fn component(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    query: ListQueryResult,
) -> PageResult {
    let q = list_query(&state, &visitor, query, "no such page")?;
    serve(
        state,
        visitor,
        &headers,
        move |state, visitor, now| async move {
            let id = last_segment(&visitor);
            let data = state.read.component(&id, now, q.before).await?;
            render_page(&state, &visitor, now, |ctx| pages::component(ctx, &data))
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct Preferences {
    lang: Option<String>,
    tz: Option<String>,
    #[serde(rename = "return")]
    return_to: Option<String>,
}

/// `GET /preferences?lang=fr&tz=Europe/Paris&return=/fr/...`: remembers the visitor's choice in
/// cookies (no JavaScript, no server-side state) and goes back.
pub async fn preferences(
    State(state): State<AppState>,
    uri: Uri,
    query: Result<Query<Preferences>, QueryRejection>,
) -> PageResult {
    let Query(p) = query.map_err(|_| {
        PageError::new(
            &state,
            "en",
            Error::Malformed(format!("bad preferences in {uri}")),
        )
    })?;
    let secure = state
        .service
        .page()
        .await
        .map(|page| page.url.starts_with("https://"))
        .unwrap_or(false);
    let attrs = format!(
        "Path=/; HttpOnly; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    );
    let back = same_site_path(p.return_to.as_deref().unwrap_or("/"));
    let mut response = Redirect::to(&back).into_response();
    *response.status_mut() = StatusCode::SEE_OTHER;
    let mut set = |value: String| {
        if let Ok(v) = HeaderValue::from_str(&value) {
            response.headers_mut().append(header::SET_COOKIE, v);
        }
    };
    if let Some(lang) = p.lang.filter(|l| is_supported_locale(l)) {
        set(format!("{LANG_COOKIE}={lang}; Max-Age=31536000; {attrs}"));
    }
    match p.tz.as_deref() {
        Some("") => set(format!("{TZ_COOKIE}=; Max-Age=0; {attrs}")),
        Some(z) if z.parse::<Tz>().is_ok() => set(format!(
            "{TZ_COOKIE}={}; Max-Age=31536000; {attrs}",
            z.replace('/', "%2F")
        )),
        _ => {}
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// `raw` as a path on this site, or `/` when it is not one: only visible ASCII (browsers drop
/// tabs and newlines, so `/\t/evil.example` would become `//evil.example`), no backslash
/// (read as `/`), one leading slash after the dot segments are resolved as a browser resolves
/// them (`/.//evil.example`, `/%2e%2e//evil.example`), so no scheme and no other host.
pub fn same_site_path(raw: &str) -> String {
    const HOME: &str = "/";
    if !raw.starts_with('/')
        || raw.starts_with("//")
        || raw
            .bytes()
            .any(|b| !(0x21..=0x7e).contains(&b) || b == b'\\')
    {
        return HOME.into();
    }
    let split = raw.find(['?', '#']).unwrap_or(raw.len());
    let (path, rest) = raw.split_at(split);
    let mut segments: Vec<&str> = Vec::new();
    let mut pieces = path.split('/').skip(1).peekable();
    while let Some(segment) = pieces.next() {
        let last = pieces.peek().is_none();
        match segment.to_ascii_lowercase().as_str() {
            "." | "%2e" => {
                if last {
                    segments.push("");
                }
            }
            ".." | ".%2e" | "%2e." | "%2e%2e" => {
                segments.pop();
                if last {
                    segments.push("");
                }
            }
            _ => segments.push(segment),
        }
    }
    let resolved = format!("/{}", segments.join("/"));
    if resolved.starts_with("//") {
        return HOME.into();
    }
    format!("{resolved}{rest}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_same_site_paths_are_returned_to() {
        for (raw, expected) in [
            ("/fr/history", "/fr/history"),
            (
                "/console/incidents/abc?locale=fr#x",
                "/console/incidents/abc?locale=fr#x",
            ),
            ("/a/./b/../c", "/a/c"),
            ("/a/..", "/"),
            ("/\t/evil.example/path", "/"),
            ("//evil.example", "/"),
            ("/\\evil.example", "/"),
            ("/.//evil.example", "/"),
            ("/a/..//evil.example", "/"),
            ("/%2e%2E//evil.example", "/"),
            ("https://evil.example", "/"),
            ("javascript:alert(1)", "/"),
            (" /x", "/"),
            ("/x y", "/"),
            ("/caf\u{e9}", "/"),
            ("", "/"),
        ] {
            assert_eq!(super::same_site_path(raw), expected, "{raw:?}");
        }
    }
}
