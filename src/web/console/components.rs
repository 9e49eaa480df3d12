//! Components and groups: the list in display order with each one's status, adding one,
//! moving one up or down and setting its status by hand (editing one is `component.rs`).
//! Every change goes through `Service::create_component` / `patch_component`; the checks here
//! only word the common mistakes in the user's language before the service sees them.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::form::{Errs, Fields};
use super::rows::{shown_status, status_opts};
use super::text::{Chrome, Opt, Tr};
use super::visit::{Allowed, Console, Guarded, Reply, Respond};
use crate::domain::{Component, ComponentStatus};
use crate::error::{Error, Result};
use crate::read;
use crate::service::{ComponentPatch, NewComponent};
use crate::web::AppState;

pub const LIST: &str = "/console/components";

pub struct ComponentRow {
    pub id: String,
    pub name: String,
    pub description: String,
    pub is_group: bool,
    pub child: bool,
    pub children_label: String,
    pub status: String,
    pub statuses: Vec<Opt>,
    pub status_label: String,
    pub save_label: String,
    pub can_up: bool,
    pub can_down: bool,
    pub up_label: String,
    pub down_label: String,
    /// The error of this row's small forms, if one was just refused.
    pub err: String,
}

#[derive(Template)]
#[template(path = "console/components.html")]
struct ComponentsPage {
    c: Chrome,
    rows: Vec<ComponentRow>,
    form: Fields,
    errs: Errs,
    groups: Vec<Opt>,
}

/// How many entries share `group_id` as parent (the top level when `None`).
pub fn siblings(all: &[Component], group_id: Option<&str>) -> i64 {
    let count = all
        .iter()
        .filter(|c| c.group_id.as_deref() == group_id)
        .count();
    i64::try_from(count).unwrap_or(i64::MAX)
}

/// The component `id` among `all`.
pub fn find<'a>(all: &'a [Component], id: &str) -> Result<&'a Component> {
    all.iter()
        .find(|c| c.id == id)
        .ok_or_else(|| Error::not_found("component", id))
}

/// "No group" and then every group, by display order.
pub fn group_opts(tr: &Tr, all: &[Component], current: &str) -> Vec<Opt> {
    let mut opts = vec![Opt {
        value: String::new(),
        label: tr.t("console-no-group"),
        selected: current.is_empty(),
    }];
    opts.extend(all.iter().filter(|c| c.is_group).map(|g| Opt {
        value: g.id.clone(),
        label: g.name.clone(),
        selected: g.id == current,
    }));
    opts
}

/// The chosen group must (still) exist and be a group; groups do not nest.
pub fn check_group_choice(
    all: &[Component],
    group_id: Option<&str>,
    is_group: bool,
    errs: &mut Errs,
    tr: &Tr,
) {
    let Some(gid) = group_id else {
        return;
    };
    if !all.iter().any(|c| c.id == gid && c.is_group) {
        errs.add(tr, "group_id", tr.t("console-error-no-group"));
    } else if is_group {
        errs.add(tr, "group_id", tr.t("console-error-group-in-group"));
    }
}

// ---------------------------------------------------------------- the list and the add form

fn component_row(tr: &Tr, c: &Component, all: &[Component], err: String) -> ComponentRow {
    ComponentRow {
        id: c.id.clone(),
        name: c.name.clone(),
        description: c.description.clone().unwrap_or_default(),
        is_group: c.is_group,
        child: c.group_id.is_some(),
        children_label: c.children_label.clone().unwrap_or_default(),
        status: shown_status(tr, c, all),
        statuses: status_opts(tr, c.status.as_str()),
        status_label: tr.f("console-status-of", &[("item", c.name.clone())]),
        save_label: tr.f("console-save-status-of", &[("item", c.name.clone())]),
        can_up: c.position > 1,
        can_down: c.position < siblings(all, c.group_id.as_deref()),
        up_label: tr.f("console-move-up", &[("item", c.name.clone())]),
        down_label: tr.f("console-move-down", &[("item", c.name.clone())]),
        err,
    }
}

async fn list_view(
    state: &AppState,
    console: &Console,
    mut form: Fields,
    errs: Errs,
    row_err: Option<(&str, String)>,
    status: StatusCode,
) -> Reply {
    let tr = console.tr();
    let all = read::console::components(&state.service).await?;
    if form.0.is_empty() {
        // A fresh form: a component, shown with uptime bars.
        form.set("kind", "component");
        form.set("showcase", "on");
    }
    let rows = all
        .iter()
        .map(|c| {
            let err = match &row_err {
                Some((id, msg)) if *id == c.id => msg.clone(),
                _ => String::new(),
            };
            component_row(tr, c, &all, err)
        })
        .collect();
    let page = ComponentsPage {
        c: console.chrome(state, &tr.t("console-components-page")),
        rows,
        groups: group_opts(tr, &all, form.get("group_id")),
        form,
        errs,
    };
    console.visit.page(status, page.render())
}

