//! What the Statuspage v2 API reads (docs/statuspage-api-v2.md) besides the components:
//! published incidents by kind and status.

use super::Reader;
use crate::domain::{IncidentDetail, IncidentKind, IncidentStatus};
use crate::error::Result;
use crate::store::IncidentFilter;

impl Reader {
    /// Incidents (or maintenances) of `kind` in `statuses` (any when empty), the newest
    /// `limit`, with their details.
    pub async fn published(
        &self,
        kind: IncidentKind,
        statuses: &[IncidentStatus],
        limit: i64,
    ) -> Result<Vec<IncidentDetail>> {
        self.details(&IncidentFilter {
            kind: Some(kind),
            statuses: statuses.to_vec(),
            limit,
            ..Default::default()
        })
        .await
    }
}

/// The statuses of `kind` that are open (`IncidentStatus::OPEN`): unresolved incidents, or
/// maintenances not completed.
pub fn open_of(kind: IncidentKind) -> Vec<IncidentStatus> {
    IncidentStatus::OPEN
        .into_iter()
        .filter(|s| s.kind() == kind)
        .collect()
}
