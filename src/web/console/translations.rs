//! Translating: an incident's texts (title, symptom, updates, postmortem, remediation items),
//! or the page's own (its name and footer), into one of the page's other languages, each
//! object with the original beside the translation and a note when the original has changed.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::Deserialize;

use super::fields::field_key;
use super::form::{Errs, Reader};
use super::rows::stamp_fn;
use super::text::{Chrome, Opt, Tr};
use super::visit::{Console, Guarded, Refused, Reply, Translate};
use crate::domain::IncidentDetail;
use crate::domain::{PageSettings, Provenance, TranslatableKind, Translation};
use crate::error::Error;
use crate::read;
use crate::render::labels;
use crate::service::TranslationPut;
use crate::web::AppState;

pub struct TrField {
    pub name: String,
    pub label: String,
    pub original: String,
    pub text: String,
    pub stale: bool,
    pub line: bool,
}

pub struct TrObject {
    pub kind: String,
    pub id: String,
    pub heading: String,
    pub fields: Vec<TrField>,
    pub provenances: Vec<Opt>,
    pub has_errors: bool,
}

#[derive(Template)]
#[template(path = "console/translations.html")]
struct TranslationsPage {
    c: Chrome,
    /// This screen (the language chooser submits to it).
    show_href: String,
    back_href: String,
    back_label: String,
    /// The incident whose texts these are (empty for the page's own texts).
    incident: String,
    locale: String,
    original_in: String,
    original_tag: String,
    locales: Vec<Opt>,
    objects: Vec<TrObject>,
    errs: Errs,
}

#[derive(Deserialize)]
pub struct LocaleQuery {
    locale: Option<String>,
}

/// What a translations screen shows besides its objects.
struct Screen {
    title: String,
    /// The language the texts are written in.
    original: String,
    show_href: String,
    back_href: String,
    back_label: String,
    incident: String,
}

/// Which translations screen, in which language, with which form refused (if one was).
struct Showing {
    locale: Option<String>,
    /// `<kind>-<id>` of the object whose form was just refused.
    err_object: String,
    errs: Errs,
    status: StatusCode,
}

impl Showing {
    fn fresh(query: Result<Query<LocaleQuery>, QueryRejection>) -> Showing {
        Showing {
            locale: query.ok().and_then(|q| q.0.locale),
            err_object: String::new(),
            errs: Errs::default(),
            status: StatusCode::OK,
        }
    }
}

/// The language to translate into: the one asked for if the page has it, else the page's
/// first language other than the original's (empty when there is none).
fn target_locale(page: &PageSettings, original: &str, wanted: Option<String>) -> String {
    wanted
        .filter(|l| page.locales.contains(l) && l != original)
        .or_else(|| page.locales.iter().find(|l| *l != original).cloned())
        .unwrap_or_default()
}

/// Builds the objects of a translations screen from their originals and the translations
/// that exist.
struct TrScope<'a> {
    tr: &'a Tr,
    translations: &'a [Translation],
    locale: &'a str,
    err_object: &'a str,
}

impl TrScope<'_> {
    fn object(
        &self,
        kind: TranslatableKind,
        object_id: &str,
        heading: String,
        originals: Vec<(&str, Option<String>)>,
    ) -> TrObject {
        let tr = self.tr;
        let mut provenance = "human";
        let fields = originals
            .into_iter()
            .filter_map(|(field, original)| {
                let original = original?;
                let t = self.translations.iter().find(|t| {
                    t.kind == kind
                        && t.object_id == object_id
                        && t.field == field
                        && t.locale == self.locale
                });
                if let Some(t) = t {
                    provenance = t.provenance.as_str();
                }
                Some(TrField {
                    name: field.to_string(),
                    label: tr.t(field_key(field)),
                    stale: t.is_some_and(|t| t.is_stale(&original)),
                    text: t.map(|t| t.text.clone()).unwrap_or_default(),
                    original,
                    line: TranslatableKind::is_line_field(field),
                })
            })
            .collect();
        TrObject {
            kind: kind.as_str().to_string(),
            id: object_id.to_string(),
            heading,
            fields,
            has_errors: format!("{}-{}", kind.as_str(), object_id) == self.err_object,
            provenances: Opt::list(
                Provenance::ALL,
                |p| p.as_str(),
                |p| tr.t(provenance_key(p)),
                provenance,
            ),
        }
    }
}

