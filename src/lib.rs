//! Herald: a self-hosted status page and incident postmortem publisher.
//!
//! `build_app` turns an [`AppState`] into the router; `start` opens the database, migrates,
//! and serves it. `main` and the integration tests both go through `start`.

pub mod cli;
pub mod client;
pub mod clock;
pub mod compress;
pub mod config;
pub mod demo;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod ids;
pub mod mirror;
pub mod read;
pub mod render;
pub mod service;
pub mod store;
pub mod web;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use tokio::sync::watch;

pub use web::{build_app, AppState};

use crate::clock::Clock;
use crate::config::Config;
use crate::i18n::I18n;
use crate::service::Service;
use crate::store::Store;

/// A running server: its address, its state, and the handle to stop it.
pub struct RunningServer {
    pub addr: SocketAddr,
    pub state: AppState,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl RunningServer {
    /// Stops accepting connections, lets in-flight requests finish, closes the database (a
    /// SQLite file then holds everything, without its `-wal`), then returns.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        let _ = self.stop.send(true);
        self.wait().await
    }

    /// Waits until the server stops (after a signal, for `herald serve`), then closes the
    /// database as `shutdown` does.
    pub async fn wait(self) -> anyhow::Result<()> {
        let served = self.task.await.context("server task panicked");
        self.state.service.store().close().await;
        served?
    }

    pub fn stopper(&self) -> watch::Sender<bool> {
        self.stop.clone()
    }
}

/// Opens and migrates the store and prepares the services, without serving.
pub async fn prepare(config: &Config, clock: Arc<dyn Clock>) -> anyhow::Result<AppState> {
    let store: Arc<dyn Store> = store::open(&config.database_url).await?;
    prepare_with_store(config, store, clock).await
}

