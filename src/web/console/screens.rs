//! The console's screens: dashboard, incidents and their updates, postmortems, translations,
//! users, tokens and the audit log. Each POST goes through the service with the user as actor.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike, Utc};
use serde::Deserialize;

use super::fields::field_key;
use super::*;
use crate::domain::*;
use crate::render::i18n::default_message_key;
use crate::render::pages::effective_status;
use crate::render::{labels, markdown};
use crate::service::*;
use crate::store::{AuditFilter, IncidentFilter};

pub(super) type Pairs = Form<Vec<(String, String)>>;

const OPEN: [IncidentStatus; 6] = [
    IncidentStatus::Investigating,
    IncidentStatus::Identified,
    IncidentStatus::Monitoring,
    IncidentStatus::Scheduled,
    IncidentStatus::InProgress,
    IncidentStatus::Verifying,
];

const INCIDENT_STATUSES: [IncidentStatus; 4] = [
    IncidentStatus::Investigating,
    IncidentStatus::Identified,
    IncidentStatus::Monitoring,
    IncidentStatus::Resolved,
];

const MAINTENANCE_STATUSES: [IncidentStatus; 4] = [
    IncidentStatus::Scheduled,
    IncidentStatus::InProgress,
    IncidentStatus::Verifying,
    IncidentStatus::Completed,
];

fn remediation_state_key(s: RemediationState) -> &'static str {
    match s {
        RemediationState::Planned => "remediation-state-planned",
        RemediationState::InProgress => "remediation-state-in_progress",
        RemediationState::Done => "remediation-state-done",
        RemediationState::WontDo => "remediation-state-wont_do",
    }
}

fn category_key(c: RemediationCategory) -> &'static str {
    match c {
        RemediationCategory::Prevent => "console-category-prevent",
        RemediationCategory::Detect => "console-category-detect",
        RemediationCategory::Mitigate => "console-category-mitigate",
        RemediationCategory::Process => "console-category-process",
    }
}

fn provenance_key(p: Provenance) -> &'static str {
    match p {
        Provenance::Human => "console-provenance-human",
        Provenance::Machine => "console-provenance-machine",
        Provenance::Reviewed => "console-provenance-reviewed",
    }
}

fn postmortem_state_key(s: PostmortemState) -> &'static str {
    match s {
        PostmortemState::Draft => "console-postmortem-draft",
        PostmortemState::Published => "console-postmortem-published",
    }
}

/// A time as typed: `YYYY-MM-DDTHH:MM` (UTC, as `datetime-local` sends it) or RFC 3339.
fn read_time(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())
                .map(|n| n.and_utc())
        })
}

/// A time typed into a form, or None when empty; a time that cannot be read is an error.
pub(super) fn parse_time(
    fields: &Fields,
    name: &str,
    errs: &mut Errs,
    tr: &Tr,
) -> Option<DateTime<Utc>> {
    let raw = fields.get(name).trim();
    if raw.is_empty() {
        return None;
    }
    let parsed = read_time(raw);
    match parsed {
        None => errs.add(tr, name, tr.t("console-error-time")),
        Some(at) if !crate::domain::YEARS.contains(&at.year()) => {
            errs.add(tr, name, tr.t("problem-year"));
            return None;
        }
        Some(_) => {}
    }
    parsed
}

/// A day typed into a form: `YYYY-MM-DD` (as `<input type="date">` sends it); empty is none.
fn parse_date(fields: &Fields, name: &str, errs: &mut Errs, tr: &Tr) -> Option<NaiveDate> {
    let raw = fields.get(name).trim();
    if raw.is_empty() {
        return None;
    }
    let parsed = NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok();
    match parsed {
        None => errs.add(tr, name, tr.t("console-error-date")),
        Some(day) if !crate::domain::YEARS.contains(&day.year()) => {
            errs.add(tr, name, tr.t("problem-year"));
            return None;
        }
        Some(_) => {}
    }
    parsed
}

/// The milestones an author sets (the others follow from the updates), by form field name.
fn editable_milestones(m: &Milestones) -> [(&'static str, Option<DateTime<Utc>>); 4] {
    [
        ("impact_started_at", m.impact_started_at),
        ("detected_at", m.detected_at),
        ("mitigated_at", m.mitigated_at),
        ("impact_ended_at", m.impact_ended_at),
    ]
}

fn milestone_key(name: &str) -> &'static str {
    match name {
        "impact_started_at" => "console-milestone-impact-started",
        "detected_at" => "console-milestone-detected",
        "mitigated_at" => "console-milestone-mitigated",
        "impact_ended_at" => "console-milestone-impact-ended",
        "monitoring_at" => "console-milestone-monitoring",
        _ => "console-milestone-resolved",
    }
}

/// A milestone as a `datetime-local` value in UTC: seconds only when it has some, so an
/// untouched field reads back exactly.
fn milestone_value(at: Option<DateTime<Utc>>) -> String {
    match at {
        None => String::new(),
        Some(t) if t.second() == 0 && t.nanosecond() == 0 => t.format("%Y-%m-%dT%H:%M").to_string(),
        Some(t) if t.nanosecond() == 0 => t.format("%Y-%m-%dT%H:%M:%S").to_string(),
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S%.3f").to_string(),
    }
}

pub(super) fn parse_enum<T: std::str::FromStr>(
    fields: &Fields,
    name: &str,
    errs: &mut Errs,
    tr: &Tr,
) -> Option<T> {
    let parsed = fields.get(name).parse::<T>().ok();
    if parsed.is_none() {
        errs.add(tr, name, tr.t("console-error-choice"));
    }
    parsed
}

/// Makes a time field fit to be shown again in a `datetime-local` input, which only takes
/// `YYYY-MM-DDTHH:MM[:SS]`: a time typed otherwise is rewritten so; one that cannot be read is
/// left out (as browsers would; the error next to the field says what to type).
fn local_time_field(form: &mut Fields, name: &str) {
    if form.get(name).is_empty() {
        return;
    }
    let shown = read_time(form.get(name))
        .map(|t| {
            let format = if t.second() == 0 {
                "%Y-%m-%dT%H:%M"
            } else {
                "%Y-%m-%dT%H:%M:%S"
            };
            t.format(format).to_string()
        })
        .unwrap_or_default();
    form.set(name, shown);
}

/// `c.<component id>` = new status; empty means unchanged.
fn component_statuses(
    fields: &Fields,
    errs: &mut Errs,
    tr: &Tr,
) -> BTreeMap<String, ComponentStatus> {
    let mut out = BTreeMap::new();
    for (id, value) in fields.with_prefix("c.") {
        if value.is_empty() {
            continue;
        }
        match value.parse::<ComponentStatus>() {
            Ok(s) => {
                out.insert(id.to_string(), s);
            }
            Err(_) => errs.add(
                tr,
                &format!("components.{id}"),
                tr.t("console-error-choice"),
            ),
        }
    }
    out
}