fn provenance_key(p: Provenance) -> &'static str {
    match p {
        Provenance::Human => "console-provenance-human",
        Provenance::Machine => "console-provenance-machine",
        Provenance::Reviewed => "console-provenance-reviewed",
    }
}

fn original_in(tr: &Tr, original: &str) -> String {
    tr.f(
        "console-original-in",
        &[(
            "language",
            labels::language_in(original)
                .map(|k| tr.t(k))
                .unwrap_or_else(|| original.to_string()),
        )],
    )
}

/// A translations screen: `objects` builds its objects for the language chosen.
async fn show(
    state: &AppState,
    console: &Console,
    screen: Screen,
    page: &PageSettings,
    translations: &[Translation],
    objects: impl FnOnce(&TrScope) -> Vec<TrObject>,
    showing: Showing,
) -> Reply {
    let tr = console.tr();
    let original = screen.original.as_str();
    let locale = target_locale(page, original, showing.locale);
    let scope = TrScope {
        tr,
        translations,
        locale: &locale,
        err_object: &showing.err_object,
    };
    let objects = objects(&scope);
    let others = page.locales.iter().filter(|l| *l != original);
    let view = TranslationsPage {
        c: console.chrome(state, &screen.title),
        show_href: screen.show_href,
        back_href: screen.back_href,
        back_label: screen.back_label,
        incident: screen.incident,
        original_in: original_in(tr, original),
        original_tag: original.to_string(),
        locales: Opt::languages(tr, others.map(String::as_str), &locale),
        locale,
        objects,
        errs: showing.errs,
    };
    console.visit.page(showing.status, view.render())
}

/// The objects of an incident: itself, its updates, its postmortem and remediation items.
fn incident_objects(
    scope: &TrScope,
    detail: &IncidentDetail,
    stamp: &impl Fn(chrono::DateTime<chrono::Utc>) -> String,
) -> Vec<TrObject> {
    let (tr, inc) = (scope.tr, &detail.incident);
    let mut objects = vec![scope.object(
        TranslatableKind::Incident,
        &inc.id,
        tr.t("console-tr-incident"),
        vec![
            ("title", Some(inc.title.clone())),
            ("symptom", inc.symptom.clone()),
        ],
    )];
    for u in &detail.updates {
        let status = tr.t(labels::incident_status(u.status));
        objects.push(scope.object(
            TranslatableKind::Update,
            &u.id,
            format!("{} · {}", status, stamp(u.display_at)),
            vec![("message", Some(u.message.clone()))],
        ));
    }
    if let Some(p) = &detail.postmortem {
        objects.push(scope.object(
            TranslatableKind::Postmortem,
            &inc.id,
            tr.t("postmortem-heading"),
            vec![
                ("summary", p.summary.clone()),
                ("root_cause", Some(p.root_cause.clone())),
                ("resolution", Some(p.resolution.clone())),
            ],
        ));
    }
    for i in &detail.remediation_items {
        objects.push(scope.object(
            TranslatableKind::RemediationItem,
            &i.id,
            format!("{} · {}", tr.t("remediation-heading"), i.title),
            vec![
                ("title", Some(i.title.clone())),
                ("detail", i.detail.clone()),
            ],
        ));
    }
    objects
}

async fn translations_view(
    state: &AppState,
    console: &Console,
    id: &str,
    showing: Showing,
) -> Reply {
    let tr = console.tr();
    let detail = state.service.incident_detail(id).await?;
    let page = state.service.page().await?;
    let inc = &detail.incident;
    let stamp = stamp_fn(state, tr).await;
    let screen = Screen {
        title: tr.f("console-translations-of", &[("title", inc.title.clone())]),
        show_href: format!("/console/incidents/{}/translations", inc.id),
        back_href: format!("/console/incidents/{}", inc.id),
        back_label: tr.t("console-back-to-incident"),
        incident: inc.id.clone(),
        original: inc.locale.clone(),
    };
    let objects = |scope: &TrScope| incident_objects(scope, &detail, &stamp);
    show(
        state,
        console,
        screen,
        &page,
        &detail.translations,
        objects,
        showing,
    )
    .await
}

