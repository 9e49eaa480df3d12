//! The write rules: corrections keep history, postmortems wait for resolution, remediation
//! items reorder, translations go stale, components move, shared components stay down.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{t, TestApp, NOW};

fn find<'a>(list: &'a Value, key: &str, id: &str) -> &'a Value {
    list[key]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap()
}

async fn correcting_an_update_keeps_its_history_and_stales_translations() {
    let app = TestApp::sqlite().await;
    let inc = app
        .post("/api/v1/incidents", json!({"title": "Outage", "impact": "minor", "status": "investigating", "message": "We are lookng into it.",
            "translations": {"fr": {"message": "Nous examinons le problème.", "provenance": "human"}}}))
        .await;
    let update_id = inc["updates"][0]["id"].as_str().unwrap().to_string();
    assert_eq!(inc["updates"][0]["translations"]["fr"]["stale"], false);
    app.clock.advance(chrono::Duration::minutes(3));
    let corrected = app
        .write(
            Method::PATCH,
            &format!("/api/v1/updates/{update_id}"),
            json!({"message": "We are looking into it."}),
            200,
        )
        .await;
    assert_eq!(corrected["message"], "We are looking into it.");
    assert_eq!(corrected["edited"], true);
    assert_eq!(
        corrected["revisions"][0]["message"],
        "We are lookng into it."
    );
    assert_eq!(corrected["translations"]["fr"]["stale"], true);
    assert_eq!(
        corrected["translations"]["fr"]["stale_fields"],
        json!(["message"])
    );
    // Correcting with the same text is refused; a new translation clears the stale mark.
    let (status, _) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/updates/{update_id}"),
            Some(&app.responder),
            Some(&json!({"message": "We are looking into it."})),
        )
        .await;
    assert_eq!(status.as_u16(), 422);
    let (status, _) = app
        .call(Method::PUT, &format!("/api/v1/translations/update/{update_id}/fr"), Some(&app.translator), Some(&json!({"fields": {"message": "Nous examinons le problème."}, "provenance": "reviewed"})))
        .await;
    assert_eq!(status.as_u16(), 200);
    let doc = app.get(&format!("/api/v1/updates/{update_id}")).await;
    assert_eq!(doc["translations"]["fr"]["stale"], false);
    assert_eq!(doc["translations"]["fr"]["provenance"], "reviewed");
    // Translations name their fields: a wrong one is refused.
    let (status, body) = app
        .call(
            Method::PUT,
            &format!("/api/v1/translations/update/{update_id}/de"),
            Some(&app.translator),
            Some(&json!({"fields": {"title": "x"}, "provenance": "human"})),
        )
        .await;
    assert_eq!(status.as_u16(), 422, "{body}");
    assert!(body["error"]["fields"]["fields.title"].is_string());
    let (status, _) = app
        .call(
            Method::PUT,
            &format!("/api/v1/translations/bogus/{update_id}/de"),
            Some(&app.translator),
            Some(&json!({"fields": {"message": "x"}, "provenance": "human"})),
        )
        .await;
    assert_eq!(status.as_u16(), 404);
    app.finish().await;
}

