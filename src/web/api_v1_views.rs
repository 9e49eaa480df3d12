//! The JSON shapes of Herald's own API (v1), as types, so that `/api/openapi.json` describes
//! every response exactly. `api_v1` builds them; it sends each object's keys in alphabetical
//! order (as the API always has), whatever the order of the fields here.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::{
    AuditEntry, ComponentStatus, Durations, Impact, IncidentKind, IncidentStatus, LocalizedText,
    Milestones, PageSettings, PostmortemState, Provenance, RemediationCategory, RemediationState,
    TranslatableKind, SUPPORTED_LOCALES,
};

/// A locale Herald speaks (`en`, `fr`, ...), for parameters that take one.
pub struct LocaleCode;

impl utoipa::PartialSchema for LocaleCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(SUPPORTED_LOCALES.iter().copied()))
            .description(Some("A locale Herald speaks"))
            .into()
    }
}

impl ToSchema for LocaleCode {}

/// One locale's translation of an object: the translated fields by name (`title`, `message`,
/// ...), and how trustworthy and current they are.
#[derive(Debug, Serialize, ToSchema)]
pub struct TranslationView {
    #[serde(flatten)]
    pub fields: BTreeMap<String, String>,
    /// The least trustworthy provenance among the fields.
    pub provenance: Provenance,
    /// Whether any field was made from an older text of the original.
    pub stale: bool,
    pub stale_fields: Vec<String>,
    pub updated_at: DateTime<Utc>,
}

/// The page settings, with their translations.
#[derive(Debug, Serialize, ToSchema)]
pub struct PageView {
    #[serde(flatten)]
    pub settings: PageSettings,
    /// Translations by locale.
    pub translations: BTreeMap<String, TranslationView>,
    /// Only with `?locale=`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub localized: Option<LocalizedPage>,
}

/// `?locale=`: the page's texts in that locale.
#[derive(Debug, Serialize, ToSchema)]
pub struct LocalizedPage {
    pub locale: String,
    pub name: LocalizedText,
    pub footer_markdown: LocalizedText,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ComponentView {
    pub id: String,
    pub name: String,
    #[schema(required = true)]
    pub description: Option<String>,
    /// A group shows its worst child's status.
    pub status: ComponentStatus,
    pub group: bool,
    #[schema(required = true)]
    pub group_id: Option<String>,
    #[schema(required = true)]
    pub children_label: Option<String>,
    pub position: i64,
    pub showcase: bool,
    pub only_show_if_degraded: bool,
    #[schema(required = true)]
    pub start_date: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Translations by locale.
    pub translations: BTreeMap<String, TranslationView>,
    /// Child ids in order; only on groups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub components: Option<Vec<String>>,
    /// Only with `?locale=`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub localized: Option<LocalizedComponent>,
}

/// `?locale=`: a component's texts in that locale.
#[derive(Debug, Serialize, ToSchema)]
pub struct LocalizedComponent {
    pub locale: String,
    pub name: LocalizedText,
    #[schema(required = true)]
    pub description: Option<LocalizedText>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ComponentList {
    pub components: Vec<ComponentView>,
}

/// A component an incident affects.
#[derive(Debug, Serialize, ToSchema)]
pub struct AffectedComponent {
    pub id: String,
    pub name: String,
    #[schema(required = true)]
    pub group_id: Option<String>,
    #[schema(required = true)]
    pub group_name: Option<String>,
    pub status: ComponentStatus,
}

/// What every incident or maintenance says about itself.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentCore {
    pub id: String,
    pub kind: IncidentKind,
    pub title: String,
    pub impact: Impact,
    pub status: IncidentStatus,
    /// The locale of the original texts.
    pub locale: String,
    #[schema(required = true)]
    pub symptom: Option<String>,
    pub started_at: DateTime<Utc>,
    #[schema(required = true)]
    pub scheduled_for: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub scheduled_until: Option<DateTime<Utc>>,
    pub auto_transition: bool,
    /// The public page of the incident.
    pub shortlink: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `?locale=`: an incident's texts in that locale.
#[derive(Debug, Serialize, ToSchema)]
pub struct LocalizedIncident {
    pub locale: String,
    pub title: LocalizedText,
    #[schema(required = true)]
    pub symptom: Option<LocalizedText>,
}

/// An incident in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentListItem {
    #[serde(flatten)]
    pub core: IncidentCore,
    pub components: Vec<AffectedComponent>,
    pub milestones: Milestones,
    /// Only with `?locale=`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub localized: Option<LocalizedIncident>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentList {
    pub incidents: Vec<IncidentListItem>,
    /// Pass as `before` for the next page; null on the last.
    #[schema(required = true)]
    pub next_before: Option<DateTime<Utc>>,
}

/// The milestones of an incident, with the two that are derived.
#[derive(Debug, Serialize, ToSchema)]
pub struct MilestonesView {
    #[serde(flatten)]
    pub recorded: Milestones,
    /// The first update's display time.
    #[schema(required = true)]
    pub first_update_at: Option<DateTime<Utc>>,
    #[schema(required = true)]
    pub postmortem_published_at: Option<DateTime<Utc>>,
}

/// Everything public about an incident or maintenance (draft postmortems for token holders).
#[derive(Debug, Serialize, ToSchema)]
pub struct IncidentView {
    #[serde(flatten)]
    pub core: IncidentCore,
    pub components: Vec<AffectedComponent>,
    pub milestones: MilestonesView,
    pub durations: Durations,
    /// Oldest first.
    pub updates: Vec<UpdateView>,
    #[schema(required = true)]
    pub postmortem: Option<PostmortemView>,
    pub remediation_items: Vec<RemediationItemView>,
    /// Translations by locale.
    pub translations: BTreeMap<String, TranslationView>,
    /// Only with `?locale=`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub localized: Option<LocalizedIncident>,
}

/// An earlier text of a corrected update.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionView {
    pub message: String,
    pub display_at: DateTime<Utc>,
    pub replaced_at: DateTime<Utc>,
}

