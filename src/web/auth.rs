//! Bearer tokens for the API, the limit on failed authentication per address, and who the
//! client is behind trusted proxies.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use super::json::ApiError;
use super::AppState;
use crate::error::Error;
use crate::service::Actor;

/// Counts failed authentications per address; past the limit, the address gets 429 until its
/// window ends. Kept in memory: a restart forgives, which is acceptable for a brute-force brake.
/// Keyed by address for the API; the console also keys one by username.
pub struct FailureLimiter<K = IpAddr> {
    limit: u32,
    window: Duration,
    failures: Mutex<HashMap<K, (u32, Instant)>>,
}

impl<K: std::hash::Hash + Eq + std::fmt::Debug> FailureLimiter<K> {
    pub fn new(limit: u32, window: Duration) -> FailureLimiter<K> {
        FailureLimiter {
            limit,
            window,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// 429 if `ip` has failed too often recently.
    pub fn check(&self, ip: &K) -> Result<(), Error> {
        let failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((count, since)) = failures.get(ip) {
            let elapsed = since.elapsed();
            if *count >= self.limit && elapsed < self.window {
                let retry_after_secs = (self.window - elapsed).as_secs().max(1);
                return Err(Error::RateLimited { retry_after_secs });
            }
        }
        Ok(())
    }

    /// Counts an attempt before it is made, so concurrent attempts cannot all pass `check`
    /// before the first failure is counted: 429 if `key` has no attempt left, else the
    /// attempt, which stays counted as a failure unless `Attempt::release` is called (a
    /// request cancelled midway counts).
    pub fn reserve(&self, key: K) -> Result<Attempt<'_, K>, Error>
    where
        K: Clone,
    {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if failures.len() > 100_000 {
            let window = self.window;
            failures.retain(|_, (_, since)| since.elapsed() < window);
        }
        let entry = failures.entry(key.clone()).or_insert((0, Instant::now()));
        if entry.1.elapsed() >= self.window {
            *entry = (0, Instant::now());
        }
        if entry.0 >= self.limit {
            let retry_after_secs = (self.window - entry.1.elapsed()).as_secs().max(1);
            return Err(Error::RateLimited { retry_after_secs });
        }
        entry.0 += 1;
        if entry.0 == self.limit {
            tracing::warn!(
                key = format!("{key:?}"),
                "too many failed authentications; rate limiting"
            );
        }
        Ok(Attempt {
            limiter: self,
            key: Some(key),
        })
    }

    pub fn fail(&self, ip: K) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if failures.len() > 100_000 {
            let window = self.window;
            failures.retain(|_, (_, since)| since.elapsed() < window);
        }
        let key = format!("{ip:?}");
        let entry = failures.entry(ip).or_insert((0, Instant::now()));
        if entry.1.elapsed() >= self.window {
            *entry = (0, Instant::now());
        }
        entry.0 += 1;
        if entry.0 == self.limit {
            tracing::warn!(key, "too many failed authentications; rate limiting");
        }
    }
}

/// An attempt counted by `FailureLimiter::reserve`.
pub struct Attempt<'a, K: std::hash::Hash + Eq> {
    limiter: &'a FailureLimiter<K>,
    key: Option<K>,
}

impl<K: std::hash::Hash + Eq> Attempt<'_, K> {
    /// The attempt succeeded (or was never made): it no longer counts.
    pub fn release(mut self) {
        if let Some(key) = self.key.take() {
            let mut failures = self
                .limiter
                .failures
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            if let Some(entry) = failures.get_mut(&key) {
                entry.0 = entry.0.saturating_sub(1);
            }
        }
    }
}

/// The connecting address (IPv4-mapped IPv6 addresses as IPv4).
pub(crate) fn peer_ip(parts: &Parts) -> IpAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_canonical())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// The client's address: the peer's, or, when the peer is a trusted proxy, the rightmost
/// `X-Forwarded-For` hop that is not a trusted proxy (each proxy appends the address it got
/// the request from, so hops left of the first untrusted one may be forged by the client).
pub(crate) fn client_ip(parts: &Parts, trusted: &[ipnet::IpNet]) -> IpAddr {
    let peer = peer_ip(parts);
    if trusted.is_empty() {
        return peer;
    }
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let forwarded: Vec<&str> = parts
        .headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in forwarded.iter().rev() {
        if !is_trusted(&client) {
            break;
        }
        match forwarded_hop(hop) {
            Some(ip) => client = ip,
            None => break,
        }
    }
    client
}

/// One `X-Forwarded-For` entry: `203.0.113.7`, `2001:db8::1`, `[2001:db8::1]:443` or
/// `203.0.113.7:443`.
fn forwarded_hop(hop: &str) -> Option<IpAddr> {
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|a| a.ip()))
        .or_else(|| {
            hop.strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .and_then(|h| h.parse().ok())
        })
        .map(|ip: IpAddr| ip.to_canonical())
}

/// The caller of an API request: anonymous, or the holder of a valid token. A present but
/// wrong `Authorization` header is refused (401), and counts as a failure.
pub struct Caller(pub Option<Actor>);

impl Caller {
    /// The actor, or 401 for an anonymous caller.
    pub fn require(self) -> Result<Actor, Error> {
        self.0.ok_or_else(|| {
            Error::Unauthorized(
                "this needs `Authorization: Bearer <token>`; create one with `herald token create`"
                    .into(),
            )
        })
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, ApiError> {
        let Some(header) = parts.headers.get(AUTHORIZATION) else {
            return Ok(Caller(None));
        };
        // A valid token is always accepted: only failures are counted and braked, so strangers
        // sending bad tokens from the same address (or proxy) cannot lock its holder out.
        let ip = client_ip(parts, &state.config.trusted_proxies);
        let refuse = |message: &str| -> ApiError {
            if let Err(limited) = state.auth_failures.check(&ip) {
                return limited.into();
            }
            state.auth_failures.fail(ip);
            Error::Unauthorized(message.into()).into()
        };
        let secret = header
            .to_str()
            .ok()
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            })
            .map(str::trim);
        let Some(secret) = secret else {
            return Err(refuse("the Authorization header must be `Bearer <token>`"));
        };
        match state.service.authenticate_token(secret).await? {
            Some(token) => Ok(Caller(Some(Actor {
                label: format!("token:{}", token.name),
                role: token.role,
            }))),
            None => Err(refuse("unknown or revoked token")),
        }
    }
}

/// What a route needs of its caller's role (checked again by the service).
pub trait Need {
    fn check(actor: &Actor) -> Result<(), Error>;
}

/// Any valid token (translators included).
pub struct AnyRole;
/// An admin or a responder.
pub struct Responder;
/// An admin.
pub struct Admin;

impl Need for AnyRole {
    fn check(_: &Actor) -> Result<(), Error> {
        Ok(())
    }
}

impl Need for Responder {
    fn check(actor: &Actor) -> Result<(), Error> {
        actor.require_responder()
    }
}

impl Need for Admin {
    fn check(actor: &Actor) -> Result<(), Error> {
        actor.require_admin()
    }
}

/// The caller of a write (or of an admin read), judged from the headers alone: an anonymous or
/// bad-token request is refused (401), a too-low role too (403), before the body is read, so a
/// caller without the right learns nothing about the body's schema. Extract it before the body.
pub struct Authorized<N>(pub Actor, pub std::marker::PhantomData<fn() -> N>);

impl<N: Need> FromRequestParts<AppState> for Authorized<N> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let actor = Caller::from_request_parts(parts, state).await?.require()?;
        N::check(&actor)?;
        Ok(Authorized(actor, std::marker::PhantomData))
    }
}
