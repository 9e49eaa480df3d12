//! All SQL lives here. `Store` is implemented once, for SQLite and PostgreSQL alike, from one
//! body of SQL (`sql/`) written with `$1` placeholders that both databases accept.
//!
//! Writes arrive as a list of [`Op`]s built by the service layer; the store applies the whole
//! list and the audit row in one transaction, or none of it.

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::domain::{
    ApiToken, AuditEntry, Component, Incident, IncidentDetail, IncidentKind, IncidentStatus,
    PageSettings, Postmortem, RemediationItem, Revision, Session, StatusChange, TranslatableKind,
    Translation, Update, User,
};

mod postgres;
mod sql;
mod sqlite;

pub use postgres::PgStore;
/// The SQL of every read, for the query-plan test (not an interface for the rest of the app).
#[doc(hidden)]
pub use sql::reads;
pub use sqlite::SqliteStore;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A row changed since it was read (optimistic concurrency), or a unique key is taken.
    #[error("conflict: {0}")]
    Conflict(String),
    /// A referenced row does not exist.
    #[error("missing: {0}")]
    Missing(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// The database's disk is full (SQLite `SQLITE_FULL`, PostgreSQL `disk_full`): writes fail
    /// until space is freed, reads go on.
    pub fn is_disk_full(&self) -> bool {
        let StoreError::Database(sqlx::Error::Database(db)) = self else {
            return false;
        };
        let code = db.code().unwrap_or_default();
        if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
            // An (extended) result code; the primary code is its low byte.
            code.parse::<i64>().is_ok_and(|n| n & 0xff == 13)
        } else {
            code == "53100"
        }
    }
}

impl StoreError {
    /// PostgreSQL refused a text holding a NUL character (`22021`).
    pub fn is_nul_refused(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Database(db))
            if db.try_downcast_ref::<sqlx::postgres::PgDatabaseError>().is_some()
                && db.code().as_deref() == Some("22021"))
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Filters for listing incidents, newest first.
#[derive(Debug, Clone, Default)]
pub struct IncidentFilter {
    pub kind: Option<IncidentKind>,
    pub statuses: Vec<IncidentStatus>,
    /// Only incidents that started strictly before this instant.
    pub before: Option<DateTime<Utc>>,
    /// Only incidents that started at or after this instant.
    pub since: Option<DateTime<Utc>>,
    /// Only incidents affecting any of these components (none: no filter).
    pub component_ids: Vec<String>,
    pub limit: i64,
    /// Only incidents after this one in the newest-first order (keyset pagination).
    pub after: Option<IncidentCursor>,
}

/// A place in the order of incident lists (`started_at` newest first, then `created_at`
/// newest first, then `id`): the last incident of the page before.
#[derive(Debug, Clone)]
pub struct IncidentCursor {
    pub started_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub id: String,
}

impl IncidentCursor {
    pub fn of(incident: &Incident) -> IncidentCursor {
        IncidentCursor {
            started_at: incident.started_at,
            created_at: incident.created_at,
            id: incident.id.clone(),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub object_kind: Option<String>,
    pub object_id: Option<String>,
    pub before: Option<DateTime<Utc>>,
    pub limit: i64,
}

/// What `/readyz` learns about the schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationReport {
    /// Versions the binary knows but the database has not applied.
    pub pending: Vec<i64>,
    /// Versions the database has applied that the binary does not know (a newer binary ran).
    pub unknown: Vec<i64>,
    /// Versions whose applied checksum differs from the binary's (an edited migration).
    pub modified: Vec<i64>,
    /// Versions recorded as failed.
    pub failed: Vec<i64>,
}

impl MigrationReport {
    pub fn is_current(&self) -> bool {
        self.pending.is_empty()
            && self.unknown.is_empty()
            && self.modified.is_empty()
            && self.failed.is_empty()
    }
}

/// The readiness probe could not write to `table`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeFailure {
    pub table: String,
    pub reason: String,
}

