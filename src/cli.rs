//! The command line: `serve` (the default), `migrate`, `token`, `user`, `demo`, and `post`, a
//! client of the write API for on-call use.

use std::io::{BufRead, IsTerminal, Read};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use serde_json::{json, Map, Value};

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::domain::{ComponentStatus, Impact, IncidentStatus, Role};
use crate::service::Actor;

#[derive(Debug, Parser)]
#[command(
    name = "herald",
    version,
    about = "Herald: a self-hosted status page and incident postmortem publisher.\n\nWith no command, `herald` runs `herald serve`."
)]
pub struct Cli {
    /// Database: a SQLite file (created on first start) or a postgres:// URL.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "herald.db",
        global = true,
        hide_env_values = true
    )]
    pub database_url: String,

    /// Log format: `text` for people, `json` for log collectors.
    #[arg(long, env = "HERALD_LOG_FORMAT", default_value = "text", global = true, value_parser = ["text", "json"])]
    pub log_format: String,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the status page, feeds and APIs (the default).
    Serve(ServeArgs),
    /// Apply database migrations and exit (serve also applies them at start).
    Migrate,
    /// Create, list and revoke API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Manage console users.
    #[command(subcommand)]
    User(UserCommand),
    /// Load a realistic demo page into an empty database.
    Demo,
    /// Publish through a running server's write API (on-call use).
    Post(PostArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "HERALD_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: Option<SocketAddr>,
    /// Public URL of the page, for links (default: http://<listen>).
    #[arg(long, env = "HERALD_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Largest request body accepted, in bytes.
    #[arg(long, env = "HERALD_MAX_BODY_BYTES", default_value_t = 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Seconds between runs of the clock-driven work (maintenance start and end).
    #[arg(long, env = "HERALD_TICK_SECONDS", default_value_t = 15)]
    pub tick_seconds: u64,
    /// Failed API authentications from one client before its further failures get 429 for 10
    /// minutes (a valid token is always accepted).
    #[arg(long, env = "HERALD_AUTH_FAILURE_LIMIT", default_value_t = 10)]
    pub auth_failure_limit: u32,
    /// HTTP worker threads, each with its own event loop; connections are handed to them in
    /// turn (default: one per CPU core; 0 serves everything from the main runtime).
    #[arg(long, env = "HERALD_WORKERS")]
    pub workers: Option<usize>,
    /// The most the page cache holds, in bytes; the least recently used pages go first.
    #[arg(long, env = "HERALD_PAGE_CACHE_BYTES", default_value_t = crate::web::public::DEFAULT_CACHE_BYTES)]
    pub page_cache_bytes: usize,
    /// Proxies whose X-Forwarded-For is believed, comma-separated addresses or CIDR blocks
    /// (e.g. 10.0.0.0/8,::1): the client is the rightmost address not among them, and rate
    /// limits apply to it. Default: none (the connecting address is the client).
    #[arg(long, env = "HERALD_TRUSTED_PROXIES", value_parser = parse_proxies)]
    pub trusted_proxies: Option<TrustedProxies>,
    /// Seconds a client may take to send a request body once its headers arrived (408 beyond).
    #[arg(long, env = "HERALD_BODY_TIMEOUT_SECONDS", default_value_t = 30)]
    pub body_timeout_seconds: u64,
    /// Connections held at once; at the cap the longest-waiting idle or slow connection is
    /// closed to make room (503 when all are busy). Default: the descriptor limit (ulimit -n)
    /// minus 128 for the database and files.
    #[arg(long, env = "HERALD_MAX_CONNECTIONS")]
    pub max_connections: Option<usize>,
}

/// The trusted proxies, from `10.0.0.7,10.1.0.0/16,::1` (empty: none).
#[derive(Debug, Clone)]
pub struct TrustedProxies(pub Vec<ipnet::IpNet>);

