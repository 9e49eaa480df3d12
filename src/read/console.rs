//! What the console's screens read: the lists behind the dashboard, the components, the
//! maintenance windows, the page's translations, the API tokens and the audit log. The console
//! reads through these (and writes through the service); it never talks to the store.

use crate::domain::{
    ApiToken, AuditEntry, Component, Incident, IncidentKind, IncidentStatus, TranslatableKind,
    Translation,
};
use crate::error::Result;
use crate::service::Service;
use crate::store::{AuditFilter, IncidentFilter};

/// The most open incidents, and the most recent ones, the dashboard lists.
const ACTIVE_LIMIT: i64 = 50;
const RECENT_LIMIT: i64 = 20;
/// The most maintenance windows the maintenance screen lists.
const MAINTENANCE_LIMIT: i64 = 200;

/// The dashboard: what is open, what happened lately, and every component.
pub struct Dashboard {
    /// Open incidents and maintenances, newest first.
    pub active: Vec<Incident>,
    /// The latest incidents and maintenances, open or not.
    pub recent: Vec<Incident>,
    pub components: Vec<Component>,
}

pub async fn dashboard(service: &Service) -> Result<Dashboard> {
    let store = service.store();
    let active = store
        .incidents(&IncidentFilter {
            statuses: IncidentStatus::OPEN.to_vec(),
            limit: ACTIVE_LIMIT,
            ..Default::default()
        })
        .await?;
    let recent = store
        .incidents(&IncidentFilter {
            limit: RECENT_LIMIT,
            ..Default::default()
        })
        .await?;
    let components = store.components().await?;
    Ok(Dashboard {
        active,
        recent,
        components,
    })
}

/// Every component and group, in display order.
pub async fn components(service: &Service) -> Result<Vec<Component>> {
    Ok(service.store().components().await?)
}

/// Maintenance windows not over yet (scheduled, in progress, verifying), in no set order.
pub async fn maintenance_windows(service: &Service) -> Result<Vec<Incident>> {
    Ok(service
        .store()
        .incidents(&IncidentFilter {
            kind: Some(IncidentKind::Maintenance),
            statuses: vec![
                IncidentStatus::Scheduled,
                IncidentStatus::InProgress,
                IncidentStatus::Verifying,
            ],
            limit: MAINTENANCE_LIMIT,
            ..Default::default()
        })
        .await?)
}

/// The translations of the page's own texts (its name and footer).
pub async fn page_translations(service: &Service, page_id: &str) -> Result<Vec<Translation>> {
    Ok(service
        .store()
        .translations(TranslatableKind::Page, page_id)
        .await?)
}

/// Every API token, revoked ones too.
pub async fn tokens(service: &Service) -> Result<Vec<ApiToken>> {
    Ok(service.store().tokens().await?)
}

/// The audit log's entries that `filter` selects, newest first.
pub async fn audit_log(service: &Service, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
    Ok(service.store().audit_log(filter).await?)
}
