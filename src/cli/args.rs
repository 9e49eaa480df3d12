//! The command line's arguments: commands, options, their variables and checks.

use std::net::{SocketAddr, ToSocketAddrs};

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::parser::ValueSource;
use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::domain::{ComponentStatus, Impact, IncidentStatus, Role};

#[derive(Debug, Parser)]
#[command(
    name = "herald",
    version,
    about = "Herald: a self-hosted status page and incident postmortem publisher.\n\nWith no command, `herald` runs `herald serve` (and takes its options, e.g. `herald --listen 127.0.0.1:8080`)."
)]
pub struct Cli {
    /// Database: a SQLite file (created on first start) or a postgres:// URL.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "herald.db",
        global = true,
        hide_env_values = true,
        value_name = "URL"
    )]
    pub database_url: String,

    /// Where the database URL came from (`--database-url` or `DATABASE_URL`), for errors.
    #[arg(skip)]
    pub database_url_source: &'static str,

    /// Log format: `text` for people, `json` for log collectors. What is logged is set by the
    /// HERALD_LOG variable (tracing syntax; default `info,sqlx=warn,tower_http=info`; e.g.
    /// HERALD_LOG=debug).
    #[arg(long, env = "HERALD_LOG_FORMAT", default_value = "text", global = true, value_parser = ["text", "json"])]
    pub log_format: String,

    #[command(subcommand)]
    pub command: Option<Command>,

    /// `serve`'s options, for `herald` without a command.
    #[command(flatten)]
    pub serve: ServeArgs,
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
    /// Write the static mirror (every public page, feed, /api/v2 file, badge and asset, with
    /// .gz and .br) to DIR, rewriting only files whose content changed.
    Export {
        /// The mirror's directory (created if missing).
        dir: std::path::PathBuf,
    },
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on: HOST:PORT (`127.0.0.1:3000`, `localhost:3000`, `0.0.0.0:3000` for
    /// every interface) or `:PORT` for 127.0.0.1; port 0 picks a free port.
    #[arg(
        long,
        env = "HERALD_LISTEN",
        default_value = "127.0.0.1:3000",
        value_name = "ADDRESS"
    )]
    pub listen: String,
    /// Where `listen` came from (`--listen`, `HERALD_LISTEN` or the default), for errors.
    #[arg(skip)]
    pub listen_source: &'static str,
    /// Public URL of the page, for links (default: http://<the address listened on>).
    #[arg(long, env = "HERALD_PUBLIC_URL", value_name = "URL")]
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
    /// Keep a static mirror of the public site in this directory, rewritten within a second
    /// of each write (see `herald export`).
    #[arg(long = "mirror", env = "HERALD_MIRROR_DIR", value_name = "DIR")]
    pub mirror_dir: Option<std::path::PathBuf>,
    /// Shell command run after each mirror batch that wrote files, e.g. `rclone sync
    /// "$HERALD_MIRROR_DIR" bucket:status`; failures are logged and retried.
    #[arg(
        long,
        env = "HERALD_MIRROR_HOOK",
        value_name = "CMD",
        requires = "mirror_dir"
    )]
    pub mirror_hook: Option<String>,
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
        /// A name that says who or what uses the token, e.g. `on-call` or `deploy-bot`.
        #[arg(long)]
        name: String,
        /// What the token may do: admin (everything), responder (incidents, updates,
        /// postmortems) or translator (translations only).
        #[arg(long, value_parser = one_of::<Role>(Role::ALL.iter().map(|r| r.as_str())))]
        role: Role,
    },
    /// List tokens (never their secrets).
    List,
    /// Revoke a token by id.
    Revoke {
        /// The token's id, as `herald token list` shows it (not the secret).
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a console user. The password is read from standard input (or prompted for).
    Create {
        /// The name the user signs in with.
        #[arg(long)]
        username: String,
        /// What the user may do: admin (everything), responder (incidents, updates,
        /// postmortems) or translator (translations only).
        #[arg(long, value_parser = one_of::<Role>(Role::ALL.iter().map(|r| r.as_str())))]
        role: Role,
    },
}

#[derive(Debug, Args)]
pub struct PostArgs {
    /// Herald server to publish to: its base URL, e.g. http://127.0.0.1:3000 (`http://` is
    /// assumed when no scheme is given).
    #[arg(
        long,
        env = "HERALD_SERVER",
        default_value = "http://127.0.0.1:3000",
        global = true,
        value_name = "URL"
    )]
    pub server: String,
    /// API token (create one with `herald token create`).
    #[arg(long, env = "HERALD_TOKEN", hide_env_values = true, global = true)]
    pub token: Option<String>,
    /// `post` talks to a server, not to a database: the global `--database-url` is accepted
    /// here but hidden from its help (an argument of the same id stops clap's propagation).
    #[arg(long = "database-url", id = "database_url", hide = true, global = true)]
    pub unused_database_url: Option<String>,
    #[command(subcommand)]
    pub what: PostCommand,
}

