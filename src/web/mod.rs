//! The HTTP surface. `build_app` is the route table, grouped by audience.

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

use crate::clock::Clock;
use crate::config::Config;
use crate::render::i18n::I18n;
use crate::service::Service;

pub mod api_v1;
pub mod api_v1_views;
pub mod api_v2;
pub mod assets;
pub mod auth;
pub mod badge;
pub mod console;
pub mod errors;
pub mod fast;
pub mod feeds;
pub mod health;
pub mod input;
pub mod json;
pub mod openapi;
pub mod public;
pub mod published;
pub mod slashes;

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
    /// Failed console sign-ins, per address and per username.
    pub sign_in_by_ip: Arc<auth::FailureLimiter>,
    pub sign_in_by_user: Arc<auth::FailureLimiter<String>>,
    /// The one-time first-admin setup token: only in memory, only while there is no user.
    pub setup_token: Arc<std::sync::Mutex<Option<String>>>,
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
            service,
            clock,
            i18n,
            auth_failures,
            assets: Arc::new(assets::Assets::new()),
            pages: Arc::new(public::PageCache::new(config.page_cache_bytes)),
            sign_in_by_ip: Arc::new(auth::FailureLimiter::new(
                config.auth_failure_limit,
                config.auth_failure_window,
            )),
            sign_in_by_user: Arc::new(auth::FailureLimiter::new(
                config.auth_failure_limit,
                config.auth_failure_window,
            )),
            setup_token: Arc::default(),
            config,
        }
    }
}

/// The API, one line per path: `api_router` serves exactly these and `API_ROUTES` lists them,
/// so the OpenAPI test can check that the document describes every route.
macro_rules! api_table {
    ($($path:literal => $($method:ident($handler:path)),+;)*) => {
        /// `(method, path)` of every API route, in the router's own path syntax.
        pub const API_ROUTES: &[(&str, &str)] = &[$($((stringify!($method), $path),)+)*];

        fn api_router() -> Router<AppState> {
            Router::new()$(.route($path, axum::routing::MethodRouter::new()$(.$method($handler))+))*
        }
    };
}

api_table! {
    // Herald's API (docs/api-v1.md): reads are public, writes need a bearer token
    "/api/v1/page" => get(api_v1::get_page), put(api_v1::put_page);
    "/api/v1/components" => get(api_v1::list_components), post(api_v1::create_component);
    "/api/v1/components/{id}" => get(api_v1::get_component), patch(api_v1::patch_component);
    "/api/v1/incidents" => get(api_v1::list_incidents), post(api_v1::create_incident);
    "/api/v1/incidents/{id}" => get(api_v1::get_incident), patch(api_v1::patch_incident);
    "/api/v1/incidents/{id}/updates" => post(api_v1::post_update);
    "/api/v1/updates/{id}" => get(api_v1::get_update), patch(api_v1::correct_update);
    "/api/v1/incidents/{id}/postmortem" => put(api_v1::put_postmortem);
    "/api/v1/incidents/{id}/remediation-items" => post(api_v1::create_remediation_item);
    "/api/v1/remediation-items/{id}" => patch(api_v1::patch_remediation_item);
    "/api/v1/translations/{kind}/{id}/{locale}" => put(api_v1::put_translation);
    "/api/v1/maintenances" => post(api_v1::create_maintenance);
    "/api/v1/audit-log" => get(api_v1::audit_log);
    // The Statuspage v2 public API (statuspage-api-v2.md), for widgets, exporters and bots
    "/api/v2/summary.json" => get(api_v2::summary);
    "/api/v2/status.json" => get(api_v2::status);
    "/api/v2/components.json" => get(api_v2::components);
    "/api/v2/incidents.json" => get(api_v2::all_incidents);
    "/api/v2/incidents/unresolved.json" => get(api_v2::unresolved_incidents);
    "/api/v2/scheduled-maintenances.json" => get(api_v2::all_maintenances);
    "/api/v2/scheduled-maintenances/upcoming.json" => get(api_v2::upcoming_maintenances);
    "/api/v2/scheduled-maintenances/active.json" => get(api_v2::active_maintenances);
    // The description of both
    "/api/openapi.json" => get(openapi::document);
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
        // The console (sign-in, sessions, every authoring screen)
        .merge(console::routes())
        // Operations
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        // Feed readers (feeds.md): the whole page, per language, per component
        .route("/history.atom", get(feeds::atom))
        .route("/history.rss", get(feeds::rss))
        .route("/{locale}/history.atom", get(feeds::atom_in))
        .route("/{locale}/history.rss", get(feeds::rss_in))
        .route("/components/{id}/history.atom", get(feeds::component_atom))
        .route("/components/{id}/history.rss", get(feeds::component_rss))
        .route(
            "/{locale}/components/{id}/history.atom",
            get(feeds::component_atom_in),
        )
        .route(
            "/{locale}/components/{id}/history.rss",
            get(feeds::component_rss_in),
        )
        // Embeds: the status badge
        .route("/badge.svg", get(badge::badge_svg))
        .route("/badge.json", get(badge::badge_json))
        // APIs (see the table above)
        .merge(api_router())
        .route("/api/{*rest}", axum::routing::any(errors::api_not_found))
        .fallback(errors::page_not_found)
        .layer(axum::middleware::from_fn(
            errors::explain_method_not_allowed,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            input::refuse_bad_query,
        ))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(CatchPanicLayer::custom(errors::panic_response))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
