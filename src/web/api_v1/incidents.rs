//! Incidents and maintenances: the list, one incident with everything about it, opening,
//! changing and scheduling.

use axum::extract::{Path, State};
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::postmortems::{item_view, postmortem_view};
use super::translations::translations_view;
use super::updates::update_view;
use super::{
    created, limit, locale_query, ok, query, requested_locale, ApiResult, ListErrors, LocaleQuery,
    QueryResult, TokenItemErrors, WriteErrors,
};
use crate::domain::{
    Component, Durations, Incident, IncidentDetail, IncidentKind, IncidentStatus, Localizer,
    PostmortemState, Problem, TranslatableKind, Translation,
};
use crate::error::Error;
use crate::read;
use crate::service::{IncidentPatch, NewIncident, NewMaintenance};
use crate::store::IncidentFilter;
use crate::web::api_v1_views::{
    AffectedComponent, IncidentCore, IncidentList, IncidentListItem, IncidentView, LocaleCode,
    LocalizedIncident, LocalizedPostmortem, LocalizedRemediationItem, LocalizedUpdate,
    MilestonesView,
};
use crate::web::auth::{Authorized, Caller, Responder};
use crate::web::json::ApiJson;
use crate::web::AppState;

fn affected_view(ids: &[String], components: &[Component]) -> Vec<AffectedComponent> {
    ids.iter()
        .filter_map(|id| components.iter().find(|c| &c.id == id))
        .map(|c| {
            let group = c
                .group_id
                .as_ref()
                .and_then(|g| components.iter().find(|k| &k.id == g));
            AffectedComponent {
                id: c.id.clone(),
                name: c.name.clone(),
                group_id: c.group_id.clone(),
                group_name: group.map(|g| g.name.clone()),
                status: c.status,
            }
        })
        .collect()
}

fn incident_core(i: &Incident, base_url: &str) -> IncidentCore {
    IncidentCore {
        id: i.id.clone(),
        kind: i.kind,
        title: i.title.clone(),
        impact: i.impact,
        status: i.status,
        locale: i.locale.clone(),
        symptom: i.symptom.clone(),
        started_at: i.started_at,
        scheduled_for: i.scheduled_for,
        scheduled_until: i.scheduled_until,
        auto_transition: i.auto_transition,
        shortlink: format!("{base_url}/incidents/{}", i.id),
        created_at: i.created_at,
        updated_at: i.updated_at,
    }
}

fn milestones_view(d: &IncidentDetail, published_at: Option<DateTime<Utc>>) -> MilestonesView {
    MilestonesView {
        recorded: d.incident.milestones.clone(),
        first_update_at: d.first_update_at(),
        postmortem_published_at: published_at,
    }
}

/// Everything public about an incident. Draft postmortems only for token holders.
fn incident_view(data: &read::api::IncidentData, include_drafts: bool) -> IncidentView {
    let (d, components) = (&data.detail, &data.components[..]);
    let i = &d.incident;
    let postmortem = d
        .postmortem
        .as_ref()
        .filter(|p| include_drafts || p.state == PostmortemState::Published);
    let published_at = postmortem.and_then(|p| p.published_at);
    let remediation_items = if postmortem.is_some() || include_drafts {
        d.remediation_items
            .iter()
            .map(|r| item_view(r, &d.translations))
            .collect()
    } else {
        Vec::new()
    };
    IncidentView {
        core: incident_core(i, &data.base_url),
        components: affected_view(&d.component_ids, components),
        milestones: milestones_view(d, published_at),
        durations: Durations::compute(&i.milestones, d.first_update_at(), published_at),
        updates: d
            .updates
            .iter()
            .map(|u| update_view(u, components, &d.translations))
            .collect(),
        postmortem: postmortem.map(|p| postmortem_view(p, &d.translations)),
        remediation_items,
        translations: translations_view(&d.translations, TranslatableKind::Incident, &i.id, &|f| {
            match f {
                "title" => Some(i.title.clone()),
                "symptom" => i.symptom.clone(),
                _ => None,
            }
        }),
        localized: None,
    }
}

fn localized_incident(
    i: &Incident,
    translations: &[Translation],
    locale: &str,
) -> LocalizedIncident {
    let loc = Localizer::new(translations, locale, &i.locale);
    let kind = TranslatableKind::Incident;
    LocalizedIncident {
        locale: locale.to_string(),
        title: loc.text(kind, &i.id, "title", &i.title),
        symptom: loc.opt(kind, &i.id, "symptom", i.symptom.as_deref()),
    }
}

/// Adds `localized` to the incident, each update, the postmortem and each remediation item of
/// a view made by `incident_view`.
fn localize_incident_view(v: &mut IncidentView, d: &IncidentDetail, locale: &str) {
    let i = &d.incident;
    let loc = Localizer::new(&d.translations, locale, &i.locale);
    v.localized = Some(localized_incident(i, &d.translations, locale));
    for (view, u) in v.updates.iter_mut().zip(&d.updates) {
        view.localized = Some(LocalizedUpdate {
            locale: locale.to_string(),
            message: loc.text(TranslatableKind::Update, &u.id, "message", &u.message),
        });
    }
    if let (Some(p), Some(view)) = (&d.postmortem, v.postmortem.as_mut()) {
        let kind = TranslatableKind::Postmortem;
        view.localized = Some(LocalizedPostmortem {
            locale: locale.to_string(),
            summary: loc.opt(kind, &i.id, "summary", p.summary.as_deref()),
            root_cause: loc.text(kind, &i.id, "root_cause", &p.root_cause),
            resolution: loc.text(kind, &i.id, "resolution", &p.resolution),
        });
    }
    for (view, r) in v.remediation_items.iter_mut().zip(&d.remediation_items) {
        let kind = TranslatableKind::RemediationItem;
        view.localized = Some(LocalizedRemediationItem {
            locale: locale.to_string(),
            title: loc.text(kind, &r.id, "title", &r.title),
            detail: loc.opt(kind, &r.id, "detail", r.detail.as_deref()),
        });
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct IncidentQuery {
    kind: Option<IncidentKind>,
    /// Comma-separated statuses.
    status: Option<String>,
    before: Option<DateTime<Utc>>,
    limit: Option<i64>,
    component: Option<String>,
    /// Also return `localized` texts in this locale.
    #[param(value_type = Option<LocaleCode>)]
    locale: Option<String>,
}

/// `?status=a,b`: each status named, or a 422 naming `status`.
fn statuses(list: Option<&str>) -> Result<Vec<IncidentStatus>, Error> {
    list.into_iter()
        .flat_map(|s| s.split(','))
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.trim()
                .parse::<IncidentStatus>()
                .map_err(|e| Error::invalid("status", Problem::text(e)))
        })
        .collect()
}

