//! The Statuspage v2 public API against golden documents written from
//! docs/statuspage-api-v2.md, on SQLite and PostgreSQL; plus its wire details (CORS, HEAD, doubled
//! slashes, time zones).

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{Db, TestApp};

/// The endpoints and the fixture each is compared with.
const ENDPOINTS: &[(&str, &str)] = &[
    ("/api/v2/summary.json", "summary.json"),
    ("/api/v2/status.json", "status.json"),
    ("/api/v2/components.json", "components.json"),
    ("/api/v2/incidents.json", "incidents.json"),
    (
        "/api/v2/incidents/unresolved.json",
        "incidents-unresolved.json",
    ),
    (
        "/api/v2/scheduled-maintenances.json",
        "scheduled-maintenances.json",
    ),
    (
        "/api/v2/scheduled-maintenances/upcoming.json",
        "scheduled-maintenances-upcoming.json",
    ),
    (
        "/api/v2/scheduled-maintenances/active.json",
        "scheduled-maintenances-active.json",
    ),
];

fn is_id(s: &str) -> bool {
    s.len() == 12
        && s.chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase())
}

/// Replaces generated ids (alone, or ending a URL) by `<id N>` in order of appearance.
pub fn normalize(value: &Value, ids: &mut Vec<String>) -> Value {
    let mut token = |id: &str| {
        let n = ids.iter().position(|i| i == id).unwrap_or_else(|| {
            ids.push(id.to_string());
            ids.len() - 1
        });
        format!("<id {n}>")
    };
    match value {
        Value::String(s) if is_id(s) => Value::String(token(s)),
        Value::String(s) => match s.rsplit_once('/') {
            Some((head, tail)) if is_id(tail) => Value::String(format!("{head}/{}", token(tail))),
            _ => value.clone(),
        },
        Value::Array(a) => Value::Array(a.iter().map(|v| normalize(v, ids)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), normalize(v, ids)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Publishes the reference data: the seed incident (resolved, postmortem published), an open
/// incident on a top-level component, an upcoming and an active maintenance.
async fn publish_reference(app: &TestApp) {
    crate::seed::publish_seed(app).await;
    let api = app
        .post(
            "/api/v1/components",
            json!({"name": "API", "description": "Public REST API", "start_date": "2023-06-01"}),
        )
        .await;
    let api = api["id"].as_str().unwrap().to_string();
    app.post(
        "/api/v1/incidents",
        json!({
            "title": "Elevated API error rates",
            "impact": "minor",
            "status": "identified",
            "display_at": "2024-03-05T11:30:00Z",
            "components": {api.clone(): "partial_outage"},
            "message": "Some write requests fail.\nReads are not affected.\n\nWe found the cause and are *rolling back*."
        }),
    )
    .await;
    app.post(
        "/api/v1/maintenances",
        json!({
            "title": "Network upgrade",
            "scheduled_for": "2024-03-07T02:00:00Z",
            "scheduled_until": "2024-03-07T04:00:00Z",
            "message": "We will upgrade the network. The API may be briefly unavailable.",
            "components": [api.clone()]
        }),
    )
    .await;
    let active = app
        .post(
            "/api/v1/maintenances",
            json!({
                "title": "Search index rebuild",
                "scheduled_for": "2024-03-05T12:30:00Z",
                "scheduled_until": "2024-03-05T14:00:00Z",
                "auto_transition": false,
                "message": "We will rebuild the search index.",
                "components": []
            }),
        )
        .await;
    app.clock.advance(chrono::Duration::minutes(45));
    app.post(
        &format!(
            "/api/v1/incidents/{}/updates",
            active["id"].as_str().unwrap()
        ),
        json!({"status": "in_progress", "message": "The rebuild has started."}),
    )
    .await;
}

fn fixture_path(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/it/fixtures/api_v2")
        .join(name)
}

async fn every_endpoint_matches_its_golden_document_on_both_databases(kind: Db) {
    let mut ran = 0;
    let app = TestApp::spawn(kind).await;
    publish_reference(&app).await;
    for (path, fixture) in ENDPOINTS {
        let got = normalize(&app.get(path).await, &mut Vec::new());
        let file = fixture_path(fixture);
        if std::env::var("HERALD_BLESS").is_ok_and(|v| v == "1") && kind == Db::Sqlite {
            std::fs::write(&file, serde_json::to_string_pretty(&got).unwrap() + "\n").unwrap();
        }
        let expected: Value = serde_json::from_str(
            &std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{file:?}: {e}")),
        )
        .unwrap();
        assert_eq!(
            got,
            expected,
            "{kind:?} GET {path} differs from {fixture}:\n{}",
            serde_json::to_string_pretty(&got).unwrap()
        );
    }
    ran += 1;
    app.finish().await;
    assert!(ran >= 1);
}

/// Rules of docs/statuspage-api-v2.md checked on every object, independently of the fixtures.
fn check_timestamps(value: &Value, key: &str) {
    match value {
        Value::Object(m) => {
            for (k, v) in m {
                if k.ends_with("_at") || k == "scheduled_for" || k == "scheduled_until" {
                    if let Some(s) = v.as_str() {
                        // 2024-02-29T11:10:00.000Z or ...000-08:00
                        let ok = s.len() >= 24
                            && &s[10..11] == "T"
                            && &s[19..20] == "."
                            && s[20..23].chars().all(|c| c.is_ascii_digit())
                            && (&s[23..] == "Z"
                                || (s.len() == 29 && (&s[23..24] == "-" || &s[23..24] == "+")));
                        assert!(ok, "{key}.{k} = {s}");
                    } else {
                        assert!(v.is_null(), "{key}.{k} = {v}");
                    }
                }
                check_timestamps(v, k);
            }
        }
        Value::Array(a) => a.iter().for_each(|v| check_timestamps(v, key)),
        _ => {}
    }
}

async fn wire_rules_hold_cors_head_doubled_slashes_and_nulls() {
    let app = TestApp::sqlite().await;
    publish_reference(&app).await;
    let summary = app.get("/api/v2/summary.json").await;
    check_timestamps(&summary, "summary");
    // The resolved seed incident is not in the summary; its postmortem makes it `postmortem`.
    let all = app.get("/api/v2/incidents.json").await;
    let statuses: Vec<&str> = all["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["identified", "postmortem"]);
    for incident in all["incidents"].as_array().unwrap() {
        let updates = incident["incident_updates"].as_array().unwrap();
        assert!(!updates.is_empty());
        let times: Vec<&str> = updates
            .iter()
            .map(|u| u["display_at"].as_str().unwrap())
            .collect();
        let mut sorted = times.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(times, sorted, "newest first");
        for key in ["monitoring_at", "resolved_at", "reminder_intervals"] {
            assert!(incident.get(key).is_some(), "{key} present");
        }
        for u in updates {
            for key in ["custom_tweet", "tweet_id", "affected_components"] {
                assert!(u.get(key).is_some(), "{key} present");
            }
        }
    }
    let open = &all["incidents"][0];
    assert_eq!(
        open["incident_updates"][0]["body"],
        "Some write requests fail.<br />Reads are not affected.<br /><br />We found the cause and are rolling back."
    );
    assert_eq!(
        open["shortlink"],
        format!(
            "https://status.example.com/incidents/{}",
            open["id"].as_str().unwrap()
        )
    );
    let seed = &all["incidents"][1];
    let first = seed["incident_updates"].as_array().unwrap().last().unwrap();
    assert_eq!(first["affected_components"][0]["name"], "Sell - Pod 13");
    // Leaves have no `components` key; groups list their children.
    let components = app.get("/api/v2/components.json").await;
    for c in components["components"].as_array().unwrap() {
        assert_eq!(c.get("components").is_some(), c["group"] == true, "{c}");
        assert!(c.get("description").is_some() && c.get("group_id").is_some());
    }

    // CORS and content type on every endpoint, and HEAD answered.
    for (path, _) in ENDPOINTS {
        let r = app.http.get(app.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["access-control-allow-origin"], "*", "{path}");
        assert!(r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"));
        let head = app
            .http
            .request(Method::HEAD, app.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(head.status(), StatusCode::OK, "HEAD {path}");
        assert_eq!(head.headers()["access-control-allow-origin"], "*");
        assert!(head.bytes().await.unwrap().is_empty());
    }
    // Doubled slashes from careless URL joining are served the same document.
    for doubled in [
        "//api/v2/summary.json",
        "/api//v2/summary.json",
        "///api/v2//summary.json",
    ] {
        let r = app.http.get(app.url(doubled)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{doubled}");
        assert_eq!(r.json::<Value>().await.unwrap(), summary, "{doubled}");
    }
    app.finish().await;
}

async fn timestamps_are_in_the_page_zone_and_the_status_rolls_up() {
    let app = TestApp::sqlite().await;
    let status = app.get("/api/v2/status.json").await;
    assert_eq!(
        status["status"],
        json!({"indicator": "none", "description": "All Systems Operational"})
    );
    let (status, _) = app
        .call(
            Method::PUT,
            "/api/v1/page",
            Some(&app.admin),
            Some(&json!({"name": "Pacific", "url": "https://status.example.com", "time_zone": "America/Los_Angeles",
               "display_time_zones": [], "default_locale": "en", "locales": ["en", "fr"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let db = app
        .post("/api/v1/components", json!({"name": "Database"}))
        .await;
    app.post(
        "/api/v1/incidents",
        json!({"title": "Database down", "impact": "critical", "status": "investigating",
               "display_at": "2024-03-05T11:10:00Z", "message": "Down.",
               "components": {db["id"].as_str().unwrap(): "major_outage"}}),
    )
    .await;
    let summary = app.get("/api/v2/summary.json").await;
    assert_eq!(summary["page"]["time_zone"], "America/Los_Angeles");
    assert_eq!(
        summary["page"]["updated_at"],
        "2024-03-05T04:00:00.000-08:00"
    );
    assert_eq!(
        summary["incidents"][0]["incident_updates"][0]["display_at"],
        "2024-03-05T03:10:00.000-08:00"
    );
    check_timestamps(&summary, "summary");
    assert_eq!(
        summary["status"],
        json!({"indicator": "critical", "description": "Major Service Outage"})
    );
    app.finish().await;
}

crate::helpers::register! {
    wire_rules_hold_cors_head_doubled_slashes_and_nulls,
    timestamps_are_in_the_page_zone_and_the_status_rolls_up,
    ; on_each_backend:
    every_endpoint_matches_its_golden_document_on_both_databases,
}
