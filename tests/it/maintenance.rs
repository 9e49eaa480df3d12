//! Scheduled maintenance with auto_transition starts and completes on time by itself, setting
//! and restoring its components' statuses.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{t, Db, TestApp};

async fn wait_for_status(app: &TestApp, id: &str, status: &str) -> Value {
    for _ in 0..100 {
        let doc = app.get(&format!("/api/v1/incidents/{id}")).await;
        if doc["status"] == status {
            return doc;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("maintenance {id} never reached {status}");
}

async fn maintenance_moves_on_by_the_clock_and_restores_components(kind: Db) {
    let app = TestApp::spawn(kind).await;
    let (sell, pods) = crate::seed::sell_group(&app).await;
    // One Pod was already degraded: it gets that status back, not "operational".
    app.write(
        Method::PATCH,
        &format!("/api/v1/components/{}", pods[0]),
        json!({"status": "degraded_performance"}),
        200,
    )
    .await;
    let m = app
            .post("/api/v1/maintenances", json!({
                "title": "Database upgrade",
                "scheduled_for": "2024-03-05T14:00:00Z",
                "scheduled_until": "2024-03-05T16:00:00Z",
                "message": "We will upgrade the Sell databases.",
                "components": [sell],
                "translations": {"fr": {"title": "Mise à niveau", "message": "Nous mettrons à niveau les bases.", "provenance": "human"}}
            }))
            .await;
    let id = m["id"].as_str().unwrap().to_string();
    assert_eq!(m["status"], "scheduled");
    assert_eq!(m["impact"], "maintenance");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        app.get(&format!("/api/v1/incidents/{id}")).await["status"],
        "scheduled",
        "must not start early"
    );

    app.clock.set(t("2024-03-05T14:00:30Z"));
    let doc = wait_for_status(&app, &id, "in_progress").await;
    let started = &doc["updates"][1];
    assert_eq!(started["display_at"], "2024-03-05T14:00:00Z");
    assert_eq!(
        started["message"],
        "Scheduled maintenance is in progress. We will post an update when it is complete."
    );
    assert!(started["translations"]["fr"]["message"]
        .as_str()
        .unwrap()
        .contains("en cours"));
    let components = app.get("/api/v1/components").await;
    for pod in &pods {
        let c = components["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == pod.as_str())
            .unwrap();
        assert_eq!(c["status"], "under_maintenance");
    }

    app.clock.set(t("2024-03-05T16:05:00Z"));
    let doc = wait_for_status(&app, &id, "completed").await;
    assert_eq!(doc["milestones"]["resolved_at"], "2024-03-05T16:00:00Z");
    let components = app.get("/api/v1/components").await;
    let status_of = |id: &str| {
        components["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(status_of(&pods[0]), "degraded_performance");
    assert_eq!(status_of(&pods[1]), "operational");
    // Exactly three updates: scheduled, in progress, completed — the ticker did not repeat itself.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        app.get(&format!("/api/v1/incidents/{id}")).await["updates"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    app.finish().await;
}

async fn a_window_missed_while_down_goes_straight_through() {
    let app = TestApp::sqlite().await;
    let (sell, _) = crate::seed::sell_group(&app).await;
    let m = app
        .post("/api/v1/maintenances", json!({"title": "Night work", "scheduled_for": "2024-03-05T13:00:00Z", "scheduled_until": "2024-03-05T14:00:00Z", "message": "Planned.", "components": [sell]}))
        .await;
    let id = m["id"].as_str().unwrap().to_string();
    app.clock.set(t("2024-03-06T09:00:00Z"));
    let doc = wait_for_status(&app, &id, "completed").await;
    let statuses: Vec<&str> = doc["updates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["scheduled", "in_progress", "completed"]);
    let components = app.get("/api/v1/components").await;
    assert!(components["components"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["status"] == "operational"));
    app.finish().await;
}

async fn manual_maintenance_waits_for_its_responder() {
    let app = TestApp::sqlite().await;
    let m = app
        .post("/api/v1/maintenances", json!({"title": "Manual", "scheduled_for": "2024-03-05T13:00:00Z", "scheduled_until": "2024-03-05T14:00:00Z", "message": "Planned.", "auto_transition": false}))
        .await;
    let id = m["id"].as_str().unwrap().to_string();
    app.clock.set(t("2024-03-05T15:00:00Z"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        app.get(&format!("/api/v1/incidents/{id}")).await["status"],
        "scheduled"
    );
    // And an invalid window is refused.
    let (status, body) = app
        .call(Method::POST, "/api/v1/maintenances", Some(&app.responder), Some(&json!({"title": "Bad", "scheduled_for": "2024-03-05T13:00:00Z", "scheduled_until": "2024-03-05T12:00:00Z", "message": "x"})))
        .await;
    assert_eq!(status.as_u16(), 422);
    assert!(body["error"]["fields"]["scheduled_until"].is_string());
    app.finish().await;
}

crate::helpers::register! {
    a_window_missed_while_down_goes_straight_through,
    manual_maintenance_waits_for_its_responder,
    ; on_each_backend:
    maintenance_moves_on_by_the_clock_and_restores_components,
}
