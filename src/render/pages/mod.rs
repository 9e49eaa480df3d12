//! View models of the public pages: data from `read`, texts from the locale files and the
//! localizer, times from `time`, Markdown from `markdown`. Templates only lay them out.
//!
//! This module holds what every page shares (the reader's context, the layout, the list
//! entry); each page kind has its file: `home`, `incident`, `history`, `component`, with the
//! component rows and scopes in `components` and the uptime bar in `uptime`.

mod component;
mod components;
mod history;
mod home;
mod incident;
mod uptime;

use std::sync::Arc;

use chrono::{DateTime, Timelike, Utc};
use chrono_tz::Tz;
use fluent_bundle::FluentArgs;

use super::labels;
use super::localize::{Lang, Notices, PageTexts};
use super::markdown;
use super::time::Formatter;
use super::Tr;
use crate::domain::{ComponentStatus, Impact, Incident, IncidentKind, Indicator, TranslatableKind};
use crate::i18n::I18n;
use crate::read::{Common, IncidentList};

/// A group's status is its worst child's (the rule lives in `domain`; kept here for callers
/// that name it by this path).
pub use component::{component, ComponentPage};
pub use components::{component_rows, scope, ComponentRow};
pub use history::{history, HistoryPage, MonthView};
pub use home::{home, DayRow, HomePage, IncidentCard};
pub use incident::{incident, IncidentPage, ItemView, PostmortemView, TimelineEntry};
pub use uptime::{uptime, Uptime};

/// One reader's view of the page: locale, zones, the clock, and the site's chrome.
pub struct Ctx<'a> {
    pub i18n: &'a Arc<I18n>,
    pub locale: &'a str,
    /// Zones every time is shown in, besides UTC (page's, then the visitor's).
    pub zones: Vec<Tz>,
    pub visitor_zone: Option<Tz>,
    pub now: DateTime<Utc>,
    /// The path of this page without locale prefix, e.g. `/incidents/abc`.
    pub path: &'a str,
    pub query: &'a str,
    pub css_href: &'a str,
    pub icon_href: &'a str,
    /// The feeds this page advertises: (href, MIME type, `atom` or `rss`).
    pub feeds: Vec<(String, &'static str, &'static str)>,
}

impl<'a> Ctx<'a> {
    pub fn t(&self, key: &str) -> String {
        self.i18n.text(self.locale, key)
    }

    fn f(&self, key: &str, args: &[(&str, String)]) -> String {
        let mut fa = FluentArgs::new();
        for (k, v) in args {
            fa.set(*k, v.clone());
        }
        self.i18n.format(self.locale, key, Some(&fa))
    }

    fn fmt(&self) -> Formatter<'_> {
        Formatter::new(self.i18n, self.locale)
    }

    fn stamp(&self, at: DateTime<Utc>) -> String {
        self.fmt().stamp(at, &self.zones)
    }

    /// A link within the site, in the reader's locale.
    pub fn href(&self, path: &str) -> String {
        format!("/{}{}", self.locale, path)
    }
}

pub struct LangLink {
    pub tag: String,
    pub name: String,
    pub href: String,
    pub current: bool,
}

pub struct ZoneOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The chrome every page shares (base.html).
pub struct Layout {
    /// The interface strings of the page's language: `{{ layout.tr.t("key") }}`.
    pub tr: Tr,
    pub lang: String,
    pub title: String,
    pub description: String,
    pub canonical: String,
    pub alternates: Vec<(String, String)>,
    pub x_default: String,
    pub feeds: Vec<(String, String, String)>,
    pub css_href: String,
    pub icon_href: String,
    pub page_name: String,
    pub page_name_lang: Lang,
    pub home_href: String,
    pub history_href: String,
    pub languages: Vec<LangLink>,
    pub tz_options: Vec<ZoneOption>,
    pub return_to: String,
    pub footer_html: String,
    pub api_href: String,
}

/// Zones offered to visitors (a short, useful list; any IANA zone is accepted by cookie).
pub const OFFERED_ZONES: &[&str] = &[
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Denver",
    "America/Chicago",
    "America/New_York",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Istanbul",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
];

/// A language's name in the reader's language, for notices.
fn language_in(ctx: &Ctx, tag: &str) -> String {
    labels::language_in(tag)
        .map(|k| ctx.t(k))
        .unwrap_or_else(|| tag.to_string())
}

fn page_text(ctx: &Ctx, common: &Common, field: &str, original: &str) -> (String, Lang) {
    let l = PageTexts::new(&common.page_translations, ctx.locale);
    l.marked(
        TranslatableKind::Page,
        &common.page.id,
        field,
        original,
        &common.page.default_locale,
    )
}

