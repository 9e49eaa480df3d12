//! The HTTP surface. `build_app` is the route table, grouped by audience.

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::{get, patch, post, put};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

use crate::clock::Clock;
use crate::config::Config;
use crate::render::i18n::I18n;
use crate::service::Service;

pub mod api_v1;
pub mod assets;
pub mod auth;
pub mod errors;
pub mod health;
pub mod json;
pub mod public;

/// Everything a handler may need; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub config: Arc<Config>,
    pub service: Service,
    pub clock: Arc<dyn Clock>,
    pub i18n: Arc<I18n>,
    pub auth_failures: Arc<auth::FailureLimiter>,
    pub assets: Arc<assets::Assets>,
    pub pages: Arc<public::PageCache>,
}

impl AppState {
    pub fn new(
        config: Arc<Config>,
        service: Service,
        clock: Arc<dyn Clock>,
        i18n: Arc<I18n>,
    ) -> AppState {
        let auth_failures = Arc::new(auth::FailureLimiter::new(
            config.auth_failure_limit,
            config.auth_failure_window,
        ));
        AppState {
            config,
            service,
            clock,
            i18n,
            auth_failures,
            assets: Arc::new(assets::Assets::new()),
            pages: Arc::default(),
        }
    }
}

pub fn build_app(state: AppState) -> Router {
    let max_body = state.config.max_body_bytes;
    Router::new()
        // The public site, unprefixed (negotiated language) and per language
        .route("/", get(public::home))
        .route("/{locale}", get(public::home))
        .route("/{locale}/", get(public::home))
        .route("/incidents/{id}", get(public::incident))
        .route("/{locale}/incidents/{id}", get(public::incident))
        .route("/history", get(public::history))
        .route("/{locale}/history", get(public::history))
        .route("/components/{id}", get(public::component))
        .route("/{locale}/components/{id}", get(public::component))
        .route("/preferences", get(public::preferences))
        .route("/static/{file}", get(assets::serve))
        // Operations
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        // Herald's API (api-v1.md): reads are public, writes need a bearer token
        .route("/api/v1/page", get(api_v1::get_page).put(api_v1::put_page))
        .route(
            "/api/v1/components",
            get(api_v1::list_components).post(api_v1::create_component),
        )
        .route(
            "/api/v1/components/{id}",
            get(api_v1::get_component).patch(api_v1::patch_component),
        )
        .route(
            "/api/v1/incidents",
            get(api_v1::list_incidents).post(api_v1::create_incident),
        )
        .route(
            "/api/v1/incidents/{id}",
            get(api_v1::get_incident).patch(api_v1::patch_incident),
        )
        .route("/api/v1/incidents/{id}/updates", post(api_v1::post_update))
        .route(
            "/api/v1/updates/{id}",
            get(api_v1::get_update).patch(api_v1::correct_update),
        )
        .route(
            "/api/v1/incidents/{id}/postmortem",
            put(api_v1::put_postmortem),
        )
        .route(
            "/api/v1/incidents/{id}/remediation-items",
            post(api_v1::create_remediation_item),
        )
        .route(
            "/api/v1/remediation-items/{id}",
            patch(api_v1::patch_remediation_item),
        )
        .route(
            "/api/v1/translations/{kind}/{id}/{locale}",
            put(api_v1::put_translation),
        )
        .route("/api/v1/maintenances", post(api_v1::create_maintenance))
        .route("/api/v1/audit-log", get(api_v1::audit_log))
        .route("/api/{*rest}", axum::routing::any(errors::api_not_found))
        .fallback(errors::page_not_found)
        .layer(axum::middleware::from_fn(
            errors::explain_method_not_allowed,
        ))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(CatchPanicLayer::custom(errors::panic_response))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
