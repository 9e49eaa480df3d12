//! Herald's own API (api-v1.md). Handlers are short: parse, call the service, serialize.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::auth::Caller;
use super::json::{ApiError, ApiJson, ErrorBody};
use super::AppState;
use crate::domain::*;
use crate::error::Error;
use crate::service::*;
use crate::store::{AuditFilter, IncidentFilter};

type ApiResult = Result<Response, ApiError>;

fn ok<T: Serialize>(value: T) -> ApiResult {
    Ok(Json(value).into_response())
}

fn created<T: Serialize>(value: T) -> ApiResult {
    Ok((StatusCode::CREATED, Json(value)).into_response())
}

// ---- views: the JSON shapes of the API ----

/// `{"fr": {"title": "...", "provenance": "machine", "stale": false, "updated_at": ...}}` for one
/// object, from its translations and its current original texts.
fn translations_view(
    translations: &[Translation],
    kind: TranslatableKind,
    object_id: &str,
    original: &dyn Fn(&str) -> Option<String>,
) -> BTreeMap<String, Map<String, Value>> {
    let mut by_locale: BTreeMap<String, Vec<&Translation>> = BTreeMap::new();
    for t in translations
        .iter()
        .filter(|t| t.kind == kind && t.object_id == object_id)
    {
        by_locale.entry(t.locale.clone()).or_default().push(t);
    }
    by_locale
        .into_iter()
        .map(|(locale, fields)| {
            let mut map = Map::new();
            let mut stale_fields = Vec::new();
            for t in &fields {
                map.insert(t.field.clone(), json!(t.text));
                if original(&t.field).is_none_or(|o| t.is_stale(&o)) {
                    stale_fields.push(t.field.clone());
                }
            }
            let least_trusted = fields
                .iter()
                .map(|t| t.provenance)
                .min_by_key(|p| p.trust());
            map.insert("provenance".into(), json!(least_trusted));
            map.insert("stale".into(), json!(!stale_fields.is_empty()));
            map.insert("stale_fields".into(), json!(stale_fields));
            map.insert(
                "updated_at".into(),
                json!(fields.iter().map(|t| t.updated_at).max()),
            );
            (locale, map)
        })
        .collect()
}

fn component_view(c: &Component, all: &[Component], translations: &[Translation]) -> Value {
    let children: Vec<&Component> = all
        .iter()
        .filter(|k| k.group_id.as_deref() == Some(&c.id))
        .collect();
    let status = if c.is_group {
        ComponentStatus::worst(children.iter().map(|k| k.status))
    } else {
        c.status
    };
    let mut v = json!({
        "id": c.id,
        "name": c.name,
        "description": c.description,
        "status": status,
        "group": c.is_group,
        "group_id": c.group_id,
        "children_label": c.children_label,
        "position": c.position,
        "showcase": c.showcase,
        "only_show_if_degraded": c.only_show_if_degraded,
        "start_date": c.start_date,
        "created_at": c.created_at,
        "updated_at": c.updated_at,
        "translations": translations_view(translations, TranslatableKind::Component, &c.id, &|f| match f {
            "name" => Some(c.name.clone()),
            "description" => c.description.clone(),
            "children_label" => c.children_label.clone(),
            _ => None,
        }),
    });
    if c.is_group {
        v["components"] = json!(children.iter().map(|k| &k.id).collect::<Vec<_>>());
    }
    v
}

fn affected_view(ids: &[String], components: &[Component]) -> Vec<Value> {
    ids.iter()
        .filter_map(|id| components.iter().find(|c| &c.id == id))
        .map(|c| {
            let group = c.group_id.as_ref().and_then(|g| components.iter().find(|k| &k.id == g));
            json!({"id": c.id, "name": c.name, "group_id": c.group_id, "group_name": group.map(|g| &g.name), "status": c.status})
        })
        .collect()
}

