//! The closed vocabularies of Herald. Stored as TEXT (with CHECK constraints) and sent as the
//! snake_case strings of the Statuspage API.

use serde::{Deserialize, Serialize};

macro_rules! string_enum {
    ($(#[doc = $doc:literal])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        // Written out rather than derived: inside this macro the derive cannot see the
        // `rename`s and would publish the Rust names (`DegradedPerformance`), not the wire's.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                let doc: &[&str] = &[$($doc),*];
                let doc = doc.iter().map(|line| line.trim()).collect::<Vec<_>>().join(" ");
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($text),+]))
                    .description((!doc.is_empty()).then_some(doc))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// The accepted values, for error messages.
            pub fn expected() -> String {
                [$($text),+].join(", ")
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!("unknown value `{other}`, expected one of: {}", Self::expected())),
                }
            }
        }
    };
}

string_enum!(
    /// A component's state, ordered from best to worst (maintenance sorts apart, see `severity`).
    ComponentStatus {
        Operational => "operational",
        UnderMaintenance => "under_maintenance",
        DegradedPerformance => "degraded_performance",
        PartialOutage => "partial_outage",
        MajorOutage => "major_outage",
    }
);

impl ComponentStatus {
    /// Higher is worse. Maintenance is worse than operational but better than any outage.
    pub fn severity(self) -> u8 {
        match self {
            ComponentStatus::Operational => 0,
            ComponentStatus::UnderMaintenance => 1,
            ComponentStatus::DegradedPerformance => 2,
            ComponentStatus::PartialOutage => 3,
            ComponentStatus::MajorOutage => 4,
        }
    }

    pub fn worst(statuses: impl IntoIterator<Item = ComponentStatus>) -> ComponentStatus {
        statuses
            .into_iter()
            .max_by_key(|s| s.severity())
            .unwrap_or(ComponentStatus::Operational)
    }
}

string_enum!(
    IncidentKind {
        Incident => "incident",
        Maintenance => "maintenance",
    }
);

string_enum!(
    /// Statuspage's impact levels; `maintenance` only for maintenances.
    Impact {
        None => "none",
        Minor => "minor",
        Major => "major",
        Critical => "critical",
        Maintenance => "maintenance",
    }
);

impl Impact {
    /// The impact suggested for an incident whose components are set to `statuses`, when the
    /// responder does not choose one: as the page's overall indicator reads them
    /// (`Indicator::roll_up`), a major outage is `major`; a partial outage, degraded
    /// performance or no affected component is `minor`.
    pub fn suggested(statuses: impl IntoIterator<Item = ComponentStatus>) -> Impact {
        match ComponentStatus::worst(statuses) {
            ComponentStatus::MajorOutage => Impact::Major,
            _ => Impact::Minor,
        }
    }

    pub fn severity(self) -> u8 {
        match self {
            Impact::None => 0,
            Impact::Maintenance => 1,
            Impact::Minor => 2,
            Impact::Major => 3,
            Impact::Critical => 4,
        }
    }
}

string_enum!(
    IncidentStatus {
        Investigating => "investigating",
        Identified => "identified",
        Monitoring => "monitoring",
        Resolved => "resolved",
        Scheduled => "scheduled",
        InProgress => "in_progress",
        Verifying => "verifying",
        Completed => "completed",
    }
);

impl IncidentStatus {
    /// Every status of an incident or maintenance that is not over: the one definition of
    /// "open" (the complement of [`IncidentStatus::is_closed`]).
    pub const OPEN: [IncidentStatus; 6] = [
        IncidentStatus::Investigating,
        IncidentStatus::Identified,
        IncidentStatus::Monitoring,
        IncidentStatus::Scheduled,
        IncidentStatus::InProgress,
        IncidentStatus::Verifying,
    ];

    pub fn kind(self) -> IncidentKind {
        match self {
            IncidentStatus::Investigating
            | IncidentStatus::Identified
            | IncidentStatus::Monitoring
            | IncidentStatus::Resolved => IncidentKind::Incident,
            _ => IncidentKind::Maintenance,
        }
    }

    /// Resolved incidents and completed maintenances are closed.
    pub fn is_closed(self) -> bool {
        matches!(self, IncidentStatus::Resolved | IncidentStatus::Completed)
    }

    pub fn for_kind(kind: IncidentKind) -> Vec<IncidentStatus> {
        IncidentStatus::ALL
            .iter()
            .copied()
            .filter(|s| s.kind() == kind)
            .collect()
    }
}

string_enum!(
    PostmortemState {
        Draft => "draft",
        Published => "published",
    }
);

string_enum!(
    RemediationCategory {
        Prevent => "prevent",
        Detect => "detect",
        Mitigate => "mitigate",
        Process => "process",
    }
);

string_enum!(
    RemediationState {
        Planned => "planned",
        InProgress => "in_progress",
        Done => "done",
        WontDo => "wont_do",
    }
);

string_enum!(
    /// Where a translation came from. The original text itself is never a translation.
    Provenance {
        Human => "human",
        Machine => "machine",
        Reviewed => "reviewed",
    }
);

