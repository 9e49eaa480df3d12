//! Every write goes through here: validate, build the row operations, hand them to the store
//! to apply in one transaction together with the audit row. Nothing else writes.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Duration, SubsecRound, Utc};
use serde::{Deserialize, Deserializer};

use crate::clock::Clock;
use crate::domain::{
    is_supported_locale, milestone_problems, problem, text_digest, ApiToken, AuditEntry, Component,
    ComponentChange, ComponentStatus, Impact, Incident, IncidentDetail, IncidentKind,
    IncidentStatus, Milestones, PageSettings, Postmortem, PostmortemState, Provenance,
    RemediationCategory, RemediationItem, RemediationState, Revision, Role, Session, StatusChange,
    TranslatableKind, Translation, Update, User, MAX_BODY_CHARS, MAX_LINE_CHARS, SUPPORTED_LOCALES,
};
use crate::error::{Error, Problems, Result};
use crate::i18n::I18n;
use crate::ids::new_id;
use crate::store::{Op, Store, StoreError};

mod access;
mod components;
mod incidents;
mod maintenance;
mod page;
mod postmortems;
mod sessions;
mod translations;
mod updates;

pub use access::*;
pub use components::*;
pub use incidents::*;
pub use maintenance::*;
pub use page::*;
pub use postmortems::*;
pub use sessions::*;
pub use translations::*;
pub use updates::*;

/// How far ahead of the clock a display time or milestone may lie (clock skew between the
/// author's machine and the server).
pub const FUTURE_TOLERANCE_MINUTES: i64 = 5;

/// Who is acting: written into every audit row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// `token:<name>`, `user:<username>`, `cli`, `system`.
    pub label: String,
    pub role: Role,
}

impl Actor {
    fn admin(label: &str) -> Actor {
        Actor {
            label: label.into(),
            role: Role::Admin,
        }
    }

    pub fn system() -> Actor {
        Actor::admin("system")
    }

    /// The command line on the server's own machine (it can read the database directly).
    pub fn cli() -> Actor {
        Actor::admin("cli")
    }

    pub fn require_responder(&self) -> Result<()> {
        allow(self.role.can_respond(), || {
            format!("the {} role may only write translations", self.role)
        })
    }

    pub fn require_admin(&self) -> Result<()> {
        allow(self.role.is_admin(), || {
            format!("this needs the admin role; yours is {}", self.role)
        })
    }
}

/// `Forbidden`, saying `why`, unless `allowed`.
fn allow(allowed: bool, why: impl FnOnce() -> String) -> Result<()> {
    if allowed {
        Ok(())
    } else {
        Err(Error::Forbidden(why()))
    }
}

#[derive(Clone)]
pub struct Service {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    i18n: Arc<I18n>,
    /// Bumped after every committed write, so caches of rendered pages know they are stale.
    generation: Arc<std::sync::atomic::AtomicU64>,
    /// The audit id of this instance's latest write (the change watcher skips it).
    last_write: Arc<std::sync::Mutex<Option<String>>>,
    /// One lock per object being written by `serialized` (entries leave when unused).
    locks: Arc<std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
}

/// How often an operation is retried when a row changed between read and write.
const ATTEMPTS: usize = 3;

impl Service {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, i18n: Arc<I18n>) -> Service {
        Service {
            store,
            clock,
            i18n,
            generation: Arc::default(),
            last_write: Arc::default(),
            locks: Arc::default(),
        }
    }

    /// Runs `op` (read, plan and commit) while holding the lock named `key`, so writes to one
    /// object queue up and each plans on what the previous one committed, instead of failing
    /// on each other's `updated_at`: first an in-process lock (waiters hold no connection), then
    /// the store's lock shared by every instance on the database.
    pub(crate) async fn serialized<T, Fut>(&self, key: String, op: Fut) -> Result<T>
    where
        Fut: std::future::Future<Output = Result<T>>,
    {
        let local = self
            .locks
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(key.clone())
            .or_default()
            .clone();
        let outcome = {
            let _local = local.lock().await;
            match self.store.exclusive(&key).await {
                Ok(_shared) => op.await,
                Err(e) => Err(e.into()),
            }
        };
        let mut locks = self.locks.lock().unwrap_or_else(|e| e.into_inner());
        // Only the map and this call hold it: nobody is waiting.
        if Arc::strong_count(&local) == 2 {
            locks.remove(&key);
        }
        outcome
    }

    /// The database's newest change is `latest` (the newest audit id): unless this instance
    /// made it (and so already knows), cached renderings are stale.
    pub fn observe_change(&self, latest: Option<&str>) {
        let mine = self
            .last_write
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        if latest.is_some() && latest != mine.as_deref() {
            self.generation
                .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        }
    }

    /// Changes after every committed write (in this process).
    pub fn generation(&self) -> u64 {
        self.generation.load(std::sync::atomic::Ordering::Acquire)
    }

    pub(crate) fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Applies ops with an audit row describing `action` on `object`.
    async fn commit(
        &self,
        actor: &Actor,
        action: &str,
        object: (&str, &str),
        before: Option<serde_json::Value>,
        after: Option<serde_json::Value>,
        ops: Vec<Op>,
    ) -> std::result::Result<(), StoreError> {
        let at = self.now();
        let audit = AuditEntry {
            id: crate::ids::sortable_id(at),
            at,
            actor: actor.label.clone(),
            action: action.to_string(),
            object_kind: object.0.to_string(),
            object_id: object.1.to_string(),
            before,
            after,
        };
        let audit_id = audit.id.clone();
        let applied = self.store.apply(ops, Some(audit)).await;
        if applied.is_ok() {
            *self.last_write.lock().unwrap_or_else(|e| e.into_inner()) = Some(audit_id);
            self.generation
                .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        }
        applied
    }

    /// The page settings (created with defaults on first start).
    pub async fn page(&self) -> Result<PageSettings> {
        match self.store.page().await? {
            Some(page) => Ok(page),
            None => Err(Error::Unavailable(
                "the page is not initialised yet".to_string(),
            )),
        }
    }
}

