//! Text that cannot be stored the same way by both databases is refused the same way on both:
//! an id that cannot exist is 404, a NUL in any text is 422 naming the field, and so is a
//! year outside 1970–9999 in any time field (API bodies, query parameters, console forms).

use herald::domain::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::console::{user, Agent, PASSWORD};
use crate::helpers::{Db, TestApp};

fn field_problem<'a>(body: &'a Value, field: &str) -> &'a str {
    body["error"]["fields"][field]
        .as_str()
        .unwrap_or_else(|| panic!("no problem named for `{field}`: {body}"))
}

async fn ids_that_cannot_exist_are_404_and_nul_in_a_query_is_422(kind: Db) {
    let app = TestApp::spawn(kind).await;
    for path in [
        "/api/v1/incidents/%00",
        "/api/v1/updates/%00",
        "/api/v1/components/%00",
        "/api/v1/incidents/not%20an%20id",
        "/api/v1/updates/a%00b",
    ] {
        let (status, body) = app.call(Method::GET, path, None, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{kind:?} GET {path}: {body}");
        assert_eq!(
            body["error"]["code"], "not_found",
            "{kind:?} {path}: {body}"
        );
    }
    for path in [
        "/components/%00/history.atom",
        "/components/%00/history.rss",
        "/incidents/%00",
        "/components/%00",
    ] {
        let (status, _) = app.call(Method::GET, path, None, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{kind:?} GET {path}");
    }
    // Writes to an id that cannot exist are 404 too, and change nothing.
    let before = app.fingerprint().await;
    for (method, path, body) in [
        (
            Method::POST,
            "/api/v1/incidents/%00/updates",
            json!({"status": "identified", "message": "x"}),
        ),
        (
            Method::PATCH,
            "/api/v1/incidents/%00",
            json!({"title": "x"}),
        ),
        (
            Method::PATCH,
            "/api/v1/components/%00",
            json!({"name": "x"}),
        ),
        (
            Method::PATCH,
            "/api/v1/updates/%00",
            json!({"message": "x"}),
        ),
    ] {
        let (status, answer) = app
            .call(method.clone(), path, Some(&app.admin), Some(&body))
            .await;
        assert_eq!(
            status,
            StatusCode::NOT_FOUND,
            "{kind:?} {method} {path}: {answer}"
        );
    }
    assert_eq!(app.fingerprint().await, before);

    // A NUL or a year out of range in a query parameter is 422 naming it.
    for (path, field) in [
        ("/api/v1/audit-log?actor=%00", "actor"),
        ("/api/v1/audit-log?object_id=a%00", "object_id"),
        ("/api/v1/audit-log?before=-9999-01-01T00:00:00Z", "before"),
        (
            "/api/v1/incidents?before=%2B10000-01-01T00:00:00Z",
            "before",
        ),
    ] {
        let (status, body) = app.call(Method::GET, path, Some(&app.admin), None).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{kind:?} {path}: {body}"
        );
        field_problem(&body, field);
    }
    let (status, _) = app
        .call(Method::GET, "/history?before=%00", None, None)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{kind:?}");
    app.finish().await;
}

async fn nul_and_years_out_of_range_in_json_are_422_naming_the_field(kind: Db) {
    let app = TestApp::spawn(kind).await;
    let comp = app.post("/api/v1/components", json!({"name": "API"})).await;
    let cid = comp["id"].as_str().unwrap().to_string();
    let inc = app
            .post(
                "/api/v1/incidents",
                json!({"title": "Outage", "impact": "minor", "status": "investigating", "message": "Looking."}),
            )
            .await;
    let id = inc["id"].as_str().unwrap().to_string();
    let base = || json!({"title": "Outage", "impact": "minor", "status": "investigating", "message": "Looking."});
    let mut cases: Vec<(Method, String, Value, &str, &str)> = Vec::new();
    let with = |key: &str, value: Value| {
        let mut body = base();
        body[key] = value;
        body
    };
    cases.push((
        Method::POST,
        "/api/v1/incidents".into(),
        with("title", json!("a\u{0}b")),
        "title",
        "NUL",
    ));
    cases.push((
        Method::POST,
        "/api/v1/incidents".into(),
        with("message", json!("\u{0}")),
        "message",
        "NUL",
    ));
    cases.push((
        Method::POST,
        "/api/v1/incidents".into(),
        with(
            "translations",
            json!({"fr": {"title": "x\u{0}", "provenance": "human"}}),
        ),
        "translations.fr.title",
        "NUL",
    ));
    cases.push((
        Method::POST,
        "/api/v1/incidents".into(),
        with("display_at", json!("-9999-01-01T00:00:00Z")),
        "display_at",
        "1970",
    ));
    cases.push((
        Method::POST,
        "/api/v1/incidents".into(),
        with("started_at", json!("+10000-01-01T00:00:00Z")),
        "started_at",
        "1970",
    ));
    cases.push((
        Method::POST,
        "/api/v1/incidents".into(),
        with("milestones", json!({"detected_at": "1969-12-31T23:00:00Z"})),
        "milestones.detected_at",
        "1970",
    ));
    cases.push((
        Method::POST,
        format!("/api/v1/incidents/{id}/updates"),
        json!({"status": "identified", "message": "ok", "display_at": "-9999-01-01T00:00:00Z"}),
        "display_at",
        "1970",
    ));
    cases.push((
        Method::POST,
        format!("/api/v1/incidents/{id}/updates"),
        json!({"status": "identified", "message": "a\u{0}"}),
        "message",
        "NUL",
    ));
    cases.push((
        Method::PATCH,
        format!("/api/v1/incidents/{id}"),
        json!({"title": "\u{0}x"}),
        "title",
        "NUL",
    ));
    cases.push((
        Method::PATCH,
        format!("/api/v1/components/{cid}"),
        json!({"name": "a\u{0}"}),
        "name",
        "NUL",
    ));
    cases.push((
        Method::PATCH,
        format!("/api/v1/components/{cid}"),
        json!({"start_date": "-9999-01-01"}),
        "start_date",
        "1970",
    ));
    cases.push((
        Method::POST,
        "/api/v1/components".into(),
        json!({"name": "a\u{0}"}),
        "name",
        "NUL",
    ));
    let before = app.fingerprint().await;
    for (method, path, body, field, words) in cases {
        let (status, answer) = app
            .call(method.clone(), &path, Some(&app.admin), Some(&body))
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{kind:?} {method} {path} {body}: {answer}"
        );
        let problem = field_problem(&answer, field);
        assert!(problem.contains(words), "{kind:?} {field}: {problem}");
    }
    assert_eq!(
        app.fingerprint().await,
        before,
        "{kind:?}: nothing was written"
    );
    app.finish().await;
}

