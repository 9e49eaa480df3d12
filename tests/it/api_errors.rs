//! Bad input gets the documented error and changes nothing.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{Db, TestApp, TestDb};

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

/// A NUL character in any text of a JSON body is a 422 naming the field, on both databases
/// (PostgreSQL cannot store it; schemathesis found it as a 500).
async fn nul_characters_in_json_text_are_422_naming_the_field(kind: Db) {
    let app = TestApp::spawn(kind).await;
    let incident = app
            .post(
                "/api/v1/incidents",
                json!({"title": "Slow", "impact": "minor", "status": "investigating", "message": "Looking."}),
            )
            .await;
    let update = incident["updates"][0]["id"].as_str().unwrap().to_string();
    let before = app.fingerprint().await;
    let cases = [
        (
            Method::POST,
            "/api/v1/incidents".to_string(),
            json!({"title": "x", "impact": "major", "status": "investigating", "message": "a\u{0}b"}),
            "message",
        ),
        (
            Method::POST,
            "/api/v1/components".to_string(),
            json!({"name": "\u{0}", "start_date": "2020-03-05"}),
            "name",
        ),
        (
            Method::PATCH,
            format!("/api/v1/updates/{update}"),
            json!({"message": "fixed\u{0}"}),
            "message",
        ),
        (
            Method::POST,
            "/api/v1/incidents".to_string(),
            json!({"title": "x", "impact": "major", "status": "investigating", "message": "m",
                    "translations": {"fr": {"title": "t\u{0}", "provenance": "human"}}}),
            "translations.fr.title",
        ),
    ];
    for (method, path, body, field) in cases {
        let (status, answer) = app
            .call(method.clone(), &path, Some(&app.responder), Some(&body))
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{kind:?} {method} {path}: {answer}"
        );
        assert_error(&answer, "invalid");
        assert!(
            answer["error"]["fields"][field]
                .as_str()
                .is_some_and(|m| m.contains("NUL")),
            "{field} not named in {answer}"
        );
    }
    assert_eq!(app.fingerprint().await, before);
    app.finish().await;
}

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

fn golden_path(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/it/fixtures/api_errors")
        .join(name)
}