/// The zones offered to the visitor: none, the visitor's own (when not offered), the offered.
fn zone_options(ctx: &Ctx) -> Vec<ZoneOption> {
    let visitor = ctx.visitor_zone.map(|z| z.name().to_string());
    let mut offered: Vec<&str> = OFFERED_ZONES.to_vec();
    if let Some(v) = visitor.as_deref() {
        if !offered.contains(&v) {
            offered.insert(0, v);
        }
    }
    let none = ZoneOption {
        value: String::new(),
        label: ctx.t("tz-none"),
        selected: visitor.is_none(),
    };
    std::iter::once(none)
        .chain(offered.into_iter().map(|z| ZoneOption {
            value: z.to_string(),
            label: z.replace('_', " "),
            selected: visitor.as_deref() == Some(z),
        }))
        .collect()
}

/// The language switcher: each enabled language by its own name, through `/preferences`.
fn language_links(ctx: &Ctx, locales: &[String], suffix: &str) -> Vec<LangLink> {
    locales
        .iter()
        .map(|l| LangLink {
            tag: l.clone(),
            name: labels::language_name(l)
                .map(|k| ctx.i18n.text(l, k))
                .unwrap_or_else(|| l.clone()),
            href: format!(
                "/preferences?lang={l}&return={}",
                urlencode(&format!("/{l}{}{suffix}", ctx.path))
            ),
            current: l == ctx.locale,
        })
        .collect()
}

/// The feeds the page advertises: (href, MIME type, title).
fn feed_links(ctx: &Ctx) -> Vec<(String, String, String)> {
    ctx.feeds
        .iter()
        .map(|(href, mime, format)| {
            let title = if *format == "rss" {
                ctx.t("feed-rss")
            } else {
                ctx.t("feed-atom")
            };
            (href.clone(), mime.to_string(), title)
        })
        .collect()
}

pub fn layout(ctx: &Ctx, common: &Common, title: Option<String>) -> Layout {
    let page = &common.page;
    let (page_name, page_name_lang) = page_text(ctx, common, "name", &page.name);
    let base = page.url.trim_end_matches('/');
    let suffix = if ctx.query.is_empty() {
        String::new()
    } else {
        format!("?{}", ctx.query)
    };
    let return_to = format!("{}{}", ctx.href(ctx.path), suffix);
    let (footer, footer_lang) = page_text(ctx, common, "footer_markdown", &page.footer_markdown);
    let full_title = match title {
        Some(t) => format!("{t} · {page_name}"),
        None => ctx.f("page-title", &[("page", page_name.clone())]),
    };
    Layout {
        tr: Tr::new(ctx.i18n, ctx.locale),
        lang: ctx.locale.to_string(),
        description: ctx.f("page-description", &[("page", page_name.clone())]),
        title: full_title,
        canonical: format!("{base}{}{}", ctx.href(ctx.path), suffix),
        alternates: page
            .locales
            .iter()
            .map(|l| (l.clone(), format!("{base}/{l}{}{suffix}", ctx.path)))
            .collect(),
        x_default: format!("{base}{}{suffix}", ctx.path),
        feeds: feed_links(ctx),
        css_href: ctx.css_href.to_string(),
        icon_href: ctx.icon_href.to_string(),
        home_href: ctx.href("/"),
        history_href: ctx.href("/history"),
        languages: language_links(ctx, &page.locales, &suffix),
        tz_options: zone_options(ctx),
        return_to,
        footer_html: if footer.trim().is_empty() {
            String::new()
        } else {
            footer_lang.wrap(markdown::to_html(&footer))
        },
        api_href: "/api/v2/summary.json".into(),
        page_name,
        page_name_lang,
    }
}

/// Percent-encodes a query value (the few characters that matter in our paths).
pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

// ---- status presentation ----

/// Icon (decorative; the text beside it always names the status) and CSS class.
fn component_look(s: ComponentStatus) -> (&'static str, &'static str) {
    match s {
        ComponentStatus::Operational => ("✓", "ok"),
        ComponentStatus::DegradedPerformance => ("◐", "degraded"),
        ComponentStatus::PartialOutage => ("▲", "partial"),
        ComponentStatus::MajorOutage => ("✕", "major"),
        ComponentStatus::UnderMaintenance => ("⚙", "maintenance"),
    }
}

fn impact_class(i: Impact) -> &'static str {
    match i {
        Impact::None => "none",
        Impact::Minor => "minor",
        Impact::Major => "major",
        Impact::Critical => "critical",
        Impact::Maintenance => "maintenance",
    }
}

