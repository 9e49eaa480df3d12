//! The read model shared by the feeds, the Statuspage API and the badge: published incidents
//! with everything they hold, in a fixed number of queries, and the overall status.

use chrono_tz::Tz;

use super::AppState;
use crate::domain::*;
use crate::error::Error;
use crate::store::IncidentFilter;

/// How many open incidents and maintenances the roll-up looks at, at most.
const OPEN_LIMIT: i64 = 500;

/// The incidents matching `filter`, newest first, each with its updates, postmortem, items and
/// translations: two queries for the list, a fixed number more for all the details.
pub async fn details(
    state: &AppState,
    filter: &IncidentFilter,
) -> Result<Vec<IncidentDetail>, Error> {
    let store = state.service.store();
    let incidents = store.incidents(filter).await?;
    let ids: Vec<String> = incidents.into_iter().map(|i| i.id).collect();
    Ok(store.incident_details(&ids).await?)
}

/// Statuses of incidents that are not over (maintenances included).
pub fn open_statuses() -> Vec<IncidentStatus> {
    vec![
        IncidentStatus::Investigating,
        IncidentStatus::Identified,
        IncidentStatus::Monitoring,
        IncidentStatus::InProgress,
        IncidentStatus::Verifying,
    ]
}

/// The overall indicator from open incidents, component statuses and running maintenance.
pub async fn indicator(state: &AppState, components: &[Component]) -> Result<Indicator, Error> {
    let open = state
        .service
        .store()
        .incidents(&IncidentFilter {
            statuses: open_statuses(),
            limit: OPEN_LIMIT,
            ..Default::default()
        })
        .await?;
    let leaves: Vec<ComponentStatus> = components
        .iter()
        .filter(|c| !c.is_group)
        .map(|c| c.status)
        .collect();
    let impacts = open
        .iter()
        .filter(|i| i.kind == IncidentKind::Incident)
        .map(|i| i.impact);
    let maintenance = open.iter().any(|i| i.kind == IncidentKind::Maintenance);
    Ok(Indicator::roll_up(impacts, &leaves, maintenance))
}

/// A group's status is its worst child's.
pub fn shown_status(c: &Component, all: &[Component]) -> ComponentStatus {
    if c.is_group {
        ComponentStatus::worst(
            all.iter()
                .filter(|k| k.group_id.as_deref() == Some(&c.id))
                .map(|k| k.status),
        )
    } else {
        c.status
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