fn incident_core(i: &Incident, base_url: &str) -> Map<String, Value> {
    let v = json!({
        "id": i.id,
        "kind": i.kind,
        "title": i.title,
        "impact": i.impact,
        "status": i.status,
        "locale": i.locale,
        "symptom": i.symptom,
        "started_at": i.started_at,
        "scheduled_for": i.scheduled_for,
        "scheduled_until": i.scheduled_until,
        "auto_transition": i.auto_transition,
        "shortlink": format!("{base_url}/incidents/{}", i.id),
        "created_at": i.created_at,
        "updated_at": i.updated_at,
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn update_view(u: &Update, components: &[Component], translations: &[Translation]) -> Value {
    json!({
        "id": u.id,
        "status": u.status,
        "message": u.message,
        "display_at": u.display_at,
        "next_update_by": u.next_update_by,
        "created_at": u.created_at,
        "updated_at": u.updated_at,
        "edited": !u.revisions.is_empty(),
        "revisions": u.revisions.iter().map(|r| json!({"message": r.message, "display_at": r.display_at, "replaced_at": r.replaced_at})).collect::<Vec<_>>(),
        "component_changes": u.component_changes.iter().map(|c| json!({
            "component_id": c.component_id,
            "name": components.iter().find(|k| k.id == c.component_id).map(|k| &k.name),
            "old_status": c.old_status,
            "new_status": c.new_status,
        })).collect::<Vec<_>>(),
        "translations": translations_view(translations, TranslatableKind::Update, &u.id, &|f| (f == "message").then(|| u.message.clone())),
    })
}

fn item_view(r: &RemediationItem, translations: &[Translation]) -> Value {
    json!({
        "id": r.id,
        "position": r.position,
        "title": r.title,
        "detail": r.detail,
        "category": r.category,
        "state": r.state,
        "state_reason": r.state_reason,
        "due_on": r.due_on,
        "tracker_url": r.tracker_url,
        "completed_at": r.completed_at,
        "created_at": r.created_at,
        "updated_at": r.updated_at,
        "translations": translations_view(translations, TranslatableKind::RemediationItem, &r.id, &|f| match f {
            "title" => Some(r.title.clone()),
            "detail" => r.detail.clone(),
            _ => None,
        }),
    })
}

fn postmortem_view(p: &Postmortem, translations: &[Translation]) -> Value {
    json!({
        "summary": p.summary,
        "root_cause": p.root_cause,
        "resolution": p.resolution,
        "state": p.state,
        "published_at": p.published_at,
        "created_at": p.created_at,
        "updated_at": p.updated_at,
        "translations": translations_view(translations, TranslatableKind::Postmortem, &p.incident_id, &|f| match f {
            "summary" => p.summary.clone(),
            "root_cause" => Some(p.root_cause.clone()),
            "resolution" => Some(p.resolution.clone()),
            _ => None,
        }),
    })
}

/// Everything public about an incident. Draft postmortems only for token holders.
pub fn incident_view(
    d: &IncidentDetail,
    components: &[Component],
    base_url: &str,
    include_drafts: bool,
) -> Value {
    let i = &d.incident;
    let postmortem = d
        .postmortem
        .as_ref()
        .filter(|p| include_drafts || p.state == PostmortemState::Published);
    let published_at = postmortem.and_then(|p| p.published_at);
    let first_update_at = d.first_update_at();
    let m = &i.milestones;
    let mut v = incident_core(i, base_url);
    v.insert(
        "components".into(),
        json!(affected_view(&d.component_ids, components)),
    );
    v.insert(
        "milestones".into(),
        json!({
            "impact_started_at": m.impact_started_at,
            "detected_at": m.detected_at,
            "first_update_at": first_update_at,
            "mitigated_at": m.mitigated_at,
            "impact_ended_at": m.impact_ended_at,
            "monitoring_at": m.monitoring_at,
            "resolved_at": m.resolved_at,
            "postmortem_published_at": published_at,
        }),
    );
    v.insert(
        "durations".into(),
        json!(Durations::compute(m, first_update_at, published_at)),
    );
    v.insert(
        "updates".into(),
        json!(d
            .updates
            .iter()
            .map(|u| update_view(u, components, &d.translations))
            .collect::<Vec<_>>()),
    );
    v.insert(
        "postmortem".into(),
        json!(postmortem.map(|p| postmortem_view(p, &d.translations))),
    );
    let items: Vec<Value> = if postmortem.is_some() || include_drafts {
        d.remediation_items
            .iter()
            .map(|r| item_view(r, &d.translations))
            .collect()
    } else {
        Vec::new()
    };
    v.insert("remediation_items".into(), json!(items));
    v.insert(
        "translations".into(),
        json!(translations_view(
            &d.translations,
            TranslatableKind::Incident,
            &i.id,
            &|f| match f {
                "title" => Some(i.title.clone()),
                "symptom" => i.symptom.clone(),
                _ => None,
            }
        )),
    );
    Value::Object(v)
}

// ---- texts in a requested locale (`?locale=`) ----

/// `?locale=xx` on reads: the texts in that locale too, with their provenance and staleness.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LocaleQuery {
    /// Also return `localized` texts in this locale (translation, else the original).
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

/// `{"locale": "fr", "<field>": {"text", "provenance", "stale"} or null, ...}`
fn localized_block(locale: &str, fields: Vec<(&str, Option<LocalizedText>)>) -> Value {
    let mut m = Map::new();
    m.insert("locale".into(), json!(locale));
    for (field, text) in fields {
        m.insert(field.into(), json!(text));
    }
    Value::Object(m)
}

fn localized_incident(i: &Incident, translations: &[Translation], locale: &str) -> Value {
    let loc = Localizer::new(translations, locale, &i.locale);
    let kind = TranslatableKind::Incident;
    localized_block(
        locale,
        vec![
            ("title", Some(loc.text(kind, &i.id, "title", &i.title))),
            (
                "symptom",
                loc.opt(kind, &i.id, "symptom", i.symptom.as_deref()),
            ),
        ],
    )
}

fn localized_component(
    c: &Component,
    translations: &[Translation],
    locale: &str,
    page_locale: &str,
) -> Value {
    let loc = Localizer::new(translations, locale, page_locale);
    let kind = TranslatableKind::Component;
    localized_block(
        locale,
        vec![
            ("name", Some(loc.text(kind, &c.id, "name", &c.name))),
            (
                "description",
                loc.opt(kind, &c.id, "description", c.description.as_deref()),
            ),
        ],
    )
}

/// Adds `localized` to the incident, each update, the postmortem and each remediation item of
/// a document made by `incident_view`.
fn localize_incident_view(v: &mut Value, d: &IncidentDetail, locale: &str) {
    let i = &d.incident;
    let loc = Localizer::new(&d.translations, locale, &i.locale);
    v["localized"] = localized_incident(i, &d.translations, locale);
    if let Some(updates) = v["updates"].as_array_mut() {
        for (view, u) in updates.iter_mut().zip(&d.updates) {
            view["localized"] = localized_block(
                locale,
                vec![(
                    "message",
                    Some(loc.text(TranslatableKind::Update, &u.id, "message", &u.message)),
                )],
            );
        }
    }
    if let (Some(p), true) = (&d.postmortem, v["postmortem"].is_object()) {
        let kind = TranslatableKind::Postmortem;
        v["postmortem"]["localized"] = localized_block(
            locale,
            vec![
                (
                    "summary",
                    loc.opt(kind, &i.id, "summary", p.summary.as_deref()),
                ),
                (
                    "root_cause",
                    Some(loc.text(kind, &i.id, "root_cause", &p.root_cause)),
                ),
                (
                    "resolution",
                    Some(loc.text(kind, &i.id, "resolution", &p.resolution)),
                ),
            ],
        );
    }
    if let Some(items) = v["remediation_items"].as_array_mut() {
        for (view, r) in items.iter_mut().zip(&d.remediation_items) {
            let kind = TranslatableKind::RemediationItem;
            view["localized"] = localized_block(
                locale,
                vec![
                    ("title", Some(loc.text(kind, &r.id, "title", &r.title))),
                    (
                        "detail",
                        loc.opt(kind, &r.id, "detail", r.detail.as_deref()),
                    ),
                ],
            );
        }
    }
}

// ---- handlers ----

#[utoipa::path(
    get,
    path = "/api/v1/page",
    tag = "Herald v1",
    summary = "The page settings",
    params(LocaleQuery),
    responses((status = 200, description = "The resource as JSON (see api-v1.md)", body = serde_json::Value), (status = "4XX", description = "The documented JSON error", body = ErrorBody))
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
    let mut v = json!(page);
    v["translations"] = json!(translations_view(
        &translations,
        TranslatableKind::Page,
        &page.id,
        &|f| match f {
            "name" => Some(page.name.clone()),
            "footer_markdown" => Some(page.footer_markdown.clone()),
            _ => None,
        }
    ));
    if let Some(locale) = locale {
        let loc = Localizer::new(&translations, &locale, &page.default_locale);
        let kind = TranslatableKind::Page;
        v["localized"] = localized_block(
            &locale,
            vec![
                ("name", Some(loc.text(kind, &page.id, "name", &page.name))),
                (
                    "footer_markdown",
                    Some(loc.text(kind, &page.id, "footer_markdown", &page.footer_markdown)),
                ),
            ],
        );
    }
    ok(v)
}

#[utoipa::path(
    put,
    path = "/api/v1/page",
    tag = "Herald v1",
    summary = "Change the page settings (admin)",
    request_body = PageInput,
    responses((status = 200, description = "The resource as JSON (see api-v1.md)", body = serde_json::Value), (status = "4XX", description = "The documented JSON error", body = ErrorBody)),
    security(("token" = []))
)]
pub async fn put_page(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<PageInput>,
) -> ApiResult {
    let actor = caller.require()?;
    ok(state.service.put_page(&actor, input).await?)
}

