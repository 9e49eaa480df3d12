//! `/healthz`: the process answers. `/readyz`: the database takes new rows in every table and
//! its schema is the one this binary expects — the failure that started this product (an id
//! sequence silently lost in an upgrade) shows here within seconds.

use std::time::Duration;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::AppState;
use crate::read::Readiness;

pub async fn healthz() -> Response {
    ([(header::CACHE_CONTROL, "no-store")], "ok\n").into_response()
}

pub async fn readyz(State(state): State<AppState>) -> Response {
    let Some(Readiness { migrations, writes }) = state.read.readiness(Duration::from_secs(5)).await
    else {
        return answer(false, json!({"database": "no answer within 5 seconds"}));
    };
    let mut ready = true;
    let migrations = match migrations {
        Ok(report) if report.is_current() => json!("ok"),
        Ok(report) => {
            ready = false;
            json!({
                "problem": "the database schema differs from this binary's migrations",
                "pending": report.pending,
                "unknown": report.unknown,
                "modified": report.modified,
                "failed": report.failed,
            })
        }
        Err(e) => {
            ready = false;
            tracing::error!(error = %e, "readyz: cannot read migrations");
            json!({"problem": "cannot read the applied migrations"})
        }
    };
    let writes = match writes {
        Ok(Ok(())) => json!("ok"),
        Ok(Err(failure)) => {
            ready = false;
            json!({"problem": failure.reason, "table": failure.table})
        }
        Err(e) => {
            ready = false;
            tracing::error!(error = %e, "readyz: cannot reach the database");
            json!({"problem": "cannot reach the database"})
        }
    };
    answer(ready, json!({"migrations": migrations, "writes": writes}))
}

fn answer(ready: bool, checks: serde_json::Value) -> Response {
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({"status": if ready { "ready" } else { "unready" }, "checks": checks});
    (
        status,
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(body),
    )
        .into_response()
}
