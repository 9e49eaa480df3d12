//! Floods: slow clients, brute force and concurrent sign-ins cannot lock out the page or its
//! users (issue 9, items 4–6).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use herald::config::Config;
use herald::domain::Role;
use reqwest::StatusCode;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::console::{csrf_of, user, Agent, PASSWORD};
use crate::helpers::{Db, TestApp, TestDb};

fn config() -> Config {
    Config::new(SocketAddr::from(([127, 0, 0, 1], 0)), "")
}

/// Whether the server has closed `stream`: it reads end-of-file or a reset within `wait`.
async fn closed_by_server(stream: &mut TcpStream, wait: Duration) -> bool {
    let mut buf = [0u8; 512];
    loop {
        match tokio::time::timeout(wait, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            // A response (the 503 of a shed connection): the close follows.
            Ok(Ok(_)) => continue,
        }
    }
}

/// Reads what the server sends until it closes the connection or `wait` passes.
async fn read_answer(stream: &mut TcpStream, wait: Duration) -> String {
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(wait, stream.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).into_owned()
}

async fn slow_clients_beyond_the_cap_are_closed_and_a_visitor_is_still_answered() {
    let mut config = config();
    config.max_connections = Some(20);
    // Only the cap closes connections in this test.
    config.body_timeout = Duration::from_secs(120);
    let app = TestApp::spawn_on(TestDb::sqlite().await, config).await;
    let mut slow = Vec::new();
    for n in 0..40 {
        let mut stream = TcpStream::connect(app.addr).await.unwrap();
        let start: &[u8] = if n % 2 == 0 {
            // Headers that never end.
            b"GET / HTTP/1.1\r\nHost: status.example.com\r\nX-Slow: "
        } else {
            // A body that never ends.
            b"POST /api/v1/components HTTP/1.1\r\nHost: status.example.com\r\n\
              Content-Type: application/json\r\nContent-Length: 1000\r\n"
        };
        stream.write_all(start).await.unwrap();
        if n % 2 == 1 {
            let auth = format!("Authorization: Bearer {}\r\n\r\n{{\"na", app.admin);
            stream.write_all(auth.as_bytes()).await.unwrap();
        }
        slow.push(stream);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;

    let started = Instant::now();
    let visitor = tokio::time::timeout(
        Duration::from_secs(5),
        app.http.get(app.url("/api/v2/status.json")).send(),
    )
    .await
    .expect("a visitor is answered while slow clients are connected")
    .unwrap();
    assert_eq!(visitor.status(), StatusCode::OK);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );

    let mut closed = 0;
    for stream in &mut slow {
        if closed_by_server(stream, Duration::from_millis(100)).await {
            closed += 1;
        }
    }
    // 40 slow clients and the visitor on 20 places: at least 21 slow ones were closed, the
    // oldest first.
    assert!(closed >= 21, "only {closed} of 40 slow clients were closed");
    assert!(
        closed_by_server(&mut slow[0], Duration::from_millis(100)).await,
        "the longest-waiting client goes first"
    );
    drop(slow);
    app.finish().await;
}

async fn a_body_that_does_not_arrive_in_time_gets_408() {
    let mut config = config();
    config.body_timeout = Duration::from_secs(1);
    let app = TestApp::spawn_on(TestDb::sqlite().await, config).await;
    for (path, auth, kind) in [
        (
            "/api/v1/components",
            format!("Authorization: Bearer {}\r\n", app.admin),
            "application/json",
        ),
        (
            "/console/sign-in",
            String::new(),
            "application/x-www-form-urlencoded",
        ),
    ] {
        let mut stream = TcpStream::connect(app.addr).await.unwrap();
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: status.example.com\r\n{auth}Content-Type: {kind}\r\n\
             Content-Length: 100\r\nAccept-Language: en\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        let started = Instant::now();
        // One byte every 200 ms: it would take 20 s.
        let answer = loop {
            // The server may have answered and closed meanwhile.
            let _ = stream.write_all(b"x").await;
            let mut buf = [0u8; 4096];
            match tokio::time::timeout(Duration::from_millis(200), stream.read(&mut buf)).await {
                Ok(Ok(n)) if n > 0 => {
                    let mut answer = buf[..n].to_vec();
                    let rest = read_answer(&mut stream, Duration::from_secs(2)).await;
                    answer.extend_from_slice(rest.as_bytes());
                    break String::from_utf8_lossy(&answer).into_owned();
                }
                Ok(_) => panic!("{path}: closed without an answer"),
                Err(_) => assert!(
                    started.elapsed() < Duration::from_secs(5),
                    "{path}: no answer after 5 s"
                ),
            }
        };
        let elapsed = started.elapsed();
        assert!(answer.starts_with("HTTP/1.1 408"), "{path}: {answer}");
        assert!(
            elapsed >= Duration::from_millis(900),
            "{path}: 408 after {elapsed:?}"
        );
        assert!(
            answer.to_ascii_lowercase().contains("connection: close"),
            "{answer}"
        );
        if path.starts_with("/api/") {
            assert!(answer.contains("\"code\":\"timeout\""), "{answer}");
        } else {
            assert!(answer.contains("<html"), "{answer}");
        }
    }
    // A body sent at once is not affected.
    app.write_as(
        &app.admin.clone(),
        reqwest::Method::POST,
        "/api/v1/components",
        json!({"name": "Billing"}),
        201,
    )
    .await;
    app.finish().await;
}

