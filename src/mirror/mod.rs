//! The static mirror: every public page, feed, `/api/v2` document, badge and asset, written
//! to a directory that any plain web server, object store or CDN can serve while Herald's
//! own host is down.
//!
//! The mirror renders nothing itself: each file is the router's answer to a GET of its path,
//! made in-process (the same bytes the live server sends, page cache included), asked as a
//! visitor without cookies or `Accept-Language` (so unprefixed pages are in the page's
//! default language). Pages then get a generation notice ("as of … UTC") and lose the
//! time-zone form, which needs a cookie a static host cannot set. Paths are found by
//! following the pages' own links from every incident, component and language, so the mirror
//! holds exactly what the pages link to.
//!
//! `herald export DIR` writes it once; `herald serve --mirror DIR` writes it at start, then
//! after each write rewrites a bounded set of paths (see [`Mirror::update`]), only the files
//! whose bytes changed, each atomically, new files before the pages that link to them.

mod files;
mod hook;
mod sitemap;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use tower::ServiceExt;

use crate::read::paths;
use crate::web::AppState;

pub use files::{direct_language_links, file_of};

/// A path no page has: its answer is the mirror's `404.html`.
const MISSING: &str = "/__herald-mirror__/missing";
/// How often `serve --mirror` looks for new writes (a write of this process is seen at the
/// next look; one of another instance after the change watcher's poll).
const POLL: Duration = Duration::from_millis(100);
/// How often the pages whose content moves with the clock alone (uptime bars, "last 14
/// days", maintenances coming up) are rendered again; only changed files are rewritten.
const REFRESH: Duration = Duration::from_secs(300);

/// What a batch did.
#[derive(Debug, Default, Clone)]
pub struct Report {
    /// Paths rendered (asked of the router).
    pub rendered: usize,
    /// Files written (not counting `.gz` and `.br`), and their paths.
    pub written: Vec<String>,
    /// Bytes of the files written, `.gz` and `.br` included.
    pub bytes: u64,
    /// Links to paths that did not answer 200: (page, target, status).
    pub broken: Vec<(String, String, u16)>,
}

/// A mirror directory and what the mirror knows about it.
pub struct Mirror {
    state: AppState,
    app: Router,
    dir: PathBuf,
    /// The page's public URL, without a trailing slash: absolute links under it are internal.
    base: String,
    /// Every path in the mirror (written, or found unchanged).
    known: HashSet<String>,
    /// HTML pages and their `hreflang` alternates, for the sitemap.
    pages: BTreeMap<String, Vec<(String, String)>>,
    /// Incident id → the pages that link to it (and so show its title and status).
    listed_on: HashMap<String, BTreeSet<String>>,
    /// The last history page written (`/history?page=N`): the one after the oldest
    /// incident's. Every history page links to an older one, endlessly; the mirror stops
    /// here, so the last page's "older" link is the one link the mirror answers with 404.
    last_history_page: u32,
}

/// One pass over a set of paths.
struct Batch {
    queue: VecDeque<String>,
    queued: HashSet<String>,
    /// Follow every link (an export), or only links to paths not yet in the mirror.
    follow_all: bool,
    /// The directory was empty: nobody reads it yet, so nothing waits for its links.
    fresh: bool,
    /// Pages held back until the new files they link to are written.
    deferred: Vec<(String, PathBuf, Vec<u8>)>,
    notice_at: String,
    report: Report,
}

