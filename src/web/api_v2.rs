//! The Statuspage v2 public API (docs/statuspage-api-v2.md), unchanged in shape so that widgets,
//! exporters and bots work against Herald by changing only the base URL. Every nullable key is
//! present, timestamps have three fractional digits and the page zone's offset.

use std::future::Future;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use utoipa::ToSchema;

use super::page_cache::Document;
use super::AppState;
use crate::domain::{
    children_of, shown_status, Component, ComponentStatus, Impact, IncidentDetail, IncidentKind,
    IncidentStatus, Indicator, PageSettings, Update,
};
use crate::error::Error;
use crate::read::{open_of, page_zone, published_postmortem};
use crate::render::labels;
use crate::render::markdown::to_statuspage_body;
use crate::render::time::statuspage_timestamp;

/// How many incidents and maintenances the "most recent" lists hold.
const RECENT: i64 = 50;
/// At most this many open incidents or maintenances are listed.
const OPEN_LIMIT: i64 = 500;

#[derive(Debug, Serialize, ToSchema)]
pub struct V2Page {
    pub id: String,
    pub name: String,
    pub url: String,
    /// IANA zone name.
    pub time_zone: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct V2Status {
    pub indicator: Indicator,
    /// "All Systems Operational", "Minor Service Outage", ...
    pub description: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct V2Component {
    pub id: String,
    pub name: String,
    pub status: ComponentStatus,
    pub created_at: String,
    pub updated_at: String,
    /// 1-based, within its parent.
    pub position: i64,
    #[schema(required = true)]
    pub description: Option<String>,
    pub showcase: bool,
    #[schema(required = true, value_type = Option<String>, format = Date)]
    pub start_date: Option<NaiveDate>,
    #[schema(required = true)]
    pub group_id: Option<String>,
    pub page_id: String,
    pub group: bool,
    pub only_show_if_degraded: bool,
    /// Child ids in order; only on groups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub components: Option<Vec<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct V2AffectedComponent {
    /// The component id.
    pub code: String,
    /// "Group - Child" for grouped components.
    pub name: String,
    pub old_status: ComponentStatus,
    pub new_status: ComponentStatus,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct V2IncidentUpdate {
    pub id: String,
    pub status: IncidentStatus,
    /// Plain text; line breaks as literal `<br />`.
    pub body: String,
    pub incident_id: String,
    pub created_at: String,
    pub updated_at: String,
    pub display_at: String,
    #[schema(required = true)]
    pub affected_components: Option<Vec<V2AffectedComponent>>,
    pub deliver_notifications: bool,
    #[schema(required = true)]
    pub custom_tweet: Option<String>,
    #[schema(required = true)]
    pub tweet_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct V2Incident {
    pub id: String,
    pub name: String,
    /// An incident status, or `postmortem` once a postmortem is published.
    pub status: String,
    pub created_at: String,
    pub updated_at: String,
    #[schema(required = true)]
    pub monitoring_at: Option<String>,
    #[schema(required = true)]
    pub resolved_at: Option<String>,
    pub impact: Impact,
    pub shortlink: String,
    pub started_at: String,
    pub page_id: String,
    /// Newest first; never empty.
    pub incident_updates: Vec<V2IncidentUpdate>,
    pub components: Vec<V2Component>,
    /// Always null (Herald sends no reminders).
    #[schema(required = true, value_type = Option<Vec<i64>>)]
    pub reminder_intervals: Option<Vec<i64>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct V2Maintenance {
    #[serde(flatten)]
    pub incident: V2Incident,
    #[schema(required = true)]
    pub scheduled_for: Option<String>,
    #[schema(required = true)]
    pub scheduled_until: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct V2Summary {
    pub page: V2Page,
    pub components: Vec<V2Component>,
    pub incidents: Vec<V2Incident>,
    pub scheduled_maintenances: Vec<V2Maintenance>,
    pub status: V2Status,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct V2StatusDocument {
    pub page: V2Page,
    pub status: V2Status,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct V2Components {
    pub page: V2Page,
    pub components: Vec<V2Component>,
    pub status: V2Status,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct V2Incidents {
    pub page: V2Page,
    pub incidents: Vec<V2Incident>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct V2Maintenances {
    pub page: V2Page,
    pub scheduled_maintenances: Vec<V2Maintenance>,
}

// ---- building the objects ----

/// What every object needs: the page, its zone, and all components.
struct Context {
    page: PageSettings,
    zone: Tz,
    components: Vec<Component>,
}

impl Context {
    async fn load(state: &AppState) -> Result<Context, Error> {
        let page = state.service.page().await?;
        let components = state.read.components().await?;
        Ok(Context {
            zone: page_zone(&page),
            page,
            components,
        })
    }

    fn ts(&self, at: DateTime<Utc>) -> String {
        statuspage_timestamp(at, self.zone)
    }

    fn page(&self) -> V2Page {
        // The page changes when its settings or any component change.
        let updated = self
            .components
            .iter()
            .map(|c| c.updated_at)
            .chain([self.page.updated_at])
            .max()
            .unwrap_or(self.page.updated_at);
        V2Page {
            id: self.page.id.clone(),
            name: self.page.name.clone(),
            url: self.page.url.clone(),
            time_zone: self.page.time_zone.clone(),
            updated_at: self.ts(updated),
        }
    }

    fn component(&self, c: &Component) -> V2Component {
        V2Component {
            id: c.id.clone(),
            name: c.name.clone(),
            status: shown_status(c, &self.components),
            created_at: self.ts(c.created_at),
            updated_at: self.ts(c.updated_at),
            position: c.position,
            description: c.description.clone(),
            showcase: c.showcase,
            start_date: c.start_date,
            group_id: c.group_id.clone(),
            page_id: self.page.id.clone(),
            group: c.is_group,
            only_show_if_degraded: c.only_show_if_degraded,
            components: c.is_group.then(|| {
                children_of(&self.components, &c.id)
                    .map(|k| k.id.clone())
                    .collect()
            }),
        }
    }

    fn components(&self) -> Vec<V2Component> {
        self.components.iter().map(|c| self.component(c)).collect()
    }

    /// "Group - Child" for a grouped component, else its name.
    fn full_name(&self, id: &str) -> String {
        let Some(c) = self.components.iter().find(|c| c.id == id) else {
            return id.to_string();
        };
        match c
            .group_id
            .as_ref()
            .and_then(|g| self.components.iter().find(|k| &k.id == g))
        {
            Some(group) => format!("{} - {}", group.name, c.name),
            None => c.name.clone(),
        }
    }

    fn update(&self, u: &Update) -> V2IncidentUpdate {
        V2IncidentUpdate {
            id: u.id.clone(),
            status: u.status,
            body: to_statuspage_body(&u.message),
            incident_id: u.incident_id.clone(),
            created_at: self.ts(u.created_at),
            updated_at: self.ts(u.updated_at),
            display_at: self.ts(u.display_at),
            affected_components: (!u.component_changes.is_empty()).then(|| {
                u.component_changes
                    .iter()
                    .map(|c| V2AffectedComponent {
                        code: c.component_id.clone(),
                        name: self.full_name(&c.component_id),
                        old_status: c.old_status,
                        new_status: c.new_status,
                    })
                    .collect()
            }),
            deliver_notifications: true,
            custom_tweet: None,
            tweet_id: None,
        }
    }

    fn incident(&self, state: &AppState, d: &IncidentDetail) -> V2Incident {
        let i = &d.incident;
        let mut updates: Vec<V2IncidentUpdate> =
            d.updates.iter().rev().map(|u| self.update(u)).collect();
        if updates.is_empty() {
            // Never empty: an incident without updates shows its status's default message.
            updates.push(V2IncidentUpdate {
                id: i.id.clone(),
                status: i.status,
                body: state.i18n.text("en", labels::default_message(i.status)),
                incident_id: i.id.clone(),
                created_at: self.ts(i.created_at),
                updated_at: self.ts(i.updated_at),
                display_at: self.ts(i.created_at),
                affected_components: None,
                deliver_notifications: true,
                custom_tweet: None,
                tweet_id: None,
            });
        }
        let status = if published_postmortem(d).is_some() {
            "postmortem".to_string()
        } else {
            i.status.as_str().to_string()
        };
        V2Incident {
            id: i.id.clone(),
            name: i.title.clone(),
            status,
            created_at: self.ts(i.created_at),
            updated_at: self.ts(i.updated_at),
            monitoring_at: i.milestones.monitoring_at.map(|t| self.ts(t)),
            resolved_at: i.milestones.resolved_at.map(|t| self.ts(t)),
            impact: i.impact,
            shortlink: format!("{}/incidents/{}", self.page.url, i.id),
            started_at: self.ts(i.started_at),
            page_id: self.page.id.clone(),
            incident_updates: updates,
            components: d
                .component_ids
                .iter()
                .filter_map(|id| self.components.iter().find(|c| &c.id == id))
                .map(|c| self.component(c))
                .collect(),
            reminder_intervals: None,
        }
    }

    fn maintenance(&self, state: &AppState, d: &IncidentDetail) -> V2Maintenance {
        V2Maintenance {
            incident: self.incident(state, d),
            scheduled_for: d.incident.scheduled_for.map(|t| self.ts(t)),
            scheduled_until: d.incident.scheduled_until.map(|t| self.ts(t)),
        }
    }

    async fn status(&self, state: &AppState) -> Result<V2Status, Error> {
        let indicator = state.read.indicator(&self.components).await?;
        Ok(V2Status {
            indicator,
            description: state.i18n.text("en", labels::indicator(indicator)),
        })
    }
}

async fn incidents(
    state: &AppState,
    kind: IncidentKind,
    statuses: &[IncidentStatus],
    limit: i64,
) -> Result<Vec<IncidentDetail>, Error> {
    state.read.published(kind, statuses, limit).await
}

const UPCOMING: &[IncidentStatus] = &[IncidentStatus::Scheduled];
const ACTIVE: &[IncidentStatus] = &[IncidentStatus::InProgress, IncidentStatus::Verifying];
/// JSON that any origin may read (the official widget fetches cross-origin).
fn answer<T: Serialize>(value: T) -> Result<Document, Error> {
    let body = serde_json::to_vec(&value)
        .map_err(|e| Error::Internal(anyhow::anyhow!("cannot write JSON: {e}")))?;
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    Ok(Document {
        body: body.into(),
        headers,
        etag: None,
        modified: None,
    })
}

/// Answers `path` from the page cache (invalidated by writes like pages, served on the fast
/// path), building it with `build` when needed.
async fn cached<F, Fut>(state: &AppState, path: &str, build: F) -> Response
where
    F: FnOnce(AppState) -> Fut + Send + 'static,
    Fut: Future<Output = Result<Document, Error>> + Send + 'static,
{
    let no_conditions = HeaderMap::new();
    super::page_cache::document(
        state,
        path,
        &no_conditions,
        build,
        super::json::error_response,
    )
    .await
}

/// Status, all components, unresolved incidents and maintenances that are not completed.
#[utoipa::path(get, path = "/api/v2/summary.json", tag = "Statuspage v2",
    responses((status = 200, description = "The page's summary", body = V2Summary), (status = 503, description = "The database is unavailable", body = super::json::ErrorBody)))]
pub async fn summary(State(state): State<AppState>) -> Response {
    cached(&state, "/api/v2/summary.json", |state| async move {
        let ctx = Context::load(&state).await?;
        let open = incidents(
            &state,
            IncidentKind::Incident,
            &open_of(IncidentKind::Incident),
            OPEN_LIMIT,
        )
        .await?;
        let maintenances = incidents(
            &state,
            IncidentKind::Maintenance,
            &open_of(IncidentKind::Maintenance),
            OPEN_LIMIT,
        )
        .await?;
        answer(V2Summary {
            page: ctx.page(),
            components: ctx.components(),
            incidents: open.iter().map(|d| ctx.incident(&state, d)).collect(),
            scheduled_maintenances: maintenances
                .iter()
                .map(|d| ctx.maintenance(&state, d))
                .collect(),
            status: ctx.status(&state).await?,
        })
    })
    .await
}

/// The roll-up only.
#[utoipa::path(get, path = "/api/v2/status.json", tag = "Statuspage v2",
    responses((status = 200, description = "The overall status", body = V2StatusDocument), (status = 503, description = "The database is unavailable", body = super::json::ErrorBody)))]
pub async fn status(State(state): State<AppState>) -> Response {
    cached(&state, "/api/v2/status.json", |state| async move {
        let ctx = Context::load(&state).await?;
        answer(V2StatusDocument {
            page: ctx.page(),
            status: ctx.status(&state).await?,
        })
    })
    .await
}

/// Every component, groups included.
#[utoipa::path(get, path = "/api/v2/components.json", tag = "Statuspage v2",
    responses((status = 200, description = "All components", body = V2Components), (status = 503, description = "The database is unavailable", body = super::json::ErrorBody)))]
pub async fn components(State(state): State<AppState>) -> Response {
    cached(&state, "/api/v2/components.json", |state| async move {
        let ctx = Context::load(&state).await?;
        answer(V2Components {
            page: ctx.page(),
            components: ctx.components(),
            status: ctx.status(&state).await?,
        })
    })
    .await
}

/// The 50 most recent incidents, resolved included, maintenances excluded.
#[utoipa::path(get, path = "/api/v2/incidents.json", tag = "Statuspage v2",
    responses((status = 200, description = "Recent incidents", body = V2Incidents), (status = 503, description = "The database is unavailable", body = super::json::ErrorBody)))]
pub async fn all_incidents(State(state): State<AppState>) -> Response {
    cached(&state, "/api/v2/incidents.json", |state| async move {
        incident_list(&state, &[], RECENT).await
    })
    .await
}

/// Incidents that are investigating, identified or monitoring.
#[utoipa::path(get, path = "/api/v2/incidents/unresolved.json", tag = "Statuspage v2",
    responses((status = 200, description = "Unresolved incidents", body = V2Incidents), (status = 503, description = "The database is unavailable", body = super::json::ErrorBody)))]