async fn console_forms_refuse_nul_and_years_out_of_range_naming_the_field(kind: Db) {
    let app = TestApp::spawn(kind).await;
    user(&app, "ada", Role::Admin).await;
    let mut agent = Agent::new(&app);
    // A NUL in the username is just a wrong sign-in (no such user), on both databases.
    let token = agent.csrf("/console/sign-in").await;
    let answer = agent
        .post(
            "/console/sign-in",
            &[
                ("csrf", &token),
                ("username", "ada\u{0}"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert!(
        answer.status.is_client_error(),
        "{kind:?}: {}",
        answer.status
    );
    let answer = agent.sign_in("ada", PASSWORD).await;
    assert!(answer.status.is_redirection(), "{kind:?}: {}", answer.body);
    let csrf = agent.csrf("/console/incidents/new").await;
    let before = app.fingerprint().await;
    for (title, display_at, error_id) in [
        ("a\u{0}b", "", "e-title"),
        ("Fine", "-9999-01-01T00:00", "e-display_at"),
        ("Fine", "10000-01-01T00:00", "e-display_at"),
    ] {
        let bad = agent
            .post(
                "/console/incidents/new",
                &[
                    ("csrf", &csrf),
                    ("title", title),
                    ("impact", "minor"),
                    ("status", "investigating"),
                    ("message", "x"),
                    ("display_at", display_at),
                    ("action", "create"),
                ],
            )
            .await;
        assert_eq!(
            bad.status, 422,
            "{kind:?} {title:?} {display_at}: {}",
            bad.body
        );
        assert!(
            bad.body.contains(&format!("id=\"{error_id}\"")),
            "{kind:?}: {}",
            bad.body
        );
    }
    assert_eq!(app.fingerprint().await, before);
    app.finish().await;
}

crate::helpers::register! {
    ; on_each_backend:
    ids_that_cannot_exist_are_404_and_nul_in_a_query_is_422,
    nul_and_years_out_of_range_in_json_are_422_naming_the_field,
    console_forms_refuse_nul_and_years_out_of_range_naming_the_field,
}
