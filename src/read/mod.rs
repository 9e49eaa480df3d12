//! The read model of the public site: what each page needs, loaded in a fixed number of store
//! calls whatever the size of the history (each store call is a fixed number of queries).

pub mod paths;

use chrono::{DateTime, Duration, Utc};

use crate::domain::*;
use crate::error::{Error, Result};
use crate::store::{IncidentCursor, IncidentFilter, Store};

/// Days of history on the home page, and of the uptime bars.
pub const RECENT_DAYS: i64 = 14;
pub const UPTIME_DAYS: i64 = 90;
/// Months per page of the history.
pub const HISTORY_MONTHS: u32 = 3;
/// The most incidents one history page, or the home page's last days, list; more continue on
/// the next history page (keyset pagination).
pub const LIST_LIMIT: i64 = 200;

/// Incidents with their updates and translations, for lists.
#[derive(Debug, Clone, Default)]
pub struct IncidentList {
    pub incidents: Vec<Incident>,
    /// (incident id, component id), in order.
    pub links: Vec<(String, String)>,
    /// Updates of the listed incidents, each incident's in display order.
    pub updates: Vec<Update>,
    pub translations: Vec<Translation>,
}

impl IncidentList {
    pub fn updates_of<'a>(&'a self, incident_id: &'a str) -> impl Iterator<Item = &'a Update> + 'a {
        self.updates
            .iter()
            .filter(move |u| u.incident_id == incident_id)
    }

    pub fn components_of(&self, incident_id: &str) -> Vec<String> {
        self.links
            .iter()
            .filter(|l| l.0 == incident_id)
            .map(|l| l.1.clone())
            .collect()
    }
}

/// What every public page shares.
#[derive(Debug, Clone)]
pub struct Common {
    pub page: PageSettings,
    pub page_translations: Vec<Translation>,
    pub components: Vec<Component>,
    pub component_translations: Vec<Translation>,
}

pub struct HomeData {
    pub common: Common,
    /// Open incidents and maintenances (not closed), newest first.
    pub open: IncidentList,
    /// Incidents that started in the last `RECENT_DAYS` days, the newest `LIST_LIMIT`.
    pub recent: IncidentList,
    /// More incidents started in those days than `recent` holds.
    pub recent_more: bool,
    /// Status changes in the uptime window.
    pub history: Vec<StatusChange>,
}

pub struct IncidentData {
    pub common: Common,
    pub detail: IncidentDetail,
}

pub struct HistoryData {
    pub common: Common,
    /// At most `LIST_LIMIT` incidents of the period, newest first, after `after`.
    pub list: IncidentList,
    /// The period has more incidents after the listed ones.
    pub more: bool,
    /// The incident this part of the period continues after (listed on the part before).
    pub after: Option<Incident>,
}

pub struct ComponentData {
    pub common: Common,
    pub component: Component,
    pub list: IncidentList,
    pub history: Vec<StatusChange>,
}

/// A component and, for a group, its children: what an incident filter on it should match.
pub fn family(all: &[Component], id: &str) -> Vec<String> {
    let mut ids: Vec<String> = all
        .iter()
        .filter(|c| c.group_id.as_deref() == Some(id))
        .map(|c| c.id.clone())
        .collect();
    ids.push(id.to_string());
    ids
}

async fn common(store: &dyn Store) -> Result<Common> {
    let page = store
        .page()
        .await?
        .ok_or_else(|| Error::Unavailable("the page is not initialised".into()))?;
    Ok(Common {
        page_translations: store.translations_of_kind(TranslatableKind::Page).await?,
        components: store.components().await?,
        component_translations: store
            .translations_of_kind(TranslatableKind::Component)
            .await?,
        page,
    })
}

async fn list(store: &dyn Store, filter: &IncidentFilter) -> Result<IncidentList> {
    let incidents = store.incidents(filter).await?;
    with_details(store, incidents).await
}

