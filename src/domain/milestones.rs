//! Milestone order rules and the durations computed from them (docs/postmortem.md).

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{problem, Arg, Milestones, Problem};

/// Durations in whole seconds; `None` when a milestone is missing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Durations {
    #[schema(required = true)]
    pub impact_seconds: Option<i64>,
    #[schema(required = true)]
    pub time_to_detect_seconds: Option<i64>,
    #[schema(required = true)]
    pub time_to_first_update_seconds: Option<i64>,
    #[schema(required = true)]
    pub time_to_mitigate_seconds: Option<i64>,
    #[schema(required = true)]
    pub time_to_resolve_seconds: Option<i64>,
    #[schema(required = true)]
    pub time_to_postmortem_seconds: Option<i64>,
}

fn span(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> Option<i64> {
    Some((to? - from?).num_seconds()).filter(|s| *s >= 0)
}

impl Durations {
    pub fn compute(
        m: &Milestones,
        first_update_at: Option<DateTime<Utc>>,
        postmortem_published_at: Option<DateTime<Utc>>,
    ) -> Durations {
        Durations {
            impact_seconds: span(m.impact_started_at, m.impact_ended_at),
            time_to_detect_seconds: span(m.impact_started_at, m.detected_at),
            time_to_first_update_seconds: span(m.impact_started_at, first_update_at),
            time_to_mitigate_seconds: span(m.detected_at, m.mitigated_at),
            time_to_resolve_seconds: span(m.impact_started_at, m.resolved_at),
            time_to_postmortem_seconds: span(m.resolved_at, postmortem_published_at),
        }
    }
}

/// What is wrong with one milestone (field names as in [`Milestones`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MilestoneProblem {
    /// The milestone lies in the future.
    Future { field: &'static str },
    /// The milestone lies before `earlier`, which it cannot precede.
    Before {
        field: &'static str,
        earlier: &'static str,
        earlier_at: DateTime<Utc>,
    },
}

impl MilestoneProblem {
    pub fn field(&self) -> &'static str {
        match self {
            MilestoneProblem::Future { field } | MilestoneProblem::Before { field, .. } => field,
        }
    }
}

/// Checks the order of milestones. Impact cannot end (or be detected, mitigated) before it
/// starts; mitigation cannot precede detection; nothing can lie in the future.
pub fn milestone_order(m: &Milestones, now: DateTime<Utc>) -> Vec<MilestoneProblem> {
    let mut problems = Vec::new();
    let named = [
        ("impact_started_at", m.impact_started_at),
        ("detected_at", m.detected_at),
        ("mitigated_at", m.mitigated_at),
        ("impact_ended_at", m.impact_ended_at),
    ];
    for (field, at) in named {
        if at.is_some_and(|at| at > now + chrono::Duration::minutes(5)) {
            problems.push(MilestoneProblem::Future { field });
        }
    }
    let mut before = |earlier: (&'static str, Option<DateTime<Utc>>),
                      later: (&'static str, Option<DateTime<Utc>>)| {
        if let (Some(a), Some(b)) = (earlier.1, later.1) {
            if b < a {
                problems.push(MilestoneProblem::Before {
                    field: later.0,
                    earlier: earlier.0,
                    earlier_at: a,
                });
            }
        }
    };
    let started = ("impact_started_at", m.impact_started_at);
    before(started, ("detected_at", m.detected_at));
    before(started, ("mitigated_at", m.mitigated_at));
    before(started, ("impact_ended_at", m.impact_ended_at));
    before(
        ("detected_at", m.detected_at),
        ("mitigated_at", m.mitigated_at),
    );
    problems
}

/// [`milestone_order`] as (field, problem) pairs for validation errors, empty when all is well.
pub fn milestone_problems(m: &Milestones, now: DateTime<Utc>) -> Vec<(String, Problem)> {
    milestone_order(m, now)
        .into_iter()
        .map(|p| match p {
            MilestoneProblem::Future { field } => (
                format!("milestones.{field}"),
                problem!("problem-milestone-future"),
            ),
            MilestoneProblem::Before {
                field,
                earlier,
                earlier_at,
            } => (
                format!("milestones.{field}"),
                problem!(
                    "problem-milestone-before",
                    earlier = Arg::field(earlier),
                    at = earlier_at.to_rfc3339()
                ),
            ),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Option<DateTime<Utc>> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn durations_of_the_seed_incident() {
        let m = Milestones {
            impact_started_at: t("2024-02-29T08:00:00Z"),
            detected_at: t("2024-02-29T10:30:00Z"),
            mitigated_at: t("2024-02-29T15:07:00Z"),
            impact_ended_at: t("2024-02-29T16:10:00Z"),
            monitoring_at: t("2024-02-29T15:07:00Z"),
            resolved_at: t("2024-02-29T17:34:00Z"),
        };
        let d = Durations::compute(&m, t("2024-02-29T11:10:00Z"), t("2024-03-05T12:00:00Z"));
        assert_eq!(d.impact_seconds, Some(8 * 3600 + 600));
        assert_eq!(d.time_to_first_update_seconds, Some(3 * 3600 + 600));
        assert_eq!(d.time_to_detect_seconds, Some(2 * 3600 + 1800));
        assert_eq!(d.time_to_resolve_seconds, Some(9 * 3600 + 34 * 60));
        assert!(d.time_to_postmortem_seconds.unwrap() > 0);
    }

    #[test]
    fn impact_cannot_end_before_it_starts() {
        let m = Milestones {
            impact_started_at: t("2024-02-29T08:00:00Z"),
            impact_ended_at: t("2024-02-29T07:00:00Z"),
            ..Default::default()
        };
        let problems = milestone_problems(&m, "2024-03-01T00:00:00Z".parse().unwrap());
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].0, "milestones.impact_ended_at");
        assert_eq!(problems[0].1.key(), Some("problem-milestone-before"));
    }
}
