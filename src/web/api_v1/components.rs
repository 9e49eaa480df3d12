//! Components and groups: `/api/v1/components` and `/api/v1/components/{id}`.

use axum::extract::{Path, State};

use super::translations::translations_view;
use super::{
    created, locale_query, ok, ApiResult, ItemErrors, ListErrors, LocaleQuery, QueryResult,
    WriteErrors,
};
use crate::domain::{children_of, shown_status, Component, Localizer, TranslatableKind};
use crate::error::Error;
use crate::read;
use crate::service::{ComponentPatch, NewComponent};
use crate::web::api_v1_views::{ComponentList, ComponentView, LocalizedComponent};
use crate::web::auth::{Authorized, Responder};
use crate::web::json::ApiJson;
use crate::web::AppState;

fn component_view(
    c: &Component,
    data: &read::api::ComponentsData,
    locale: Option<&str>,
) -> ComponentView {
    let (all, translations) = (&data.all, &data.translations);
    let status = shown_status(c, all);
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
            .then(|| children_of(all, &c.id).map(|k| k.id.clone()).collect()),
        localized: locale.map(|locale| localized_component(c, data, locale)),
    }
}

fn localized_component(
    c: &Component,
    data: &read::api::ComponentsData,
    locale: &str,
) -> LocalizedComponent {
    let page_locale = data.page_locale.as_deref().unwrap_or_default();
    let loc = Localizer::new(&data.translations, locale, page_locale);
    let kind = TranslatableKind::Component;
    LocalizedComponent {
        locale: locale.to_string(),
        name: loc.text(kind, &c.id, "name", &c.name),
        description: loc.opt(kind, &c.id, "description", c.description.as_deref()),
    }
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
    query: QueryResult<LocaleQuery>,
) -> ApiResult {
    let locale = locale_query(query)?;
    let data = read::api::components(&state.service, locale.is_some()).await?;
    let components = data
        .all
        .iter()
        .map(|c| component_view(c, &data, locale.as_deref()))
        .collect();
    ok(ComponentList { components })
}

async fn one_component(
    state: &AppState,
    id: &str,
    locale: Option<&str>,
) -> Result<ComponentView, Error> {
    let data = read::api::component(&state.service, id, locale.is_some()).await?;
    let c = data
        .all
        .iter()
        .find(|c| c.id == id)
        .ok_or_else(|| Error::not_found("component", id))?;
    Ok(component_view(c, &data, locale))
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
    query: QueryResult<LocaleQuery>,
) -> ApiResult {
    let locale = locale_query(query)?;
    ok(one_component(&state, &id, locale.as_deref()).await?)
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
    created(one_component(&state, &c.id, None).await?)
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
    ok(one_component(&state, &id, None).await?)
}
