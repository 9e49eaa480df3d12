//! The public site: who the visitor is (locale, time zone), the page cache, and one handler per
//! page. Pages are rendered from the read model and kept for up to a second (or until the next
//! write), so a rush of visitors costs little and a new update still shows within a second.

use std::borrow::Cow;
use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::{header, request::Parts, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use tokio::sync::watch;

use super::errors::error_page;
use super::AppState;
use crate::domain::{PageSettings, SUPPORTED_LOCALES};
use crate::error::Error;
use crate::read;
use crate::render::pages::{self, Ctx};

pub const LANG_COOKIE: &str = "herald_lang";
pub const TZ_COOKIE: &str = "herald_tz";
/// How long a rendered page may be served while the data has not changed: its relative parts
/// ("today", the uptime bar, "next update by") move with the clock. Changes to the data
/// invalidate at once (the service's generation, bumped by writes here and by the change
/// watcher for writes elsewhere).
const FRESH_FOR: Duration = Duration::from_secs(60);
/// Browsers and shared caches may keep a page this many seconds.
const BROWSER_MAX_AGE: &str = "public, max-age=5";

struct Cached {
    generation: u64,
    /// When it was rendered, by the app's clock.
    at: DateTime<Utc>,
    page: Rendered,
    /// When it was last served, by the cache's own counter: the least recently used goes
    /// first when the cache is full.
    used: AtomicU64,
}

/// What an entry holds in memory, roughly, beyond its key and body: its bookkeeping and its
/// two header maps.
const ENTRY_OVERHEAD: usize = 1024;

fn weight(key: &str, page: &Rendered) -> usize {
    key.len() + page.body.len() + ENTRY_OVERHEAD
}

/// A rendered page with its ETag and its response headers, built once when it is rendered.
#[derive(Clone)]
struct Rendered {
    body: Bytes,
    etag: Arc<str>,
    /// The headers of a 200, for an unprefixed URL (varies by Accept-Language) and a prefixed
    /// one.
    headers: Arc<[HeaderMap; 2]>,
    /// A document's Last-Modified, for If-Modified-Since.
    modified: Option<DateTime<Utc>>,
}

/// A feed or `/api/v2` answer as its handler builds it, cached and answered like pages.
pub struct Document {
    pub body: Bytes,
    /// The headers of a 200; a 304 has them all but `Content-Type`.
    pub headers: HeaderMap,
    /// Its ETag, quotes included, if it has one (If-None-Match).
    pub etag: Option<String>,
    /// Its Last-Modified, if it has one (If-Modified-Since, when there is no If-None-Match).
    pub modified: Option<DateTime<Utc>>,
}

impl Rendered {
    fn new(body: Bytes, locale: &str) -> Rendered {
        let etag: Arc<str> = format!("\"{}\"", hex::encode(&Sha256::digest(&body)[..10])).into();
        // Locales are the supported ones, so their header value is static.
        let language = SUPPORTED_LOCALES
            .iter()
            .find(|l| **l == locale)
            .map(|l| HeaderValue::from_static(l))
            .or_else(|| HeaderValue::from_str(locale).ok())
            .unwrap_or(HeaderValue::from_static("en"));
        let tag = HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"0\""));
        let headers = |vary: &'static str| {
            let mut h = HeaderMap::with_capacity(8);
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            );
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static(BROWSER_MAX_AGE),
            );
            h.insert(header::VARY, HeaderValue::from_static(vary));
            h.insert(header::CONTENT_LANGUAGE, language.clone());
            h.insert(header::ETAG, tag.clone());
            h
        };
        Rendered {
            headers: Arc::new([headers("Accept-Language, Cookie"), headers("Cookie")]),
            body,
            etag,
            modified: None,
        }
    }

    fn document(d: Document) -> Rendered {
        Rendered {
            body: d.body,
            etag: d.etag.unwrap_or_default().into(),
            headers: Arc::new([d.headers.clone(), d.headers]),
            modified: d.modified,
        }
    }
}

/// How long ago `at` was, by the app's clock; `None` if it lies ahead (the clock moved back).
fn age(at: DateTime<Utc>, now: DateTime<Utc>) -> Option<Duration> {
    (now >= at).then(|| (now - at).to_std().ok()).flatten()
}

/// Page settings with the generation and time they were read at.
type CachedSettings = (u64, DateTime<Utc>, Arc<PageSettings>);

/// How a render ended, for every request waiting for it.
type Outcome = Result<Rendered, Arc<Error>>;

/// A render in progress: requests for the same page wait for it rather than render again.
struct Flight {
    id: u64,
    /// The data generation it renders (read before its data).
    generation: u64,
    done: watch::Receiver<Option<Outcome>>,
}

