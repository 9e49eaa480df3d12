//! The audit log (admins only).

use axum::extract::State;
use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{limit, ok, query, AdminReadErrors, ApiResult, QueryResult};
use crate::read;
use crate::store::AuditFilter;
use crate::web::api_v1_views::AuditLog;
use crate::web::auth::{Admin, Authorized};
use crate::web::AppState;

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    actor: Option<String>,
    object_kind: Option<String>,
    object_id: Option<String>,
    before: Option<DateTime<Utc>>,
    limit: Option<i64>,
}

/// The audit log, newest first (admins only).
#[utoipa::path(
    get,
    path = "/api/v1/audit-log",
    tag = "Herald v1",
    summary = "The audit log, newest first (admin)",
    params(AuditQuery),
    responses((status = 200, description = "Audit log entries, newest first", body = AuditLog), AdminReadErrors),
    security(("token" = []))
)]
pub async fn audit_log(
    State(state): State<AppState>,
    _: Authorized<Admin>,
    q: QueryResult<AuditQuery>,
) -> ApiResult {
    let q = query(q)?;
    let filter = AuditFilter {
        limit: limit(q.limit, 50, 500)?,
        actor: q.actor,
        object_kind: q.object_kind,
        object_id: q.object_id,
        before: q.before,
    };
    ok(AuditLog {
        entries: read::api::audit_log(&state.service, &filter).await?,
    })
}