/// Up to `filter.limit` incidents, and whether there are more: one more is asked for.
async fn bounded_list(store: &dyn Store, filter: &IncidentFilter) -> Result<(IncidentList, bool)> {
    let mut incidents = store
        .incidents(&IncidentFilter {
            limit: filter.limit + 1,
            ..filter.clone()
        })
        .await?;
    let more = incidents.len() as i64 > filter.limit;
    incidents.truncate(filter.limit.max(0) as usize);
    Ok((with_details(store, incidents).await?, more))
}

async fn with_details(store: &dyn Store, incidents: Vec<Incident>) -> Result<IncidentList> {
    let ids: Vec<String> = incidents.iter().map(|i| i.id.clone()).collect();
    Ok(IncidentList {
        links: store.incident_component_ids(&ids).await?,
        updates: store.updates_of(&ids).await?,
        translations: store.translations_of_incidents(&ids).await?,
        incidents,
    })
}

const OPEN: [IncidentStatus; 6] = [
    IncidentStatus::Investigating,
    IncidentStatus::Identified,
    IncidentStatus::Monitoring,
    IncidentStatus::Scheduled,
    IncidentStatus::InProgress,
    IncidentStatus::Verifying,
];

pub async fn home(store: &dyn Store, now: DateTime<Utc>) -> Result<HomeData> {
    let open = list(
        store,
        &IncidentFilter {
            statuses: OPEN.to_vec(),
            limit: LIST_LIMIT,
            ..Default::default()
        },
    )
    .await?;
    let (recent, recent_more) = bounded_list(
        store,
        &IncidentFilter {
            kind: Some(IncidentKind::Incident),
            since: Some(now - Duration::days(RECENT_DAYS)),
            before: Some(now + Duration::minutes(1)),
            limit: LIST_LIMIT,
            ..Default::default()
        },
    )
    .await?;
    Ok(HomeData {
        common: common(store).await?,
        open,
        recent,
        recent_more,
        history: store
            .status_history(None, now - Duration::days(UPTIME_DAYS))
            .await?,
    })
}

pub async fn incident(store: &dyn Store, id: &str) -> Result<IncidentData> {
    let detail = store
        .incident_detail(id)
        .await?
        .ok_or_else(|| Error::not_found("incident", id))?;
    Ok(IncidentData {
        common: common(store).await?,
        detail,
    })
}

/// Incidents and maintenances that started in `[from, to)`: the newest `LIST_LIMIT` after the
/// incident `after` (all of them from the newest without it). An unknown `after` is not found.
pub async fn history(
    store: &dyn Store,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    after: Option<&str>,
) -> Result<HistoryData> {
    let after = match after {
        Some(id) => Some(
            store
                .incident(id)
                .await?
                .ok_or_else(|| Error::NotFound("no such history page".into()))?,
        ),
        None => None,
    };
    let filter = IncidentFilter {
        since: Some(from),
        before: Some(to),
        limit: LIST_LIMIT,
        after: after.as_ref().map(IncidentCursor::of),
        ..Default::default()
    };
    let (list, more) = bounded_list(store, &filter).await?;
    Ok(HistoryData {
        common: common(store).await?,
        list,
        more,
        after,
    })
}

pub async fn component(
    store: &dyn Store,
    id: &str,
    now: DateTime<Utc>,
    before: Option<DateTime<Utc>>,
) -> Result<ComponentData> {
    let common = common(store).await?;
    let component = common
        .components
        .iter()
        .find(|c| c.id == id)
        .cloned()
        .ok_or_else(|| Error::not_found("component", id))?;
    // A group's incidents are its children's.
    let component_ids = family(&common.components, id);
    let filter = IncidentFilter {
        component_ids,
        before,
        limit: 25,
        ..Default::default()
    };
    Ok(ComponentData {
        list: list(store, &filter).await?,
        history: store
            .status_history(None, now - Duration::days(UPTIME_DAYS))
            .await?,
        common,
        component,
    })
}
