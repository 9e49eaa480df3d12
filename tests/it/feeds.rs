//! The history feeds, read by a real feed parser (feed-rs) as feed readers do.

use chrono::Duration;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{t, Db, TestApp};

async fn fetch(app: &TestApp, path: &str) -> feed_rs::model::Feed {
    let r = app.http.get(app.url(path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "GET {path}");
    let content_type = r.headers()["content-type"].to_str().unwrap().to_string();
    if path.ends_with(".atom") {
        assert_eq!(content_type, "application/atom+xml; charset=utf-8");
    } else {
        assert_eq!(content_type, "application/rss+xml; charset=utf-8");
    }
    assert_eq!(r.headers()["cache-control"], "public, max-age=30");
    let bytes = r.bytes().await.unwrap();
    feed_rs::parser::parse(&bytes[..]).unwrap_or_else(|e| panic!("{path} does not parse: {e}"))
}

fn body(entry: &feed_rs::model::Entry) -> String {
    entry
        .content
        .as_ref()
        .and_then(|c| c.body.clone())
        .or_else(|| entry.summary.as_ref().map(|s| s.content.clone()))
        .unwrap_or_default()
}

fn title(entry: &feed_rs::model::Entry) -> String {
    entry
        .title
        .as_ref()
        .map(|t| t.content.clone())
        .unwrap_or_default()
}

async fn a_french_subscriber_sees_one_entry_per_incident_updated_in_place(kind: Db) {
    let app = TestApp::spawn(kind).await;
    let (sell, _) = crate::seed::sell_group(&app).await;
    let incident = app
        .post(
            "/api/v1/incidents",
            json!({
                "title": "Email delays in Sell", "impact": "major", "status": "investigating",
                "display_at": "2024-03-05T11:50:00Z",
                "components": {sell.clone(): "partial_outage"},
                "message": "We are looking into **delays**.",
                "translations": {"fr": {"title": "Retards des e-mails dans Sell",
                    "message": "Nous examinons des **retards**.", "provenance": "machine"}}
            }),
        )
        .await;
    let id = incident["id"].as_str().unwrap().to_string();
    // An incident nobody translated: French readers get the original, never a blank.
    app.clock.advance(Duration::minutes(1));
    app.post(
        "/api/v1/incidents",
        json!({"title": "Slow search", "impact": "minor", "status": "identified",
                   "display_at": "2024-03-05T11:00:00Z", "message": "Search is slow."}),
    )
    .await;

    let feed = fetch(&app, "/fr/history.atom").await;
    assert_eq!(feed.language.as_deref(), Some("fr"));
    assert_eq!(feed.entries.len(), 2, "one entry per incident");
    let first = feed
        .entries
        .iter()
        .find(|e| e.id.contains(&id))
        .expect("entry for the incident")
        .clone();
    assert_eq!(
        first.id,
        format!("tag:status.example.com,2024-03-05:incident/{id}/fr")
    );
    assert_eq!(title(&first), "Retards des e-mails dans Sell");
    assert!(body(&first).contains("Nous examinons des <strong>retards</strong>."));
    assert!(body(&first).contains("<strong>Enquête en cours</strong>"));
    assert_eq!(first.updated, Some(t("2024-03-05T12:00:00Z")));
    assert_eq!(first.published, Some(t("2024-03-05T11:50:00Z")));
    assert_eq!(
        first.links[0].href,
        format!("https://status.example.com/fr/incidents/{id}")
    );
    let other = feed.entries.iter().find(|e| !e.id.contains(&id)).unwrap();
    assert_eq!(title(other), "Slow search");
    assert!(body(other).contains("Search is slow."));
    assert!(body(other).contains("<strong>Cause identifiée</strong>"));

    // An update: the same entry, a newer `updated`, both updates newest first.
    app.clock.advance(Duration::minutes(30));
    app.post(
            &format!("/api/v1/incidents/{id}/updates"),
            json!({"status": "monitoring", "message": "A fix is deployed.",
                   "translations": {"fr": {"message": "Un correctif est déployé.", "provenance": "human"}}}),
        )
        .await;
    app.clock.advance(Duration::minutes(5));
    app.post(
        &format!("/api/v1/incidents/{id}/updates"),
        json!({"status": "monitoring", "message": "Queues are draining."}),
    )
    .await;
    let feed = fetch(&app, "/fr/history.atom").await;
    assert_eq!(feed.entries.len(), 2);
    let second = feed.entries.iter().find(|e| e.id == first.id).unwrap();
    assert!(second.updated > first.updated, "updated moves on");
    assert_eq!(second.updated, Some(t("2024-03-05T12:36:00Z")));
    let html = body(second);
    let newest = html
        .find("Queues are draining.")
        .expect("untranslated update, original");
    let fix = html
        .find("Un correctif est déployé.")
        .expect("translated update");
    let oldest = html.find("Nous examinons").unwrap();
    assert!(newest < fix && fix < oldest, "newest first: {html}");
    // Same status as the update before: the word "Update", not the status again.
    assert!(
        html[..fix].contains("<strong>Mise à jour</strong>"),
        "{html}"
    );
    assert!(
        html[newest..fix].contains("<strong>Surveillance</strong>"),
        "{html}"
    );
    assert!(html.contains("12:31 UTC"), "a date and time line: {html}");

    // Resolved, then a postmortem published: the same entry again, newer, with it.
    app.clock.advance(Duration::minutes(10));
    app.post(
        &format!("/api/v1/incidents/{id}/updates"),
        json!({"status": "resolved", "message": "Resolved.",
                   "components": {sell.clone(): "operational"}}),
    )
    .await;
    let resolved = fetch(&app, "/fr/history.atom").await;
    let third = resolved
        .entries
        .iter()
        .find(|e| e.id == first.id)
        .unwrap()
        .clone();
    assert_eq!(
        third.published,
        Some(t("2024-03-05T12:46:00Z")),
        "published = resolved_at"
    );
    assert!(!body(&third).contains("Analyse après incident"));
    app.clock.advance(Duration::hours(20));
    app.write(
            Method::PUT,
            &format!("/api/v1/incidents/{id}/postmortem"),
            json!({"root_cause": "A full disk.", "resolution": "We freed space.", "state": "published",
                   "translations": {"fr": {"root_cause": "Un disque plein.", "resolution": "Nous avons libéré de l’espace.", "provenance": "human"}}}),
            200,
        )
        .await;
    app.post(
            &format!("/api/v1/incidents/{id}/remediation-items"),
            json!({"title": "Alert on disk usage", "category": "detect", "state": "planned",
                   "translations": {"fr": {"title": "Alerter sur l’espace disque", "provenance": "human"}}}),
        )
        .await;
    let feed = fetch(&app, "/fr/history.atom").await;
    assert_eq!(feed.entries.len(), 2, "still one entry per incident");
    let fourth = feed.entries.iter().find(|e| e.id == first.id).unwrap();
    assert!(fourth.updated > third.updated);
    assert_eq!(fourth.updated, Some(t("2024-03-06T08:46:00Z")));
    let html = body(fourth);
    for expected in [
        "Analyse après incident",
        "Cause première",
        "Un disque plein.",
        "Nous avons libéré de l’espace.",
        "Alerter sur l’espace disque",
        "<strong>Prévue</strong>",
    ] {
        assert!(html.contains(expected), "{expected} in {html}");
    }

    // The RSS twin: the same ids as guids, the language, the same entries.
    let rss = fetch(&app, "/fr/history.rss").await;
    assert_eq!(rss.language.as_deref(), Some("fr"));
    let ids: Vec<&str> = rss.entries.iter().map(|e| e.id.as_str()).collect();
    let atom_ids: Vec<&str> = feed.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, atom_ids);
    assert!(
        body(&rss.entries[ids.iter().position(|i| *i == first.id).unwrap()])
            .contains("Un disque plein.")
    );

    // The page's own feed: English texts, ids without a locale suffix.
    let en = fetch(&app, "/history.atom").await;
    assert_eq!(en.language.as_deref(), Some("en"));
    let entry = en.entries.iter().find(|e| e.id.contains(&id)).unwrap();
    assert_eq!(
        entry.id,
        format!("tag:status.example.com,2024-03-05:incident/{id}")
    );
    assert_eq!(title(entry), "Email delays in Sell");
    assert!(body(entry).contains("Root cause") && body(entry).contains("A full disk."));
    app.finish().await;
}