async fn bad_token(app: &TestApp, forwarded_for: Option<&str>) -> u16 {
    let mut request = app
        .http
        .get(app.url("/api/v1/audit-log"))
        .bearer_auth("hrld_not-a-real-token");
    if let Some(f) = forwarded_for {
        request = request.header("x-forwarded-for", f);
    }
    request.send().await.unwrap().status().as_u16()
}

async fn a_valid_token_is_accepted_after_strangers_fail_from_its_address() {
    let app = TestApp::sqlite().await;
    for n in 0..10 {
        assert_eq!(bad_token(&app, None).await, 401, "failure {n}");
    }
    assert_eq!(
        bad_token(&app, None).await,
        429,
        "the brake holds bad tokens"
    );
    // The token's holder, from the same address (everyone behind one proxy), is not locked out.
    let (status, body) = app
        .call(
            reqwest::Method::POST,
            "/api/v1/components",
            Some(&app.admin),
            Some(&json!({"name": "Billing"})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, _) = app
        .call(
            reqwest::Method::GET,
            "/api/v1/audit-log",
            Some(&app.admin),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(bad_token(&app, None).await, 429, "still braked");
    app.finish().await;
}

async fn behind_a_trusted_proxy_limits_apply_to_the_forwarded_client() {
    let mut config = config();
    config.trusted_proxies = vec![
        "127.0.0.0/8".parse().unwrap(),
        "10.0.0.0/8".parse().unwrap(),
    ];
    let app = TestApp::spawn_on(TestDb::sqlite().await, config).await;
    let stranger = "203.0.113.9";
    for _ in 0..10 {
        assert_eq!(bad_token(&app, Some(stranger)).await, 401);
    }
    assert_eq!(bad_token(&app, Some(stranger)).await, 429);
    // Through two trusted proxies: the rightmost untrusted hop is the client.
    assert_eq!(bad_token(&app, Some("203.0.113.9, 10.1.2.3")).await, 429);
    // Another client behind the same proxy is not braked.
    assert_eq!(bad_token(&app, Some("198.51.100.7")).await, 401);
    // A forged hop left of the real client is not believed...
    assert_eq!(
        bad_token(&app, Some("198.51.100.8, 203.0.113.9")).await,
        429
    );
    // ...and a client cannot escape by naming someone else first.
    assert_eq!(bad_token(&app, Some("192.0.2.1, 198.51.100.7")).await, 401);

    // The console's sign-in throttle counts the forwarded client too.
    user(&app, "ana", Role::Admin).await;
    user(&app, "bob", Role::Admin).await;
    let sign_in = |forwarded: &'static str, username: &'static str| {
        let app = &app;
        async move {
            let mut agent = Agent::new(app);
            let page = agent
                .send(agent_get(app, "/console/sign-in").header("x-forwarded-for", forwarded))
                .await;
            let token = csrf_of(&page.body);
            let request = reqwest::Client::new()
                .post(app.url("/console/sign-in"))
                .header("x-forwarded-for", forwarded)
                .form(&[
                    ("csrf", token.as_str()),
                    ("username", username),
                    ("password", "wrong password!"),
                ]);
            agent.send(request).await.status.as_u16()
        }
    };
    for _ in 0..5 {
        assert_eq!(sign_in("203.0.113.50", "ana").await, 401);
        assert_eq!(sign_in("203.0.113.50", "bob").await, 401);
    }
    assert_eq!(
        sign_in("203.0.113.50", "carol").await,
        429,
        "10 failures from one client"
    );
    assert_eq!(
        sign_in("198.51.100.50", "carol").await,
        401,
        "another client is not braked"
    );
    app.finish().await;
}

fn agent_get(app: &TestApp, path: &str) -> reqwest::RequestBuilder {
    reqwest::Client::new().get(app.url(path))
}

async fn concurrent_wrong_passwords_get_at_most_the_limit_of_password_checks() {
    let app = TestApp::sqlite().await;
    user(&app, "ana", Role::Admin).await;
    let mut agent = Agent::new(&app);
    let token = agent.csrf("/console/sign-in").await;
    let cookie = format!("herald_csrf={token}");
    let attempts = (0..150).map(|_| {
        app.http
            .post(app.url("/console/sign-in"))
            .header("cookie", cookie.clone())
            .form(&[
                ("csrf", token.as_str()),
                ("username", "ana"),
                ("password", "wrong password!"),
            ])
    });
    let answers = all_at_once(attempts).await;
    let checked = answers.iter().filter(|s| **s != 429).count();
    assert!(
        answers.iter().all(|s| *s == 401 || *s == 429),
        "{answers:?}"
    );
    assert!(
        checked <= 10,
        "{checked} of 150 concurrent attempts had their password checked (limit 10)"
    );
    assert!(checked >= 1);
    app.finish().await;
}

async fn a_successful_sign_in_does_not_use_up_attempts() {
    let app = TestApp::sqlite().await;
    user(&app, "ana", Role::Admin).await;
    for n in 0..15 {
        let mut agent = Agent::new(&app);
        assert_eq!(
            agent.sign_in("ana", PASSWORD).await.status,
            303,
            "sign-in {n}"
        );
    }
    app.finish().await;
}

/// Runs every request at once; their statuses in order.
async fn all_at_once(requests: impl Iterator<Item = reqwest::RequestBuilder>) -> Vec<u16> {
    let tasks: Vec<_> = requests
        .map(|r| tokio::spawn(async move { r.send().await.unwrap().status().as_u16() }))
        .collect();
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    statuses
}

async fn eight_concurrent_uses_of_the_setup_link_create_exactly_one_admin(kind: Db) {
    let app = TestApp::spawn(kind).await;
    let link = app.server.as_ref().unwrap().state.setup_link().unwrap();
    let token = link[link.find("token=").unwrap() + 6..].to_string();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let posts = (0..8).map(|n| {
        http.post(app.url("/console/setup")).form(&[
            ("token", token.clone()),
            ("username", format!("admin{n}")),
            ("password", PASSWORD.to_string()),
        ])
    });
    let answers = all_at_once(posts).await;
    let created = answers.iter().filter(|s| **s == 303).count();
    assert_eq!(created, 1, "{kind:?}: {answers:?}");
    assert_eq!(
        answers.iter().filter(|s| **s == 404).count(),
        7,
        "{kind:?}: {answers:?}"
    );
    assert_eq!(app.store.user_count().await.unwrap(), 1, "{kind:?}");
    assert!(app.server.as_ref().unwrap().state.setup_link().is_none());
    app.finish().await;
}

async fn the_store_creates_exactly_one_first_admin_under_concurrency(kind: Db) {
    let app = TestApp::spawn(kind).await;
    let tries = (0..8).map(|n| {
        let service = app.service().clone();
        tokio::spawn(async move {
            service
                .create_first_admin(&format!("admin{n}"), PASSWORD)
                .await
                .is_ok()
        })
    });
    let mut created = 0;
    for t in tries.collect::<Vec<_>>() {
        if t.await.unwrap() {
            created += 1;
        }
    }
    assert_eq!(created, 1, "{kind:?}");
    assert_eq!(app.store.user_count().await.unwrap(), 1, "{kind:?}");
    app.finish().await;
}

crate::helpers::register! {
    slow_clients_beyond_the_cap_are_closed_and_a_visitor_is_still_answered,
    a_body_that_does_not_arrive_in_time_gets_408,
    a_valid_token_is_accepted_after_strangers_fail_from_its_address,
    behind_a_trusted_proxy_limits_apply_to_the_forwarded_client,
    concurrent_wrong_passwords_get_at_most_the_limit_of_password_checks,
    a_successful_sign_in_does_not_use_up_attempts,
    ; on_each_backend:
    eight_concurrent_uses_of_the_setup_link_create_exactly_one_admin,
    the_store_creates_exactly_one_first_admin_under_concurrency,
}
