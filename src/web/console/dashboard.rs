//! The dashboard: open incidents and maintenances, the latest ones, and every component's
//! status.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;

use super::form::Fields;
use super::rows::{comp_rows, incident_rows, stamp_fn, CompRow, IncidentRow};
use super::text::Chrome;
use super::visit::{Console, Reply};
use crate::read;
use crate::web::AppState;

#[derive(Template)]
#[template(path = "console/dashboard.html")]
struct Dashboard {
    c: Chrome,
    active: Vec<IncidentRow>,
    recent: Vec<IncidentRow>,
    components: Vec<CompRow>,
}

pub async fn dashboard(State(state): State<AppState>, console: Console) -> Reply {
    let data = read::console::dashboard(&state.service).await?;
    let tr = console.tr();
    let stamp = stamp_fn(&state, tr).await;
    let page = Dashboard {
        c: console.chrome(&state, &tr.t("console-dashboard")),
        active: incident_rows(tr, &stamp, &data.active),
        recent: incident_rows(tr, &stamp, &data.recent),
        components: comp_rows(tr, &data.components, &Fields::default(), None),
    };
    console.visit.page(StatusCode::OK, page.render())
}