#[derive(Default)]
struct Pages {
    map: HashMap<String, Cached>,
    /// The sum of the entries' weights.
    bytes: usize,
}

/// Rendered pages and the page settings, by generation of the data and age; at most `limit`
/// bytes of pages, the least recently used evicted first.
pub struct PageCache {
    pages: RwLock<Pages>,
    /// Renders in progress, by cache key. A render runs as its own task and removes its entry
    /// when it ends however it ends, so a client hanging up cannot leave a page "being
    /// rendered" forever.
    flights: Mutex<HashMap<String, Flight>>,
    next_flight: AtomicU64,
    /// The clock of `Cached::used`.
    uses: AtomicU64,
    limit: usize,
    settings: RwLock<Option<CachedSettings>>,
    /// One settings read at a time: a rush on an empty cache reads them once.
    settings_load: tokio::sync::Mutex<()>,
}

/// How long a stale copy may stand in while one request renders the new one.
const STALE_FOR: Duration = Duration::from_secs(5);

enum Lookup {
    Hit(Rendered),
    /// Another request is rendering this page: wait for its outcome.
    Wait(watch::Receiver<Option<Outcome>>),
    /// Render it, and `finish` the flight.
    Render(FlightGuard),
}

/// The right (and duty) to render one page: finishing it caches the page and wakes the
/// waiters; dropping it unfinished (a panic) wakes them with nothing and lets the next request
/// try again.
struct FlightGuard {
    cache: Arc<PageCache>,
    key: String,
    id: u64,
    generation: u64,
    done: watch::Sender<Option<Outcome>>,
}

impl FlightGuard {
    fn finish(self, outcome: Outcome, now: DateTime<Utc>) {
        if let Ok(page) = &outcome {
            // Cached before the flight ends, so no request finds neither.
            self.cache
                .put(self.key.clone(), self.generation, page.clone(), now);
        }
        self.done.send_replace(Some(outcome));
    }
}

impl Drop for FlightGuard {
    fn drop(&mut self) {
        let mut flights = self.cache.flights.lock().unwrap_or_else(|e| e.into_inner());
        if flights.get(&self.key).is_some_and(|f| f.id == self.id) {
            flights.remove(&self.key);
        }
    }
}

/// The default bound of the page cache, in bytes.
pub const DEFAULT_CACHE_BYTES: usize = 64 * 1024 * 1024;

impl Default for PageCache {
    fn default() -> PageCache {
        PageCache::new(DEFAULT_CACHE_BYTES)
    }
}

impl PageCache {
    /// An empty cache holding at most `limit` bytes of pages.
    pub fn new(limit: usize) -> PageCache {
        PageCache {
            pages: RwLock::default(),
            flights: Mutex::default(),
            next_flight: AtomicU64::new(0),
            uses: AtomicU64::new(0),
            limit,
            settings: RwLock::default(),
            settings_load: tokio::sync::Mutex::new(()),
        }
    }

    /// How many pages it holds and their weight in bytes (keys, bodies and overhead).
    pub fn size(&self) -> (usize, usize) {
        let pages = self.pages.read().unwrap_or_else(|e| e.into_inner());
        (pages.map.len(), pages.bytes)
    }

    /// Its bound in bytes.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// A fresh page; or, when a request is already rendering it, the previous copy or that
    /// render's outcome (single flight: a rush never renders the same page twice at once,
    /// cached copy or not).
    fn get(self: &Arc<Self>, key: &str, generation: u64, now: DateTime<Utc>) -> Lookup {
        if let Some(page) = self.peek(key, generation, now) {
            return Lookup::Hit(page);
        }
        let mut flights = self.flights.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(f) = flights.get(key) {
            if f.generation >= generation {
                return Lookup::Wait(f.done.clone());
            }
        }
        // A render may have ended between the look above and taking the lock: it cached its
        // page before leaving `flights`.
        if let Some(page) = self.fresh(key, generation, now) {
            return Lookup::Hit(page);
        }
        let (done, receiver) = watch::channel(None);
        let id = self.next_flight.fetch_add(1, Ordering::Relaxed);
        flights.insert(
            key.to_string(),
            Flight {
                id,
                generation,
                done: receiver,
            },
        );
        Lookup::Render(FlightGuard {
            cache: self.clone(),
            key: key.to_string(),
            id,
            generation,
            done,
        })
    }

