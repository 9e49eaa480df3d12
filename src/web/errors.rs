//! Answers for what has no handler, and for failures: JSON under `/api`, a short localized page
//! elsewhere. Neither ever carries a stack trace or a database message.

use std::any::Any;
use std::sync::Arc;

use askama::Template;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use super::json::ApiError;
use super::AppState;
use crate::error::Error;
use crate::i18n::I18n;
use crate::render::Tr;

#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorPage {
    tr: Tr,
    title: String,
    body: String,
}

use super::lang::visitor_locale;

/// An HTML page for an error, in `locale`.
pub fn error_page(i18n: &Arc<I18n>, locale: &str, error: &Error) -> Response {
    let (title_key, body) = match error {
        Error::NotFound(_) => (
            "error-not-found-title",
            i18n.text(locale, "error-not-found-body"),
        ),
        Error::Forbidden(_) | Error::Unauthorized(_) => (
            "error-forbidden-title",
            i18n.text(locale, "error-forbidden-body"),
        ),
        Error::Unavailable(_) => (
            "error-unavailable-title",
            i18n.text(locale, "error-unavailable-body"),
        ),
        Error::Internal(inner) => {
            tracing::error!(error = ?inner, "internal error");
            ("error-server-title", i18n.text(locale, "error-server-body"))
        }
        other => ("error-request-title", other.public_message()),
    };
    let page = ErrorPage {
        tr: Tr::new(i18n, locale),
        title: i18n.text(locale, title_key),
        body,
    };
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "cannot render the error page");
            (status, "error").into_response()
        }
    }
}

/// No route matched: "not found" in the visitor's language (the path's prefix, the language
/// cookie, `Accept-Language`), as the public pages choose it.
pub async fn page_not_found(
    state: axum::extract::State<AppState>,
    uri: axum::http::Uri,
    headers: HeaderMap,
) -> Response {
    let locale = match state.pages.settings(&state).await {
        Ok(page) => super::visitor::error_locale(&uri, &headers, &page),
        Err(_) => visitor_locale(&headers, "en"),
    };
    error_page(
        &state.i18n,
        &locale,
        &Error::NotFound("no such page".into()),
    )
}

pub async fn api_not_found(uri: axum::http::Uri) -> ApiError {
    ApiError(Error::NotFound(format!(
        "no API endpoint at {}",
        uri.path()
    )))
}

/// The router answers a known path with an unknown method by an empty 405; give it the API's
/// error body, keeping its `Allow` header.
pub async fn explain_method_not_allowed(
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let (method, path) = (request.method().clone(), request.uri().path().to_string());
    let response = next.run(request).await;
    if response.status() != StatusCode::METHOD_NOT_ALLOWED {
        return response;
    }
    let allow = response.headers().get(axum::http::header::ALLOW).cloned();
    let message = format!("{method} is not allowed on {path}");
    let mut explained = ApiError(Error::MethodNotAllowed(message)).into_response();
    if let Some(allow) = allow {
        explained
            .headers_mut()
            .insert(axum::http::header::ALLOW, allow);
    }
    explained
}

pub fn panic_response(_: Box<dyn Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    ApiError(Error::Internal(anyhow::anyhow!("handler panicked"))).into_response()
}
