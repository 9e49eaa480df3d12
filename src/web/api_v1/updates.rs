//! Updates: posting one on an incident, reading and correcting it.

use axum::extract::{Path, State};

use super::translations::translations_view;
use super::{created, ok, ApiResult, NotFoundErrors, WriteErrors};
use crate::domain::{Component, TranslatableKind, Translation, Update};
use crate::error::Error;
use crate::read;
use crate::service::{NewUpdate, UpdatePatch};
use crate::web::api_v1_views::{ComponentChangeView, RevisionView, UpdateResource, UpdateView};
use crate::web::auth::{Authorized, Responder};
use crate::web::json::ApiJson;
use crate::web::AppState;

pub(super) fn update_view(
    u: &Update,
    components: &[Component],
    translations: &[Translation],
) -> UpdateView {
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

async fn one_update(state: &AppState, id: &str) -> Result<UpdateResource, Error> {
    let data = read::api::update(&state.service, id).await?;
    Ok(UpdateResource {
        update: update_view(&data.update, &data.components, &data.translations),
        incident_id: data.update.incident_id,
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
