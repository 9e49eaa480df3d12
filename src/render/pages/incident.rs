//! The page of one incident or maintenance: its summary, timeline, postmortem and key
//! figures.

use askama::Template;
use chrono::{DateTime, Duration, Timelike, Utc};
use chrono_tz::Tz;

use super::components::scope;
use super::{
    duration, impact_class, incident_title, labels, language_in, layout, markdown, notice_lines,
    window, Ctx, Layout,
};
use crate::domain::{
    Durations, Incident, IncidentDetail, IncidentKind, Postmortem, RemediationItem,
    RemediationState, TranslatableKind,
};
use crate::read::{self, Common};
use crate::render::localize::{Lang, PageTexts};

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
    pub scope: String,
    pub updated: String,
    pub window: Option<Vec<String>>,
    pub summary: String,
    pub updates: Vec<TimelineEntry>,
    pub postmortem: Option<PostmortemView>,
    /// No postmortem yet for an incident: the page says one is expected.
    pub postmortem_expected: bool,
    pub figures: Vec<(String, String)>,
    pub notices: Vec<String>,
    pub original_link: Option<(String, String)>,
}

/// The CSS class of a remediation state.
fn remediation_class(s: RemediationState) -> &'static str {
    match s {
        RemediationState::Planned => "planned",
        RemediationState::InProgress => "in-progress",
        RemediationState::Done => "done",
        RemediationState::WontDo => "wont-do",
    }
}

fn summary_sentence(ctx: &Ctx, common: &Common, detail: &IncidentDetail, l: &PageTexts) -> String {
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

/// The updates, oldest first; the last says when the next is due while the incident is open.
fn timeline(ctx: &Ctx, d: &IncidentDetail, l: &PageTexts) -> Vec<TimelineEntry> {
    let i = &d.incident;
    let fmt = ctx.fmt();
    let last = d.updates.len().saturating_sub(1);
    d.updates
        .iter()
        .enumerate()
        .map(|(n, u)| {
            let (message, lang) = l.marked(
                TranslatableKind::Update,
                &u.id,
                "message",
                &u.message,
                &i.locale,
            );
            TimelineEntry {
                status_label: ctx.t(labels::incident_status(u.status)),
                status_class: if u.status.is_closed() {
                    "resolved"
                } else {
                    "open"
                },
                stamp: ctx.stamp(u.display_at),
                datetime: u
                    .display_at
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                message_html: lang.wrap(markdown::to_html(&message)),
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
        .collect()
}

/// A Markdown field of the incident's postmortem, as HTML in the reader's language.
fn postmortem_html(l: &PageTexts, i: &Incident, field: &str, original: Option<&str>) -> String {
    l.marked_opt(
        TranslatableKind::Postmortem,
        &i.id,
        field,
        original,
        &i.locale,
    )
    .map(|(s, lang)| lang.wrap(markdown::to_html(&s)))
    .unwrap_or_default()
}

fn item_view(ctx: &Ctx, l: &PageTexts, i: &Incident, r: &RemediationItem) -> ItemView {
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
        state_label: ctx.t(labels::remediation_state(r.state)),
        state_class: remediation_class(r.state),
        reason: r.state_reason.clone(),
        due: r
            .due_on
            .filter(|_| !matches!(r.state, RemediationState::Done | RemediationState::WontDo))
            .map(|d| ctx.f("remediation-due", &[("date", ctx.fmt().date(d))])),
        tracker_url: r.tracker_url.clone(),
    }
}

fn postmortem_view(ctx: &Ctx, d: &IncidentDetail, p: &Postmortem, l: &PageTexts) -> PostmortemView {
    let i = &d.incident;
    let fmt = ctx.fmt();
    PostmortemView {
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
        summary_html: postmortem_html(l, i, "summary", p.summary.as_deref()),
        root_cause_html: postmortem_html(l, i, "root_cause", Some(&p.root_cause)),
        resolution_html: postmortem_html(l, i, "resolution", Some(&p.resolution)),
        items: d
            .remediation_items
            .iter()
            .map(|r| item_view(ctx, l, i, r))
            .collect(),
    }
}

/// The key figures of an incident (none for a maintenance): (label, duration).
fn figures(ctx: &Ctx, d: &IncidentDetail, published: Option<&Postmortem>) -> Vec<(String, String)> {
    let i = &d.incident;
    let durations = Durations::compute(
        &i.milestones,
        d.first_update_at(),
        published.and_then(|p| p.published_at),
    );
    [
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
    .collect()
}

/// The state badge: the postmortem once published, else resolved or active.
fn state_of(i: &Incident, published: bool) -> (&'static str, &'static str) {
    match (i.status.is_closed(), published) {
        (_, true) => ("incident-state-postmortem", "postmortem"),
        (true, false) => (labels::incident_status(i.status), "resolved"),
        (false, _) => (labels::incident_status(i.status), "active"),
    }
}

pub fn incident(ctx: &Ctx, data: &read::IncidentData) -> IncidentPage {
    let common = &data.common;
    let d = &data.detail;
    let i = &d.incident;
    let l = PageTexts::new(&d.translations, ctx.locale);
    let (title, title_lang) = incident_title(&l, i);
    let published = read::published_postmortem(d);
    let (state_key, state_class) = state_of(i, published.is_some());
    let updates = timeline(ctx, d, &l);
    let postmortem = published.map(|p| postmortem_view(ctx, d, p, &l));
    let summary = summary_sentence(ctx, common, d, &l);
    let notices = l.notices();
    let original_name = language_in(ctx, &i.locale);
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
        scope: scope(ctx, common, &d.component_ids, false),
        updated: ctx.f("last-updated", &[("time", ctx.stamp(i.updated_at))]),
        window: window(ctx, i),
        summary,
        updates,
        postmortem_expected: published.is_none() && i.kind == IncidentKind::Incident,
        postmortem,
        figures: figures(ctx, d, published),
        original_link: notices.any().then(|| {
            (
                format!("/{}{}", i.locale, ctx.path),
                ctx.f(
                    "notice-read-original",
                    &[("original", original_name.clone())],
                ),
            )
        }),
        notices: notice_lines(ctx, notices, &original_name),
        title,
        title_lang,
    }
}