pub async fn unresolved_incidents(State(state): State<AppState>) -> Response {
    cached(
        &state,
        "/api/v2/incidents/unresolved.json",
        |state| async move { incident_list(&state, &open_of(IncidentKind::Incident), OPEN_LIMIT).await },
    )
    .await
}

async fn incident_list(
    state: &AppState,
    statuses: &[IncidentStatus],
    limit: i64,
) -> Result<Document, Error> {
    let ctx = Context::load(state).await?;
    let list = incidents(state, IncidentKind::Incident, statuses, limit).await?;
    answer(V2Incidents {
        page: ctx.page(),
        incidents: list.iter().map(|d| ctx.incident(state, d)).collect(),
    })
}

/// The 50 most recent maintenances, completed included.
#[utoipa::path(get, path = "/api/v2/scheduled-maintenances.json", tag = "Statuspage v2",
    responses((status = 200, description = "Recent maintenances", body = V2Maintenances), (status = 503, description = "The database is unavailable", body = super::json::ErrorBody)))]
pub async fn all_maintenances(State(state): State<AppState>) -> Response {
    cached(
        &state,
        "/api/v2/scheduled-maintenances.json",
        |state| async move { maintenance_list(&state, &[], RECENT).await },
    )
    .await
}

/// Maintenances that are scheduled and not started.
#[utoipa::path(get, path = "/api/v2/scheduled-maintenances/upcoming.json", tag = "Statuspage v2",
    responses((status = 200, description = "Upcoming maintenances", body = V2Maintenances), (status = 503, description = "The database is unavailable", body = super::json::ErrorBody)))]
