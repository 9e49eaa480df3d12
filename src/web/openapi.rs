//! The OpenAPI 3.1 document at `/api/openapi.json`, generated from the handlers' annotations
//! and the input and response types. A test checks it names every route of `API_ROUTES`.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{api_v1, api_v2};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Herald",
        description = "Herald's own API (v1: publishing, with bearer tokens for writes; see \
                       `docs/api-v1.md`) and the Statuspage-compatible public API (v2: read-only, \
                       unauthenticated; see `docs/statuspage-api-v2.md`)."
    ),
    paths(
        api_v1::get_page,
        api_v1::put_page,
        api_v1::list_components,
        api_v1::create_component,
        api_v1::get_component,
        api_v1::patch_component,
        api_v1::list_incidents,
        api_v1::create_incident,
        api_v1::get_incident,
        api_v1::patch_incident,
        api_v1::post_update,
        api_v1::get_update,
        api_v1::correct_update,
        api_v1::put_postmortem,
        api_v1::create_remediation_item,
        api_v1::patch_remediation_item,
        api_v1::put_translation,
        api_v1::create_maintenance,
        api_v1::audit_log,
        api_v2::summary,
        api_v2::status,
        api_v2::components,
        api_v2::all_incidents,
        api_v2::unresolved_incidents,
        api_v2::all_maintenances,
        api_v2::upcoming_maintenances,
        api_v2::active_maintenances,
        document,
    ),
    components(schemas(
        // Named only by parameters, which do not register their schemas themselves.
        crate::domain::IncidentKind,
        crate::domain::TranslatableKind,
        super::api_v1_views::LocaleCode,
        // Named only by the error answers of `api_v1::errors`.
        super::json::ErrorBody,
    )),
    modifiers(&BearerToken),
    tags(
        (name = "Herald v1", description = "Publishing and reading incidents, components, postmortems and translations"),
        (name = "Statuspage v2", description = "Wire-compatible with Atlassian Statuspage's public API"),
    )
)]
pub struct ApiDoc;

/// Writes take `Authorization: Bearer <token>` (`herald token create`).
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "Herald v1",
    responses((status = 200, description = "The OpenAPI 3.1 document of this server", body = serde_json::Value)))]
pub async fn document() -> Response {
    let mut response = axum::Json(ApiDoc::openapi()).into_response();
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}
