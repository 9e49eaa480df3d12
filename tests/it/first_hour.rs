//! A newcomer's and an operator's first hour (issue 16): serving on a free port, bare `herald`
//! with serve's flags, a clean stop leaving one complete database file, and the errors a
//! mistake gets, word for word, with their exit codes. The binary is run as a user would.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;

use serde_json::json;

use crate::helpers::{TestApp, TestDb};

fn herald() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_herald"));
    cmd.env_remove("DATABASE_URL")
        .env_remove("HERALD_TOKEN")
        .env_remove("HERALD_SERVER")
        .env_remove("HERALD_LISTEN")
        .env_remove("HERALD_PUBLIC_URL")
        .env("HERALD_LOG", "warn")
        .stdin(Stdio::null());
    cmd
}

fn run(cmd: &mut Command) -> (Option<i32>, String, String) {
    let out: Output = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// `run` off the test's runtime thread, for commands that talk to an in-process server.
async fn run_beside(mut cmd: Command) -> (Option<i32>, String, String) {
    tokio::task::spawn_blocking(move || run(&mut cmd))
        .await
        .unwrap()
}

/// A server process, killed if the test fails before stopping it.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl std::ops::Deref for Server {
    type Target = Child;
    fn deref(&self) -> &Child {
        &self.0
    }
}

impl std::ops::DerefMut for Server {
    fn deref_mut(&mut self) -> &mut Child {
        &mut self.0
    }
}