/// Like `prepare`, on a store given by the caller (tests wrap the real one).
pub async fn prepare_with_store(
    config: &Config,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<AppState> {
    store
        .migrate()
        .await
        .context("cannot apply database migrations")?;
    let i18n = Arc::new(I18n::load()?);
    let service = Service::new(store.clone(), clock.clone(), i18n.clone());
    service
        .ensure_page(&config.public_url)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let reader = read::Reader::new(store);
    let state = AppState::new(Arc::new(config.clone()), service, reader, clock, i18n);
    if !state
        .service
        .has_users()
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
    {
        *state.setup_token.lock().unwrap_or_else(|e| e.into_inner()) =
            Some(crate::ids::new_secret(""));
    }
    Ok(state)
}

impl AppState {
    /// The one-time link that creates the first admin, while no user exists.
    pub fn setup_link(&self) -> Option<String> {
        self.setup_token
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map(|token| {
                format!(
                    "{}/console/setup?token={token}",
                    self.config.public_url.trim_end_matches('/')
                )
            })
    }
}

/// Binds `config.listen` (port 0 picks one), serves Herald and runs the clock-driven work
/// until stopped.
pub async fn start(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<RunningServer> {
    let (config, listener) = bind(config).await?;
    let state = prepare(&config, clock).await?;
    serve_state(config, state, listener).await
}

/// Like `start`, on a store given by the caller.
pub async fn start_with_store(
    config: Config,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<RunningServer> {
    let (config, listener) = bind(config).await?;
    let state = prepare_with_store(&config, store, clock).await?;
    serve_state(config, state, listener).await
}

/// Binds the listening address before anything else, so that with port 0 the port really
/// listened on is the one in `config` — and in the public URL derived from it (the setup link,
/// the page URL stored on first start, canonical links), rather than `:0`.
async fn bind(mut config: Config) -> anyhow::Result<(Config, tokio::net::TcpListener)> {
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr()?;
    if config.public_url == format!("http://{}", config.listen) {
        config.public_url = format!("http://{addr}");
    }
    config.listen = addr;
    Ok((config, listener))
}

async fn serve_state(
    config: Config,
    state: AppState,
    listener: tokio::net::TcpListener,
) -> anyhow::Result<RunningServer> {
    let (stop, stopped) = watch::channel(false);
    if let Some(max) = config.max_connections {
        let allowed = web::fast::descriptor_limit()
            .map(|limit| limit.saturating_sub(web::fast::DESCRIPTOR_HEADROOM));
        if max == 0 {
            anyhow::bail!(
                "the connection cap (HERALD_MAX_CONNECTIONS, --max-connections) must be at least 1"
            );
        }
        if let Some(allowed) = allowed.filter(|allowed| max > *allowed) {
            anyhow::bail!(
                "the connection cap (HERALD_MAX_CONNECTIONS, --max-connections) is {max}, but the \
                 descriptor limit (ulimit -n) allows at most {allowed} connections \
                 ({} descriptors are kept for the database and files); raise the limit or \
                 lower the cap",
                web::fast::DESCRIPTOR_HEADROOM
            );
        }
    }
    let app = web::fast::Connections::new(state.clone());
    tracing::info!(
        max_connections = app.max_connections(),
        body_timeout_seconds = config.body_timeout.as_secs(),
        "connection limits"
    );
    let (addr, servers) = if config.workers == 0 {
        let addr = listener.local_addr()?;
        let served = tokio::spawn(serve_on(listener, app, stopped.clone()));
        (addr, vec![flatten(served)])
    } else {
        let (addr, workers) = spawn_workers(&config, listener, app, &stopped).await?;
        (addr, workers)
    };
    let ticker = spawn_ticker(state.clone(), stopped.clone());
    let watcher = spawn_change_watcher(state.clone(), stopped.clone());
    let mirror = config.mirror_dir.clone().map(|dir| {
        mirror::spawn(
            state.clone(),
            dir,
            config.mirror_hook.clone(),
            stopped.clone(),
        )
    });
    let task = tokio::spawn(async move {
        let mut result = Ok(());
        for served in servers {
            let outcome = served.await;
            if result.is_ok() {
                result = outcome;
            }
        }
        // Both end on the same stop signal; waiting (rather than aborting) lets a tick in
        // progress finish and return its connection before the database is closed.
        let _ = ticker.await;
        let _ = watcher.await;
        if let Some(mirror) = mirror {
            let _ = mirror.await;
        }
        result
    });
    Ok(RunningServer {
        addr,
        state,
        stop,
        task,
    })
}

type Served = std::pin::Pin<Box<dyn std::future::Future<Output = anyhow::Result<()>> + Send>>;

fn flatten(handle: tokio::task::JoinHandle<anyhow::Result<()>>) -> Served {
    Box::pin(async move { handle.await.context("server task panicked")? })
}

/// Serves HTTP on `listener` until `stopped` turns true, then lets in-flight requests finish.
async fn serve_on<L>(
    listener: L,
    app: web::fast::Connections,
    stopped: watch::Receiver<bool>,
) -> anyhow::Result<()>
where
    L: axum::serve::Listener<Io = tokio::net::TcpStream, Addr = SocketAddr>,
{
    app.serve(listener, stopped).await;
    Ok(())
}

/// `config.workers` threads, each with a single-threaded event loop. One acceptor on the
/// caller's runtime hands new connections to them in turn, so each worker holds the same share
/// of connections, and a connection stays on one thread: no work stealing or cross-thread
/// wake-ups per request (nginx's worker model). The database pool, caches and background tasks
/// are shared.
async fn spawn_workers(
    config: &Config,
    listener: tokio::net::TcpListener,
    app: web::fast::Connections,
    stopped: &watch::Receiver<bool>,
) -> anyhow::Result<(SocketAddr, Vec<Served>)> {
    let addr = listener.local_addr()?;
    let mut servers: Vec<Served> = Vec::new();
    let mut queues = Vec::new();
    for n in 0..config.workers {
        let (queue, handoff) = tokio::sync::mpsc::unbounded_channel();
        let (done, finished) = tokio::sync::oneshot::channel::<anyhow::Result<()>>();
        let app = app.clone();
        let stopped = stopped.clone();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .context("cannot start an HTTP worker")?;
        std::thread::Builder::new()
            .name(format!("herald-http-{n}"))
            .spawn(move || {
                let listener = web::fast::Handoff::new(handoff, addr);
                let _ = done.send(runtime.block_on(serve_on(listener, app, stopped)));
            })
            .context("cannot start an HTTP worker thread")?;
        queues.push(queue);
        servers.push(Box::pin(async move {
            finished
                .await
                .unwrap_or_else(|_| Err(anyhow::anyhow!("HTTP worker thread panicked")))
        }));
    }
    let mut until_stopped = stopped.clone();
    let acceptor = tokio::spawn(async move {
        let mut next = 0;
        loop {
            let accepted = tokio::select! {
                accepted = listener.accept() => accepted,
                _ = until_stopped.wait_for(|s| *s) => return Ok(()),
            };
            match accepted.and_then(|(stream, peer)| Ok((stream.into_std()?, peer))) {
                Ok(connection) => {
                    // A worker that is gone (only while stopping) passes its turn.
                    let _ = queues[next % queues.len()].send(connection);
                    next = next.wrapping_add(1);
                }
                Err(e) => {
                    // Out of file descriptors and the like: wait a little, as axum does.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            }
        }
    });
    servers.push(flatten(acceptor));
    Ok((addr, servers))
}

/// How often an instance looks for writes made elsewhere (other instances, the CLI).
const CHANGE_POLL: std::time::Duration = std::time::Duration::from_millis(250);

/// Tells the page caches when the data changed, whoever changed it: every write sets the change
/// marker to its audit id, so the marker is a version of the whole database (one row to read).
fn spawn_change_watcher(
    state: AppState,
    mut stopped: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let store = state.service.store().clone();
        let mut seen = store.latest_change().await.ok().flatten();
        let mut interval = tokio::time::interval(CHANGE_POLL);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = interval.tick() => {}
                _ = stopped.wait_for(|s| *s) => return,
            }
            match store.latest_change().await {
                Ok(latest) if latest != seen => {
                    state.service.observe_change(latest.as_deref());
                    seen = latest;
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "cannot check for changes"),
            }
        }
    })
}

/// Moves due maintenances on and deletes expired console sessions, every `tick_interval`,
/// until stopped.
fn spawn_ticker(
    state: AppState,
    mut stopped: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(state.config.tick_interval);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = interval.tick() => {}
                _ = stopped.wait_for(|s| *s) => return,
            }
            match state.service.tick_maintenances().await {
                Ok(0) => {}
                Ok(moves) => tracing::info!(moves, "maintenances moved on"),
                Err(e) => tracing::error!(error = %e, "maintenance tick failed"),
            }
            match state.service.sweep_sessions().await {
                Ok(0) => {}
                Ok(swept) => tracing::debug!(swept, "expired sessions deleted"),
                Err(e) => tracing::warn!(error = %e, "cannot delete expired sessions"),
            }
        }
    })
}
