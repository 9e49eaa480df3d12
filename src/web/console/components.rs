//! Components and groups: the list in display order with each one's status, adding one, editing
//! it (name, description, group, position, flags), moving it up or down and setting its status
//! by hand. Every change goes through `Service::create_component` / `patch_component`; the
//! checks here only word the common mistakes in the user's language before the service sees them.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use super::screens::{parse_enum, Pairs};
use super::*;
use crate::domain::{Component, ComponentStatus};
use crate::render::labels;
use crate::render::pages::effective_status;
use crate::service::{ComponentPatch, NewComponent};

const LIST: &str = "/console/components";

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

#[derive(Template)]
#[template(path = "console/component.html")]
struct ComponentPage {
    c: Chrome,
    id: String,
    is_group: bool,
    form: Fields,
    errs: Errs,
    groups: Vec<Opt>,
    statuses: Vec<Opt>,
    position_hint: String,
}

/// How many entries share `group_id` as parent (the top level when `None`).
fn siblings(all: &[Component], group_id: Option<&str>) -> i64 {
    all.iter()
        .filter(|c| c.group_id.as_deref() == group_id)
        .count() as i64
}

fn status_opts(tr: &Tr, current: &str) -> Vec<Opt> {
    Opt::list(
        ComponentStatus::ALL,
        |s| s.as_str(),
        |s| tr.t(labels::component_status(s)),
        current,
    )
}