pub async fn translations_page(
    State(state): State<AppState>,
    console: Console,
    Path(id): Path<String>,
    query: Result<Query<LocaleQuery>, QueryRejection>,
) -> Reply {
    translations_view(&state, &console, &id, Showing::fresh(query)).await
}

/// The page's own texts (its name and footer), written in the default language.
async fn page_translations_view(state: &AppState, console: &Console, showing: Showing) -> Reply {
    let tr = console.tr();
    let page = state.service.page().await?;
    let translations = read::console::page_translations(&state.service, &page.id).await?;
    let (back_href, back_label) = if console.who.user.role.is_admin() {
        ("/console/settings", tr.t("console-back-to-settings"))
    } else {
        ("/console", tr.t("console-back"))
    };
    let screen = Screen {
        title: tr.t("console-page-translations"),
        show_href: "/console/page/translations".into(),
        back_href: back_href.into(),
        back_label,
        incident: String::new(),
        original: page.default_locale.clone(),
    };
    let objects = |scope: &TrScope| {
        let footer = Some(page.footer_markdown.clone()).filter(|f| !f.trim().is_empty());
        let texts = vec![
            ("name", Some(page.name.clone())),
            ("footer_markdown", footer),
        ];
        vec![scope.object(TranslatableKind::Page, &page.id, page.name.clone(), texts)]
    };
    show(
        state,
        console,
        screen,
        &page,
        &translations,
        objects,
        showing,
    )
    .await
}

pub async fn page_translations_page(
    State(state): State<AppState>,
    console: Console,
    query: Result<Query<LocaleQuery>, QueryRejection>,
) -> Reply {
    page_translations_view(&state, &console, Showing::fresh(query)).await
}

/// The translation the form gives, or what is wrong with it.
fn read_translation(form: &super::form::Fields, tr: &Tr) -> Result<TranslationPut, Errs> {
    let mut r = Reader::new(form, tr);
    let provenance = r.choice::<Provenance>("provenance");
    let fields: BTreeMap<String, String> = form
        .with_prefix("f.")
        .filter(|(_, v)| !v.trim().is_empty())
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    if fields.is_empty() {
        r.errs
            .add(tr, "fields", tr.t("console-error-no-translation"));
    }
    let provenance = r.finish(provenance)?;
    Ok(TranslationPut { fields, provenance })
}

pub async fn put_translation(
    State(state): State<AppState>,
    f: Guarded<Translate, Path<(String, String, String)>>,
) -> Reply {
    let Path((kind, id, locale)) = &f.path;
    let kind = kind
        .parse::<TranslatableKind>()
        .map_err(|_| Error::NotFound(format!("no kind {kind}")))?;
    let incident_id = f.form.get("incident");
    let actor = f.actor();
    // Back to the screen the form was on: the page's texts, or an incident's.
    let to = if kind == TranslatableKind::Page {
        format!("/console/page/translations?locale={locale}")
    } else {
        format!("/console/incidents/{incident_id}/translations?locale={locale}")
    };
    let (state, console) = (&state, &f);
    f.submit(
        read_translation(&f.form, f.tr()),
        |put| state.service.put_translation(&actor, kind, id, locale, put),
        |_| (to, "console-flash-translation-saved"),
        |no: Refused| {
            let showing = Showing {
                locale: Some(locale.clone()),
                err_object: format!("{}-{}", kind.as_str(), id),
                errs: no.errs,
                status: no.status,
            };
            async move {
                if kind == TranslatableKind::Page {
                    page_translations_view(state, console, showing).await
                } else {
                    translations_view(state, console, incident_id, showing).await
                }
            }
        },
    )
    .await
}