async fn postmortems_and_remediation_items() {
    let app = TestApp::sqlite().await;
    let inc = app.post("/api/v1/incidents", json!({"title": "Outage", "impact": "major", "status": "identified", "message": "Found it."})).await;
    let id = inc["id"].as_str().unwrap().to_string();
    let pm =
        json!({"root_cause": "A bad deploy.", "resolution": "Rolled back.", "state": "published"});
    let (status, body) = app
        .call(
            Method::PUT,
            &format!("/api/v1/incidents/{id}/postmortem"),
            Some(&app.responder),
            Some(&pm),
        )
        .await;
    assert_eq!(status.as_u16(), 422, "publishing before resolution: {body}");
    assert!(body["error"]["fields"]["state"].is_string());
    app.post(
        &format!("/api/v1/incidents/{id}/updates"),
        json!({"status": "resolved", "message": "Fixed."}),
    )
    .await;
    let published = app
        .write(
            Method::PUT,
            &format!("/api/v1/incidents/{id}/postmortem"),
            pm.clone(),
            200,
        )
        .await;
    assert_eq!(published["published_at"], NOW);
    // A later correction keeps the publication date and moves updated_at (and the incident's).
    app.clock.advance(chrono::Duration::days(1));
    let corrected = app.write(Method::PUT, &format!("/api/v1/incidents/{id}/postmortem"), json!({"root_cause": "A bad deploy of the mail store.", "resolution": "Rolled back.", "state": "published"}), 200).await;
    assert_eq!(corrected["published_at"], published["published_at"]);
    assert_eq!(corrected["updated_at"], "2024-03-06T12:00:00Z");
    assert_eq!(
        app.get(&format!("/api/v1/incidents/{id}")).await["updated_at"],
        "2024-03-06T12:00:00Z"
    );

    let mut items = Vec::new();
    for (title, category) in [
        ("Alert sooner", "detect"),
        ("Canary deploys", "prevent"),
        ("Runbook", "process"),
    ] {
        let item = app
            .post(
                &format!("/api/v1/incidents/{id}/remediation-items"),
                json!({"title": title, "category": category, "state": "planned"}),
            )
            .await;
        items.push(item["id"].as_str().unwrap().to_string());
    }
    // Move the last to the top; mark one done; won't-do needs a reason.
    let moved = app
        .write(
            Method::PATCH,
            &format!("/api/v1/remediation-items/{}", items[2]),
            json!({"position": 1}),
            200,
        )
        .await;
    assert_eq!(moved["position"], 1);
    let done = app
        .write(
            Method::PATCH,
            &format!("/api/v1/remediation-items/{}", items[0]),
            json!({"state": "done"}),
            200,
        )
        .await;
    assert_eq!(done["completed_at"], "2024-03-06T12:00:00Z");
    let (status, body) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/remediation-items/{}", items[1]),
            Some(&app.responder),
            Some(&json!({"state": "wont_do"})),
        )
        .await;
    assert_eq!(status.as_u16(), 422);
    assert!(body["error"]["fields"]["state_reason"].is_string());
    let (status, body) = app
        .call(Method::POST, &format!("/api/v1/incidents/{id}/remediation-items"), Some(&app.responder), Some(&json!({"title": "x", "category": "detect", "state": "planned", "tracker_url": "javascript:alert(1)"})))
        .await;
    assert_eq!(status.as_u16(), 422);
    assert!(body["error"]["fields"]["tracker_url"].is_string());
    let doc = app.get(&format!("/api/v1/incidents/{id}")).await;
    let order: Vec<&str> = doc["remediation_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(order, ["Runbook", "Alert sooner", "Canary deploys"]);
    assert_eq!(doc["status"], "resolved");
    assert_eq!(
        doc["postmortem"]["root_cause"],
        "A bad deploy of the mail store."
    );
    app.finish().await;
}

