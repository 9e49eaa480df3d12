//! Herald: a self-hosted status page and incident postmortem publisher.
//!
//! `build_app` turns an [`AppState`] into the router; `start` opens the database, migrates,
//! and serves it. `main` and the integration tests both go through `start`.

pub mod cli;
pub mod client;
pub mod clock;
pub mod config;
pub mod demo;
pub mod domain;
pub mod error;
pub mod ids;
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
use crate::render::i18n::I18n;
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
    /// Stops accepting connections, lets in-flight requests finish, then returns.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        let _ = self.stop.send(true);
        self.task.await.context("server task panicked")?
    }

    /// Waits until the server stops (after a signal, for `herald serve`).
    pub async fn wait(self) -> anyhow::Result<()> {
        self.task.await.context("server task panicked")?
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
    let state = AppState::new(Arc::new(config.clone()), service, clock, i18n);
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
    let state = prepare(&config, clock).await?;
    serve_state(config, state).await
}

/// Like `start`, on a store given by the caller.
pub async fn start_with_store(
    config: Config,
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<RunningServer> {
    let state = prepare_with_store(&config, store, clock).await?;
    serve_state(config, state).await
}

async fn serve_state(config: Config, state: AppState) -> anyhow::Result<RunningServer> {
    let (stop, stopped) = watch::channel(false);
    let app = web::fast::Connections::new(state.clone());
    let (addr, servers) = if config.workers == 0 {
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        let addr = listener.local_addr()?;
        let served = tokio::spawn(serve_on(listener, app, stopped.clone()));
        (addr, vec![flatten(served)])
    } else {
        let (addr, workers) = spawn_workers(&config, app, &stopped).await?;
        (addr, workers)
    };
    let ticker = spawn_ticker(state.clone(), stopped.clone());
    let watcher = spawn_change_watcher(state.clone(), stopped.clone());
    let task = tokio::spawn(async move {
        let mut result = Ok(());
        for served in servers {
            let outcome = served.await;
            if result.is_ok() {
                result = outcome;
            }
        }
        ticker.abort();
        watcher.abort();
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
async fn serve_on(
    listener: tokio::net::TcpListener,
    app: web::fast::Connections,
    mut stopped: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            let _ = stopped.wait_for(|s| *s).await;
        })
        .await
        .context("server error")
}

/// `config.workers` threads, each with a single-threaded event loop and its own socket bound to
/// the same address with `SO_REUSEPORT`: the kernel spreads new connections over them and a
/// connection stays on one thread, with no work stealing or cross-thread wake-ups per request
/// (nginx's worker model). The database pool, caches and background tasks are shared.
async fn spawn_workers(
    config: &Config,
    app: web::fast::Connections,
    stopped: &watch::Receiver<bool>,
) -> anyhow::Result<(SocketAddr, Vec<Served>)> {
    let cannot = || format!("cannot listen on {}", config.listen);
    let mut addr = config.listen;
    let mut sockets = Vec::new();
    for _ in 0..config.workers {
        let socket = if addr.is_ipv4() {
            tokio::net::TcpSocket::new_v4()
        } else {
            tokio::net::TcpSocket::new_v6()
        }
        .with_context(cannot)?;
        socket.set_reuseaddr(true).with_context(cannot)?;
        #[cfg(unix)]
        socket.set_reuseport(true).with_context(cannot)?;
        socket.bind(addr).with_context(cannot)?;
        // Port 0: the first socket picks the port, the others join it.
        addr = socket.local_addr().with_context(cannot)?;
        sockets.push(socket);
    }
    let mut servers: Vec<Served> = Vec::new();
    let mut listening = Vec::new();
    for (n, socket) in sockets.into_iter().enumerate() {
        let (ready, is_ready) = tokio::sync::oneshot::channel::<anyhow::Result<()>>();
        let (done, finished) = tokio::sync::oneshot::channel::<anyhow::Result<()>>();
        let app = app.clone();
        let stopped = stopped.clone();
        std::thread::Builder::new()
            .name(format!("herald-http-{n}"))
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(r) => r,
                    Err(e) => {
                        let _ = ready.send(Err(e.into()));
                        return;
                    }
                };
                let outcome = runtime.block_on(async move {
                    let listener = match socket.listen(1024) {
                        Ok(l) => {
                            let _ = ready.send(Ok(()));
                            l
                        }
                        Err(e) => {
                            let _ = ready.send(Err(e.into()));
                            return Ok(());
                        }
                    };
                    serve_on(listener, app, stopped).await
                });
                let _ = done.send(outcome);
            })
            .context("cannot start an HTTP worker thread")?;
        listening.push(is_ready);
        servers.push(Box::pin(async move {
            finished
                .await
                .unwrap_or_else(|_| Err(anyhow::anyhow!("HTTP worker thread panicked")))
        }));
    }
    for ready in listening {
        ready
            .await
            .unwrap_or_else(|_| Err(anyhow::anyhow!("HTTP worker thread panicked")))
            .with_context(cannot)?;
    }
    Ok((addr, servers))
}

/// How often an instance looks for writes made elsewhere (other instances, the CLI).
const CHANGE_POLL: std::time::Duration = std::time::Duration::from_millis(250);

/// Tells the page caches when the data changed, whoever changed it: every write leaves an audit
/// row, so the newest audit id is a version of the whole database.
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
