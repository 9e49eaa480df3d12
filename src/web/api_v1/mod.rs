//! Herald's own API (v1, `docs/api-v1.md`). Handlers are short: parse, call the service (for
//! writes) or `read::api` (for reads), serialize. The response shapes are the types of
//! `api_v1_views`; the errors each route can answer are listed in its `responses`, all in the
//! one error shape. One file per resource.

mod audit;
mod components;
mod errors;
mod incidents;
mod page;
mod postmortems;
mod translations;
mod updates;

use axum::extract::rejection::QueryRejection;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};

use super::api_v1_views::LocaleCode;
use super::json::ApiError;
use crate::domain::{is_supported_locale, problem, Problem, SUPPORTED_LOCALES};
use crate::error::Error;

pub use audit::*;
pub use components::*;
pub use errors::*;
pub use incidents::*;
pub use page::*;
pub use postmortems::*;
pub use translations::*;
pub use updates::*;

type ApiResult = Result<Response, ApiError>;

/// A query string as the handler's type, or a 422 naming `query`.
type QueryResult<T> = Result<Query<T>, QueryRejection>;

/// The body of a success. Through `serde_json::Value`, whose objects keep their keys sorted:
/// the API has always sent keys in alphabetical order, and clients may compare bytes.
fn body<T: Serialize>(value: T) -> Result<Json<serde_json::Value>, ApiError> {
    serde_json::to_value(value)
        .map(Json)
        .map_err(|e| ApiError(Error::Internal(e.into())))
}

fn ok<T: Serialize>(value: T) -> ApiResult {
    Ok(body(value)?.into_response())
}

fn created<T: Serialize>(value: T) -> ApiResult {
    Ok((StatusCode::CREATED, body(value)?).into_response())
}

/// The parsed query string; one that does not parse is a 422 naming `query`.
fn query<T>(query: QueryResult<T>) -> Result<T, Error> {
    query
        .map(|Query(q)| q)
        .map_err(|e| Error::invalid("query", Problem::text(e.body_text())))
}

/// `limit`, or `default` without one; outside `1..=max` it is a 422 naming `limit`.
fn limit(limit: Option<i64>, default: i64, max: i64) -> Result<i64, Error> {
    let limit = limit.unwrap_or(default);
    if !(1..=max).contains(&limit) {
        return Err(Error::invalid(
            "limit",
            problem!("problem-between", min = 1_i64, max = max),
        ));
    }
    Ok(limit)
}

// ---- texts in a requested locale (`?locale=`) ----

/// `?locale=xx` on reads: the texts in that locale too, with their provenance and staleness.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LocaleQuery {
    /// Also return `localized` texts in this locale (translation, else the original).
    #[param(value_type = Option<LocaleCode>)]
    locale: Option<String>,
}

/// The requested locale, if any; an unknown one is a 422 naming `locale`.
fn requested_locale(locale: Option<&str>) -> Result<Option<String>, Error> {
    match locale {
        None => Ok(None),
        Some(l) if is_supported_locale(l) => Ok(Some(l.to_string())),
        Some(l) => Err(Error::invalid(
            "locale",
            problem!(
                "problem-locale-unsupported",
                locale = l,
                supported = SUPPORTED_LOCALES.join(", ")
            ),
        )),
    }
}

fn locale_query(q: QueryResult<LocaleQuery>) -> Result<Option<String>, Error> {
    requested_locale(query(q)?.locale.as_deref())
}
