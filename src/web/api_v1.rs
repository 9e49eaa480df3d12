//! Herald's own API (api-v1.md). Handlers are short: parse, call the service, serialize. The
//! response shapes are the types of `api_v1_views`; the errors each route can answer are listed
//! in its `responses`, all in the one error shape.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::api_v1_views::*;
use super::auth::{Admin, AnyRole, Authorized, Caller, Responder};
use super::json::{ApiError, ApiJson, ErrorBody};
use super::AppState;
use crate::domain::*;
use crate::error::Error;
use crate::service::*;
use crate::store::{AuditFilter, IncidentFilter};

type ApiResult = Result<Response, ApiError>;

/// The body of a success. Through `serde_json::Value`, whose objects keep their keys sorted:
/// the API has always sent keys in alphabetical order, and clients may compare bytes.
fn body<T: Serialize>(value: T) -> Result<Json<serde_json::Value>, ApiError> {
    serde_json::to_value(value)
        .map(Json)
        .map_err(|e| ApiError(Error::Internal(e.into())))
}

fn ok<T: Serialize>(value: T) -> ApiResult {
    Ok(body(value)?.into_response())
}

fn created<T: Serialize>(value: T) -> ApiResult {
    Ok((StatusCode::CREATED, body(value)?).into_response())
}

// ---- the errors each kind of route can answer (all `ErrorBody`) ----
// These enums only describe answers for the OpenAPI document (`ApiError` writes them), so their
// variants are never built.

/// A list anyone may read.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum ListErrors {
    /// A query parameter is invalid (named in `fields`).
    #[response(status = 422)]
    Invalid(ErrorBody),
    /// The database is unavailable.
    #[response(status = 503)]
    Unavailable(ErrorBody),
}

/// One object anyone may read, by id alone.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum NotFoundErrors {
    /// No such object.
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// The database is unavailable.
    #[response(status = 503)]
    Unavailable(ErrorBody),
}

/// One object anyone may read.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum ItemErrors {
    /// No such object.
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// A query parameter is invalid (named in `fields`).
    #[response(status = 422)]
    Invalid(ErrorBody),
    /// The database is unavailable.
    #[response(status = 503)]
    Unavailable(ErrorBody),
}

/// One object anyone may read, that shows more to a token holder (so a bad token is refused).
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum TokenItemErrors {
    /// An `Authorization` header that is not a valid token.
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// No such object.
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// A query parameter is invalid (named in `fields`).
    #[response(status = 422)]
    Invalid(ErrorBody),
    /// Too many failed authentications from this address; see `Retry-After`.
    #[response(status = 429)]
    RateLimited(ErrorBody),
    /// The database is unavailable.
    #[response(status = 503)]
    Unavailable(ErrorBody),
}

/// A read that needs the admin role.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum AdminReadErrors {
    /// No token, or not a valid one.
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// The token's role may not do this.
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// A query parameter is invalid (named in `fields`).
    #[response(status = 422)]
    Invalid(ErrorBody),
    /// Too many failed authentications from this address; see `Retry-After`.
    #[response(status = 429)]
    RateLimited(ErrorBody),
    /// The database is unavailable.
    #[response(status = 503)]
    Unavailable(ErrorBody),
}

/// A write. Authentication and role come first: without them the body is not read.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum WriteErrors {
    /// The body is not JSON.
    #[response(status = 400)]
    Malformed(ErrorBody),
    /// No token, or not a valid one.
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// The token's role may not do this.
    #[response(status = 403)]
    Forbidden(ErrorBody),
    /// No such object (in the path, or named in the body).
    #[response(status = 404)]
    NotFound(ErrorBody),
    /// The change conflicts with the stored state.
    #[response(status = 409)]
    Conflict(ErrorBody),
    /// The body is larger than the server accepts.
    #[response(status = 413)]
    TooLarge(ErrorBody),
    /// A field is invalid (each named in `fields`); nothing was changed.
    #[response(status = 422)]
    Invalid(ErrorBody),
    /// Too many failed authentications from this address; see `Retry-After`.
    #[response(status = 429)]
    RateLimited(ErrorBody),
    /// The database is unavailable or cannot take writes (nothing was changed).
    #[response(status = 503)]
    Unavailable(ErrorBody),
}

