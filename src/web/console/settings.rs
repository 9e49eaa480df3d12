//! Page settings (admins): the page's name and public URL, the time zones times are shown in,
//! the languages it is published in, and the footer. The service validates and audits; this
//! screen only reads the form and says, in the user's language, which field is wrong.

use askama::Template;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono_tz::Tz;

use super::*;
use crate::domain::PageSettings;
use crate::render::pages::OFFERED_ZONES;
use crate::service::{PageInput, MAX_DISPLAY_ZONES};

pub struct LocaleBox {
    pub tag: String,
    pub name: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "console/settings.html")]
struct SettingsPage {
    c: Chrome,
    form: Fields,
    errs: Errs,
    locales: Vec<LocaleBox>,
    default_locales: Vec<Opt>,
    zones: Vec<&'static str>,
    zones_hint: String,
}

/// The form's fields as the page has them now.
fn fields_of(page: &PageSettings) -> Fields {
    let mut form = Fields::default();
    form.set("name", page.name.clone());
    form.set("url", page.url.clone());
    form.set("time_zone", page.time_zone.clone());
    form.set("display_time_zones", page.display_time_zones.join(", "));
    form.set("default_locale", page.default_locale.clone());
    form.set("footer_markdown", page.footer_markdown.clone());
    for l in &page.locales {
        form.0.push(("locale".into(), l.clone()));
    }
    form
}

/// Every value of a repeated field (checkboxes).
fn all<'a>(form: &'a Fields, name: &'a str) -> impl Iterator<Item = &'a str> {
    form.0
        .iter()
        .filter(move |(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// `UTC, America/Los_Angeles` or one per line: the names, in order, without blanks or repeats.
fn zone_list(raw: &str) -> Vec<String> {
    let mut zones: Vec<String> = Vec::new();
    for z in raw.split([',', '\n', ' ', '\t', '\r']).map(str::trim) {
        if !z.is_empty() && !zones.iter().any(|have| have == z) {
            zones.push(z.to_string());
        }
    }
    zones
}

async fn settings_view(
    state: &AppState,
    console: &Console,
    form: Fields,
    errs: Errs,
    status: StatusCode,
) -> Response {
    let tr = &console.visit.tr;
    let checked: Vec<&str> = all(&form, "locale").collect();
    let locales = SUPPORTED_LOCALES
        .iter()
        .map(|tag| LocaleBox {
            tag: tag.to_string(),
            name: tr.t(&format!("language-name-{tag}")),
            checked: checked.contains(tag),
        })
        .collect();
    let default_locales = SUPPORTED_LOCALES
        .iter()
        .map(|tag| Opt {
            value: tag.to_string(),
            label: tr.t(&format!("language-name-{tag}")),
            selected: form.get("default_locale") == *tag,
        })
        .collect();
    let page = SettingsPage {
        c: console.chrome(state, &tr.t("console-settings")),
        form,
        errs,
        locales,
        default_locales,
        zones: OFFERED_ZONES.to_vec(),
        zones_hint: tr.f(
            "console-display-zones-hint",
            &[("max", MAX_DISPLAY_ZONES.to_string())],
        ),
    };
    console.visit.page(status, page.render())
}

pub async fn settings_page(State(state): State<AppState>, console: Console) -> Response {
    if let Err(r) = console.allow(Need::Admin) {
        return r;
    }
    let page = match state.service.page().await {
        Ok(p) => p,
        Err(e) => return console.visit.error(&e),
    };
    settings_view(
        &state,
        &console,
        fields_of(&page),
        Errs::default(),
        StatusCode::OK,
    )
    .await
}

/// The service names list entries (`display_time_zones[1]`, `locales[0]`); the form has one
/// field for each list.
fn by_form_field(tr: &Tr, errs: Errs) -> Errs {
    let mut out = Errs::default();
    for (field, e) in errs.0 {
        let field = field.split('[').next().unwrap_or(&field).to_string();
        if !out.has(&field) {
            out.add(tr, &field, e.message);
        }
    }
    out
}

pub async fn save_settings(
    State(state): State<AppState>,
    console: Console,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Response {
    let form = Fields(pairs);
    if let Err(r) = console.guard(&form, Need::Admin) {
        return r;
    }
    let tr = &console.visit.tr;
    let mut errs = Errs::default();
    // Checked here too, so the message is in the user's language; the service checks again.
    let zone_error = |zone: &str| tr.f("console-error-zone", &[("zone", zone.to_string())]);
    let time_zone = form.get("time_zone").trim().to_string();
    if time_zone.parse::<Tz>().is_err() {
        errs.add(tr, "time_zone", zone_error(&time_zone));
    }
    let zones = zone_list(form.get("display_time_zones"));
    if let Some(bad) = zones.iter().find(|z| z.parse::<Tz>().is_err()) {
        errs.add(tr, "display_time_zones", zone_error(bad));
    } else if zones.len() > MAX_DISPLAY_ZONES {
        errs.add(
            tr,
            "display_time_zones",
            tr.f(
                "console-error-too-many-zones",
                &[("max", MAX_DISPLAY_ZONES.to_string())],
            ),
        );
    }
    let locales: Vec<String> = all(&form, "locale").map(str::to_string).collect();
    if locales.is_empty() {
        errs.add(tr, "locales", tr.t("console-error-no-locale"));
    }
    let default_locale = form.get("default_locale").to_string();
    if !locales.contains(&default_locale) {
        errs.add(tr, "default_locale", tr.t("console-error-default-locale"));
    }
    if !errs.is_empty() {
        return settings_view(
            &state,
            &console,
            form,
            errs,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let input = PageInput {
        name: form.get("name").to_string(),
        url: form.get("url").trim().to_string(),
        time_zone,
        display_time_zones: zones,
        default_locale,
        locales,
        footer_markdown: form.get("footer_markdown").trim().to_string(),
    };
    match state.service.put_page(&console.actor(), input).await {
        Ok(_) => console
            .visit
            .redirect("/console/settings", "console-flash-settings-saved"),
        Err(e) => {
            let code = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            settings_view(
                &state,
                &console,
                form,
                by_form_field(&console.visit.tr, Errs::from_error(&e, &console.visit.tr)),
                code,
            )
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn zone_lists_split_on_commas_spaces_and_lines() {
        assert_eq!(
            super::zone_list(" UTC,America/Los_Angeles\nEurope/Paris  UTC ,, "),
            vec!["UTC", "America/Los_Angeles", "Europe/Paris"]
        );
        assert!(super::zone_list(" , ").is_empty());
    }
}
