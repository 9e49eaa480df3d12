//! Spawning Herald for a test: a fresh SQLite file or PostgreSQL database, a clock the test
//! moves, and tokens of every role.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use herald::clock::ManualClock;
use herald::config::Config;
use herald::domain::Role;
use herald::service::Actor;
use herald::RunningServer;
use libtest_mimic::Trial;
use reqwest::{Method, StatusCode};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

impl Db {
    /// The last part of a two-database test's name.
    fn label(self) -> &'static str {
        match self {
            Db::Sqlite => "sqlite",
            Db::Postgres => "postgres",
        }
    }
}

pub struct TestDb {
    pub kind: Db,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg_admin_url: Option<String>,
    pg_name: Option<String>,
}

/// The PostgreSQL server for tests, when HERALD_TEST_POSTGRES_URL names one.
pub fn postgres_url() -> Option<String> {
    std::env::var("HERALD_TEST_POSTGRES_URL")
        .ok()
        .filter(|url| !url.is_empty())
}

/// Why the PostgreSQL half of a two-database test is reported as ignored.
const NO_POSTGRES: &str = "HERALD_TEST_POSTGRES_URL unset";

/// Says once, before the first test, that the PostgreSQL halves will be ignored and how to
/// run them; the summary's "ignored" count and each test's `[HERALD_TEST_POSTGRES_URL unset]`
/// tag say it again at the end.
pub fn announce_skips() {
    if postgres_url().is_none() {
        eprintln!(
            "\nNOTICE: HERALD_TEST_POSTGRES_URL is not set: the PostgreSQL half of every \
             two-database test is IGNORED.\n\
             NOTICE: run both with HERALD_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/test cargo test\n"
        );
    }
}

/// A test's name as the summary shows it and filters match it: `file::function`.
fn trial_name(module: &str, name: &str) -> String {
    let module = module.split_once("::").map_or(module, |(_, rest)| rest);
    format!("{module}::{name}")
}

/// Runs a test body on a fresh Tokio runtime: current-thread like `#[tokio::test]` when
/// `threads` is 0, else multi-threaded with that many workers.
fn block_on<F: Future<Output = ()>>(threads: usize, body: F) {
    let mut builder = if threads == 0 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        builder.worker_threads(threads);
        builder
    };
    builder
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(body);
}

/// One async test (use `register!`, which fills in the module and name).
pub fn test<F>(module: &str, name: &str, threads: usize, body: fn() -> F) -> Trial
where
    F: Future<Output = ()> + 'static,
{
    Trial::test(trial_name(module, name), move || {
        block_on(threads, body());
        Ok(())
    })
}

/// A test that needs PostgreSQL (it may use SQLite too): ignored, tagged with the reason,
/// without HERALD_TEST_POSTGRES_URL.
pub fn postgres_test<F>(module: &str, name: &str, body: fn() -> F) -> Trial
where
    F: Future<Output = ()> + 'static,
{
    let trial = test(module, name, 0, body);
    if postgres_url().is_none() {
        trial.with_ignored_flag(true).with_kind(NO_POSTGRES)
    } else {
        trial
    }
}

/// One synchronous test.
pub fn sync_test(module: &str, name: &str, body: fn()) -> Trial {
    Trial::test(trial_name(module, name), move || {
        body();
        Ok(())
    })
}

/// The backend harness: one behaviour, two tests, `…::sqlite` and `…::postgres`. Without
/// HERALD_TEST_POSTGRES_URL the PostgreSQL one is reported as ignored (and tagged with the
/// reason), never counted as passed.
pub fn for_each_backend<F>(
    module: &str,
    name: &str,
    threads: usize,
    body: fn(Db) -> F,
) -> Vec<Trial>
where
    F: Future<Output = ()> + 'static,
{
    BACKENDS
        .into_iter()
        .map(|kind| {
            let trial = Trial::test(
                format!("{}::{}", trial_name(module, name), kind.label()),
                move || {
                    block_on(threads, body(kind));
                    Ok(())
                },
            );
            if kind == Db::Postgres && postgres_url().is_none() {
                trial.with_ignored_flag(true).with_kind(NO_POSTGRES)
            } else {
                trial
            }
        })
        .collect()
}

