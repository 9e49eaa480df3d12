//! Atom and RSS history feeds (docs/feeds.md): one entry per incident or maintenance holding all its
//! updates, per language and per component, with conditional GET. The XML is written by the
//! `atom_syndication` and `rss` crates; the HTML inside comes from `render`.
//!
//! Every text is safe whichever way a reader takes it: names and titles go out as HTML with
//! their markup escaped (Atom `type="html"`; RSS, whose readers often treat `<title>` and
//! `<description>` as HTML, the same), so `<img onerror=…>` in a page, component or incident
//! name shows as text and never runs.

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;
use chrono::{DateTime, FixedOffset, SubsecRound, Utc};
use chrono_tz::Tz;
use fluent_bundle::FluentArgs;

use super::errors::error_page;
use super::lang::visitor_locale;
use super::page_cache::Document;
use super::AppState;
use crate::domain::{
    is_supported_locale, Incident, IncidentDetail, IncidentKind, IncidentStatus, Localizer,
    TranslatableKind,
};
use crate::error::Error;
use crate::i18n::I18n;
use crate::read::published_postmortem;
use crate::render::escape::html as escape;
use crate::render::labels;
use crate::render::markdown::to_html;
use crate::render::time::{is_utc, zones, Formatter};

/// Entries in a feed (Statuspage's number).
pub const ENTRIES: i64 = 25;

pub const ATOM_MIME: &str = "application/atom+xml";
pub const RSS_MIME: &str = "application/rss+xml";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Atom,
    Rss,
}

impl Format {
    fn extension(self) -> &'static str {
        match self {
            Format::Atom => "atom",
            Format::Rss => "rss",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Atom => "application/atom+xml; charset=utf-8",
            Format::Rss => "application/rss+xml; charset=utf-8",
        }
    }
}

/// One feed a page can advertise with `<link rel="alternate">`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedLink {
    /// Path from the site root, e.g. `/fr/components/abc/history.atom`.
    pub href: String,
    /// `application/atom+xml` or `application/rss+xml`.
    pub mime: &'static str,
    /// `atom` or `rss`.
    pub format: &'static str,
}

/// The Atom and RSS feeds matching a page: in `locale` (None: the page's default feeds) and
/// about `component_id` (None: the whole page). Pure, for `<link rel="alternate">` in `<head>`.
pub fn feed_links(locale: Option<&str>, component_id: Option<&str>) -> Vec<FeedLink> {
    let base = feed_path(locale, component_id);
    [Format::Atom, Format::Rss]
        .into_iter()
        .map(|f| FeedLink {
            href: format!("{base}.{}", f.extension()),
            mime: match f {
                Format::Atom => ATOM_MIME,
                Format::Rss => RSS_MIME,
            },
            format: f.extension(),
        })
        .collect()
}

/// `/fr/components/abc/history`, without the extension.
fn feed_path(locale: Option<&str>, component_id: Option<&str>) -> String {
    let mut path = String::new();
    if let Some(l) = locale {
        path.push('/');
        path.push_str(l);
    }
    if let Some(c) = component_id {
        path.push_str("/components/");
        path.push_str(c);
    }
    path.push_str("/history");
    path
}

// ---- handlers, one per route shape ----

pub async fn atom(State(s): State<AppState>, h: HeaderMap) -> Response {
    serve(&s, &h, None, None, Format::Atom).await
}

pub async fn rss(State(s): State<AppState>, h: HeaderMap) -> Response {
    serve(&s, &h, None, None, Format::Rss).await
}

pub async fn atom_in(State(s): State<AppState>, Path(l): Path<String>, h: HeaderMap) -> Response {
    serve(&s, &h, Some(l), None, Format::Atom).await
}

pub async fn rss_in(State(s): State<AppState>, Path(l): Path<String>, h: HeaderMap) -> Response {
    serve(&s, &h, Some(l), None, Format::Rss).await
}

pub async fn component_atom(
    State(s): State<AppState>,
    Path(id): Path<String>,
    h: HeaderMap,
) -> Response {
    serve(&s, &h, None, Some(id), Format::Atom).await
}

pub async fn component_rss(
    State(s): State<AppState>,
    Path(id): Path<String>,
    h: HeaderMap,
) -> Response {
    serve(&s, &h, None, Some(id), Format::Rss).await
}

pub async fn component_atom_in(
    State(s): State<AppState>,
    Path((l, id)): Path<(String, String)>,
    h: HeaderMap,
) -> Response {
    serve(&s, &h, Some(l), Some(id), Format::Atom).await
}