/// One row-level write. The service builds these; the store runs a list of them in one
/// transaction.
#[derive(Debug, Clone)]
pub enum Op {
    PutPage(PageSettings),
    InsertComponent(Component),
    /// Rewrites every column but status (status moves with `SetComponentStatus`).
    UpdateComponent {
        component: Component,
        expected_updated_at: DateTime<Utc>,
    },
    /// Sets a component's status and appends the change to its history.
    SetComponentStatus {
        change: StatusChange,
    },
    InsertIncident(Incident),
    /// Rewrites the incident row if it is unchanged since it was read.
    UpdateIncident {
        incident: Incident,
        expected_updated_at: DateTime<Utc>,
    },
    AddIncidentComponent {
        incident_id: String,
        component_id: String,
        position: i64,
    },
    InsertUpdate(Update),
    /// Corrects an update, keeping the old text as a revision.
    ReviseUpdate {
        update: Update,
        revision: Revision,
    },
    PutPostmortem(Postmortem),
    InsertRemediationItem(RemediationItem),
    UpdateRemediationItem(RemediationItem),
    PutTranslation(Translation),
    InsertToken(ApiToken),
    RevokeToken {
        id: String,
        at: DateTime<Utc>,
    },
    InsertUser(User),
    /// Inserts the user only while there is none (the first admin, from the setup link);
    /// `Conflict` otherwise. Concurrent ones queue on the page row, so exactly one succeeds.
    InsertFirstUser(User),
    /// Disables a user (`disabled_at` set) or enables one again (`None`). Disabling the last
    /// active admin is refused inside the transaction (`Conflict`), so two admins disabling
    /// each other at the same moment cannot leave the page without one.
    SetUserDisabled {
        id: String,
        disabled_at: Option<DateTime<Utc>>,
        updated_at: DateTime<Utc>,
    },
    InsertSession(Session),
    /// Ends every session of a user.
    DeleteUserSessions {
        user_id: String,
    },
    DeleteSession {
        id_hash: String,
    },
}

