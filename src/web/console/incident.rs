//! One incident (or maintenance) in the console: its updates, the form that posts the next
//! one (with a preview), and, on the same screen, its postmortem and remediation items
//! (`postmortem.rs`) and its milestones (`milestones.rs`). A refused form comes back here with
//! its errors (`Submitted`).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::form::{local_time_field, Errs, Fields};
use super::milestones::{self, MilestoneRow};
use super::postmortem::{self, ItemRow, PostmortemSection};
use super::rows::{comp_rows, stamp_fn, CompRow};
use super::text::{Chrome, Opt, Tr};
use super::visit::{Console, Refused, Reply};
use crate::domain::IncidentDetail;
use crate::domain::{Component, Incident, IncidentKind, IncidentStatus};
use crate::read;
use crate::render::{labels, markdown};
use crate::web::AppState;

/// The statuses an incident's updates may set, and a maintenance's.
pub const INCIDENT_STATUSES: [IncidentStatus; 4] = [
    IncidentStatus::Investigating,
    IncidentStatus::Identified,
    IncidentStatus::Monitoring,
    IncidentStatus::Resolved,
];

const MAINTENANCE_STATUSES: [IncidentStatus; 4] = [
    IncidentStatus::Scheduled,
    IncidentStatus::InProgress,
    IncidentStatus::Verifying,
    IncidentStatus::Completed,
];

pub struct UpdateRow {
    pub id: String,
    pub status: String,
    pub at: String,
    pub html: String,
    pub message: String,
    pub corrected: bool,
    /// The correction form's error, if it was just refused.
    pub err: String,
}

#[derive(Template)]
#[template(path = "console/incident.html")]
struct IncidentPage {
    c: Chrome,
    id: String,
    title: String,
    status: String,
    impact: String,
    public_href: String,
    updates: Vec<UpdateRow>,
    /// Which form the errors belong to: `update`, `correct-<id>`, `postmortem`, `item`, `item-<id>`.
    err_form: String,
    errs: Errs,
    form: Fields,
    statuses: Vec<Opt>,
    components: Vec<CompRow>,
    preview: String,
    pm: Fields,
    pm_states: Vec<Opt>,
    pm_state: String,
    items: Vec<ItemRow>,
    item_form: Fields,
    categories: Vec<Opt>,
    item_states: Vec<Opt>,
    /// Incidents have milestones (maintenances have a window instead).
    has_milestones: bool,
    milestones: Vec<MilestoneRow>,
    /// Milestones derived from the updates: (label, time).
    derived: Vec<(String, String)>,
}

/// A form of the incident screen just submitted: which one, what it said, what was wrong.
pub struct Submitted {
    pub err_form: String,
    pub errs: Errs,
    pub form: Fields,
    pub preview: bool,
}

impl Submitted {
    fn none() -> Submitted {
        Submitted {
            err_form: String::new(),
            errs: Errs::default(),
            form: Fields::default(),
            preview: false,
        }
    }

    /// What `which` said, if it is the form submitted; else an empty form.
    pub fn form_of(&self, which: &str) -> Fields {
        if self.err_form == which {
            self.form.clone()
        } else {
            Fields::default()
        }
    }

    /// The errors of the form `which`, in one line (for the small per-row forms).
    pub fn error_of(&self, which: &str) -> String {
        if self.err_form != which {
            return String::new();
        }
        self.errs.lines().join(" · ")
    }
}

/// The incident screen again, with the form `err_form` as submitted and why it was refused.
pub async fn refused(
    state: &AppState,
    console: &Console,
    id: &str,
    err_form: String,
    form: Fields,
    no: Refused,
) -> Reply {
    let sub = Submitted {
        err_form,
        errs: no.errs,
        form,
        preview: false,
    };
    incident_view(state, console, id, sub, no.status).await
}

/// The form posting the next update: as submitted if it was, else the current status.
struct UpdateForm {
    form: Fields,
    statuses: Vec<Opt>,
    components: Vec<CompRow>,
    preview: String,
}

fn update_form(tr: &Tr, inc: &Incident, components: &[Component], sub: &Submitted) -> UpdateForm {
    let statuses: &[IncidentStatus] = if inc.kind == IncidentKind::Maintenance {
        &MAINTENANCE_STATUSES
    } else {
        &INCIDENT_STATUSES
    };
    let mut form = sub.form_of("update");
    if form.get("status").is_empty() {
        form.set("status", inc.status.as_str());
    }
    local_time_field(&mut form, "display_at");
    local_time_field(&mut form, "next_update_by");
    let errs = (sub.err_form == "update").then_some(&sub.errs);
    UpdateForm {
        statuses: Opt::list(
            statuses,
            |s| s.as_str(),
            |s| tr.t(labels::incident_status(s)),
            form.get("status"),
        ),
        components: comp_rows(tr, components, &form, errs),
        preview: if sub.preview {
            markdown::to_html(form.get("message"))
        } else {
            String::new()
        },
        form,
    }
}

fn update_rows(
    tr: &Tr,
    detail: &IncidentDetail,
    stamp: &impl Fn(chrono::DateTime<chrono::Utc>) -> String,
    sub: &Submitted,
) -> Vec<UpdateRow> {
    detail
        .updates
        .iter()
        .rev()
        .map(|u| UpdateRow {
            id: u.id.clone(),
            status: tr.t(labels::incident_status(u.status)),
            at: stamp(u.display_at),
            html: markdown::to_html(&u.message),
            message: u.message.clone(),
            corrected: !u.revisions.is_empty(),
            err: sub.error_of(&format!("correct-{}", u.id)),
        })
        .collect()
}

pub async fn incident_view(
    state: &AppState,
    console: &Console,
    id: &str,
    mut sub: Submitted,
    status: StatusCode,
) -> Reply {
    let tr = console.tr();
    let detail = state.service.incident_detail(id).await?;
    let components = read::console::components(&state.service).await?;
    sub.errs.name_components(tr, &components);
    let stamp = stamp_fn(state, tr).await;
    let inc = &detail.incident;
    let update = update_form(tr, inc, &components, &sub);
    let pm: PostmortemSection = postmortem::section(tr, &detail, &sub);
    let (milestones, derived) = milestones::section(tr, &inc.milestones, &sub, &stamp);
    let page = IncidentPage {
        c: console.chrome(state, &inc.title),
        id: inc.id.clone(),
        title: inc.title.clone(),
        status: tr.t(labels::incident_status(inc.status)),
        impact: tr.t(labels::impact(inc.impact)),
        public_href: format!("/{}/incidents/{}", inc.locale, inc.id),
        updates: update_rows(tr, &detail, &stamp, &sub),
        err_form: sub.err_form,
        errs: sub.errs,
        statuses: update.statuses,
        components: update.components,
        preview: update.preview,
        form: update.form,
        pm: pm.pm,
        pm_states: pm.pm_states,
        pm_state: pm.pm_state,
        items: pm.items,
        item_form: pm.item_form,
        categories: pm.categories,
        item_states: pm.item_states,
        has_milestones: inc.kind == IncidentKind::Incident,
        milestones,
        derived,
    };
    console.visit.page(status, page.render())
}

pub async fn incident_page(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
) -> Reply {
    incident_view(&state, &console, &id, Submitted::none(), StatusCode::OK).await
}

/// The incident screen showing a preview of the update form's message.
pub async fn preview(state: &AppState, console: &Console, id: &str, form: Fields) -> Reply {
    let sub = Submitted {
        err_form: "update".into(),
        errs: Errs::default(),
        form,
        preview: true,
    };
    incident_view(state, console, id, sub, StatusCode::OK).await
}