#[derive(Debug, Subcommand)]
pub enum PostCommand {
    /// Open an incident with its first update.
    /// Open an incident with its first update; prints the new incident's id.
    Incident {
        /// The incident's title, as the page shows it.
        #[arg(long)]
        title: String,
        /// How bad it is (maintenance is scheduled with `herald post maintenance`). Default:
        /// from the worst --component status, major for major_outage, else minor.
        #[arg(long, value_parser = incident_impact())]
        impact: Option<Impact>,
        /// The incident's status with this first update.
        #[arg(long, default_value = "investigating", value_parser = one_of::<IncidentStatus>(
            IncidentStatus::for_kind(crate::domain::IncidentKind::Incident).into_iter().map(|s| s.as_str())))]
        status: IncidentStatus,
        /// Affected component and its new status, COMPONENT_ID=STATUS, e.g. `--component
        /// abc123=major_outage` (a group's id sets all its children). STATUS is operational,
        /// degraded_performance, partial_outage, major_outage or under_maintenance. Repeatable.
        #[arg(long = "component", value_parser = parse_component, value_name = "ID=STATUS")]
        components: Vec<(String, ComponentStatus)>,
        /// When the impact began (RFC 3339, e.g. 2024-02-29T08:00:00Z).
        #[arg(long, value_parser = rfc3339, value_name = "TIME")]
        started_at: Option<String>,
        /// Back-date the update: the time it is shown at (RFC 3339; default: now).
        #[arg(long, value_parser = rfc3339, value_name = "TIME")]
        display_at: Option<String>,
        /// Promise the next update by this time (RFC 3339).
        #[arg(long, value_parser = rfc3339, value_name = "TIME")]
        next_update_by: Option<String>,
        /// Language of the texts (default: the page's): en, fr, de, es, pt-BR or ja.
        #[arg(long)]
        locale: Option<String>,
        /// The message (Markdown); `-` reads it from standard input.
        message: String,
    },
    /// Post an update to an incident or maintenance; prints the update's id.
    Update {
        /// The incident's (or maintenance's) id, as `herald post incident` printed it.
        #[arg(long)]
        incident: String,
        /// The new status: investigating, identified, monitoring or resolved for an incident;
        /// scheduled, in_progress, verifying or completed for a maintenance.
        #[arg(long, value_parser = one_of::<IncidentStatus>(IncidentStatus::ALL.iter().map(|s| s.as_str())))]
        status: IncidentStatus,
        /// A component and its new status, COMPONENT_ID=STATUS (a group's id sets all its
        /// children). Repeatable. Without any, resolving returns the incident's components to
        /// operational (those no other open incident holds).
        #[arg(long = "component", value_parser = parse_component, value_name = "ID=STATUS")]
        components: Vec<(String, ComponentStatus)>,
        /// Back-date the update: the time it is shown at (RFC 3339; default: now).
        #[arg(long, value_parser = rfc3339, value_name = "TIME")]
        display_at: Option<String>,
        /// Promise the next update by this time (RFC 3339).
        #[arg(long, value_parser = rfc3339, value_name = "TIME")]
        next_update_by: Option<String>,
        /// The message (Markdown); `-` reads it from standard input.
        message: String,
    },
    /// Correct the text of an update (the previous text is kept).
    Correct {
        /// The update's id, as `herald post update` printed it.
        #[arg(long)]
        update: String,
        /// The corrected message (Markdown); `-` reads it from standard input.
        message: String,
    },
    /// Schedule maintenance; prints the maintenance's id.
    Maintenance {
        /// The maintenance's title, as the page shows it.
        #[arg(long)]
        title: String,
        /// Start (RFC 3339).
        #[arg(long, value_parser = rfc3339, value_name = "TIME")]
        from: String,
        /// End (RFC 3339).
        #[arg(long, value_parser = rfc3339, value_name = "TIME")]
        until: String,
        /// Component id (a group's id means all its children). Repeatable.
        #[arg(long = "component", value_name = "ID")]
        components: Vec<String>,
        /// Do not start and complete on time by itself.
        #[arg(long)]
        manual: bool,
        /// The message (Markdown); `-` reads it from standard input.
        message: String,
    },
}

impl Cli {
    /// Parses the command line (exiting with clap's message on a mistake). With no command,
    /// `run` serves with the top-level `serve` options.
    pub fn parse_with_default() -> Cli {
        Cli::parse_args(std::env::args_os())
    }

