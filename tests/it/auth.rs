//! Tokens, roles and the brake on failed authentication.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::TestApp;

async fn a_translator_may_only_translate() {
    let app = TestApp::sqlite().await;
    let (sell, _) = crate::seed::sell_group(&app).await;
    let inc = app.post("/api/v1/incidents", json!({"title": "Outage", "impact": "minor", "status": "investigating", "message": "Looking.", "components": {sell: "degraded_performance"}})).await;
    let id = inc["id"].as_str().unwrap();
    let before = app.fingerprint().await;
    for (method, path, body) in [
        (
            Method::POST,
            format!("/api/v1/incidents/{id}/updates"),
            json!({"status": "resolved", "message": "Done"}),
        ),
        (
            Method::POST,
            "/api/v1/incidents".to_string(),
            json!({"title": "t", "impact": "minor", "status": "investigating", "message": "m"}),
        ),
        (
            Method::POST,
            "/api/v1/components".to_string(),
            json!({"name": "X"}),
        ),
        (
            Method::PATCH,
            format!("/api/v1/incidents/{id}"),
            json!({"title": "Changed"}),
        ),
    ] {
        let (status, answer) = app
            .call(method, &path, Some(&app.translator), Some(&body))
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {answer}");
        assert_eq!(answer["error"]["code"], "forbidden");
    }
    assert_eq!(app.fingerprint().await, before);
    let update_id = inc["updates"][0]["id"].as_str().unwrap();
    let (status, answer) = app
        .call(
            Method::PUT,
            &format!("/api/v1/translations/update/{update_id}/fr"),
            Some(&app.translator),
            Some(&json!({"fields": {"message": "Nous regardons."}, "provenance": "human"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["fields"]["message"], "Nous regardons.");
    // Only admins change the page settings and read the audit log.
    let page = json!({"name": "P", "url": "https://status.example.com", "time_zone": "UTC", "display_time_zones": [], "default_locale": "en", "locales": ["en"]});
    let (status, _) = app
        .call(
            Method::PUT,
            "/api/v1/page",
            Some(&app.responder),
            Some(&page),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app
        .call(Method::GET, "/api/v1/audit-log", Some(&app.responder), None)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    app.finish().await;
}

async fn revoked_tokens_are_refused() {
    let app = TestApp::sqlite().await;
    let service = app.service();
    let (token, secret) = service
        .create_token(
            &herald::service::Actor::cli(),
            "temp",
            herald::domain::Role::Responder,
        )
        .await
        .unwrap();
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/components",
            Some(&secret),
            Some(&json!({"name": "A"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    service
        .revoke_token(&herald::service::Actor::cli(), &token.id)
        .await
        .unwrap();
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/components",
            Some(&secret),
            Some(&json!({"name": "B"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    app.finish().await;
}

async fn repeated_failed_authentication_gets_429() {
    let app = TestApp::sqlite().await;
    let body = json!({"name": "A"});
    for _ in 0..10 {
        let (status, _) = app
            .call(
                Method::POST,
                "/api/v1/components",
                Some("hrld_wrong"),
                Some(&body),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let res = app
        .http
        .post(app.url("/api/v1/components"))
        .bearer_auth("hrld_wrong")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().get("retry-after").is_some());
    let answer: serde_json::Value = res.json().await.unwrap();
    assert_eq!(answer["error"]["code"], "rate_limited");
    // A valid token from that address is still accepted (only failures are braked); reads
    // without a token still work.
    let (status, _) = app
        .call(
            Method::POST,
            "/api/v1/components",
            Some(&app.responder),
            Some(&body),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    app.get("/api/v1/components").await;
    app.finish().await;
}

async fn every_write_leaves_an_audit_row() {
    let app = TestApp::sqlite().await;
    let c = app.post("/api/v1/components", json!({"name": "API"})).await;
    let id = c["id"].as_str().unwrap();
    app.write(
        Method::PATCH,
        &format!("/api/v1/components/{id}"),
        json!({"status": "major_outage"}),
        200,
    )
    .await;
    let (status, log) = app
        .call(
            Method::GET,
            &format!("/api/v1/audit-log?object_id={id}"),
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let entries = log["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{log}");
    assert_eq!(entries[0]["action"], "component.update");
    assert_eq!(entries[0]["actor"], "token:test-responder");
    assert_eq!(entries[0]["before"]["status"], "operational");
    assert_eq!(entries[0]["after"]["status"], "major_outage");
    assert_eq!(entries[1]["action"], "component.create");
    app.finish().await;
}

crate::helpers::register! {
    a_translator_may_only_translate,
    revoked_tokens_are_refused,
    repeated_failed_authentication_gets_429,
    every_write_leaves_an_audit_row,
}