/// Starts a server process and waits for the one-time setup link it prints (a fresh database
/// has no user); returns the process and the link.
fn serve_until_setup_link(cmd: &mut Command) -> (Server, String) {
    let mut child = Server(
        cmd.stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let link = loop {
        let line = lines
            .next()
            .expect("the server stopped before printing its setup link")
            .unwrap();
        if let Some(i) = line.find("http://") {
            if line.contains("/console/setup?token=") {
                break line[i..].trim().to_string();
            }
        }
    };
    // Keep reading so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines.by_ref() {});
    (child, link)
}

/// The `host:port` of a link.
fn authority(link: &str) -> String {
    link.trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_string()
}

fn stop(child: &mut Child) -> std::process::ExitStatus {
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    child.wait().unwrap()
}

async fn port_zero_is_replaced_by_the_real_port_everywhere_and_a_clean_stop_leaves_one_file() {
    let db = TestDb::sqlite().await;
    let (mut server, link) = serve_until_setup_link(herald().args([
        "--database-url",
        &db.url,
        "serve",
        "--listen",
        "127.0.0.1:0",
    ]));
    let addr: SocketAddr = authority(&link).parse().unwrap();
    assert_ne!(addr.port(), 0, "setup link with port 0: {link}");
    let base = format!("http://{addr}");
    assert!(link.starts_with(&format!("{base}/console/setup?token=")));
    let page: serde_json::Value = reqwest::get(format!("{base}/api/v1/page"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["url"], json!(base), "stored page URL");
    let home = reqwest::get(format!("{base}/")).await.unwrap();
    let html = home.text().await.unwrap();
    assert!(
        html.contains(&format!("<link rel=\"canonical\" href=\"{base}/")),
        "canonical link with the real port"
    );

    // Data written through the running server, by the CLI, with a scheme-less --server.
    let (code, token, err) = run(herald().args([
        "--database-url",
        &db.url,
        "token",
        "create",
        "--name",
        "pager",
        "--role",
        "responder",
    ]));
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("the token went to standard output (shown only once)")
            && !err.contains("it is shown once:"),
        "{err}"
    );
    let (code, id, err) = run(herald().args([
        "post",
        "--server",
        &addr.to_string(),
        "--token",
        token.trim(),
        "incident",
        "--title",
        "Backups or it did not happen",
        "--impact",
        "minor",
        "Looking into it.",
    ]));
    assert_eq!(code, Some(0), "{err}");
    let id = id.trim().to_string();

    let status = tokio::task::spawn_blocking(move || stop(&mut server))
        .await
        .unwrap();
    assert!(status.success(), "{status:?}");
    let wal = format!("{}-wal", db.url);
    assert!(
        !std::path::Path::new(&wal).exists(),
        "{wal} is still there after a clean stop"
    );

    // The main file alone, copied elsewhere, holds everything.
    let elsewhere = tempfile::tempdir().unwrap();
    let copy = elsewhere.path().join("copy.db");
    std::fs::copy(&db.url, &copy).unwrap();
    let store = herald::store::open(copy.to_str().unwrap()).await.unwrap();
    let incident = store
        .incident(&id)
        .await
        .unwrap()
        .expect("incident in the copy");
    assert_eq!(incident.title, "Backups or it did not happen");
    assert_eq!(store.tokens().await.unwrap().len(), 1);
    store.close().await;
}

async fn running_server_shutdown_checkpoints_sqlite_into_the_main_file() {
    let db = TestDb::sqlite().await;
    let app = TestApp::spawn_on(
        db,
        herald::config::Config::new(SocketAddr::from(([127, 0, 0, 1], 0)), ""),
    )
    .await;
    let created = app.post("/api/v1/components", json!({"name": "API"})).await;
    let id = created["id"].as_str().unwrap().to_string();
    let path = app.db.url.clone();
    let wal = format!("{path}-wal");
    assert!(
        std::path::Path::new(&wal).exists(),
        "a running SQLite database has its write-ahead log"
    );
    let TestApp { server, db, .. } = app;
    server.unwrap().shutdown().await.unwrap();
    // Checkpointed: nothing is left in the log (the process that exits also removes the
    // file, which the SIGTERM test above checks; in this shared test process it may remain,
    // empty, for an instant while the pool's last connection closes).
    let left = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert_eq!(left, 0, "{wal} still holds {left} bytes after shutdown");
    let elsewhere = tempfile::tempdir().unwrap();
    let copy = elsewhere.path().join("herald.db");
    std::fs::copy(&path, &copy).unwrap();
    drop(db);
    let store: Arc<dyn herald::store::Store> =
        herald::store::open(copy.to_str().unwrap()).await.unwrap();
    assert_eq!(
        store.component(&id).await.unwrap().map(|c| c.name),
        Some("API".to_string())
    );
    store.close().await;
}

async fn bare_herald_takes_serve_flags_and_listen_accepts_colon_port_and_hostnames() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("a.db");
    // `herald --listen …`, with a host name.
    let (mut server, link) = serve_until_setup_link(herald().args([
        "--database-url",
        db.to_str().unwrap(),
        "--listen",
        "localhost:0",
    ]));
    let addr: SocketAddr = authority(&link).parse().unwrap();
    assert!(addr.ip().is_loopback() && addr.port() != 0, "{link}");
    assert!(stop(&mut server).success());
    // HERALD_LISTEN=:0, as the README's table says: 127.0.0.1 and a free port.
    let db = dir.path().join("b.db");
    let (mut server, link) = serve_until_setup_link(
        herald()
            .env("HERALD_LISTEN", ":0")
            .env("DATABASE_URL", db.to_str().unwrap()),
    );
    let addr: SocketAddr = authority(&link).parse().unwrap();
    assert_eq!(addr.ip().to_string(), "127.0.0.1");
    assert_ne!(addr.port(), 0);
    let ok = reqwest::get(format!("http://{addr}/healthz"))
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    assert!(stop(&mut server).success());
}

const LISTEN_EXPECTED: &str = "expected HOST:PORT such as 127.0.0.1:3000, localhost:3000 or 0.0.0.0:3000 (every interface), or :PORT for 127.0.0.1";

fn a_bad_listen_address_is_refused_naming_the_flag_or_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(herald()
        .current_dir(dir.path())
        .args(["serve", "--listen", "nonsense"]));
    assert_eq!(code, Some(1));
    assert_eq!(
        err,
        format!("herald: invalid --listen `nonsense`: no port; {LISTEN_EXPECTED}\n")
    );
    let (code, _, err) = run(herald()
        .current_dir(dir.path())
        .env("HERALD_LISTEN", "127.0.0.1:99999"));
    assert_eq!(code, Some(1));
    assert_eq!(
        err,
        format!("herald: invalid HERALD_LISTEN `127.0.0.1:99999`: the port `99999` is not a number from 0 to 65535; {LISTEN_EXPECTED}\n")
    );
    // Nothing was created: the address is checked before the database is opened.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    // serve's flags belong to serve: not beside another command.
    let (code, _, err) = run(herald()
        .current_dir(dir.path())
        .args(["--listen", ":0", "token", "list"]));
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.starts_with("error: --listen is an option of `herald serve`, not of `herald token`\n"),
        "{err}"
    );
}

