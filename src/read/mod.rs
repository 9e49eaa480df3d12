//! The read side: everything the site, the feeds, the Statuspage API, the badge and the
//! health check read, in a fixed number of store calls whatever the size of the history (each
//! store call is a fixed number of queries). Besides `service`, the only code that talks to
//! the store; `web` asks a [`Reader`] for what it shows.
//!
//! One file per concern: `site` (the pages), `history` (its paging), `published` (what the
//! feeds, `/api/v2` and the badge share: published incidents and the overall indicator),
//! `feeds`, `statuspage`, `health`.

pub mod api;
mod feeds;
mod health;
mod history;
pub mod paths;
mod published;
mod site;
mod statuspage;

use std::sync::Arc;

use crate::domain::{Component, Incident, PageSettings, TranslatableKind, Translation, Update};
use crate::error::{Error, Result};
use crate::store::{IncidentFilter, Store};

pub use feeds::FeedData;
pub use health::Readiness;
pub use history::{history_page_of, month_start, HistoryData, Period};
pub use published::{page_zone, published_postmortem};
pub use site::{ComponentData, HomeData, IncidentData};
pub use statuspage::open_of;

pub mod console;

/// Days of history on the home page, and of the uptime bars.
pub const RECENT_DAYS: i64 = 14;
pub const UPTIME_DAYS: i64 = 90;
/// Months per page of the history.
pub const HISTORY_MONTHS: u32 = 3;
/// The most incidents one history page, or the home page's last days, list; more continue on
/// the next history page (keyset pagination).
pub const LIST_LIMIT: i64 = 200;
/// Incidents per page of a component's list.
pub const COMPONENT_LIMIT: i64 = 25;

/// Reads for the web: cheap to clone, one per application.
#[derive(Clone)]
pub struct Reader {
    store: Arc<dyn Store>,
}

impl Reader {
    pub fn new(store: Arc<dyn Store>) -> Reader {
        Reader { store }
    }

    fn store(&self) -> &dyn Store {
        self.store.as_ref()
    }

    /// All components, in display order.
    pub async fn components(&self) -> Result<Vec<Component>> {
        Ok(self.store().components().await?)
    }
}

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
    let more = crate::domain::numbers::count(incidents.len()) > filter.limit;
    incidents.truncate(crate::domain::numbers::length(filter.limit));
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