pub async fn component_rss_in(
    State(s): State<AppState>,
    Path((l, id)): Path<(String, String)>,
    h: HeaderMap,
) -> Response {
    serve(&s, &h, Some(l), Some(id), Format::Rss).await
}

/// A feed, cached like pages (`page_cache::document`): built once per change of the data, then
/// answered from the cache, with conditional GET.
async fn serve(
    state: &AppState,
    headers: &HeaderMap,
    locale: Option<String>,
    component: Option<String>,
    format: Format,
) -> Response {
    let path = format!(
        "{}.{}",
        feed_path(locale.as_deref(), component.as_deref()),
        format.extension()
    );
    let shown = locale
        .clone()
        .filter(|l| is_supported_locale(l))
        .unwrap_or_else(|| visitor_locale(headers, "en"));
    let make = move |state: AppState| async move {
        let feed = build(&state, locale.as_deref(), component.as_deref()).await?;
        let body = match format {
            Format::Atom => feed.to_atom(),
            Format::Rss => feed.to_rss(),
        }?;
        Ok(document(body, feed.updated, format.content_type()))
    };
    let on_error = |e: &Error| error_page(&state.i18n, &shown, e);
    super::page_cache::document(state, &path, headers, make, on_error).await
}

/// The feed's answer: its body, with an ETag and Last-Modified for conditional GET.
fn document(body: String, modified: DateTime<Utc>, content_type: &'static str) -> Document {
    use sha2::{Digest, Sha256};
    let etag = format!(
        "\"{}\"",
        hex::encode(&Sha256::digest(body.as_bytes())[..16])
    );
    let modified = modified.trunc_subsecs(0);
    let last_modified = modified.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    let mut h = HeaderMap::new();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=30"),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&last_modified) {
        h.insert(header::LAST_MODIFIED, v);
    }
    Document {
        body: body.into(),
        headers: h,
        etag: Some(etag),
        modified: Some(modified),
    }
}

// ---- the feed, independent of its format ----

struct Feed {
    /// The feed's own URL (its Atom id).
    url: String,
    /// The HTML page it follows.
    page_link: String,
    title: String,
    author: String,
    lang: String,
    updated: DateTime<Utc>,
    entries: Vec<FeedEntry>,
}

struct FeedEntry {
    id: String,
    title: String,
    link: String,
    published: DateTime<Utc>,
    updated: DateTime<Utc>,
    html: String,
}

/// The host of the page URL, for `tag:` URIs.
fn host(url: &str) -> String {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let host = host.split(':').next().unwrap_or("");
    if host.is_empty() {
        "localhost".to_string()
    } else {
        host.to_ascii_lowercase()
    }
}

/// The entry id: stable for the incident's life, the same in every component feed, suffixed by
/// locale in per-language feeds.
fn entry_id(host: &str, incident: &Incident, locale: Option<&str>) -> String {
    let mut id = format!(
        "tag:{host},{}:incident/{}",
        incident.created_at.format("%Y-%m-%d"),
        incident.id
    );
    if let Some(l) = locale {
        id.push('/');
        id.push_str(l);
    }
    id
}

/// When the entry was published (docs/feeds.md): the resolution of a finished incident, the start
/// of an upcoming maintenance, else the latest update.
fn published_at(d: &IncidentDetail) -> DateTime<Utc> {
    let i = &d.incident;
    let latest = d
        .updates
        .iter()
        .map(|u| u.display_at)
        .max()
        .unwrap_or(i.created_at);
    if i.status.is_closed() {
        i.milestones.resolved_at.unwrap_or(latest)
    } else if i.status == IncidentStatus::Scheduled {
        i.scheduled_for.unwrap_or(latest)
    } else {
        latest
    }
}

/// A date and time in UTC and the display zones: `March 10, 2024, 2:00 AM UTC | 6:00 PM PST`,
/// or full dates on every side when the zones are not on the same date.
fn when(f: &Formatter, at: DateTime<Utc>, display: &[Tz]) -> String {
    let same_date = display
        .iter()
        .filter(|z| !is_utc(**z))
        .all(|z| at.with_timezone(z).date_naive() == at.date_naive());
    let stamp = f.stamp(at, display);
    if same_date {
        format!("{}, {stamp}", f.date(at.date_naive()))
    } else {
        stamp
    }
}

