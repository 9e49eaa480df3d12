//! What the site's pages read: the home page, an incident, a component.

use chrono::{DateTime, Duration, Utc};

use super::{bounded_list, common, list, Common, IncidentList, Reader};
use super::{COMPONENT_LIMIT, LIST_LIMIT, RECENT_DAYS, UPTIME_DAYS};
use crate::domain::{
    family, Component, IncidentDetail, IncidentKind, IncidentStatus, StatusChange,
};
use crate::error::{Error, Result};
use crate::store::IncidentFilter;

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

pub struct ComponentData {
    pub common: Common,
    pub component: Component,
    pub list: IncidentList,
    pub history: Vec<StatusChange>,
}

impl Reader {
    pub async fn home(&self, now: DateTime<Utc>) -> Result<HomeData> {
        let store = self.store();
        let open = list(
            store,
            &IncidentFilter {
                statuses: IncidentStatus::OPEN.to_vec(),
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

    pub async fn incident(&self, id: &str) -> Result<IncidentData> {
        let store = self.store();
        let detail = store
            .incident_detail(id)
            .await?
            .ok_or_else(|| Error::not_found("incident", id))?;
        Ok(IncidentData {
            common: common(store).await?,
            detail,
        })
    }

    /// A component and its incidents (a group's are its children's), the newest
    /// `COMPONENT_LIMIT` that started before `before`.
    pub async fn component(
        &self,
        id: &str,
        now: DateTime<Utc>,
        before: Option<DateTime<Utc>>,
    ) -> Result<ComponentData> {
        let store = self.store();
        let common = common(store).await?;
        let component = common
            .components
            .iter()
            .find(|c| c.id == id)
            .cloned()
            .ok_or_else(|| Error::not_found("component", id))?;
        let filter = IncidentFilter {
            component_ids: family(&common.components, id),
            before,
            limit: COMPONENT_LIMIT,
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
}
