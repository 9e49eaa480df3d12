//! Declaring an incident: title, impact (suggested from the components chosen), status,
//! first message (the status's default until the responder writes one), components, with a
//! preview of the message before posting.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;

use super::form::{local_time_field, Errs, Fields, Reader};
use super::incident::INCIDENT_STATUSES;
use super::rows::{comp_rows, component_statuses, CompRow};
use super::text::{Chrome, Opt, Tr};
use super::visit::{Allowed, Console, Guarded, Reply, Respond};
use crate::domain::{ComponentStatus, Impact, IncidentStatus};
use crate::i18n::default_message_key;
use crate::read;
use crate::render::{labels, markdown};
use crate::service::NewIncident;
use crate::web::AppState;

#[derive(Template)]
#[template(path = "console/new_incident.html")]
struct NewIncidentPage {
    c: Chrome,
    form: Fields,
    errs: Errs,
    impacts: Vec<Opt>,
    statuses: Vec<Opt>,
    components: Vec<CompRow>,
    preview: String,
}

/// The original language of new incidents: the page's default locale.
async fn original_locale(state: &AppState) -> String {
    state
        .service
        .page()
        .await
        .map(|p| p.default_locale)
        .unwrap_or_else(|_| "en".into())
}

/// Whether `message` is empty or one of the default messages (so it may be replaced by the
/// default of the status now chosen).
fn is_default_message(state: &AppState, locale: &str, message: &str) -> bool {
    message.trim().is_empty()
        || IncidentStatus::ALL
            .iter()
            .any(|s| state.i18n.text(locale, default_message_key(*s)).trim() == message.trim())
}

/// The form as shown: the impact suggested by the worst component status chosen, preselected
/// on a preview (and on the first showing) unless the responder changed it from the last
/// suggestion; the chosen status's default message unless one was written.
async fn prefill(state: &AppState, form: &mut Fields, preview: bool) {
    if form.get("status").is_empty() {
        form.set("status", "investigating");
    }
    let suggested = Impact::suggested(form.0.iter().filter_map(|(k, v)| {
        k.strip_prefix("c.")
            .and_then(|_| v.parse::<ComponentStatus>().ok())
    }));
    let untouched =
        form.get("impact").is_empty() || form.get("impact") == form.get("impact_suggested");
    if untouched && (preview || form.get("impact").is_empty()) {
        form.set("impact", suggested.as_str());
        form.set("impact_suggested", suggested.as_str());
    }
    local_time_field(form, "display_at");
    local_time_field(form, "next_update_by");
    let chosen = form
        .get("status")
        .parse::<IncidentStatus>()
        .unwrap_or(IncidentStatus::Investigating);
    let locale = original_locale(state).await;
    if is_default_message(state, &locale, form.get("message")) {
        form.set(
            "message",
            state.i18n.text(&locale, default_message_key(chosen)),
        );
    }
}

async fn new_incident_form(
    state: &AppState,
    console: &Console,
    mut form: Fields,
    mut errs: Errs,
    preview: bool,
    status: StatusCode,
) -> Reply {
    let tr = console.tr();
    prefill(state, &mut form, preview).await;
    let components = read::console::components(&state.service).await?;
    errs.name_components(tr, &components);
    let page = NewIncidentPage {
        c: console.chrome(state, &tr.t("console-new-incident")),
        impacts: Opt::list(
            &[Impact::None, Impact::Minor, Impact::Major, Impact::Critical],
            |i| i.as_str(),
            |i| tr.t(labels::impact(i)),
            form.get("impact"),
        ),
        statuses: Opt::list(
            &INCIDENT_STATUSES[..3],
            |s| s.as_str(),
            |s| tr.t(labels::incident_status(s)),
            form.get("status"),
        ),
        components: comp_rows(tr, &components, &form, Some(&errs)),
        preview: if preview {
            markdown::to_html(form.get("message"))
        } else {
            String::new()
        },
        form,
        errs,
    };
    console.visit.page(status, page.render())
}

pub async fn new_incident_page(State(state): State<AppState>, c: Allowed<Respond>) -> Reply {
    let (form, errs) = (Fields::default(), Errs::default());
    new_incident_form(&state, &c, form, errs, false, StatusCode::OK).await
}

/// The incident the form declares, or what is wrong with it.
fn read_new_incident(form: &Fields, tr: &Tr) -> Result<NewIncident, Errs> {
    let mut r = Reader::new(form, tr);
    let impact = r.choice::<Impact>("impact");
    let status = r.choice::<IncidentStatus>("status");
    let display_at = r.time("display_at");
    let next_update_by = r.time("next_update_by");
    let components = component_statuses(form, &mut r.errs, tr);
    let (impact, status) = r.finish(impact.zip(status))?;
    Ok(NewIncident {
        title: form.get("title").to_string(),
        impact: Some(impact),
        status,
        message: form.get("message").to_string(),
        locale: None,
        symptom: form.opt("symptom"),
        started_at: None,
        display_at,
        next_update_by,
        components,
        milestones: None,
        translations: Default::default(),
    })
}

pub async fn create_incident(State(state): State<AppState>, f: Guarded<Respond>) -> Reply {
    let form = &f.form;
    if form.get("action") == "preview" {
        let errs = Errs::default();
        return new_incident_form(&state, &f, form.clone(), errs, true, StatusCode::OK).await;
    }
    let actor = f.actor();
    f.submit(
        read_new_incident(form, f.tr()),
        |input| state.service.create_incident(&actor, input),
        |detail| {
            let to = format!("/console/incidents/{}", detail.incident.id);
            (to, "console-flash-incident-created")
        },
        |no| new_incident_form(&state, &f, form.clone(), no.errs, false, no.status),
    )
    .await
}