// ---- views: the JSON shapes of the API ----

/// `{"fr": {"title": "...", "provenance": "machine", "stale": false, "updated_at": ...}}` for one
/// object, from its translations and its current original texts.
fn translations_view(
    translations: &[Translation],
    kind: TranslatableKind,
    object_id: &str,
    original: &dyn Fn(&str) -> Option<String>,
) -> BTreeMap<String, TranslationView> {
    let mut by_locale: BTreeMap<String, Vec<&Translation>> = BTreeMap::new();
    for t in translations
        .iter()
        .filter(|t| t.kind == kind && t.object_id == object_id)
    {
        by_locale.entry(t.locale.clone()).or_default().push(t);
    }
    by_locale
        .into_iter()
        .filter_map(|(locale, fields)| {
            let stale_fields: Vec<String> = fields
                .iter()
                .filter(|t| original(&t.field).is_none_or(|o| t.is_stale(&o)))
                .map(|t| t.field.clone())
                .collect();
            let view = TranslationView {
                provenance: fields
                    .iter()
                    .map(|t| t.provenance)
                    .min_by_key(|p| p.trust())?,
                updated_at: fields.iter().map(|t| t.updated_at).max()?,
                stale: !stale_fields.is_empty(),
                stale_fields,
                fields: fields
                    .iter()
                    .map(|t| (t.field.clone(), t.text.clone()))
                    .collect(),
            };
            Some((locale, view))
        })
        .collect()
}

fn component_view(c: &Component, all: &[Component], translations: &[Translation]) -> ComponentView {
    let children: Vec<&Component> = all
        .iter()
        .filter(|k| k.group_id.as_deref() == Some(&c.id))
        .collect();
    let status = if c.is_group {
        ComponentStatus::worst(children.iter().map(|k| k.status))
    } else {
        c.status
    };
    ComponentView {
        id: c.id.clone(),
        name: c.name.clone(),
        description: c.description.clone(),
        status,
        group: c.is_group,
        group_id: c.group_id.clone(),
        children_label: c.children_label.clone(),
        position: c.position,
        showcase: c.showcase,
        only_show_if_degraded: c.only_show_if_degraded,
        start_date: c.start_date,
        created_at: c.created_at,
        updated_at: c.updated_at,
        translations: translations_view(translations, TranslatableKind::Component, &c.id, &|f| {
            match f {
                "name" => Some(c.name.clone()),
                "description" => c.description.clone(),
                "children_label" => c.children_label.clone(),
                _ => None,
            }
        }),
        components: c
            .is_group
            .then(|| children.iter().map(|k| k.id.clone()).collect()),
        localized: None,
    }
}

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

fn update_view(u: &Update, components: &[Component], translations: &[Translation]) -> UpdateView {
    UpdateView {
        id: u.id.clone(),
        status: u.status,
        message: u.message.clone(),
        display_at: u.display_at,
        next_update_by: u.next_update_by,
        created_at: u.created_at,
        updated_at: u.updated_at,
        edited: !u.revisions.is_empty(),
        revisions: u
            .revisions
            .iter()
            .map(|r| RevisionView {
                message: r.message.clone(),
                display_at: r.display_at,
                replaced_at: r.replaced_at,
            })
            .collect(),
        component_changes: u
            .component_changes
            .iter()
            .map(|c| ComponentChangeView {
                component_id: c.component_id.clone(),
                name: components
                    .iter()
                    .find(|k| k.id == c.component_id)
                    .map(|k| k.name.clone()),
                old_status: c.old_status,
                new_status: c.new_status,
            })
            .collect(),
        translations: translations_view(translations, TranslatableKind::Update, &u.id, &|f| {
            (f == "message").then(|| u.message.clone())
        }),
        localized: None,
    }
}

