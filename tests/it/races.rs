//! Concurrent writers: posts to one incident queue up instead of failing, and every status
//! history stays a chain (each change starts where the previous one ended), on both databases.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use herald::clock::{Clock, ManualClock};
use herald::config::Config;
use reqwest::Method;
use serde_json::json;

use crate::helpers::{t, Db, TestApp, TestDb, NOW};

/// A clock that moves on by a millisecond each time it is read, so every write carries a new
/// `updated_at` (as on a real server) and optimistic checks meet real conflicts.
struct TickingClock(ManualClock);

impl Clock for TickingClock {
    fn now(&self) -> DateTime<Utc> {
        self.0.advance(chrono::Duration::milliseconds(1));
        self.0.now()
    }
}

async fn spawn_ticking(kind: Db) -> TestApp {
    let db = TestDb::of(kind).await;
    let clock = ManualClock::new(t(NOW));
    let ticking = Arc::new(TickingClock(clock.clone()));
    TestApp::spawn_with_clock(
        db,
        Config::new(SocketAddr::from(([127, 0, 0, 1], 0)), ""),
        clock,
        ticking,
    )
    .await
}

/// A component's status history in the order it was recorded (`seq`), read behind the app's
/// back: `(old_status, new_status, incident_id)`.
async fn recorded_history(
    db: &TestDb,
    component_id: &str,
) -> Vec<(Option<String>, String, Option<String>)> {
    let sql = "SELECT old_status, new_status, incident_id FROM component_status_history \
               WHERE component_id = $1 ORDER BY seq";
    match db.kind {
        Db::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&format!("sqlite:{}", db.url))
                .await
                .expect("open sqlite");
            let rows = sqlx::query_as(sql)
                .bind(component_id)
                .fetch_all(&pool)
                .await
                .expect("history");
            pool.close().await;
            rows
        }
        Db::Postgres => {
            let pool = sqlx::PgPool::connect(&db.url).await.expect("open postgres");
            let rows = sqlx::query_as(sql)
                .bind(component_id)
                .fetch_all(&pool)
                .await
                .expect("history");
            pool.close().await;
            rows
        }
    }
}

/// The `seq` of every update of an incident, in order, read behind the app's back.
async fn update_seqs(db: &TestDb, incident_id: &str) -> Vec<i64> {
    let sql = "SELECT seq FROM incident_updates WHERE incident_id = $1 ORDER BY seq";
    match db.kind {
        Db::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&format!("sqlite:{}", db.url))
                .await
                .expect("open sqlite");
            let seqs = sqlx::query_scalar(sql)
                .bind(incident_id)
                .fetch_all(&pool)
                .await
                .expect("seqs");
            pool.close().await;
            seqs
        }
        Db::Postgres => {
            let pool = sqlx::PgPool::connect(&db.url).await.expect("open postgres");
            let seqs = sqlx::query_scalar(sql)
                .bind(incident_id)
                .fetch_all(&pool)
                .await
                .expect("seqs");
            pool.close().await;
            seqs
        }
    }
}

