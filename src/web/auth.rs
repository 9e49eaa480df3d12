//! Bearer tokens for the API, and the limit on failed authentication per address.

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

pub(crate) fn peer_ip(parts: &Parts) -> IpAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
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
        let ip = peer_ip(parts);
        state.auth_failures.check(&ip)?;
        let secret = header
            .to_str()
            .ok()
            .and_then(|h| {
                h.strip_prefix("Bearer ")
                    .or_else(|| h.strip_prefix("bearer "))
            })
            .map(str::trim);
        let Some(secret) = secret else {
            state.auth_failures.fail(ip);
            return Err(Error::Unauthorized(
                "the Authorization header must be `Bearer <token>`".into(),
            )
            .into());
        };
        match state.service.authenticate_token(secret).await? {
            Some(token) => Ok(Caller(Some(Actor {
                label: format!("token:{}", token.name),
                role: token.role,
            }))),
            None => {
                state.auth_failures.fail(ip);
                Err(Error::Unauthorized("unknown or revoked token".into()).into())
            }
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