impl Provenance {
    /// Lower is less trustworthy; a mixed set of fields reports its least trustworthy one.
    pub fn trust(self) -> u8 {
        match self {
            Provenance::Machine => 0,
            Provenance::Human => 1,
            Provenance::Reviewed => 2,
        }
    }
}

string_enum!(
    Role {
        Admin => "admin",
        Responder => "responder",
        Translator => "translator",
    }
);

impl Role {
    /// Incidents, updates, components, maintenances, postmortems.
    pub fn can_respond(self) -> bool {
        matches!(self, Role::Admin | Role::Responder)
    }
    pub fn can_translate(self) -> bool {
        true
    }
    pub fn is_admin(self) -> bool {
        self == Role::Admin
    }
}

string_enum!(
    /// What a translation is attached to (the `{kind}` of `/api/v1/translations/{kind}/...`).
    TranslatableKind {
        Incident => "incident",
        Update => "update",
        Postmortem => "postmortem",
        RemediationItem => "remediation-item",
        Component => "component",
        Page => "page",
    }
);

impl TranslatableKind {
    /// The fields of this kind that carry translatable text.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            TranslatableKind::Incident => &["title", "symptom"],
            TranslatableKind::Update => &["message"],
            TranslatableKind::Postmortem => &["summary", "root_cause", "resolution"],
            TranslatableKind::RemediationItem => &["title", "detail"],
            TranslatableKind::Component => &["name", "description", "children_label"],
            TranslatableKind::Page => &["name", "footer_markdown"],
        }
    }

    /// Whether a field is one line of plain text (else Markdown, allowed to be long).
    pub fn is_line_field(field: &str) -> bool {
        matches!(field, "title" | "symptom" | "name" | "children_label")
    }
}

/// The overall roll-up shown in the banner and in `/api/v2/status.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Indicator {
    None,
    Minor,
    Major,
    Critical,
    Maintenance,
}

impl Indicator {
    pub fn as_str(self) -> &'static str {
        match self {
            Indicator::None => "none",
            Indicator::Minor => "minor",
            Indicator::Major => "major",
            Indicator::Critical => "critical",
            Indicator::Maintenance => "maintenance",
        }
    }

    fn severity(self) -> u8 {
        match self {
            Indicator::None => 0,
            Indicator::Maintenance => 1,
            Indicator::Minor => 2,
            Indicator::Major => 3,
            Indicator::Critical => 4,
        }
    }

    /// The worst of the unresolved incidents' impacts and a level from component statuses:
    /// major_outage → major (critical when more than half the components are down), partial
    /// outage and degraded performance → minor, only maintenance → maintenance.
    pub fn roll_up(
        open_incident_impacts: impl IntoIterator<Item = Impact>,
        leaf_statuses: &[ComponentStatus],
        maintenance_in_progress: bool,
    ) -> Indicator {
        let mut worst = Indicator::None;
        let mut bump = |i: Indicator| {
            if i.severity() > worst.severity() {
                worst = i;
            }
        };
        for impact in open_incident_impacts {
            bump(match impact {
                Impact::None => Indicator::None,
                Impact::Minor => Indicator::Minor,
                Impact::Major => Indicator::Major,
                Impact::Critical => Indicator::Critical,
                Impact::Maintenance => Indicator::Maintenance,
            });
        }
        let down = leaf_statuses
            .iter()
            .filter(|s| **s == ComponentStatus::MajorOutage)
            .count();
        for status in leaf_statuses {
            bump(match status {
                ComponentStatus::MajorOutage if down * 2 > leaf_statuses.len() => {
                    Indicator::Critical
                }
                ComponentStatus::MajorOutage => Indicator::Major,
                ComponentStatus::PartialOutage | ComponentStatus::DegradedPerformance => {
                    Indicator::Minor
                }
                ComponentStatus::UnderMaintenance => Indicator::Maintenance,
                ComponentStatus::Operational => Indicator::None,
            });
        }
        if maintenance_in_progress {
            bump(Indicator::Maintenance);
        }
        worst
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_every_value() {
        for s in IncidentStatus::ALL {
            assert_eq!(s.as_str().parse::<IncidentStatus>().unwrap(), *s);
        }
        assert!("resolvd"
            .parse::<IncidentStatus>()
            .unwrap_err()
            .contains("resolved"));
    }

    #[test]
    fn roll_up_takes_the_worst() {
        use ComponentStatus::*;
        assert_eq!(
            Indicator::roll_up([], &[Operational, Operational], false),
            Indicator::None
        );
        assert_eq!(
            Indicator::roll_up([], &[Operational, DegradedPerformance], false),
            Indicator::Minor
        );
        assert_eq!(
            Indicator::roll_up(
                [Impact::Minor],
                &[MajorOutage, Operational, Operational],
                false
            ),
            Indicator::Major
        );
        assert_eq!(
            Indicator::roll_up([], &[MajorOutage, MajorOutage, Operational], false),
            Indicator::Critical
        );
        assert_eq!(
            Indicator::roll_up([], &[UnderMaintenance, Operational], false),
            Indicator::Maintenance
        );
        assert_eq!(
            Indicator::roll_up([Impact::Critical], &[UnderMaintenance], true),
            Indicator::Critical
        );
    }
}
