//! What the static mirror (`crate::mirror`) needs from the read side: every incident and
//! component id, and which incidents the writes after a given change touched. Only `Store`
//! reads; the mirror renders nothing itself (it asks the router for each path).

use std::collections::HashSet;

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
    /// When the oldest of them started.
    pub oldest: Option<chrono::DateTime<chrono::Utc>>,
    pub components: Vec<Component>,
}

pub async fn everything(store: &dyn Store) -> Result<Everything> {
    let mut incidents = Vec::new();
    let mut after: Option<IncidentCursor> = None;
    let mut oldest = None;
    loop {
        let batch = store
            .incidents(&IncidentFilter {
                limit: BATCH,
                after: after.clone(),
                ..Default::default()
            })
            .await?;
        after = batch.last().map(IncidentCursor::of);
        oldest = batch.last().map(|i| i.started_at).or(oldest);
        let done = crate::domain::numbers::count(batch.len()) < BATCH;
        incidents.extend(batch.into_iter().map(|i| i.id));
        if done {
            break;
        }
    }
    Ok(Everything {
        incidents,
        oldest,
        components: store.components().await?,
    })
}

/// Every component's id.
pub async fn everything_components(store: &dyn Store) -> Result<Vec<String>> {
    Ok(store
        .components()
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect())
}

/// What the writes not yet seen touched, as far as public files go.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes {
    /// The ids of the newest audit rows (the next call's `seen`). Rows are matched by id, not
    /// by order: writes in the same instant (a test's fixed clock) have no reliable order.
    pub seen: HashSet<String>,
    /// Incidents (and maintenances) whose own page, and the pages listing them, changed.
    pub incidents: Vec<String>,
    /// The components those incidents affect, and their groups.
    pub components: Vec<String>,
    /// Something every page shows changed (page settings, a component, a translation of
    /// them), or the gap was too long to tell: everything is to be rewritten.
    pub everything: bool,
}

/// The changes among the newest audit rows that are not in `seen` (the previous call's).
pub async fn changes_since(store: &dyn Store, seen: &HashSet<String>) -> Result<Changes> {
    let entries = store
        .audit_log(&AuditFilter {
            limit: AUDIT_WINDOW,
            ..Default::default()
        })
        .await?;
    let newer: Vec<&AuditEntry> = entries.iter().filter(|e| !seen.contains(&e.id)).collect();
    let mut changes = Changes {
        seen: entries.iter().map(|e| e.id.clone()).collect(),
        // Nothing known before, or no row in common: the gap was too long to tell.
        everything: !newer.is_empty() && newer.len() == entries.len(),
        ..Default::default()
    };
    if changes.everything {
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
    let all = store.components().await?;
    for (_, id) in store.incident_component_ids(&changes.incidents).await? {
        let group = all
            .iter()
            .find(|c| c.id == id)
            .and_then(|c| c.group_id.clone());
        for c in std::iter::once(id).chain(group) {
            if !changes.components.contains(&c) {
                changes.components.push(c);
            }
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