#[utoipa::path(
    get,
    path = "/api/v1/components",
    tag = "Herald v1",
    summary = "All components and groups",
    params(LocaleQuery),
    responses((status = 200, description = "The resource as JSON (see api-v1.md)", body = serde_json::Value), (status = "4XX", description = "The documented JSON error", body = ErrorBody))
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
    let list: Vec<Value> = all
        .iter()
        .map(|c| {
            let mut v = component_view(c, &all, &translations);
            if let Some(locale) = &locale {
                v["localized"] = localized_component(c, &translations, locale, &page_locale);
            }
            v
        })
        .collect();
    ok(json!({ "components": list }))
}

async fn one_component(state: &AppState, id: &str) -> Result<Value, Error> {
    one_component_in(state, id, None).await
}

async fn one_component_in(
    state: &AppState,
    id: &str,
    locale: Option<&str>,
) -> Result<Value, Error> {
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
        v["localized"] = localized_component(c, &translations, locale, &page_locale);
    }
    Ok(v)
}

#[utoipa::path(
    get,
    path = "/api/v1/components/{id}",
    tag = "Herald v1",
    summary = "One component",
    params(("id" = String, Path, description = "Public id"), LocaleQuery),
    responses((status = 200, description = "The resource as JSON (see api-v1.md)", body = serde_json::Value), (status = "4XX", description = "The documented JSON error", body = ErrorBody))
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
    responses((status = 201, description = "The resource as JSON (see api-v1.md)", body = serde_json::Value), (status = "4XX", description = "The documented JSON error", body = ErrorBody)),
    security(("token" = []))
)]
pub async fn create_component(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<NewComponent>,
) -> ApiResult {
    let actor = caller.require()?;
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
    responses((status = 200, description = "The resource as JSON (see api-v1.md)", body = serde_json::Value), (status = "4XX", description = "The documented JSON error", body = ErrorBody)),
    security(("token" = []))
)]
pub async fn patch_component(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<ComponentPatch>,
) -> ApiResult {
    let actor = caller.require()?;
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
    locale: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/v1/incidents",
    tag = "Herald v1",
    summary = "Incidents and maintenances, newest first",
    params(IncidentQuery),
    responses((status = 200, description = "The resource as JSON (see api-v1.md)", body = serde_json::Value), (status = "4XX", description = "The documented JSON error", body = ErrorBody))
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
    let translations = match &locale {
        Some(_) => {
            store
                .translations_of_kind(TranslatableKind::Incident)
                .await?
        }
        None => Vec::new(),
    };
    let list: Vec<Value> = incidents
        .iter()
        .map(|i| {
            let mut v = incident_core(i, &base);
            let mine: Vec<String> = links
                .iter()
                .filter(|l| l.0 == i.id)
                .map(|l| l.1.clone())
                .collect();
            v.insert(
                "components".into(),
                json!(affected_view(&mine, &components)),
            );
            v.insert("milestones".into(), json!(i.milestones));
            if let Some(locale) = &locale {
                v.insert(
                    "localized".into(),
                    localized_incident(i, &translations, locale),
                );
            }
            Value::Object(v)
        })
        .collect();
    let next_before = (incidents.len() as i64 == limit)
        .then(|| incidents.last().map(|i| i.started_at))
        .flatten();
    ok(json!({"incidents": list, "next_before": next_before}))
}

