//! The console: where on-call engineers, translators and admins write. Server-side sessions
//! (cookie = random secret, database = its digest), a CSRF token per session on every form,
//! roles checked on the server (and again by the service), no JavaScript needed.
//!
//! Every handler is GET (show) or POST (act, then redirect with a flash message). Forms are read
//! as name/value pairs so that bad input can be shown back with the field at fault. Handlers
//! return a `Reply`: errors travel with `?` and become the console's error page. Screens read
//! through `read::console` (and the service's reads); every change goes through the service.

use axum::routing::{get, post};
use axum::Router;

use super::AppState;

mod audit;
mod component;
mod components;
mod dashboard;
mod fields;
mod form;
mod incident;
mod maintenance;
mod milestones;
mod new_incident;
mod postmortem;
mod rows;
mod settings;
mod sign_in;
mod text;
mod tokens;
mod translations;
mod updates;
mod users;
mod visit;

pub use form::{Errs, FieldError, Fields};
pub use text::{console_locale, cookie, role_key, Chrome, LangLink, Opt, Tr};
pub use visit::{constant_eq, Console, ConsoleError, Reply, Visit};

pub const SESSION_COOKIE: &str = "herald_session";
pub const CSRF_COOKIE: &str = "herald_csrf";
const FLASH_COOKIE: &str = "herald_flash";

/// The console's routes (mounted by `build_app`); `state` is for the layer that words errors.
pub fn routes(state: &AppState) -> Router<AppState> {
    Router::new()
        .route("/console", get(dashboard::dashboard))
        .route(
            "/console/sign-in",
            get(sign_in::sign_in_page).post(sign_in::sign_in),
        )
        .route("/console/sign-out", post(sign_in::sign_out))
        .route(
            "/console/setup",
            get(sign_in::setup_page).post(sign_in::setup),
        )
        .route(
            "/console/components",
            get(components::components_page).post(components::create_component),
        )
        .route(
            "/console/components/{id}",
            get(component::component_page).post(component::save_component),
        )
        .route(
            "/console/components/{id}/move",
            post(components::move_component),
        )
        .route(
            "/console/components/{id}/status",
            post(components::set_component_status),
        )
        .route(
            "/console/maintenance",
            get(maintenance::maintenance_page).post(maintenance::schedule_maintenance),
        )
        .route("/console/audit", get(audit::audit_page))
        .route(
            "/console/settings",
            get(settings::settings_page).post(settings::save_settings),
        )
        .route(
            "/console/users",
            get(users::users_page).post(users::create_user),
        )
        .route("/console/users/{id}/disable", post(users::disable_user))
        .route("/console/users/{id}/enable", post(users::enable_user))
        .route(
            "/console/tokens",
            get(tokens::tokens_page).post(tokens::create_token),
        )
        .route("/console/tokens/{id}/revoke", post(tokens::revoke_token))
        .merge(incident_routes())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            visit::render_errors,
        ))
}

/// The routes of incidents: declaring one, its screen and forms, its translations.
fn incident_routes() -> Router<AppState> {
    Router::new()
        .route(
            "/console/incidents/new",
            get(new_incident::new_incident_page).post(new_incident::create_incident),
        )
        .route("/console/incidents/{id}", get(incident::incident_page))
        .route(
            "/console/incidents/{id}/updates",
            post(updates::post_update),
        )
        .route("/console/updates/{id}", post(updates::correct_update))
        .route(
            "/console/incidents/{id}/postmortem",
            post(postmortem::put_postmortem),
        )
        .route("/console/incidents/{id}/items", post(postmortem::add_item))
        .route(
            "/console/incidents/{id}/milestones",
            post(milestones::put_milestones),
        )
        .route("/console/items/{id}", post(postmortem::patch_item))
        .route(
            "/console/incidents/{id}/translations",
            get(translations::translations_page),
        )
        .route(
            "/console/page/translations",
            get(translations::page_translations_page),
        )
        .route(
            "/console/translations/{kind}/{id}/{locale}",
            post(translations::put_translation),
        )
}
