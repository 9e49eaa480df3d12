//! The page settings: `GET` and `PUT /api/v1/page`.

use axum::extract::State;

use super::translations::translations_view;
use super::{locale_query, ok, ApiResult, ListErrors, LocaleQuery, QueryResult, WriteErrors};
use crate::domain::{Localizer, PageSettings, TranslatableKind};
use crate::read;
use crate::service::PageInput;
use crate::web::api_v1_views::{LocalizedPage, PageView};
use crate::web::auth::{Admin, Authorized};
use crate::web::json::ApiJson;
use crate::web::AppState;

#[utoipa::path(
    get,
    path = "/api/v1/page",
    tag = "Herald v1",
    summary = "The page settings",
    params(LocaleQuery),
    responses((status = 200, description = "The page settings and their translations", body = PageView), ListErrors)
)]
pub async fn get_page(State(state): State<AppState>, query: QueryResult<LocaleQuery>) -> ApiResult {
    let locale = locale_query(query)?;
    let read::api::PageData { page, translations } = read::api::page(&state.service).await?;
    let kind = TranslatableKind::Page;
    let localized = locale.map(|locale| {
        let loc = Localizer::new(&translations, &locale, &page.default_locale);
        LocalizedPage {
            name: loc.text(kind, &page.id, "name", &page.name),
            footer_markdown: loc.text(kind, &page.id, "footer_markdown", &page.footer_markdown),
            locale,
        }
    });
    ok(PageView {
        translations: translations_view(&translations, kind, &page.id, &|f| match f {
            "name" => Some(page.name.clone()),
            "footer_markdown" => Some(page.footer_markdown.clone()),
            _ => None,
        }),
        settings: page,
        localized,
    })
}

#[utoipa::path(
    put,
    path = "/api/v1/page",
    tag = "Herald v1",
    summary = "Change the page settings (admin)",
    request_body = PageInput,
    responses((status = 200, description = "The page settings as saved", body = PageSettings), WriteErrors),
    security(("token" = []))
)]
pub async fn put_page(
    State(state): State<AppState>,
    Authorized(actor, ..): Authorized<Admin>,
    ApiJson(input): ApiJson<PageInput>,
) -> ApiResult {
    ok(state.service.put_page(&actor, input).await?)
}
