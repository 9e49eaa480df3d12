//! The status badge, as SVG and as shields.io endpoint JSON.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::TestApp;

async fn svg(app: &TestApp, path: &str, language: Option<&str>) -> String {
    let mut request = app.http.get(app.url(path));
    if let Some(l) = language {
        request = request.header("accept-language", l);
    }
    let r = request.send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "image/svg+xml; charset=utf-8");
    assert_eq!(r.headers()["cache-control"], "public, max-age=30");
    r.text().await.unwrap()
}

async fn the_badge_says_the_status_in_words_and_in_the_readers_language() {
    let app = TestApp::sqlite().await;
    let en = svg(&app, "/badge.svg", None).await;
    assert!(en.contains(r#"role="img""#), "{en}");
    assert!(
        en.contains(r#"aria-label="status: All Systems Operational""#),
        "{en}"
    );
    assert!(en.contains("<title>status: All Systems Operational</title>"));
    assert!(en.contains(">All Systems Operational</text>"));
    assert!(en.contains("#1a7f37"), "green when all is well");
    let fr = svg(&app, "/badge.svg?locale=fr", Some("de")).await;
    assert!(
        fr.contains("<title>état: Tous les systèmes sont opérationnels</title>"),
        "{fr}"
    );
    let de = svg(&app, "/badge.svg", Some("de-CH,de;q=0.9,en;q=0.5")).await;
    assert!(de.contains(r#"aria-label="Status: "#), "{de}");
    let json: Value = app.get("/badge.json").await;
    assert_eq!(
        json,
        json!({"schemaVersion": 1, "label": "status", "message": "All Systems Operational", "color": "brightgreen"})
    );

    let db = app
        .post("/api/v1/components", json!({"name": "Database"}))
        .await;
    app.post(
        "/api/v1/incidents",
        json!({"title": "Database down", "impact": "critical", "status": "investigating", "message": "Down.",
               "components": {db["id"].as_str().unwrap(): "major_outage"}}),
    )
    .await;
    let down = svg(&app, "/badge.svg", None).await;
    assert!(
        down.contains("<title>status: Major Service Outage</title>"),
        "{down}"
    );
    assert!(down.contains("#cf222e") && !down.contains("#1a7f37"));
    let json = app.get("/badge.json?locale=es").await;
    assert_eq!(json["color"], "red");
    assert_eq!(json["label"], "estado");
    assert_eq!(json["message"], "Interrupción grave del servicio");
    app.finish().await;
}

crate::helpers::register! {
    the_badge_says_the_status_in_words_and_in_the_readers_language,
}
