//! One typed configuration, from flags and `HERALD_*` / `DATABASE_URL` variables (clap reads
//! both). Secrets are redacted in `Debug`, so the config can be logged at start-up.

use std::net::SocketAddr;
use std::time::Duration;

/// Where the database is and how the server behaves.
#[derive(Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub database_url: String,
    /// Absolute URL of the public page, for links in feeds, API `shortlink`s and the first-run
    /// page settings. Defaults to `http://<listen>`.
    pub public_url: String,
    /// Largest request body accepted (413 beyond).
    pub max_body_bytes: usize,
    /// How often the clock-driven work (maintenance transitions) runs.
    pub tick_interval: Duration,
    /// Failed authentications from one address before it gets 429 for `auth_failure_window`.
    pub auth_failure_limit: u32,
    pub auth_failure_window: Duration,
    /// HTTP worker threads, each with its own event loop; new connections are handed to them
    /// in turn, like nginx's worker processes. 0 serves on the caller's runtime instead (what
    /// the tests do, unless they test this).
    pub workers: usize,
    /// The most the page cache holds, in bytes (rendered pages, their keys and headers); the
    /// least recently used pages go first.
    pub page_cache_bytes: usize,
    /// Proxies whose `X-Forwarded-For` is believed: the client is the rightmost address not in
    /// these (rate limits apply to it). Empty: the peer's address is the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// How long a client may take to send a request's body once its headers arrived (408
    /// beyond).
    pub body_timeout: Duration,
    /// Connections held at once; beyond, the longest-waiting idle or slow connection is closed
    /// to make room, or the newcomer gets 503 when every connection is busy. None: derived
    /// from the descriptor limit (`web::fast::default_max_connections`).
    pub max_connections: Option<usize>,
    /// A static mirror kept in this directory (`crate::mirror`), rewritten after each write.
    pub mirror_dir: Option<std::path::PathBuf>,
    /// A shell command run after each mirror batch that wrote files (retried on failure).
    pub mirror_hook: Option<String>,
}

impl Config {
    pub fn new(listen: SocketAddr, database_url: impl Into<String>) -> Config {
        Config {
            listen,
            database_url: database_url.into(),
            public_url: format!("http://{listen}"),
            max_body_bytes: 1024 * 1024,
            tick_interval: Duration::from_secs(15),
            auth_failure_limit: 10,
            auth_failure_window: Duration::from_secs(600),
            workers: 0,
            page_cache_bytes: crate::web::public::DEFAULT_CACHE_BYTES,
            trusted_proxies: Vec::new(),
            body_timeout: Duration::from_secs(30),
            max_connections: None,
            mirror_dir: None,
            mirror_hook: None,
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field(
                "database_url",
                &crate::store::redact_url(&self.database_url),
            )
            .field("public_url", &self.public_url)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("tick_interval", &self.tick_interval)
            .field("auth_failure_limit", &self.auth_failure_limit)
            .field("auth_failure_window", &self.auth_failure_window)
            .field("workers", &self.workers)
            .field("page_cache_bytes", &self.page_cache_bytes)
            .field("trusted_proxies", &self.trusted_proxies)
            .field("body_timeout", &self.body_timeout)
            .field("max_connections", &self.max_connections)
            .field("mirror_dir", &self.mirror_dir)
            // The hook may carry a bucket's credentials: only whether there is one.
            .field("mirror_hook", &self.mirror_hook.as_ref().map(|_| "…"))
            .finish()
    }
}
