//! The rows of Herald's data model, as plain values.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;

use super::{
    ComponentStatus, Impact, IncidentKind, IncidentStatus, PostmortemState, Provenance,
    RemediationCategory, RemediationState, Role, TranslatableKind,
};

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct PageSettings {
    /// Public page id (Statuspage `page.id`).
    pub id: String,
    pub name: String,
    pub url: String,
    /// IANA zone the Statuspage API reports times in.
    pub time_zone: String,
    /// IANA zones every time is shown in, besides UTC.
    pub display_time_zones: Vec<String>,
    pub default_locale: String,
    pub locales: Vec<String>,
    pub footer_markdown: String,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Component {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub group_id: Option<String>,
    pub is_group: bool,
    /// For a group: what its children are called ("Pods"), for "Sell — all Pods".
    pub children_label: Option<String>,
    /// 1-based position within its parent (or among top-level entries).
    pub position: i64,
    /// For a group, the stored value is ignored: a group shows its worst child.
    pub status: ComponentStatus,
    pub only_show_if_degraded: bool,
    pub showcase: bool,
    pub start_date: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One change of a component's status, from which uptime is computed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusChange {
    pub id: String,
    pub component_id: String,
    pub old_status: Option<ComponentStatus>,
    pub new_status: ComponentStatus,
    pub at: DateTime<Utc>,
    pub incident_id: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Milestones {
    #[schema(required = true)]
    pub impact_started_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub detected_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub mitigated_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub impact_ended_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub monitoring_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub resolved_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incident {
    pub id: String,
    pub kind: IncidentKind,
    pub title: String,
    pub impact: Impact,
    pub status: IncidentStatus,
    /// The locale of the original (authoritative) texts.
    pub locale: String,
    /// A short phrase for the generated summary ("delays syncing new email").
    pub symptom: Option<String>,
    pub milestones: Milestones,
    /// When it began, for ordering and Statuspage's `started_at`: the impact start if known,
    /// else the first update's display time; a maintenance's scheduled start.
    pub started_at: DateTime<Utc>,
    pub scheduled_for: Option<DateTime<Utc>>,
    pub scheduled_until: Option<DateTime<Utc>>,
    pub auto_transition: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComponentChange {
    pub component_id: String,
    pub old_status: ComponentStatus,
    pub new_status: ComponentStatus,
}

/// An earlier text of a corrected update.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Revision {
    pub id: String,
    pub update_id: String,
    pub message: String,
    pub display_at: DateTime<Utc>,
    pub replaced_at: DateTime<Utc>,
    pub replaced_by: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Update {
    pub id: String,
    pub incident_id: String,
    pub status: IncidentStatus,
    pub message: String,
    pub display_at: DateTime<Utc>,
    pub next_update_by: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub component_changes: Vec<ComponentChange>,
    /// Oldest first.
    pub revisions: Vec<Revision>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Postmortem {
    pub incident_id: String,
    pub summary: Option<String>,
    pub root_cause: String,
    pub resolution: String,
    pub state: PostmortemState,
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RemediationItem {
    pub id: String,
    pub incident_id: String,
    pub position: i64,
    pub title: String,
    pub detail: Option<String>,
    pub category: RemediationCategory,
    pub state: RemediationState,
    /// Why, for `wont_do`.
    pub state_reason: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub tracker_url: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Translation {
    pub kind: TranslatableKind,
    pub object_id: String,
    pub field: String,
    pub locale: String,
    pub text: String,
    pub provenance: Provenance,
    /// Digest of the original text it was made from: a later edit of the original makes it stale.
    pub source_digest: String,
    pub updated_at: DateTime<Utc>,
}

impl Translation {
    pub fn is_stale(&self, current_original: &str) -> bool {
        self.source_digest != text_digest(current_original)
    }
}

/// A short, stable digest of a text (the "version" a translation was made from).
pub fn text_digest(text: &str) -> String {
    use sha2::{Digest, Sha256};
    let hash = Sha256::digest(text.as_bytes());
    hex::encode(&hash[..12])
}

/// Everything about one incident, loaded in a fixed number of queries.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentDetail {
    pub incident: Incident,
    /// Affected component ids, in the order they were named.
    pub component_ids: Vec<String>,
    /// Oldest first by display time; equal times in the order they were posted.
    pub updates: Vec<Update>,
    pub postmortem: Option<Postmortem>,
    /// By position.
    pub remediation_items: Vec<RemediationItem>,
    /// Translations of the incident and of everything it holds.
    pub translations: Vec<Translation>,
}

impl IncidentDetail {
    pub fn first_update_at(&self) -> Option<DateTime<Utc>> {
        self.updates.iter().map(|u| u.display_at).min()
    }

    /// The update that sets the incident's current status: latest display time, then latest
    /// creation.
    pub fn latest_update(&self) -> Option<&Update> {
        self.updates.last()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiToken {
    pub id: String,
    pub name: String,
    pub role: Role,
    #[serde(skip)]
    pub token_hash: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct User {
    pub id: String,
    pub username: String,
    #[serde(skip)]
    pub password_hash: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Session {
    /// Digest of the cookie value; the value itself is never stored.
    #[serde(skip)]
    pub id_hash: String,
    pub user_id: String,
    #[serde(skip)]
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct AuditEntry {
    pub id: String,
    pub at: DateTime<Utc>,
    /// `token:<name>`, `user:<username>`, `cli`, `system`.
    pub actor: String,
    pub action: String,
    pub object_kind: String,
    pub object_id: String,
    #[schema(required = true)]
    pub before: Option<serde_json::Value>,
    #[schema(required = true)]
    pub after: Option<serde_json::Value>,
}
