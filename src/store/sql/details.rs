//! `incident_details`: many incidents with everything they hold, in a fixed number of queries
//! (one per kind of row, each binding all the ids), put together here.

use super::exec::Fields;
use super::reads::{self, Read};
use super::rows;
use super::store::{fetch_all, Engine, Row};
use crate::domain::{
    ComponentChange, Incident, IncidentDetail, Postmortem, RemediationItem, Translation, Update,
};
use crate::store::{StoreError, StoreResult};

/// The rows of every kind, for all the incidents asked for.
struct Loaded {
    incidents: Vec<Incident>,
    links: Vec<(String, String)>,
    updates: Vec<Update>,
    postmortems: Vec<Postmortem>,
    items: Vec<RemediationItem>,
    /// Each with the incident it belongs to.
    translations: Vec<(String, Translation)>,
}

pub async fn incident_details<E: Engine>(
    engine: &E,
    ids: &[String],
) -> StoreResult<Vec<IncidentDetail>> {
    // Ids that cannot exist are skipped like unknown ones.
    let ids: Vec<String> = ids
        .iter()
        .filter(|id| crate::ids::plausible(id))
        .cloned()
        .collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let loaded = load(engine, &ids).await?;
    // In the order asked for; unknown ids are skipped.
    Ok(ids
        .iter()
        .filter_map(|id| loaded.incidents.iter().find(|i| &i.id == id))
        .map(|incident| loaded.detail(incident))
        .collect())
}

async fn load<E: Engine>(engine: &E, ids: &[String]) -> StoreResult<Loaded> {
    let mut queries = reads::incident_details(ids).into_iter().map(|(_, r)| r);
    let mut next = || -> StoreResult<Read> {
        queries
            .next()
            .ok_or_else(|| StoreError::Corrupt("incident_details: a query is missing".into()))
    };
    let incidents = fetch_all(engine, next()?, rows::incident).await?;
    let links = fetch_all(engine, next()?, rows::link).await?;
    let mut updates = fetch_all(engine, next()?, rows::update).await?;
    let change = |row: &Row<E>| -> StoreResult<(String, ComponentChange)> {
        Ok((row.text("update_id")?, rows::component_change(row)?))
    };
    for (update_id, change) in fetch_all(engine, next()?, change).await? {
        if let Some(u) = updates.iter_mut().find(|u| u.id == update_id) {
            u.component_changes.push(change);
        }
    }
    for revision in fetch_all(engine, next()?, rows::revision).await? {
        if let Some(u) = updates.iter_mut().find(|u| u.id == revision.update_id) {
            u.revisions.push(revision);
        }
    }
    let postmortems = fetch_all(engine, next()?, rows::postmortem).await?;
    let items = fetch_all(engine, next()?, rows::item).await?;
    let owned = |row: &Row<E>| -> StoreResult<(String, Translation)> {
        Ok((row.text("owner")?, rows::translation(row)?))
    };
    let translations = fetch_all(engine, next()?, owned).await?;
    Ok(Loaded {
        incidents,
        links,
        updates,
        postmortems,
        items,
        translations,
    })
}

impl Loaded {
    fn detail(&self, incident: &Incident) -> IncidentDetail {
        let id = &incident.id;
        IncidentDetail {
            incident: incident.clone(),
            component_ids: self
                .links
                .iter()
                .filter(|l| &l.0 == id)
                .map(|l| l.1.clone())
                .collect(),
            updates: self
                .updates
                .iter()
                .filter(|u| &u.incident_id == id)
                .cloned()
                .collect(),
            postmortem: self
                .postmortems
                .iter()
                .find(|p| &p.incident_id == id)
                .cloned(),
            remediation_items: self
                .items
                .iter()
                .filter(|r| &r.incident_id == id)
                .cloned()
                .collect(),
            translations: self
                .translations
                .iter()
                .filter(|t| &t.0 == id)
                .map(|t| t.1.clone())
                .collect(),
        }
    }
}