pub struct CompRow {
    pub id: String,
    pub name: String,
    pub child: bool,
    pub status: String,
    pub opts: Vec<Opt>,
    /// What is wrong with the status chosen for it, if anything.
    pub err: String,
}

/// The components with a status select each; `errs` are the form's errors, if it is the one
/// that was refused.
fn comp_rows(
    tr: &Tr,
    components: &[Component],
    form: &Fields,
    errs: Option<&Errs>,
) -> Vec<CompRow> {
    components
        .iter()
        .map(|c| {
            let current = form.get(&format!("c.{}", c.id));
            let mut opts = vec![Opt {
                value: String::new(),
                label: tr.t("console-unchanged"),
                selected: current.is_empty(),
            }];
            opts.extend(Opt::list(
                ComponentStatus::ALL,
                |s| s.as_str(),
                |s| tr.t(labels::component_status(s)),
                current,
            ));
            // A child is named with its group ("Sell › Pod 13"): pods look alike.
            let group = c
                .group_id
                .as_deref()
                .and_then(|g| components.iter().find(|k| k.id == g));
            CompRow {
                id: c.id.clone(),
                name: match group {
                    Some(g) => tr.f(
                        "console-component-in-group",
                        &[("group", g.name.clone()), ("component", c.name.clone())],
                    ),
                    None => c.name.clone(),
                },
                child: c.group_id.is_some(),
                status: tr.t(labels::component_status(effective_status(c, components))),
                opts,
                err: errs
                    .map(|e| e.msg(&format!("components.{}", c.id)))
                    .unwrap_or_default(),
            }
        })
        .collect()
}

pub struct IncidentRow {
    pub id: String,
    pub title: String,
    pub status: String,
    pub impact: String,
    pub at: String,
}

async fn stamp_fn(state: &AppState, tr: &Tr) -> impl Fn(DateTime<Utc>) -> String {
    let page = state.service.page().await.ok();
    let zones = crate::render::time::zones(&page.map(|p| p.display_time_zones).unwrap_or_default());
    let i18n = state.i18n.clone();
    let locale = tr.locale.clone();
    move |at| crate::render::time::Formatter::new(&i18n, &locale).stamp(at, &zones)
}

fn incident_rows(
    tr: &Tr,
    stamp: &impl Fn(DateTime<Utc>) -> String,
    list: &[Incident],
) -> Vec<IncidentRow> {
    list.iter()
        .map(|i| IncidentRow {
            id: i.id.clone(),
            title: i.title.clone(),
            status: tr.t(labels::incident_status(i.status)),
            impact: tr.t(labels::impact(i.impact)),
            at: stamp(i.started_at),
        })
        .collect()
}

// ---------------------------------------------------------------- dashboard

#[derive(Template)]
#[template(path = "console/dashboard.html")]
struct Dashboard {
    c: Chrome,
    active: Vec<IncidentRow>,
    recent: Vec<IncidentRow>,
    components: Vec<CompRow>,
}

pub async fn dashboard(State(state): State<AppState>, console: Console) -> Response {
    let store = state.service.store();
    let tr = &console.visit.tr;
    let loaded = async {
        let active = store
            .incidents(&IncidentFilter {
                statuses: OPEN.to_vec(),
                limit: 50,
                ..Default::default()
            })
            .await?;
        let recent = store
            .incidents(&IncidentFilter {
                limit: 20,
                ..Default::default()
            })
            .await?;
        let components = store.components().await?;
        Ok::<_, crate::store::StoreError>((active, recent, components))
    }
    .await;
    let (active, recent, components) = match loaded {
        Ok(v) => v,
        Err(e) => return console.visit.error(&e.into()),
    };
    let stamp = stamp_fn(&state, tr).await;
    let page = Dashboard {
        c: console.chrome(&state, &tr.t("console-dashboard")),
        active: incident_rows(tr, &stamp, &active),
        recent: incident_rows(tr, &stamp, &recent),
        components: comp_rows(tr, &components, &Fields::default(), None),
    };
    console.visit.page(StatusCode::OK, page.render())
}

// ---------------------------------------------------------------- new incident

#[derive(Template)]
#[template(path = "console/new_incident.html")]
struct NewIncidentPage {
    c: Chrome,
    form: Fields,
    errs: Errs,
    impacts: Vec<Opt>,
    statuses: Vec<Opt>,
    components: Vec<CompRow>,
    preview: String,
}

/// The original language of new incidents: the page's default locale.
async fn original_locale(state: &AppState) -> String {
    state
        .service
        .page()
        .await
        .map(|p| p.default_locale)
        .unwrap_or_else(|_| "en".into())
}

/// Whether `message` is empty or one of the default messages (so it may be replaced by the
/// default of the status now chosen).
fn is_default_message(state: &AppState, locale: &str, message: &str) -> bool {
    message.trim().is_empty()
        || IncidentStatus::ALL
            .iter()
            .any(|s| state.i18n.text(locale, default_message_key(*s)).trim() == message.trim())
}

async fn new_incident_form(
    state: &AppState,
    console: &Console,
    mut form: Fields,
    mut errs: Errs,
    preview: bool,
    status: StatusCode,
) -> Response {
    let tr = &console.visit.tr;
    let locale = original_locale(state).await;
    if form.get("status").is_empty() {
        form.set("status", "investigating");
    }
    // The impact suggested by the worst component status chosen, preselected on a preview
    // (and on the first showing) unless the responder changed it from the last suggestion.
    let suggested = Impact::suggested(form.0.iter().filter_map(|(k, v)| {
        k.strip_prefix("c.")
            .and_then(|_| v.parse::<ComponentStatus>().ok())
    }));
    let untouched =
        form.get("impact").is_empty() || form.get("impact") == form.get("impact_suggested");
    if untouched && (preview || form.get("impact").is_empty()) {
        form.set("impact", suggested.as_str());
        form.set("impact_suggested", suggested.as_str());
    }
    local_time_field(&mut form, "display_at");
    local_time_field(&mut form, "next_update_by");
    let chosen = form
        .get("status")
        .parse::<IncidentStatus>()
        .unwrap_or(IncidentStatus::Investigating);
    if is_default_message(state, &locale, form.get("message")) {
        form.set(
            "message",
            state.i18n.text(&locale, default_message_key(chosen)),
        );
    }
    let components = match state.service.store().components().await {
        Ok(c) => c,
        Err(e) => return console.visit.error(&e.into()),
    };
    errs.name_components(tr, &components);
    let page = NewIncidentPage {
        c: console.chrome(state, &tr.t("console-new-incident")),
        impacts: Opt::list(
            &[Impact::None, Impact::Minor, Impact::Major, Impact::Critical],
            |i| i.as_str(),
            |i| tr.t(labels::impact(i)),
            form.get("impact"),
        ),
        statuses: Opt::list(
            &INCIDENT_STATUSES[..3],
            |s| s.as_str(),
            |s| tr.t(labels::incident_status(s)),
            form.get("status"),
        ),
        components: comp_rows(tr, &components, &form, Some(&errs)),
        preview: if preview {
            markdown::to_html(form.get("message"))
        } else {
            String::new()
        },
        form,
        errs,
    };
    console.visit.page(status, page.render())
}