    fn put(&self, key: String, generation: u64, page: Rendered, now: DateTime<Utc>) {
        let weight = weight(&key, &page);
        if weight > self.limit {
            return;
        }
        let used = AtomicU64::new(self.uses.fetch_add(1, Ordering::Relaxed));
        let mut pages = self.pages.write().unwrap_or_else(|e| e.into_inner());
        let pages = &mut *pages;
        if let Some(old) = pages.map.get(&key) {
            // A slower render of older data does not replace a newer page.
            if old.generation > generation {
                return;
            }
            pages.bytes -= weight_of(&key, old);
        }
        pages.bytes += weight;
        pages.map.insert(
            key,
            Cached {
                generation,
                at: now,
                page,
                used,
            },
        );
        if pages.bytes > self.limit {
            // Down to 90% of the bound, least recently used first, so evictions come in
            // batches rather than on every render.
            let target = self.limit / 10 * 9;
            let mut by_use: Vec<(u64, &String)> = pages
                .map
                .iter()
                .map(|(k, c)| (c.used.load(Ordering::Relaxed), k))
                .collect();
            by_use.sort_unstable();
            let mut bytes = pages.bytes;
            let mut evicted = Vec::new();
            for (_, k) in by_use {
                if bytes <= target {
                    break;
                }
                bytes -= weight_of(k, &pages.map[k]);
                evicted.push(k.clone());
            }
            for k in evicted {
                pages.map.remove(&k);
            }
            pages.bytes = bytes;
        }
    }

    /// A page of this generation younger than `FRESH_FOR`.
    fn fresh(&self, key: &str, generation: u64, now: DateTime<Utc>) -> Option<Rendered> {
        self.look(key, now, |c, age| {
            c.generation == generation && age < FRESH_FOR
        })
    }

    /// The entry under `key` if `usable` says so (given its age), marked as used.
    fn look(
        &self,
        key: &str,
        now: DateTime<Utc>,
        usable: impl FnOnce(&Cached, Duration) -> bool,
    ) -> Option<Rendered> {
        let pages = self.pages.read().unwrap_or_else(|e| e.into_inner());
        let c = pages.map.get(key)?;
        let age = age(c.at, now)?;
        if !usable(c, age) {
            return None;
        }
        c.used
            .store(self.uses.fetch_add(1, Ordering::Relaxed), Ordering::Relaxed);
        Some(c.page.clone())
    }

    /// A fresh page, or the previous copy while a request renders the new one; never starts a
    /// render (that is `get`'s job, on the routed path).
    fn peek(&self, key: &str, generation: u64, now: DateTime<Utc>) -> Option<Rendered> {
        if let Some(page) = self.fresh(key, generation, now) {
            return Some(page);
        }
        let rendering = self
            .flights
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains_key(key);
        if !rendering {
            return None;
        }
        self.look(key, now, |_, age| age < FRESH_FOR + STALE_FOR)
    }

    /// The page settings if read at this generation less than `FRESH_FOR` ago.
    fn fresh_settings(&self, generation: u64, now: DateTime<Utc>) -> Option<Arc<PageSettings>> {
        let settings = self.settings.read().unwrap_or_else(|e| e.into_inner());
        let (g, at, page) = settings.as_ref()?;
        (*g == generation && age(*at, now).is_some_and(|age| age < FRESH_FOR)).then(|| page.clone())
    }

    pub async fn settings(&self, state: &AppState) -> Result<Arc<PageSettings>, Error> {
        let generation = state.service.generation();
        if let Some(page) = self.fresh_settings(generation, state.clock.now()) {
            return Ok(page);
        }
        let _one_at_a_time = self.settings_load.lock().await;
        let generation = state.service.generation();
        let now = state.clock.now();
        if let Some(page) = self.fresh_settings(generation, now) {
            return Ok(page);
        }
        let page = Arc::new(state.service.page().await?);
        let entry = Some((generation, now, page.clone()));
        *self.settings.write().unwrap_or_else(|e| e.into_inner()) = entry;
        Ok(page)
    }
}

fn weight_of(key: &str, c: &Cached) -> usize {
    weight(key, &c.page)
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The best of `enabled` for an `Accept-Language` header, honouring q-values.
pub fn negotiate(accept: &str, enabled: &[String]) -> Option<String> {
    best_of(accept, enabled).map(str::to_string)
}

/// [`negotiate`], borrowing the chosen locale from `enabled`.
fn best_of<'e>(accept: &str, enabled: &'e [String]) -> Option<&'e str> {
    let mut wanted: Vec<(f32, usize, &str)> = accept
        .split(',')
        .enumerate()
        .filter_map(|(i, part)| {
            let mut pieces = part.split(';');
            let tag = pieces.next()?.trim();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            (!tag.is_empty() && q > 0.0).then_some((q, i, tag))
        })
        .collect();
    wanted.sort_by(|a, b| {
        b.0.partial_cmp(&a.0)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.1.cmp(&b.1))
    });
    for (_, _, tag) in wanted {
        if let Some(exact) = enabled.iter().find(|l| l.eq_ignore_ascii_case(tag)) {
            return Some(exact.as_str());
        }
        let primary = tag.split('-').next().unwrap_or(tag);
        if let Some(near) = enabled.iter().find(|l| {
            l.split('-')
                .next()
                .is_some_and(|p| p.eq_ignore_ascii_case(primary))
        }) {
            return Some(near.as_str());
        }
    }
    None
}