/// Every validation message, word for word: the API's 422 bodies (and the command line's
/// detail for users and tokens) must not change when messages move to the locale files.
/// `HERALD_BLESS=1` rewrites the golden file.
async fn validation_messages_match_their_golden_text() {
    let app = TestApp::sqlite().await;
    let (sell, pods) = crate::seed::sell_group(&app).await;
    let empty_group = app
        .post(
            "/api/v1/components",
            json!({"name": "Empty", "group": true}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let incident = app
        .post(
            "/api/v1/incidents",
            json!({"title": "Slow", "impact": "minor", "status": "investigating", "message": "Looking.",
                "started_at": "2024-03-05T10:00:00Z", "display_at": "2024-03-05T11:00:00Z"}),
        )
        .await;
    let iid = incident["id"].as_str().unwrap().to_string();
    let uid = incident["updates"][0]["id"].as_str().unwrap().to_string();
    let maintenance = app
        .post(
            "/api/v1/maintenances",
            json!({"title": "Upgrade", "scheduled_for": "2024-03-06T10:00:00Z",
                "scheduled_until": "2024-03-06T11:00:00Z", "message": "Upgrading."}),
        )
        .await;
    let mid = maintenance["id"].as_str().unwrap().to_string();
    let item = app
        .post(
            &format!("/api/v1/incidents/{iid}/remediation-items"),
            json!({"title": "Alert on queue depth", "category": "detect", "state": "planned"}),
        )
        .await;
    let item_id = item["id"].as_str().unwrap().to_string();

    let long_line = "x".repeat(301);
    let long_body = "m".repeat(20_001);
    let inc = |extra: Value| {
        let mut body =
            json!({"title": "x", "impact": "major", "status": "investigating", "message": "m"});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    let page = |extra: Value| {
        let mut body = json!({"name": "P", "url": "https://status.example.com", "time_zone": "UTC",
            "display_time_zones": [], "default_locale": "en", "locales": ["en", "fr"]});
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    let admin = app.admin.clone();
    let responder = app.responder.clone();
    let cases: Vec<(&str, Method, String, &str, Value)> = vec![
        (
            "incident: blank title, long message",
            Method::POST,
            "/api/v1/incidents".into(),
            &responder,
            inc(json!({"title": " ", "message": long_body})),
        ),
        (
            "incident: long title",
            Method::POST,
            "/api/v1/incidents".into(),
            &responder,
            inc(json!({"title": long_line})),
        ),
        (
            "incident: two-line title",
            Method::POST,
            "/api/v1/incidents".into(),
            &responder,
            inc(json!({"title": "a\nb", "symptom": "c\rd"})),
        ),
        (
            "incident: maintenance status",
            Method::POST,
            "/api/v1/incidents".into(),
            &responder,
            inc(json!({"status": "scheduled"})),
        ),
        (
            "incident: maintenance impact",
            Method::POST,
            "/api/v1/incidents".into(),
            &responder,
            inc(json!({"impact": "maintenance"})),
        ),
        (
            "incident: unknown locale",
            Method::POST,
            "/api/v1/incidents".into(),
            &responder,
            inc(json!({"locale": "xx"})),
        ),
        (
            "incident: components",
            Method::POST,
            "/api/v1/incidents".into(),
            &responder,
            inc(
                json!({"components": {"nosuchcompon": "major_outage", empty_group.clone(): "major_outage", pods[0].clone(): "sideways"}}),
            ),
        ),
        (
            "incident: components exist",
            Method::POST,
            "/api/v1/incidents".into(),
            &responder,
            inc(
                json!({"components": {"nosuchcompon": "major_outage", empty_group.clone(): "major_outage", sell.clone(): "partial_outage"}}),
            ),
        ),
        (
            "incident: future display time",
            Method::POST,
            "/api/v1/incidents".into(),
            &responder,
            inc(json!({"display_at": "2031-01-01T00:00:00Z"})),
        ),
        (
            "incident: milestones out of order",
            Method::POST,
            "/api/v1/incidents".into(),
            &responder,
            inc(
                json!({"started_at": "2024-03-01T10:00:00Z", "display_at": "2024-03-01T09:00:00Z",
                "milestones": {"detected_at": "2024-03-01T09:30:00Z", "mitigated_at": "2024-03-01T09:15:00Z",
                    "impact_ended_at": "2031-01-01T00:00:00Z"}}),
            ),
        ),
        (
            "incident: started twice",
            Method::POST,
            "/api/v1/incidents".into(),
            &responder,
            inc(
                json!({"started_at": "2024-03-01T10:00:00Z", "milestones": {"impact_started_at": "2024-03-01T10:00:00Z"}}),
            ),
        ),
        (
            "incident: closed with next update",
            Method::POST,
            "/api/v1/incidents".into(),
            &responder,
            inc(json!({"status": "resolved", "next_update_by": "2024-03-05T13:00:00Z"})),
        ),
        (
            "incident: next update before display",
            Method::POST,
            "/api/v1/incidents".into(),
            &responder,
            inc(
                json!({"display_at": "2024-03-05T11:00:00Z", "next_update_by": "2024-03-05T10:00:00Z"}),
            ),
        ),
        (
            "incident: translations",
            Method::POST,
            "/api/v1/incidents".into(),
            &responder,
            inc(json!({"translations": {
                "xx": {"title": "t", "provenance": "human"},
                "en": {"title": "t", "provenance": "human"},
                "fr": {"title": "", "symptom": "s", "message": long_body, "provenance": "human"}}})),
        ),
        (
            "incident: bad JSON value",
            Method::POST,
            "/api/v1/incidents".into(),
            &responder,
            inc(json!({"impact": "apocalyptic"})),
        ),
        (
            "incident patch: impact",
            Method::PATCH,
            format!("/api/v1/incidents/{iid}"),
            &responder,
            json!({"impact": "maintenance", "title": "", "symptom": long_line,
                "milestones": {"detected_at": "2024-03-05T09:00:00Z"}}),
        ),
        (
            "maintenance patch: impact",
            Method::PATCH,
            format!("/api/v1/incidents/{mid}"),
            &responder,
            json!({"impact": "major"}),
        ),
        (
            "update: maintenance status",
            Method::POST,
            format!("/api/v1/incidents/{mid}/updates"),
            &responder,
            json!({"status": "investigating", "message": ""}),
        ),
        (
            "update: translations",
            Method::POST,
            format!("/api/v1/incidents/{iid}/updates"),
            &responder,
            json!({"status": "identified", "message": "m", "translations": {"fr": {"message": " ", "provenance": "human"}}}),
        ),
        (
            "correction: nothing",
            Method::PATCH,
            format!("/api/v1/updates/{uid}"),
            &responder,
            json!({}),
        ),
        (
            "correction: unchanged",
            Method::PATCH,
            format!("/api/v1/updates/{uid}"),
            &responder,
            json!({"message": "Looking."}),
        ),
        (
            "correction: future",
            Method::PATCH,
            format!("/api/v1/updates/{uid}"),
            &responder,
            json!({"message": long_body, "display_at": "2031-01-01T00:00:00Z"}),
        ),
        (
            "maintenance: window order",
            Method::POST,
            "/api/v1/maintenances".into(),
            &responder,
            json!({"title": "", "scheduled_for": "2024-03-06T10:00:00Z", "scheduled_until": "2024-03-06T09:00:00Z", "message": ""}),
        ),
        (
            "maintenance: window length",
            Method::POST,
            "/api/v1/maintenances".into(),
            &responder,
            json!({"title": "t", "scheduled_for": "2024-03-06T10:00:00Z", "scheduled_until": "2024-04-06T09:00:00Z", "message": "m",
                "components": ["nosuchcompon"], "locale": "xx"}),
        ),
        (
            "component: group problems",
            Method::POST,
            "/api/v1/components".into(),
            &responder,
            json!({"name": "", "group": true, "status": "major_outage", "group_id": sell, "children_label": "y".repeat(61), "position": 99}),
        ),
        (
            "component: not a group",
            Method::POST,
            "/api/v1/components".into(),
            &responder,
            json!({"name": "C", "group_id": pods[0], "children_label": "Pods", "description": long_body}),
        ),
        (
            "component: no such group",
            Method::POST,
            "/api/v1/components".into(),
            &responder,
            json!({"name": "C", "group_id": "nosuchgroup0"}),
        ),
        (
            "component patch: own group",
            Method::PATCH,
            format!("/api/v1/components/{sell}"),
            &responder,
            json!({"group_id": sell, "status": "major_outage", "position": 0}),
        ),
        (
            "component patch: label",
            Method::PATCH,
            format!("/api/v1/components/{}", pods[1]),
            &responder,
            json!({"children_label": "Pods", "name": long_line}),
        ),
        (
            "page: everything",
            Method::PUT,
            "/api/v1/page".into(),
            &admin,
            page(
                json!({"name": "", "url": "ftp://x", "time_zone": "Mars/Olympus",
                "display_time_zones": ["UTC", "Europe/Paris", "Asia/Tokyo", "America/New_York", "Nowhere/Land"],
                "default_locale": "de", "locales": ["en", "tlh"], "footer_markdown": long_body}),
            ),
        ),
        (
            "page: no locales",
            Method::PUT,
            "/api/v1/page".into(),
            &admin,
            page(json!({"locales": [], "url": "https://"})),
        ),
        (
            "postmortem: maintenance",
            Method::PUT,
            format!("/api/v1/incidents/{mid}/postmortem"),
            &responder,
            json!({"root_cause": "", "resolution": "r", "state": "published", "summary": long_body}),
        ),
        (
            "postmortem: unresolved",
            Method::PUT,
            format!("/api/v1/incidents/{iid}/postmortem"),
            &responder,
            json!({"root_cause": "c", "resolution": "", "state": "published",
                "translations": {"fr": {"summary": "s", "provenance": "human"}}}),
        ),
        (
            "item: maintenance",
            Method::POST,
            format!("/api/v1/incidents/{mid}/remediation-items"),
            &responder,
            json!({"title": "", "category": "detect", "state": "wont_do", "tracker_url": "not a url", "position": 5}),
        ),
        (
            "item: position",
            Method::POST,
            format!("/api/v1/incidents/{iid}/remediation-items"),
            &responder,
            json!({"title": "t", "category": "detect", "state": "planned", "position": 3, "state_reason": "a\nb"}),
        ),
        (
            "item patch: position",
            Method::PATCH,
            format!("/api/v1/remediation-items/{item_id}"),
            &responder,
            json!({"position": 2, "state": "wont_do", "detail": long_body}),
        ),
        (
            "translation: original locale",
            Method::PUT,
            format!("/api/v1/translations/incident/{iid}/en"),
            &responder,
            json!({"fields": {}, "provenance": "human"}),
        ),
        (
            "translation: unknown locale and fields",
            Method::PUT,
            format!("/api/v1/translations/incident/{iid}/xx"),
            &responder,
            json!({"fields": {"colour": "bleu", "symptom": "s", "title": long_line}, "provenance": "human"}),
        ),
        (
            "query: limit",
            Method::GET,
            "/api/v1/incidents?limit=0".into(),
            &responder,
            Value::Null,
        ),
        (
            "query: status",
            Method::GET,
            "/api/v1/incidents?status=fixed".into(),
            &responder,
            Value::Null,
        ),
        (
            "query: locale",
            Method::GET,
            "/api/v1/incidents?locale=tlh".into(),
            &responder,
            Value::Null,
        ),
        (
            "query: audit limit",
            Method::GET,
            "/api/v1/audit-log?limit=501".into(),
            &admin,
            Value::Null,
        ),
    ];
    let mut got = serde_json::Map::new();
    for (label, method, path, token, body) in cases {
        let body = (!body.is_null()).then_some(body);
        let (status, answer) = app.call(method, &path, Some(token), body.as_ref()).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{label}: {answer}"
        );
        got.insert(label.to_string(), answer["error"].clone());
    }
    // Users and tokens have no API: the command line prints the service's detail.
    let service = app.service();
    let cli = herald::service::Actor::cli();
    let detail = |e: herald::error::Error| Value::String(e.detail());
    got.insert(
        "user: name and password".into(),
        detail(
            service
                .create_user(&cli, "a b", "short", herald::domain::Role::Responder)
                .await
                .unwrap_err(),
        ),
    );
    got.insert(
        "token: name".into(),
        detail(
            service
                .create_token(&cli, &"n".repeat(101), herald::domain::Role::Responder)
                .await
                .unwrap_err(),
        ),
    );
    // Ids are random: name them.
    let mut text = Value::Object(got).to_string();
    for (id, name) in [
        (&pods[0], "<pod>"),
        (&empty_group, "<empty group>"),
        (&sell, "<sell>"),
    ] {
        text = text.replace(id.as_str(), name);
    }
    let got: Value = serde_json::from_str(&text).unwrap();
    let file = golden_path("validation.json");
    if std::env::var("HERALD_BLESS").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, serde_json::to_string_pretty(&got).unwrap() + "\n").unwrap();
    }
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file:?}: {e}")),
    )
    .unwrap();
    assert_eq!(
        got,
        expected,
        "validation messages changed:\n{}",
        serde_json::to_string_pretty(&got).unwrap()
    );
    app.finish().await;
}

