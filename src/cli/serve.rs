//! `herald serve`: the configuration from the options, the server, and a graceful stop.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use super::args::{parse_listen, ServeArgs};
use crate::clock::Clock;
use crate::config::Config;

pub(super) fn serve_config(database_url: &str, args: &ServeArgs) -> anyhow::Result<Config> {
    let listen = parse_listen(&args.listen).map_err(|e| {
        let source = match args.listen_source {
            "the default" => "listen address",
            named => named,
        };
        anyhow::anyhow!("invalid {source} `{}`: {e}", args.listen)
    })?;
    let mut config = Config::new(listen, database_url);
    if let Some(url) = &args.public_url {
        config.public_url = url.trim_end_matches('/').to_string();
    }
    config.max_body_bytes = args.max_body_bytes;
    config.tick_interval = Duration::from_secs(args.tick_seconds.max(1));
    config.auth_failure_limit = args.auth_failure_limit.max(1);
    config.page_cache_bytes = args.page_cache_bytes;
    config.trusted_proxies = args
        .trusted_proxies
        .clone()
        .map(|p| p.0)
        .unwrap_or_default();
    config.body_timeout = Duration::from_secs(args.body_timeout_seconds.max(1));
    config.max_connections = args.max_connections;
    config.mirror_dir = args.mirror_dir.clone();
    config.mirror_hook = args.mirror_hook.clone();
    config.workers = args.workers.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    Ok(config)
}

pub(super) async fn serve(
    database_url: &str,
    args: ServeArgs,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<ExitCode> {
    let config = serve_config(database_url, &args)?;
    tracing::info!(?config, "starting Herald");
    let stopping = shutdown_signal();
    let server = crate::start(config, clock).await?;
    tracing::info!(addr = %server.addr, "listening");
    if let Some(link) = server.state.setup_link() {
        // The link is a secret: printed once for the person at the terminal, never logged.
        tracing::info!("no console user yet: the one-time setup link is on standard error (or run `herald user create`)");
        eprintln!("No console user yet. Create the first admin at:\n  {link}\n(or run `herald user create --username <name> --role admin`)");
    }
    let stop = server.stopper();
    tokio::spawn(async move {
        stopping.await;
        tracing::info!("shutting down: finishing in-flight requests");
        let _ = stop.send(true);
    });
    server.wait().await?;
    tracing::info!("stopped; the database is closed");
    Ok(ExitCode::SUCCESS)
}

/// `herald export DIR`: the whole mirror, once.
pub(super) async fn export(
    state: crate::AppState,
    dir: std::path::PathBuf,
) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let mut mirror = crate::mirror::Mirror::new(state, dir.clone());
    let report = mirror.export().await?;
    for (_, path, status) in &report.broken {
        eprintln!("warning: {path} answered {status}");
    }
    eprintln!(
        "mirror in {}: {} paths rendered, {} files written ({} bytes with .gz and .br) in {:.1} s",
        dir.display(),
        report.rendered,
        report.written.len(),
        report.bytes,
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

/// SIGTERM or SIGINT. The handlers are installed when this is called (not when first polled),
/// so a signal that comes right after the server says it is ready is not lost.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let terminate = signal(SignalKind::terminate());
        let interrupt = signal(SignalKind::interrupt());
        async move {
            match (terminate, interrupt) {
                (Ok(mut terminate), Ok(mut interrupt)) => {
                    tokio::select! {
                        _ = terminate.recv() => {}
                        _ = interrupt.recv() => {}
                    }
                }
                _ => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}