/// The language of an unprefixed page: the visitor's cookie, else `Accept-Language`, else
/// the page's default.
fn negotiated<'a>(headers: &'a HeaderMap, page: &'a PageSettings) -> &'a str {
    let enabled = &page.locales;
    cookie(headers, LANG_COOKIE)
        .filter(|l| enabled.iter().any(|e| e == l))
        .or_else(|| {
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|h| h.to_str().ok())
                .and_then(|h| best_of(h, enabled))
        })
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
    fn cache_key(&self) -> String {
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

/// Answers with a rendered page: 304 when the client has this version.
fn respond(prefixed: bool, headers: &HeaderMap, page: &Rendered) -> Response {
    let mut out = page.headers[usize::from(prefixed)].clone();
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .any(|t| t.trim() == &*page.etag || t.trim() == "*")
        });
    let mut r = if matches {
        out.remove(header::CONTENT_TYPE);
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        Response::new(axum::body::Body::from(page.body.clone()))
    };
    *r.headers_mut() = out;
    r
}

/// Answers with this visitor's page: the cached copy, the outcome of a render in progress, or
/// a render by `load`, run as a task of its own so that it finishes and caches the page (and
/// lets the waiting requests go) even if the request that started it goes away.
async fn serve<F, Fut>(state: AppState, visitor: Visitor, headers: &HeaderMap, load: F) -> Response
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
    match obtain(&state, key, render).await {
        Ok(page) => respond(visitor.prefixed, headers, &page),
        Err(e) => error_page(&state.i18n, &visitor.locale, &e),
    }
}

/// The answer under `key`: the cached copy, the outcome of a render in progress, or the
/// outcome of `render`, run as a task of its own (see `serve`).
async fn obtain<F, Fut>(state: &AppState, key: String, render: F) -> Result<Rendered, Arc<Error>>
where
    F: FnOnce() -> Fut + Send + 'static,
    Fut: Future<Output = Result<Rendered, Error>> + Send + 'static,
{
    let generation = state.service.generation();
    let mut done = match state.pages.get(&key, generation, state.clock.now()) {
        Lookup::Hit(page) => return Ok(page),
        Lookup::Wait(done) => done,
        Lookup::Render(flight) => {
            let done = flight.done.subscribe();
            let clock = state.clock.clone();
            tokio::spawn(async move {
                let outcome = render().await.map_err(Arc::new);
                flight.finish(outcome, clock.now());
            });
            done
        }
    };
    let outcome = done
        .wait_for(Option::is_some)
        .await
        .ok()
        .and_then(|outcome| (*outcome).clone());
    // None: the render panicked; the next request tries again.
    outcome.unwrap_or_else(|| {
        Err(Arc::new(Error::Internal(anyhow::anyhow!(
            "a render ended without an answer"
        ))))
    })
}

/// The cache key of a feed or `/api/v2` document: its path. They read no query and do not
/// vary by visitor (a feed's language is in its path).
fn document_key(path: &str) -> String {
    format!("document|{path}")
}

/// Paths answered by `document`.
fn is_document(path: &str) -> bool {
    path.starts_with("/api/v2/")
        || path.ends_with("/history.atom")
        || path.ends_with("/history.rss")
}

/// Answers a feed or `/api/v2` GET for `path` like a page: from the cache (also on the fast
/// path), from a build in progress, or built by `build` once for everyone asking meanwhile;
/// invalidated by writes like pages. A failed build is answered by `on_error` and not cached.
pub async fn document<F, Fut>(
    state: &AppState,
    path: &str,
    headers: &HeaderMap,
    build: F,
    on_error: impl FnOnce(&Error) -> Response,
) -> Response
where
    F: FnOnce(AppState) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Document, Error>> + Send + 'static,
{
    let task_state = state.clone();
    let render = move || async move { build(task_state).await.map(Rendered::document) };
    match obtain(state, document_key(path), render).await {
        Ok(doc) => respond_document(headers, &doc),
        Err(e) => on_error(&e),
    }
}

