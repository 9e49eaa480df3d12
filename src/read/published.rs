//! What the feeds, the Statuspage API and the badge share: published incidents with
//! everything they hold, and the overall indicator.

use chrono_tz::Tz;

use super::Reader;
use crate::domain::{
    Component, IncidentDetail, IncidentStatus, Indicator, PageSettings, Postmortem, PostmortemState,
};
use crate::error::Result;
use crate::store::IncidentFilter;

/// How many open incidents and maintenances the indicator looks at, at most.
const OPEN_LIMIT: i64 = 500;

impl Reader {
    /// The incidents matching `filter`, newest first, each with its updates, postmortem, items
    /// and translations: two queries for the list, a fixed number more for all the details.
    pub async fn details(&self, filter: &IncidentFilter) -> Result<Vec<IncidentDetail>> {
        let store = self.store();
        let incidents = store.incidents(filter).await?;
        let ids: Vec<String> = incidents.into_iter().map(|i| i.id).collect();
        Ok(store.incident_details(&ids).await?)
    }

    /// The overall indicator (`Indicator::of`) of the page whose components are `components`.
    pub async fn indicator(&self, components: &[Component]) -> Result<Indicator> {
        let open = self
            .store()
            .incidents(&IncidentFilter {
                statuses: IncidentStatus::OPEN.to_vec(),
                limit: OPEN_LIMIT,
                ..Default::default()
            })
            .await?;
        Ok(Indicator::of(&open, components))
    }

    /// The overall indicator, components and all (the badge).
    pub async fn overall(&self) -> Result<Indicator> {
        let components = self.components().await?;
        self.indicator(&components).await
    }
}

/// The page's IANA zone (validated on input; UTC if it somehow does not parse).
pub fn page_zone(page: &PageSettings) -> Tz {
    page.time_zone.parse().unwrap_or(Tz::UTC)
}

/// Whether the postmortem is public.
pub fn published_postmortem(d: &IncidentDetail) -> Option<&Postmortem> {
    d.postmortem
        .as_ref()
        .filter(|p| p.state == PostmortemState::Published)
}
