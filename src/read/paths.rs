//! What the static mirror (`crate::mirror`) needs from the read side: every incident and
//! component id, and which incidents the writes after a given change touched. Only `Store`
//! reads; the mirror renders nothing itself (it asks the router for each path).

use crate::domain::{AuditEntry, Component};
use crate::error::Result;
use crate::store::{AuditFilter, IncidentCursor, IncidentFilter, Store};

/// Incidents read per store call while listing them all.
const BATCH: i64 = 1000;
/// Audit rows read per batch of changes; a longer gap means "everything may have changed".
const AUDIT_WINDOW: i64 = 200;

/// Every incident and maintenance id, newest first, and every component.
pub struct Everything {
    pub incidents: Vec<String>,
    pub components: Vec<Component>,
}

pub async fn everything(store: &dyn Store) -> Result<Everything> {
    let mut incidents = Vec::new();
    let mut after: Option<IncidentCursor> = None;
    loop {
        let batch = store
            .incidents(&IncidentFilter {
                limit: BATCH,
                after: after.clone(),
                ..Default::default()
            })
            .await?;
        after = batch.last().map(IncidentCursor::of);
        let done = (batch.len() as i64) < BATCH;
        incidents.extend(batch.into_iter().map(|i| i.id));
        if done {
            break;
        }
    }
    Ok(Everything {
        incidents,
        components: store.components().await?,
    })
}

/// What the writes after a change touched, as far as public files go.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// The audit id of the newest write seen (the next call's `since`).
    pub latest: Option<String>,
    /// Incidents (and maintenances) whose own page, and the pages listing them, changed.
    pub incidents: Vec<String>,
    /// Something every page shows changed (page settings, a component, a translation of
    /// them), or the gap was too long to tell: everything is to be rewritten.
    pub everything: bool,
}

/// The changes committed after the audit id `since` (all of them when `None`).
pub async fn changes_since(store: &dyn Store, since: Option<&str>) -> Result<Changes> {
    let latest = store.latest_change().await?;
    let mut changes = Changes {
        latest: latest.clone(),
        ..Default::default()
    };
    if latest.as_deref() == since {
        return Ok(changes);
    }
    let Some(since) = since else {
        changes.everything = true;
        return Ok(changes);
    };
    let entries = store
        .audit_log(&AuditFilter {
            limit: AUDIT_WINDOW,
            ..Default::default()
        })
        .await?;
    let newer: Vec<&AuditEntry> = entries
        .iter()
        .take_while(|e| e.id.as_str() > since)
        .collect();
    if newer.len() == entries.len() {
        // The window did not reach the last change seen.
        changes.everything = true;
        return Ok(changes);
    }
    for entry in newer {
        match incident_of(store, entry).await? {
            Touched::Incident(id) => {
                if !changes.incidents.contains(&id) {
                    changes.incidents.push(id);
                }
            }
            Touched::Nothing => {}
            Touched::Everything => changes.everything = true,
        }
    }
    Ok(changes)
}

enum Touched {
    Incident(String),
    Nothing,
    Everything,
}

/// The incident an audited write is about.
async fn incident_of(store: &dyn Store, entry: &AuditEntry) -> Result<Touched> {
    let id = entry.object_id.as_str();
    Ok(match entry.object_kind.as_str() {
        "incident" => Touched::Incident(id.to_string()),
        "postmortem" => match store.incident(id).await? {
            Some(i) => Touched::Incident(i.id),
            None => Touched::Everything,
        },
        "update" => match store.update(id).await? {
            Some(u) => Touched::Incident(u.incident_id),
            None => Touched::Everything,
        },
        "remediation-item" => match store.remediation_item(id).await? {
            Some(item) => Touched::Incident(item.incident_id),
            None => Touched::Everything,
        },
        // Console users and API tokens are not on any public page.
        "token" | "user" => Touched::Nothing,
        _ => Touched::Everything,
    })
}