pub async fn new_incident_page(State(state): State<AppState>, console: Console) -> Response {
    if let Err(r) = console.allow(Need::Respond) {
        return r;
    }
    new_incident_form(
        &state,
        &console,
        Fields::default(),
        Errs::default(),
        false,
        StatusCode::OK,
    )
    .await
}

pub async fn create_incident(
    State(state): State<AppState>,
    console: Console,
    Form(pairs): Pairs,
) -> Response {
    let form = Fields(pairs);
    if let Err(r) = console.guard(&form, Need::Respond) {
        return r;
    }
    if form.get("action") == "preview" {
        return new_incident_form(
            &state,
            &console,
            form,
            Errs::default(),
            true,
            StatusCode::OK,
        )
        .await;
    }
    let tr = &console.visit.tr;
    let mut errs = Errs::default();
    let impact = parse_enum::<Impact>(&form, "impact", &mut errs, tr);
    let status = parse_enum::<IncidentStatus>(&form, "status", &mut errs, tr);
    let display_at = parse_time(&form, "display_at", &mut errs, tr);
    let next_update_by = parse_time(&form, "next_update_by", &mut errs, tr);
    let components = component_statuses(&form, &mut errs, tr);
    let (Some(impact), Some(status), true) = (impact, status, errs.is_empty()) else {
        return new_incident_form(
            &state,
            &console,
            form,
            errs,
            false,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let input = NewIncident {
        title: form.get("title").to_string(),
        impact: Some(impact),
        status,
        message: form.get("message").to_string(),
        locale: None,
        symptom: form.opt("symptom"),
        started_at: None,
        display_at,
        next_update_by,
        components,
        milestones: None,
        translations: Default::default(),
    };
    match state.service.create_incident(&console.actor(), input).await {
        Ok(detail) => console.visit.redirect(
            &format!("/console/incidents/{}", detail.incident.id),
            "console-flash-incident-created",
        ),
        Err(e) => {
            new_incident_form(
                &state,
                &console,
                form,
                Errs::from_error(&e, &console.visit.tr),
                false,
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
            )
            .await
        }
    }
}

// ---------------------------------------------------------------- incident view

pub struct UpdateRow {
    pub id: String,
    pub status: String,
    pub at: String,
    pub html: String,
    pub message: String,
    pub corrected: bool,
    /// The correction form's error, if it was just refused.
    pub err: String,
}

pub struct ItemRow {
    pub id: String,
    pub title: String,
    pub state: String,
    pub category: String,
    pub states: Vec<Opt>,
    pub reason: String,
    /// `YYYY-MM-DD` or empty.
    pub due: String,
    pub tracker: String,
    pub up_label: String,
    pub down_label: String,
    pub err: String,
}

/// One milestone in the editor.
pub struct MilestoneRow {
    pub name: &'static str,
    pub label: String,
    pub value: String,
    /// The input's `step`: seconds, or milliseconds for a time given with them through the
    /// API (a browser refuses to send a value that is off its step).
    pub step: &'static str,
}

#[derive(Template)]
#[template(path = "console/incident.html")]
struct IncidentPage {
    c: Chrome,
    id: String,
    title: String,
    status: String,
    impact: String,
    public_href: String,
    updates: Vec<UpdateRow>,
    /// Which form the errors belong to: `update`, `correct-<id>`, `postmortem`, `item`, `item-<id>`.
    err_form: String,
    errs: Errs,
    form: Fields,
    statuses: Vec<Opt>,
    components: Vec<CompRow>,
    preview: String,
    pm: Fields,
    pm_states: Vec<Opt>,
    pm_state: String,
    items: Vec<ItemRow>,
    item_form: Fields,
    categories: Vec<Opt>,
    item_states: Vec<Opt>,
    /// Incidents have milestones (maintenances have a window instead).
    has_milestones: bool,
    milestones: Vec<MilestoneRow>,
    /// Milestones derived from the updates: (label, time).
    derived: Vec<(String, String)>,
}

struct Submitted {
    err_form: String,
    errs: Errs,
    form: Fields,
    preview: bool,
}

impl Submitted {
    fn none() -> Submitted {
        Submitted {
            err_form: String::new(),
            errs: Errs::default(),
            form: Fields::default(),
            preview: false,
        }
    }
}

async fn incident_view(
    state: &AppState,
    console: &Console,
    id: &str,
    mut sub: Submitted,
    status: StatusCode,
) -> Response {
    let tr = &console.visit.tr;
    let detail = match state.service.incident_detail(id).await {
        Ok(d) => d,
        Err(e) => return console.visit.error(&e),
    };
    let components = match state.service.store().components().await {
        Ok(c) => c,
        Err(e) => return console.visit.error(&e.into()),
    };
    sub.errs.name_components(tr, &components);
    let stamp = stamp_fn(state, tr).await;
    let inc = &detail.incident;
    let statuses: &[IncidentStatus] = if inc.kind == IncidentKind::Maintenance {
        &MAINTENANCE_STATUSES
    } else {
        &INCIDENT_STATUSES
    };
    let mut form = if sub.err_form == "update" {
        sub.form.clone()
    } else {
        Fields::default()
    };
    if form.get("status").is_empty() {
        form.set("status", inc.status.as_str());
    }
    local_time_field(&mut form, "display_at");
    local_time_field(&mut form, "next_update_by");
    let comp_rows = comp_rows(
        tr,
        &components,
        &form,
        (sub.err_form == "update").then_some(&sub.errs),
    );
    let preview = if sub.preview {
        markdown::to_html(form.get("message"))
    } else {
        String::new()
    };
    let mut pm = Fields::default();
    if let Some(p) = &detail.postmortem {
        pm.set("summary", p.summary.clone().unwrap_or_default());
        pm.set("root_cause", p.root_cause.clone());
        pm.set("resolution", p.resolution.clone());
        pm.set("state", p.state.as_str());
    }
    if sub.err_form == "postmortem" {
        pm = sub.form.clone();
    }
    let pm_state = detail
        .postmortem
        .as_ref()
        .map(|p| tr.t(postmortem_state_key(p.state)))
        .unwrap_or_else(|| tr.t("console-postmortem-none"));
    let items = detail
        .remediation_items
        .iter()
        .map(|i| ItemRow {
            id: i.id.clone(),
            title: i.title.clone(),
            state: tr.t(remediation_state_key(i.state)),
            category: tr.t(category_key(i.category)),
            states: Opt::list(
                RemediationState::ALL,
                |s| s.as_str(),
                |s| tr.t(remediation_state_key(s)),
                i.state.as_str(),
            ),
            reason: i.state_reason.clone().unwrap_or_default(),
            due: i
                .due_on
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            tracker: i.tracker_url.clone().unwrap_or_default(),
            up_label: tr.f("console-move-up", &[("item", i.title.clone())]),
            down_label: tr.f("console-move-down", &[("item", i.title.clone())]),
            err: form_error(&sub, &format!("item-{}", i.id)),
        })
        .collect();
    let item_form = if sub.err_form == "item" {
        sub.form.clone()
    } else {
        Fields::default()
    };
    let m = &inc.milestones;
    let milestones = editable_milestones(m)
        .into_iter()
        .map(|(name, at)| MilestoneRow {
            name,
            label: tr.t(milestone_key(name)),
            value: if sub.err_form == "milestones" {
                // As typed, in the form a `datetime-local` input takes; unreadable: left out.
                milestone_value(read_time(sub.form.get(name)))
            } else {
                milestone_value(at)
            },
            step: if at.is_some_and(|t| t.nanosecond() != 0) {
                "0.001"
            } else {
                "1"
            },
        })
        .collect();
    let derived = [
        ("monitoring_at", m.monitoring_at),
        ("resolved_at", m.resolved_at),
    ]
    .into_iter()
    .map(|(name, at)| {
        (
            tr.t(milestone_key(name)),
            at.map(&stamp).unwrap_or_else(|| "—".into()),
        )
    })
    .collect();
    let page = IncidentPage {
        c: console.chrome(state, &inc.title),
        id: inc.id.clone(),
        title: inc.title.clone(),
        status: tr.t(labels::incident_status(inc.status)),
        impact: tr.t(labels::impact(inc.impact)),
        public_href: format!("/{}/incidents/{}", inc.locale, inc.id),
        updates: detail
            .updates
            .iter()
            .rev()
            .map(|u| UpdateRow {
                id: u.id.clone(),
                status: tr.t(labels::incident_status(u.status)),
                at: stamp(u.display_at),
                html: markdown::to_html(&u.message),
                message: u.message.clone(),
                corrected: !u.revisions.is_empty(),
                err: form_error(&sub, &format!("correct-{}", u.id)),
            })
            .collect(),
        err_form: sub.err_form,
        errs: sub.errs,
        statuses: Opt::list(
            statuses,
            |s| s.as_str(),
            |s| tr.t(labels::incident_status(s)),
            form.get("status"),
        ),
        components: comp_rows,
        preview,
        pm_states: Opt::list(
            &[PostmortemState::Draft, PostmortemState::Published],
            |s| s.as_str(),
            |s| tr.t(postmortem_state_key(s)),
            pm.get("state"),
        ),
        pm,
        pm_state,
        items,
        categories: Opt::list(
            RemediationCategory::ALL,
            |c| c.as_str(),
            |c| tr.t(category_key(c)),
            item_form.get("category"),
        ),
        item_states: Opt::list(
            RemediationState::ALL,
            |s| s.as_str(),
            |s| tr.t(remediation_state_key(s)),
            item_form.get("state"),
        ),
        item_form,
        has_milestones: inc.kind == IncidentKind::Incident,
        milestones,
        derived,
        form,
    };
    console.visit.page(status, page.render())
}

pub async fn incident_page(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
) -> Response {
    incident_view(&state, &console, &id, Submitted::none(), StatusCode::OK).await
}

/// The errors of the form `which`, in one line (for the small per-row forms).
fn form_error(sub: &Submitted, which: &str) -> String {
    if sub.err_form != which {
        return String::new();
    }
    sub.errs.lines().join(" · ")
}

fn failed(tr: &Tr, err_form: &str, e: &Error, form: Fields) -> (Submitted, StatusCode) {
    (
        Submitted {
            err_form: err_form.to_string(),
            errs: Errs::from_error(e, tr),
            form,
            preview: false,
        },
        StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
    )
}

pub async fn post_update(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
    Form(pairs): Pairs,
) -> Response {
    let form = Fields(pairs);
    if let Err(r) = console.guard(&form, Need::Respond) {
        return r;
    }
    if form.get("action") == "preview" {
        let sub = Submitted {
            err_form: "update".into(),
            errs: Errs::default(),
            form,
            preview: true,
        };
        return incident_view(&state, &console, &id, sub, StatusCode::OK).await;
    }
    let tr = &console.visit.tr;
    let mut errs = Errs::default();
    let status = parse_enum::<IncidentStatus>(&form, "status", &mut errs, tr);
    let display_at = parse_time(&form, "display_at", &mut errs, tr);
    let next_update_by = parse_time(&form, "next_update_by", &mut errs, tr);
    let components = component_statuses(&form, &mut errs, tr);
    let (Some(status), true) = (status, errs.is_empty()) else {
        let sub = Submitted {
            err_form: "update".into(),
            errs,
            form,
            preview: false,
        };
        return incident_view(&state, &console, &id, sub, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let input = NewUpdate {
        status,
        message: form.get("message").to_string(),
        display_at,
        next_update_by,
        components,
        translations: Default::default(),
    };
    match state
        .service
        .post_update(&console.actor(), &id, input)
        .await
    {
        Ok(_) => console.visit.redirect(
            &format!("/console/incidents/{id}"),
            "console-flash-update-posted",
        ),
        Err(e) => {
            let (sub, code) = failed(&console.visit.tr, "update", &e, form);
            incident_view(&state, &console, &id, sub, code).await
        }
    }
}

pub async fn correct_update(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
    Form(pairs): Pairs,
) -> Response {
    let form = Fields(pairs);
    if let Err(r) = console.guard(&form, Need::Respond) {
        return r;
    }
    let incident_id = match state.service.update(&id).await {
        Ok(u) => u.incident_id,
        Err(e) => return console.visit.error(&e),
    };
    let patch = UpdatePatch {
        message: Some(form.get("message").to_string()),
        display_at: None,
    };
    match state
        .service
        .correct_update(&console.actor(), &id, patch)
        .await
    {
        Ok(_) => console.visit.redirect(
            &format!("/console/incidents/{incident_id}"),
            "console-flash-update-corrected",
        ),
        Err(e) => {
            let (sub, code) = failed(&console.visit.tr, &format!("correct-{id}"), &e, form);
            incident_view(&state, &console, &incident_id, sub, code).await
        }
    }
}

pub async fn put_postmortem(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
    Form(pairs): Pairs,
) -> Response {
    let form = Fields(pairs);
    if let Err(r) = console.guard(&form, Need::Respond) {
        return r;
    }
    let mut errs = Errs::default();
    let Some(pm_state) =
        parse_enum::<PostmortemState>(&form, "state", &mut errs, &console.visit.tr)
    else {
        let sub = Submitted {
            err_form: "postmortem".into(),
            errs,
            form,
            preview: false,
        };
        return incident_view(&state, &console, &id, sub, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let input = PostmortemInput {
        summary: form.opt("summary"),
        root_cause: form.get("root_cause").to_string(),
        resolution: form.get("resolution").to_string(),
        state: pm_state,
        translations: Default::default(),
    };
    match state
        .service
        .put_postmortem(&console.actor(), &id, input)
        .await
    {
        Ok(_) => console.visit.redirect(
            &format!("/console/incidents/{id}"),
            "console-flash-postmortem-saved",
        ),
        Err(e) => {
            let (sub, code) = failed(&console.visit.tr, "postmortem", &e, form);
            incident_view(&state, &console, &id, sub, code).await
        }
    }
}

pub async fn add_item(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
    Form(pairs): Pairs,
) -> Response {
    let form = Fields(pairs);
    if let Err(r) = console.guard(&form, Need::Respond) {
        return r;
    }
    let tr = &console.visit.tr;
    let mut errs = Errs::default();
    let category = parse_enum::<RemediationCategory>(&form, "category", &mut errs, tr);
    let item_state = parse_enum::<RemediationState>(&form, "state", &mut errs, tr);
    let due_on = parse_date(&form, "due_on", &mut errs, tr);
    let (Some(category), Some(item_state), true) = (category, item_state, errs.is_empty()) else {
        let sub = Submitted {
            err_form: "item".into(),
            errs,
            form,
            preview: false,
        };
        return incident_view(&state, &console, &id, sub, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let input = NewRemediationItem {
        title: form.get("title").to_string(),
        detail: form.opt("detail"),
        category,
        state: item_state,
        state_reason: form.opt("state_reason"),
        due_on,
        tracker_url: form.opt("tracker_url"),
        position: None,
        translations: Default::default(),
    };
    match state
        .service
        .create_remediation_item(&console.actor(), &id, input)
        .await
    {
        Ok(_) => console.visit.redirect(
            &format!("/console/incidents/{id}"),
            "console-flash-item-saved",
        ),
        Err(e) => {
            let (sub, code) = failed(&console.visit.tr, "item", &e, form);
            incident_view(&state, &console, &id, sub, code).await
        }
    }
}

pub async fn patch_item(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
    Form(pairs): Pairs,
) -> Response {
    let form = Fields(pairs);
    if let Err(r) = console.guard(&form, Need::Respond) {
        return r;
    }
    let item = match state.service.remediation_item(&id).await {
        Ok(i) => i,
        Err(e) => return console.visit.error(&e),
    };
    let tr = &console.visit.tr;
    let mut errs = Errs::default();
    let mut patch = RemediationPatch::default();
    match form.get("move") {
        "up" => patch.position = Some((item.position - 1).max(1)),
        "down" => patch.position = Some(item.position + 1),
        _ => {
            patch.state = parse_enum::<RemediationState>(&form, "state", &mut errs, tr);
            patch.state_reason = Some(form.opt("state_reason"));
            patch.due_on = Some(parse_date(&form, "due_on", &mut errs, tr));
            patch.tracker_url = Some(form.opt("tracker_url"));
        }
    }
    if !errs.is_empty() {
        let sub = Submitted {
            err_form: format!("item-{id}"),
            errs,
            form,
            preview: false,
        };
        return incident_view(
            &state,
            &console,
            &item.incident_id,
            sub,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    match state
        .service
        .patch_remediation_item(&console.actor(), &id, patch)
        .await
    {
        Ok(_) => console.visit.redirect(
            &format!("/console/incidents/{}", item.incident_id),
            "console-flash-item-saved",
        ),
        Err(e) => {
            let (sub, code) = failed(&console.visit.tr, &format!("item-{id}"), &e, form);
            incident_view(&state, &console, &item.incident_id, sub, code).await
        }
    }
}

pub async fn put_milestones(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
    Form(pairs): Pairs,
) -> Response {
    let form = Fields(pairs);
    if let Err(r) = console.guard(&form, Need::Respond) {
        return r;
    }
    let detail = match state.service.incident_detail(&id).await {
        Ok(d) => d,
        Err(e) => return console.visit.error(&e),
    };
    let tr = &console.visit.tr;
    let mut errs = Errs::default();
    let mut patch = MilestonesPatch::default();
    let mut next = detail.incident.milestones.clone();
    for (name, current) in editable_milestones(&detail.incident.milestones) {
        // Unchanged fields are left alone (a time given through the API keeps its precision).
        if form.get(name).trim() == milestone_value(current) {
            continue;
        }
        let value = parse_time(&form, name, &mut errs, tr);
        let (slot, next_slot) = match name {
            "impact_started_at" => (&mut patch.impact_started_at, &mut next.impact_started_at),
            "detected_at" => (&mut patch.detected_at, &mut next.detected_at),
            "mitigated_at" => (&mut patch.mitigated_at, &mut next.mitigated_at),
            _ => (&mut patch.impact_ended_at, &mut next.impact_ended_at),
        };
        *slot = Some(value);
        *next_slot = value;
    }
    // The order rules, said in the user's language (the service checks them again).
    for problem in milestone_order(&next, state.service.now()) {
        let message = match &problem {
            MilestoneProblem::Future { .. } => tr.t("console-error-future"),
            MilestoneProblem::Before { earlier, .. } => tr.f(
                "console-error-before",
                &[("milestone", tr.t(milestone_key(earlier)))],
            ),
        };
        if !errs.has(problem.field()) {
            errs.add(tr, problem.field(), message);
        }
    }
    if !errs.is_empty() {
        let sub = Submitted {
            err_form: "milestones".into(),
            errs,
            form,
            preview: false,
        };
        return incident_view(&state, &console, &id, sub, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let unchanged = [
        &patch.impact_started_at,
        &patch.detected_at,
        &patch.mitigated_at,
        &patch.impact_ended_at,
    ]
    .iter()
    .all(|p| p.is_none());
    let to = format!("/console/incidents/{id}");
    if unchanged {
        return console.visit.redirect(&to, "console-flash-no-change");
    }
    let patch = IncidentPatch {
        milestones: Some(patch),
        ..Default::default()
    };
    match state
        .service
        .patch_incident(&console.actor(), &id, patch)
        .await
    {
        Ok(_) => console
            .visit
            .redirect(&to, "console-flash-milestones-saved"),
        Err(e) => {
            let (mut sub, code) = failed(tr, "milestones", &e, form);
            let mut errs = Errs::default();
            for (field, e) in std::mem::take(&mut sub.errs.0) {
                errs.add(tr, field.trim_start_matches("milestones."), e.message);
            }
            sub.errs = errs;
            incident_view(&state, &console, &id, sub, code).await
        }
    }
}

// ---------------------------------------------------------------- translations

pub struct TrField {
    pub name: String,
    pub label: String,
    pub original: String,
    pub text: String,
    pub stale: bool,
    pub line: bool,
}

pub struct TrObject {
    pub kind: String,
    pub id: String,
    pub heading: String,
    pub fields: Vec<TrField>,
    pub provenances: Vec<Opt>,
    pub has_errors: bool,
}

#[derive(Template)]
#[template(path = "console/translations.html")]
struct TranslationsPage {
    c: Chrome,
    /// This screen (the language chooser submits to it).
    show_href: String,
    back_href: String,
    back_label: String,
    /// The incident whose texts these are (empty for the page's own texts).
    incident: String,
    locale: String,
    original_in: String,
    original_tag: String,
    locales: Vec<Opt>,
    objects: Vec<TrObject>,
    errs: Errs,
}

#[derive(Deserialize)]
pub struct LocaleQuery {
    locale: Option<String>,
}

/// The language to translate into: the one asked for if the page has it, else the page's
/// first language other than the original's (empty when there is none).
fn target_locale(page: &PageSettings, original: &str, wanted: Option<String>) -> String {
    wanted
        .filter(|l| page.locales.contains(l) && l != original)
        .or_else(|| page.locales.iter().find(|l| *l != original).cloned())
        .unwrap_or_default()
}

/// Builds the objects of a translations screen from their originals and the translations
/// that exist.
struct TrScope<'a> {
    tr: &'a Tr,
    translations: &'a [Translation],
    locale: &'a str,
    /// `<kind>-<id>` of the object whose form was just refused.
    err_object: &'a str,
}

impl TrScope<'_> {
    fn object(
        &self,
        kind: TranslatableKind,
        object_id: &str,
        heading: String,
        originals: Vec<(&str, Option<String>)>,
    ) -> TrObject {
        let tr = self.tr;
        let mut provenance = "human";
        let fields = originals
            .into_iter()
            .filter_map(|(field, original)| {
                let original = original?;
                let t = self.translations.iter().find(|t| {
                    t.kind == kind
                        && t.object_id == object_id
                        && t.field == field
                        && t.locale == self.locale
                });
                if let Some(t) = t {
                    provenance = t.provenance.as_str();
                }
                Some(TrField {
                    name: field.to_string(),
                    label: tr.t(field_key(field)),
                    stale: t.is_some_and(|t| t.is_stale(&original)),
                    text: t.map(|t| t.text.clone()).unwrap_or_default(),
                    original,
                    line: TranslatableKind::is_line_field(field),
                })
            })
            .collect();
        TrObject {
            kind: kind.as_str().to_string(),
            id: object_id.to_string(),
            heading,
            fields,
            has_errors: format!("{}-{}", kind.as_str(), object_id) == self.err_object,
            provenances: Opt::list(
                Provenance::ALL,
                |p| p.as_str(),
                |p| tr.t(provenance_key(p)),
                provenance,
            ),
        }
    }
}

/// The other languages of the page, for the language chooser.
fn locale_opts(tr: &Tr, page: &PageSettings, original: &str, locale: &str) -> Vec<Opt> {
    page.locales
        .iter()
        .filter(|l| *l != original)
        .map(|l| Opt {
            value: l.clone(),
            label: tr.t(&format!("language-name-{l}")),
            selected: l == locale,
        })
        .collect()
}

fn original_in(tr: &Tr, original: &str) -> String {
    tr.f(
        "console-original-in",
        &[(
            "language",
            crate::render::labels::language_in(original)
                .map(|k| tr.t(k))
                .unwrap_or_else(|| original.to_string()),
        )],
    )
}

async fn translations_view(
    state: &AppState,
    console: &Console,
    id: &str,
    locale: Option<String>,
    err_object: String,
    errs: Errs,
    status: StatusCode,
) -> Response {
    let tr = &console.visit.tr;
    let detail = match state.service.incident_detail(id).await {
        Ok(d) => d,
        Err(e) => return console.visit.error(&e),
    };
    let page = match state.service.page().await {
        Ok(p) => p,
        Err(e) => return console.visit.error(&e),
    };
    let original_locale = detail.incident.locale.clone();
    let locale = target_locale(&page, &original_locale, locale);
    let scope = TrScope {
        tr,
        translations: &detail.translations,
        locale: &locale,
        err_object: &err_object,
    };
    let inc = &detail.incident;
    let stamp = stamp_fn(state, tr).await;
    let mut objects = vec![scope.object(
        TranslatableKind::Incident,
        &inc.id,
        tr.t("console-tr-incident"),
        vec![
            ("title", Some(inc.title.clone())),
            ("symptom", inc.symptom.clone()),
        ],
    )];
    for u in &detail.updates {
        objects.push(scope.object(
            TranslatableKind::Update,
            &u.id,
            format!(
                "{} · {}",
                tr.t(labels::incident_status(u.status)),
                stamp(u.display_at)
            ),
            vec![("message", Some(u.message.clone()))],
        ));
    }
    if let Some(p) = &detail.postmortem {
        objects.push(scope.object(
            TranslatableKind::Postmortem,
            &inc.id,
            tr.t("postmortem-heading"),
            vec![
                ("summary", p.summary.clone()),
                ("root_cause", Some(p.root_cause.clone())),
                ("resolution", Some(p.resolution.clone())),
            ],
        ));
    }
    for i in &detail.remediation_items {
        objects.push(scope.object(
            TranslatableKind::RemediationItem,
            &i.id,
            format!("{} · {}", tr.t("remediation-heading"), i.title),
            vec![
                ("title", Some(i.title.clone())),
                ("detail", i.detail.clone()),
            ],
        ));
    }
    let view = TranslationsPage {
        c: console.chrome(
            state,
            &tr.f("console-translations-of", &[("title", inc.title.clone())]),
        ),
        show_href: format!("/console/incidents/{}/translations", inc.id),
        back_href: format!("/console/incidents/{}", inc.id),
        back_label: tr.t("console-back-to-incident"),
        incident: inc.id.clone(),
        original_in: original_in(tr, &original_locale),
        original_tag: original_locale.clone(),
        locales: locale_opts(tr, &page, &original_locale, &locale),
        locale,
        objects,
        errs,
    };
    console.visit.page(status, view.render())
}

pub async fn translations_page(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
    query: Result<Query<LocaleQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let locale = query.ok().and_then(|q| q.0.locale);
    translations_view(
        &state,
        &console,
        &id,
        locale,
        String::new(),
        Errs::default(),
        StatusCode::OK,
    )
    .await
}

/// The page's own texts (its name and footer), written in the default language.
async fn page_translations_view(
    state: &AppState,
    console: &Console,
    locale: Option<String>,
    err_object: String,
    errs: Errs,
    status: StatusCode,
) -> Response {
    let tr = &console.visit.tr;
    let page = match state.service.page().await {
        Ok(p) => p,
        Err(e) => return console.visit.error(&e),
    };
    let translations = match state
        .service
        .store()
        .translations(TranslatableKind::Page, &page.id)
        .await
    {
        Ok(t) => t,
        Err(e) => return console.visit.error(&e.into()),
    };
    let original_locale = page.default_locale.clone();
    let locale = target_locale(&page, &original_locale, locale);
    let scope = TrScope {
        tr,
        translations: &translations,
        locale: &locale,
        err_object: &err_object,
    };
    let objects = vec![scope.object(
        TranslatableKind::Page,
        &page.id,
        page.name.clone(),
        vec![
            ("name", Some(page.name.clone())),
            (
                "footer_markdown",
                Some(page.footer_markdown.clone()).filter(|f| !f.trim().is_empty()),
            ),
        ],
    )];
    let (back_href, back_label) = if console.who.user.role.is_admin() {
        ("/console/settings", tr.t("console-back-to-settings"))
    } else {
        ("/console", tr.t("console-back"))
    };
    let view = TranslationsPage {
        c: console.chrome(state, &tr.t("console-page-translations")),
        show_href: "/console/page/translations".into(),
        back_href: back_href.into(),
        back_label,
        incident: String::new(),
        original_in: original_in(tr, &original_locale),
        original_tag: original_locale.clone(),
        locales: locale_opts(tr, &page, &original_locale, &locale),
        locale,
        objects,
        errs,
    };
    console.visit.page(status, view.render())
}

pub async fn page_translations_page(
    State(state): State<AppState>,
    console: Console,
    query: Result<Query<LocaleQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let locale = query.ok().and_then(|q| q.0.locale);
    page_translations_view(
        &state,
        &console,
        locale,
        String::new(),
        Errs::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn put_translation(
    State(state): State<AppState>,
    console: Console,
    Path((kind, id, locale)): Path<(String, String, String)>,
    Form(pairs): Pairs,
) -> Response {
    let form = Fields(pairs);
    if let Err(r) = console.guard(&form, Need::Translate) {
        return r;
    }
    let Ok(kind) = kind.parse::<TranslatableKind>() else {
        return console
            .visit
            .error(&Error::NotFound(format!("no kind {kind}")));
    };
    let incident_id = form.get("incident").to_string();
    let mut errs = Errs::default();
    let provenance = parse_enum::<Provenance>(&form, "provenance", &mut errs, &console.visit.tr);
    let fields: BTreeMap<String, String> = form
        .with_prefix("f.")
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    if fields.is_empty() {
        let tr = &console.visit.tr;
        errs.add(tr, "fields", tr.t("console-error-no-translation"));
    }
    let err_object = format!("{}-{}", kind.as_str(), id);
    // Back to the screen the form was on: the page's texts, or an incident's.
    let refused = |err_object: String, errs: Errs, status: StatusCode| {
        let (state, console, incident_id, locale) = (&state, &console, &incident_id, &locale);
        async move {
            if kind == TranslatableKind::Page {
                page_translations_view(
                    state,
                    console,
                    Some(locale.clone()),
                    err_object,
                    errs,
                    status,
                )
                .await
            } else {
                translations_view(
                    state,
                    console,
                    incident_id,
                    Some(locale.clone()),
                    err_object,
                    errs,
                    status,
                )
                .await
            }
        }
    };
    let Some(provenance) = provenance.filter(|_| errs.is_empty()) else {
        return refused(err_object, errs, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let put = TranslationPut { fields, provenance };
    match state
        .service
        .put_translation(&console.actor(), kind, &id, &locale, put)
        .await
    {
        Ok(_) => {
            let to = if kind == TranslatableKind::Page {
                format!("/console/page/translations?locale={locale}")
            } else {
                format!("/console/incidents/{incident_id}/translations?locale={locale}")
            };
            console
                .visit
                .redirect(&to, "console-flash-translation-saved")
        }
        Err(e) => {
            let code = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            refused(err_object, Errs::from_error(&e, &console.visit.tr), code).await
        }
    }
}

// ---------------------------------------------------------------- audit log

pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub kind: String,
    pub id: String,
}

#[derive(Template)]
#[template(path = "console/audit.html")]
struct AuditPage {
    c: Chrome,
    form: Fields,
    rows: Vec<AuditRow>,
}

#[derive(Deserialize)]
pub struct AuditQuery {
    actor: Option<String>,
    object_kind: Option<String>,
    object_id: Option<String>,
}

pub async fn audit_page(
    State(state): State<AppState>,
    console: Console,
    query: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    if let Err(r) = console.allow(Need::Admin) {
        return r;
    }
    let q = query.map(|q| q.0).unwrap_or(AuditQuery {
        actor: None,
        object_kind: None,
        object_id: None,
    });
    let clean = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let filter = AuditFilter {
        actor: clean(q.actor),
        object_kind: clean(q.object_kind),
        object_id: clean(q.object_id),
        before: None,
        limit: 200,
    };
    let mut form = Fields::default();
    form.set("actor", filter.actor.clone().unwrap_or_default());
    form.set(
        "object_kind",
        filter.object_kind.clone().unwrap_or_default(),
    );
    form.set("object_id", filter.object_id.clone().unwrap_or_default());
    let entries = match state.service.store().audit_log(&filter).await {
        Ok(e) => e,
        Err(e) => return console.visit.error(&e.into()),
    };
    let tr = &console.visit.tr;
    // Actions and kinds by their readable labels; one this version does not know, as stored.
    let label = |key: Option<&str>, code: String| key.map(|k| tr.t(k)).unwrap_or(code);
    let rows = entries
        .into_iter()
        .map(|e| AuditRow {
            at: e.at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            actor: e.actor,
            action: label(labels::audit_action(&e.action), e.action.clone()),
            kind: label(labels::audit_kind(&e.object_kind), e.object_kind.clone()),
            id: e.object_id,
        })
        .collect();
    let page = AuditPage {
        c: console.chrome(&state, &console.visit.tr.t("console-audit")),
        form,
        rows,
    };
    console.visit.page(StatusCode::OK, page.render())
}

// ---------------------------------------------------------------- users and tokens

pub struct UserRow {
    pub id: String,
    pub name: String,
    pub role: String,
    pub created: String,
    /// "Active", or "Disabled on ..." .
    pub state: String,
    pub disabled: bool,
    /// The signed-in user's own row (no disable button).
    pub is_self: bool,
    /// The button's accessible name: "Disable ana".
    pub action_label: String,
}

#[derive(Template)]
#[template(path = "console/users.html")]
struct UsersPage {
    c: Chrome,
    users: Vec<UserRow>,
    form: Fields,
    errs: Errs,
    roles: Vec<Opt>,
    /// Why a disable or enable was refused, if it just was.
    refused: String,
}

async fn users_view(
    state: &AppState,
    console: &Console,
    form: Fields,
    errs: Errs,
    refused: String,
    status: StatusCode,
) -> Response {
    let tr = &console.visit.tr;
    let users = match state.service.users(&console.actor()).await {
        Ok(u) => u,
        Err(e) => return console.visit.error(&e),
    };
    let page = UsersPage {
        c: console.chrome(state, &tr.t("console-users")),
        users: users
            .iter()
            .map(|u| UserRow {
                id: u.id.clone(),
                name: u.username.clone(),
                role: tr.t(role_key(u.role)),
                created: u.created_at.format("%Y-%m-%d").to_string(),
                state: match u.disabled_at {
                    Some(at) => tr.f(
                        "console-user-disabled-on",
                        &[("date", at.format("%Y-%m-%d").to_string())],
                    ),
                    None => tr.t("console-user-active"),
                },
                disabled: u.disabled_at.is_some(),
                is_self: u.id == console.who.user.id,
                action_label: tr.f(
                    if u.disabled_at.is_some() {
                        "console-enable-user"
                    } else {
                        "console-disable-user"
                    },
                    &[("user", u.username.clone())],
                ),
            })
            .collect(),
        roles: role_options(tr, form.get("role")),
        form,
        errs,
        refused,
    };
    console.visit.page(status, page.render())
}

/// The roles, for a select, `current` selected (users and tokens).
fn role_options(tr: &Tr, current: &str) -> Vec<Opt> {
    Opt::list(Role::ALL, |r| r.as_str(), |r| tr.t(role_key(r)), current)
}

pub async fn users_page(State(state): State<AppState>, console: Console) -> Response {
    if let Err(r) = console.allow(Need::Admin) {
        return r;
    }
    users_view(
        &state,
        &console,
        Fields::default(),
        Errs::default(),
        String::new(),
        StatusCode::OK,
    )
    .await
}

pub async fn create_user(
    State(state): State<AppState>,
    console: Console,
    Form(pairs): Pairs,
) -> Response {
    let mut form = Fields(pairs);
    if let Err(r) = console.guard(&form, Need::Admin) {
        return r;
    }
    let mut errs = Errs::default();
    let role = parse_enum::<Role>(&form, "role", &mut errs, &console.visit.tr);
    let password = form.get("password").to_string();
    form.set("password", "");
    let Some(role) = role else {
        return users_view(
            &state,
            &console,
            form,
            errs,
            String::new(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    match state
        .service
        .create_user(
            &console.actor(),
            form.get("username").trim(),
            &password,
            role,
        )
        .await
    {
        Ok(_) => console
            .visit
            .redirect("/console/users", "console-flash-user-created"),
        Err(e) => {
            let code = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            users_view(
                &state,
                &console,
                form,
                Errs::from_error(&e, &console.visit.tr),
                String::new(),
                code,
            )
            .await
        }
    }
}

pub async fn disable_user(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
    Form(pairs): Pairs,
) -> Response {
    set_user_disabled(&state, &console, &id, Fields(pairs), true).await
}

pub async fn enable_user(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
    Form(pairs): Pairs,
) -> Response {
    set_user_disabled(&state, &console, &id, Fields(pairs), false).await
}

/// Disables (their sessions end at once) or enables a user; refusals are shown on the users
/// screen in the user's language.
async fn set_user_disabled(
    state: &AppState,
    console: &Console,
    id: &str,
    form: Fields,
    disabled: bool,
) -> Response {
    if let Err(r) = console.guard(&form, Need::Admin) {
        return r;
    }
    let tr = &console.visit.tr;
    let refuse = |key: &'static str| async move {
        users_view(
            state,
            console,
            Fields::default(),
            Errs::default(),
            tr.t(key),
            StatusCode::CONFLICT,
        )
        .await
    };
    if disabled && id == console.who.user.id {
        return refuse("console-error-disable-self").await;
    }
    match state
        .service
        .set_user_disabled(&console.actor(), id, disabled)
        .await
    {
        Ok(_) => console.visit.redirect(
            "/console/users",
            if disabled {
                "console-flash-user-disabled"
            } else {
                "console-flash-user-enabled"
            },
        ),
        Err(Error::Conflict(_)) => refuse("console-error-last-admin").await,
        Err(e) => console.visit.error(&e),
    }
}

pub struct TokenRow {
    pub id: String,
    pub name: String,
    pub role: String,
    pub created: String,
    pub last_used: String,
    pub revoked: bool,
}

#[derive(Template)]
#[template(path = "console/tokens.html")]
struct TokensPage {
    c: Chrome,
    tokens: Vec<TokenRow>,
    form: Fields,
    errs: Errs,
    roles: Vec<Opt>,
    /// A token just created: its secret, shown this once.
    secret: String,
}

async fn tokens_view(
    state: &AppState,
    console: &Console,
    form: Fields,
    errs: Errs,
    secret: String,
    status: StatusCode,
) -> Response {
    let tr = &console.visit.tr;
    let tokens = match state.service.store().tokens().await {
        Ok(t) => t,
        Err(e) => return console.visit.error(&e.into()),
    };
    let day = |t: Option<DateTime<Utc>>| {
        t.map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_else(|| "—".into())
    };
    let page = TokensPage {
        c: console.chrome(state, &tr.t("console-tokens")),
        tokens: tokens
            .iter()
            .map(|t| TokenRow {
                id: t.id.clone(),
                name: t.name.clone(),
                role: tr.t(role_key(t.role)),
                created: day(Some(t.created_at)),
                last_used: day(t.last_used_at),
                revoked: t.revoked_at.is_some(),
            })
            .collect(),
        roles: role_options(tr, form.get("role")),
        form,
        errs,
        secret,
    };
    console.visit.page(status, page.render())
}

pub async fn tokens_page(State(state): State<AppState>, console: Console) -> Response {
    if let Err(r) = console.allow(Need::Admin) {
        return r;
    }
    tokens_view(
        &state,
        &console,
        Fields::default(),
        Errs::default(),
        String::new(),
        StatusCode::OK,
    )
    .await
}

pub async fn create_token(
    State(state): State<AppState>,
    console: Console,
    Form(pairs): Pairs,
) -> Response {
    let form = Fields(pairs);
    if let Err(r) = console.guard(&form, Need::Admin) {
        return r;
    }
    let mut errs = Errs::default();
    let Some(role) = parse_enum::<Role>(&form, "role", &mut errs, &console.visit.tr) else {
        return tokens_view(
            &state,
            &console,
            form,
            errs,
            String::new(),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    match state
        .service
        .create_token(&console.actor(), form.get("name"), role)
        .await
    {
        Ok((_, secret)) => {
            tokens_view(
                &state,
                &console,
                Fields::default(),
                Errs::default(),
                secret,
                StatusCode::CREATED,
            )
            .await
        }
        Err(e) => {
            let code = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            tokens_view(
                &state,
                &console,
                form,
                Errs::from_error(&e, &console.visit.tr),
                String::new(),
                code,
            )
            .await
        }
    }
}

pub async fn revoke_token(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
    Form(pairs): Pairs,
) -> Response {
    let form = Fields(pairs);
    if let Err(r) = console.guard(&form, Need::Admin) {
        return r;
    }
    match state.service.revoke_token(&console.actor(), &id).await {
        Ok(()) => console
            .visit
            .redirect("/console/tokens", "console-flash-token-revoked"),
        Err(e) => console.visit.error(&e),
    }
}