/// Answers with a cached document: 304 when the reader has this version (If-None-Match, weak
/// or strong, over If-Modified-Since, as RFC 9110 13.2.2 says).
fn respond_document(headers: &HeaderMap, doc: &Rendered) -> Response {
    let not_modified = match headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    {
        Some(tags) => {
            !doc.etag.is_empty()
                && tags
                    .split(',')
                    .map(|t| t.trim().trim_start_matches("W/"))
                    .any(|t| t == &*doc.etag || t == "*")
        }
        None => headers
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| DateTime::parse_from_rfc2822(v).ok())
            .zip(doc.modified)
            .is_some_and(|(since, modified)| modified <= since.with_timezone(&Utc)),
    };
    let mut out = doc.headers[0].clone();
    let mut r = if not_modified {
        out.remove(header::CONTENT_TYPE);
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        Response::new(axum::body::Body::from(doc.body.clone()))
    };
    *r.headers_mut() = out;
    r
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

pub async fn home(State(state): State<AppState>, visitor: Visitor, headers: HeaderMap) -> Response {
    serve(state, visitor, &headers, |state, visitor, now| async move {
        let data = read::home(state.service.store().as_ref(), now).await?;
        render_page(&state, &visitor, now, |ctx| pages::home(ctx, &data))
    })
    .await
}

pub async fn incident(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
) -> Response {
    serve(state, visitor, &headers, |state, visitor, now| async move {
        let data = read::incident(state.service.store().as_ref(), &last_segment(&visitor)).await?;
        render_page(&state, &visitor, now, |ctx| pages::incident(ctx, &data))
    })
    .await
}

/// The query parameters of the history and component pages. Any other parameter is ignored
/// (and left out of the cache key, see `canonical_query`).
#[derive(Deserialize)]
pub struct ListQuery {
    /// History: which three months, counting back from this one.
    page: Option<u32>,
    /// History: continue after this incident (a period with more incidents than one page
    /// lists).
    after: Option<String>,
    /// Component page: incidents that started before this instant.
    before: Option<DateTime<Utc>>,
}

pub async fn history(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(q)) = query else {
        return error_page(
            &state.i18n,
            &visitor.locale,
            &Error::NotFound("no such history page".into()),
        );
    };
    serve(
        state,
        visitor,
        &headers,
        move |state, visitor, now| async move {
            let n = q.page.unwrap_or(0).min(1200);
            let newest = n * read::HISTORY_MONTHS;
            let oldest = newest + read::HISTORY_MONTHS - 1;
            let from = pages::month_start(now, oldest)
                .and_hms_opt(0, 0, 0)
                .unwrap_or_default()
                .and_utc();
            let to = if newest == 0 {
                now + chrono::Duration::days(400)
            } else {
                pages::month_start(now, newest - 1)
                    .and_hms_opt(0, 0, 0)
                    .unwrap_or_default()
                    .and_utc()
            };
            let store = state.service.store().as_ref();
            let data = read::history(store, from, to, q.after.as_deref()).await?;
            render_page(&state, &visitor, now, |ctx| pages::history(ctx, &data, n))
        },
    )
    .await
}

pub async fn component(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(q)) = query else {
        return error_page(
            &state.i18n,
            &visitor.locale,
            &Error::NotFound("no such page".into()),
        );
    };
    serve(
        state,
        visitor,
        &headers,
        move |state, visitor, now| async move {
            let store = state.service.store().as_ref();
            let data = read::component(store, &last_segment(&visitor), now, q.before).await?;
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
    query: Result<Query<Preferences>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(p)) = query else {
        return error_page(
            &state.i18n,
            "en",
            &Error::Malformed(format!("bad preferences in {uri}")),
        );
    };
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
    if let Some(lang) = p.lang.filter(|l| SUPPORTED_LOCALES.contains(&l.as_str())) {
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
    response
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

    #[test]
    fn negotiates_by_quality_then_order() {
        let enabled: Vec<String> = ["en", "fr", "pt-BR", "ja"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            super::negotiate("fr-CH, fr;q=0.9, en;q=0.8", &enabled).as_deref(),
            Some("fr")
        );
        assert_eq!(
            super::negotiate("de, en;q=0.5", &enabled).as_deref(),
            Some("en")
        );
        assert_eq!(
            super::negotiate("en;q=0.2, ja", &enabled).as_deref(),
            Some("ja")
        );
        assert_eq!(
            super::negotiate("pt-br", &enabled).as_deref(),
            Some("pt-BR")
        );
        assert_eq!(
            super::negotiate("pt-PT", &enabled).as_deref(),
            Some("pt-BR")
        );
        assert_eq!(super::negotiate("de", &enabled), None);
    }
}
