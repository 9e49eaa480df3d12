//! `/readyz` proves the write path: it names a table that can no longer take new rows, and a
//! schema that differs from the binary's migrations.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{Db, TestApp};

async fn readyz(app: &TestApp) -> (StatusCode, Value) {
    app.call(reqwest::Method::GET, "/readyz", None, None).await
}

fn sabotage_sql(kind: Db, table: &str) -> (String, String) {
    match kind {
        Db::Sqlite => (
            format!("CREATE TRIGGER sabotage BEFORE INSERT ON {table} BEGIN SELECT RAISE(ABORT, 'sabotaged'); END;"),
            "DROP TRIGGER sabotage;".to_string(),
        ),
        Db::Postgres => (
            format!(
                "CREATE FUNCTION sabotage() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'sabotaged'; END $$ LANGUAGE plpgsql;
                 CREATE TRIGGER sabotage BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION sabotage();"
            ),
            format!("DROP TRIGGER sabotage ON {table}; DROP FUNCTION sabotage();"),
        ),
    }
}

async fn readyz_names_a_table_that_cannot_take_rows_and_recovers(kind: Db) {
    let app = TestApp::spawn(kind).await;
    let (status, body) = readyz(&app).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "ready");
    for table in ["incident_updates", "audit_log", "translations"] {
        let (sabotage, repair) = sabotage_sql(kind, table);
        app.db.execute(&sabotage).await;
        let (status, body) = readyz(&app).await;
        assert_eq!(
            status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{kind:?} {table}: {body}"
        );
        assert_eq!(body["status"], "unready");
        assert_eq!(body["checks"]["writes"]["table"], table, "{body}");
        assert!(
            !body.to_string().contains("sabotaged"),
            "database messages must not leak: {body}"
        );
        // The probe rolled back: nothing was left behind.
        app.db.execute(&repair).await;
        let (status, body) = readyz(&app).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{kind:?} after repairing {table}: {body}"
        );
    }
    // Real writes still work and the probes left no rows.
    assert_eq!(
        app.get("/api/v1/components").await["components"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    app.finish().await;
}

async fn readyz_reports_a_schema_the_binary_does_not_know(kind: Db) {
    let app = TestApp::spawn(kind).await;
    let checksum = match kind {
        Db::Sqlite => "X'00'",
        Db::Postgres => "'\\x00'::bytea",
    };
    app.db
            .execute(&format!(
                "INSERT INTO _sqlx_migrations (version, description, installed_on, success, checksum, execution_time) \
                 VALUES (9999, 'from a newer herald', '2024-01-01 00:00:00', TRUE, {checksum}, 0)"
            ))
            .await;
    let (status, body) = readyz(&app).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(
        body["checks"]["migrations"]["unknown"],
        serde_json::json!([9999]),
        "{body}"
    );
    app.db
        .execute("DELETE FROM _sqlx_migrations WHERE version = 9999")
        .await;
    app.db
        .execute(
            "UPDATE _sqlx_migrations SET checksum = X'0102' WHERE version = 1"
                .replace(
                    "X'0102'",
                    if kind == Db::Sqlite {
                        "X'0102'"
                    } else {
                        "'\\x0102'::bytea"
                    },
                )
                .as_str(),
        )
        .await;
    let (status, body) = readyz(&app).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(
        body["checks"]["migrations"]["modified"],
        serde_json::json!([1]),
        "{body}"
    );
    app.finish().await;
}

async fn healthz_answers_while_the_process_runs() {
    let app = TestApp::sqlite().await;
    let res = app.http.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text().await.unwrap().trim(), "ok");
    app.finish().await;
}

crate::helpers::register! {
    healthz_answers_while_the_process_runs,
    ; on_each_backend:
    readyz_names_a_table_that_cannot_take_rows_and_recovers,
    readyz_reports_a_schema_the_binary_does_not_know,
}