fn item_view(r: &RemediationItem, translations: &[Translation]) -> RemediationItemView {
    RemediationItemView {
        id: r.id.clone(),
        position: r.position,
        title: r.title.clone(),
        detail: r.detail.clone(),
        category: r.category,
        state: r.state,
        state_reason: r.state_reason.clone(),
        due_on: r.due_on,
        tracker_url: r.tracker_url.clone(),
        completed_at: r.completed_at,
        created_at: r.created_at,
        updated_at: r.updated_at,
        translations: translations_view(
            translations,
            TranslatableKind::RemediationItem,
            &r.id,
            &|f| match f {
                "title" => Some(r.title.clone()),
                "detail" => r.detail.clone(),
                _ => None,
            },
        ),
        localized: None,
    }
}

fn postmortem_view(p: &Postmortem, translations: &[Translation]) -> PostmortemView {
    PostmortemView {
        summary: p.summary.clone(),
        root_cause: p.root_cause.clone(),
        resolution: p.resolution.clone(),
        state: p.state,
        published_at: p.published_at,
        created_at: p.created_at,
        updated_at: p.updated_at,
        translations: translations_view(
            translations,
            TranslatableKind::Postmortem,
            &p.incident_id,
            &|f| match f {
                "summary" => p.summary.clone(),
                "root_cause" => Some(p.root_cause.clone()),
                "resolution" => Some(p.resolution.clone()),
                _ => None,
            },
        ),
        localized: None,
    }
}