async fn full_incident(state: &AppState, id: &str, include_drafts: bool) -> Result<Value, Error> {
    full_incident_in(state, id, include_drafts, None).await
}

async fn full_incident_in(
    state: &AppState,
    id: &str,
    include_drafts: bool,
    locale: Option<&str>,
) -> Result<Value, Error> {
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
    responses((status = 200, description = "The resource as JSON (see api-v1.md)", body = serde_json::Value), (status = "4XX", description = "The documented JSON error", body = ErrorBody))
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
    responses((status = 201, description = "The resource as JSON (see api-v1.md)", body = serde_json::Value), (status = "4XX", description = "The documented JSON error", body = ErrorBody)),
    security(("token" = []))
)]
pub async fn create_incident(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<NewIncident>,
) -> ApiResult {
    let actor = caller.require()?;
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
    responses((status = 200, description = "The resource as JSON (see api-v1.md)", body = serde_json::Value), (status = "4XX", description = "The documented JSON error", body = ErrorBody)),
    security(("token" = []))
)]
pub async fn patch_incident(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<IncidentPatch>,
) -> ApiResult {
    let actor = caller.require()?;
    state.service.patch_incident(&actor, &id, patch).await?;
    ok(full_incident(&state, &id, true).await?)
}

async fn one_update(state: &AppState, id: &str) -> Result<Value, Error> {
    let update = state.service.update(id).await?;
    let components = state.service.store().components().await?;
    let translations = state
        .service
        .store()
        .translations(TranslatableKind::Update, id)
        .await?;
    let mut v = update_view(&update, &components, &translations);
    v["incident_id"] = json!(update.incident_id);
    Ok(v)
}

