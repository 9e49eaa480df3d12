//! A Store that counts the calls made through it, to prove a page costs a fixed number of
//! queries whatever the size of the history (each store call is a fixed number of queries).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use herald::domain::{
    ApiToken, AuditEntry, Component, Incident, IncidentDetail, PageSettings, RemediationItem,
    Session, StatusChange, TranslatableKind, Translation, Update, User,
};
use herald::store::{
    AuditFilter, Backend, CountedTable, IncidentFilter, MigrationReport, Op, ProbeFailure, Store,
    StoreResult,
};

pub struct CountingStore {
    pub inner: Arc<dyn Store>,
    pub calls: AtomicUsize,
    /// Milliseconds every incident list takes on top of the database's own time: a slow
    /// database, for tests of what happens during a render.
    delay_ms: AtomicU64,
}

impl CountingStore {
    pub fn new(inner: Arc<dyn Store>) -> CountingStore {
        CountingStore {
            inner,
            calls: AtomicUsize::new(0),
            delay_ms: AtomicU64::new(0),
        }
    }

    /// Makes every incident list take `ms` milliseconds longer from now on.
    pub fn set_delay(&self, ms: u64) {
        self.delay_ms.store(ms, Ordering::SeqCst);
    }

    pub fn take(&self) -> usize {
        self.calls.swap(0, Ordering::SeqCst)
    }

    fn tick(&self) {
        self.calls.fetch_add(1, Ordering::SeqCst);
    }
}

#[async_trait]
impl Store for CountingStore {
    fn backend(&self) -> Backend {
        self.inner.backend()
    }
    async fn migrate(&self) -> StoreResult<()> {
        self.inner.migrate().await
    }
    async fn migration_report(&self) -> StoreResult<MigrationReport> {
        self.tick();
        self.inner.migration_report().await
    }
    async fn probe_writes(&self) -> StoreResult<Result<(), ProbeFailure>> {
        self.tick();
        self.inner.probe_writes().await
    }
    async fn exclusive(&self, key: &str) -> StoreResult<Box<dyn Send>> {
        self.inner.exclusive(key).await
    }
    async fn apply(&self, ops: Vec<Op>, audit: Option<AuditEntry>) -> StoreResult<()> {
        self.tick();
        self.inner.apply(ops, audit).await
    }
    async fn page(&self) -> StoreResult<Option<PageSettings>> {
        self.tick();
        self.inner.page().await
    }
    async fn components(&self) -> StoreResult<Vec<Component>> {
        self.tick();
        self.inner.components().await
    }
    async fn component(&self, id: &str) -> StoreResult<Option<Component>> {
        self.tick();
        self.inner.component(id).await
    }
    async fn status_history(
        &self,
        component_id: Option<&str>,
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<StatusChange>> {
        self.tick();
        self.inner.status_history(component_id, since).await
    }
    async fn incidents(&self, filter: &IncidentFilter) -> StoreResult<Vec<Incident>> {
        self.tick();
        let delay = self.delay_ms.load(Ordering::SeqCst);
        if delay > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
        }
        self.inner.incidents(filter).await
    }
    async fn incident_component_ids(&self, ids: &[String]) -> StoreResult<Vec<(String, String)>> {
        self.tick();
        self.inner.incident_component_ids(ids).await
    }
    async fn incident(&self, id: &str) -> StoreResult<Option<Incident>> {
        self.tick();
        self.inner.incident(id).await
    }
    async fn updates_of(&self, ids: &[String]) -> StoreResult<Vec<Update>> {
        self.tick();
        self.inner.updates_of(ids).await
    }
    async fn translations_of_incidents(&self, ids: &[String]) -> StoreResult<Vec<Translation>> {
        self.tick();
        self.inner.translations_of_incidents(ids).await
    }
    async fn incident_detail(&self, id: &str) -> StoreResult<Option<IncidentDetail>> {
        self.tick();
        self.inner.incident_detail(id).await
    }
    async fn incident_details(&self, ids: &[String]) -> StoreResult<Vec<IncidentDetail>> {
        self.tick();
        self.inner.incident_details(ids).await
    }
    async fn update(&self, id: &str) -> StoreResult<Option<Update>> {
        self.tick();
        self.inner.update(id).await
    }
    async fn remediation_item(&self, id: &str) -> StoreResult<Option<RemediationItem>> {
        self.tick();
        self.inner.remediation_item(id).await
    }
    async fn translations(
        &self,
        kind: TranslatableKind,
        id: &str,
    ) -> StoreResult<Vec<Translation>> {
        self.tick();
        self.inner.translations(kind, id).await
    }
    async fn translations_of_kind(&self, kind: TranslatableKind) -> StoreResult<Vec<Translation>> {
        self.tick();
        self.inner.translations_of_kind(kind).await
    }
    async fn open_incidents_affecting(&self, component_id: &str) -> StoreResult<Vec<String>> {
        self.tick();
        self.inner.open_incidents_affecting(component_id).await
    }
    async fn due_maintenances(&self, now: DateTime<Utc>) -> StoreResult<Vec<Incident>> {
        // The background ticker calls this; it is not part of a page.
        self.inner.due_maintenances(now).await
    }
    async fn token_by_hash(&self, hash: &str) -> StoreResult<Option<ApiToken>> {
        self.tick();
        self.inner.token_by_hash(hash).await
    }
    async fn tokens(&self) -> StoreResult<Vec<ApiToken>> {
        self.tick();
        self.inner.tokens().await
    }
    async fn touch_token(&self, id: &str, at: DateTime<Utc>) -> StoreResult<()> {
        self.tick();
        self.inner.touch_token(id, at).await
    }
    async fn user_by_name(&self, username: &str) -> StoreResult<Option<User>> {
        self.tick();
        self.inner.user_by_name(username).await
    }
    async fn user_count(&self) -> StoreResult<i64> {
        self.tick();
        self.inner.user_count().await
    }
    async fn user_by_id(&self, id: &str) -> StoreResult<Option<User>> {
        self.tick();
        self.inner.user_by_id(id).await
    }
    async fn users(&self) -> StoreResult<Vec<User>> {
        self.tick();
        self.inner.users().await
    }
    async fn touch_session(&self, id_hash: &str, expires_at: DateTime<Utc>) -> StoreResult<()> {
        self.tick();
        self.inner.touch_session(id_hash, expires_at).await
    }
    async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64> {
        // The background ticker calls this; it is not part of a page.
        self.inner.delete_expired_sessions(now).await
    }
    async fn session(&self, id_hash: &str) -> StoreResult<Option<Session>> {
        self.tick();
        self.inner.session(id_hash).await
    }
    async fn audit_log(&self, filter: &AuditFilter) -> StoreResult<Vec<AuditEntry>> {
        self.tick();
        self.inner.audit_log(filter).await
    }
    async fn latest_change(&self) -> StoreResult<Option<String>> {
        // The change watcher polls this in the background; it is not part of a page.
        self.inner.latest_change().await
    }
    async fn count(&self, table: CountedTable) -> StoreResult<i64> {
        self.inner.count(table).await
    }
}