/// Everything public about an incident. Draft postmortems only for token holders.
pub fn incident_view(
    d: &IncidentDetail,
    components: &[Component],
    base_url: &str,
    include_drafts: bool,
) -> IncidentView {
    let i = &d.incident;
    let postmortem = d
        .postmortem
        .as_ref()
        .filter(|p| include_drafts || p.state == PostmortemState::Published);
    let published_at = postmortem.and_then(|p| p.published_at);
    let first_update_at = d.first_update_at();
    let m = &i.milestones;
    let remediation_items = if postmortem.is_some() || include_drafts {
        d.remediation_items
            .iter()
            .map(|r| item_view(r, &d.translations))
            .collect()
    } else {
        Vec::new()
    };
    IncidentView {
        core: incident_core(i, base_url),
        components: affected_view(&d.component_ids, components),
        milestones: MilestonesView {
            impact_started_at: m.impact_started_at,
            detected_at: m.detected_at,
            first_update_at,
            mitigated_at: m.mitigated_at,
            impact_ended_at: m.impact_ended_at,
            monitoring_at: m.monitoring_at,
            resolved_at: m.resolved_at,
            postmortem_published_at: published_at,
        },
        durations: Durations::compute(m, first_update_at, published_at),
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

// ---- texts in a requested locale (`?locale=`) ----

/// `?locale=xx` on reads: the texts in that locale too, with their provenance and staleness.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LocaleQuery {
    /// Also return `localized` texts in this locale (translation, else the original).
    #[param(value_type = Option<LocaleCode>)]
    locale: Option<String>,
}

/// The requested locale, if any; an unknown one is a 422 naming `locale`.
fn requested_locale(locale: Option<&str>) -> Result<Option<String>, Error> {
    match locale {
        None => Ok(None),
        Some(l) if is_supported_locale(l) => Ok(Some(l.to_string())),
        Some(l) => Err(Error::invalid(
            "locale",
            problem!(
                "problem-locale-unsupported",
                locale = l,
                supported = SUPPORTED_LOCALES.join(", ")
            ),
        )),
    }
}

fn locale_query(
    query: Result<Query<LocaleQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Option<String>, Error> {
    let Query(q) = query.map_err(|e| Error::invalid("query", Problem::text(e.body_text())))?;
    requested_locale(q.locale.as_deref())
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

fn localized_component(
    c: &Component,
    translations: &[Translation],
    locale: &str,
    page_locale: &str,
) -> LocalizedComponent {
    let loc = Localizer::new(translations, locale, page_locale);
    let kind = TranslatableKind::Component;
    LocalizedComponent {
        locale: locale.to_string(),
        name: loc.text(kind, &c.id, "name", &c.name),
        description: loc.opt(kind, &c.id, "description", c.description.as_deref()),
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

// ---- handlers ----

#[utoipa::path(
    get,
    path = "/api/v1/page",
    tag = "Herald v1",
    summary = "The page settings",
    params(LocaleQuery),
    responses((status = 200, description = "The page settings and their translations", body = PageView), ListErrors)
)]
pub async fn get_page(
    State(state): State<AppState>,
    query: Result<Query<LocaleQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    let locale = locale_query(query)?;
    let page = state.service.page().await?;
    let translations = state
        .service
        .store()
        .translations_of_kind(TranslatableKind::Page)
        .await?;
    let localized = locale.map(|locale| {
        let loc = Localizer::new(&translations, &locale, &page.default_locale);
        let kind = TranslatableKind::Page;
        LocalizedPage {
            name: loc.text(kind, &page.id, "name", &page.name),
            footer_markdown: loc.text(kind, &page.id, "footer_markdown", &page.footer_markdown),
            locale,
        }
    });
    ok(PageView {
        translations: translations_view(&translations, TranslatableKind::Page, &page.id, &|f| {
            match f {
                "name" => Some(page.name.clone()),
                "footer_markdown" => Some(page.footer_markdown.clone()),
                _ => None,
            }
        }),
        settings: page,
        localized,
    })
}

#[utoipa::path(
    put,
    path = "/api/v1/page",
    tag = "Herald v1",
    summary = "Change the page settings (admin)",
    request_body = PageInput,
    responses((status = 200, description = "The page settings as saved", body = PageSettings), WriteErrors),
    security(("token" = []))
)]
pub async fn put_page(
    State(state): State<AppState>,
    Authorized(actor, ..): Authorized<Admin>,
    ApiJson(input): ApiJson<PageInput>,
) -> ApiResult {
    ok(state.service.put_page(&actor, input).await?)
}

#[utoipa::path(
    get,
    path = "/api/v1/components",
    tag = "Herald v1",
    summary = "All components and groups",
    params(LocaleQuery),
    responses((status = 200, description = "Every component and group, in order", body = ComponentList), ListErrors)
)]
pub async fn list_components(
    State(state): State<AppState>,
    query: Result<Query<LocaleQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    let locale = locale_query(query)?;
    let all = state.service.store().components().await?;
    let translations = state
        .service
        .store()
        .translations_of_kind(TranslatableKind::Component)
        .await?;
    let page_locale = match &locale {
        Some(_) => state.service.page().await?.default_locale,
        None => String::new(),
    };
    let components = all
        .iter()
        .map(|c| {
            let mut v = component_view(c, &all, &translations);
            if let Some(locale) = &locale {
                v.localized = Some(localized_component(c, &translations, locale, &page_locale));
            }
            v
        })
        .collect();
    ok(ComponentList { components })
}

async fn one_component(state: &AppState, id: &str) -> Result<ComponentView, Error> {
    one_component_in(state, id, None).await
}

async fn one_component_in(
    state: &AppState,
    id: &str,
    locale: Option<&str>,
) -> Result<ComponentView, Error> {
    let all = state.service.store().components().await?;
    let c = all
        .iter()
        .find(|c| c.id == id)
        .ok_or_else(|| Error::not_found("component", id))?;
    let translations = state
        .service
        .store()
        .translations(TranslatableKind::Component, id)
        .await?;
    let mut v = component_view(c, &all, &translations);
    if let Some(locale) = locale {
        let page_locale = state.service.page().await?.default_locale;
        v.localized = Some(localized_component(c, &translations, locale, &page_locale));
    }
    Ok(v)
}