fn parse_proxies(text: &str) -> Result<TrustedProxies, String> {
    text.split(',')
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<ipnet::IpNet>()
                .or_else(|_| t.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    format!(
                        "`{t}` is not an IP address or CIDR block (e.g. 10.0.0.7 or 10.0.0.0/8)"
                    )
                })
        })
        .collect::<Result<_, _>>()
        .map(TrustedProxies)
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create a token; prints it, alone, on standard output, once.
    Create {
        #[arg(long)]
        name: String,
        /// admin, responder or translator.
        #[arg(long)]
        role: Role,
    },
    /// List tokens (never their secrets).
    List,
    /// Revoke a token by id.
    Revoke { id: String },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a console user. The password is read from standard input (or prompted for).
    Create {
        #[arg(long)]
        username: String,
        /// admin, responder or translator.
        #[arg(long)]
        role: Role,
    },
}

#[derive(Debug, Args)]
pub struct PostArgs {
    /// Herald server to publish to.
    #[arg(
        long,
        env = "HERALD_SERVER",
        default_value = "http://127.0.0.1:3000",
        global = true
    )]
    pub server: String,
    /// API token (create one with `herald token create`).
    #[arg(long, env = "HERALD_TOKEN", hide_env_values = true, global = true)]
    pub token: Option<String>,
    #[command(subcommand)]
    pub what: PostCommand,
}

#[derive(Debug, Subcommand)]
pub enum PostCommand {
    /// Open an incident with its first update.
    Incident {
        #[arg(long)]
        title: String,
        /// none, minor, major or critical.
        #[arg(long)]
        impact: Impact,
        #[arg(long, default_value = "investigating")]
        status: IncidentStatus,
        /// Affected component and its new status, e.g. `--component abc123=major_outage`
        /// (a group's id sets all its children). Repeatable.
        #[arg(long = "component", value_parser = parse_component)]
        components: Vec<(String, ComponentStatus)>,
        /// When the impact began (RFC 3339).
        #[arg(long)]
        started_at: Option<String>,
        /// Back-date the update (RFC 3339).
        #[arg(long)]
        display_at: Option<String>,
        /// Promise the next update by this time (RFC 3339).
        #[arg(long)]
        next_update_by: Option<String>,
        /// Language of the texts (default: the page's).
        #[arg(long)]
        locale: Option<String>,
        /// The message (Markdown); `-` reads standard input.
        message: String,
    },
    /// Post an update to an incident or maintenance.
    Update {
        #[arg(long)]
        incident: String,
        #[arg(long)]
        status: IncidentStatus,
        #[arg(long = "component", value_parser = parse_component)]
        components: Vec<(String, ComponentStatus)>,
        #[arg(long)]
        display_at: Option<String>,
        #[arg(long)]
        next_update_by: Option<String>,
        /// The message (Markdown); `-` reads standard input.
        message: String,
    },
    /// Correct the text of an update (the previous text is kept).
    Correct {
        #[arg(long)]
        update: String,
        message: String,
    },
    /// Schedule maintenance.
    Maintenance {
        #[arg(long)]
        title: String,
        /// Start (RFC 3339).
        #[arg(long)]
        from: String,
        /// End (RFC 3339).
        #[arg(long)]
        until: String,
        /// Component id (a group's id means all its children). Repeatable.
        #[arg(long = "component")]
        components: Vec<String>,
        /// Do not start and complete on time by itself.
        #[arg(long)]
        manual: bool,
        message: String,
    },
}

impl Cli {
    /// Parses the command line; with no command, `serve` (so its flags and variables apply).
    pub fn parse_with_default() -> Cli {
        let cli = Cli::parse();
        if cli.command.is_some() {
            return cli;
        }
        Cli::parse_from(std::env::args_os().chain(std::iter::once("serve".into())))
    }
}