/// The entry's HTML: the maintenance window, every update newest first, then the postmortem.
fn entry_html(i18n: &I18n, locale: &str, display: &[Tz], d: &IncidentDetail) -> String {
    let f = Formatter::new(i18n, locale);
    let i = &d.incident;
    let loc = Localizer::new(&d.translations, locale, &i.locale);
    let mut html = String::new();
    if i.kind == IncidentKind::Maintenance && i.status == IncidentStatus::Scheduled {
        if let (Some(start), Some(end)) = (i.scheduled_for, i.scheduled_until) {
            let mut args = FluentArgs::new();
            args.set("start", when(&f, start, display));
            args.set("end", when(&f, end, display));
            html.push_str(&format!(
                "<p><strong>{}</strong></p>\n",
                escape(&i18n.format(locale, "feed-maintenance-window", Some(&args)))
            ));
        }
    }
    for (n, u) in d.updates.iter().enumerate().rev() {
        let same_as_before = n > 0 && d.updates[n - 1].status == u.status;
        let label = if same_as_before {
            i18n.text(locale, "feed-update")
        } else {
            i18n.text(locale, labels::incident_status(u.status))
        };
        let message = loc.text(TranslatableKind::Update, &u.id, "message", &u.message);
        html.push_str(&format!(
            "<p><small>{}</small><br /><strong>{}</strong></p>\n{}",
            escape(&when(&f, u.display_at, display)),
            escape(&label),
            to_html(&message.text)
        ));
    }
    if let Some(p) = published_postmortem(d) {
        let kind = TranslatableKind::Postmortem;
        html.push_str(&format!(
            "<h3>{}</h3>\n",
            escape(&i18n.text(locale, "feed-postmortem"))
        ));
        if let Some(summary) = loc.opt(kind, &i.id, "summary", p.summary.as_deref()) {
            html.push_str(&to_html(&summary.text));
        }
        for (key, field, original) in [
            ("feed-root-cause", "root_cause", &p.root_cause),
            ("feed-resolution", "resolution", &p.resolution),
        ] {
            html.push_str(&format!("<h4>{}</h4>\n", escape(&i18n.text(locale, key))));
            html.push_str(&to_html(&loc.text(kind, &i.id, field, original).text));
        }
        if !d.remediation_items.is_empty() {
            html.push_str(&format!(
                "<h4>{}</h4>\n<ul>\n",
                escape(&i18n.text(locale, "feed-remediation"))
            ));
            for r in &d.remediation_items {
                let title = loc.text(TranslatableKind::RemediationItem, &r.id, "title", &r.title);
                html.push_str(&format!(
                    "<li>{} (<strong>{}</strong>)</li>\n",
                    escape(&title.text),
                    escape(&i18n.text(locale, labels::remediation_state(r.state)))
                ));
            }
            html.push_str("</ul>\n");
        }
    }
    html
}

/// Loads and lays out a feed, in a fixed number of queries.
async fn build(
    state: &AppState,
    locale: Option<&str>,
    component_id: Option<&str>,
) -> Result<Feed, Error> {
    let page = state.service.page().await?;
    if let Some(l) = locale {
        if !page.locales.iter().any(|p| p == l) {
            return Err(Error::NotFound(format!("no feed in `{l}` on this page")));
        }
    }
    let lang = locale.unwrap_or(&page.default_locale).to_string();
    let data = state.read.feed(component_id, ENTRIES).await?;
    let page_name = Localizer::new(&data.page_translations, &lang, &page.default_locale)
        .text(TranslatableKind::Page, &page.id, "name", &page.name)
        .text;
    let mut args = FluentArgs::new();
    args.set("page", page_name.clone());
    let title = match &data.component {
        Some((c, texts)) => {
            let name = Localizer::new(texts, &lang, &page.default_locale)
                .text(TranslatableKind::Component, &c.id, "name", &c.name)
                .text;
            args.set("component", name);
            state
                .i18n
                .format(&lang, "feed-component-title", Some(&args))
        }
        None => state.i18n.format(&lang, "feed-title", Some(&args)),
    };
    let component = data.component.as_ref().map(|(c, _)| c);
    let details = &data.details;
    let host = host(&page.url);
    let site = match locale {
        Some(l) => format!("{}/{l}", page.url),
        None => page.url.clone(),
    };
    let display = zones(&page.display_time_zones);
    let mut entries: Vec<FeedEntry> = details
        .iter()
        .map(|d| {
            let i = &d.incident;
            let loc = Localizer::new(&d.translations, &lang, &i.locale);
            FeedEntry {
                id: entry_id(&host, i, locale),
                title: loc
                    .text(TranslatableKind::Incident, &i.id, "title", &i.title)
                    .text,
                link: format!("{site}/incidents/{}", i.id),
                published: published_at(d),
                updated: i.updated_at,
                html: entry_html(&state.i18n, &lang, &display, d),
            }
        })
        .collect();
    // Newest first by the date readers show; ties keep the store's order.
    entries.sort_by_key(|e| std::cmp::Reverse(e.published));
    let updated = entries
        .iter()
        .map(|e| e.updated)
        .chain([page.updated_at])
        .max()
        .unwrap_or(page.updated_at);
    Ok(Feed {
        url: format!("{}{}", page.url, feed_path(locale, component_id)),
        page_link: match &component {
            Some(c) => format!("{site}/components/{}", c.id),
            None => site.clone(),
        },
        title,
        author: page_name,
        lang,
        updated,
        entries,
    })
}