#[utoipa::path(
    get,
    path = "/api/v1/components/{id}",
    tag = "Herald v1",
    summary = "One component",
    params(("id" = String, Path, description = "Public id"), LocaleQuery),
    responses((status = 200, description = "The component", body = ComponentView), ItemErrors)
)]
pub async fn get_component(
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: Result<Query<LocaleQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    let locale = locale_query(query)?;
    ok(one_component_in(&state, &id, locale.as_deref()).await?)
}

#[utoipa::path(
    post,
    path = "/api/v1/components",
    tag = "Herald v1",
    summary = "Create a component or group",
    request_body = NewComponent,
    responses((status = 201, description = "The new component", body = ComponentView), WriteErrors),
    security(("token" = []))
)]
pub async fn create_component(
    State(state): State<AppState>,
    Authorized(actor, ..): Authorized<Responder>,
    ApiJson(input): ApiJson<NewComponent>,
) -> ApiResult {
    let c = state.service.create_component(&actor, input).await?;
    created(one_component(&state, &c.id).await?)
}

#[utoipa::path(
    patch,
    path = "/api/v1/components/{id}",
    tag = "Herald v1",
    summary = "Change a component",
    params(("id" = String, Path, description = "Public id")),
    request_body = ComponentPatch,
    responses((status = 200, description = "The component as changed", body = ComponentView), WriteErrors),
    security(("token" = []))
)]
pub async fn patch_component(
    State(state): State<AppState>,
    Authorized(actor, ..): Authorized<Responder>,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<ComponentPatch>,
) -> ApiResult {
    state.service.patch_component(&actor, &id, patch).await?;
    ok(one_component(&state, &id).await?)
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
    query: Result<Query<IncidentQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    let Query(q) = query.map_err(|e| Error::invalid("query", Problem::text(e.body_text())))?;
    let mut statuses = Vec::new();
    for s in q
        .status
        .iter()
        .flat_map(|s| s.split(','))
        .filter(|s| !s.is_empty())
    {
        statuses.push(
            s.trim()
                .parse::<IncidentStatus>()
                .map_err(|e| Error::invalid("status", Problem::text(e)))?,
        );
    }
    let locale = requested_locale(q.locale.as_deref())?;
    let limit = q.limit.unwrap_or(25);
    if !(1..=100).contains(&limit) {
        return Err(Error::invalid(
            "limit",
            problem!("problem-between", min = 1_i64, max = 100_i64),
        )
        .into());
    }
    let component_ids = match &q.component {
        Some(id) => crate::read::family(&state.service.store().components().await?, id),
        None => Vec::new(),
    };
    let filter = IncidentFilter {
        kind: q.kind,
        statuses,
        before: q.before,
        since: None,
        component_ids,
        limit,
        after: None,
    };
    let store = state.service.store();
    let incidents = store.incidents(&filter).await?;
    let ids: Vec<String> = incidents.iter().map(|i| i.id.clone()).collect();
    let links = store.incident_component_ids(&ids).await?;
    let components = store.components().await?;
    let base = state.service.page().await?.url;
    // The listed incidents' translations only (never every incident's).
    let translations = match &locale {
        Some(_) => store.translations_of_incidents(&ids).await?,
        None => Vec::new(),
    };
    let list = incidents
        .iter()
        .map(|i| {
            let mine: Vec<String> = links
                .iter()
                .filter(|l| l.0 == i.id)
                .map(|l| l.1.clone())
                .collect();
            IncidentListItem {
                core: incident_core(i, &base),
                components: affected_view(&mine, &components),
                milestones: i.milestones.clone(),
                localized: locale
                    .as_ref()
                    .map(|locale| localized_incident(i, &translations, locale)),
            }
        })
        .collect();
    let next_before = (incidents.len() as i64 == limit)
        .then(|| incidents.last().map(|i| i.started_at))
        .flatten();
    ok(IncidentList {
        incidents: list,
        next_before,
    })
}

async fn full_incident(
    state: &AppState,
    id: &str,
    include_drafts: bool,
) -> Result<IncidentView, Error> {
    full_incident_in(state, id, include_drafts, None).await
}

