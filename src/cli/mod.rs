//! The command line: `serve` (the default), `migrate`, `token`, `user`, `demo`, and `post`, a
//! client of the write API for on-call use.

mod accounts;
mod args;
mod post;
mod serve;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

pub use args::{
    parse_listen, Cli, Command, PostArgs, PostCommand, ServeArgs, TokenCommand, TrustedProxies,
    UserCommand,
};

use crate::clock::{Clock, SystemClock};

fn init_logging(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("HERALD_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let _ = if format == "json" {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    init_logging(&cli.log_format);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let command = cli
        .command
        .unwrap_or_else(|| Command::Serve(cli.serve.clone()));
    if !matches!(command, Command::Post(_)) && cli.database_url.trim().is_empty() {
        let source = match cli.database_url_source {
            "the default" => "the database URL",
            named => named,
        };
        anyhow::bail!(
            "{source} is empty: give a SQLite file path such as herald.db, or a postgres:// URL"
        );
    }
    let database_url = cli.database_url.as_str();
    match command {
        Command::Serve(args) => serve::serve(database_url, args, clock).await,
        Command::Migrate => {
            let store = crate::store::open(database_url).await?;
            let migrated = store.migrate().await;
            store.close().await;
            migrated?;
            eprintln!(
                "migrations applied to {}",
                crate::store::redact_url(database_url)
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Token(t) => {
            let state = local_state(database_url, &cli.serve, clock).await?;
            let done = accounts::token(&state, t).await;
            state.service.store().close().await;
            done
        }
        Command::User(u) => {
            let state = local_state(database_url, &cli.serve, clock).await?;
            let done = accounts::user(&state, u).await;
            state.service.store().close().await;
            done
        }
        Command::Demo => {
            let state = local_state(database_url, &cli.serve, clock).await?;
            let done = crate::demo::load(&state.service).await;
            state.service.store().close().await;
            done?;
            eprintln!(
                "demo page loaded; run `herald serve` and open {}",
                state.config.public_url
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Post(p) => post::post(p).await,
        Command::Export { dir } => {
            let state = local_state(database_url, &cli.serve, clock).await?;
            let done = serve::export(state.clone(), dir).await;
            state.service.store().close().await;
            done
        }
    }
}

/// The app state for commands that work on the database directly (no server). The serve
/// settings come from the `HERALD_*` variables, as `serve` would read them (the page URL is
/// stored on first use, whichever command comes first).
async fn local_state(
    database_url: &str,
    serve: &ServeArgs,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<crate::AppState> {
    let mut args = serve.clone();
    args.workers = Some(0);
    let mut config = serve::serve_config(database_url, &args)?;
    if config.listen.port() == 0 && args.public_url.is_none() {
        // No server, so no real port to put in the page URL: store the default one.
        config.public_url = "http://127.0.0.1:3000".into();
    }
    crate::prepare(&config, clock).await
}
