//! More incidents than a page lists: the history continues on further parts of the same months
//! (keyset pagination, plain links), every incident is reachable, and no month or day is
//! called quiet when it was not.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};
use herald::service::Actor;
use serde_json::json;

use crate::helpers::{t, Db, TestApp, NOW};

/// Every `href="/en/incidents/…"` of a page, in order.
fn incident_links(html: &str) -> Vec<String> {
    html.split("href=\"/en/incidents/")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_string())
        .collect()
}

/// The link whose text is `label`.
fn link_to(html: &str, label: &str) -> Option<String> {
    let end = html.find(&format!("\">{label}</a>"))?;
    let start = html[..end].rfind("href=\"")? + 6;
    let href = html[start..end].split('"').next()?;
    Some(href.replace("&amp;", "&").replace("&#38;", "&"))
}

/// (heading, quiet, listed) of each month section of a history page.
fn months(html: &str) -> Vec<(String, bool, usize)> {
    html.split("<section class=\"month\">")
        .skip(1)
        .map(|s| {
            let s = s.split("</section>").next().unwrap();
            let heading = s
                .split("<h2>")
                .nth(1)
                .unwrap()
                .split("</h2>")
                .next()
                .unwrap();
            (
                heading.to_string(),
                s.contains("class=\"quiet\""),
                incident_links(s).len(),
            )
        })
        .collect()
}

async fn page(app: &TestApp, path: &str) -> String {
    let response = app.http.get(app.url(path)).send().await.unwrap();
    assert_eq!(response.status(), 200, "{path}");
    response.text().await.unwrap()
}

/// Creates a resolved incident that started at `at`, through the service.
async fn incident_at(app: &TestApp, at: DateTime<Utc>, n: usize) -> String {
    app.clock.set(at);
    let detail = app
        .service()
        .create_incident(
            &Actor::cli(),
            serde_json::from_value(json!({
                "title": format!("Incident {n}"),
                "impact": "minor",
                "status": "resolved",
                "message": "Fixed.",
            }))
            .unwrap(),
        )
        .await
        .unwrap();
    detail.incident.id
}

