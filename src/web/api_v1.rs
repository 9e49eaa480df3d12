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
use super::json::{ApiError, ApiJson};
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

// ---- handlers ----

pub async fn get_page(State(state): State<AppState>) -> ApiResult {
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
    ok(v)
}

pub async fn put_page(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<PageInput>,
) -> ApiResult {
    let actor = caller.require()?;
    ok(state.service.put_page(&actor, input).await?)
}

pub async fn list_components(State(state): State<AppState>) -> ApiResult {
    let all = state.service.store().components().await?;
    let translations = state
        .service
        .store()
        .translations_of_kind(TranslatableKind::Component)
        .await?;
    ok(
        json!({"components": all.iter().map(|c| component_view(c, &all, &translations)).collect::<Vec<_>>()}),
    )
}

async fn one_component(state: &AppState, id: &str) -> Result<Value, Error> {
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
    Ok(component_view(c, &all, &translations))
}

pub async fn get_component(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    ok(one_component(&state, &id).await?)
}

pub async fn create_component(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<NewComponent>,
) -> ApiResult {
    let actor = caller.require()?;
    let c = state.service.create_component(&actor, input).await?;
    created(one_component(&state, &c.id).await?)
}

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

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentQuery {
    kind: Option<IncidentKind>,
    /// Comma-separated statuses.
    status: Option<String>,
    before: Option<DateTime<Utc>>,
    limit: Option<i64>,
    component: Option<String>,
}

pub async fn list_incidents(
    State(state): State<AppState>,
    query: Result<Query<IncidentQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    let Query(q) = query.map_err(|e| Error::invalid("query", e.body_text()))?;
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
                .map_err(|e| Error::invalid("status", e))?,
        );
    }
    let limit = q.limit.unwrap_or(25);
    if !(1..=100).contains(&limit) {
        return Err(Error::invalid("limit", "must be between 1 and 100").into());
    }
    let filter = IncidentFilter {
        kind: q.kind,
        statuses,
        before: q.before,
        since: None,
        component_ids: q.component.into_iter().collect(),
        limit,
    };
    let store = state.service.store();
    let incidents = store.incidents(&filter).await?;
    let ids: Vec<String> = incidents.iter().map(|i| i.id.clone()).collect();
    let links = store.incident_component_ids(&ids).await?;
    let components = store.components().await?;
    let base = state.service.page().await?.url;
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
            Value::Object(v)
        })
        .collect();
    let next_before = (incidents.len() as i64 == limit)
        .then(|| incidents.last().map(|i| i.started_at))
        .flatten();
    ok(json!({"incidents": list, "next_before": next_before}))
}

async fn full_incident(state: &AppState, id: &str, include_drafts: bool) -> Result<Value, Error> {
    let detail = state.service.incident_detail(id).await?;
    let components = state.service.store().components().await?;
    let base = state.service.page().await?.url;
    Ok(incident_view(&detail, &components, &base, include_drafts))
}

pub async fn get_incident(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult {
    ok(full_incident(&state, &id, caller.0.is_some()).await?)
}

pub async fn create_incident(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<NewIncident>,
) -> ApiResult {
    let actor = caller.require()?;
    let detail = state.service.create_incident(&actor, input).await?;
    created(full_incident(&state, &detail.incident.id, true).await?)
}

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

pub async fn get_update(State(state): State<AppState>, Path(id): Path<String>) -> ApiResult {
    ok(one_update(&state, &id).await?)
}

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

pub async fn create_maintenance(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(input): ApiJson<NewMaintenance>,
) -> ApiResult {
    let actor = caller.require()?;
    let detail = state.service.create_maintenance(&actor, input).await?;
    created(full_incident(&state, &detail.incident.id, true).await?)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    actor: Option<String>,
    object_kind: Option<String>,
    object_id: Option<String>,
    before: Option<DateTime<Utc>>,
    limit: Option<i64>,
}

/// The audit log, newest first (admins only).
pub async fn audit_log(
    State(state): State<AppState>,
    caller: Caller,
    query: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult {
    let actor = caller.require()?;
    actor.require_admin()?;
    let Query(q) = query.map_err(|e| Error::invalid("query", e.body_text()))?;
    let limit = q.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(Error::invalid("limit", "must be between 1 and 500").into());
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