/// A test file's list of tests, for `main`, which has no `#[test]` to find them by:
///
/// ```ignore
/// register! {
///     a_plain_test,
///     a_test_on_many_threads [threads = 4],
///     a_synchronous_test [sync],
///     ; on_each_backend:
///     a_behaviour_on_both_databases,
///     ; on_postgres:
///     a_test_that_needs_postgresql,
/// }
/// ```
macro_rules! register {
    (@one $name:ident) => {
        $crate::helpers::test(module_path!(), stringify!($name), 0, $name)
    };
    (@one $name:ident threads = $threads:literal) => {
        $crate::helpers::test(module_path!(), stringify!($name), $threads, $name)
    };
    (@one $name:ident sync) => {
        $crate::helpers::sync_test(module_path!(), stringify!($name), $name)
    };
    (@each $name:ident) => {
        $crate::helpers::for_each_backend(module_path!(), stringify!($name), 0, $name)
    };
    (@each $name:ident threads = $threads:literal) => {
        $crate::helpers::for_each_backend(module_path!(), stringify!($name), $threads, $name)
    };
    (
        $($name:ident $([$($opt:tt)*])?),* $(,)?
        $(; on_each_backend: $($each:ident $([$($each_opt:tt)*])?),* $(,)?)?
        $(; on_postgres: $($pg:ident),* $(,)?)?
    ) => {
        pub fn tests() -> Vec<libtest_mimic::Trial> {
            #[allow(unused_mut)]
            let mut trials: Vec<libtest_mimic::Trial> =
                vec![$($crate::helpers::register!(@one $name $($($opt)*)?)),*];
            $($(trials.extend($crate::helpers::register!(@each $each $($($each_opt)*)?));)*)?
            $($(trials.extend([$crate::helpers::postgres_test(
                module_path!(),
                stringify!($pg),
                $pg,
            )]);)*)?
            trials
        }
    };
}
pub(crate) use register;

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let host_part = match base[scheme_end..].find('/') {
        Some(i) => &base[..scheme_end + i],
        None => base,
    };
    format!("{host_part}/{name}{query}")
}

impl TestDb {
    /// A SQLite database at `path` (a file on a filesystem the test made; nothing is removed
    /// when dropped).
    pub fn sqlite_at(path: &std::path::Path) -> TestDb {
        TestDb {
            kind: Db::Sqlite,
            url: path.to_string_lossy().to_string(),
            _dir: None,
            pg_admin_url: None,
            pg_name: None,
        }
    }

    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = dir
            .path()
            .join("herald-test.db")
            .to_string_lossy()
            .to_string();
        TestDb {
            kind: Db::Sqlite,
            url,
            _dir: Some(dir),
            pg_admin_url: None,
            pg_name: None,
        }
    }

    /// A fresh PostgreSQL database; only the PostgreSQL half of `for_each_backend` asks.
    pub async fn postgres() -> TestDb {
        let admin = postgres_url().expect("HERALD_TEST_POSTGRES_URL is set for PostgreSQL tests");
        let name = format!("herald_test_{}", herald::ids::new_id());
        let conn = sqlx::PgPool::connect(&admin)
            .await
            .expect("HERALD_TEST_POSTGRES_URL is unreachable");
        sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
            .execute(&conn)
            .await
            .expect("create test database");
        conn.close().await;
        TestDb {
            kind: Db::Postgres,
            url: with_database(&admin, &name),
            _dir: None,
            pg_admin_url: Some(admin),
            pg_name: Some(name),
        }
    }

    pub async fn of(kind: Db) -> TestDb {
        match kind {
            Db::Sqlite => TestDb::sqlite().await,
            Db::Postgres => TestDb::postgres().await,
        }
    }

    /// Runs raw SQL on the database, behind the app's back (sabotage and repair).
    pub async fn execute(&self, sql: &str) {
        match self.kind {
            Db::Sqlite => {
                let pool = sqlx::SqlitePool::connect(&format!("sqlite:{}", self.url))
                    .await
                    .expect("open sqlite");
                sqlx::raw_sql(sql).execute(&pool).await.expect("raw sql");
                pool.close().await;
            }
            Db::Postgres => {
                let pool = sqlx::PgPool::connect(&self.url)
                    .await
                    .expect("open postgres");
                sqlx::raw_sql(sql).execute(&pool).await.expect("raw sql");
                pool.close().await;
            }
        }
    }

    pub async fn drop_database(&self) {
        if let (Some(admin), Some(name)) = (&self.pg_admin_url, &self.pg_name) {
            if let Ok(conn) = sqlx::PgPool::connect(admin).await {
                let _ = sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&conn)
                    .await;
                conn.close().await;
            }
        }
    }
}