const EMPTY_URL: &str = "is empty: give a SQLite file path such as herald.db, or a postgres:// URL";

fn database_url_mistakes_get_clear_errors_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(herald()
        .current_dir(dir.path())
        .env("DATABASE_URL", "")
        .arg("migrate"));
    assert_eq!(code, Some(1));
    assert_eq!(err, format!("herald: DATABASE_URL {EMPTY_URL}\n"));
    let (code, out, err) =
        run(herald()
            .current_dir(dir.path())
            .args(["--database-url", "", "migrate"]));
    assert_eq!(code, Some(1), "{out}{err}");
    assert_eq!(err, format!("herald: --database-url {EMPTY_URL}\n"));
    let (code, _, err) = run(herald().current_dir(dir.path()).args([
        "--database-url",
        "mysql://u@db.example.com/herald",
        "token",
        "list",
    ]));
    assert_eq!(code, Some(1));
    assert_eq!(
        err,
        "herald: unsupported database URL scheme `mysql://` in mysql://u@db.example.com/herald: Herald uses SQLite (a file path such as herald.db, or sqlite:PATH) or PostgreSQL (postgres://USER@HOST:PORT/DB)\n"
    );
    // No database, -wal or -shm file was made by any of these.
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "files left behind"
    );

    let missing = dir.path().join("no-such-dir").join("herald.db");
    let (code, _, err) =
        run(herald().args(["--database-url", missing.to_str().unwrap(), "migrate"]));
    assert_eq!(code, Some(1));
    assert_eq!(
        err,
        format!(
            "herald: cannot open SQLite database {}: the directory {} does not exist\n",
            missing.display(),
            dir.path().join("no-such-dir").display()
        )
    );
    let (code, _, err) =
        run(herald().args(["--database-url", dir.path().to_str().unwrap(), "migrate"]));
    assert_eq!(code, Some(1));
    assert_eq!(
        err,
        format!(
            "herald: cannot open SQLite database {0}: {0} is a directory, not a database file\n",
            dir.path().display()
        )
    );
}

fn an_unreachable_postgresql_is_named_at_once() {
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    let started = std::time::Instant::now();
    let (code, _, err) = run(herald().args([
        "--database-url",
        "postgres://herald:secret@127.0.0.1:1/herald",
        "migrate",
    ]));
    assert_eq!(code, Some(1));
    assert_eq!(
        err,
        "herald: cannot connect to PostgreSQL at 127.0.0.1:1 (postgres://herald:***@127.0.0.1:1/herald): connection refused (is PostgreSQL running and listening there?)\n"
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

async fn post_mistakes_are_refused_by_the_command_line_in_words() {
    // Maintenance is not an incident impact: refused before any request, once.
    let (code, _, err) = run(herald().args([
        "post",
        "--token",
        "t",
        "incident",
        "--title",
        "x",
        "--impact",
        "maintenance",
        "m",
    ]));
    assert_eq!(code, Some(2));
    assert!(
        err.starts_with("error: invalid value 'maintenance' for '--impact <IMPACT>': an incident's impact is none, minor, major or critical; schedule maintenance with `herald post maintenance`\n"),
        "{err}"
    );
    assert_eq!(err.matches("herald post maintenance").count(), 1, "{err}");
    let (code, _, err) = run(herald().args([
        "post",
        "--token",
        "t",
        "update",
        "--incident",
        "abc",
        "--status",
        "resolved",
        "--display-at",
        "yesterday",
        "m",
    ]));
    assert_eq!(code, Some(2));
    assert!(
        err.starts_with("error: invalid value 'yesterday' for '--display-at <TIME>': expected an RFC 3339 time such as 2024-02-29T08:00:00Z or 2024-02-29T09:00:00+01:00\n"),
        "{err}"
    );
    let (code, _, err) = run(herald().args([
        "post", "--server", "ftp://x", "--token", "t", "correct", "--update", "u", "m",
    ]));
    assert_eq!(code, Some(1));
    assert_eq!(
        err,
        "herald: --server `ftp://x`: the scheme must be http or https, not ftp; expected the address Herald serves on, such as http://127.0.0.1:3000, https://status.example.com or 127.0.0.1:3000\n"
    );

    // A server URL with a path is not Herald's API: say so with the status, not a 404 page.
    let app = TestApp::sqlite().await;
    let server = format!("http://{}/status", app.addr);
    let mut cmd = herald();
    cmd.args([
        "post",
        "--server",
        &server,
        "--token",
        &app.responder,
        "incident",
        "--title",
        "x",
        "--impact",
        "minor",
        "m",
    ]);
    let (code, _, err) = run_beside(cmd).await;
    assert_eq!(code, Some(1));
    assert_eq!(
        err,
        format!("herald: {server}/api/v1/incidents did not answer like a Herald server (HTTP 404 Not Found, text/html; charset=utf-8); --server should be the address Herald serves on, e.g. http://127.0.0.1:3000\n")
    );
    // Without a scheme, http:// is assumed.
    let mut cmd = herald();
    cmd.args([
        "post",
        "--server",
        &app.addr.to_string(),
        "--token",
        &app.responder,
        "incident",
        "--title",
        "No scheme needed",
        "--impact",
        "minor",
        "m",
    ]);
    let (code, id, err) = run_beside(cmd).await;
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        app.get(&format!("/api/v1/incidents/{}", id.trim())).await["title"],
        "No scheme needed"
    );
    app.finish().await;
}

/// The option and argument lines of a help text that have no description.
fn undescribed(help: &str) -> Vec<String> {
    let lines: Vec<&str> = help.lines().collect();
    let mut missing = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        if !(trimmed.starts_with('-') || trimmed.starts_with('<') || trimmed.starts_with('[')) {
            continue;
        }
        let described_here = trimmed.contains("  ");
        let described_below = lines.get(i + 1).is_some_and(|next| {
            next.len() - next.trim_start().len() > line.len() - trimmed.len()
                && !next.trim().is_empty()
        });
        if !described_here && !described_below {
            missing.push(trimmed.to_string());
        }
    }
    missing
}