pub async fn upcoming_maintenances(State(state): State<AppState>) -> Response {
    cached(
        &state,
        "/api/v2/scheduled-maintenances/upcoming.json",
        |state| async move { maintenance_list(&state, UPCOMING, OPEN_LIMIT).await },
    )
    .await
}

/// Maintenances in progress or verifying.
#[utoipa::path(get, path = "/api/v2/scheduled-maintenances/active.json", tag = "Statuspage v2",
    responses((status = 200, description = "Active maintenances", body = V2Maintenances), (status = 503, description = "The database is unavailable", body = super::json::ErrorBody)))]
pub async fn active_maintenances(State(state): State<AppState>) -> Response {
    cached(
        &state,
        "/api/v2/scheduled-maintenances/active.json",
        |state| async move { maintenance_list(&state, ACTIVE, OPEN_LIMIT).await },
    )
    .await
}

async fn maintenance_list(
    state: &AppState,
    statuses: &[IncidentStatus],
    limit: i64,
) -> Result<Document, Error> {
    let ctx = Context::load(state).await?;
    let list = incidents(state, IncidentKind::Maintenance, statuses, limit).await?;
    answer(V2Maintenances {
        page: ctx.page(),
        scheduled_maintenances: list.iter().map(|d| ctx.maintenance(state, d)).collect(),
    })
}