async fn concurrent_posts_to_one_incident_all_succeed_in_order(kind: Db) {
    const WRITERS: usize = 16;
    const POSTS: usize = 10;
    let app = spawn_ticking(kind).await;
    let inc = app
            .post(
                "/api/v1/incidents",
                json!({"title": "Busy", "impact": "minor", "status": "investigating", "message": "Start."}),
            )
            .await;
    let id = inc["id"].as_str().unwrap().to_string();
    let app = Arc::new(app);
    let mut writers = Vec::new();
    for w in 0..WRITERS {
        let app = app.clone();
        let id = id.clone();
        writers.push(tokio::spawn(async move {
            let mut answers = Vec::new();
            for p in 0..POSTS {
                let status = if p % 2 == 0 {
                    "identified"
                } else {
                    "monitoring"
                };
                let (code, body) = app
                    .call(
                        Method::POST,
                        &format!("/api/v1/incidents/{id}/updates"),
                        Some(&app.responder),
                        Some(&json!({"status": status, "message": format!("writer {w} post {p}")})),
                    )
                    .await;
                answers.push((code.as_u16(), body));
            }
            answers
        }));
    }
    // Remediation items written to the same incident meanwhile queue up the same way.
    let mut item_writers = Vec::new();
    for w in 0..2 {
        let app = app.clone();
        let id = id.clone();
        item_writers.push(tokio::spawn(async move {
                let mut answers = Vec::new();
                for n in 0..5 {
                    let (code, body) = app
                        .call(
                            Method::POST,
                            &format!("/api/v1/incidents/{id}/remediation-items"),
                            Some(&app.responder),
                            Some(&json!({"title": format!("item {w}.{n}"), "category": "detect", "state": "planned"})),
                        )
                        .await;
                    answers.push((code.as_u16(), body));
                }
                answers
            }));
    }
    for writer in item_writers {
        for (code, body) in writer.await.expect("item writer") {
            assert_eq!(code, 201, "{kind:?}: {body}");
        }
    }
    let mut refused = Vec::new();
    let mut created = 0;
    for writer in writers {
        for (code, body) in writer.await.expect("writer") {
            if code == 201 {
                created += 1;
            } else {
                refused.push((code, body));
            }
        }
    }
    assert!(
        refused.is_empty(),
        "{kind:?}: {} of {} posts refused, e.g. {:?}",
        refused.len(),
        WRITERS * POSTS,
        refused.first()
    );
    assert_eq!(created, WRITERS * POSTS);
    let doc = app.get(&format!("/api/v1/incidents/{id}")).await;
    let messages: Vec<&str> = doc["updates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["message"].as_str().unwrap())
        .collect();
    assert_eq!(messages.len(), WRITERS * POSTS + 1, "{kind:?}");
    for w in 0..WRITERS {
        for p in 0..POSTS {
            let m = format!("writer {w} post {p}");
            assert_eq!(
                messages.iter().filter(|x| **x == m).count(),
                1,
                "{kind:?}: {m}"
            );
        }
    }
    // Items show to an author (the postmortem is a draft).
    let (_, authored) = app
        .call(
            Method::GET,
            &format!("/api/v1/incidents/{id}"),
            Some(&app.responder),
            None,
        )
        .await;
    let mut positions: Vec<i64> = authored["remediation_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["position"].as_i64().unwrap())
        .collect();
    positions.sort_unstable();
    assert_eq!(positions, (1..=10).collect::<Vec<i64>>(), "{kind:?}");
    let seqs = update_seqs(&app.db, &id).await;
    let expected: Vec<i64> = (1..=i64::try_from(WRITERS * POSTS + 1).unwrap()).collect();
    assert_eq!(seqs, expected, "{kind:?}: seq must be contiguous");
    let Ok(app) = Arc::try_unwrap(app) else {
        panic!("writers still hold the app")
    };
    app.finish().await;
}

const STATUSES: [&str; 4] = [
    "degraded_performance",
    "partial_outage",
    "major_outage",
    "operational",
];

async fn concurrent_status_changes_keep_every_history_a_chain(kind: Db) {
    const INCIDENTS: usize = 8;
    const ROUNDS: usize = 6;
    let app = spawn_ticking(kind).await;
    let comp = app.post("/api/v1/components", json!({"name": "API"})).await;
    let cid = comp["id"].as_str().unwrap().to_string();
    let mut incidents = Vec::new();
    for i in 0..INCIDENTS {
        let inc = app
                .post(
                    "/api/v1/incidents",
                    json!({"title": format!("Incident {i}"), "impact": "minor", "status": "investigating", "message": "Looking."}),
                )
                .await;
        incidents.push(inc["id"].as_str().unwrap().to_string());
    }
    let app = Arc::new(app);
    let mut writers = Vec::new();
    // One writer per incident, each moving the same component through its statuses...
    for (i, iid) in incidents.iter().enumerate() {
        let app = app.clone();
        let (iid, cid) = (iid.clone(), cid.clone());
        writers.push(tokio::spawn(async move {
                let mut codes = Vec::new();
                for r in 0..ROUNDS {
                    let status = STATUSES[(i + r) % STATUSES.len()];
                    let (code, body) = app
                        .call(
                            Method::POST,
                            &format!("/api/v1/incidents/{iid}/updates"),
                            Some(&app.responder),
                            Some(&json!({"status": "identified", "message": format!("round {r}"), "components": {cid.clone(): status}})),
                        )
                        .await;
                    codes.push((code.as_u16(), body, true));
                }
                codes
            }));
    }
    // ...and two setting it directly.
    for i in 0..2 {
        let app = app.clone();
        let cid = cid.clone();
        writers.push(tokio::spawn(async move {
            let mut codes = Vec::new();
            for r in 0..ROUNDS {
                let status = STATUSES[(i * 2 + r) % STATUSES.len()];
                let (code, body) = app
                    .call(
                        Method::PATCH,
                        &format!("/api/v1/components/{cid}"),
                        Some(&app.responder),
                        Some(&json!({"status": status})),
                    )
                    .await;
                codes.push((code.as_u16(), body, false));
            }
            codes
        }));
    }
    for writer in writers {
        for (code, body, is_post) in writer.await.expect("writer") {
            if is_post {
                assert_eq!(code, 201, "{kind:?}: {body}");
            } else {
                // A direct change may be refused when the component moved meanwhile (and
                // then says so); it never fails otherwise.
                assert!(code == 200 || code == 409, "{kind:?}: {code} {body}");
            }
        }
    }

    // The stored history, in the order it was recorded, is a chain ending at the
    // component's status.
    let history = recorded_history(&app.db, &cid).await;
    assert!(history.len() > 1, "{kind:?}");
    assert_eq!(history[0].0, None, "{kind:?}");
    for pair in history.windows(2) {
        assert_eq!(
            pair[1].0.as_deref(),
            Some(pair[0].1.as_str()),
            "{kind:?}: a change starts from a status the component did not have: {history:#?}"
        );
        assert_ne!(pair[1].0.as_deref(), Some(pair[1].1.as_str()), "{kind:?}");
    }
    let now = app.get(&format!("/api/v1/components/{cid}")).await;
    assert_eq!(now["status"], json!(history.last().unwrap().1), "{kind:?}");

    // Each update's component change is the history entry of that incident's change.
    let mut from_history: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    for (old, new, incident) in &history {
        if let Some(incident) = incident {
            *from_history
                .entry((
                    incident.clone(),
                    json!(old).to_string(),
                    json!(new).to_string(),
                ))
                .or_default() += 1;
        }
    }
    let mut from_updates: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    for iid in &incidents {
        let doc = app.get(&format!("/api/v1/incidents/{iid}")).await;
        for u in doc["updates"].as_array().unwrap() {
            for c in u["component_changes"].as_array().unwrap() {
                assert_eq!(c["component_id"], json!(cid));
                assert_ne!(c["old_status"], c["new_status"], "{kind:?}: {c}");
                *from_updates
                    .entry((
                        iid.clone(),
                        c["old_status"].to_string(),
                        c["new_status"].to_string(),
                    ))
                    .or_default() += 1;
            }
        }
    }
    assert_eq!(from_updates, from_history, "{kind:?}");
    let Ok(app) = Arc::try_unwrap(app) else {
        panic!("writers still hold the app")
    };
    app.finish().await;
}

async fn concurrent_posts_to_many_incidents_do_not_starve_the_pool(kind: Db) {
    // More incidents written at once than the database pool has connections: holding each
    // incident's lock must not use up the connections the writes themselves need.
    const INCIDENTS: usize = 40;
    let app = spawn_ticking(kind).await;
    let mut ids = Vec::new();
    for i in 0..INCIDENTS {
        let inc = app
                .post(
                    "/api/v1/incidents",
                    json!({"title": format!("Incident {i}"), "impact": "minor", "status": "investigating", "message": "Start."}),
                )
                .await;
        ids.push(inc["id"].as_str().unwrap().to_string());
    }
    let app = Arc::new(app);
    let started = std::time::Instant::now();
    let mut writers = Vec::new();
    for id in ids {
        let app = app.clone();
        writers.push(tokio::spawn(async move {
            let mut codes = Vec::new();
            for p in 0..3 {
                let (code, body) = app
                    .call(
                        Method::POST,
                        &format!("/api/v1/incidents/{id}/updates"),
                        Some(&app.responder),
                        Some(&json!({"status": "identified", "message": format!("post {p}")})),
                    )
                    .await;
                codes.push((code.as_u16(), body));
            }
            codes
        }));
    }
    for writer in writers {
        for (code, body) in writer.await.expect("writer") {
            assert_eq!(code, 201, "{kind:?}: {body}");
        }
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "{kind:?}: {:?}",
        started.elapsed()
    );
    let Ok(app) = Arc::try_unwrap(app) else {
        panic!("writers still hold the app")
    };
    app.finish().await;
}

crate::helpers::register! {
    ; on_each_backend:
    concurrent_posts_to_one_incident_all_succeed_in_order [threads = 4],
    concurrent_status_changes_keep_every_history_a_chain [threads = 4],
    concurrent_posts_to_many_incidents_do_not_starve_the_pool [threads = 4],
}
