//! An incident's milestones (impact started, detected, mitigated, impact ended), on its
//! console screen: the editor, and the form that saves them. The milestones the updates set
//! (monitoring, resolved) are shown, not edited.

use axum::extract::{Path, State};
use chrono::{DateTime, Timelike, Utc};

use super::form::{read_time, Errs, Fields, Reader};
use super::incident::{refused, Submitted};
use super::text::Tr;
use super::visit::{Guarded, Reply, Respond};
use crate::domain::{milestone_order, MilestoneProblem, Milestones};
use crate::service::{IncidentPatch, MilestonesPatch};
use crate::web::AppState;

/// One milestone in the editor.
pub struct MilestoneRow {
    pub name: &'static str,
    pub label: String,
    pub value: String,
    /// The input's `step`: seconds, or milliseconds for a time given with them through the
    /// API (a browser refuses to send a value that is off its step).
    pub step: &'static str,
}

/// The milestones an author sets (the others follow from the updates), by form field name.
fn editable_milestones(m: &Milestones) -> [(&'static str, Option<DateTime<Utc>>); 4] {
    [
        ("impact_started_at", m.impact_started_at),
        ("detected_at", m.detected_at),
        ("mitigated_at", m.mitigated_at),
        ("impact_ended_at", m.impact_ended_at),
    ]
}

fn milestone_key(name: &str) -> &'static str {
    match name {
        "impact_started_at" => "console-milestone-impact-started",
        "detected_at" => "console-milestone-detected",
        "mitigated_at" => "console-milestone-mitigated",
        "impact_ended_at" => "console-milestone-impact-ended",
        "monitoring_at" => "console-milestone-monitoring",
        _ => "console-milestone-resolved",
    }
}

/// A milestone as a `datetime-local` value in UTC: seconds only when it has some, so an
/// untouched field reads back exactly.
fn milestone_value(at: Option<DateTime<Utc>>) -> String {
    match at {
        None => String::new(),
        Some(t) if t.second() == 0 && t.nanosecond() == 0 => t.format("%Y-%m-%dT%H:%M").to_string(),
        Some(t) if t.nanosecond() == 0 => t.format("%Y-%m-%dT%H:%M:%S").to_string(),
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S%.3f").to_string(),
    }
}

/// The editor's rows, and the milestones derived from the updates: (label, time).
pub fn section(
    tr: &Tr,
    m: &Milestones,
    sub: &Submitted,
    stamp: &impl Fn(DateTime<Utc>) -> String,
) -> (Vec<MilestoneRow>, Vec<(String, String)>) {
    let rows = editable_milestones(m)
        .into_iter()
        .map(|(name, at)| MilestoneRow {
            name,
            label: tr.t(milestone_key(name)),
            value: if sub.err_form == "milestones" {
                // As typed, in the form a `datetime-local` input takes; unreadable: left out.
                milestone_value(read_time(sub.form.get(name)))
            } else {
                milestone_value(at)
            },
            step: if at.is_some_and(|t| t.nanosecond() != 0) {
                "0.001"
            } else {
                "1"
            },
        })
        .collect();
    let derived = [
        ("monitoring_at", m.monitoring_at),
        ("resolved_at", m.resolved_at),
    ]
    .into_iter()
    .map(|(name, at)| {
        (
            tr.t(milestone_key(name)),
            at.map(stamp).unwrap_or_else(|| "—".into()),
        )
    })
    .collect();
    (rows, derived)
}

/// The milestones the form changes (none if it changes nothing), or what is wrong with them:
/// a time it cannot read, or (said in the user's language; the service checks again) one out
/// of order.
fn read_milestones(
    form: &Fields,
    tr: &Tr,
    current: &Milestones,
    now: DateTime<Utc>,
) -> Result<Option<MilestonesPatch>, Errs> {
    let mut r = Reader::new(form, tr);
    let mut patch = MilestonesPatch::default();
    let mut next = current.clone();
    for (name, at) in editable_milestones(current) {
        // Unchanged fields are left alone (a time given through the API keeps its precision).
        if form.get(name).trim() == milestone_value(at) {
            continue;
        }
        let value = r.time(name);
        let (slot, next_slot) = match name {
            "impact_started_at" => (&mut patch.impact_started_at, &mut next.impact_started_at),
            "detected_at" => (&mut patch.detected_at, &mut next.detected_at),
            "mitigated_at" => (&mut patch.mitigated_at, &mut next.mitigated_at),
            _ => (&mut patch.impact_ended_at, &mut next.impact_ended_at),
        };
        *slot = Some(value);
        *next_slot = value;
    }
    for problem in milestone_order(&next, now) {
        let message = match &problem {
            MilestoneProblem::Future { .. } => tr.t("console-error-future"),
            MilestoneProblem::Before { earlier, .. } => tr.f(
                "console-error-before",
                &[("milestone", tr.t(milestone_key(earlier)))],
            ),
        };
        if !r.errs.has(problem.field()) {
            r.errs.add(tr, problem.field(), message);
        }
    }
    let unchanged = [
        &patch.impact_started_at,
        &patch.detected_at,
        &patch.mitigated_at,
        &patch.impact_ended_at,
    ]
    .iter()
    .all(|p| p.is_none());
    r.finish(Some((!unchanged).then_some(patch)))
}

pub async fn put_milestones(
    State(state): State<AppState>,
    f: Guarded<Respond, Path<String>>,
) -> Reply {
    let Path(id) = &f.path;
    let detail = state.service.incident_detail(id).await?;
    let (service, actor, tr) = (&state.service, f.actor(), f.tr());
    let parsed = read_milestones(&f.form, tr, &detail.incident.milestones, service.now());
    f.submit(
        parsed,
        |patch| async move {
            let Some(patch) = patch else {
                return Ok(false);
            };
            let patch = IncidentPatch {
                milestones: Some(patch),
                ..Default::default()
            };
            service
                .patch_incident(&actor, id, patch)
                .await
                .map(|_| true)
        },
        |changed| {
            let flash = if changed {
                "console-flash-milestones-saved"
            } else {
                "console-flash-no-change"
            };
            (format!("/console/incidents/{id}"), flash)
        },
        |mut no| {
            // The service names them `milestones.<name>`; the form, `<name>`.
            no.errs = no
                .errs
                .renamed(tr, |name| name.trim_start_matches("milestones."));
            refused(&state, &f, id, "milestones".into(), f.form.clone(), no)
        },
    )
    .await
}
