//! The command line, run as a user would: the real binary against a real database and server.

use std::process::{Command, Stdio};

use serde_json::json;

use crate::helpers::{TestApp, TestDb};

fn herald() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_herald"));
    cmd.env_remove("DATABASE_URL")
        .env_remove("HERALD_TOKEN")
        .env_remove("HERALD_SERVER")
        .env("HERALD_LOG", "warn");
    cmd
}

async fn token_create_prints_the_token_alone_and_list_never_shows_it() {
    let db = TestDb::sqlite().await;
    let out = herald()
        .args(["token", "create", "--name", "pager", "--role", "responder"])
        .env("DATABASE_URL", &db.url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let token = stdout.trim();
    assert_eq!(
        stdout.lines().count(),
        1,
        "only the token on stdout: {stdout:?}"
    );
    assert!(token.starts_with("hrld_") && token.len() > 30);
    let list = herald()
        .args(["--database-url", &db.url, "token", "list"])
        .output()
        .unwrap();
    let listed = String::from_utf8(list.stdout).unwrap();
    assert!(
        listed.contains("pager") && listed.contains("responder") && !listed.contains(token),
        "{listed}"
    );
    let bad = herald()
        .args([
            "--database-url",
            &db.url,
            "token",
            "create",
            "--name",
            "x",
            "--role",
            "boss",
        ])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("admin, responder, translator"));
    let id = listed.split('\t').next().unwrap();
    let revoke = herald()
        .args(["--database-url", &db.url, "token", "revoke", id])
        .output()
        .unwrap();
    assert!(revoke.status.success());
    assert!(String::from_utf8(
        herald()
            .args(["--database-url", &db.url, "token", "list"])
            .output()
            .unwrap()
            .stdout
    )
    .unwrap()
    .contains("revoked"));
}

async fn user_create_reads_the_password_from_stdin() {
    use std::io::Write;
    let db = TestDb::sqlite().await;
    let mut child = herald()
        .args([
            "--database-url",
            &db.url,
            "user",
            "create",
            "--username",
            "ana",
            "--role",
            "admin",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"correct horse battery staple\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store = herald::store::open(&db.url).await.unwrap();
    let user = store.user_by_name("ana").await.unwrap().unwrap();
    assert!(user.password_hash.starts_with("$argon2id$"));
    assert!(herald::service::verify_password(
        "correct horse battery staple",
        &user.password_hash
    ));
    let mut short = herald()
        .args([
            "--database-url",
            &db.url,
            "user",
            "create",
            "--username",
            "bob",
            "--role",
            "admin",
        ])
        .stdin(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    short.stdin.take().unwrap().write_all(b"short\n").unwrap();
    let out = short.wait_with_output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 12"));
}

async fn post_publishes_through_the_api() {
    let app = TestApp::sqlite().await;
    let api = app.post("/api/v1/components", json!({"name": "API"})).await;
    let api_id = api["id"].as_str().unwrap().to_string();
    let server = format!("http://{}", app.addr);
    let token = app.responder.clone();
    let run = move |args: Vec<String>| {
        let server = server.clone();
        let token = token.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                herald()
                    .args(&args)
                    .env("HERALD_SERVER", server)
                    .env("HERALD_TOKEN", token)
                    .output()
                    .unwrap()
            })
            .await
            .unwrap()
        }
    };
    let out = run(vec![
        "post".into(),
        "incident".into(),
        "--title".into(),
        "API errors".into(),
        "--impact".into(),
        "major".into(),
        "--component".into(),
        format!("{api_id}=major_outage"),
        "Investigating errors.".into(),
    ])
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let incident_id = String::from_utf8(out.stdout).unwrap().trim().to_string();
    assert!(String::from_utf8_lossy(&out.stderr).contains("https://status.example.com/incidents/"));
    let out = run(vec![
        "post".into(),
        "update".into(),
        "--incident".into(),
        incident_id.clone(),
        "--status".into(),
        "resolved".into(),
        "Fixed.".into(),
    ])
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc = app.get(&format!("/api/v1/incidents/{incident_id}")).await;
    assert_eq!(doc["status"], "resolved");
    assert_eq!(
        doc["updates"][0]["component_changes"][0]["new_status"],
        "major_outage"
    );
    assert_eq!(doc["components"][0]["status"], "operational");
    // A refused request says which field is wrong and exits non-zero.
    let out = run(vec![
        "post".into(),
        "update".into(),
        "--incident".into(),
        incident_id,
        "--status".into(),
        "monitoring".into(),
        "--display-at".into(),
        "2099-01-01T00:00:00Z".into(),
        "x".into(),
    ])
    .await;
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("422") && stderr.contains("display_at"),
        "{stderr}"
    );
    // No token: a clear message before any request.
    let out = tokio::task::spawn_blocking(|| {
        herald()
            .args([
                "post",
                "update",
                "--incident",
                "x",
                "--status",
                "resolved",
                "m",
            ])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("HERALD_TOKEN"));
    app.finish().await;
}

