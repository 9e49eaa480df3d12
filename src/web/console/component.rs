//! One component or group: its edit form (name, description, group, position, flags, and a
//! component's status), saved through `Service::patch_component`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;

use super::components::{check_group_choice, find, group_opts, siblings, LIST};
use super::form::{Errs, Fields, Reader};
use super::rows::status_opts;
use super::text::{Chrome, Opt, Tr};
use super::visit::{Console, Guarded, Reply, Respond};
use crate::domain::{Component, ComponentStatus};
use crate::read;
use crate::service::ComponentPatch;
use crate::web::AppState;

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

/// The form's fields as the component has them now.
fn fields_of(me: &Component) -> Fields {
    let mut f = Fields::default();
    let on = |flag: bool| if flag { "on" } else { "" };
    f.set("name", me.name.clone());
    f.set("description", me.description.clone().unwrap_or_default());
    f.set("group_id", me.group_id.clone().unwrap_or_default());
    f.set(
        "children_label",
        me.children_label.clone().unwrap_or_default(),
    );
    f.set("position", me.position.to_string());
    f.set("status", me.status.as_str());
    f.set("showcase", on(me.showcase));
    f.set("only_show_if_degraded", on(me.only_show_if_degraded));
    f
}

async fn edit_view(
    state: &AppState,
    console: &Console,
    id: &str,
    form: Option<Fields>,
    errs: Errs,
    status: StatusCode,
) -> Reply {
    let tr = console.tr();
    let all = read::console::components(&state.service).await?;
    let me = find(&all, id)?;
    let form = form.unwrap_or_else(|| fields_of(me));
    let max = siblings(&all, me.group_id.as_deref());
    let page = ComponentPage {
        c: console.chrome(
            state,
            &tr.f("console-edit-component", &[("name", me.name.clone())]),
        ),
        id: me.id.clone(),
        is_group: me.is_group,
        groups: group_opts(tr, &all, form.get("group_id")),
        statuses: status_opts(tr, form.get("status")),
        position_hint: tr.f("console-position-hint", &[("max", max.to_string())]),
        form,
        errs,
    };
    console.visit.page(status, page.render())
}

pub async fn component_page(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
) -> Reply {
    console.allow::<Respond>()?;
    edit_view(&state, &console, &id, None, Errs::default(), StatusCode::OK).await
}

/// The change the form makes to `me`, or what is wrong with it.
fn read_patch(
    form: &Fields,
    tr: &Tr,
    all: &[Component],
    me: &Component,
) -> Result<ComponentPatch, Errs> {
    let mut r = Reader::new(form, tr);
    r.errs.require(tr, form, "name", "console-field-name");
    let mut patch = ComponentPatch {
        name: Some(form.get("name").to_string()),
        description: Some(form.opt("description")),
        only_show_if_degraded: Some(form.checked("only_show_if_degraded")),
        showcase: Some(form.checked("showcase")),
        ..Default::default()
    };
    let group_id = if me.is_group {
        patch.children_label = Some(form.opt("children_label"));
        None
    } else {
        let g = form.opt("group_id");
        check_group_choice(all, g.as_deref(), false, &mut r.errs, tr);
        patch.group_id = Some(g.clone());
        patch.status = r.choice::<ComponentStatus>("status");
        g
    };
    // The position among the siblings it will have (in its new group, if it moves).
    let moves = group_id != me.group_id;
    let max = siblings(all, group_id.as_deref()) + i64::from(moves);
    let raw = form.get("position").trim();
    if !raw.is_empty() {
        match raw.parse::<i64>() {
            // Unchanged: it stays where it is, or goes last in its new group.
            Ok(p) if p == me.position => {}
            Ok(p) if (1..=max).contains(&p) => patch.position = Some(p),
            _ => r.errs.add(
                tr,
                "position",
                tr.f("console-error-position", &[("max", max.to_string())]),
            ),
        }
    }
    r.finish(Some(patch))
}

pub async fn save_component(
    State(state): State<AppState>,
    f: Guarded<Respond, Path<String>>,
) -> Reply {
    let id = &f.path.0;
    let all = read::console::components(&state.service).await?;
    let me = find(&all, id)?;
    let (form, actor) = (&f.form, f.actor());
    f.submit(
        read_patch(form, f.tr(), &all, me),
        |patch| state.service.patch_component(&actor, id, patch),
        |_| (format!("{LIST}#c-{id}"), "console-flash-component-saved"),
        |no| edit_view(&state, &f, id, Some(form.clone()), no.errs, no.status),
    )
    .await
}
