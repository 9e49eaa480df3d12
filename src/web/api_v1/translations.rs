//! Translations: every object's `translations` map, and `PUT /api/v1/translations/...`.

use std::collections::BTreeMap;

use axum::extract::{Path, State};

use super::{ok, ApiResult, WriteErrors};
use crate::domain::{Provenance, TranslatableKind, Translation};
use crate::error::Error;
use crate::service::TranslationPut;
use crate::web::api_v1_views::{LocaleCode, TranslationSaved, TranslationView};
use crate::web::auth::{AnyRole, Authorized};
use crate::web::json::ApiJson;
use crate::web::AppState;

/// The least trustworthy provenance among `fields`, and when the newest was written.
fn trust_and_age(
    fields: &[&Translation],
) -> (Option<Provenance>, Option<chrono::DateTime<chrono::Utc>>) {
    (
        fields
            .iter()
            .map(|t| t.provenance)
            .min_by_key(|p| p.trust()),
        fields.iter().map(|t| t.updated_at).max(),
    )
}

fn texts(fields: &[&Translation]) -> BTreeMap<String, String> {
    fields
        .iter()
        .map(|t| (t.field.clone(), t.text.clone()))
        .collect()
}

/// `{"fr": {"title": "...", "provenance": "machine", "stale": false, "updated_at": ...}}` for one
/// object, from its translations and its current original texts.
pub(super) fn translations_view(
    translations: &[Translation],
    kind: TranslatableKind,
    object_id: &str,
    original: &dyn Fn(&str) -> Option<String>,
) -> BTreeMap<String, TranslationView> {
    let mut by_locale: BTreeMap<String, Vec<&Translation>> = BTreeMap::new();
    for t in translations
        .iter()
        .filter(|t| t.kind == kind && t.object_id == object_id)
    {
        by_locale.entry(t.locale.clone()).or_default().push(t);
    }
    by_locale
        .into_iter()
        .filter_map(|(locale, fields)| {
            let stale_fields: Vec<String> = fields
                .iter()
                .filter(|t| original(&t.field).is_none_or(|o| t.is_stale(&o)))
                .map(|t| t.field.clone())
                .collect();
            let (provenance, updated_at) = trust_and_age(&fields);
            let view = TranslationView {
                provenance: provenance?,
                updated_at: updated_at?,
                stale: !stale_fields.is_empty(),
                stale_fields,
                fields: texts(&fields),
            };
            Some((locale, view))
        })
        .collect()
}

#[utoipa::path(
    put,
    path = "/api/v1/translations/{kind}/{id}/{locale}",
    tag = "Herald v1",
    summary = "Translate an object",
    params(("kind" = TranslatableKind, Path, description = "What is translated"), ("id" = String, Path, description = "Public id"), ("locale" = LocaleCode, Path, description = "Target locale (one of the page's)")),
    request_body = TranslationPut,
    responses((status = 200, description = "The translation as saved", body = TranslationSaved), WriteErrors),
    security(("token" = []))
)]
pub async fn put_translation(
    State(state): State<AppState>,
    Authorized(actor, ..): Authorized<AnyRole>,
    Path((kind, id, locale)): Path<(String, String, String)>,
    ApiJson(input): ApiJson<TranslationPut>,
) -> ApiResult {
    let kind: TranslatableKind = kind
        .parse()
        .map_err(|e: String| Error::NotFound(format!("no such kind of object: {e}")))?;
    let saved = state
        .service
        .put_translation(&actor, kind, &id, &locale, input)
        .await?;
    let fields: Vec<&Translation> = saved.iter().collect();
    let (provenance, updated_at) = trust_and_age(&fields);
    ok(TranslationSaved {
        kind,
        id,
        locale,
        fields: texts(&fields),
        provenance,
        updated_at,
    })
}
