//! The postmortem and remediation items of an incident, on its console screen: what the
//! section shows, and the forms that save the postmortem, add an item, and change one (its
//! state, due day, tracker link, or its place in the list).

use axum::extract::{Path, State};

use super::form::{Errs, Fields, Reader};
use super::incident::{refused, Submitted};
use super::text::{Opt, Tr};
use super::visit::{Guarded, Reply, Respond};
use crate::domain::{IncidentDetail, PostmortemState, RemediationCategory, RemediationState};
use crate::render::labels;
use crate::service::{NewRemediationItem, PostmortemInput, RemediationPatch};
use crate::web::AppState;

fn remediation_states(tr: &Tr, current: &str) -> Vec<Opt> {
    Opt::list(
        RemediationState::ALL,
        |s| s.as_str(),
        |s| tr.t(labels::remediation_state(s)),
        current,
    )
}

pub struct ItemRow {
    pub id: String,
    pub title: String,
    pub state: String,
    pub category: String,
    pub states: Vec<Opt>,
    pub reason: String,
    /// `YYYY-MM-DD` or empty.
    pub due: String,
    pub tracker: String,
    pub up_label: String,
    pub down_label: String,
    pub err: String,
}

/// What the incident screen shows of the postmortem and the remediation items.
pub struct PostmortemSection {
    pub pm: Fields,
    pub pm_states: Vec<Opt>,
    pub pm_state: String,
    pub items: Vec<ItemRow>,
    pub item_form: Fields,
    pub categories: Vec<Opt>,
    pub item_states: Vec<Opt>,
}

pub fn section(tr: &Tr, detail: &IncidentDetail, sub: &Submitted) -> PostmortemSection {
    let mut pm = Fields::default();
    if let Some(p) = &detail.postmortem {
        pm.set("summary", p.summary.clone().unwrap_or_default());
        pm.set("root_cause", p.root_cause.clone());
        pm.set("resolution", p.resolution.clone());
        pm.set("state", p.state.as_str());
    }
    if sub.err_form == "postmortem" {
        pm = sub.form.clone();
    }
    let item_form = sub.form_of("item");
    PostmortemSection {
        pm_states: Opt::list(
            &[PostmortemState::Draft, PostmortemState::Published],
            |s| s.as_str(),
            |s| tr.t(labels::postmortem_state(s)),
            pm.get("state"),
        ),
        pm,
        pm_state: detail
            .postmortem
            .as_ref()
            .map(|p| tr.t(labels::postmortem_state(p.state)))
            .unwrap_or_else(|| tr.t("console-postmortem-none")),
        items: item_rows(tr, detail, sub),
        categories: Opt::list(
            RemediationCategory::ALL,
            |c| c.as_str(),
            |c| tr.t(labels::remediation_category(c)),
            item_form.get("category"),
        ),
        item_states: remediation_states(tr, item_form.get("state")),
        item_form,
    }
}

fn item_rows(tr: &Tr, detail: &IncidentDetail, sub: &Submitted) -> Vec<ItemRow> {
    detail
        .remediation_items
        .iter()
        .map(|i| ItemRow {
            id: i.id.clone(),
            title: i.title.clone(),
            state: tr.t(labels::remediation_state(i.state)),
            category: tr.t(labels::remediation_category(i.category)),
            states: remediation_states(tr, i.state.as_str()),
            reason: i.state_reason.clone().unwrap_or_default(),
            due: i
                .due_on
                .map(|d| d.format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            tracker: i.tracker_url.clone().unwrap_or_default(),
            up_label: tr.f("console-move-up", &[("item", i.title.clone())]),
            down_label: tr.f("console-move-down", &[("item", i.title.clone())]),
            err: sub.error_of(&format!("item-{}", i.id)),
        })
        .collect()
}

fn read_postmortem(form: &Fields, tr: &Tr) -> Result<PostmortemInput, Errs> {
    let mut r = Reader::new(form, tr);
    let state = r.choice::<PostmortemState>("state");
    Ok(PostmortemInput {
        summary: form.opt("summary"),
        root_cause: form.get("root_cause").to_string(),
        resolution: form.get("resolution").to_string(),
        state: r.finish(state)?,
        translations: Default::default(),
    })
}

pub async fn put_postmortem(
    State(state): State<AppState>,
    f: Guarded<Respond, Path<String>>,
) -> Reply {
    let (Path(id), actor) = (&f.path, f.actor());
    f.submit(
        read_postmortem(&f.form, f.tr()),
        |input| state.service.put_postmortem(&actor, id, input),
        |_| {
            (
                format!("/console/incidents/{id}"),
                "console-flash-postmortem-saved",
            )
        },
        |no| refused(&state, &f, id, "postmortem".into(), f.form.clone(), no),
    )
    .await
}

fn read_item(form: &Fields, tr: &Tr) -> Result<NewRemediationItem, Errs> {
    let mut r = Reader::new(form, tr);
    let category = r.choice::<RemediationCategory>("category");
    let state = r.choice::<RemediationState>("state");
    let due_on = r.date("due_on");
    let (category, state) = r.finish(category.zip(state))?;
    Ok(NewRemediationItem {
        title: form.get("title").to_string(),
        detail: form.opt("detail"),
        category,
        state,
        state_reason: form.opt("state_reason"),
        due_on,
        tracker_url: form.opt("tracker_url"),
        position: None,
        translations: Default::default(),
    })
}

pub async fn add_item(State(state): State<AppState>, f: Guarded<Respond, Path<String>>) -> Reply {
    let (Path(id), actor) = (&f.path, f.actor());
    f.submit(
        read_item(&f.form, f.tr()),
        |input| state.service.create_remediation_item(&actor, id, input),
        |_| {
            (
                format!("/console/incidents/{id}"),
                "console-flash-item-saved",
            )
        },
        |no| refused(&state, &f, id, "item".into(), f.form.clone(), no),
    )
    .await
}

/// The change the item's row form asks for: a move, or its state, reason, due day and link.
fn read_item_patch(form: &Fields, tr: &Tr, position: i64) -> Result<RemediationPatch, Errs> {
    let mut r = Reader::new(form, tr);
    let mut patch = RemediationPatch::default();
    match form.get("move") {
        "up" => patch.position = Some((position - 1).max(1)),
        "down" => patch.position = Some(position + 1),
        _ => {
            patch.state = r.choice::<RemediationState>("state");
            patch.state_reason = Some(form.opt("state_reason"));
            patch.due_on = Some(r.date("due_on"));
            patch.tracker_url = Some(form.opt("tracker_url"));
        }
    }
    r.finish(Some(patch))
}

pub async fn patch_item(State(state): State<AppState>, f: Guarded<Respond, Path<String>>) -> Reply {
    let Path(id) = &f.path;
    let item = state.service.remediation_item(id).await?;
    let actor = f.actor();
    f.submit(
        read_item_patch(&f.form, f.tr(), item.position),
        |patch| state.service.patch_remediation_item(&actor, id, patch),
        |_| {
            let to = format!("/console/incidents/{}", item.incident_id);
            (to, "console-flash-item-saved")
        },
        |no| {
            refused(
                &state,
                &f,
                &item.incident_id,
                format!("item-{id}"),
                f.form.clone(),
                no,
            )
        },
    )
    .await
}