async fn full_incident_in(
    state: &AppState,
    id: &str,
    include_drafts: bool,
    locale: Option<&str>,
) -> Result<IncidentView, Error> {
    let detail = state.service.incident_detail(id).await?;
    let components = state.service.store().components().await?;
    let base = state.service.page().await?.url;
    let mut v = incident_view(&detail, &components, &base, include_drafts);
    if let Some(locale) = locale {
        localize_incident_view(&mut v, &detail, locale);
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
    query: Result<Query<LocaleQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    let locale = locale_query(query)?;
    ok(full_incident_in(&state, &id, caller.0.is_some(), locale.as_deref()).await?)
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
    created(full_incident(&state, &detail.incident.id, true).await?)
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
    ok(full_incident(&state, &id, true).await?)
}

async fn one_update(state: &AppState, id: &str) -> Result<UpdateResource, Error> {
    let update = state.service.update(id).await?;
    let components = state.service.store().components().await?;
    let translations = state
        .service
        .store()
        .translations(TranslatableKind::Update, id)
        .await?;
    Ok(UpdateResource {
        update: update_view(&update, &components, &translations),
        incident_id: update.incident_id,
    })
}

#[utoipa::path(
    post,
    path = "/api/v1/incidents/{id}/updates",
    tag = "Herald v1",
    summary = "Post an update",
    params(("id" = String, Path, description = "Public id")),
    request_body = NewUpdate,
    responses((status = 201, description = "The new update", body = UpdateResource), WriteErrors),
    security(("token" = []))
)]
pub async fn post_update(
    State(state): State<AppState>,
    Authorized(actor, ..): Authorized<Responder>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<NewUpdate>,
) -> ApiResult {
    let update = state.service.post_update(&actor, &id, input).await?;
    created(one_update(&state, &update.id).await?)
}

#[utoipa::path(
    get,
    path = "/api/v1/updates/{id}",
    tag = "Herald v1",
    summary = "One update",
    params(("id" = String, Path, description = "Public id")),
    responses((status = 200, description = "The update", body = UpdateResource), NotFoundErrors)
)]
pub async fn get_update(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    ok(one_update(&state, &id).await?)
}

#[utoipa::path(
    patch,
    path = "/api/v1/updates/{id}",
    tag = "Herald v1",
    summary = "Correct an update (the old text is kept)",
    params(("id" = String, Path, description = "Public id")),
    request_body = UpdatePatch,
    responses((status = 200, description = "The corrected update", body = UpdateResource), WriteErrors),
    security(("token" = []))
)]
pub async fn correct_update(
    State(state): State<AppState>,
    Authorized(actor, ..): Authorized<Responder>,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<UpdatePatch>,
) -> ApiResult {
    state.service.correct_update(&actor, &id, patch).await?;
    ok(one_update(&state, &id).await?)
}

#[utoipa::path(
    put,
    path = "/api/v1/incidents/{id}/postmortem",
    tag = "Herald v1",
    summary = "Write or publish the postmortem",
    params(("id" = String, Path, description = "Public id")),
    request_body = PostmortemInput,
    responses((status = 200, description = "The postmortem as saved", body = PostmortemView), WriteErrors),
    security(("token" = []))
)]
pub async fn put_postmortem(
    State(state): State<AppState>,
    Authorized(actor, ..): Authorized<Responder>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<PostmortemInput>,
) -> ApiResult {
    let p = state.service.put_postmortem(&actor, &id, input).await?;
    let translations = state
        .service
        .store()
        .translations(TranslatableKind::Postmortem, &id)
        .await?;
    ok(postmortem_view(&p, &translations))
}