fn list_item(
    i: &Incident,
    data: &read::api::IncidentsData,
    locale: Option<&str>,
) -> IncidentListItem {
    IncidentListItem {
        core: incident_core(i, &data.base_url),
        components: affected_view(&data.list.components_of(&i.id), &data.components),
        milestones: i.milestones.clone(),
        localized: locale.map(|locale| localized_incident(i, &data.list.translations, locale)),
    }
}

#[utoipa::path(
    get,
    path = "/api/v1/incidents",
    tag = "Herald v1",
    summary = "Incidents and maintenances, newest first",
    params(IncidentQuery),
    responses((status = 200, description = "A page of incidents and maintenances", body = IncidentList), ListErrors)
)]
pub async fn list_incidents(
    State(state): State<AppState>,
    q: QueryResult<IncidentQuery>,
) -> ApiResult {
    let q = query(q)?;
    let statuses = statuses(q.status.as_deref())?;
    let locale = requested_locale(q.locale.as_deref())?;
    let limit = limit(q.limit, 25, 100)?;
    let filter = IncidentFilter {
        kind: q.kind,
        statuses,
        before: q.before,
        since: None,
        component_ids: Vec::new(),
        limit,
        after: None,
    };
    let component = q.component.as_deref();
    let data = read::api::incidents(&state.service, filter, component, locale.is_some()).await?;
    let listed = &data.list.incidents;
    let incidents = listed
        .iter()
        .map(|i| list_item(i, &data, locale.as_deref()))
        .collect();
    let next_before = (crate::domain::numbers::count(listed.len()) == limit)
        .then(|| listed.last().map(|i| i.started_at))
        .flatten();
    ok(IncidentList {
        incidents,
        next_before,
    })
}

async fn full_incident(
    state: &AppState,
    id: &str,
    include_drafts: bool,
    locale: Option<&str>,
) -> Result<IncidentView, Error> {
    let data = read::api::incident(&state.service, id).await?;
    let mut v = incident_view(&data, include_drafts);
    if let Some(locale) = locale {
        localize_incident_view(&mut v, &data.detail, locale);
    }
    Ok(v)
}

#[utoipa::path(
    get,
    path = "/api/v1/incidents/{id}",
    tag = "Herald v1",
    summary = "Everything public about an incident",
    params(("id" = String, Path, description = "Public id"), LocaleQuery),
    responses((status = 200, description = "The incident", body = IncidentView), TokenItemErrors)
)]
pub async fn get_incident(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    query: QueryResult<LocaleQuery>,
) -> ApiResult {
    let locale = locale_query(query)?;
    ok(full_incident(&state, &id, caller.0.is_some(), locale.as_deref()).await?)
}

#[utoipa::path(
    post,
    path = "/api/v1/incidents",
    tag = "Herald v1",
    summary = "Open an incident",
    request_body = NewIncident,
    responses((status = 201, description = "The new incident", body = IncidentView), WriteErrors),
    security(("token" = []))
)]
pub async fn create_incident(
    State(state): State<AppState>,
    Authorized(actor, ..): Authorized<Responder>,
    ApiJson(input): ApiJson<NewIncident>,
) -> ApiResult {
    let detail = state.service.create_incident(&actor, input).await?;
    created(full_incident(&state, &detail.incident.id, true, None).await?)
}

#[utoipa::path(
    patch,
    path = "/api/v1/incidents/{id}",
    tag = "Herald v1",
    summary = "Change an incident",
    params(("id" = String, Path, description = "Public id")),
    request_body = IncidentPatch,
    responses((status = 200, description = "The incident as changed", body = IncidentView), WriteErrors),
    security(("token" = []))
)]
pub async fn patch_incident(
    State(state): State<AppState>,
    Authorized(actor, ..): Authorized<Responder>,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<IncidentPatch>,
) -> ApiResult {
    state.service.patch_incident(&actor, &id, patch).await?;
    ok(full_incident(&state, &id, true, None).await?)
}

#[utoipa::path(
    post,
    path = "/api/v1/maintenances",
    tag = "Herald v1",
    summary = "Schedule a maintenance",
    request_body = NewMaintenance,
    responses((status = 201, description = "The new maintenance", body = IncidentView), WriteErrors),
    security(("token" = []))
)]
pub async fn create_maintenance(
    State(state): State<AppState>,
    Authorized(actor, ..): Authorized<Responder>,
    ApiJson(input): ApiJson<NewMaintenance>,
) -> ApiResult {
    let detail = state.service.create_maintenance(&actor, input).await?;
    created(full_incident(&state, &detail.incident.id, true, None).await?)
}
