//! The page cache: rendered pages, feeds and `/api/v2` documents, kept by generation of the
//! data and age, rendered once per change for everyone asking meanwhile (single flight), and
//! answered with conditional GET.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use tokio::sync::watch;

use super::AppState;
use crate::domain::{PageSettings, SUPPORTED_LOCALES};
use crate::error::Error;

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
pub(super) struct Rendered {
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
    pub(super) fn new(body: Bytes, locale: &str) -> Rendered {
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
    pub(super) fn peek(&self, key: &str, generation: u64, now: DateTime<Utc>) -> Option<Rendered> {
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
    pub(super) fn fresh_settings(
        &self,
        generation: u64,
        now: DateTime<Utc>,
    ) -> Option<Arc<PageSettings>> {
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

/// Answers with a rendered page: 304 when the client has this version.
pub(super) fn respond(prefixed: bool, headers: &HeaderMap, page: &Rendered) -> Response {
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

/// The answer under `key`: the cached copy, the outcome of a render in progress, or the
/// outcome of `render`, run as a task of its own (see `serve`).
pub(super) async fn obtain<F, Fut>(
    state: &AppState,
    key: String,
    render: F,
) -> Result<Rendered, Arc<Error>>
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
pub(super) fn document_key(path: &str) -> String {
    format!("document|{path}")
}

/// Paths answered by `document`.
pub(super) fn is_document(path: &str) -> bool {
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
pub(super) fn respond_document(headers: &HeaderMap, doc: &Rendered) -> Response {
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