    /// Like `parse_with_default`, from the given arguments.
    pub fn parse_args<I, T>(args: I) -> Cli
    where
        I: IntoIterator<Item = T>,
        T: Into<std::ffi::OsString> + Clone,
    {
        let matches = Cli::command().get_matches_from(args);
        let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
        if let Some((name, _)) = matches.subcommand() {
            // `serve`'s options are accepted before no command at all (clap's
            // `args_conflicts_with_subcommands` would refuse the global ones too).
            let serve_options = ServeArgs::augment_args(clap::Command::new("serve"));
            let given = serve_options
                .get_arguments()
                .map(|a| a.get_id().to_string())
                .find(|id| matches.value_source(id) == Some(ValueSource::CommandLine));
            if let Some(id) = given {
                let flag = id.replace('_', "-");
                Cli::command()
                    .error(
                        clap::error::ErrorKind::ArgumentConflict,
                        format!("--{flag} is an option of `herald serve`, not of `herald {name}`"),
                    )
                    .exit();
            }
        }
        cli.database_url_source =
            source(&matches, "database_url", "--database-url", "DATABASE_URL");
        cli.serve.listen_source = source(&matches, "listen", "--listen", "HERALD_LISTEN");
        if let (Some(Command::Serve(args)), Some(m)) =
            (&mut cli.command, matches.subcommand_matches("serve"))
        {
            args.listen_source = source(m, "listen", "--listen", "HERALD_LISTEN");
        }
        cli
    }
}

/// Which of a flag or its variable set an argument (or "the default"), for error messages.
fn source(matches: &ArgMatches, id: &str, flag: &'static str, var: &'static str) -> &'static str {
    match matches.value_source(id) {
        Some(ValueSource::EnvVariable) => var,
        Some(ValueSource::CommandLine) => flag,
        _ => "the default",
    }
}

/// One of an enum's values, listed in `--help` and in the error for any other.
fn one_of<T>(values: impl Iterator<Item = &'static str>) -> impl TypedValueParser<Value = T>
where
    T: std::str::FromStr<Err = String> + Clone + Send + Sync + 'static,
{
    PossibleValuesParser::new(values.collect::<Vec<_>>()).try_map(|s| s.parse::<T>())
}

/// An incident's impact: `maintenance` (an impact only maintenances have) is refused here, with
/// a pointer to the command that schedules maintenance.
fn incident_impact() -> impl TypedValueParser<Value = Impact> {
    PossibleValuesParser::new([
        PossibleValue::new("none"),
        PossibleValue::new("minor"),
        PossibleValue::new("major"),
        PossibleValue::new("critical"),
        PossibleValue::new("maintenance").hide(true),
    ])
    .try_map(|s| {
        if s == "maintenance" {
            Err("an incident's impact is none, minor, major or critical; schedule maintenance with `herald post maintenance`".to_string())
        } else {
            s.parse::<Impact>()
        }
    })
}

/// A time the API will take: RFC 3339, checked here so a typo is refused before sending.
fn rfc3339(s: &str) -> Result<String, String> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|_| s.to_string())
        .map_err(|_| {
            "expected an RFC 3339 time such as 2024-02-29T08:00:00Z or 2024-02-29T09:00:00+01:00"
                .to_string()
        })
}

/// `--listen` / `HERALD_LISTEN`: HOST:PORT (an IP address or a name, resolved, IPv4 first) or
/// `:PORT` for 127.0.0.1.
pub fn parse_listen(value: &str) -> Result<SocketAddr, String> {
    let expected = "expected HOST:PORT such as 127.0.0.1:3000, localhost:3000 or 0.0.0.0:3000 (every interface), or :PORT for 127.0.0.1";
    let value = value.trim();
    let value = match value.strip_prefix(':') {
        Some(port) => format!("127.0.0.1:{port}"),
        None => value.to_string(),
    };
    if let Ok(addr) = value.parse::<SocketAddr>() {
        return Ok(addr);
    }
    let Some((host, port)) = value.rsplit_once(':') else {
        return Err(format!("no port; {expected}"));
    };
    let Ok(port) = port.parse::<u16>() else {
        return Err(format!(
            "the port `{port}` is not a number from 0 to 65535; {expected}"
        ));
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() {
        return Err(format!("no host; {expected}"));
    }
    let addrs: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve the host `{host}` ({e}); {expected}"))?
        .collect();
    addrs
        .iter()
        .find(|a| a.is_ipv4())
        .or(addrs.first())
        .copied()
        .ok_or_else(|| format!("the host `{host}` has no address; {expected}"))
}

fn parse_component(s: &str) -> Result<(String, ComponentStatus), String> {
    let (id, status) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}`: write COMPONENT_ID=STATUS, e.g. abc123=major_outage"))?;
    Ok((id.to_string(), status.parse()?))
}
