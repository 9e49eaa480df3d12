//! Rows to domain records, one mapper per record, shared by every read that returns it.

use super::exec::Fields;
use super::{json_list, json_value};
use crate::domain::{
    ApiToken, AuditEntry, Component, ComponentChange, Incident, Milestones, PageSettings,
    Postmortem, RemediationItem, Revision, Session, StatusChange, Translation, Update, User,
};
use crate::store::StoreResult;

pub fn page(row: &impl Fields) -> StoreResult<PageSettings> {
    Ok(PageSettings {
        id: row.text("id")?,
        name: row.text("name")?,
        url: row.text("url")?,
        time_zone: row.text("time_zone")?,
        display_time_zones: json_list(&row.text("display_time_zones")?)?,
        default_locale: row.text("default_locale")?,
        locales: json_list(&row.text("locales")?)?,
        footer_markdown: row.text("footer_markdown")?,
        updated_at: row.time("updated_at")?,
    })
}

pub fn component(row: &impl Fields) -> StoreResult<Component> {
    Ok(Component {
        id: row.text("id")?,
        name: row.text("name")?,
        description: row.opt_text("description")?,
        group_id: row.opt_text("group_id")?,
        is_group: row.flag("is_group")?,
        children_label: row.opt_text("children_label")?,
        position: row.int("position")?,
        status: row.parsed("status")?,
        only_show_if_degraded: row.flag("only_show_if_degraded")?,
        showcase: row.flag("showcase")?,
        start_date: row.opt_date("start_date")?,
        created_at: row.time("created_at")?,
        updated_at: row.time("updated_at")?,
    })
}

pub fn incident(row: &impl Fields) -> StoreResult<Incident> {
    Ok(Incident {
        id: row.text("id")?,
        kind: row.parsed("kind")?,
        title: row.text("title")?,
        impact: row.parsed("impact")?,
        status: row.parsed("status")?,
        locale: row.text("locale")?,
        symptom: row.opt_text("symptom")?,
        milestones: Milestones {
            impact_started_at: row.opt_time("impact_started_at")?,
            detected_at: row.opt_time("detected_at")?,
            mitigated_at: row.opt_time("mitigated_at")?,
            impact_ended_at: row.opt_time("impact_ended_at")?,
            monitoring_at: row.opt_time("monitoring_at")?,
            resolved_at: row.opt_time("resolved_at")?,
        },
        started_at: row.time("started_at")?,
        scheduled_for: row.opt_time("scheduled_for")?,
        scheduled_until: row.opt_time("scheduled_until")?,
        auto_transition: row.flag("auto_transition")?,
        created_at: row.time("created_at")?,
        updated_at: row.time("updated_at")?,
    })
}

/// An update without its component changes and revisions (read apart).
pub fn update(row: &impl Fields) -> StoreResult<Update> {
    Ok(Update {
        id: row.text("id")?,
        incident_id: row.text("incident_id")?,
        status: row.parsed("status")?,
        message: row.text("message")?,
        display_at: row.time("display_at")?,
        next_update_by: row.opt_time("next_update_by")?,
        created_at: row.time("created_at")?,
        updated_at: row.time("updated_at")?,
        component_changes: Vec::new(),
        revisions: Vec::new(),
    })
}

pub fn component_change(row: &impl Fields) -> StoreResult<ComponentChange> {
    Ok(ComponentChange {
        component_id: row.text("component_id")?,
        old_status: row.parsed("old_status")?,
        new_status: row.parsed("new_status")?,
    })
}

pub fn revision(row: &impl Fields) -> StoreResult<Revision> {
    Ok(Revision {
        id: row.text("id")?,
        update_id: row.text("update_id")?,
        message: row.text("message")?,
        display_at: row.time("display_at")?,
        replaced_at: row.time("replaced_at")?,
        replaced_by: row.text("replaced_by")?,
    })
}

