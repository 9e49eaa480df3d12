//! The probe's rows: valid records that no one sees (the transaction is rolled back).

use chrono::{DateTime, Utc};

use super::ProbeIds;
use crate::domain::{
    ApiToken, AuditEntry, Component, ComponentStatus, Impact, Incident, IncidentKind,
    IncidentStatus, Milestones, Postmortem, PostmortemState, Provenance, RemediationCategory,
    RemediationItem, RemediationState, Role, Session, StatusChange, TranslatableKind, Translation,
    Update, User,
};

pub fn component(p: &ProbeIds, now: DateTime<Utc>) -> Component {
    Component {
        id: p.component.clone(),
        name: "readyz probe".into(),
        description: None,
        group_id: None,
        is_group: false,
        children_label: None,
        position: 0,
        status: ComponentStatus::Operational,
        only_show_if_degraded: false,
        showcase: false,
        start_date: None,
        created_at: now,
        updated_at: now,
    }
}

pub fn status_change(p: &ProbeIds, now: DateTime<Utc>) -> StatusChange {
    StatusChange {
        id: p.other.clone(),
        component_id: p.component.clone(),
        old_status: None,
        new_status: ComponentStatus::Operational,
        at: now,
        incident_id: None,
    }
}

pub fn incident(p: &ProbeIds, now: DateTime<Utc>) -> Incident {
    Incident {
        id: p.incident.clone(),
        kind: IncidentKind::Incident,
        title: "readyz probe".into(),
        impact: Impact::None,
        status: IncidentStatus::Investigating,
        locale: "en".into(),
        symptom: None,
        milestones: Milestones::default(),
        started_at: now,
        scheduled_for: None,
        scheduled_until: None,
        auto_transition: false,
        created_at: now,
        updated_at: now,
    }
}

pub fn update(p: &ProbeIds, now: DateTime<Utc>) -> Update {
    Update {
        id: p.update.clone(),
        incident_id: p.incident.clone(),
        status: IncidentStatus::Investigating,
        message: "readyz probe".into(),
        display_at: now,
        next_update_by: None,
        created_at: now,
        updated_at: now,
        component_changes: vec![],
        revisions: vec![],
    }
}

pub fn postmortem(p: &ProbeIds, now: DateTime<Utc>) -> Postmortem {
    Postmortem {
        incident_id: p.incident.clone(),
        summary: None,
        root_cause: "probe".into(),
        resolution: "probe".into(),
        state: PostmortemState::Draft,
        published_at: None,
        created_at: now,
        updated_at: now,
    }
}

pub fn item(p: &ProbeIds, now: DateTime<Utc>) -> RemediationItem {
    RemediationItem {
        id: p.other.clone(),
        incident_id: p.incident.clone(),
        position: 1,
        title: "probe".into(),
        detail: None,
        category: RemediationCategory::Detect,
        state: RemediationState::Planned,
        state_reason: None,
        due_on: None,
        tracker_url: None,
        completed_at: None,
        created_at: now,
        updated_at: now,
    }
}

pub fn translation(p: &ProbeIds, now: DateTime<Utc>) -> Translation {
    Translation {
        kind: TranslatableKind::Incident,
        object_id: p.incident.clone(),
        field: "title".into(),
        locale: "fr".into(),
        text: "sonde".into(),
        provenance: Provenance::Machine,
        source_digest: String::new(),
        updated_at: now,
    }
}

pub fn token(p: &ProbeIds, now: DateTime<Utc>) -> ApiToken {
    ApiToken {
        id: p.other.clone(),
        name: "readyz probe".into(),
        role: Role::Translator,
        token_hash: p.other.clone(),
        created_at: now,
        last_used_at: None,
        revoked_at: None,
    }
}

pub fn user(p: &ProbeIds, now: DateTime<Utc>) -> User {
    User {
        id: p.user.clone(),
        username: p.user.clone(),
        password_hash: String::new(),
        role: Role::Translator,
        created_at: now,
        updated_at: now,
        disabled_at: Some(now),
    }
}

pub fn session(p: &ProbeIds, now: DateTime<Utc>) -> Session {
    Session {
        id_hash: p.other.clone(),
        user_id: p.user.clone(),
        csrf_token: String::new(),
        created_at: now,
        expires_at: now,
    }
}

pub fn audit(p: &ProbeIds, now: DateTime<Utc>) -> AuditEntry {
    AuditEntry {
        id: p.other.clone(),
        at: now,
        actor: "system".into(),
        action: "readyz.probe".into(),
        object_kind: "probe".into(),
        object_id: p.other.clone(),
        before: None,
        after: None,
    }
}