/// The written document, or a logged 500.
fn xml<E: std::fmt::Display>(written: Result<Vec<u8>, E>) -> Result<String, Error> {
    written
        .map_err(|e| anyhow::anyhow!("cannot write a feed: {e}"))
        .and_then(|bytes| String::from_utf8(bytes).map_err(Into::into))
        .map_err(Error::Internal)
}

fn fixed(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.fixed_offset()
}

impl Feed {
    fn to_atom(&self) -> Result<String, Error> {
        use atom_syndication as atom;
        let link = |href: &str, rel: &str, mime: Option<&str>| atom::Link {
            href: href.to_string(),
            rel: rel.to_string(),
            mime_type: mime.map(Into::into),
            ..Default::default()
        };
        let feed = atom::Feed {
            title: atom::Text::html(escape(&self.title)),
            id: format!("{}.atom", self.url),
            updated: fixed(self.updated),
            authors: vec![atom::Person {
                name: escape(&self.author),
                ..Default::default()
            }],
            links: vec![
                link(&format!("{}.atom", self.url), "self", Some(ATOM_MIME)),
                link(&self.page_link, "alternate", Some("text/html")),
            ],
            generator: Some(atom::Generator {
                value: "Herald".into(),
                ..Default::default()
            }),
            lang: Some(self.lang.clone()),
            entries: self
                .entries
                .iter()
                .map(|e| atom::Entry {
                    title: atom::Text::html(escape(&e.title)),
                    id: e.id.clone(),
                    updated: fixed(e.updated),
                    published: Some(fixed(e.published)),
                    links: vec![link(&e.link, "alternate", Some("text/html"))],
                    content: Some(atom::Content {
                        value: Some(e.html.clone()),
                        content_type: Some("html".into()),
                        ..Default::default()
                    }),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        };
        xml(feed.write_to(Vec::new()))
    }

    fn to_rss(&self) -> Result<String, Error> {
        let self_link = atom_syndication::Link {
            href: format!("{}.rss", self.url),
            rel: "self".into(),
            mime_type: Some(RSS_MIME.into()),
            ..Default::default()
        };
        let channel = rss::Channel {
            title: escape(&self.title),
            link: self.page_link.clone(),
            description: escape(&self.title),
            language: Some(self.lang.clone()),
            last_build_date: Some(self.updated.to_rfc2822()),
            generator: Some("Herald".into()),
            atom_ext: Some(rss::extension::atom::AtomExtension {
                links: vec![self_link],
            }),
            items: self
                .entries
                .iter()
                .map(|e| rss::Item {
                    title: Some(escape(&e.title)),
                    link: Some(e.link.clone()),
                    guid: Some(rss::Guid {
                        value: e.id.clone(),
                        permalink: false,
                    }),
                    pub_date: Some(e.published.to_rfc2822()),
                    description: Some(e.html.clone()),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        };
        xml(channel.write_to(Vec::new()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_and_hosts() {
        let links = feed_links(Some("fr"), Some("abc"));
        assert_eq!(links[0].href, "/fr/components/abc/history.atom");
        assert_eq!(links[0].mime, ATOM_MIME);
        assert_eq!(links[1].href, "/fr/components/abc/history.rss");
        assert_eq!(feed_links(None, None)[1].href, "/history.rss");
        assert_eq!(
            host("https://Status.Example.com:8443/x"),
            "status.example.com"
        );
        assert_eq!(host("http://127.0.0.1:3000"), "127.0.0.1");
        assert_eq!(host(""), "localhost");
    }
}