#[async_trait]
pub trait Store: Send + Sync + 'static {
    fn backend(&self) -> Backend;

    /// Ends cleanly (at shutdown, and after a command that worked on the database): SQLite
    /// checkpoints its write-ahead log into the main file, so that file alone holds all the
    /// data, and every connection closes. Nothing may use the store afterwards.
    async fn close(&self) {}

    /// Applies pending migrations (safe when several instances start at once).
    async fn migrate(&self) -> StoreResult<()>;
    async fn migration_report(&self) -> StoreResult<MigrationReport>;
    /// Inserts and reads back a row in every table that receives new rows, then rolls back.
    async fn probe_writes(&self) -> StoreResult<Result<(), ProbeFailure>>;

    /// Holds the lock named `key` for every instance on this database until the guard is
    /// dropped (the service also serializes on it in process, so one instance waits here with
    /// at most one connection per key).
    async fn exclusive(&self, key: &str) -> StoreResult<Box<dyn Send>>;

    /// Applies every op and the audit row in one transaction.
    async fn apply(&self, ops: Vec<Op>, audit: Option<AuditEntry>) -> StoreResult<()>;

    async fn page(&self) -> StoreResult<Option<PageSettings>>;
    /// All components, groups first-level order then children by position.
    async fn components(&self) -> StoreResult<Vec<Component>>;
    async fn component(&self, id: &str) -> StoreResult<Option<Component>>;
    async fn status_history(
        &self,
        component_id: Option<&str>,
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<StatusChange>>;

    async fn incidents(&self, filter: &IncidentFilter) -> StoreResult<Vec<Incident>>;
    /// Affected component ids for many incidents at once (one query).
    async fn incident_component_ids(
        &self,
        incident_ids: &[String],
    ) -> StoreResult<Vec<(String, String)>>;
    async fn incident(&self, id: &str) -> StoreResult<Option<Incident>>;
    /// The updates of many incidents (without changes or revisions), each incident's in
    /// display order, in one query.
    async fn updates_of(&self, incident_ids: &[String]) -> StoreResult<Vec<Update>>;
    /// The translations of many incidents and of everything they hold, in one query.
    async fn translations_of_incidents(
        &self,
        incident_ids: &[String],
    ) -> StoreResult<Vec<Translation>>;
    /// The incident with its updates, postmortem, items and translations, in a fixed number
    /// of queries.
    async fn incident_detail(&self, id: &str) -> StoreResult<Option<IncidentDetail>>;
    /// The details of many incidents at once, in the order of `ids` (unknown ids skipped), in
    /// the same fixed number of queries as one.
    async fn incident_details(&self, ids: &[String]) -> StoreResult<Vec<IncidentDetail>>;
    async fn update(&self, id: &str) -> StoreResult<Option<Update>>;
    async fn remediation_item(&self, id: &str) -> StoreResult<Option<RemediationItem>>;
    async fn translations(
        &self,
        kind: TranslatableKind,
        object_id: &str,
    ) -> StoreResult<Vec<Translation>>;
    /// Every translation of one kind of object (e.g. all component names), in one query: for
    /// the page and the components, whose number does not grow with the history.
    async fn translations_of_kind(&self, kind: TranslatableKind) -> StoreResult<Vec<Translation>>;
    /// Open incidents and maintenances (not resolved, not completed) that affect a component.
    async fn open_incidents_affecting(&self, component_id: &str) -> StoreResult<Vec<String>>;
    /// Maintenances with auto_transition that the clock says should move on.
    async fn due_maintenances(&self, now: DateTime<Utc>) -> StoreResult<Vec<Incident>>;

    async fn token_by_hash(&self, hash: &str) -> StoreResult<Option<ApiToken>>;
    async fn tokens(&self) -> StoreResult<Vec<ApiToken>>;
    /// Bookkeeping, not audited: when a token was last used.
    async fn touch_token(&self, id: &str, at: DateTime<Utc>) -> StoreResult<()>;
    async fn user_by_name(&self, username: &str) -> StoreResult<Option<User>>;
    async fn user_count(&self) -> StoreResult<i64>;
    async fn user_by_id(&self, id: &str) -> StoreResult<Option<User>>;
    /// Every user, by username.
    async fn users(&self) -> StoreResult<Vec<User>>;
    async fn session(&self, id_hash: &str) -> StoreResult<Option<Session>>;
    /// Bookkeeping, not audited: moves a session's expiry (sliding idle timeout).
    async fn touch_session(&self, id_hash: &str, expires_at: DateTime<Utc>) -> StoreResult<()>;
    /// Bookkeeping, not audited: deletes the sessions that expired at or before `now`; returns
    /// how many.
    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64>;
    async fn audit_log(&self, filter: &AuditFilter) -> StoreResult<Vec<AuditEntry>>;
    /// The audit id of the last committed write, whichever instance made it: every write
    /// leaves an audit row and sets a one-row marker to its id in the same transaction, so this
    /// changes exactly when the data does, in commit order, at the cost of reading one row
    /// (page caches poll it 4 times a second).
    async fn latest_change(&self) -> StoreResult<Option<String>>;
    /// Row counts, for the demo loader and tests.
    async fn count(&self, table: CountedTable) -> StoreResult<i64>;
}

/// Tables whose size may be asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CountedTable {
    Components,
    Incidents,
    Updates,
    AuditLog,
    Translations,
}

/// Opens the database named by the URL (`postgres://...` or `sqlite:`/a file path).
pub async fn open(database_url: &str) -> anyhow::Result<Arc<dyn Store>> {
    let url = database_url.trim();
    if url.is_empty() {
        anyhow::bail!(
            "the database URL is empty: give a SQLite file path such as herald.db, or a postgres:// URL"
        );
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Arc::new(PgStore::connect(url).await?));
    }
    if let Some((scheme, _)) = url.split_once("://") {
        if scheme != "sqlite" {
            anyhow::bail!(
                "unsupported database URL scheme `{scheme}://` in {}: Herald uses SQLite (a file path such as herald.db, or sqlite:PATH) or PostgreSQL (postgres://USER@HOST:PORT/DB)",
                redact_url(url)
            );
        }
    }
    Ok(Arc::new(SqliteStore::open(url).await?))
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`, for logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme + 3],
                    &userinfo[..colon],
                    &url[at..]
                ),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn redacts_passwords() {
        assert_eq!(
            super::redact_url("postgres://u:pw@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(super::redact_url("herald.db"), "herald.db");
    }
}
