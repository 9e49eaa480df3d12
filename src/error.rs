//! One error type for the whole app. It becomes the documented JSON error under `/api` (see
//! `web::api_error`) and a plain localized page elsewhere; 5xx details are logged, never shown.

use std::collections::BTreeMap;

use crate::domain::{problem, Problem};
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// 400: the request could not be read (malformed JSON, bad query string).
    #[error("{0}")]
    Malformed(String),
    /// 401: no token, or one that is unknown or revoked.
    #[error("{0}")]
    Unauthorized(String),
    /// 403: the role does not allow this.
    #[error("{0}")]
    Forbidden(String),
    /// 404
    #[error("{0}")]
    NotFound(String),
    /// 405: the path exists, the method does not.
    #[error("{0}")]
    MethodNotAllowed(String),
    /// 409: the request contradicts the current state.
    #[error("{0}")]
    Conflict(String),
    /// 408: the request's body did not arrive in time.
    #[error("{0}")]
    Timeout(String),
    /// 413
    #[error("{0}")]
    TooLarge(String),
    /// 422: one or more fields are wrong; each is named, with a problem each interface says in
    /// its own language (the API in English).
    #[error("invalid fields: {}", .0.keys().cloned().collect::<Vec<_>>().join(", "))]
    Invalid(BTreeMap<String, Problem>),
    /// 429
    #[error("too many failed attempts; try again in {retry_after_secs} seconds")]
    RateLimited { retry_after_secs: u64 },
    /// 503
    #[error("{0}")]
    Unavailable(String),
    /// 500: logged in full, shown as a short apology.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn invalid(field: impl Into<String>, problem: Problem) -> Error {
        Error::Invalid(BTreeMap::from([(field.into(), problem)]))
    }

    pub fn not_found(what: &str, id: &str) -> Error {
        Error::NotFound(format!("no {what} with id `{id}`"))
    }

    pub fn status(&self) -> u16 {
        match self {
            Error::Malformed(_) => 400,
            Error::Unauthorized(_) => 401,
            Error::Forbidden(_) => 403,
            Error::NotFound(_) => 404,
            Error::MethodNotAllowed(_) => 405,
            Error::Conflict(_) => 409,
            Error::Timeout(_) => 408,
            Error::TooLarge(_) => 413,
            Error::Invalid(_) => 422,
            Error::RateLimited { .. } => 429,
            Error::Unavailable(_) => 503,
            Error::Internal(_) => 500,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Error::Malformed(_) => "malformed",
            Error::Unauthorized(_) => "unauthorized",
            Error::Forbidden(_) => "forbidden",
            Error::NotFound(_) => "not_found",
            Error::MethodNotAllowed(_) => "method_not_allowed",
            Error::Conflict(_) => "conflict",
            Error::Timeout(_) => "timeout",
            Error::TooLarge(_) => "too_large",
            Error::Invalid(_) => "invalid",
            Error::RateLimited { .. } => "rate_limited",
            Error::Unavailable(_) => "unavailable",
            Error::Internal(_) => "internal",
        }
    }

    /// The message safe to show: never a database or internal detail. In English (a problem
    /// displays in English).
    pub fn public_message(&self) -> String {
        match self {
            Error::Internal(_) => "Something went wrong on our side; it has been logged.".into(),
            Error::Invalid(fields) if fields.len() == 1 => {
                let (field, problem) = fields.iter().next().expect("one field");
                format!("{field}: {problem}")
            }
            Error::Invalid(_) => "Some fields are invalid; see `fields`.".into(),
            other => other.to_string(),
        }
    }
}

impl Error {
    /// Every detail safe to show, for the command line: each invalid field on its own line.
    pub fn detail(&self) -> String {
        match self {
            Error::Invalid(fields) => fields
                .iter()
                .map(|(field, problem)| format!("{field}: {problem}"))
                .collect::<Vec<_>>()
                .join("\n"),
            other => other.public_message(),
        }
    }
}

impl From<StoreError> for Error {
    fn from(e: StoreError) -> Error {
        match e {
            StoreError::Conflict(m) => Error::Conflict(m),
            StoreError::Missing(m) => {
                Error::Conflict(format!("{m}; it may have just been removed"))
            }
            // A NUL that slipped past the checks above: PostgreSQL refuses it
            // (`character_not_in_repertoire`); it is the request's fault, not ours.
            e if e.is_nul_refused() => Error::invalid("body", problem!("problem-nul")),
            e if e.is_disk_full() => {
                tracing::error!(error = %e, "write refused: the database's disk is full");
                Error::Unavailable(
                    "the database's disk is full, so nothing was saved; reading still works, and writing \
                     will once space is freed"
                        .into(),
                )
            }
            other => Error::Internal(other.into()),
        }
    }
}

impl From<anyhow::Error> for Error {
    fn from(e: anyhow::Error) -> Error {
        Error::Internal(e)
    }
}

/// Collects every problem with an input before answering, so one 422 names them all.
#[derive(Debug, Default)]
pub struct Problems(BTreeMap<String, Problem>);

impl Problems {
    pub fn new() -> Problems {
        Problems::default()
    }

    /// Records `problem` for `field`, unless the field already has one (the first one found is
    /// the one to fix first).
    pub fn add(&mut self, field: impl Into<String>, problem: Problem) {
        self.0.entry(field.into()).or_insert(problem);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// A required text: not blank, at most `max` characters; one line when `max` is short.
    pub fn text(&mut self, field: &str, value: &str, max: usize) {
        if value.trim().is_empty() {
            self.add(field, problem!("problem-empty"));
        } else if value.contains('\0') {
            self.add(field, problem!("problem-nul"));
        } else if value.chars().count() > max {
            self.add(field, problem!("problem-too-long", max = max));
        } else if max <= crate::domain::MAX_LINE_CHARS && value.contains(['\n', '\r']) {
            self.add(field, problem!("problem-single-line"));
        }
    }

    pub fn opt_text(&mut self, field: &str, value: Option<&str>, max: usize) {
        if let Some(v) = value {
            self.text(field, v, max);
        }
    }

    pub fn check(self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(self.0))
        }
    }
}
