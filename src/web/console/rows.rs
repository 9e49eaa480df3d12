//! Rows more than one screen shows: components with a status select (dashboard, new incident,
//! an incident's update form), incidents in a list, and times as the page shows them.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::form::{Errs, Fields};
use super::text::{Opt, Tr};
use crate::domain::{Component, ComponentStatus, Incident};
use crate::render::labels;
use crate::web::AppState;

pub struct CompRow {
    pub id: String,
    pub name: String,
    pub child: bool,
    pub status: String,
    pub opts: Vec<Opt>,
    /// What is wrong with the status chosen for it, if anything.
    pub err: String,
}

/// The component statuses, for a select, `current` selected.
pub fn status_opts(tr: &Tr, current: &str) -> Vec<Opt> {
    Opt::list(
        ComponentStatus::ALL,
        |s| s.as_str(),
        |s| tr.t(labels::component_status(s)),
        current,
    )
}

/// A component's status as shown (a group shows its worst child's), in words.
pub fn shown_status(tr: &Tr, c: &Component, all: &[Component]) -> String {
    tr.t(labels::component_status(crate::domain::shown_status(
        c, all,
    )))
}

/// The components with a status select each; `errs` are the form's errors, if it is the one
/// that was refused.
pub fn comp_rows(
    tr: &Tr,
    components: &[Component],
    form: &Fields,
    errs: Option<&Errs>,
) -> Vec<CompRow> {
    components
        .iter()
        .map(|c| {
            let current = form.get(&format!("c.{}", c.id));
            let mut opts = vec![Opt {
                value: String::new(),
                label: tr.t("console-unchanged"),
                selected: current.is_empty(),
            }];
            opts.extend(status_opts(tr, current));
            // A child is named with its group ("Sell › Pod 13"): pods look alike.
            let group = c
                .group_id
                .as_deref()
                .and_then(|g| components.iter().find(|k| k.id == g));
            CompRow {
                id: c.id.clone(),
                name: match group {
                    Some(g) => tr.f(
                        "console-component-in-group",
                        &[("group", g.name.clone()), ("component", c.name.clone())],
                    ),
                    None => c.name.clone(),
                },
                child: c.group_id.is_some(),
                status: shown_status(tr, c, components),
                opts,
                err: errs
                    .map(|e| e.msg(&format!("components.{}", c.id)))
                    .unwrap_or_default(),
            }
        })
        .collect()
}

/// `c.<component id>` = new status; empty means unchanged.
pub fn component_statuses(
    fields: &Fields,
    errs: &mut Errs,
    tr: &Tr,
) -> BTreeMap<String, ComponentStatus> {
    let mut out = BTreeMap::new();
    for (id, value) in fields.with_prefix("c.") {
        if value.is_empty() {
            continue;
        }
        match value.parse::<ComponentStatus>() {
            Ok(s) => {
                out.insert(id.to_string(), s);
            }
            Err(_) => errs.add(
                tr,
                &format!("components.{id}"),
                tr.t("console-error-choice"),
            ),
        }
    }
    out
}

pub struct IncidentRow {
    pub id: String,
    pub title: String,
    pub status: String,
    pub impact: String,
    pub at: String,
}

/// Times as the page shows them: in its display time zones, in the console's language.
pub async fn stamp_fn(state: &AppState, tr: &Tr) -> impl Fn(DateTime<Utc>) -> String {
    let page = state.service.page().await.ok();
    let zones = crate::render::time::zones(&page.map(|p| p.display_time_zones).unwrap_or_default());
    let i18n = state.i18n.clone();
    let locale = tr.locale.clone();
    move |at| crate::render::time::Formatter::new(&i18n, &locale).stamp(at, &zones)
}

pub fn incident_rows(
    tr: &Tr,
    stamp: &impl Fn(DateTime<Utc>) -> String,
    list: &[Incident],
) -> Vec<IncidentRow> {
    list.iter()
        .map(|i| IncidentRow {
            id: i.id.clone(),
            title: i.title.clone(),
            status: tr.t(labels::incident_status(i.status)),
            impact: tr.t(labels::impact(i.impact)),
            at: stamp(i.started_at),
        })
        .collect()
}
