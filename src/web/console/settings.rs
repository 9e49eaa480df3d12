//! Page settings (admins): the page's name and public URL, the time zones times are shown in,
//! the languages it is published in, and the footer. The service validates and audits; this
//! screen only reads the form and says, in the user's language, which field is wrong.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use chrono_tz::Tz;

use super::form::{Errs, Fields};
use super::text::{Chrome, Opt, Tr};
use super::visit::{Admin, Allowed, Console, Guarded, Reply};
use crate::domain::{PageSettings, SUPPORTED_LOCALES};
use crate::render::pages::OFFERED_ZONES;
use crate::service::{PageInput, MAX_DISPLAY_ZONES};
use crate::web::AppState;

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
) -> Reply {
    let tr = console.tr();
    let checked: Vec<&str> = form.all("locale").collect();
    let locales = SUPPORTED_LOCALES
        .iter()
        .map(|tag| LocaleBox {
            tag: tag.to_string(),
            name: tr.language(tag),
            checked: checked.contains(tag),
        })
        .collect();
    let default_locales = Opt::languages(
        tr,
        SUPPORTED_LOCALES.iter().copied(),
        form.get("default_locale"),
    );
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

pub async fn settings_page(State(state): State<AppState>, c: Allowed<Admin>) -> Reply {
    let page = state.service.page().await?;
    settings_view(
        &state,
        &c,
        fields_of(&page),
        Errs::default(),
        StatusCode::OK,
    )
    .await
}

/// The page settings the form gives, or what is wrong with them (checked here too, so the
/// message is in the user's language; the service checks again).
fn read_settings(form: &Fields, tr: &Tr) -> Result<PageInput, Errs> {
    let mut errs = Errs::default();
    let zone_error = |zone: &str| tr.f("console-error-zone", &[("zone", zone.to_string())]);
    let time_zone = form.get("time_zone").trim().to_string();
    if time_zone.parse::<Tz>().is_err() {
        errs.add(tr, "time_zone", zone_error(&time_zone));
    }
    let zones = zone_list(form.get("display_time_zones"));
    if let Some(bad) = zones.iter().find(|z| z.parse::<Tz>().is_err()) {
        errs.add(tr, "display_time_zones", zone_error(bad));
    } else if zones.len() > MAX_DISPLAY_ZONES {
        let max = [("max", MAX_DISPLAY_ZONES.to_string())];
        errs.add(
            tr,
            "display_time_zones",
            tr.f("console-error-too-many-zones", &max),
        );
    }
    let locales: Vec<String> = form.all("locale").map(str::to_string).collect();
    if locales.is_empty() {
        errs.add(tr, "locales", tr.t("console-error-no-locale"));
    }
    let default_locale = form.get("default_locale").to_string();
    if !locales.contains(&default_locale) {
        errs.add(tr, "default_locale", tr.t("console-error-default-locale"));
    }
    if !errs.is_empty() {
        return Err(errs);
    }
    Ok(PageInput {
        name: form.get("name").to_string(),
        url: form.get("url").trim().to_string(),
        time_zone,
        display_time_zones: zones,
        default_locale,
        locales,
        footer_markdown: form.get("footer_markdown").trim().to_string(),
    })
}

pub async fn save_settings(State(state): State<AppState>, f: Guarded<Admin>) -> Reply {
    let (form, actor, tr) = (&f.form, f.actor(), f.tr());
    f.submit(
        read_settings(form, tr),
        |input| state.service.put_page(&actor, input),
        |_| ("/console/settings".into(), "console-flash-settings-saved"),
        |mut no| {
            // The service names list entries (`display_time_zones[1]`, `locales[0]`); the
            // form has one field for each list.
            no.errs = no
                .errs
                .renamed(tr, |name| name.split('[').next().unwrap_or(name));
            settings_view(&state, &f, form.clone(), no.errs, no.status)
        },
    )
    .await
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