/// Authentication comes before the body: without a valid token, or with too low a role, a
/// write is refused whatever its body holds, and the answer says nothing about the schema.
async fn writes_check_the_token_and_role_before_reading_the_body() {
    // Many bad tokens are sent: the brake on failed authentications must not hide the answers.
    let mut config = herald::config::Config::new(([127, 0, 0, 1], 0).into(), "");
    config.auth_failure_limit = 1_000_000;
    let app = TestApp::spawn_on(TestDb::sqlite().await, config).await;
    let before = app.fingerprint().await;
    let writes: Vec<(Method, String)> = herald::web::API_ROUTES
        .iter()
        .filter(|(method, _)| *method != "get")
        .map(|(method, path)| {
            let concrete = path
                .replace("{kind}", "incident")
                .replace("{id}", "nosuchid0000")
                .replace("{locale}", "fr");
            (method.to_uppercase().parse().unwrap(), concrete)
        })
        .collect();
    assert!(writes.len() >= 12, "{writes:?}");
    let bodies: [&[u8]; 3] = [br#"{"bogus_field": true}"#, b"not json", b"[1, 2"];
    let send = |method: Method, path: &str, token: Option<&str>, body: &[u8]| {
        let mut request = app
            .http
            .request(method, app.url(path))
            .header("content-type", "application/json")
            .body(body.to_vec());
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        async move {
            let response = request.send().await.unwrap();
            let status = response.status();
            let text = response.text().await.unwrap();
            (
                status,
                serde_json::from_str::<Value>(&text).unwrap_or(Value::Null),
            )
        }
    };
    for (method, path) in &writes {
        // The least role each write needs; a translator may translate, so no role is too low.
        let too_low = match path.as_str() {
            "/api/v1/page" => Some(&app.responder),
            p if p.starts_with("/api/v1/translations/") => None,
            _ => Some(&app.translator),
        };
        let proper = match path.as_str() {
            "/api/v1/page" => &app.admin,
            _ => &app.responder,
        };
        for body in bodies {
            let shown = String::from_utf8_lossy(body);
            for token in [None, Some("hrld_notarealtoken")] {
                let (status, answer) = send(method.clone(), path, token, body).await;
                assert_eq!(
                    status,
                    StatusCode::UNAUTHORIZED,
                    "{method} {path} {token:?} {shown}: {answer}"
                );
                assert_error(&answer, "unauthorized");
                assert_eq!(answer["error"]["fields"], json!({}), "{answer}");
                let message = answer["error"]["message"].as_str().unwrap();
                assert!(
                    !message.contains("bogus") && !message.contains("JSON"),
                    "{method} {path}: {message}"
                );
            }
            if let Some(token) = too_low {
                let (status, answer) = send(method.clone(), path, Some(token), body).await;
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{method} {path} {shown}: {answer}"
                );
                assert_error(&answer, "forbidden");
                assert_eq!(answer["error"]["fields"], json!({}), "{answer}");
            }
            // With the right role the body is read, and judged.
            let (status, answer) = send(method.clone(), path, Some(proper), body).await;
            assert!(
                [StatusCode::BAD_REQUEST, StatusCode::UNPROCESSABLE_ENTITY].contains(&status),
                "{method} {path} {shown}: {status} {answer}"
            );
        }
    }
    assert_eq!(app.fingerprint().await, before);
    app.finish().await;
}

crate::helpers::register! {
    malformed_json_is_400_and_changes_nothing,
    unknown_field_values_are_422_naming_the_field,
    oversized_bodies_are_413,
    bad_or_missing_tokens_are_401_and_change_nothing,
    unknown_paths_answer_json_under_api_and_a_page_elsewhere,
    validation_errors_name_every_field_and_change_nothing,
    wrong_methods_get_a_json_405,
    validation_messages_match_their_golden_text,
    writes_check_the_token_and_role_before_reading_the_body,
    ; on_each_backend:
    nul_characters_in_json_text_are_422_naming_the_field,
}
