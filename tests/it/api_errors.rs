//! Bad input gets the documented error and changes nothing.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

async fn raw(app: &TestApp, path: &str, token: Option<&str>, body: Vec<u8>) -> (StatusCode, Value) {
    let mut req = app
        .http
        .post(app.url(path))
        .header("content-type", "application/json")
        .body(body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let res = req.send().await.unwrap();
    let status = res.status();
    (
        status,
        serde_json::from_str(&res.text().await.unwrap()).unwrap_or(Value::Null),
    )
}

fn assert_error(body: &Value, code: &str) {
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert!(body["error"]["fields"].is_object(), "{body}");
}

#[tokio::test]
async fn malformed_json_is_400_and_changes_nothing() {
    let app = TestApp::sqlite().await;
    let before = app.fingerprint().await;
    for body in [
        &b"{\"title\": \"x\", "[..],
        b"not json",
        b"",
        b"{\"title\": \"x\"} trailing",
    ] {
        let (status, answer) = raw(
            &app,
            "/api/v1/incidents",
            Some(&app.responder),
            body.to_vec(),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{answer}");
        assert_error(&answer, "malformed");
    }
    assert_eq!(app.fingerprint().await, before);
    app.finish().await;
}

#[tokio::test]
async fn unknown_field_values_are_422_naming_the_field() {
    let app = TestApp::sqlite().await;
    let before = app.fingerprint().await;
    let cases = [
        (
            json!({"title": "x", "impact": "major", "status": "fixed", "message": "m"}),
            "status",
        ),
        (
            json!({"title": "x", "impact": "apocalyptic", "status": "investigating", "message": "m"}),
            "impact",
        ),
        (
            json!({"title": "x", "impact": "major", "status": "investigating"}),
            "message",
        ),
        (
            json!({"title": "x", "impact": "major", "status": "investigating", "message": "m", "mesage": "typo"}),
            "mesage",
        ),
        (
            json!({"title": "x", "impact": "major", "status": "investigating", "message": "m", "display_at": "yesterday"}),
            "display_at",
        ),
        (
            json!({"title": "x", "impact": "major", "status": "investigating", "message": "m", "components": {"abc": "broken"}}),
            "components.abc",
        ),
    ];
    for (body, field) in cases {
        let (status, answer) = app
            .call(
                Method::POST,
                "/api/v1/incidents",
                Some(&app.responder),
                Some(&body),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body} → {answer}"
        );
        assert_error(&answer, "invalid");
        assert!(
            answer["error"]["fields"][field].is_string(),
            "{field} not named in {answer}"
        );
    }
    assert_eq!(app.fingerprint().await, before);
    app.finish().await;
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let app = TestApp::sqlite().await;
    let before = app.fingerprint().await;
    let huge = json!({"title": "x", "impact": "major", "status": "investigating", "message": "a".repeat(2 * 1024 * 1024)});
    let (status, answer) = raw(
        &app,
        "/api/v1/incidents",
        Some(&app.responder),
        serde_json::to_vec(&huge).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{answer}");
    assert_error(&answer, "too_large");
    // Within the body limit but over a field's limit: 422 naming the field.
    let long = json!({"title": "x".repeat(301), "impact": "major", "status": "investigating", "message": "m".repeat(20_001)});
    let (status, answer) = app
        .call(
            Method::POST,
            "/api/v1/incidents",
            Some(&app.responder),
            Some(&long),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(answer["error"]["fields"]["title"]
        .as_str()
        .unwrap()
        .contains("too long"));
    assert!(answer["error"]["fields"]["message"]
        .as_str()
        .unwrap()
        .contains("too long"));
    assert_eq!(app.fingerprint().await, before);
    app.finish().await;
}

#[tokio::test]
async fn bad_or_missing_tokens_are_401_and_change_nothing() {
    let app = TestApp::sqlite().await;
    let before = app.fingerprint().await;
    let body = json!({"name": "API"});
    for token in [None, Some("hrld_notarealtoken"), Some("garbage")] {
        let (status, answer) = app
            .call(Method::POST, "/api/v1/components", token, Some(&body))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{token:?}: {answer}");
        assert_error(&answer, "unauthorized");
    }
    let res = app
        .http
        .post(app.url("/api/v1/components"))
        .header("authorization", "Basic Zm9vOmJhcg==")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(app.fingerprint().await, before);
    app.finish().await;
}

#[tokio::test]
async fn unknown_paths_answer_json_under_api_and_a_page_elsewhere() {
    let app = TestApp::sqlite().await;
    let (status, body) = app
        .call(Method::GET, "/api/v1/nothing-here", None, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "not_found");
    let (status, body) = app
        .call(Method::GET, "/api/v1/incidents/doesnotexist", None, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "not_found");
    let res = app
        .http
        .get(app.url("/no/such/page"))
        .header("accept-language", "fr-CH, en;q=0.5")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let html = res.text().await.unwrap();
    assert!(html.contains("<html lang=\"fr\">"), "{html}");
    assert!(html.contains("Page introuvable"));
    app.finish().await;
}

#[tokio::test]
async fn validation_errors_name_every_field_and_change_nothing() {
    let app = TestApp::sqlite().await;
    let (sell, pods) = crate::seed::sell_group(&app).await;
    let before = app.fingerprint().await;
    let cases = [
        (
            json!({"title": " ", "impact": "major", "status": "investigating", "message": "m"}),
            "title",
        ),
        (
            json!({"title": "x", "impact": "major", "status": "investigating", "message": ""}),
            "message",
        ),
        (
            json!({"title": "x", "impact": "major", "status": "scheduled", "message": "m"}),
            "status",
        ),
        (
            json!({"title": "x", "impact": "maintenance", "status": "investigating", "message": "m"}),
            "impact",
        ),
        (
            json!({"title": "x", "impact": "major", "status": "investigating", "message": "m", "locale": "xx"}),
            "locale",
        ),
        (
            json!({"title": "x", "impact": "major", "status": "investigating", "message": "m", "components": {"nosuchcompon": "major_outage"}}),
            "components.nosuchcompon",
        ),
        (
            json!({"title": "x", "impact": "major", "status": "investigating", "message": "m", "display_at": "2031-01-01T00:00:00Z"}),
            "display_at",
        ),
        (
            json!({"title": "x", "impact": "major", "status": "investigating", "message": "m", "started_at": "2024-03-01T10:00:00Z",
                "milestones": {"impact_ended_at": "2024-03-01T09:00:00Z"}}),
            "milestones.impact_ended_at",
        ),
        (
            json!({"title": "x", "impact": "major", "status": "resolved", "message": "m", "next_update_by": "2024-03-05T13:00:00Z"}),
            "next_update_by",
        ),
        (
            json!({"title": "x", "impact": "major", "status": "investigating", "message": "m", "translations": {"xx": {"title": "t", "provenance": "human"}}}),
            "translations.xx",
        ),
        (
            json!({"title": "x", "impact": "major", "status": "investigating", "message": "m", "translations": {"en": {"title": "t", "provenance": "human"}}}),
            "translations.en",
        ),
    ];
    for (body, field) in cases {
        let (status, answer) = app
            .call(
                Method::POST,
                "/api/v1/incidents",
                Some(&app.responder),
                Some(&body),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body} → {answer}"
        );
        assert!(
            answer["error"]["fields"][field].is_string(),
            "{field} not named in {answer}"
        );
    }
    // Several problems at once are all named.
    let (_, answer) = app
        .call(Method::POST, "/api/v1/incidents", Some(&app.responder), Some(&json!({"title": "", "impact": "major", "status": "investigating", "message": "", "locale": "xx"})))
        .await;
    let fields = answer["error"]["fields"].as_object().unwrap();
    assert!(
        fields.contains_key("title")
            && fields.contains_key("message")
            && fields.contains_key("locale"),
        "{answer}"
    );
    // Components: a group's status is derived; nesting is refused; positions are bounded.
    for (body, field) in [
        (
            json!({"name": "G", "group": true, "status": "major_outage"}),
            "status",
        ),
        (
            json!({"name": "Sub", "group": true, "group_id": sell}),
            "group_id",
        ),
        (json!({"name": "Child", "group_id": pods[0]}), "group_id"),
        (json!({"name": "X", "position": 99}), "position"),
    ] {
        let (status, answer) = app
            .call(
                Method::POST,
                "/api/v1/components",
                Some(&app.responder),
                Some(&body),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body} → {answer}"
        );
        assert!(
            answer["error"]["fields"][field].is_string(),
            "{field} not named in {answer}"
        );
    }
    // The page: an unknown zone or locale.
    let page = json!({"name": "P", "url": "https://status.example.com", "time_zone": "Mars/Olympus", "display_time_zones": ["UTC"], "default_locale": "en", "locales": ["en", "tlh"]});
    let (status, answer) = app
        .call(Method::PUT, "/api/v1/page", Some(&app.admin), Some(&page))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        answer["error"]["fields"]["time_zone"].is_string()
            && answer["error"]["fields"]["locales[1]"].is_string(),
        "{answer}"
    );
    assert_eq!(app.fingerprint().await, before);
    app.finish().await;
}

#[tokio::test]
async fn wrong_methods_get_a_json_405() {
    let app = TestApp::sqlite().await;
    let (status, body) = app
        .call(Method::DELETE, "/api/v1/incidents", Some(&app.admin), None)
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_error(&body, "method_not_allowed");
    let (status, body) = app.call(Method::PATCH, "/api/v2/nothing", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_error(&body, "not_found");
    app.finish().await;
}
