//! The audit log (admins): who did what to which object, newest first, filtered by actor,
//! object kind and object id.

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::form::Fields;
use super::text::Chrome;
use super::visit::{Admin, Allowed, Reply};
use crate::read;
use crate::render::labels;
use crate::store::AuditFilter;
use crate::web::AppState;

/// The most entries the screen lists.
const LIMIT: i64 = 200;

pub struct AuditRow {
    pub at: String,
    pub actor: String,
    pub action: String,
    pub kind: String,
    pub id: String,
}

#[derive(Template)]
#[template(path = "console/audit.html")]
struct AuditPage {
    c: Chrome,
    form: Fields,
    rows: Vec<AuditRow>,
}

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    actor: Option<String>,
    object_kind: Option<String>,
    object_id: Option<String>,
}

pub async fn audit_page(
    State(state): State<AppState>,
    console: Allowed<Admin>,
    query: Result<Query<AuditQuery>, QueryRejection>,
) -> Reply {
    let q = query.map(|q| q.0).unwrap_or_default();
    let clean = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let filter = AuditFilter {
        actor: clean(q.actor),
        object_kind: clean(q.object_kind),
        object_id: clean(q.object_id),
        before: None,
        limit: LIMIT,
    };
    let mut form = Fields::default();
    for (name, value) in [
        ("actor", &filter.actor),
        ("object_kind", &filter.object_kind),
        ("object_id", &filter.object_id),
    ] {
        form.set(name, value.clone().unwrap_or_default());
    }
    let entries = read::console::audit_log(&state.service, &filter).await?;
    let tr = console.tr();
    // Actions and kinds by their readable labels; one this version does not know, as stored.
    let label = |key: Option<&str>, code: String| key.map(|k| tr.t(k)).unwrap_or(code);
    let rows = entries
        .into_iter()
        .map(|e| AuditRow {
            at: e.at.format("%Y-%m-%d %H:%M:%S UTC").to_string(),
            actor: e.actor,
            action: label(labels::audit_action(&e.action), e.action.clone()),
            kind: label(labels::audit_kind(&e.object_kind), e.object_kind.clone()),
            id: e.object_id,
        })
        .collect();
    let page = AuditPage {
        c: console.chrome(&state, &tr.t("console-audit")),
        form,
        rows,
    };
    console.visit.page(StatusCode::OK, page.render())
}