fn parse_component(s: &str) -> Result<(String, ComponentStatus), String> {
    let (id, status) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}`: write COMPONENT_ID=STATUS, e.g. abc123=major_outage"))?;
    Ok((id.to_string(), status.parse()?))
}

fn read_message(message: &str) -> anyhow::Result<String> {
    if message != "-" {
        return Ok(message.to_string());
    }
    let mut text = String::new();
    std::io::stdin().read_to_string(&mut text)?;
    Ok(text)
}

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
    let Some(command) = cli.command else {
        anyhow::bail!("no command; `Cli::parse_with_default` supplies `serve`");
    };
    match command {
        Command::Serve(args) => serve(&cli.database_url, args, clock).await,
        Command::Migrate => {
            let store = crate::store::open(&cli.database_url).await?;
            store.migrate().await?;
            eprintln!(
                "migrations applied to {}",
                crate::store::redact_url(&cli.database_url)
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Token(t) => token(&cli.database_url, t, clock).await,
        Command::User(u) => user(&cli.database_url, u, clock).await,
        Command::Demo => {
            let state = local_state(&cli.database_url, clock).await?;
            crate::demo::load(&state.service).await?;
            eprintln!(
                "demo page loaded; run `herald serve` and open {}",
                state.config.public_url
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Post(p) => post(p).await,
    }
}

fn serve_config(database_url: &str, args: &ServeArgs) -> Config {
    let listen = args
        .listen
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 3000)));
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
    config.workers = args.workers.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    config
}

async fn serve(
    database_url: &str,
    args: ServeArgs,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<ExitCode> {
    let config = serve_config(database_url, &args);
    tracing::info!(?config, "starting Herald");
    let server = crate::start(config, clock).await?;
    tracing::info!(addr = %server.addr, "listening");
    if let Some(link) = server.state.setup_link() {
        // The link is a secret: printed once for the person at the terminal, never logged.
        tracing::info!("no console user yet: the one-time setup link is on standard error (or run `herald user create`)");
        eprintln!("No console user yet. Create the first admin at:\n  {link}\n(or run `herald user create --username <name> --role admin`)");
    }
    let stop = server.stopper();
    tokio::spawn(async move {
        shutdown_signal().await;
        tracing::info!("shutting down: finishing in-flight requests");
        let _ = stop.send(true);
    });
    server.wait().await?;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
}

/// The app state for commands that work on the database directly (no server).
async fn local_state(database_url: &str, clock: Arc<dyn Clock>) -> anyhow::Result<crate::AppState> {
    let args = ServeArgs {
        listen: None,
        public_url: None,
        max_body_bytes: 1024 * 1024,
        tick_seconds: 15,
        auth_failure_limit: 10,
        workers: Some(0),
        page_cache_bytes: crate::web::public::DEFAULT_CACHE_BYTES,
        trusted_proxies: None,
        body_timeout_seconds: 30,
        max_connections: None,
    };
    let config = serve_config(database_url, &args);
    crate::prepare(&config, clock).await
}

async fn token(
    database_url: &str,
    command: TokenCommand,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<ExitCode> {
    let state = local_state(database_url, clock).await?;
    let service = &state.service;
    match command {
        TokenCommand::Create { name, role } => {
            let (token, secret) = service
                .create_token(&Actor::cli(), &name, role)
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.detail()))?;
            eprintln!(
                "created token {} ({}, role {}); it is shown once:",
                token.id, token.name, token.role
            );
            println!("{secret}");
        }
        TokenCommand::List => {
            let tokens = service.store().tokens().await?;
            if tokens.is_empty() {
                eprintln!(
                    "no tokens; create one with `herald token create --name NAME --role ROLE`"
                );
            }
            for t in tokens {
                let state = match t.revoked_at {
                    Some(at) => format!("revoked {}", at.to_rfc3339()),
                    None => "active".to_string(),
                };
                let used = t
                    .last_used_at
                    .map(|t| t.to_rfc3339())
                    .unwrap_or_else(|| "never".into());
                println!(
                    "{}\t{}\t{}\t{}\tlast used {}",
                    t.id, t.name, t.role, state, used
                );
            }
        }
        TokenCommand::Revoke { id } => {
            service
                .revoke_token(&Actor::cli(), &id)
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.detail()))?;
            eprintln!("token {id} revoked");
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn user(
    database_url: &str,
    command: UserCommand,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<ExitCode> {
    let state = local_state(database_url, clock).await?;
    match command {
        UserCommand::Create { username, role } => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                eprint!(
                    "password for {username} (at least {} characters, shown as typed): ",
                    crate::service::MIN_PASSWORD_CHARS
                );
            }
            let mut password = String::new();
            stdin
                .lock()
                .read_line(&mut password)
                .context("cannot read the password")?;
            let password = password.trim_end_matches(['\n', '\r']);
            let user = state
                .service
                .create_user(&Actor::cli(), &username, password, role)
                .await
                .map_err(|e| anyhow::anyhow!("{}", e.detail()))?;
            eprintln!("created user {} ({})", user.username, user.role);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn put(map: &mut Map<String, Value>, key: &str, value: Option<String>) {
    if let Some(v) = value {
        map.insert(key.to_string(), json!(v));
    }
}

fn component_map(components: &[(String, ComponentStatus)]) -> Value {
    Value::Object(
        components
            .iter()
            .map(|(id, s)| (id.clone(), json!(s)))
            .collect(),
    )
}

async fn post(args: PostArgs) -> anyhow::Result<ExitCode> {
    let token = args.token.context(
        "no token: pass --token or set HERALD_TOKEN (create one with `herald token create`)",
    )?;
    let client = crate::client::ApiClient::new(&args.server, &token)?;
    let (path, method, body) = match args.what {
        PostCommand::Incident {
            title,
            impact,
            status,
            components,
            started_at,
            display_at,
            next_update_by,
            locale,
            message,
        } => {
            let mut body = Map::new();
            body.insert("title".into(), json!(title));
            body.insert("impact".into(), json!(impact));
            body.insert("status".into(), json!(status));
            body.insert("message".into(), json!(read_message(&message)?));
            body.insert("components".into(), component_map(&components));
            put(&mut body, "started_at", started_at);
            put(&mut body, "display_at", display_at);
            put(&mut body, "next_update_by", next_update_by);
            put(&mut body, "locale", locale);
            ("/api/v1/incidents".to_string(), reqwest::Method::POST, body)
        }
        PostCommand::Update {
            incident,
            status,
            components,
            display_at,
            next_update_by,
            message,
        } => {
            let mut body = Map::new();
            body.insert("status".into(), json!(status));
            body.insert("message".into(), json!(read_message(&message)?));
            body.insert("components".into(), component_map(&components));
            put(&mut body, "display_at", display_at);
            put(&mut body, "next_update_by", next_update_by);
            (
                format!("/api/v1/incidents/{incident}/updates"),
                reqwest::Method::POST,
                body,
            )
        }
        PostCommand::Correct { update, message } => {
            let mut body = Map::new();
            body.insert("message".into(), json!(read_message(&message)?));
            (
                format!("/api/v1/updates/{update}"),
                reqwest::Method::PATCH,
                body,
            )
        }
        PostCommand::Maintenance {
            title,
            from,
            until,
            components,
            manual,
            message,
        } => {
            let mut body = Map::new();
            body.insert("title".into(), json!(title));
            body.insert("scheduled_for".into(), json!(from));
            body.insert("scheduled_until".into(), json!(until));
            body.insert("message".into(), json!(read_message(&message)?));
            body.insert("components".into(), json!(components));
            body.insert("auto_transition".into(), json!(!manual));
            (
                "/api/v1/maintenances".to_string(),
                reqwest::Method::POST,
                body,
            )
        }
    };
    let answer = client.send(method, &path, &Value::Object(body)).await?;
    let id = answer["id"].as_str().unwrap_or_default();
    let status = answer["status"].as_str().unwrap_or_default();
    match answer["shortlink"].as_str() {
        Some(link) => eprintln!("published: {status} — {link}"),
        None => eprintln!("published: {status}"),
    }
    println!("{id}");
    Ok(ExitCode::SUCCESS)
}
