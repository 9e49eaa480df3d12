//! What `/readyz` reads: the migrations applied and whether the database takes writes.

use std::time::Duration;

use super::Reader;
use crate::store::{MigrationReport, ProbeFailure, StoreError};

/// The database's answers to the readiness checks.
pub struct Readiness {
    pub migrations: Result<MigrationReport, StoreError>,
    pub writes: Result<Result<(), ProbeFailure>, StoreError>,
}

impl Reader {
    /// Both checks, or `None` when the database does not answer within `limit`.
    pub async fn readiness(&self, limit: Duration) -> Option<Readiness> {
        let store = self.store.clone();
        tokio::time::timeout(limit, async move {
            let migrations = store.migration_report().await;
            let writes = store.probe_writes().await;
            Readiness { migrations, writes }
        })
        .await
        .ok()
    }
}
