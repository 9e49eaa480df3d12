//! The locale keys naming statuses, impacts and the overall indicator. Written as literal
//! strings so the "every key is used" test can find them.

use crate::domain::{ComponentStatus, Impact, IncidentStatus, Indicator};

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