/// Store errors inside an operation: returned as they are so `retrying!` sees conflicts.
type OpResult<T> = std::result::Result<T, OpError>;

/// Either a request error (final) or a store error (maybe retried).
#[derive(Debug)]
pub(crate) enum OpError {
    Request(Error),
    Store(StoreError),
}

impl From<Error> for OpError {
    fn from(e: Error) -> OpError {
        OpError::Request(e)
    }
}

impl From<StoreError> for OpError {
    fn from(e: StoreError) -> OpError {
        OpError::Store(e)
    }
}

/// Runs an operation up to `ATTEMPTS` times while it fails on a concurrent change.
pub(crate) async fn with_retry<T, F, Fut>(mut op: F) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = OpResult<T>>,
{
    let mut tries = 0;
    loop {
        tries += 1;
        match op().await {
            Ok(v) => return Ok(v),
            Err(OpError::Store(StoreError::Conflict(_))) if tries < ATTEMPTS => continue,
            Err(OpError::Store(e)) => return Err(e.into()),
            Err(OpError::Request(e)) => return Err(e),
        }
    }
}

/// For PATCH bodies: tells "absent" (`None`) from "null" (`Some(None)`).
pub(crate) fn double_option<'de, T, D>(d: D) -> std::result::Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Times arrive with any precision; both databases store milliseconds exactly.
pub(crate) fn ms(t: DateTime<Utc>) -> DateTime<Utc> {
    t.trunc_subsecs(3)
}

pub(crate) fn ms_opt(t: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    t.map(ms)
}

/// Serde's default for flags that are on unless said otherwise.
pub(crate) fn yes() -> bool {
    true
}

/// An optional text as stored: trimmed, and absent when nothing is left.
pub(crate) fn trimmed(text: Option<&str>) -> Option<String> {
    text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}

/// Checks a translated text of `field` (a line or a body, by the field's name).
pub(crate) fn check_translated(problems: &mut Problems, name: &str, field: &str, text: &str) {
    let max = if TranslatableKind::is_line_field(field) {
        MAX_LINE_CHARS
    } else {
        MAX_BODY_CHARS
    };
    problems.text(name, text, max);
}

fn to_json<T: serde::Serialize>(value: &T) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}

/// A display time may be back-dated freely but not lie in the future.
pub(crate) fn check_not_future(
    problems: &mut Problems,
    field: &str,
    at: DateTime<Utc>,
    now: DateTime<Utc>,
) {
    if at > now + Duration::minutes(FUTURE_TOLERANCE_MINUTES) {
        problems.add(field, problem!("problem-future", at = at.to_rfc3339()));
    }
}

/// The locale must be one of the page's enabled locales.
pub(crate) fn check_locale(
    problems: &mut Problems,
    field: &str,
    locale: &str,
    page: &PageSettings,
) {
    if !page.locales.iter().any(|l| l == locale) {
        problems.add(
            field,
            problem!(
                "problem-locale-not-on-page",
                locale = locale,
                locales = page.locales.join(", ")
            ),
        );
    }
}

/// Checks a URL given by an author: absolute http(s) only.
pub(crate) fn check_url(problems: &mut Problems, field: &str, url: &str) {
    let ok = (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() > "http://".len() + 1
        && url.len() <= 2000
        && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    if !ok {
        problems.add(field, problem!("problem-url"));
    }
}

/// Translations given alongside a resource: locale → fields and provenance.
pub type TranslationsIn<T> = BTreeMap<String, T>;