pub struct TestApp {
    pub db: TestDb,
    pub server: Option<RunningServer>,
    pub addr: SocketAddr,
    pub clock: ManualClock,
    pub http: reqwest::Client,
    pub admin: String,
    pub responder: String,
    pub translator: String,
    /// A second handle on the app's database, for tests that look at rows directly (the app's
    /// own store is private to its read side and services).
    pub store: Arc<dyn herald::store::Store>,
}

pub fn t(s: &str) -> DateTime<Utc> {
    s.parse().expect("RFC 3339 time")
}

/// The default "now" of tests: after the seed incident, so back-dated times are in the past.
pub const NOW: &str = "2024-03-05T12:00:00Z";

impl TestApp {
    pub async fn spawn(kind: Db) -> TestApp {
        let db = TestDb::of(kind).await;
        TestApp::spawn_on(db, Config::new(SocketAddr::from(([127, 0, 0, 1], 0)), "")).await
    }

    pub async fn sqlite() -> TestApp {
        TestApp::spawn(Db::Sqlite).await
    }

    pub async fn spawn_on(db: TestDb, config: Config) -> TestApp {
        let clock = ManualClock::new(t(NOW));
        TestApp::spawn_with_clock(db, config, clock.clone(), Arc::new(clock)).await
    }

    /// Spawns on `db` with the app reading `app_clock` (which must follow `clock`, the one the
    /// test moves): e.g. a clock that moves on by itself.
    pub async fn spawn_with_clock(
        db: TestDb,
        mut config: Config,
        clock: ManualClock,
        app_clock: Arc<dyn herald::clock::Clock>,
    ) -> TestApp {
        config.database_url = db.url.clone();
        config.public_url = "https://status.example.com".into();
        config.tick_interval = Duration::from_millis(50);
        let server = herald::start(config, app_clock)
            .await
            .expect("start herald");
        let service = &server.state.service;
        let token = |role: Role| {
            let service = service.clone();
            async move {
                service
                    .create_token(&Actor::cli(), &format!("test-{role}"), role)
                    .await
                    .expect("token")
                    .1
            }
        };
        let admin = token(Role::Admin).await;
        let responder = token(Role::Responder).await;
        let translator = token(Role::Translator).await;
        let addr = server.addr;
        let store = herald::store::open(&db.url)
            .await
            .expect("a second handle on the test database");
        TestApp {
            store,
            db,
            server: Some(server),
            addr,
            clock,
            http: reqwest::Client::new(),
            admin,
            responder,
            translator,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn service(&self) -> &herald::service::Service {
        &self.server.as_ref().expect("running").state.service
    }

    /// Sends a request; returns status and JSON body (Null when not JSON).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let mut request = self.http.request(method, self.url(path));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.expect("request");
        let status = response.status();
        let text = response.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn get(&self, path: &str) -> Value {
        let (status, body) = self.call(Method::GET, path, None, None).await;
        assert_eq!(status, StatusCode::OK, "GET {path}: {body}");
        body
    }

    /// A write that must succeed with `expect`; returns the body.
    pub async fn write(&self, method: Method, path: &str, body: Value, expect: u16) -> Value {
        let responder = self.responder.clone();
        self.write_as(&responder, method, path, body, expect).await
    }

    /// A write with a given token that must succeed with `expect`.
    pub async fn write_as(
        &self,
        token: &str,
        method: Method,
        path: &str,
        body: Value,
        expect: u16,
    ) -> Value {
        let (status, answer) = self
            .call(method.clone(), path, Some(token), Some(&body))
            .await;
        assert_eq!(status.as_u16(), expect, "{method} {path}: {answer}");
        answer
    }

    pub async fn post(&self, path: &str, body: Value) -> Value {
        self.write(Method::POST, path, body, 201).await
    }

    /// How many rows the main tables hold: a failed request must leave these unchanged.
    pub async fn fingerprint(&self) -> Vec<i64> {
        use herald::store::CountedTable::{AuditLog, Components, Incidents, Translations, Updates};
        let store = &self.store;
        let mut counts = Vec::new();
        for table in [Components, Incidents, Updates, AuditLog, Translations] {
            counts.push(store.count(table).await.expect("count"));
        }
        counts
    }

    pub async fn finish(mut self) {
        self.store.close().await;
        if let Some(server) = self.server.take() {
            server.shutdown().await.expect("clean shutdown");
        }
        self.db.drop_database().await;
    }
}

/// Both backends; `for_each_backend` runs a behaviour on each.
pub const BACKENDS: [Db; 2] = [Db::Sqlite, Db::Postgres];
