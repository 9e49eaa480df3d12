//! Text from the URL's query reaches queries (`?actor=`, `?before=`): a parameter holding a
//! NUL, or a time or day with a year outside 1970–9999, is refused before any handler runs —
//! 422 naming the parameter, as JSON under `/api` and as a page elsewhere — so both databases
//! answer the same. (Ids in paths are checked by the store: one that cannot exist is 404.)

use axum::extract::{Query, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::json::ApiError;
use super::AppState;
use crate::domain::text_problem;
use crate::error::Error;

pub async fn refuse_bad_query(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    if request.uri().query().is_some() {
        if let Ok(Query(pairs)) = Query::<Vec<(String, String)>>::try_from_uri(request.uri()) {
            let refused = pairs.iter().find_map(|(name, value)| {
                if let Some(problem) = text_problem(name) {
                    return Some(Error::invalid("query", problem));
                }
                text_problem(value).map(|problem| Error::invalid(name.clone(), problem))
            });
            if let Some(error) = refused {
                if request.uri().path().starts_with("/api/") {
                    return ApiError(error).into_response();
                }
                let locale = super::lang::visitor_locale(request.headers(), "en");
                return super::errors::error_page(&state.i18n, &locale, &error);
            }
        }
    }
    next.run(request).await
}