async fn a_month_with_more_incidents_than_a_page_lists_is_all_reachable(kind: Db) {
    let app = TestApp::spawn(kind).await;
    // Now is 5 March 2024. January: 5 incidents. February: 5 on the 22nd, then 240 from
    // the 24th (two at a time, sharing their start). March: 6. Newest first, the first 200
    // are March's and most of February's from the 24th on: the 22nd and January come
    // after the cut.
    let mut starts: Vec<DateTime<Utc>> = Vec::new();
    starts.extend((0..5).map(|n| t("2024-01-10T09:00:00Z") + Duration::days(n)));
    starts.extend((0..5).map(|n| t("2024-02-22T08:00:00Z") + Duration::hours(n)));
    starts.extend((0..240).map(|n| t("2024-02-24T00:00:00Z") + Duration::minutes(40 * (n / 2))));
    starts.extend((0..6).map(|n| t("2024-03-01T06:00:00Z") + Duration::hours(6 * n)));
    let mut all = BTreeSet::new();
    let mut january = BTreeSet::new();
    for (n, at) in starts.iter().enumerate() {
        let id = incident_at(&app, *at, n).await;
        if *at < t("2024-02-01T00:00:00Z") {
            january.insert(id.clone());
        }
        all.insert(id);
    }
    app.clock.set(t(NOW));
    // The seed data of a new page may hold incidents of its own: they count too.
    let before_ours: BTreeSet<String> = incident_links(&page(&app, "/en/history").await)
        .into_iter()
        .filter(|id| !all.contains(id))
        .collect();

    // The history's first three months, part by part.
    let mut seen: Vec<String> = Vec::new();
    let mut path = "/en/history".to_string();
    let mut parts = 0;
    loop {
        let html = page(&app, &path).await;
        parts += 1;
        for (heading, quiet, listed) in months(&html) {
            assert!(
                !quiet,
                "{kind:?} {path}: {heading} is called quiet ({listed} listed)"
            );
        }
        let links = incident_links(&html);
        assert!(
            links.len() <= 200,
            "{kind:?} {path}: {} listed",
            links.len()
        );
        seen.extend(links);
        match link_to(&html, "More incidents from these months") {
            Some(next) => {
                assert!(next.contains("after="), "{next}");
                assert!(html.contains("rel=\"next\">More incidents"));
                path = next;
            }
            None => break,
        }
        assert!(parts < 10, "{kind:?}: the parts never end");
    }
    assert!(parts >= 2, "{kind:?}: 256 incidents on one part");
    let unique: BTreeSet<String> = seen.iter().cloned().collect();
    assert_eq!(
        unique.len(),
        seen.len(),
        "{kind:?}: an incident listed twice"
    );
    let missing: Vec<&String> = all.difference(&unique).collect();
    assert!(
        missing.is_empty(),
        "{kind:?}: {} of {} incidents are on no history page",
        missing.len(),
        all.len()
    );
    assert!(before_ours.is_subset(&unique));
    // The later part says where it continues from and links back to the first.
    let last = page(&app, &path).await;
    assert!(link_to(&last, "Back to the newest of these months").is_some());
    assert!(months(&last)
        .iter()
        .any(|(h, _, n)| h.contains("January") && *n == 5));
    for id in &january {
        assert!(incident_links(&last).contains(id));
    }
    // The next period is reachable from every part and starts in December.
    let older = link_to(&last, "Older").expect("older link");
    assert!(months(&page(&app, &older).await)
        .first()
        .is_some_and(|(h, _, _)| h.contains("December")));

    // The home page: the newest 200 of the last 14 days, days past the last one listed
    // left out (not called quiet), and a link to the rest.
    let home = page(&app, "/en/").await;
    let listed = incident_links(&home);
    assert_eq!(listed.len(), 200, "{kind:?}: home lists {}", listed.len());
    assert!(home.contains("February 24, 2024"), "the day format changed");
    assert!(
        !home.contains("February 22, 2024"),
        "{kind:?}: the home page shows 22 February (5 incidents) although it lists none of it"
    );
    let rest = link_to(&home, "More incidents from the last 14 days")
        .unwrap_or_else(|| panic!("{kind:?}: no link to the rest of the last 14 days"));
    let mut reachable: BTreeSet<String> = listed.into_iter().collect();
    let mut path = rest;
    loop {
        let html = page(&app, &path).await;
        reachable.extend(incident_links(&html));
        match link_to(&html, "More incidents from these months") {
            Some(next) => path = next,
            None => break,
        }
    }
    let recent: Vec<&String> = all
        .iter()
        .filter(|id| !january.contains(*id))
        .filter(|id| !reachable.contains(*id))
        .collect();
    assert!(
        recent.is_empty(),
        "{kind:?}: {} incidents of the last 14 days unreachable from the home page",
        recent.len()
    );

    // A made-up place to continue from is not found, not an empty page.
    let response = app
        .http
        .get(app.url("/en/history?after=nosuchincident"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    app.finish().await;
}

async fn pages_with_few_incidents_have_no_continuation_links() {
    let app = TestApp::sqlite().await;
    app.clock.set(t("2024-02-10T10:00:00Z"));
    incident_at(&app, t("2024-02-10T10:00:00Z"), 1).await;
    app.clock.set(t(NOW));
    for path in ["/en/", "/en/history", "/fr/history", "/ja/"] {
        let html = page(&app, path).await;
        assert!(!html.contains("after="), "{path}");
    }
    let history = page(&app, "/en/history").await;
    // Three months; the two without incidents are quiet, and the next page is rel="next".
    let m = months(&history);
    assert_eq!(m.len(), 3);
    assert_eq!(m.iter().filter(|(_, quiet, _)| *quiet).count(), 2);
    assert!(history.contains("rel=\"next\">Older</a>"));
    app.finish().await;
}

crate::helpers::register! {
    pages_with_few_incidents_have_no_continuation_links,
    ; on_each_backend:
    a_month_with_more_incidents_than_a_page_lists_is_all_reachable,
}