impl Mirror {
    pub fn new(state: AppState, dir: impl Into<PathBuf>) -> Mirror {
        let app = crate::web::build_app(state.clone());
        Mirror {
            state,
            app,
            dir: dir.into(),
            base: String::new(),
            known: HashSet::new(),
            pages: BTreeMap::new(),
            listed_on: HashMap::new(),
            last_history_page: 1,
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes the whole mirror (only files whose content changed, into an existing one).
    pub async fn export(&mut self) -> anyhow::Result<Report> {
        let page = self.page_settings().await?;
        let everything = paths::everything(self.store())
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        self.last_history_page = everything.oldest.map_or(1, |oldest| {
            let now = self.state.clock.now();
            let months = |t: chrono::DateTime<chrono::Utc>| {
                i64::from(chrono::Datelike::year(&t)) * 12 + i64::from(chrono::Datelike::month0(&t))
            };
            u32::try_from((months(now) - months(oldest)).max(0) / 3 + 1).unwrap_or(1)
        });
        let mut seeds = Vec::new();
        for id in &everything.incidents {
            seeds.extend(in_every_locale(&page.locales, &format!("/incidents/{id}")));
        }
        for c in &everything.components {
            seeds.extend(in_every_locale(
                &page.locales,
                &format!("/components/{}", c.id),
            ));
        }
        seeds.extend(self.hubs(&page.locales));
        let fresh = std::fs::read_dir(&self.dir).map_or(true, |mut d| d.next().is_none());
        let mut batch = self.batch(seeds, true, fresh);
        self.run(&mut batch).await?;
        self.finish(&mut batch).await?;
        Ok(batch.report)
    }

    /// Rewrites what the writes not in `seen` (audit ids) can have changed, and returns the
    /// newest audit ids, the next call's `seen`. The paths asked for do not grow with the
    /// history: each changed incident's page and the pages listing it, every home and first history page, the
    /// affected components' pages and feeds, the page feeds, `/api/v2`, the badge and the
    /// sitemap; plus any page they now link to that the mirror does not have yet. Something
    /// every page shows (the page settings, a component) rewrites everything.
    pub async fn update(
        &mut self,
        seen: &HashSet<String>,
    ) -> anyhow::Result<(Report, HashSet<String>)> {
        let changes = paths::changes_since(self.store(), seen)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        if changes.everything {
            return Ok((self.export().await?, changes.seen));
        }
        if changes.incidents.is_empty() {
            return Ok((Report::default(), changes.seen));
        }
        let report = self
            .refresh(&changes.incidents, Some(&changes.components))
            .await?;
        Ok((report, changes.seen))
    }

    /// Renders the bounded set of [`Mirror::update`] for these incidents again, with the pages
    /// and feeds of these components (all components: `None`).
    pub async fn refresh(
        &mut self,
        incidents: &[String],
        components: Option<&[String]>,
    ) -> anyhow::Result<Report> {
        let page = self.page_settings().await?;
        let mut seeds = Vec::new();
        for id in incidents {
            seeds.extend(in_every_locale(&page.locales, &format!("/incidents/{id}")));
            seeds.extend(self.listed_on.get(id).into_iter().flatten().cloned());
        }
        let ids: Vec<String> = match components {
            Some(ids) => ids.to_vec(),
            None => paths::everything_components(self.store())
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?,
        };
        for id in &ids {
            seeds.extend(in_every_locale(&page.locales, &format!("/components/{id}")));
        }
        seeds.extend(
            self.known
                .iter()
                .filter(|p| is_feed(p))
                .filter(|p| match p.split_once("/components/") {
                    Some((_, rest)) => ids.iter().any(|id| rest.starts_with(&format!("{id}/"))),
                    None => true,
                })
                .cloned(),
        );
        seeds.extend(self.hubs(&page.locales));
        let mut batch = self.batch(seeds, false, false);
        self.run(&mut batch).await?;
        self.finish(&mut batch).await?;
        Ok(batch.report)
    }

    /// The paths every batch renders, home pages last (they link to everything else).
    fn hubs(&self, locales: &[String]) -> Vec<String> {
        let mut hubs = vec![
            "/badge.svg".to_string(),
            "/badge.json".to_string(),
            "/history.atom".to_string(),
            "/history.rss".to_string(),
        ];
        hubs.extend(
            crate::web::API_ROUTES
                .iter()
                .filter(|(method, path)| *method == "get" && path.starts_with("/api/v2/"))
                .map(|(_, path)| path.to_string()),
        );
        hubs.extend(in_every_locale(locales, "/history"));
        hubs.push("/".to_string());
        hubs.extend(locales.iter().map(|l| format!("/{l}/")));
        hubs
    }

    fn batch(&self, seeds: Vec<String>, follow_all: bool, fresh: bool) -> Batch {
        let mut batch = Batch {
            queue: VecDeque::new(),
            queued: HashSet::new(),
            follow_all,
            fresh,
            deferred: Vec::new(),
            notice_at: self.state.clock.now().format("%Y-%m-%d %H:%M").to_string(),
            report: Report::default(),
        };
        for seed in seeds {
            batch.push(seed);
        }
        batch
    }

    fn store(&self) -> &dyn crate::store::Store {
        self.state.service.store().as_ref()
    }

    async fn page_settings(&mut self) -> anyhow::Result<crate::domain::PageSettings> {
        let page = self
            .state
            .service
            .page()
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        self.base = page.url.trim_end_matches('/').to_string();
        Ok(page)
    }

    /// Renders the queue, following links, writing each changed file (or deferring it).
    async fn run(&mut self, batch: &mut Batch) -> anyhow::Result<()> {
        while let Some(path) = batch.queue.pop_front() {
            batch.report.rendered += 1;
            let (status, html, body) = self.get(&path).await?;
            if status != StatusCode::OK {
                tracing::warn!(%path, %status, "mirror: a path did not answer 200");
                batch
                    .report
                    .broken
                    .push((String::new(), path, status.as_u16()));
                continue;
            }
            let Some(rel) = file_of(&path) else { continue };
            let bytes = if html {
                let page = String::from_utf8_lossy(&body).into_owned();
                self.learn_page(batch, &path, &page);
                files::mirror_page(&page, &self.notice(&page, &batch.notice_at)).into_bytes()
            } else {
                body.to_vec()
            };
            self.put(batch, path, rel, bytes)?;
        }
        Ok(())
    }

    /// Records a page's links and alternates, and queues the links to follow.
    fn learn_page(&mut self, batch: &mut Batch, path: &str, page: &str) {
        for link in files::links(page, &self.base) {
            if !is_mirrored(&link) || history_page(&link) > Some(self.last_history_page) {
                continue;
            }
            if let Some(id) = incident_in(&link) {
                self.listed_on
                    .entry(id.to_string())
                    .or_default()
                    .insert(path.to_string());
            }
            if batch.follow_all || !self.known.contains(&link) {
                batch.push(link);
            }
        }
        self.pages.insert(path.to_string(), files::alternates(page));
    }

    /// Writes a rendered file unless the disk has it already; holds it back while it links to
    /// a file that is not written yet.
    fn put(
        &mut self,
        batch: &mut Batch,
        path: String,
        rel: PathBuf,
        bytes: Vec<u8>,
    ) -> anyhow::Result<()> {
        if files::unchanged(&self.dir, &rel, &bytes) {
            self.known.insert(path);
            return Ok(());
        }
        let waits = !batch.fresh
            && rel.extension().is_some_and(|e| e == "html")
            && files::links(&String::from_utf8_lossy(&bytes), &self.base)
                .iter()
                .filter(|l| is_mirrored(l) && !self.known.contains(*l))
                .any(|l| file_of(l).is_some_and(|f| !self.dir.join(f).exists()));
        if waits {
            batch.deferred.push((path, rel, bytes));
            return Ok(());
        }
        self.write(batch, path, &rel, &bytes)
    }

    fn write(
        &mut self,
        batch: &mut Batch,
        path: String,
        rel: &Path,
        bytes: &[u8],
    ) -> anyhow::Result<()> {
        files::write_atomically(&self.dir, rel, bytes)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", self.dir.join(rel).display()))?;
        batch.report.bytes += on_disk_size(&self.dir.join(rel));
        batch.report.written.push(path.clone());
        self.known.insert(path);
        Ok(())
    }

    /// The held-back pages (newest found first: they are what the earlier ones link to), then
    /// the 404 page, `robots.txt` and the sitemap.
    async fn finish(&mut self, batch: &mut Batch) -> anyhow::Result<()> {
        for (path, rel, bytes) in std::mem::take(&mut batch.deferred).into_iter().rev() {
            self.write(batch, path, &rel, &bytes)?;
        }
        let (_, _, body) = self.get(MISSING).await?;
        let page = String::from_utf8_lossy(&body).into_owned();
        let not_found = files::mirror_page(&page, &self.notice(&page, &batch.notice_at));
        self.put_plain(batch, "/404.html", not_found.as_bytes())?;
        let robots = sitemap::robots(&self.base);
        self.put_plain(batch, "/robots.txt", robots.as_bytes())?;
        for (name, body) in sitemap::sitemaps(&self.base, &self.pages) {
            self.put_plain(batch, &name, body.as_bytes())?;
        }
        Ok(())
    }

    fn put_plain(&mut self, batch: &mut Batch, path: &str, bytes: &[u8]) -> anyhow::Result<()> {
        let rel = PathBuf::from(path.trim_start_matches('/'));
        if files::unchanged(&self.dir, &rel, bytes) {
            return Ok(());
        }
        self.write(batch, path.to_string(), &rel, bytes)
    }

    /// The router's answer to a cookie-less GET of `path`: status, whether it is HTML, body.
    async fn get(&self, path: &str) -> anyhow::Result<(StatusCode, bool, axum::body::Bytes)> {
        let request = Request::get(path).body(Body::empty())?;
        let response = self
            .app
            .clone()
            .oneshot(request)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let status = response.status();
        let html = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await?;
        Ok((status, html, body))
    }

    /// "As of … UTC" in the page's language (its `<html lang>`).
    fn notice(&self, page: &str, at: &str) -> String {
        let lang = page
            .split_once("<html lang=\"")
            .and_then(|(_, rest)| rest.split_once('"'))
            .map_or("en", |(lang, _)| lang);
        let mut args = fluent_bundle::FluentArgs::new();
        args.set("time", at.to_string());
        self.state.i18n.format(lang, "mirror-as-of", Some(&args))
    }
}

impl Batch {
    fn push(&mut self, path: String) {
        if self.queued.insert(path.clone()) {
            self.queue.push_back(path);
        }
    }
}

/// `path` unprefixed and under every enabled locale.
fn in_every_locale(locales: &[String], path: &str) -> Vec<String> {
    let mut all = vec![path.to_string()];
    all.extend(locales.iter().map(|l| format!("/{l}{path}")));
    all
}

/// A feed's path (the page's, a language's or a component's).
fn is_feed(path: &str) -> bool {
    path.ends_with("/history.atom") || path.ends_with("/history.rss")
}

/// Whether a linked path belongs in the mirror: the public site, its feeds, `/api/v2`, the
/// badge and assets; not the console, the cookie-setting `/preferences`, the write API or the
/// health checks.
fn is_mirrored(path: &str) -> bool {
    let bare = path.split('?').next().unwrap_or(path);
    let excluded = bare.starts_with("/console")
        || bare == "/preferences"
        || bare == "/healthz"
        || bare == "/readyz"
        || (bare.starts_with("/api/") && !bare.starts_with("/api/v2/"));
    !excluded && file_of(path).is_some()
}

/// N of a `/history?page=N…` path (any language).
fn history_page(path: &str) -> Option<u32> {
    let (bare, query) = path.split_once('?')?;
    if !bare.ends_with("/history") {
        return None;
    }
    query
        .split('&')
        .find_map(|kv| kv.strip_prefix("page="))
        .and_then(|n| n.parse().ok())
}

/// The incident id of `/incidents/ID` or `/LOCALE/incidents/ID`.
fn incident_in(path: &str) -> Option<&str> {
    let bare = path.split('?').next().unwrap_or(path);
    let (_, id) = bare.split_once("/incidents/")?;
    (!id.is_empty() && !id.contains('/')).then_some(id)
}

/// The bytes of a file and of its `.gz` and `.br`.
fn on_disk_size(file: &Path) -> u64 {
    [".gz", ".br", ""]
        .iter()
        .map(|suffix| {
            let mut name = file.as_os_str().to_owned();
            name.push(suffix);
            std::fs::metadata(name).map_or(0, |m| m.len())
        })
        .sum()
}

/// `herald serve --mirror DIR`: writes the mirror once, then keeps it fresh after every write
/// until stopped, running `hook` after each batch that wrote something.
pub fn spawn(
    state: AppState,
    dir: PathBuf,
    hook: Option<String>,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let hook = hook.map(|cmd| hook::spawn(cmd, dir.clone(), stopped.clone()));
    tokio::spawn(async move {
        let mut mirror = Mirror::new(state.clone(), dir);
        let store = state.service.store().clone();
        let mut since = paths::changes_since(store.as_ref(), &HashSet::new())
            .await
            .map(|c| c.seen)
            .unwrap_or_default();
        let mut generation = state.service.generation();
        let started = Instant::now();
        match mirror.export().await {
            Ok(report) => {
                tracing::info!(
                    dir = %mirror.dir().display(),
                    rendered = report.rendered,
                    written = report.written.len(),
                    seconds = started.elapsed().as_secs_f64(),
                    "mirror written"
                );
                hook::ran_batch(hook.as_ref(), &report);
            }
            Err(e) => tracing::error!(error = %e, "cannot write the mirror"),
        }
        let mut last_refresh = Instant::now();
        let mut interval = tokio::time::interval(POLL);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = interval.tick() => {}
                _ = stopped.wait_for(|s| *s) => return,
            }
            let now_generation = state.service.generation();
            let outcome = if now_generation != generation {
                generation = now_generation;
                let updated = mirror.update(&since).await;
                updated.map(|(report, latest)| {
                    since = latest;
                    report
                })
            } else if last_refresh.elapsed() >= REFRESH {
                last_refresh = Instant::now();
                mirror.refresh(&[], None).await
            } else {
                continue;
            };
            match outcome {
                Ok(report) => {
                    if !report.written.is_empty() {
                        tracing::info!(written = report.written.len(), "mirror updated");
                    }
                    hook::ran_batch(hook.as_ref(), &report);
                }
                Err(e) => tracing::error!(error = %e, "cannot update the mirror"),
            }
        }
    })
}