/// The list again, with the error of the row `id`'s small form.
async fn row_refused(state: &AppState, console: &Console, id: &str, message: String) -> Reply {
    let (form, errs, row) = (Fields::default(), Errs::default(), Some((id, message)));
    list_view(
        state,
        console,
        form,
        errs,
        row,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
}

pub async fn components_page(State(state): State<AppState>, c: Allowed<Respond>) -> Reply {
    let (form, errs) = (Fields::default(), Errs::default());
    list_view(&state, &c, form, errs, None, StatusCode::OK).await
}

/// The component or group the add form describes, or what is wrong with it.
fn read_new_component(form: &Fields, tr: &Tr, all: &[Component]) -> Result<NewComponent, Errs> {
    let mut errs = Errs::default();
    let group = match form.get("kind") {
        "component" => false,
        "group" => true,
        _ => {
            errs.add(tr, "kind", tr.t("console-error-choice"));
            false
        }
    };
    errs.require(tr, form, "name", "console-field-name");
    let group_id = form.opt("group_id");
    check_group_choice(all, group_id.as_deref(), group, &mut errs, tr);
    let children_label = form.opt("children_label");
    if !group && children_label.is_some() {
        errs.add(tr, "children_label", tr.t("console-error-label-group-only"));
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    Ok(NewComponent {
        name: form.get("name").to_string(),
        description: form.opt("description"),
        group,
        children_label,
        group_id,
        position: None,
        status: None,
        only_show_if_degraded: form.checked("only_show_if_degraded"),
        showcase: form.checked("showcase"),
        start_date: None,
    })
}

pub async fn create_component(State(state): State<AppState>, f: Guarded<Respond>) -> Reply {
    let all = read::console::components(&state.service).await?;
    let (form, actor) = (&f.form, f.actor());
    f.submit(
        read_new_component(form, f.tr(), &all),
        |input| state.service.create_component(&actor, input),
        |c| {
            (
                format!("{LIST}#c-{}", c.id),
                "console-flash-component-created",
            )
        },
        |no| list_view(&state, &f, form.clone(), no.errs, None, no.status),
    )
    .await
}

/// The one-field forms of a row: move up or down, set the status; what the service refuses
/// is said in the row.
async fn row_patch(
    state: &AppState,
    console: &Console,
    id: &str,
    patch: ComponentPatch,
    flash: &str,
) -> Reply {
    let done = state
        .service
        .patch_component(&console.actor(), id, patch)
        .await;
    match done {
        Ok(_) => Ok(console.visit.redirect(&format!("{LIST}#c-{id}"), flash)),
        Err(Error::Invalid(problems)) => {
            let msg = problems
                .values()
                .map(|p| console.tr().problem(p))
                .collect::<Vec<_>>()
                .join("; ");
            row_refused(state, console, id, msg).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn move_component(
    State(state): State<AppState>,
    f: Guarded<Respond, Path<String>>,
) -> Reply {
    let id = &f.path.0;
    let all = read::console::components(&state.service).await?;
    let me = find(&all, id)?;
    let to = match f.form.get("move") {
        "up" => me.position - 1,
        "down" => me.position + 1,
        _ => return row_refused(&state, &f, id, f.tr().t("console-error-choice")).await,
    };
    if to < 1 || to > siblings(&all, me.group_id.as_deref()) {
        // Already first (or last): nothing to do.
        return Ok(f.visit.redirect(&format!("{LIST}#c-{id}"), ""));
    }
    let patch = ComponentPatch {
        position: Some(to),
        ..Default::default()
    };
    row_patch(&state, &f, id, patch, "console-flash-component-moved").await
}

pub async fn set_component_status(
    State(state): State<AppState>,
    f: Guarded<Respond, Path<String>>,
) -> Reply {
    let id = &f.path.0;
    let Ok(status) = f.form.get("status").parse::<ComponentStatus>() else {
        return row_refused(&state, &f, id, f.tr().t("console-error-choice")).await;
    };
    let patch = ComponentPatch {
        status: Some(status),
        ..Default::default()
    };
    row_patch(&state, &f, id, patch, "console-flash-status-set").await
}