async fn conditional_get_answers_304_until_something_changes() {
    let app = TestApp::sqlite().await;
    crate::seed::publish_seed(&app).await;
    for path in ["/history.atom", "/history.rss", "/fr/history.atom"] {
        let r = app.http.get(app.url(path)).send().await.unwrap();
        let etag = r.headers()["etag"].to_str().unwrap().to_string();
        let modified = r.headers()["last-modified"].to_str().unwrap().to_string();
        assert_eq!(modified, "Tue, 05 Mar 2024 12:00:00 GMT");
        let again = app
            .http
            .get(app.url(path))
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
        assert!(again.bytes().await.unwrap().is_empty());
        let since = app
            .http
            .get(app.url(path))
            .header("if-modified-since", &modified)
            .send()
            .await
            .unwrap();
        assert_eq!(since.status(), StatusCode::NOT_MODIFIED, "{path}");
        let older = app
            .http
            .get(app.url(path))
            .header("if-modified-since", "Mon, 04 Mar 2024 12:00:00 GMT")
            .send()
            .await
            .unwrap();
        assert_eq!(older.status(), StatusCode::OK, "{path}");
        let other = app
            .http
            .get(app.url(path))
            .header("if-none-match", "\"something-else\"")
            .send()
            .await
            .unwrap();
        assert_eq!(other.status(), StatusCode::OK, "{path}");
    }
    let r = app.http.get(app.url("/history.atom")).send().await.unwrap();
    let etag = r.headers()["etag"].to_str().unwrap().to_string();
    app.clock.advance(Duration::minutes(5));
    app.post(
        "/api/v1/incidents",
        json!({"title": "New", "impact": "minor", "status": "investigating", "message": "Looking."}),
    )
    .await;
    let changed = app
        .http
        .get(app.url("/history.atom"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    assert_ne!(changed.headers()["etag"].to_str().unwrap(), etag);
    assert_eq!(
        changed.headers()["last-modified"],
        "Tue, 05 Mar 2024 12:05:00 GMT"
    );
    app.finish().await;
}

async fn component_and_language_feeds_share_entry_ids_and_unknown_ones_are_404() {
    let app = TestApp::sqlite().await;
    let id = crate::seed::publish_seed(&app).await;
    let components = app.get("/api/v1/components").await;
    let sell = components["components"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let pod = components["components"][1]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let other = app
        .post("/api/v1/components", json!({"name": "Billing"}))
        .await;
    let other = other["id"].as_str().unwrap().to_string();

    let page = fetch(&app, "/history.atom").await;
    let entry_id = page.entries[0].id.clone();
    assert!(entry_id.ends_with(&format!("incident/{id}")));
    for path in [
        format!("/components/{sell}/history.atom"),
        format!("/components/{pod}/history.atom"),
        format!("/components/{pod}/history.rss"),
    ] {
        let feed = fetch(&app, &path).await;
        assert_eq!(feed.entries.len(), 1, "{path}");
        assert_eq!(feed.entries[0].id, entry_id, "{path}");
    }
    let feed = fetch(&app, &format!("/fr/components/{sell}/history.atom")).await;
    assert_eq!(feed.entries[0].id, format!("{entry_id}/fr"));
    assert_eq!(
        title(&feed.entries[0]),
        "Retards de synchronisation et de stockage des nouveaux e-mails dans Sell"
    );
    assert!(feed.title.unwrap().content.contains("Sell"));
    assert!(fetch(&app, &format!("/components/{other}/history.atom"))
        .await
        .entries
        .is_empty());

    // Only the page's enabled locales have feeds.
    let (status, _) = app
        .call(
            Method::PUT,
            "/api/v1/page",
            Some(&app.admin),
            Some(&json!({"name": "Status", "url": "https://status.example.com", "time_zone": "Etc/UTC",
                         "display_time_zones": ["America/Los_Angeles"], "default_locale": "en", "locales": ["en", "fr"]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    for missing in [
        "/de/history.atom".to_string(),
        "/xx/history.rss".to_string(),
        "/components/nosuchthing1/history.atom".to_string(),
        format!("/de/components/{sell}/history.atom"),
    ] {
        let r = app.http.get(app.url(&missing)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{missing}");
    }
    // Display zones appear in the date and time lines.
    let feed = fetch(&app, "/history.atom").await;
    assert!(body(&feed.entries[0]).contains("5:34 PM UTC | 9:34 AM PST"));
    app.finish().await;
}

async fn maintenance_entries_start_with_their_window_and_feeds_hold_25_newest_first() {
    let app = TestApp::sqlite().await;
    let m = app
        .post(
            "/api/v1/maintenances",
            json!({"title": "Database upgrade", "scheduled_for": "2024-03-07T02:00:00Z",
                   "scheduled_until": "2024-03-07T04:00:00Z", "message": "We will upgrade."}),
        )
        .await;
    for n in 0..26 {
        app.post(
            "/api/v1/incidents",
            json!({"title": format!("Incident {n}"), "impact": "minor", "status": "resolved",
                   "display_at": format!("2024-03-0{}T{:02}:00:00Z", 1 + n / 12, n % 12 + 10),
                   "message": "Fixed."}),
        )
        .await;
    }
    let feed = fetch(&app, "/history.atom").await;
    assert_eq!(feed.entries.len(), 25);
    let first = &feed.entries[0];
    assert!(first.id.ends_with(m["id"].as_str().unwrap()));
    assert_eq!(
        first.published,
        Some(t("2024-03-07T02:00:00Z")),
        "scheduled_for"
    );
    assert!(
        body(first).starts_with(
            "<p><strong>Scheduled maintenance from March 7, 2024, 2:00 AM UTC to March 7, 2024, 4:00 AM UTC</strong></p>"
        ),
        "{}",
        body(first)
    );
    let published: Vec<_> = feed.entries.iter().map(|e| e.published.unwrap()).collect();
    let mut sorted = published.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(published, sorted, "newest first");
    assert_eq!(title(&feed.entries[1]), "Incident 25");
    app.finish().await;
}

crate::helpers::register! {
    conditional_get_answers_304_until_something_changes,
    component_and_language_feeds_share_entry_ids_and_unknown_ones_are_404,
    maintenance_entries_start_with_their_window_and_feeds_hold_25_newest_first,
    ; on_each_backend:
    a_french_subscriber_sees_one_entry_per_incident_updated_in_place,
}
