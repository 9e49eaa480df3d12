//! The postmortem of an incident and its remediation items.

use axum::extract::{Path, State};

use super::translations::translations_view;
use super::{created, ok, ApiResult, WriteErrors};
use crate::domain::{Postmortem, RemediationItem, TranslatableKind, Translation};
use crate::error::Error;
use crate::read;
use crate::service::{NewRemediationItem, PostmortemInput, RemediationPatch};
use crate::web::api_v1_views::{PostmortemView, RemediationItemView};
use crate::web::auth::{Authorized, Responder};
use crate::web::json::ApiJson;
use crate::web::AppState;

pub(super) fn item_view(r: &RemediationItem, translations: &[Translation]) -> RemediationItemView {
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

pub(super) fn postmortem_view(p: &Postmortem, translations: &[Translation]) -> PostmortemView {
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

/// A remediation item as written, with its translations.
async fn item_answer(
    state: &AppState,
    item: &RemediationItem,
) -> Result<RemediationItemView, Error> {
    let kind = TranslatableKind::RemediationItem;
    let translations = read::api::translations(&state.service, kind, &item.id).await?;
    Ok(item_view(item, &translations))
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
    let kind = TranslatableKind::Postmortem;
    let translations = read::api::translations(&state.service, kind, &id).await?;
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
    let service = &state.service;
    let item = service.create_remediation_item(&actor, &id, input).await?;
    created(item_answer(&state, &item).await?)
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
    let service = &state.service;
    let item = service.patch_remediation_item(&actor, &id, patch).await?;
    ok(item_answer(&state, &item).await?)
}