#[utoipa::path(
    post,
    path = "/api/v1/incidents/{id}/updates",
    tag = "Herald v1",
    summary = "Post an update",
    params(("id" = String, Path, description = "Public id")),
    request_body = NewUpdate,
    responses((status = 201, description = "The resource as JSON (see api-v1.md)", body = serde_json::Value), (status = "4XX", description = "The documented JSON error", body = ErrorBody)),
    security(("token" = []))
)]
pub async fn post_update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<NewUpdate>,
) -> ApiResult {
    let actor = caller.require()?;
    let update = state.service.post_update(&actor, &id, input).await?;
    created(one_update(&state, &update.id).await?)
}

#[utoipa::path(
    get,
    path = "/api/v1/updates/{id}",
    tag = "Herald v1",
    summary = "One update",
    params(("id" = String, Path, description = "Public id")),
    responses((status = 200, description = "The resource as JSON (see api-v1.md)", body = serde_json::Value), (status = "4XX", description = "The documented JSON error", body = ErrorBody))
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
    responses((status = 200, description = "The resource as JSON (see api-v1.md)", body = serde_json::Value), (status = "4XX", description = "The documented JSON error", body = ErrorBody)),
    security(("token" = []))
)]
pub async fn correct_update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<UpdatePatch>,
) -> ApiResult {
    let actor = caller.require()?;
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
    responses((status = 200, description = "The resource as JSON (see api-v1.md)", body = serde_json::Value), (status = "4XX", description = "The documented JSON error", body = ErrorBody)),
    security(("token" = []))
)]
pub async fn put_postmortem(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<PostmortemInput>,
) -> ApiResult {
    let actor = caller.require()?;
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
    responses((status = 201, description = "The resource as JSON (see api-v1.md)", body = serde_json::Value), (status = "4XX", description = "The documented JSON error", body = ErrorBody)),
    security(("token" = []))
)]
pub async fn create_remediation_item(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<NewRemediationItem>,
) -> ApiResult {
    let actor = caller.require()?;
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
    responses((status = 200, description = "The resource as JSON (see api-v1.md)", body = serde_json::Value), (status = "4XX", description = "The documented JSON error", body = ErrorBody)),
    security(("token" = []))
)]
pub async fn patch_remediation_item(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    ApiJson(patch): ApiJson<RemediationPatch>,
) -> ApiResult {
    let actor = caller.require()?;
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
    params(("kind" = TranslatableKind, Path, description = "What is translated"), ("id" = String, Path, description = "Public id"), ("locale" = String, Path, description = "Target locale")),
    request_body = TranslationPut,
    responses((status = 200, description = "The resource as JSON (see api-v1.md)", body = serde_json::Value), (status = "4XX", description = "The documented JSON error", body = ErrorBody)),
    security(("token" = []))
)]
pub async fn put_translation(
    State(state): State<AppState>,
    caller: Caller,
    Path((kind, id, locale)): Path<(String, String, String)>,
    ApiJson(input): ApiJson<TranslationPut>,
) -> ApiResult {
    let actor = caller.require()?;
    let kind: TranslatableKind = kind
        .parse()
        .map_err(|e: String| Error::NotFound(format!("no such kind of object: {e}")))?;
    let saved = state
        .service
        .put_translation(&actor, kind, &id, &locale, input)
        .await?;
    let fields: BTreeMap<&str, &str> = saved
        .iter()
        .map(|t| (t.field.as_str(), t.text.as_str()))
        .collect();
    ok(json!({
        "kind": kind,
        "id": id,
        "locale": locale,
        "fields": fields,
        "provenance": saved.iter().map(|t| t.provenance).min_by_key(|p| p.trust()),
        "updated_at": saved.iter().map(|t| t.updated_at).max(),
    }))
}

#[utoipa::path(
    post,
    path = "/api/v1/maintenances",
    tag = "Herald v1",
    summary = "Schedule a maintenance",
    request_body = NewMaintenance,
    responses((status = 201, description = "The resource as JSON (see api-v1.md)", body = serde_json::Value), (status = "4XX", description = "The documented JSON error", body = ErrorBody)),
    security(("token" = []))
)]
pub async fn create_maintenance(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<NewMaintenance>,
) -> ApiResult {
    let actor = caller.require()?;
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
    responses((status = 200, description = "The resource as JSON (see api-v1.md)", body = serde_json::Value), (status = "4XX", description = "The documented JSON error", body = ErrorBody)),
    security(("token" = []))
)]
pub async fn audit_log(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    let actor = caller.require()?;
    actor.require_admin()?;
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
    ok(json!({"entries": state.service.store().audit_log(&filter).await?}))
}
