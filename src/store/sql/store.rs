//! `Store`, implemented once for every [`Engine`] (SQLite and PostgreSQL): each method runs
//! the statements of `reads` and `writes` through the engine's pool or a transaction.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio::sync::MutexGuard;

use super::exec::{Exec, Fields, Stmt, Tx};
use super::reads::{self, Read};
use super::{details, probe, rows, writes};
use crate::store::{
    ApiToken, AuditEntry, AuditFilter, Backend, Component, CountedTable, Incident, IncidentDetail,
    IncidentFilter, MigrationReport, Op, PageSettings, ProbeFailure, RemediationItem, Session,
    StatusChange, Store, StoreError, StoreResult, TranslatableKind, Translation, Update, User,
};

/// What a database gives the one implementation of `Store`: a pool, write transactions, the
/// write lock and the migrations. `SqliteStore` and `PgStore` implement it.
#[async_trait]
pub trait Engine: Send + Sync + 'static {
    type Pool: Exec + Sync + 'static;
    type Tx: Tx + 'static;
    const BACKEND: Backend;

    /// The migrations the binary knows.
    fn migrator() -> &'static sqlx::migrate::Migrator;
    /// A handle on the pool (a cheap clone).
    fn pool(&self) -> Self::Pool;
    /// Begins a write transaction.
    async fn begin(&self) -> Result<Self::Tx, sqlx::Error>;
    /// The in-process write lock, where the database needs one (SQLite).
    async fn lock_writes(&self) -> Option<MutexGuard<'_, ()>>;
    /// Holds the lock named `key` for every instance on the database (see `Store::exclusive`).
    async fn hold(&self, key: &str) -> StoreResult<Box<dyn Send>>;
    async fn close_pool(&self);
    async fn run_migrations(&self) -> Result<(), sqlx::migrate::MigrateError>;
}

pub type Row<E> = <<E as Engine>::Pool as Exec>::Row;

/// Runs a read on the pool and maps every row.
pub async fn fetch_all<E: Engine, T>(
    engine: &E,
    read: Read,
    map: impl Fn(&Row<E>) -> StoreResult<T> + Send,
) -> StoreResult<Vec<T>> {
    let rows = engine.pool().fetch_all(&Stmt::from(read)).await?;
    rows::all(&rows, map)
}

/// Runs a read on the pool and maps the row it found, if any.
async fn fetch_optional<E: Engine, T>(
    engine: &E,
    read: Read,
    map: impl Fn(&Row<E>) -> StoreResult<T> + Send,
) -> StoreResult<Option<T>> {
    let row = engine.pool().fetch_optional(&Stmt::from(read)).await?;
    row.as_ref().map(map).transpose()
}

/// Reads the row of one id with `read` and maps it; an id that cannot exist finds nothing
/// without asking the database.
async fn fetch_by_id<E: Engine, T>(
    engine: &E,
    id: &str,
    read: fn(&str) -> Read,
    map: impl Fn(&Row<E>) -> StoreResult<T> + Send,
) -> StoreResult<Option<T>> {
    if !crate::ids::plausible(id) {
        return Ok(None);
    }
    fetch_optional(engine, read(id), map).await
}

/// Runs a bookkeeping write (not audited, outside any `apply`) on the pool.
async fn bookkeeping<E: Engine>(engine: &E, stmt: Stmt) -> StoreResult<u64> {
    let _guard = engine.lock_writes().await;
    Ok(engine.pool().execute(&stmt).await?)
}

