//! Scheduled maintenance: the upcoming and in-progress windows, each linking to its console
//! incident page (where updates are posted), and the form that schedules one through
//! `Service::create_maintenance`.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DurationRound, TimeDelta};

use super::form::{Errs, Fields, Reader};
use super::text::{Chrome, Tr};
use super::visit::{Allowed, Console, Guarded, Reply, Respond};
use crate::domain::{Component, IncidentStatus};
use crate::i18n::default_message_key;
use crate::read;
use crate::render::labels;
use crate::service::NewMaintenance;
use crate::web::AppState;

/// `datetime-local` values, in UTC.
const LOCAL_INPUT: &str = "%Y-%m-%dT%H:%M";

pub struct MaintenanceRow {
    pub id: String,
    pub title: String,
    pub status: String,
    pub window: String,
}

pub struct ComponentChoice {
    pub id: String,
    pub name: String,
    pub child: bool,
    pub is_group: bool,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "console/maintenance.html")]
struct MaintenancePage {
    c: Chrome,
    rows: Vec<MaintenanceRow>,
    form: Fields,
    errs: Errs,
    components: Vec<ComponentChoice>,
}

/// The component ids ticked in the form.
fn chosen(form: &Fields) -> Vec<String> {
    form.all("components")
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .collect()
}

/// A fresh form: the default message in the page's language, a one-hour window from the next
/// full hour, moving on by itself.
fn fresh_form(state: &AppState, default_locale: &str) -> Fields {
    let mut form = Fields::default();
    let now = state.service.now();
    let start = (now + TimeDelta::hours(1))
        .duration_trunc(TimeDelta::hours(1))
        .unwrap_or(now);
    form.set("scheduled_for", start.format(LOCAL_INPUT).to_string());
    form.set(
        "scheduled_until",
        (start + TimeDelta::hours(1))
            .format(LOCAL_INPUT)
            .to_string(),
    );
    let message = default_message_key(IncidentStatus::Scheduled);
    form.set("message", state.i18n.text(default_locale, message));
    form.set("auto_transition", "on");
    form
}

async fn view(
    state: &AppState,
    console: &Console,
    form: Fields,
    errs: Errs,
    status: StatusCode,
) -> Reply {
    let tr = console.tr();
    let mut list = read::console::maintenance_windows(&state.service).await?;
    let components: Vec<Component> = read::console::components(&state.service).await?;
    let page = state.service.page().await?;
    let form = if form.0.is_empty() {
        fresh_form(state, &page.default_locale)
    } else {
        form
    };
    list.sort_by_key(|i| i.scheduled_for);
    let zones = crate::render::time::zones(&page.display_time_zones);
    let fmt = crate::render::time::Formatter::new(&state.i18n, &tr.locale);
    let rows = list
        .iter()
        .map(|i| MaintenanceRow {
            id: i.id.clone(),
            title: i.title.clone(),
            status: tr.t(labels::incident_status(i.status)),
            window: match (i.scheduled_for, i.scheduled_until) {
                (Some(from), Some(to)) => fmt.range(from, to, &zones),
                _ => String::new(),
            },
        })
        .collect();
    let ticked = chosen(&form);
    let view = MaintenancePage {
        c: console.chrome(state, &tr.t("console-maintenance")),
        rows,
        components: components
            .iter()
            .map(|c| ComponentChoice {
                id: c.id.clone(),
                name: c.name.clone(),
                child: c.group_id.is_some(),
                is_group: c.is_group,
                checked: ticked.contains(&c.id),
            })
            .collect(),
        form,
        errs,
    };
    console.visit.page(status, view.render())
}

pub async fn maintenance_page(State(state): State<AppState>, c: Allowed<Respond>) -> Reply {
    view(
        &state,
        &c,
        Fields::default(),
        Errs::default(),
        StatusCode::OK,
    )
    .await
}

/// The window the form schedules, or what is wrong with it.
fn read_maintenance(form: &Fields, tr: &Tr, all: &[Component]) -> Result<NewMaintenance, Errs> {
    let mut r = Reader::new(form, tr);
    for (name, label) in [
        ("title", "console-field-title"),
        ("message", "console-field-message"),
        ("scheduled_for", "console-scheduled-for"),
        ("scheduled_until", "console-scheduled-until"),
    ] {
        r.errs.require(tr, form, name, label);
    }
    let scheduled_for = r.time("scheduled_for");
    let scheduled_until = r.time("scheduled_until");
    if let (Some(from), Some(until)) = (scheduled_for, scheduled_until) {
        if until <= from {
            let message = tr.t("console-error-end-before-start");
            r.errs.add(tr, "scheduled_until", message);
        }
    }
    let components = chosen(form);
    if components.iter().any(|id| !all.iter().any(|c| &c.id == id)) {
        r.errs.add(tr, "components", tr.t("console-error-choice"));
    }
    let (scheduled_for, scheduled_until) = r.finish(scheduled_for.zip(scheduled_until))?;
    Ok(NewMaintenance {
        title: form.get("title").to_string(),
        scheduled_for,
        scheduled_until,
        message: form.get("message").to_string(),
        components,
        auto_transition: form.checked("auto_transition"),
        locale: None,
        translations: Default::default(),
    })
}

pub async fn schedule_maintenance(State(state): State<AppState>, f: Guarded<Respond>) -> Reply {
    let all = read::console::components(&state.service).await?;
    let (form, actor) = (&f.form, f.actor());
    f.submit(
        read_maintenance(form, f.tr(), &all),
        |input| state.service.create_maintenance(&actor, input),
        |detail| {
            let to = format!("/console/incidents/{}", detail.incident.id);
            (to, "console-flash-maintenance-scheduled")
        },
        |no| view(&state, &f, form.clone(), no.errs, no.status),
    )
    .await
}
