//! The rules every reader of the data shares, defined once: a component's children and a
//! group's shown status, what an incident filter on a component matches, the overall
//! indicator's inputs.

use super::{Component, ComponentStatus, Incident, IncidentKind, IncidentStatus, Indicator};

/// The children of the group `id`, in stored order (none for a leaf).
pub fn children_of<'a>(all: &'a [Component], id: &'a str) -> impl Iterator<Item = &'a Component> {
    all.iter()
        .filter(move |k| k.group_id.as_deref() == Some(id))
}

/// The status a component shows: a group's is its worst child's.
pub fn shown_status(c: &Component, all: &[Component]) -> ComponentStatus {
    if c.is_group {
        ComponentStatus::worst(children_of(all, &c.id).map(|k| k.status))
    } else {
        c.status
    }
}

/// A component and, for a group, its children: what an incident filter on it should match.
pub fn family(all: &[Component], id: &str) -> Vec<String> {
    let mut ids: Vec<String> = children_of(all, id).map(|c| c.id.clone()).collect();
    ids.push(id.to_string());
    ids
}

impl IncidentStatus {
    /// A maintenance that is running now (not merely scheduled).
    pub fn is_maintenance_running(self) -> bool {
        matches!(self, IncidentStatus::InProgress | IncidentStatus::Verifying)
    }
}

impl Indicator {
    /// The overall indicator of a page from its open incidents and maintenances (any list
    /// holding at least those; closed ones are ignored) and its components: the open
    /// incidents' impacts, the leaves' statuses, and whether a maintenance is running.
    pub fn of(open: &[Incident], components: &[Component]) -> Indicator {
        let open = || open.iter().filter(|i| !i.status.is_closed());
        let leaves: Vec<ComponentStatus> = components
            .iter()
            .filter(|c| !c.is_group)
            .map(|c| c.status)
            .collect();
        let impacts = open()
            .filter(|i| i.kind == IncidentKind::Incident)
            .map(|i| i.impact);
        let maintenance = open()
            .any(|i| i.kind == IncidentKind::Maintenance && i.status.is_maintenance_running());
        Indicator::roll_up(impacts, &leaves, maintenance)
    }
}