/// Compares the applied migrations with the binary's.
async fn migration_report<E: Engine>(engine: &E) -> StoreResult<MigrationReport> {
    let stmt =
        Stmt::new("SELECT version, checksum, success FROM _sqlx_migrations ORDER BY version");
    let applied: Vec<(i64, Vec<u8>, bool)> = match engine.pool().fetch_all(&stmt).await {
        Ok(rows) => rows
            .iter()
            .map(|r| Ok((r.int("version")?, r.bytes("checksum")?, r.flag("success")?)))
            .collect::<Result<_, sqlx::Error>>()?,
        Err(sqlx::Error::Database(_)) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    let known: Vec<_> = E::migrator().iter().collect();
    let mut report = MigrationReport {
        pending: vec![],
        unknown: vec![],
        modified: vec![],
        failed: vec![],
    };
    for m in &known {
        match applied.iter().find(|a| a.0 == m.version) {
            None => report.pending.push(m.version),
            Some(a) if !a.2 => report.failed.push(m.version),
            Some(a) if a.1.as_slice() != &*m.checksum => report.modified.push(m.version),
            Some(_) => {}
        }
    }
    for a in &applied {
        if !known.iter().any(|m| m.version == a.0) {
            report.unknown.push(a.0);
        }
    }
    Ok(report)
}

/// Applies every op and the audit row in one transaction.
async fn apply<E: Engine>(engine: &E, ops: &[Op], audit: Option<&AuditEntry>) -> StoreResult<()> {
    let _guard = engine.lock_writes().await;
    let mut tx = engine.begin().await?;
    for op in ops {
        writes::apply_op(&mut tx, op).await?;
    }
    if let Some(audit) = audit {
        writes::insert_audit(&mut tx, audit).await?;
        // Last, so the row is locked only while committing: writers of every instance pass
        // here one at a time, in the order they commit, so the marker always names the last
        // committed write (an audit row's `at` is taken before its transaction and by its own
        // instance's clock: ordering by it could miss a write that committed late or on a
        // slower clock).
        let marker =
            Stmt::new("UPDATE change_marker SET audit_id = $1 WHERE singleton = 1").bind(&audit.id);
        tx.execute(&marker).await?;
    }
    tx.commit().await?;
    Ok(())
}

#[async_trait]
impl<E: Engine> Store for E {
    fn backend(&self) -> Backend {
        E::BACKEND
    }

    async fn close(&self) {
        self.close_pool().await
    }

    async fn migrate(&self) -> StoreResult<()> {
        self.run_migrations()
            .await
            .map_err(|e| StoreError::Database(e.into()))
    }

    async fn migration_report(&self) -> StoreResult<MigrationReport> {
        migration_report(self).await
    }

    async fn probe_writes(&self) -> StoreResult<Result<(), ProbeFailure>> {
        let _guard = self.lock_writes().await;
        let mut tx = self.begin().await?;
        let outcome = probe::probe(&mut tx).await;
        tx.rollback().await?;
        Ok(outcome)
    }

    async fn exclusive(&self, key: &str) -> StoreResult<Box<dyn Send>> {
        self.hold(key).await
    }

    async fn apply(&self, ops: Vec<Op>, audit: Option<AuditEntry>) -> StoreResult<()> {
        apply(self, &ops, audit.as_ref()).await
    }

    async fn page(&self) -> StoreResult<Option<PageSettings>> {
        fetch_optional(self, reads::page(), rows::page).await
    }

    async fn components(&self) -> StoreResult<Vec<Component>> {
        fetch_all(self, reads::components(), rows::component).await
    }

    async fn component(&self, id: &str) -> StoreResult<Option<Component>> {
        fetch_by_id(self, id, reads::component, rows::component).await
    }

    async fn status_history(
        &self,
        component_id: Option<&str>,
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<StatusChange>> {
        let read = reads::status_history(component_id, since);
        let mut changes = fetch_all(self, read, rows::status_change).await?;
        // By component, each in time order (the sort is stable).
        changes.sort_by(|a, b| a.component_id.cmp(&b.component_id));
        Ok(changes)
    }

    async fn incidents(&self, f: &IncidentFilter) -> StoreResult<Vec<Incident>> {
        fetch_all(self, reads::incidents(f), rows::incident).await
    }

    async fn incident_component_ids(
        &self,
        incident_ids: &[String],
    ) -> StoreResult<Vec<(String, String)>> {
        if incident_ids.is_empty() {
            return Ok(Vec::new());
        }
        fetch_all(
            self,
            reads::incident_component_ids(incident_ids),
            rows::link,
        )
        .await
    }

    async fn incident(&self, id: &str) -> StoreResult<Option<Incident>> {
        fetch_by_id(self, id, reads::incident, rows::incident).await
    }

    async fn updates_of(&self, incident_ids: &[String]) -> StoreResult<Vec<Update>> {
        if incident_ids.is_empty() {
            return Ok(Vec::new());
        }
        fetch_all(self, reads::updates_of(incident_ids), rows::update).await
    }

    async fn translations_of_incidents(
        &self,
        incident_ids: &[String],
    ) -> StoreResult<Vec<Translation>> {
        if incident_ids.is_empty() {
            return Ok(Vec::new());
        }
        let read = reads::translations_of_incidents(incident_ids);
        fetch_all(self, read, rows::translation).await
    }

    async fn incident_detail(&self, id: &str) -> StoreResult<Option<IncidentDetail>> {
        Ok(self.incident_details(&[id.to_string()]).await?.pop())
    }

    async fn incident_details(&self, ids: &[String]) -> StoreResult<Vec<IncidentDetail>> {
        details::incident_details(self, ids).await
    }

    async fn update(&self, id: &str) -> StoreResult<Option<Update>> {
        fetch_by_id(self, id, reads::update, rows::update).await
    }

    async fn remediation_item(&self, id: &str) -> StoreResult<Option<RemediationItem>> {
        fetch_by_id(self, id, reads::remediation_item, rows::item).await
    }

    async fn translations(
        &self,
        kind: TranslatableKind,
        object_id: &str,
    ) -> StoreResult<Vec<Translation>> {
        if !crate::ids::plausible(object_id) {
            return Ok(Vec::new());
        }
        let read = reads::translations(kind, object_id);
        fetch_all(self, read, rows::translation).await
    }

    async fn translations_of_kind(&self, kind: TranslatableKind) -> StoreResult<Vec<Translation>> {
        fetch_all(self, reads::translations_of_kind(kind), rows::translation).await
    }

    async fn open_incidents_affecting(&self, component_id: &str) -> StoreResult<Vec<String>> {
        if !crate::ids::plausible(component_id) {
            return Ok(Vec::new());
        }
        let read = reads::open_incidents_affecting(component_id);
        fetch_all(self, read, |row| Ok(row.text_at(0)?)).await
    }

    async fn due_maintenances(&self, now: DateTime<Utc>) -> StoreResult<Vec<Incident>> {
        fetch_all(self, reads::due_maintenances(now), rows::incident).await
    }

    async fn token_by_hash(&self, hash: &str) -> StoreResult<Option<ApiToken>> {
        fetch_optional(self, reads::token_by_hash(hash), rows::token).await
    }

    async fn tokens(&self) -> StoreResult<Vec<ApiToken>> {
        fetch_all(self, reads::tokens(), rows::token).await
    }

    async fn touch_token(&self, id: &str, at: DateTime<Utc>) -> StoreResult<()> {
        let stmt = Stmt::new("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
            .bind(id)
            .bind(at);
        bookkeeping(self, stmt).await?;
        Ok(())
    }

    async fn user_by_name(&self, username: &str) -> StoreResult<Option<User>> {
        // No stored name holds a NUL (names are validated), and PostgreSQL refuses one.
        if username.contains('\0') {
            return Ok(None);
        }
        fetch_optional(self, reads::user_by_name(username), rows::user).await
    }

    async fn user_count(&self) -> StoreResult<i64> {
        let row = self.pool().fetch_one(&reads::user_count().into()).await?;
        Ok(row.int_at(0)?)
    }

    async fn user_by_id(&self, id: &str) -> StoreResult<Option<User>> {
        fetch_by_id(self, id, reads::user_by_id, rows::user).await
    }

    async fn users(&self) -> StoreResult<Vec<User>> {
        fetch_all(self, reads::users(), rows::user).await
    }

    async fn session(&self, id_hash: &str) -> StoreResult<Option<Session>> {
        fetch_optional(self, reads::session(id_hash), rows::session).await
    }

    async fn touch_session(&self, id_hash: &str, expires_at: DateTime<Utc>) -> StoreResult<()> {
        let stmt = Stmt::new("UPDATE sessions SET expires_at = $2 WHERE id_hash = $1")
            .bind(id_hash)
            .bind(expires_at);
        bookkeeping(self, stmt).await?;
        Ok(())
    }

    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        let stmt = Stmt::new("DELETE FROM sessions WHERE expires_at <= $1").bind(now);
        bookkeeping(self, stmt).await
    }

    async fn audit_log(&self, f: &AuditFilter) -> StoreResult<Vec<AuditEntry>> {
        fetch_all(self, reads::audit_log(f), rows::audit).await
    }

    async fn latest_change(&self) -> StoreResult<Option<String>> {
        let marker = fetch_optional(self, reads::latest_change(), |row| Ok(row.opt_text_at(0)?));
        Ok(marker.await?.flatten())
    }

    async fn count(&self, table: CountedTable) -> StoreResult<i64> {
        let sql = match table {
            CountedTable::Components => "SELECT COUNT(*) FROM components",
            CountedTable::Incidents => "SELECT COUNT(*) FROM incidents",
            CountedTable::Updates => "SELECT COUNT(*) FROM incident_updates",
            CountedTable::AuditLog => "SELECT COUNT(*) FROM audit_log",
            CountedTable::Translations => "SELECT COUNT(*) FROM translations",
        };
        Ok(self.pool().fetch_one(&Stmt::new(sql)).await?.int_at(0)?)
    }
}