pub struct Banner {
    pub class: &'static str,
    pub icon: &'static str,
    pub text: String,
}

fn banner(ctx: &Ctx, indicator: Indicator) -> Banner {
    let (icon, class) = match indicator {
        Indicator::None => ("✓", "ok"),
        Indicator::Minor => ("◐", "minor"),
        Indicator::Major => ("▲", "major"),
        Indicator::Critical => ("✕", "critical"),
        Indicator::Maintenance => ("⚙", "maintenance"),
    };
    Banner {
        class,
        icon,
        text: ctx.t(labels::indicator(indicator)),
    }
}

// ---- durations ----

pub fn duration(ctx: &Ctx, seconds: i64) -> String {
    let minutes = (seconds + 30) / 60;
    let (d, h, m) = (minutes / 1440, (minutes % 1440) / 60, minutes % 60);
    if d > 0 {
        ctx.f(
            "duration-days-hours",
            &[("days", d.to_string()), ("hours", h.to_string())],
        )
    } else if h > 0 {
        ctx.f(
            "duration-hours-minutes",
            &[("hours", h.to_string()), ("minutes", m.to_string())],
        )
    } else {
        ctx.f("duration-minutes", &[("minutes", m.to_string())])
    }
}

pub struct ListEntry {
    pub href: String,
    pub title: String,
    pub title_lang: Lang,
    pub status_label: String,
    pub impact_class: &'static str,
    pub impact_label: String,
    pub when: String,
}

/// An incident's title in the reader's language, marked when shown untranslated.
fn incident_title(l: &PageTexts, i: &Incident) -> (String, Lang) {
    l.marked(
        TranslatableKind::Incident,
        &i.id,
        "title",
        &i.title,
        &i.locale,
    )
}

/// A maintenance window, one line per zone.
fn window(ctx: &Ctx, i: &Incident) -> Option<Vec<String>> {
    let (from, to) = (i.scheduled_for?, i.scheduled_until?);
    let lines: Vec<String> = ctx
        .fmt()
        .range(from, to, &ctx.zones)
        .split(" | ")
        .map(str::to_string)
        .collect();
    Some(lines)
}

fn entry(ctx: &Ctx, list: &IncidentList, i: &Incident) -> ListEntry {
    let l = PageTexts::new(&list.translations, ctx.locale);
    let fmt = ctx.fmt();
    let end = i.milestones.resolved_at.or(i
        .scheduled_until
        .filter(|_| i.kind == IncidentKind::Maintenance));
    let when = match end {
        Some(end) if end.date_naive() != i.started_at.date_naive() => {
            format!(
                "{} – {}",
                fmt.date_time(i.started_at, Tz::UTC),
                fmt.date_time(end, Tz::UTC)
            )
        }
        Some(end) => format!(
            "{}–{} UTC",
            fmt.date_time(i.started_at, Tz::UTC)
                .trim_end_matches(" UTC"),
            fmt.clock(end.hour(), end.minute())
        ),
        None => fmt.date_time(i.started_at, Tz::UTC),
    };
    let (title, title_lang) = incident_title(&l, i);
    ListEntry {
        href: ctx.href(&format!("/incidents/{}", i.id)),
        title,
        title_lang,
        status_label: ctx.t(labels::incident_status(i.status)),
        impact_class: impact_class(i.impact),
        impact_label: ctx.t(labels::impact(i.impact)),
        when,
    }
}

/// The notice of a list whose incidents are partly shown untranslated (as an incident page
/// says it), naming the languages they are shown in.
fn untranslated_notice(ctx: &Ctx, shown: &[&Lang]) -> Option<String> {
    let mut tags: Vec<&str> = Vec::new();
    for tag in shown.iter().filter_map(|l| l.tag()) {
        if !tags.contains(&tag) {
            tags.push(tag);
        }
    }
    if tags.is_empty() {
        return None;
    }
    let names: Vec<String> = tags.iter().map(|t| language_in(ctx, t)).collect();
    Some(ctx.f("notice-missing", &[("original", ctx.fmt().list(&names))]))
}

fn notice_lines(ctx: &Ctx, n: Notices, original: &str) -> Vec<String> {
    let mut lines = Vec::new();
    if n.machine {
        lines.push(ctx.f("notice-machine", &[("original", original.to_string())]));
    }
    if n.missing {
        lines.push(ctx.f("notice-missing", &[("original", original.to_string())]));
    }
    if n.stale {
        lines.push(ctx.f("notice-stale", &[("original", original.to_string())]));
    }
    lines
}
