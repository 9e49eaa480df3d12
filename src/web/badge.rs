//! The status badge: `/badge.svg` for READMEs and intranets, and shields.io's "endpoint" JSON
//! at `/badge.json`. Localized by `?locale=` or `Accept-Language`; the colour follows the
//! indicator but the words always say the status (never colour alone).

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::errors::error_page;
use super::lang::visitor_locale;
use super::AppState;
use crate::domain::{is_supported_locale, Indicator};
use crate::error::Error;
use crate::render::escape::html as escape;
use crate::render::labels;

#[derive(Debug, Deserialize)]
pub struct BadgeQuery {
    locale: Option<String>,
}

/// What a badge says, in one language.
struct Badge {
    locale: String,
    label: String,
    message: String,
    indicator: Indicator,
}

/// Background colour (dark enough for white text, WCAG AA at this size) and shields.io name.
fn colours(i: Indicator) -> (&'static str, &'static str) {
    match i {
        Indicator::None => ("#1a7f37", "brightgreen"),
        Indicator::Minor => ("#9a6700", "yellow"),
        Indicator::Major => ("#bc4c00", "orange"),
        Indicator::Critical => ("#cf222e", "red"),
        Indicator::Maintenance => ("#0969da", "blue"),
    }
}

async fn badge(state: &AppState, query: &BadgeQuery, headers: &HeaderMap) -> Result<Badge, Error> {
    let page = state.service.page().await?;
    let locale = match query.locale.as_deref() {
        Some(l) if is_supported_locale(l) => l.to_string(),
        _ => visitor_locale(headers, &page.default_locale),
    };
    let indicator = state.read.overall().await?;
    Ok(Badge {
        label: state.i18n.text(&locale, "badge-label"),
        message: state.i18n.text(&locale, labels::indicator(indicator)),
        locale,
        indicator,
    })
}

fn short_cache(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=30"),
    );
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    response
}

/// Approximate width in pixels of text in 11px Verdana-like type (wide scripts count double).
fn text_width(text: &str) -> usize {
    text.chars()
        .map(|c| {
            if c.is_ascii() {
                7
            } else if c as u32 >= 0x2E80 {
                12
            } else {
                8
            }
        })
        .sum::<usize>()
}

fn svg(b: &Badge) -> String {
    let (colour, _) = colours(b.indicator);
    let label = escape(&b.label);
    let message = escape(&b.message);
    let lw = text_width(&b.label) + 12;
    let mw = text_width(&b.message) + 12;
    let total = lw + mw;
    let lang = escape(&b.locale);
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{total}" height="20" role="img" aria-label="{label}: {message}" lang="{lang}">
<title>{label}: {message}</title>
<rect width="{lw}" height="20" fill="#555"/>
<rect x="{lw}" width="{mw}" height="20" fill="{colour}"/>
<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">
<text x="{lx}" y="14">{label}</text>
<text x="{mx}" y="14">{message}</text>
</g>
</svg>
"##,
        lx = lw / 2,
        mx = lw + mw / 2,
    )
}

/// `/badge.svg`
pub async fn badge_svg(
    State(state): State<AppState>,
    Query(query): Query<BadgeQuery>,
    headers: HeaderMap,
) -> Response {
    match badge(&state, &query, &headers).await {
        Ok(b) => short_cache(
            (
                [(header::CONTENT_TYPE, "image/svg+xml; charset=utf-8")],
                svg(&b),
            )
                .into_response(),
        ),
        Err(e) => error_page(&state.i18n, &visitor_locale(&headers, "en"), &e),
    }
}

/// `/badge.json`: shields.io's endpoint schema.
pub async fn badge_json(
    State(state): State<AppState>,
    Query(query): Query<BadgeQuery>,
    headers: HeaderMap,
) -> Response {
    match badge(&state, &query, &headers).await {
        Ok(b) => {
            let mut response = axum::Json(serde_json::json!({
                "schemaVersion": 1,
                "label": b.label,
                "message": b.message,
                "color": colours(b.indicator).1,
            }))
            .into_response();
            response.headers_mut().insert(
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            );
            short_cache(response)
        }
        Err(e) => super::json::ApiError(e).into_response(),
    }
}