pub fn postmortem(row: &impl Fields) -> StoreResult<Postmortem> {
    Ok(Postmortem {
        incident_id: row.text("incident_id")?,
        summary: row.opt_text("summary")?,
        root_cause: row.text("root_cause")?,
        resolution: row.text("resolution")?,
        state: row.parsed("state")?,
        published_at: row.opt_time("published_at")?,
        created_at: row.time("created_at")?,
        updated_at: row.time("updated_at")?,
    })
}

pub fn item(row: &impl Fields) -> StoreResult<RemediationItem> {
    Ok(RemediationItem {
        id: row.text("id")?,
        incident_id: row.text("incident_id")?,
        position: row.int("position")?,
        title: row.text("title")?,
        detail: row.opt_text("detail")?,
        category: row.parsed("category")?,
        state: row.parsed("state")?,
        state_reason: row.opt_text("state_reason")?,
        due_on: row.opt_date("due_on")?,
        tracker_url: row.opt_text("tracker_url")?,
        completed_at: row.opt_time("completed_at")?,
        created_at: row.time("created_at")?,
        updated_at: row.time("updated_at")?,
    })
}

pub fn translation(row: &impl Fields) -> StoreResult<Translation> {
    Ok(Translation {
        kind: row.parsed("object_kind")?,
        object_id: row.text("object_id")?,
        field: row.text("field")?,
        locale: row.text("locale")?,
        text: row.text("text")?,
        provenance: row.parsed("provenance")?,
        source_digest: row.text("source_digest")?,
        updated_at: row.time("updated_at")?,
    })
}

pub fn token(row: &impl Fields) -> StoreResult<ApiToken> {
    Ok(ApiToken {
        id: row.text("id")?,
        name: row.text("name")?,
        role: row.parsed("role")?,
        token_hash: row.text("token_hash")?,
        created_at: row.time("created_at")?,
        last_used_at: row.opt_time("last_used_at")?,
        revoked_at: row.opt_time("revoked_at")?,
    })
}

pub fn user(row: &impl Fields) -> StoreResult<User> {
    Ok(User {
        id: row.text("id")?,
        username: row.text("username")?,
        password_hash: row.text("password_hash")?,
        role: row.parsed("role")?,
        created_at: row.time("created_at")?,
        updated_at: row.time("updated_at")?,
        disabled_at: row.opt_time("disabled_at")?,
    })
}

pub fn session(row: &impl Fields) -> StoreResult<Session> {
    Ok(Session {
        id_hash: row.text("id_hash")?,
        user_id: row.text("user_id")?,
        csrf_token: row.text("csrf_token")?,
        created_at: row.time("created_at")?,
        expires_at: row.time("expires_at")?,
    })
}

pub fn status_change(row: &impl Fields) -> StoreResult<StatusChange> {
    Ok(StatusChange {
        id: row.text("id")?,
        component_id: row.text("component_id")?,
        old_status: row.opt_parsed("old_status")?,
        new_status: row.parsed("new_status")?,
        at: row.time("at")?,
        incident_id: row.opt_text("incident_id")?,
    })
}

pub fn audit(row: &impl Fields) -> StoreResult<AuditEntry> {
    Ok(AuditEntry {
        id: row.text("id")?,
        at: row.time("at")?,
        actor: row.text("actor")?,
        action: row.text("action")?,
        object_kind: row.text("object_kind")?,
        object_id: row.text("object_id")?,
        before: json_value(row.opt_text("before_json")?)?,
        after: json_value(row.opt_text("after_json")?)?,
    })
}

/// An `(incident_id, component_id)` link.
pub fn link(row: &impl Fields) -> StoreResult<(String, String)> {
    Ok((row.text("incident_id")?, row.text("component_id")?))
}

/// Maps every row, stopping at the first that does not fit.
pub fn all<R, T>(rows: &[R], map: impl Fn(&R) -> StoreResult<T>) -> StoreResult<Vec<T>> {
    rows.iter().map(map).collect()
}
