//! Every read builder with realistic arguments, for the query-plan test.

use chrono::{DateTime, Duration, TimeZone, Utc};

use super::{
    audit_log, component, components, due_maintenances, incident, incident_component_ids,
    incident_details, incidents, latest_change, open_incidents_affecting, page, remediation_item,
    session, status_history, token_by_hash, tokens, translations, translations_of_incidents,
    translations_of_kind, update, updates_of, user_by_id, user_by_name, user_count, users, Read,
};
use crate::domain::{IncidentKind, IncidentStatus, TranslatableKind};
use crate::store::{AuditFilter, IncidentCursor, IncidentFilter};

/// An id of the realistic shape, numbered.
fn id(n: u32) -> String {
    format!("0{n:025}")
}

/// Every read above with realistic arguments (each builder's name first, then the case),
/// the way the pages, feeds, APIs, console and writes call them.
pub fn catalogue() -> Vec<(String, Read)> {
    let now = Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap();
    let ids: Vec<String> = (1..=50).map(id).collect();
    let mut all: Vec<(String, Read)> = vec![
        ("page".into(), page()),
        ("components".into(), components()),
        ("component".into(), component(&id(1))),
        (
            "status_history: every component (uptime bars)".into(),
            status_history(None, now - Duration::days(90)),
        ),
        (
            "status_history: one component".into(),
            status_history(Some(&id(1)), now - Duration::days(90)),
        ),
    ];
    let lists = incident_lists_by_time(now)
        .into_iter()
        .chain(incident_lists_by_filter(now));
    for (case, filter) in lists {
        all.push((format!("incidents: {case}"), incidents(&filter)));
    }
    all.extend([
        (
            "incident_component_ids".into(),
            incident_component_ids(&ids),
        ),
        ("incident".into(), incident(&id(1))),
        ("updates_of".into(), updates_of(&ids)),
        (
            "translations_of_incidents".into(),
            translations_of_incidents(&ids),
        ),
    ]);
    for (part, read) in incident_details(&ids) {
        all.push((format!("incident_details: {part}"), read));
    }
    for (part, read) in incident_details(&ids[..1]) {
        all.push((format!("incident_details: {part} of one"), read));
    }
    all.extend(other_reads(now));
    all.extend(audit_reads(now));
    all
}

/// Incident lists by time: the open ones, the recent ones, the history and its next part.
fn incident_lists_by_time(now: DateTime<Utc>) -> Vec<(&'static str, IncidentFilter)> {
    let cursor = IncidentCursor {
        started_at: now - Duration::days(40),
        created_at: now - Duration::days(40),
        id: id(7),
    };
    vec![
        (
            "open (home, badge, roll-up, console)",
            IncidentFilter {
                statuses: IncidentStatus::OPEN.to_vec(),
                limit: 200,
                ..Default::default()
            },
        ),
        (
            "last 14 days (home)",
            IncidentFilter {
                kind: Some(IncidentKind::Incident),
                since: Some(now - Duration::days(14)),
                before: Some(now + Duration::minutes(1)),
                limit: 201,
                ..Default::default()
            },
        ),
        (
            "three months (history)",
            IncidentFilter {
                since: Some(now - Duration::days(90)),
                before: Some(now),
                limit: 201,
                ..Default::default()
            },
        ),
        (
            "three months after a cursor (history, next part)",
            IncidentFilter {
                since: Some(now - Duration::days(90)),
                before: Some(now),
                limit: 201,
                after: Some(cursor),
                ..Default::default()
            },
        ),
    ]
}

/// Incident lists by component, date, kind and status.
fn incident_lists_by_filter(now: DateTime<Utc>) -> Vec<(&'static str, IncidentFilter)> {
    let unresolved = vec![
        IncidentStatus::Investigating,
        IncidentStatus::Identified,
        IncidentStatus::Monitoring,
    ];
    vec![
        (
            "a component and its children (component page, feed)",
            IncidentFilter {
                component_ids: vec![id(1), id(2), id(3)],
                limit: 25,
                ..Default::default()
            },
        ),
        (
            "a component before a date (component page, older)",
            IncidentFilter {
                component_ids: vec![id(1)],
                before: Some(now - Duration::days(30)),
                limit: 25,
                ..Default::default()
            },
        ),
        (
            "newest (feeds, console, /api/v1)",
            IncidentFilter {
                limit: 50,
                ..Default::default()
            },
        ),
        (
            "newest before a date (/api/v1)",
            IncidentFilter {
                before: Some(now - Duration::days(30)),
                limit: 50,
                ..Default::default()
            },
        ),
        (
            "a kind (/api/v1, /api/v2)",
            IncidentFilter {
                kind: Some(IncidentKind::Incident),
                limit: 50,
                ..Default::default()
            },
        ),
        (
            "a kind and statuses (/api/v2 unresolved, maintenances)",
            IncidentFilter {
                kind: Some(IncidentKind::Incident),
                statuses: unresolved,
                limit: 50,
                ..Default::default()
            },
        ),
        (
            "a status (/api/v1)",
            IncidentFilter {
                statuses: vec![IncidentStatus::Resolved],
                limit: 50,
                ..Default::default()
            },
        ),
    ]
}

/// The reads of updates, items, translations, maintenances, tokens, users and sessions.
fn other_reads(now: DateTime<Utc>) -> Vec<(String, Read)> {
    vec![
        ("update".into(), update(&id(1))),
        ("remediation_item".into(), remediation_item(&id(1))),
        (
            "translations".into(),
            translations(TranslatableKind::Update, &id(1)),
        ),
        (
            "translations_of_kind: page".into(),
            translations_of_kind(TranslatableKind::Page),
        ),
        (
            "translations_of_kind: component".into(),
            translations_of_kind(TranslatableKind::Component),
        ),
        (
            "open_incidents_affecting".into(),
            open_incidents_affecting(&id(1)),
        ),
        ("due_maintenances".into(), due_maintenances(now)),
        ("token_by_hash".into(), token_by_hash("0123abcd")),
        ("tokens".into(), tokens()),
        ("user_by_name".into(), user_by_name("ada")),
        ("user_count".into(), user_count()),
        ("user_by_id".into(), user_by_id(&id(1))),
        ("users".into(), users()),
        ("session".into(), session("0123abcd")),
    ]
}

/// The audit log's reads and the change marker.
fn audit_reads(now: DateTime<Utc>) -> Vec<(String, Read)> {
    vec![
        (
            "audit_log: newest".into(),
            audit_log(&AuditFilter {
                limit: 50,
                ..Default::default()
            }),
        ),
        (
            "audit_log: older page".into(),
            audit_log(&AuditFilter {
                before: Some(now),
                limit: 50,
                ..Default::default()
            }),
        ),
        (
            "audit_log: an actor".into(),
            audit_log(&AuditFilter {
                actor: Some("user:ada".into()),
                limit: 50,
                ..Default::default()
            }),
        ),
        (
            "audit_log: an object".into(),
            audit_log(&AuditFilter {
                object_kind: Some("incident".into()),
                object_id: Some(id(1)),
                limit: 50,
                ..Default::default()
            }),
        ),
        ("latest_change".into(), latest_change()),
    ]
}