/// "No group" and then every group, by display order.
fn group_opts(tr: &Tr, all: &[Component], current: &str) -> Vec<Opt> {
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

fn checked(form: &Fields, name: &str) -> bool {
    !form.get(name).is_empty()
}

/// A required text field, named in the message by its label.
fn required(form: &Fields, name: &str, label_key: &str, errs: &mut Errs, tr: &Tr) {
    if form.get(name).trim().is_empty() {
        errs.add(
            tr,
            name,
            tr.f("console-error-required", &[("field", tr.t(label_key))]),
        );
    }
}

/// The chosen group must (still) exist and be a group; groups do not nest.
fn check_group_choice(
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

async fn load(state: &AppState, console: &Console) -> Result<Vec<Component>, Response> {
    state
        .service
        .store()
        .components()
        .await
        .map_err(|e| console.visit.error(&e.into()))
}

fn code_of(e: &Error) -> StatusCode {
    StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY)
}

// ---------------------------------------------------------------- the list and the add form

async fn list_view(
    state: &AppState,
    console: &Console,
    mut form: Fields,
    errs: Errs,
    row_err: Option<(&str, String)>,
    status: StatusCode,
) -> Response {
    let tr = &console.visit.tr;
    let all = match load(state, console).await {
        Ok(all) => all,
        Err(r) => return r,
    };
    if form.0.is_empty() {
        // A fresh form: a component, shown with uptime bars.
        form.set("kind", "component");
        form.set("showcase", "on");
    }
    let rows = all
        .iter()
        .map(|c| ComponentRow {
            id: c.id.clone(),
            name: c.name.clone(),
            description: c.description.clone().unwrap_or_default(),
            is_group: c.is_group,
            child: c.group_id.is_some(),
            children_label: c.children_label.clone().unwrap_or_default(),
            status: tr.t(labels::component_status(effective_status(c, &all))),
            statuses: status_opts(tr, c.status.as_str()),
            status_label: tr.f("console-status-of", &[("item", c.name.clone())]),
            save_label: tr.f("console-save-status-of", &[("item", c.name.clone())]),
            can_up: c.position > 1,
            can_down: c.position < siblings(&all, c.group_id.as_deref()),
            up_label: tr.f("console-move-up", &[("item", c.name.clone())]),
            down_label: tr.f("console-move-down", &[("item", c.name.clone())]),
            err: match &row_err {
                Some((id, msg)) if *id == c.id => msg.clone(),
                _ => String::new(),
            },
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

pub async fn components_page(State(state): State<AppState>, console: Console) -> Response {
    if let Err(r) = console.allow(Need::Respond) {
        return r;
    }
    list_view(
        &state,
        &console,
        Fields::default(),
        Errs::default(),
        None,
        StatusCode::OK,
    )
    .await
}

pub async fn create_component(
    State(state): State<AppState>,
    console: Console,
    Form(pairs): Pairs,
) -> Response {
    let form = Fields(pairs);
    if let Err(r) = console.guard(&form, Need::Respond) {
        return r;
    }
    let all = match load(&state, &console).await {
        Ok(all) => all,
        Err(r) => return r,
    };
    let tr = &console.visit.tr;
    let mut errs = Errs::default();
    let group = match form.get("kind") {
        "component" => false,
        "group" => true,
        _ => {
            errs.add(tr, "kind", tr.t("console-error-choice"));
            false
        }
    };
    required(&form, "name", "console-field-name", &mut errs, tr);
    let group_id = form.opt("group_id");
    check_group_choice(&all, group_id.as_deref(), group, &mut errs, tr);
    let children_label = form.opt("children_label");
    if !group && children_label.is_some() {
        errs.add(tr, "children_label", tr.t("console-error-label-group-only"));
    }
    if !errs.is_empty() {
        return list_view(
            &state,
            &console,
            form,
            errs,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let input = NewComponent {
        name: form.get("name").to_string(),
        description: form.opt("description"),
        group,
        children_label,
        group_id,
        position: None,
        status: None,
        only_show_if_degraded: checked(&form, "only_show_if_degraded"),
        showcase: checked(&form, "showcase"),
        start_date: None,
    };
    match state
        .service
        .create_component(&console.actor(), input)
        .await
    {
        Ok(c) => console.visit.redirect(
            &format!("{LIST}#c-{}", c.id),
            "console-flash-component-created",
        ),
        Err(e) => {
            let code = code_of(&e);
            list_view(
                &state,
                &console,
                form,
                Errs::from_error(&e, &console.visit.tr),
                None,
                code,
            )
            .await
        }
    }
}

/// The one-field forms of a row: move up or down, set the status.
async fn row_patch(
    state: &AppState,
    console: &Console,
    id: &str,
    patch: ComponentPatch,
    flash: &str,
) -> Response {
    match state
        .service
        .patch_component(&console.actor(), id, patch)
        .await
    {
        Ok(_) => console.visit.redirect(&format!("{LIST}#c-{id}"), flash),
        Err(Error::Invalid(problems)) => {
            let msg = problems
                .values()
                .map(|p| console.visit.tr.problem(p))
                .collect::<Vec<_>>()
                .join("; ");
            list_view(
                state,
                console,
                Fields::default(),
                Errs::default(),
                Some((id, msg)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => console.visit.error(&e),
    }
}

pub async fn move_component(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
    Form(pairs): Pairs,
) -> Response {
    let form = Fields(pairs);
    if let Err(r) = console.guard(&form, Need::Respond) {
        return r;
    }
    let all = match load(&state, &console).await {
        Ok(all) => all,
        Err(r) => return r,
    };
    let Some(me) = all.iter().find(|c| c.id == id) else {
        return console.visit.error(&Error::not_found("component", &id));
    };
    let to = match form.get("move") {
        "up" => me.position - 1,
        "down" => me.position + 1,
        _ => {
            let msg = console.visit.tr.t("console-error-choice");
            return list_view(
                &state,
                &console,
                Fields::default(),
                Errs::default(),
                Some((&id, msg)),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    if to < 1 || to > siblings(&all, me.group_id.as_deref()) {
        // Already first (or last): nothing to do.
        return console.visit.redirect(&format!("{LIST}#c-{id}"), "");
    }
    let patch = ComponentPatch {
        position: Some(to),
        ..Default::default()
    };
    row_patch(
        &state,
        &console,
        &id,
        patch,
        "console-flash-component-moved",
    )
    .await
}

pub async fn set_component_status(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
    Form(pairs): Pairs,
) -> Response {
    let form = Fields(pairs);
    if let Err(r) = console.guard(&form, Need::Respond) {
        return r;
    }
    let Ok(status) = form.get("status").parse::<ComponentStatus>() else {
        let msg = console.visit.tr.t("console-error-choice");
        return list_view(
            &state,
            &console,
            Fields::default(),
            Errs::default(),
            Some((&id, msg)),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let patch = ComponentPatch {
        status: Some(status),
        ..Default::default()
    };
    row_patch(&state, &console, &id, patch, "console-flash-status-set").await
}

// ---------------------------------------------------------------- one component

async fn edit_view(
    state: &AppState,
    console: &Console,
    id: &str,
    form: Option<Fields>,
    errs: Errs,
    status: StatusCode,
) -> Response {
    let tr = &console.visit.tr;
    let all = match load(state, console).await {
        Ok(all) => all,
        Err(r) => return r,
    };
    let Some(me) = all.iter().find(|c| c.id == id) else {
        return console.visit.error(&Error::not_found("component", id));
    };
    let form = form.unwrap_or_else(|| {
        let mut f = Fields::default();
        f.set("name", me.name.clone());
        f.set("description", me.description.clone().unwrap_or_default());
        f.set("group_id", me.group_id.clone().unwrap_or_default());
        f.set(
            "children_label",
            me.children_label.clone().unwrap_or_default(),
        );
        f.set("position", me.position.to_string());
        f.set("status", me.status.as_str());
        f.set("showcase", if me.showcase { "on" } else { "" });
        f.set(
            "only_show_if_degraded",
            if me.only_show_if_degraded { "on" } else { "" },
        );
        f
    });
    let page = ComponentPage {
        c: console.chrome(
            state,
            &tr.f("console-edit-component", &[("name", me.name.clone())]),
        ),
        id: me.id.clone(),
        is_group: me.is_group,
        groups: group_opts(tr, &all, form.get("group_id")),
        statuses: status_opts(tr, form.get("status")),
        position_hint: tr.f(
            "console-position-hint",
            &[("max", siblings(&all, me.group_id.as_deref()).to_string())],
        ),
        form,
        errs,
    };
    console.visit.page(status, page.render())
}

pub async fn component_page(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = console.allow(Need::Respond) {
        return r;
    }
    edit_view(&state, &console, &id, None, Errs::default(), StatusCode::OK).await
}

pub async fn save_component(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
    Form(pairs): Pairs,
) -> Response {
    let form = Fields(pairs);
    if let Err(r) = console.guard(&form, Need::Respond) {
        return r;
    }
    let all = match load(&state, &console).await {
        Ok(all) => all,
        Err(r) => return r,
    };
    let Some(me) = all.iter().find(|c| c.id == id) else {
        return console.visit.error(&Error::not_found("component", &id));
    };
    let tr = &console.visit.tr;
    let mut errs = Errs::default();
    required(&form, "name", "console-field-name", &mut errs, tr);
    let mut patch = ComponentPatch {
        name: Some(form.get("name").to_string()),
        description: Some(form.opt("description")),
        only_show_if_degraded: Some(checked(&form, "only_show_if_degraded")),
        showcase: Some(checked(&form, "showcase")),
        ..Default::default()
    };
    let group_id = if me.is_group {
        patch.children_label = Some(form.opt("children_label"));
        None
    } else {
        let g = form.opt("group_id");
        check_group_choice(&all, g.as_deref(), false, &mut errs, tr);
        patch.group_id = Some(g.clone());
        patch.status = parse_enum::<ComponentStatus>(&form, "status", &mut errs, tr);
        g
    };
    // The position among the siblings it will have (in its new group, if it moves).
    let moves = group_id != me.group_id;
    let max = siblings(&all, group_id.as_deref()) + i64::from(moves);
    let raw = form.get("position").trim();
    if !raw.is_empty() {
        match raw.parse::<i64>() {
            // Unchanged: it stays where it is, or goes last in its new group.
            Ok(p) if p == me.position => {}
            Ok(p) if (1..=max).contains(&p) => patch.position = Some(p),
            _ => errs.add(
                tr,
                "position",
                tr.f("console-error-position", &[("max", max.to_string())]),
            ),
        }
    }
    if !errs.is_empty() {
        return edit_view(
            &state,
            &console,
            &id,
            Some(form),
            errs,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    match state
        .service
        .patch_component(&console.actor(), &id, patch)
        .await
    {
        Ok(_) => console
            .visit
            .redirect(&format!("{LIST}#c-{id}"), "console-flash-component-saved"),
        Err(e) => {
            let code = code_of(&e);
            edit_view(
                &state,
                &console,
                &id,
                Some(form),
                Errs::from_error(&e, &console.visit.tr),
                code,
            )
            .await
        }
    }
}
