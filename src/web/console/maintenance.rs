//! Scheduled maintenance: the upcoming and in-progress windows, each linking to its console
//! incident page (where updates are posted), and the form that schedules one through
//! `Service::create_maintenance`.

use askama::Template;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{DurationRound, TimeDelta};

use super::screens::{parse_time, Pairs};
use super::*;
use crate::domain::{Component, IncidentKind, IncidentStatus};
use crate::render::i18n::default_message_key;
use crate::render::labels;
use crate::service::NewMaintenance;
use crate::store::IncidentFilter;

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
    form.0
        .iter()
        .filter(|(k, v)| k == "components" && !v.is_empty())
        .map(|(_, v)| v.clone())
        .collect()
}

async fn view(
    state: &AppState,
    console: &Console,
    mut form: Fields,
    errs: Errs,
    status: StatusCode,
) -> Response {
    let tr = &console.visit.tr;
    let store = state.service.store();
    let loaded = async {
        let list = store
            .incidents(&IncidentFilter {
                kind: Some(IncidentKind::Maintenance),
                statuses: vec![
                    IncidentStatus::Scheduled,
                    IncidentStatus::InProgress,
                    IncidentStatus::Verifying,
                ],
                limit: 200,
                ..Default::default()
            })
            .await?;
        let components = store.components().await?;
        Ok::<_, crate::store::StoreError>((list, components))
    }
    .await;
    let (mut list, components): (_, Vec<Component>) = match loaded {
        Ok(v) => v,
        Err(e) => return console.visit.error(&e.into()),
    };
    let page = match state.service.page().await {
        Ok(p) => p,
        Err(e) => return console.visit.error(&e),
    };
    if form.0.is_empty() {
        // A fresh form: the default message in the page's language, a one-hour window from
        // the next full hour, moving on by itself.
        let start = (state.service.now() + TimeDelta::hours(1))
            .duration_trunc(TimeDelta::hours(1))
            .unwrap_or_else(|_| state.service.now());
        form.set("scheduled_for", start.format(LOCAL_INPUT).to_string());
        form.set(
            "scheduled_until",
            (start + TimeDelta::hours(1))
                .format(LOCAL_INPUT)
                .to_string(),
        );
        form.set(
            "message",
            state.i18n.text(
                &page.default_locale,
                default_message_key(IncidentStatus::Scheduled),
            ),
        );
        form.set("auto_transition", "on");
    }
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

pub async fn maintenance_page(State(state): State<AppState>, console: Console) -> Response {
    if let Err(r) = console.allow(Need::Respond) {
        return r;
    }
    view(
        &state,
        &console,
        Fields::default(),
        Errs::default(),
        StatusCode::OK,
    )
    .await
}

pub async fn schedule_maintenance(
    State(state): State<AppState>,
    console: Console,
    Form(pairs): Pairs,
) -> Response {
    let form = Fields(pairs);
    if let Err(r) = console.guard(&form, Need::Respond) {
        return r;
    }
    let tr = &console.visit.tr;
    let mut errs = Errs::default();
    for (name, label) in [
        ("title", "console-field-title"),
        ("message", "console-field-message"),
        ("scheduled_for", "console-scheduled-for"),
        ("scheduled_until", "console-scheduled-until"),
    ] {
        if form.get(name).trim().is_empty() {
            errs.add(
                tr,
                name,
                tr.f("console-error-required", &[("field", tr.t(label))]),
            );
        }
    }
    let scheduled_for = parse_time(&form, "scheduled_for", &mut errs, tr);
    let scheduled_until = parse_time(&form, "scheduled_until", &mut errs, tr);
    if let (Some(from), Some(until)) = (scheduled_for, scheduled_until) {
        if until <= from {
            errs.add(
                tr,
                "scheduled_until",
                tr.t("console-error-end-before-start"),
            );
        }
    }
    let components = chosen(&form);
    match state.service.store().components().await {
        Ok(all) => {
            if components.iter().any(|id| !all.iter().any(|c| &c.id == id)) {
                errs.add(tr, "components", tr.t("console-error-choice"));
            }
        }
        Err(e) => return console.visit.error(&e.into()),
    }
    let (Some(scheduled_for), Some(scheduled_until), true) =
        (scheduled_for, scheduled_until, errs.is_empty())
    else {
        return view(
            &state,
            &console,
            form,
            errs,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let input = NewMaintenance {
        title: form.get("title").to_string(),
        scheduled_for,
        scheduled_until,
        message: form.get("message").to_string(),
        components,
        auto_transition: !form.get("auto_transition").is_empty(),
        locale: None,
        translations: Default::default(),
    };
    match state
        .service
        .create_maintenance(&console.actor(), input)
        .await
    {
        Ok(detail) => console.visit.redirect(
            &format!("/console/incidents/{}", detail.incident.id),
            "console-flash-maintenance-scheduled",
        ),
        Err(e) => {
            let code = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            view(
                &state,
                &console,
                form,
                Errs::from_error(&e, &console.visit.tr),
                code,
            )
            .await
        }
    }
}
