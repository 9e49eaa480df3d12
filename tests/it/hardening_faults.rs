//! Faults: a full disk refuses writes cleanly (503) and Herald recovers by itself once space is
//! back; `/readyz` sees a table that can no longer be updated.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use herald::config::Config;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{Db, TestApp, TestDb};

async fn readyz(app: &TestApp) -> (StatusCode, Value) {
    app.call(Method::GET, "/readyz", None, None).await
}

fn refuse_updates_sql(kind: Db, table: &str) -> (String, String) {
    match kind {
        Db::Sqlite => (
            format!("CREATE TRIGGER sabotage BEFORE UPDATE ON {table} BEGIN SELECT RAISE(ABORT, 'sabotaged'); END;"),
            "DROP TRIGGER sabotage;".to_string(),
        ),
        Db::Postgres => (
            format!(
                "CREATE FUNCTION sabotage() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'sabotaged'; END $$ LANGUAGE plpgsql;
                 CREATE TRIGGER sabotage BEFORE UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION sabotage();"
            ),
            format!("DROP TRIGGER sabotage ON {table}; DROP FUNCTION sabotage();"),
        ),
    }
}

async fn readyz_names_a_table_that_refuses_updates_and_recovers(kind: Db) {
    let app = TestApp::spawn(kind).await;
    let inc = app
            .post(
                "/api/v1/incidents",
                json!({"title": "Outage", "impact": "minor", "status": "investigating", "message": "Looking."}),
            )
            .await;
    let id = inc["id"].as_str().unwrap().to_string();
    let (status, body) = readyz(&app).await;
    assert_eq!(status, StatusCode::OK, "{kind:?}: {body}");
    for table in ["incidents", "components", "incident_updates", "users"] {
        let (sabotage, repair) = refuse_updates_sql(kind, table);
        app.db.execute(&sabotage).await;
        let (status, body) = readyz(&app).await;
        assert_eq!(
            status,
            StatusCode::SERVICE_UNAVAILABLE,
            "{kind:?} {table}: {body}"
        );
        assert_eq!(body["checks"]["writes"]["table"], table, "{kind:?}: {body}");
        assert_eq!(
            body["checks"]["writes"]["problem"], "cannot update an existing row",
            "{kind:?}: {body}"
        );
        assert!(!body.to_string().contains("sabotaged"), "{body}");
        if table == "incidents" {
            // What readyz now sees is what an author meets.
            let (status, _) = app
                .call(
                    Method::POST,
                    &format!("/api/v1/incidents/{id}/updates"),
                    Some(&app.responder),
                    Some(&json!({"status": "identified", "message": "Found it."})),
                )
                .await;
            assert!(status.is_server_error(), "{kind:?}: {status}");
        }
        app.db.execute(&repair).await;
        let (status, body) = readyz(&app).await;
        assert_eq!(
            status,
            StatusCode::OK,
            "{kind:?} after repairing {table}: {body}"
        );
    }
    app.finish().await;
}

/// A small tmpfs, unmounted when dropped.
struct SmallDisk {
    dir: tempfile::TempDir,
}

