//! View models of the public pages: data from `read`, texts from the locale files and the
//! localizer, times from `time`, Markdown from `markdown`. Templates only lay them out.

use std::collections::BTreeMap;

use askama::Template;
use chrono::{DateTime, Datelike, Duration, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;
use fluent_bundle::FluentArgs;

use super::i18n::I18n;
use super::labels;
use super::localize::{Lang, Localizer, Notices};
use super::markdown;
use super::time::Formatter;
use crate::domain::*;
use crate::read::{self, Common, IncidentList};

/// One reader's view of the page: locale, zones, the clock, and the site's chrome.
pub struct Ctx<'a> {
    pub i18n: &'a I18n,
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
    pub history_label: String,
    pub skip_to_content: String,
    pub nav_label: String,
    pub languages_label: String,
    pub languages: Vec<LangLink>,
    pub tz_label: String,
    pub tz_submit: String,
    pub tz_options: Vec<ZoneOption>,
    pub return_to: String,
    pub footer_html: String,
    pub more_info: String,
    pub subscribe_label: String,
    pub api_label: String,
    pub api_href: String,
    pub powered_by: String,
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

/// Language names in their own language, for the language switcher.
const LANGUAGE_KEYS: &[(&str, &str)] = &[
    ("en", "language-name-en"),
    ("fr", "language-name-fr"),
    ("de", "language-name-de"),
    ("es", "language-name-es"),
    ("pt-BR", "language-name-pt-BR"),
    ("ja", "language-name-ja"),
];

/// A language's name in the reader's language, for notices.
fn language_in(ctx: &Ctx, tag: &str) -> String {
    labels::language_in(tag)
        .map(|k| ctx.t(k))
        .unwrap_or_else(|| tag.to_string())
}

fn page_text(ctx: &Ctx, common: &Common, field: &str, original: &str) -> (String, Lang) {
    let l = Localizer::new(ctx.locale, &common.page_translations);
    l.marked(
        TranslatableKind::Page,
        &common.page.id,
        field,
        original,
        &common.page.default_locale,
    )
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
    let visitor = ctx.visitor_zone.map(|z| z.name().to_string());
    let mut tz_options = vec![ZoneOption {
        value: String::new(),
        label: ctx.t("tz-none"),
        selected: visitor.is_none(),
    }];
    let mut offered: Vec<&str> = OFFERED_ZONES.to_vec();
    if let Some(v) = visitor.as_deref() {
        if !offered.contains(&v) {
            offered.insert(0, v);
        }
    }
    for z in offered {
        tz_options.push(ZoneOption {
            value: z.to_string(),
            label: z.replace('_', " "),
            selected: visitor.as_deref() == Some(z),
        });
    }
    Layout {
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
        feeds: ctx
            .feeds
            .iter()
            .map(|(href, mime, format)| {
                let title = if *format == "rss" {
                    ctx.t("feed-rss")
                } else {
                    ctx.t("feed-atom")
                };
                (href.clone(), mime.to_string(), title)
            })
            .collect(),
        css_href: ctx.css_href.to_string(),
        icon_href: ctx.icon_href.to_string(),
        home_href: ctx.href("/"),
        history_href: ctx.href("/history"),
        history_label: ctx.t("nav-history"),
        skip_to_content: ctx.t("skip-to-content"),
        nav_label: ctx.t("nav-label"),
        languages_label: ctx.t("languages-label"),
        languages: page
            .locales
            .iter()
            .map(|l| LangLink {
                tag: l.clone(),
                name: LANGUAGE_KEYS
                    .iter()
                    .find(|k| k.0 == l)
                    .map(|k| ctx.i18n.text(l, k.1))
                    .unwrap_or_else(|| l.clone()),
                href: format!(
                    "/preferences?lang={l}&return={}",
                    urlencode(&format!("/{l}{}{suffix}", ctx.path))
                ),
                current: l == ctx.locale,
            })
            .collect(),
        tz_label: ctx.t("tz-label"),
        tz_submit: ctx.t("tz-submit"),
        tz_options,
        return_to,
        footer_html: if footer.trim().is_empty() {
            String::new()
        } else {
            footer_lang.wrap(markdown::to_html(&footer))
        },
        more_info: ctx.t("more-info-heading"),
        subscribe_label: ctx.t("subscribe-label"),
        api_label: ctx.t("api-label"),
        api_href: "/api/v2/summary.json".into(),
        powered_by: ctx.t("powered-by"),
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

// ---- components, scope and uptime ----

pub struct Uptime {
    pub percent: String,
    pub summary: String,
    /// The most frequent day's CSS class: the bar's own (`usual-<class>`), so that those
    /// days' cells need none and the page stays small (a year of good days is mostly `<li>`).
    pub usual: &'static str,
    /// CSS class of each day's cell, oldest first; empty for the usual one.
    pub cells: Vec<&'static str>,
    /// The days as text, runs of one status together.
    pub runs: Vec<String>,
    pub from_label: String,
    pub to_label: String,
    pub details_label: String,
}

pub struct ComponentRow {
    pub id: String,
    pub name: String,
    pub name_lang: Lang,
    pub href: String,
    pub description: Option<String>,
    pub description_lang: Lang,
    pub status_label: String,
    pub status_class: &'static str,
    pub icon: &'static str,
    pub is_group: bool,
    pub open: bool,
    pub children: Vec<ComponentRow>,
    pub uptime: Option<Uptime>,
    pub details_link: String,
}

fn component_name(ctx: &Ctx, common: &Common, c: &Component) -> String {
    component_name_marked(ctx, common, c).0
}

fn component_name_marked(ctx: &Ctx, common: &Common, c: &Component) -> (String, Lang) {
    Localizer::new(ctx.locale, &common.component_translations).marked(
        TranslatableKind::Component,
        &c.id,
        "name",
        &c.name,
        &common.page.default_locale,
    )
}

/// A group's status is its worst child's.
pub fn effective_status(c: &Component, all: &[Component]) -> ComponentStatus {
    if c.is_group {
        ComponentStatus::worst(
            all.iter()
                .filter(|k| k.group_id.as_deref() == Some(&c.id))
                .map(|k| k.status),
        )
    } else {
        c.status
    }
}

/// Weighted downtime: a major outage counts in full, a partial outage at 30%.
fn downtime_weight(s: ComponentStatus) -> f64 {
    match s {
        ComponentStatus::MajorOutage => 1.0,
        ComponentStatus::PartialOutage => 0.3,
        _ => 0.0,
    }
}

/// The 90-day bar of a leaf component (or of a group, from its children) from the status
/// history: one cell per UTC day coloured and labelled by the worst status that day.
pub fn uptime(ctx: &Ctx, members: &[&Component], history: &[StatusChange]) -> Uptime {
    let days = read::UPTIME_DAYS;
    let today = ctx.now.date_naive();
    let first_day = today - Duration::days(days - 1);
    let window_start = first_day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let mut worst_by_day: BTreeMap<NaiveDate, ComponentStatus> = BTreeMap::new();
    let mut down_seconds = 0.0;
    let mut counted_seconds = 0.0;
    for c in members {
        // Creation rows (no old status) say nothing about the time before them; a back-dated
        // change may even precede them.
        let changes: Vec<&StatusChange> = history
            .iter()
            .filter(|h| h.component_id == c.id && h.at >= window_start && h.old_status.is_some())
            .collect();
        // The status at the window's start: what the first change in the window changed from.
        let mut status = changes
            .first()
            .and_then(|h| h.old_status)
            .unwrap_or(c.status);
        let starts = c
            .start_date
            .map(|d| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc())
            .unwrap_or(c.created_at)
            .max(window_start);
        let mut cursor = window_start;
        let mut segments: Vec<(DateTime<Utc>, DateTime<Utc>, ComponentStatus)> = Vec::new();
        for h in &changes {
            if h.at > cursor {
                segments.push((cursor, h.at, status));
            }
            status = h.new_status;
            cursor = cursor.max(h.at);
        }
        segments.push((cursor, ctx.now, status));
        for (from, to, s) in segments {
            let from = from.max(starts);
            if to <= from {
                continue;
            }
            let secs = (to - from).num_seconds() as f64;
            counted_seconds += secs;
            down_seconds += secs * downtime_weight(s);
            let mut day = from.date_naive();
            // The segment running now covers today, even just after midnight.
            let last = if to == ctx.now {
                to.date_naive()
            } else {
                (to - Duration::seconds(1)).date_naive()
            };
            while day <= last {
                let e = worst_by_day.entry(day).or_insert(s);
                if s.severity() > e.severity() {
                    *e = s;
                }
                day += Duration::days(1);
            }
        }
    }
    let fmt = ctx.fmt();
    // One cell per day (the bar), and the same days as text, consecutive days of the same
    // status told once ("January 1 – January 30, 2024: Operational").
    let statuses: Vec<Option<ComponentStatus>> = (0..days)
        .map(|i| worst_by_day.get(&(first_day + Duration::days(i))).copied())
        .collect();
    let classes: Vec<&'static str> = statuses
        .iter()
        .map(|s| s.map(|s| component_look(s).1).unwrap_or("nodata"))
        .collect();
    let usual = [
        "ok",
        "nodata",
        "degraded",
        "partial",
        "major",
        "maintenance",
    ]
    .into_iter()
    .max_by_key(|c| classes.iter().filter(|d| *d == c).count())
    .unwrap_or("ok");
    let cells = classes
        .into_iter()
        .map(|c| if c == usual { "" } else { c })
        .collect();
    let label = |s: Option<ComponentStatus>| match s {
        Some(s) => ctx.t(labels::component_status(s)),
        None => ctx.t("uptime-no-data"),
    };
    let mut runs = Vec::new();
    let mut start = 0usize;
    for i in 1..=statuses.len() {
        if i == statuses.len() || statuses[i] != statuses[start] {
            let (from, to) = (
                first_day + Duration::days(start as i64),
                first_day + Duration::days(i as i64 - 1),
            );
            runs.push(if from == to {
                ctx.f(
                    "uptime-day",
                    &[("date", fmt.date(from)), ("status", label(statuses[start]))],
                )
            } else {
                ctx.f(
                    "uptime-run",
                    &[
                        ("from", fmt.date(from)),
                        ("to", fmt.date(to)),
                        ("status", label(statuses[start])),
                    ],
                )
            });
            start = i;
        }
    }
    let percent = if counted_seconds > 0.0 {
        100.0 * (1.0 - down_seconds / counted_seconds)
    } else {
        100.0
    };
    let percent = format!("{:.2} %", (percent * 100.0).floor() / 100.0);
    Uptime {
        summary: ctx.f(
            "uptime-summary",
            &[("percent", percent.clone()), ("days", days.to_string())],
        ),
        percent,
        usual,
        cells,
        runs,
        from_label: ctx.f("uptime-days-ago", &[("days", days.to_string())]),
        to_label: ctx.t("uptime-today"),
        details_label: ctx.t("uptime-details"),
    }
}

pub fn component_rows(ctx: &Ctx, common: &Common, history: &[StatusChange]) -> Vec<ComponentRow> {
    let all = &common.components;
    let row = |c: &Component, children: Vec<ComponentRow>| {
        let status = effective_status(c, all);
        let (icon, class) = component_look(status);
        let members: Vec<&Component> = if c.is_group {
            all.iter()
                .filter(|k| k.group_id.as_deref() == Some(&c.id))
                .collect()
        } else {
            vec![c]
        };
        let l = Localizer::new(ctx.locale, &common.component_translations);
        let (name, name_lang) = component_name_marked(ctx, common, c);
        let (description, description_lang) = match l.marked_opt(
            TranslatableKind::Component,
            &c.id,
            "description",
            c.description.as_deref(),
            &common.page.default_locale,
        ) {
            Some((d, lang)) => (Some(d), lang),
            None => (None, Lang::default()),
        };
        ComponentRow {
            id: c.id.clone(),
            name,
            name_lang,
            href: ctx.href(&format!("/components/{}", c.id)),
            description,
            description_lang,
            status_label: ctx.t(labels::component_status(status)),
            status_class: class,
            icon,
            is_group: c.is_group,
            open: status != ComponentStatus::Operational,
            children,
            uptime: (c.showcase && !members.is_empty()).then(|| uptime(ctx, &members, history)),
            details_link: ctx.f(
                "component-details",
                &[("component", component_name(ctx, common, c))],
            ),
        }
    };
    let visible = |c: &&Component| {
        !c.only_show_if_degraded || effective_status(c, all) != ComponentStatus::Operational
    };
    all.iter()
        .filter(|c| c.group_id.is_none())
        .filter(visible)
        .map(|c| {
            let children = all
                .iter()
                .filter(|k| k.group_id.as_deref() == Some(&c.id))
                .filter(visible)
                .map(|k| row(k, Vec::new()))
                .collect();
            row(c, children)
        })
        .collect()
}

/// Scope of an incident: "Sell — all Pods", "Sell — Pod 13, Pod 17", "Public API".
/// `summary` selects the phrasing used inside the summary sentence.
pub fn scope(ctx: &Ctx, common: &Common, affected: &[String], summary: bool) -> String {
    let all = &common.components;
    let mut parts: Vec<String> = Vec::new();
    let mut seen_groups: Vec<&str> = Vec::new();
    for id in affected {
        let Some(c) = all.iter().find(|c| &c.id == id) else {
            continue;
        };
        match c
            .group_id
            .as_deref()
            .and_then(|g| all.iter().find(|k| k.id == g))
        {
            Some(group) => {
                if seen_groups.contains(&group.id.as_str()) {
                    continue;
                }
                seen_groups.push(&group.id);
                let children: Vec<&Component> = all
                    .iter()
                    .filter(|k| k.group_id.as_deref() == Some(&group.id))
                    .collect();
                let hit: Vec<&&Component> = children
                    .iter()
                    .filter(|k| affected.contains(&k.id))
                    .collect();
                let group_name = component_name(ctx, common, group);
                let label = Localizer::new(ctx.locale, &common.component_translations).opt(
                    TranslatableKind::Component,
                    &group.id,
                    "children_label",
                    group.children_label.as_deref(),
                    &common.page.default_locale,
                );
                let text = if hit.len() == children.len() {
                    match (label, summary) {
                        (Some(l), false) => {
                            ctx.f("scope-all", &[("group", group_name), ("children", l)])
                        }
                        (Some(l), true) => ctx.f(
                            "summary-scope-all",
                            &[("group", group_name), ("children", l)],
                        ),
                        (None, false) => ctx.f("scope-all-components", &[("group", group_name)]),
                        (None, true) => {
                            ctx.f("summary-scope-all-components", &[("group", group_name)])
                        }
                    }
                } else {
                    let names: Vec<String> =
                        hit.iter().map(|k| component_name(ctx, common, k)).collect();
                    let key = if summary {
                        "summary-scope-some"
                    } else {
                        "scope-some"
                    };
                    ctx.f(
                        key,
                        &[("group", group_name), ("children", ctx.fmt().list(&names))],
                    )
                };
                parts.push(text);
            }
            None => parts.push(component_name(ctx, common, c)),
        }
    }
    if parts.is_empty() && summary {
        return ctx.t("summary-no-scope");
    }
    parts.join("; ")
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

// ---- home ----

pub struct IncidentCard {
    pub href: String,
    pub title: String,
    pub title_lang: Lang,
    pub impact_class: &'static str,
    pub impact_label: String,
    pub status_label: String,
    pub scope: String,
    pub latest_html: String,
    /// The latest message's language when it is shown untranslated.
    pub latest_lang: Lang,
    pub latest_stamp: String,
    pub window: Option<Vec<String>>,
}

pub struct DayRow {
    pub date: String,
    pub entries: Vec<ListEntry>,
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

#[derive(Template)]
#[template(path = "public/home.html")]
pub struct HomePage {
    pub layout: Layout,
    pub banner: Banner,
    pub active_heading: String,
    pub active: Vec<IncidentCard>,
    pub maintenance_heading: String,
    pub maintenances: Vec<IncidentCard>,
    pub components_heading: String,
    pub components: Vec<ComponentRow>,
    pub recent_heading: String,
    pub days: Vec<DayRow>,
    pub quiet: String,
    /// More incidents started in these days than the page lists: where the rest are.
    pub more: Option<(String, String)>,
    pub history_link: String,
    /// Some incidents are shown untranslated: the notice an incident page gives.
    pub notice: Option<String>,
    pub notice_heading: String,
    pub latest_label: String,
    pub window_label: String,
    pub legend: String,
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

fn card(ctx: &Ctx, common: &Common, list: &IncidentList, i: &Incident) -> IncidentCard {
    let l = Localizer::new(ctx.locale, &list.translations);
    let latest = list.updates_of(&i.id).last();
    let (title, title_lang) = l.marked(
        TranslatableKind::Incident,
        &i.id,
        "title",
        &i.title,
        &i.locale,
    );
    let latest_message = latest.map(|u| {
        l.marked(
            TranslatableKind::Update,
            &u.id,
            "message",
            &u.message,
            &i.locale,
        )
    });
    IncidentCard {
        href: ctx.href(&format!("/incidents/{}", i.id)),
        title,
        title_lang,
        impact_class: impact_class(i.impact),
        impact_label: ctx.t(labels::impact(i.impact)),
        status_label: ctx.t(labels::incident_status(i.status)),
        scope: scope(ctx, common, &list.components_of(&i.id), false),
        latest_html: latest_message
            .as_ref()
            .map(|(message, lang)| lang.wrap(markdown::to_html(message)))
            .unwrap_or_default(),
        latest_lang: latest_message.map(|m| m.1).unwrap_or_default(),
        latest_stamp: latest.map(|u| ctx.stamp(u.display_at)).unwrap_or_default(),
        window: window(ctx, i),
    }
}

fn entry(ctx: &Ctx, list: &IncidentList, i: &Incident) -> ListEntry {
    let l = Localizer::new(ctx.locale, &list.translations);
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
    let (title, title_lang) = l.marked(
        TranslatableKind::Incident,
        &i.id,
        "title",
        &i.title,
        &i.locale,
    );
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

pub fn home(ctx: &Ctx, data: &read::HomeData) -> HomePage {
    let common = &data.common;
    let open_incidents: Vec<&Incident> = data
        .open
        .incidents
        .iter()
        .filter(|i| i.kind == IncidentKind::Incident)
        .collect();
    let leaves: Vec<ComponentStatus> = common
        .components
        .iter()
        .filter(|c| !c.is_group)
        .map(|c| c.status)
        .collect();
    let maintenance_now = data.open.incidents.iter().any(|i| {
        i.kind == IncidentKind::Maintenance
            && matches!(
                i.status,
                IncidentStatus::InProgress | IncidentStatus::Verifying
            )
    });
    let indicator = Indicator::roll_up(
        open_incidents.iter().map(|i| i.impact),
        &leaves,
        maintenance_now,
    );
    let mut maintenances: Vec<&Incident> = data
        .open
        .incidents
        .iter()
        .filter(|i| i.kind == IncidentKind::Maintenance)
        .collect();
    maintenances.sort_by_key(|i| i.scheduled_for);
    let today = ctx.now.date_naive();
    // When the page lists only the newest of these days' incidents, the days past the last one
    // listed are left to the history rather than called quiet.
    let last = data
        .recent_more
        .then(|| data.recent.incidents.last())
        .flatten();
    let days = (0..read::RECENT_DAYS)
        .take_while(|n| {
            last.is_none_or(|l| today - Duration::days(*n) >= l.started_at.date_naive())
        })
        .map(|n| {
            let day = today - Duration::days(n);
            DayRow {
                date: ctx.fmt().date(day),
                entries: data
                    .recent
                    .incidents
                    .iter()
                    .filter(|i| i.started_at.date_naive() == day)
                    .map(|i| entry(ctx, &data.recent, i))
                    .collect(),
            }
        })
        .collect();
    let active: Vec<IncidentCard> = open_incidents
        .iter()
        .map(|i| card(ctx, common, &data.open, i))
        .collect();
    let maintenances: Vec<IncidentCard> = maintenances
        .iter()
        .map(|i| card(ctx, common, &data.open, i))
        .collect();
    let days: Vec<DayRow> = days;
    let shown: Vec<&Lang> = active
        .iter()
        .chain(&maintenances)
        .flat_map(|c| [&c.title_lang, &c.latest_lang])
        .chain(
            days.iter()
                .flat_map(|d| d.entries.iter().map(|e| &e.title_lang)),
        )
        .collect();
    HomePage {
        notice: untranslated_notice(ctx, &shown),
        notice_heading: ctx.t("notice-heading"),
        layout: layout(ctx, common, None),
        banner: banner(ctx, indicator),
        active_heading: ctx.t("home-active-incidents"),
        active,
        maintenance_heading: ctx.t("home-maintenance"),
        maintenances,
        components_heading: ctx.t("home-components"),
        components: component_rows(ctx, common, &data.history),
        recent_heading: ctx.t("home-recent"),
        days,
        quiet: ctx.t("home-quiet-day"),
        more: last.map(|l| {
            (
                history_after(ctx, history_page_of(ctx.now, l.started_at), &l.id),
                ctx.f(
                    "home-more-recent",
                    &[("days", read::RECENT_DAYS.to_string())],
                ),
            )
        }),
        history_link: ctx.t("home-view-history"),
        latest_label: ctx.t("latest-update"),
        window_label: ctx.t("maintenance-window"),
        legend: ctx.t("uptime-legend"),
    }
}

// ---- incident and maintenance ----

pub struct TimelineEntry {
    pub status_label: String,
    pub status_class: &'static str,
    pub stamp: String,
    pub datetime: String,
    pub message_html: String,
    pub edited: Option<String>,
    pub next_update: Option<String>,
}

pub struct ItemView {
    pub title: String,
    pub title_lang: Lang,
    pub detail_html: String,
    pub state_label: String,
    pub state_class: &'static str,
    pub reason: Option<String>,
    pub due: Option<String>,
    pub tracker_url: Option<String>,
}

pub struct PostmortemView {
    pub published: String,
    pub updated: Option<String>,
    pub summary_html: String,
    pub root_cause_html: String,
    pub resolution_html: String,
    pub items: Vec<ItemView>,
}

#[derive(Template)]
#[template(path = "public/incident.html")]
pub struct IncidentPage {
    pub layout: Layout,
    pub is_maintenance: bool,
    pub title: String,
    pub title_lang: Lang,
    pub state_label: String,
    pub state_class: &'static str,
    pub impact_label: String,
    pub impact_class: &'static str,
    pub scope_label: String,
    pub scope: String,
    pub updated: String,
    pub window: Option<Vec<String>>,
    pub window_label: String,
    pub summary_heading: String,
    pub summary: String,
    pub timeline_heading: String,
    pub updates: Vec<TimelineEntry>,
    pub postmortem_heading: String,
    pub postmortem: Option<PostmortemView>,
    pub postmortem_expected: Option<String>,
    pub root_cause_heading: String,
    pub resolution_heading: String,
    pub remediation_heading: String,
    pub tracker_label: String,
    pub figures_heading: String,
    pub figures: Vec<(String, String)>,
    pub notices: Vec<String>,
    pub original_link: Option<(String, String)>,
    pub notice_heading: String,
}

fn remediation_state(s: RemediationState) -> (&'static str, &'static str) {
    match s {
        RemediationState::Planned => ("remediation-state-planned", "planned"),
        RemediationState::InProgress => ("remediation-state-in_progress", "in-progress"),
        RemediationState::Done => ("remediation-state-done", "done"),
        RemediationState::WontDo => ("remediation-state-wont_do", "wont-do"),
    }
}

fn summary_sentence(ctx: &Ctx, common: &Common, detail: &IncidentDetail, l: &Localizer) -> String {
    let i = &detail.incident;
    let scope = scope(ctx, common, &detail.component_ids, true);
    let fmt = ctx.fmt();
    if i.kind == IncidentKind::Maintenance {
        return match (i.scheduled_for, i.scheduled_until) {
            (Some(a), Some(b)) => ctx.f(
                "summary-maintenance",
                &[
                    ("scope", scope),
                    ("start", fmt.date_time(a, Tz::UTC)),
                    ("end", fmt.date_time(b, Tz::UTC)),
                ],
            ),
            _ => String::new(),
        };
    }
    let symptom = l
        .opt(
            TranslatableKind::Incident,
            &i.id,
            "symptom",
            i.symptom.as_deref(),
            &i.locale,
        )
        .unwrap_or_else(|| ctx.t("summary-default-symptom"));
    let start = i.milestones.impact_started_at.unwrap_or(i.started_at);
    let end = i.milestones.impact_ended_at.or(i.milestones.resolved_at);
    let clock = |t: DateTime<Utc>| fmt.clock(t.hour(), t.minute());
    match end {
        Some(end) if end.date_naive() == start.date_naive() => ctx.f(
            "summary-same-day",
            &[
                ("date", fmt.date(start.date_naive())),
                ("start", clock(start)),
                ("end", clock(end)),
                ("scope", scope),
                ("symptom", symptom),
            ],
        ),
        Some(end) => ctx.f(
            "summary-spanning",
            &[
                ("start", fmt.date_time(start, Tz::UTC)),
                ("end", fmt.date_time(end, Tz::UTC)),
                ("scope", scope),
                ("symptom", symptom),
            ],
        ),
        None => ctx.f(
            "summary-ongoing",
            &[
                ("start", fmt.date_time(start, Tz::UTC)),
                ("scope", scope),
                ("symptom", symptom),
            ],
        ),
    }
}

pub fn incident(ctx: &Ctx, data: &read::IncidentData) -> IncidentPage {
    let common = &data.common;
    let d = &data.detail;
    let i = &d.incident;
    let l = Localizer::new(ctx.locale, &d.translations);
    let (title, title_lang) = l.marked(
        TranslatableKind::Incident,
        &i.id,
        "title",
        &i.title,
        &i.locale,
    );
    let published = d
        .postmortem
        .as_ref()
        .filter(|p| p.state == PostmortemState::Published);
    let fmt = ctx.fmt();
    let (state_key, state_class) = match (i.status.is_closed(), published.is_some(), i.kind) {
        (_, true, _) => ("incident-state-postmortem", "postmortem"),
        (true, false, _) => (labels::incident_status(i.status), "resolved"),
        (false, _, _) => (labels::incident_status(i.status), "active"),
    };
    let last = d.updates.len().saturating_sub(1);
    let updates = d
        .updates
        .iter()
        .enumerate()
        .map(|(n, u)| {
            let (_, class) = match u.status {
                IncidentStatus::Resolved | IncidentStatus::Completed => ("", "resolved"),
                _ => ("", "open"),
            };
            TimelineEntry {
                status_label: ctx.t(labels::incident_status(u.status)),
                status_class: class,
                stamp: ctx.stamp(u.display_at),
                datetime: u
                    .display_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                message_html: {
                    let (message, lang) = l.marked(
                        TranslatableKind::Update,
                        &u.id,
                        "message",
                        &u.message,
                        &i.locale,
                    );
                    lang.wrap(markdown::to_html(&message))
                },
                edited: u.revisions.last().map(|r| {
                    ctx.f(
                        "edited-on",
                        &[("time", fmt.date_time(r.replaced_at, Tz::UTC))],
                    )
                }),
                next_update: u
                    .next_update_by
                    .filter(|_| n == last && !i.status.is_closed())
                    .map(|t| ctx.f("next-update-by", &[("time", ctx.stamp(t))])),
            }
        })
        .collect();
    let postmortem = published.map(|p| PostmortemView {
        published: ctx.f(
            "postmortem-published",
            &[(
                "date",
                fmt.date(p.published_at.unwrap_or(p.updated_at).date_naive()),
            )],
        ),
        updated: (p
            .published_at
            .is_some_and(|at| p.updated_at - at > Duration::minutes(1)))
        .then(|| {
            ctx.f(
                "postmortem-updated",
                &[("date", fmt.date(p.updated_at.date_naive()))],
            )
        }),
        summary_html: l
            .marked_opt(
                TranslatableKind::Postmortem,
                &i.id,
                "summary",
                p.summary.as_deref(),
                &i.locale,
            )
            .map(|(s, lang)| lang.wrap(markdown::to_html(&s)))
            .unwrap_or_default(),
        root_cause_html: {
            let (text, lang) = l.marked(
                TranslatableKind::Postmortem,
                &i.id,
                "root_cause",
                &p.root_cause,
                &i.locale,
            );
            lang.wrap(markdown::to_html(&text))
        },
        resolution_html: {
            let (text, lang) = l.marked(
                TranslatableKind::Postmortem,
                &i.id,
                "resolution",
                &p.resolution,
                &i.locale,
            );
            lang.wrap(markdown::to_html(&text))
        },
        items: d
            .remediation_items
            .iter()
            .map(|r| {
                let (key, class) = remediation_state(r.state);
                let (title, title_lang) = l.marked(
                    TranslatableKind::RemediationItem,
                    &r.id,
                    "title",
                    &r.title,
                    &i.locale,
                );
                ItemView {
                    title,
                    title_lang,
                    detail_html: l
                        .marked_opt(
                            TranslatableKind::RemediationItem,
                            &r.id,
                            "detail",
                            r.detail.as_deref(),
                            &i.locale,
                        )
                        .map(|(s, lang)| lang.wrap(markdown::to_html(&s)))
                        .unwrap_or_default(),
                    state_label: ctx.t(key),
                    state_class: class,
                    reason: r.state_reason.clone(),
                    due: r
                        .due_on
                        .filter(|_| {
                            !matches!(r.state, RemediationState::Done | RemediationState::WontDo)
                        })
                        .map(|d| ctx.f("remediation-due", &[("date", fmt.date(d))])),
                    tracker_url: r.tracker_url.clone(),
                }
            })
            .collect(),
    });
    let durations = Durations::compute(
        &i.milestones,
        d.first_update_at(),
        published.and_then(|p| p.published_at),
    );
    let figures = [
        ("figure-impact", durations.impact_seconds),
        ("figure-detect", durations.time_to_detect_seconds),
        (
            "figure-first-update",
            durations.time_to_first_update_seconds,
        ),
        ("figure-mitigate", durations.time_to_mitigate_seconds),
        ("figure-resolve", durations.time_to_resolve_seconds),
        ("figure-postmortem", durations.time_to_postmortem_seconds),
    ]
    .into_iter()
    .filter(|_| i.kind == IncidentKind::Incident)
    .filter_map(|(key, secs)| secs.map(|s| (ctx.t(key), duration(ctx, s))))
    .collect();
    let summary = summary_sentence(ctx, common, d, &l);
    let notices = l.notices();
    let original_name = language_in(ctx, &i.locale);
    let notice_texts = notice_lines(ctx, notices, &original_name);
    let mut page_layout = layout(ctx, common, Some(title.clone()));
    if !summary.is_empty() {
        page_layout.description = summary.clone();
    }
    IncidentPage {
        layout: page_layout,
        is_maintenance: i.kind == IncidentKind::Maintenance,
        state_label: ctx.t(state_key),
        state_class,
        impact_label: ctx.t(labels::impact(i.impact)),
        impact_class: impact_class(i.impact),
        scope_label: ctx.t("incident-scope"),
        scope: scope(ctx, common, &d.component_ids, false),
        updated: ctx.f("last-updated", &[("time", ctx.stamp(i.updated_at))]),
        window: window(ctx, i),
        window_label: ctx.t("maintenance-window"),
        summary_heading: ctx.t("summary-heading"),
        summary,
        timeline_heading: ctx.t("timeline-heading"),
        updates,
        postmortem_heading: ctx.t("postmortem-heading"),
        postmortem_expected: (published.is_none() && i.kind == IncidentKind::Incident)
            .then(|| ctx.t("postmortem-expected")),
        postmortem,
        root_cause_heading: ctx.t("root-cause-heading"),
        resolution_heading: ctx.t("resolution-heading"),
        remediation_heading: ctx.t("remediation-heading"),
        tracker_label: ctx.t("remediation-tracker"),
        figures_heading: ctx.t("key-figures-heading"),
        figures,
        original_link: notices.any().then(|| {
            (
                format!("/{}{}", i.locale, ctx.path),
                ctx.f(
                    "notice-read-original",
                    &[("original", original_name.clone())],
                ),
            )
        }),
        notices: notice_texts,
        notice_heading: ctx.t("notice-heading"),
        title,
        title_lang,
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

// ---- history ----

pub struct MonthView {
    pub heading: String,
    pub entries: Vec<ListEntry>,
}

#[derive(Template)]
#[template(path = "public/history.html")]
pub struct HistoryPage {
    pub layout: Layout,
    pub heading: String,
    pub months: Vec<MonthView>,
    pub empty: String,
    pub newer: Option<(String, String)>,
    /// On a later part of a period: back to its first part.
    pub first: Option<(String, String)>,
    /// The period has more incidents than this part lists: the next part.
    pub more: Option<(String, String)>,
    pub older: (String, String),
    pub pagination_label: String,
    pub notice: Option<String>,
    pub notice_heading: String,
}

/// The history page (of `read::HISTORY_MONTHS` months each) holding the month of `at`.
pub fn history_page_of(now: DateTime<Utc>, at: DateTime<Utc>) -> u32 {
    let months = |t: DateTime<Utc>| t.year() * 12 + t.month0() as i32;
    (months(now) - months(at)).max(0) as u32 / read::HISTORY_MONTHS
}

/// The part of history page `page` that continues after the incident `id`.
fn history_after(ctx: &Ctx, page: u32, id: &str) -> String {
    ctx.href(&format!("/history?page={page}&after={}", urlencode(id)))
}

/// The first day of the month `back` months before `now`'s month.
pub fn month_start(now: DateTime<Utc>, back: u32) -> NaiveDate {
    let total = now.year() * 12 + now.month0() as i32 - back as i32;
    NaiveDate::from_ymd_opt(total.div_euclid(12), total.rem_euclid(12) as u32 + 1, 1)
        .unwrap_or_default()
}

pub fn history(ctx: &Ctx, data: &read::HistoryData, page: u32) -> HistoryPage {
    // This part of the period lists the incidents after `top` (the incident it continues
    // after) down to `bottom` (its last, when more follow). A month wholly between the two with
    // nothing listed had nothing; a month they cut through shows only if it lists something
    // here (the rest of it is on the part before or after).
    let top = data.after.as_ref().map(|i| i.started_at);
    let bottom = data
        .more
        .then(|| data.list.incidents.last().map(|i| i.started_at))
        .flatten();
    let midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    let months = (0..read::HISTORY_MONTHS)
        .filter_map(|k| {
            let start = month_start(ctx.now, page * read::HISTORY_MONTHS + k);
            let next = month_start(ctx.now, (page * read::HISTORY_MONTHS + k).saturating_sub(1));
            let newest = k + page == 0;
            let in_month = |i: &&Incident| {
                i.started_at.date_naive() >= start && (newest || i.started_at.date_naive() < next)
            };
            let entries: Vec<ListEntry> = data
                .list
                .incidents
                .iter()
                .filter(in_month)
                .map(|i| entry(ctx, &data.list, i))
                .collect();
            let whole = top.is_none_or(|top| !newest && midnight(next) <= top)
                && bottom.is_none_or(|bottom| midnight(start) > bottom);
            (!entries.is_empty() || whole).then(|| MonthView {
                heading: ctx.fmt().month_year(start),
                entries,
            })
        })
        .collect();
    let months: Vec<MonthView> = months;
    let shown: Vec<&Lang> = months
        .iter()
        .flat_map(|m| m.entries.iter().map(|e| &e.title_lang))
        .collect();
    HistoryPage {
        notice: untranslated_notice(ctx, &shown),
        notice_heading: ctx.t("notice-heading"),
        layout: layout(ctx, &data.common, Some(ctx.t("history-heading"))),
        heading: ctx.t("history-heading"),
        months,
        empty: ctx.t("history-month-empty"),
        newer: (page > 0).then(|| {
            (
                ctx.href(&format!("/history?page={}", page - 1)),
                ctx.t("history-newer"),
            )
        }),
        first: data.after.as_ref().map(|_| {
            let href = match page {
                0 => ctx.href("/history"),
                n => ctx.href(&format!("/history?page={n}")),
            };
            (href, ctx.t("history-first"))
        }),
        more: data
            .more
            .then(|| data.list.incidents.last())
            .flatten()
            .map(|last| (history_after(ctx, page, &last.id), ctx.t("history-more"))),
        older: (
            ctx.href(&format!("/history?page={}", page + 1)),
            ctx.t("history-older"),
        ),
        pagination_label: ctx.t("history-pagination"),
    }
}

// ---- component ----

#[derive(Template)]
#[template(path = "public/component.html")]
pub struct ComponentPage {
    pub layout: Layout,
    pub row: ComponentRow,
    pub group_name: Option<(String, String, Lang)>,
    pub incidents_heading: String,
    pub entries: Vec<ListEntry>,
    pub empty: String,
    pub older: Option<(String, String)>,
    pub notice: Option<String>,
    pub notice_heading: String,
}

pub fn component(ctx: &Ctx, data: &read::ComponentData) -> ComponentPage {
    let common = &data.common;
    let rows = component_rows(ctx, common, &data.history);
    let c = &data.component;
    let row = rows
        .into_iter()
        .flat_map(|r| {
            if r.id == c.id {
                vec![r]
            } else {
                r.children.into_iter().filter(|k| k.id == c.id).collect()
            }
        })
        .next()
        .unwrap_or_else(|| {
            let (icon, class) = component_look(c.status);
            let (name, name_lang) = component_name_marked(ctx, common, c);
            ComponentRow {
                id: c.id.clone(),
                name,
                name_lang,
                href: ctx.href(&format!("/components/{}", c.id)),
                description: c.description.clone(),
                description_lang: Lang::default(),
                status_label: ctx.t(labels::component_status(c.status)),
                status_class: class,
                icon,
                is_group: c.is_group,
                open: true,
                children: vec![],
                uptime: Some(uptime(ctx, &[c], &data.history)),
                details_link: String::new(),
            }
        });
    let group_name = c
        .group_id
        .as_ref()
        .and_then(|g| common.components.iter().find(|k| &k.id == g))
        .map(|g| {
            let (name, lang) = component_name_marked(ctx, common, g);
            (ctx.href(&format!("/components/{}", g.id)), name, lang)
        });
    let entries: Vec<ListEntry> = data
        .list
        .incidents
        .iter()
        .map(|i| entry(ctx, &data.list, i))
        .collect();
    let older = (entries.len() == 25)
        .then(|| {
            data.list.incidents.last().map(|i| {
                (
                    ctx.href(&format!(
                        "/components/{}?before={}",
                        c.id,
                        urlencode(&i.started_at.to_rfc3339())
                    )),
                    ctx.t("history-older"),
                )
            })
        })
        .flatten();
    let shown: Vec<&Lang> = entries.iter().map(|e| &e.title_lang).collect();
    ComponentPage {
        notice: untranslated_notice(ctx, &shown),
        notice_heading: ctx.t("notice-heading"),
        layout: layout(ctx, common, Some(row.name.clone())),
        incidents_heading: ctx.f("component-incidents", &[("component", row.name.clone())]),
        row,
        group_name,
        entries,
        empty: ctx.t("component-no-incidents"),
        older,
    }
}
