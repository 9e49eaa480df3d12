//! The locale keys of interface labels, in one place: statuses, impacts, the overall
//! indicator, remediation states, default messages, audit actions and language names. Written
//! as literal strings so the "every key is used" test can find them.

use crate::domain::{
    ComponentStatus, Impact, IncidentStatus, Indicator, PostmortemState, RemediationCategory,
    RemediationState,
};

pub fn component_status(s: ComponentStatus) -> &'static str {
    match s {
        ComponentStatus::Operational => "component-status-operational",
        ComponentStatus::DegradedPerformance => "component-status-degraded_performance",
        ComponentStatus::PartialOutage => "component-status-partial_outage",
        ComponentStatus::MajorOutage => "component-status-major_outage",
        ComponentStatus::UnderMaintenance => "component-status-under_maintenance",
    }
}

pub fn incident_status(s: IncidentStatus) -> &'static str {
    match s {
        IncidentStatus::Investigating => "incident-status-investigating",
        IncidentStatus::Identified => "incident-status-identified",
        IncidentStatus::Monitoring => "incident-status-monitoring",
        IncidentStatus::Resolved => "incident-status-resolved",
        IncidentStatus::Scheduled => "incident-status-scheduled",
        IncidentStatus::InProgress => "incident-status-in_progress",
        IncidentStatus::Verifying => "incident-status-verifying",
        IncidentStatus::Completed => "incident-status-completed",
    }
}

pub fn impact(i: Impact) -> &'static str {
    match i {
        Impact::None => "impact-none",
        Impact::Minor => "impact-minor",
        Impact::Major => "impact-major",
        Impact::Critical => "impact-critical",
        Impact::Maintenance => "impact-maintenance",
    }
}

/// The overall banner's wording, by severity (Statuspage's descriptions in English).
pub fn indicator(i: Indicator) -> &'static str {
    match i {
        Indicator::None => "indicator-none",
        Indicator::Minor => "indicator-minor",
        Indicator::Major => "indicator-major",
        Indicator::Critical => "indicator-critical",
        Indicator::Maintenance => "indicator-maintenance",
    }
}

/// The audit log's actions (`session.create`), by their readable label; `None` for an action
/// this version does not know (shown as it is).
pub fn audit_action(action: &str) -> Option<&'static str> {
    Some(match action {
        "component.create" => "audit-action-component-create",
        "component.update" => "audit-action-component-update",
        "incident.create" => "audit-action-incident-create",
        "incident.update" => "audit-action-incident-update",
        "maintenance.create" => "audit-action-maintenance-create",
        "page.init" => "audit-action-page-init",
        "page.update" => "audit-action-page-update",
        "postmortem.correct" => "audit-action-postmortem-correct",
        "postmortem.draft" => "audit-action-postmortem-draft",
        "postmortem.publish" => "audit-action-postmortem-publish",
        "remediation.create" => "audit-action-remediation-create",
        "remediation.update" => "audit-action-remediation-update",
        "session.create" => "audit-action-session-create",
        "session.delete" => "audit-action-session-delete",
        "token.create" => "audit-action-token-create",
        "token.revoke" => "audit-action-token-revoke",
        "translation.put" => "audit-action-translation-put",
        "update.correct" => "audit-action-update-correct",
        "update.create" => "audit-action-update-create",
        "user.create" => "audit-action-user-create",
        "user.disable" => "audit-action-user-disable",
        "user.enable" => "audit-action-user-enable",
        _ => return None,
    })
}

/// The kinds of object the audit log names (`remediation-item`), by their readable label.
pub fn audit_kind(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "component" => "audit-kind-component",
        "incident" => "audit-kind-incident",
        "page" => "audit-kind-page",
        "postmortem" => "audit-kind-postmortem",
        "remediation-item" => "audit-kind-remediation-item",
        "token" => "audit-kind-token",
        "update" => "audit-kind-update",
        "user" => "audit-kind-user",
        _ => return None,
    })
}

/// A language's name in the reader's language ("anglais" on a French page, 英語 in Japanese).
pub fn language_in(tag: &str) -> Option<&'static str> {
    Some(match tag {
        "en" => "language-in-en",
        "fr" => "language-in-fr",
        "de" => "language-in-de",
        "es" => "language-in-es",
        "pt-BR" => "language-in-pt-BR",
        "ja" => "language-in-ja",
        _ => return None,
    })
}

/// A language's name in its own language, for the language switcher.
pub fn language_name(tag: &str) -> Option<&'static str> {
    Some(match tag {
        "en" => "language-name-en",
        "fr" => "language-name-fr",
        "de" => "language-name-de",
        "es" => "language-name-es",
        "pt-BR" => "language-name-pt-BR",
        "ja" => "language-name-ja",
        _ => return None,
    })
}

/// A remediation item's state.
pub fn remediation_state(s: RemediationState) -> &'static str {
    match s {
        RemediationState::Planned => "remediation-state-planned",
        RemediationState::InProgress => "remediation-state-in_progress",
        RemediationState::Done => "remediation-state-done",
        RemediationState::WontDo => "remediation-state-wont_do",
    }
}

/// The short default message offered for a status: the service writes it (so its key lives
/// with the catalogue, `crate::i18n`); named here with the other keys.
pub use crate::i18n::default_message_key as default_message;

/// A remediation item's category (the console's select).
pub fn remediation_category(c: RemediationCategory) -> &'static str {
    match c {
        RemediationCategory::Prevent => "console-category-prevent",
        RemediationCategory::Detect => "console-category-detect",
        RemediationCategory::Mitigate => "console-category-mitigate",
        RemediationCategory::Process => "console-category-process",
    }
}

/// A postmortem's state as the console shows it.
pub fn postmortem_state(s: PostmortemState) -> &'static str {
    match s {
        PostmortemState::Draft => "console-postmortem-draft",
        PostmortemState::Published => "console-postmortem-published",
    }
}