async fn demo_loads_a_realistic_page_once() {
    let db = TestDb::sqlite().await;
    let out = herald()
        .args(["--database-url", &db.url, "demo"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let again = herald()
        .args(["--database-url", &db.url, "demo"])
        .output()
        .unwrap();
    assert!(
        !again.status.success(),
        "the demo refuses a database that has data"
    );
    let app = TestApp::spawn_on(
        db,
        herald::config::Config::new(std::net::SocketAddr::from(([127, 0, 0, 1], 0)), ""),
    )
    .await;
    let components = app.get("/api/v1/components").await;
    let groups: Vec<&str> = components["components"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["group"] == true)
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(groups, ["Sell", "Support"]);
    let list = app.get("/api/v1/incidents?limit=10").await;
    let incidents = list["incidents"].as_array().unwrap();
    let by_status = |s: &str| incidents.iter().filter(|i| i["status"] == s).count();
    assert_eq!(
        (
            by_status("resolved"),
            by_status("identified"),
            by_status("scheduled")
        ),
        (1, 1, 1)
    );
    let resolved = incidents
        .iter()
        .find(|i| i["status"] == "resolved")
        .unwrap();
    let doc = app
        .get(&format!(
            "/api/v1/incidents/{}",
            resolved["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(doc["postmortem"]["state"], "published");
    assert_eq!(doc["remediation_items"].as_array().unwrap().len(), 3);
    assert!(
        doc["postmortem"]["translations"]["fr"].is_object()
            && doc["postmortem"]["translations"]["de"].is_object()
    );
    app.finish().await;
}

type LogLines = std::io::Lines<std::io::BufReader<std::process::ChildStderr>>;

/// Runs `herald serve` on a free port; returns the process, its address and its log.
fn serve_binary(db: &TestDb) -> (std::process::Child, String, LogLines) {
    use std::io::{BufRead, BufReader};
    let mut child = herald()
        .args([
            "--database-url",
            &db.url,
            "serve",
            "--listen",
            "127.0.0.1:0",
        ])
        .env("HERALD_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("server log ended before it listened")
            .unwrap();
        if let Some(i) = line.find("addr=") {
            break line[i + 5..].split_whitespace().next().unwrap().to_string();
        }
    };
    (child, addr, lines)
}

async fn serve_stops_cleanly_on_sigterm() {
    let db = TestDb::sqlite().await;
    let (mut child, addr, lines) = serve_binary(&db);
    let ready = reqwest::get(format!("http://{addr}/readyz")).await.unwrap();
    assert_eq!(ready.status(), 200);
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
        .await
        .unwrap();
    assert!(
        status.success(),
        "herald serve exited with {status:?} on SIGTERM"
    );
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(rest.iter().any(|l| l.contains("shutting down")), "{rest:?}");
    assert!(rest.iter().any(|l| l.contains("stopped")), "{rest:?}");
}

async fn an_acknowledged_write_survives_a_crash() {
    let db = TestDb::sqlite().await;
    let migrated = herald()
        .args(["--database-url", &db.url, "migrate"])
        .output()
        .unwrap();
    assert!(
        migrated.status.success()
            && String::from_utf8_lossy(&migrated.stderr).contains("migrations applied")
    );
    let token = String::from_utf8(
        herald()
            .args([
                "--database-url",
                &db.url,
                "token",
                "create",
                "--name",
                "t",
                "--role",
                "responder",
            ])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let (mut child, addr, _log) = serve_binary(&db);
    let client = reqwest::Client::new();
    let mut ids = Vec::new();
    for n in 0..20 {
        let res = client
            .post(format!("http://{addr}/api/v1/components"))
            .bearer_auth(token.trim())
            .json(&json!({"name": format!("C{n}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
        ids.push(
            res.json::<serde_json::Value>().await.unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    // SIGKILL: no shutdown, no checkpoint.
    child.kill().unwrap();
    child.wait().unwrap();
    let store = herald::store::open(&db.url).await.unwrap();
    for id in &ids {
        assert!(
            store.component(id).await.unwrap().is_some(),
            "acknowledged component {id} was lost"
        );
    }
}

crate::helpers::register! {
    token_create_prints_the_token_alone_and_list_never_shows_it,
    user_create_reads_the_password_from_stdin,
    post_publishes_through_the_api,
    demo_loads_a_realistic_page_once,
    serve_stops_cleanly_on_sigterm,
    an_acknowledged_write_survives_a_crash,
}