fn every_option_and_argument_in_help_is_described() {
    let commands: &[&[&str]] = &[
        &[],
        &["serve"],
        &["migrate"],
        &["demo"],
        &["token", "create"],
        &["token", "list"],
        &["token", "revoke"],
        &["user", "create"],
        &["post"],
        &["post", "incident"],
        &["post", "update"],
        &["post", "correct"],
        &["post", "maintenance"],
    ];
    for args in commands {
        let (code, help, err) = run(herald().args(*args).arg("--help"));
        assert_eq!(code, Some(0), "{args:?}: {err}");
        assert_eq!(
            undescribed(&help),
            Vec::<String>::new(),
            "herald {args:?} --help:\n{help}"
        );
        assert!(
            help.contains("HERALD_LOG"),
            "herald {args:?} --help names HERALD_LOG"
        );
        if args.first() == Some(&"post") {
            assert!(
                !help.contains("--database-url"),
                "herald {args:?} --help:\n{help}"
            );
        }
    }
    let (_, help, _) = run(herald().args(["post", "update", "--help"]));
    assert!(help.contains("[possible values: investigating, identified, monitoring, resolved, scheduled, in_progress, verifying, completed]"), "{help}");
    assert!(help.contains("`-` reads it from standard input"), "{help}");
    let (_, help, _) = run(herald().args(["post", "incident", "--help"]));
    assert!(
        help.contains("[possible values: none, minor, major, critical]"),
        "{help}"
    );
    assert!(help.contains("[default: investigating] [possible values: investigating, identified, monitoring, resolved]"), "{help}");
    let (_, help, _) = run(herald().arg("--help"));
    assert!(help.contains("--listen <ADDRESS>"), "{help}");
}

crate::helpers::register! {
    port_zero_is_replaced_by_the_real_port_everywhere_and_a_clean_stop_leaves_one_file,
    running_server_shutdown_checkpoints_sqlite_into_the_main_file,
    bare_herald_takes_serve_flags_and_listen_accepts_colon_port_and_hostnames,
    a_bad_listen_address_is_refused_naming_the_flag_or_the_variable [sync],
    database_url_mistakes_get_clear_errors_and_change_nothing [sync],
    an_unreachable_postgresql_is_named_at_once [sync],
    post_mistakes_are_refused_by_the_command_line_in_words,
    every_option_and_argument_in_help_is_described [sync],
}