#[utoipa::path(
    post,
    path = "/api/v1/incidents/{id}/remediation-items",
    tag = "Herald v1",
    summary = "Add a remediation item",
    params(("id" = String, Path, description = "Public id")),
    request_body = NewRemediationItem,
    responses((status = 201, description = "The new remediation item", body = RemediationItemView), WriteErrors),
    security(("token" = []))
)]
pub async fn create_remediation_item(
    State(state): State<AppState>,
    Authorized(actor, ..): Authorized<Responder>,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<NewRemediationItem>,
) -> ApiResult {
    let item = state
        .service
        .create_remediation_item(&actor, &id, input)
        .await?;
    let translations = state
        .service
        .store()
        .translations(TranslatableKind::RemediationItem, &item.id)
        .await?;
    created(item_view(&item, &translations))
}

#[utoipa::path(
    patch,
    path = "/api/v1/remediation-items/{id}",
    tag = "Herald v1",
    summary = "Change a remediation item",
    params(("id" = String, Path, description = "Public id")),
    request_body = RemediationPatch,
    responses((status = 200, description = "The remediation item as changed", body = RemediationItemView), WriteErrors),
    security(("token" = []))
)]
pub async fn patch_remediation_item(
    State(state): State<AppState>,
    Authorized(actor, ..): Authorized<Responder>,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<RemediationPatch>,
) -> ApiResult {
    let item = state
        .service
        .patch_remediation_item(&actor, &id, patch)
        .await?;
    let translations = state
        .service
        .store()
        .translations(TranslatableKind::RemediationItem, &item.id)
        .await?;
    ok(item_view(&item, &translations))
}

#[utoipa::path(
    put,
    path = "/api/v1/translations/{kind}/{id}/{locale}",
    tag = "Herald v1",
    summary = "Translate an object",
    params(("kind" = TranslatableKind, Path, description = "What is translated"), ("id" = String, Path, description = "Public id"), ("locale" = LocaleCode, Path, description = "Target locale (one of the page's)")),
    request_body = TranslationPut,
    responses((status = 200, description = "The translation as saved", body = TranslationSaved), WriteErrors),
    security(("token" = []))
)]
pub async fn put_translation(
    State(state): State<AppState>,
    Authorized(actor, ..): Authorized<AnyRole>,
    Path((kind, id, locale)): Path<(String, String, String)>,
    ApiJson(input): ApiJson<TranslationPut>,
) -> ApiResult {
    let kind: TranslatableKind = kind
        .parse()
        .map_err(|e: String| Error::NotFound(format!("no such kind of object: {e}")))?;
    let saved = state
        .service
        .put_translation(&actor, kind, &id, &locale, input)
        .await?;
    let fields = saved
        .iter()
        .map(|t| (t.field.clone(), t.text.clone()))
        .collect();
    ok(TranslationSaved {
        kind,
        id,
        locale,
        fields,
        provenance: saved.iter().map(|t| t.provenance).min_by_key(|p| p.trust()),
        updated_at: saved.iter().map(|t| t.updated_at).max(),
    })
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
    created(full_incident(&state, &detail.incident.id, true).await?)
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    actor: Option<String>,
    object_kind: Option<String>,
    object_id: Option<String>,
    before: Option<DateTime<Utc>>,
    limit: Option<i64>,
}

/// The audit log, newest first (admins only).
#[utoipa::path(
    get,
    path = "/api/v1/audit-log",
    tag = "Herald v1",
    summary = "The audit log, newest first (admin)",
    params(AuditQuery),
    responses((status = 200, description = "Audit log entries, newest first", body = AuditLog), AdminReadErrors),
    security(("token" = []))
)]
pub async fn audit_log(
    State(state): State<AppState>,
    _: Authorized<Admin>,
    query: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    let Query(q) = query.map_err(|e| Error::invalid("query", Problem::text(e.body_text())))?;
    let limit = q.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(Error::invalid(
            "limit",
            problem!("problem-between", min = 1_i64, max = 500_i64),
        )
        .into());
    }
    let filter = AuditFilter {
        actor: q.actor,
        object_kind: q.object_kind,
        object_id: q.object_id,
        before: q.before,
        limit,
    };
    ok(AuditLog {
        entries: state.service.store().audit_log(&filter).await?,
    })
}