async fn components_move_and_reorder_and_share_outages() {
    let app = TestApp::sqlite().await;
    let (sell, pods) = crate::seed::sell_group(&app).await;
    let support = app
        .post(
            "/api/v1/components",
            json!({"name": "Support", "group": true}),
        )
        .await;
    let support_id = support["id"].as_str().unwrap().to_string();
    // Move Pod 13 from Sell to Support; Sell closes the gap.
    let moved = app
        .write(
            Method::PATCH,
            &format!("/api/v1/components/{}", pods[0]),
            json!({"group_id": support_id}),
            200,
        )
        .await;
    assert_eq!(moved["group_id"], support_id.as_str());
    assert_eq!(moved["position"], 1);
    let list = app.get("/api/v1/components").await;
    assert_eq!(find(&list, "components", &pods[1])["position"], 1);
    assert_eq!(
        find(&list, "components", &support_id)["components"],
        json!([pods[0]])
    );
    // Reorder within the group.
    app.write(
        Method::PATCH,
        &format!("/api/v1/components/{}", pods[5]),
        json!({"position": 1}),
        200,
    )
    .await;
    let list = app.get("/api/v1/components").await;
    assert_eq!(
        find(&list, "components", &sell)["components"][0],
        pods[5].as_str()
    );
    // Two incidents on one Pod: resolving the first leaves it down for the second.
    let a = app.post("/api/v1/incidents", json!({"title": "A", "impact": "major", "status": "investigating", "message": "a", "components": {pods[1].clone(): "major_outage"}})).await;
    let b = app.post("/api/v1/incidents", json!({"title": "B", "impact": "minor", "status": "investigating", "message": "b", "components": {pods[1].clone(): "major_outage"}})).await;
    let group_status =
        find(&app.get("/api/v1/components").await, "components", &sell)["status"].clone();
    assert_eq!(
        group_status, "major_outage",
        "a group shows its worst child"
    );
    app.post(
        &format!("/api/v1/incidents/{}/updates", a["id"].as_str().unwrap()),
        json!({"status": "resolved", "message": "done"}),
    )
    .await;
    assert_eq!(
        find(&app.get("/api/v1/components").await, "components", &pods[1])["status"],
        "major_outage"
    );
    app.post(
        &format!("/api/v1/incidents/{}/updates", b["id"].as_str().unwrap()),
        json!({"status": "resolved", "message": "done"}),
    )
    .await;
    assert_eq!(
        find(&app.get("/api/v1/components").await, "components", &pods[1])["status"],
        "operational"
    );
    // History of the Pod's status, for uptime.
    let history = app
        .store
        .status_history(Some(&pods[1]), t("2024-01-01T00:00:00Z"))
        .await
        .unwrap();
    let statuses: Vec<_> = history.iter().map(|h| h.new_status.as_str()).collect();
    assert_eq!(statuses, ["operational", "major_outage", "operational"]);
    app.finish().await;
}

async fn milestones_and_listing() {
    let app = TestApp::sqlite().await;
    let inc = app.post("/api/v1/incidents", json!({"title": "Outage", "impact": "minor", "status": "investigating", "message": "m", "started_at": "2024-03-05T10:00:00Z", "display_at": "2024-03-05T10:20:00Z"})).await;
    let id = inc["id"].as_str().unwrap().to_string();
    let (status, body) = app
        .call(
            Method::PATCH,
            &format!("/api/v1/incidents/{id}"),
            Some(&app.responder),
            Some(&json!({"milestones": {"detected_at": "2024-03-05T09:00:00Z"}})),
        )
        .await;
    assert_eq!(
        status.as_u16(),
        422,
        "detected before impact started: {body}"
    );
    let doc = app.write(Method::PATCH, &format!("/api/v1/incidents/{id}"), json!({"milestones": {"detected_at": "2024-03-05T10:05:00Z", "impact_ended_at": "2024-03-05T11:00:00Z"}, "symptom": "slow pages"}), 200).await;
    assert_eq!(doc["durations"]["time_to_detect_seconds"], 300);
    assert_eq!(doc["durations"]["impact_seconds"], 3600);
    assert_eq!(doc["durations"]["time_to_first_update_seconds"], 1200);
    assert_eq!(doc["symptom"], "slow pages");
    let list = app
        .get("/api/v1/incidents?kind=incident&status=investigating,identified&limit=10")
        .await;
    assert_eq!(list["incidents"].as_array().unwrap().len(), 1);
    let (status, body) = app
        .call(Method::GET, "/api/v1/incidents?status=nope", None, None)
        .await;
    assert_eq!(status.as_u16(), 422, "{body}");
    let (status, _) = app
        .call(Method::GET, "/api/v1/incidents?limit=0", None, None)
        .await;
    assert_eq!(status.as_u16(), 422);
    app.finish().await;
}

crate::helpers::register! {
    correcting_an_update_keeps_its_history_and_stales_translations,
    postmortems_and_remediation_items,
    components_move_and_reorder_and_share_outages,
    milestones_and_listing,
}
