//! JSON in and out of the API, with the documented error shape for every failure:
//! 400 malformed, 413 too large, 422 naming the field at fault.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::domain::Problem;
use crate::error::Error;

/// The documented error body, for the OpenAPI document (`ApiError` writes it).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

// Fields in alphabetical order: the order the API has always sent them in.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// `malformed`, `unauthorized`, `forbidden`, `not_found`, `conflict`, `invalid`, ...
    pub code: String,
    /// The fields at fault, each with what is wrong.
    pub fields: std::collections::BTreeMap<String, String>,
    pub message: String,
}

/// An error answered as `{"error": {"code", "message", "fields"}}`.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        ApiError(e)
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> ApiError {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        error_response(&self.0)
    }
}

/// The documented error answer for `e`.
pub fn error_response(e: &Error) -> Response {
    if let Error::Internal(inner) = &e {
        tracing::error!(error = ?inner, "internal error");
    }
    // The API speaks English: each problem as `locales/en.ftl` words it.
    let fields = match &e {
        Error::Invalid(fields) => fields
            .iter()
            .map(|(field, problem)| (field.to_string(), problem.to_string()))
            .collect(),
        _ => Default::default(),
    };
    let body = ErrorBody {
        error: ErrorDetail {
            code: e.code().to_string(),
            fields,
            message: e.public_message(),
        },
    };
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (status, axum::Json(body)).into_response();
    if let Error::RateLimited { retry_after_secs } = *e {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, retry_after_secs.into());
    }
    response
}

/// A JSON body, read within the body limit and deserialized with the path of any bad field.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Error::TooLarge("the request body is larger than this server accepts".into())
            } else {
                Error::Malformed(format!("cannot read the request body: {rejection}"))
            }
        })?;
        parse(&bytes).map(ApiJson).map_err(ApiError)
    }
}

/// Parses a JSON document; syntax errors are 400, wrong values 422 with the field's path.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(Error::Malformed(
            "the request body is empty; send a JSON object".into(),
        ));
    }
    // Syntax first (400), then shape and values (422, naming the field).
    let document: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
        Error::Malformed(format!(
            "malformed JSON: {}",
            strip_position(&e.to_string())
        ))
    })?;
    // Then every text, whatever field it is in: no NUL, no year out of range (422 naming it).
    if let Some((field, problem)) = refused_text(&document, String::new()) {
        return Err(Error::invalid(field, problem));
    }
    serde_path_to_error::deserialize(document).map_err(|e| {
        let path = e.path().to_string();
        let message = strip_position(&e.into_inner().to_string());
        Error::invalid(field_of(&path, &message), Problem::text(message))
    })
}

/// The first text in `value` that `domain::text_problem` refuses, with its path written as
/// the deserializer writes paths (`translations.fr.message`, `items[2]`); a refused object key
/// is reported at the object holding it.
fn refused_text(value: &serde_json::Value, path: String) -> Option<(String, Problem)> {
    use serde_json::Value;
    let here = |path: &str| {
        if path.is_empty() {
            "body".to_string()
        } else {
            path.to_string()
        }
    };
    match value {
        Value::String(text) => crate::domain::text_problem(text).map(|p| (here(&path), p)),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| refused_text(item, format!("{path}[{i}]"))),
        Value::Object(fields) => fields.iter().find_map(|(key, item)| {
            if key.contains('\0') {
                return Some((here(&path), Problem::new("problem-nul")));
            }
            let sub = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            refused_text(item, sub)
        }),
        _ => None,
    }
}

fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// The field a data error is about: its path, or for a missing/unknown field at that path the
/// field named in the message.
fn field_of(path: &str, message: &str) -> String {
    let named = ["missing field `", "unknown field `"]
        .iter()
        .find_map(|prefix| message.strip_prefix(prefix))
        .and_then(|rest| rest.split('`').next());
    match (path, named) {
        (".", Some(name)) => name.to_string(),
        (p, Some(name)) if p == name || p.ends_with(&format!(".{name}")) => p.to_string(),
        (p, Some(name)) => format!("{p}.{name}"),
        (".", None) => "body".to_string(),
        (p, None) => p.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Probe {
        status: crate::domain::IncidentStatus,
        title: String,
    }

    #[test]
    fn errors_name_the_field() {
        match parse::<Probe>(br#"{"status": "fixed", "title": "x"}"#) {
            Err(Error::Invalid(f)) => assert!(f["status"].to_string().contains("unknown variant")),
            other => panic!("{other:?}"),
        }
        match parse::<Probe>(br#"{"status": "resolved"}"#) {
            Err(Error::Invalid(f)) => assert!(f.contains_key("title")),
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            parse::<Probe>(b"{\"status\": "),
            Err(Error::Malformed(_))
        ));
    }

    #[test]
    fn a_nul_or_a_year_out_of_range_names_its_field() {
        match parse::<serde_json::Value>(br#"{"a": {"b": ["ok", "x\u0000y"]}}"#) {
            Err(Error::Invalid(f)) => assert_eq!(f["a.b[1]"].key(), Some("problem-nul")),
            other => panic!("{other:?}"),
        }
        match parse::<serde_json::Value>(br#"{"display_at": "-9999-01-01T00:00:00Z"}"#) {
            Err(Error::Invalid(f)) => assert_eq!(f["display_at"].key(), Some("problem-year")),
            other => panic!("{other:?}"),
        }
    }
}