impl SmallDisk {
    /// Mounts a tmpfs of `size` on a fresh directory, or says why it cannot.
    fn mount(size: &str) -> Result<SmallDisk, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .output()
            .map_err(|e| format!("cannot run mount: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "mount -t tmpfs failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(SmallDisk { dir })
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file until the filesystem is full; returns its path.
    fn fill(&self) -> PathBuf {
        use std::io::Write;
        let path = self.path().join("filler");
        let mut file = std::fs::File::create(&path).expect("filler");
        let chunk = vec![0x5a_u8; 4096];
        while file.write_all(&chunk).is_ok() {}
        let _ = file.sync_all();
        path
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount")
            .arg("-l")
            .arg(self.dir.path())
            .status();
    }
}

async fn post_update(app: &TestApp, incident: &str, message: &str) -> (StatusCode, Value) {
    app.call(
        Method::POST,
        &format!("/api/v1/incidents/{incident}/updates"),
        Some(&app.responder),
        Some(&json!({"status": "identified", "message": message})),
    )
    .await
}

async fn a_full_disk_refuses_writes_with_503_and_recovers_without_restart() {
    let disk = match SmallDisk::mount("3m") {
        Ok(disk) => disk,
        Err(why) => {
            eprintln!("notice: skipping the full-disk test: {why}");
            return;
        }
    };
    let db_path = disk.path().join("herald.db");
    let config = || Config::new(SocketAddr::from(([127, 0, 0, 1], 0)), "");
    let app = TestApp::spawn_on(TestDb::sqlite_at(&db_path), config()).await;
    let inc = app
        .post(
            "/api/v1/incidents",
            json!({"title": "Disk", "impact": "minor", "status": "investigating", "message": "Start."}),
        )
        .await;
    let id = inc["id"].as_str().unwrap().to_string();
    let mut acknowledged = Vec::new();
    for n in 0..5 {
        let (status, body) = post_update(&app, &id, &format!("before {n}")).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        acknowledged.push(body["id"].as_str().unwrap().to_string());
    }
    let filler = disk.fill();

    // Writes go on into space SQLite already holds, then are refused: 503, a clear JSON error.
    let big = "x".repeat(15_000);
    let mut refusal = None;
    for n in 0..2_000 {
        let (status, body) = post_update(&app, &id, &format!("{n} {big}")).await;
        match status.as_u16() {
            201 => acknowledged.push(body["id"].as_str().unwrap().to_string()),
            _ => {
                refusal = Some((status, body));
                break;
            }
        }
    }
    let (status, body) = refusal.expect("a full disk must refuse a write at some point");
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"]["code"], "unavailable", "{body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("disk is full"), "{message}");
    // More writes are refused the same way; reads keep working.
    for _ in 0..3 {
        let (status, body) = post_update(&app, &id, "still full").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
    }
    let doc = app.get(&format!("/api/v1/incidents/{id}")).await;
    assert_eq!(doc["id"], json!(id));
    let (status, _) = app.call(Method::GET, "/", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = readyz(&app).await;
    eprintln!("readyz while the disk is full: {status} {body}");

    // Space is back: writes and readyz recover by themselves, within seconds.
    std::fs::remove_file(&filler).expect("free space");
    let freed = Instant::now();
    let recovered = loop {
        let (status, body) = post_update(&app, &id, "space is back").await;
        if status == StatusCode::CREATED {
            acknowledged.push(body["id"].as_str().unwrap().to_string());
            break freed.elapsed();
        }
        assert!(
            freed.elapsed() < Duration::from_secs(10),
            "writes did not recover within 10 s: {status} {body}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    eprintln!(
        "full-disk recovery: first successful write {:.3} s after space was freed ({} writes acknowledged before)",
        recovered.as_secs_f64(),
        acknowledged.len() - 1
    );
    assert!(recovered < Duration::from_secs(5), "{recovered:?}");
    let (status, body) = readyz(&app).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Every later write works too (no connection is left stuck in a transaction).
    for n in 0..20 {
        let (status, body) = post_update(&app, &id, &format!("after {n}")).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        acknowledged.push(body["id"].as_str().unwrap().to_string());
    }

    // Nothing acknowledged is lost, before or after a restart.
    for update in &acknowledged {
        let (status, body) = app
            .call(
                Method::GET,
                &format!("/api/v1/updates/{update}"),
                None,
                None,
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{update}: {body}");
    }
    app.finish().await;
    let app = TestApp::spawn_on(TestDb::sqlite_at(&db_path), config()).await;
    let doc = app.get(&format!("/api/v1/incidents/{id}")).await;
    let stored: Vec<&str> = doc["updates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    for update in &acknowledged {
        assert!(stored.contains(&update.as_str()), "{update} was lost");
    }
    app.finish().await;
    drop(disk);
}

crate::helpers::register! {
    a_full_disk_refuses_writes_with_503_and_recovers_without_restart [threads = 2],
    ; on_each_backend:
    readyz_names_a_table_that_refuses_updates_and_recovers,
}