/// A component status changed by an update.
#[derive(Debug, Serialize, ToSchema)]
pub struct ComponentChangeView {
    pub component_id: String,
    #[schema(required = true)]
    pub name: Option<String>,
    pub old_status: ComponentStatus,
    pub new_status: ComponentStatus,
}

/// An update, as part of its incident.
#[derive(Debug, Serialize, ToSchema)]
pub struct UpdateView {
    pub id: String,
    pub status: IncidentStatus,
    pub message: String,
    pub display_at: DateTime<Utc>,
    #[schema(required = true)]
    pub next_update_by: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Whether it was corrected (see `revisions`).
    pub edited: bool,
    /// The earlier texts, oldest first.
    pub revisions: Vec<RevisionView>,
    pub component_changes: Vec<ComponentChangeView>,
    /// Translations by locale.
    pub translations: BTreeMap<String, TranslationView>,
    /// Only with `?locale=`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub localized: Option<LocalizedUpdate>,
}

/// `?locale=`: an update's text in that locale.
#[derive(Debug, Serialize, ToSchema)]
pub struct LocalizedUpdate {
    pub locale: String,
    pub message: LocalizedText,
}

/// One update on its own, with the incident it belongs to.
#[derive(Debug, Serialize, ToSchema)]
pub struct UpdateResource {
    #[serde(flatten)]
    pub update: UpdateView,
    pub incident_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PostmortemView {
    #[schema(required = true)]
    pub summary: Option<String>,
    pub root_cause: String,
    pub resolution: String,
    pub state: PostmortemState,
    #[schema(required = true)]
    pub published_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Translations by locale.
    pub translations: BTreeMap<String, TranslationView>,
    /// Only with `?locale=`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub localized: Option<LocalizedPostmortem>,
}

/// `?locale=`: a postmortem's texts in that locale.
#[derive(Debug, Serialize, ToSchema)]
pub struct LocalizedPostmortem {
    pub locale: String,
    #[schema(required = true)]
    pub summary: Option<LocalizedText>,
    pub root_cause: LocalizedText,
    pub resolution: LocalizedText,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RemediationItemView {
    pub id: String,
    /// 1-based, within the incident.
    pub position: i64,
    pub title: String,
    #[schema(required = true)]
    pub detail: Option<String>,
    pub category: RemediationCategory,
    pub state: RemediationState,
    /// Why, for `wont_do`.
    #[schema(required = true)]
    pub state_reason: Option<String>,
    #[schema(required = true)]
    pub due_on: Option<NaiveDate>,
    #[schema(required = true)]
    pub tracker_url: Option<String>,
    #[schema(required = true)]
    pub completed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Translations by locale.
    pub translations: BTreeMap<String, TranslationView>,
    /// Only with `?locale=`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub localized: Option<LocalizedRemediationItem>,
}

/// `?locale=`: a remediation item's texts in that locale.
#[derive(Debug, Serialize, ToSchema)]
pub struct LocalizedRemediationItem {
    pub locale: String,
    pub title: LocalizedText,
    #[schema(required = true)]
    pub detail: Option<LocalizedText>,
}

/// The translation of one object into one locale, as stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct TranslationSaved {
    pub kind: TranslatableKind,
    pub id: String,
    pub locale: String,
    /// The translated fields by name.
    pub fields: BTreeMap<String, String>,
    /// The least trustworthy provenance among the fields.
    #[schema(required = true)]
    pub provenance: Option<Provenance>,
    #[schema(required = true)]
    pub updated_at: Option<DateTime<Utc>>,
}

/// Audit log entries, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditLog {
    pub entries: Vec<AuditEntry>,
}
