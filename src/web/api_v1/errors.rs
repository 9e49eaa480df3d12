//! The errors each kind of route can answer, all in the one error shape (`ErrorBody`). These
//! types only describe answers for the OpenAPI document (`ApiError` writes them); each is a
//! list of statuses from the one table below.

use std::collections::BTreeMap;

use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::IntoResponses;

/// Every error status a v1 route may answer, with what it means.
const MEANINGS: [(u16, &str); 9] = [
    (400, "The body is not JSON."),
    (401, "No token, or not a valid one."),
    (403, "The token's role may not do this."),
    (404, "No such object."),
    (409, "The change conflicts with the stored state."),
    (413, "The body is larger than the server accepts."),
    (422, "A query parameter is invalid (named in `fields`)."),
    (
        429,
        "Too many failed authentications from this address; see `Retry-After`.",
    ),
    (503, "The database is unavailable."),
];

/// The `ErrorBody` answers for `statuses`, each with its meaning unless `own` words it for
/// this kind of route.
fn answers(statuses: &[u16], own: &[(u16, &str)]) -> BTreeMap<String, RefOr<Response>> {
    statuses
        .iter()
        .map(|status| {
            let meaning = own
                .iter()
                .chain(MEANINGS.iter())
                .find(|(s, _)| s == status)
                .map_or("", |(_, m)| *m);
            let content = ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorBody")))
                .build();
            let response = ResponseBuilder::new()
                .description(meaning)
                .content("application/json", content)
                .build();
            (status.to_string(), RefOr::T(response))
        })
        .collect()
}

macro_rules! errors {
    ($(#[$doc:meta])* $name:ident: [$($status:literal),*] $(, $own:literal => $meaning:literal)*) => {
        $(#[$doc])*
        pub struct $name;

        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                answers(&[$($status),*], &[$(($own, $meaning)),*])
            }
        }
    };
}

errors!(
    /// A list anyone may read.
    ListErrors: [422, 503]
);
errors!(
    /// One object anyone may read, by id alone.
    NotFoundErrors: [404, 503]
);
errors!(
    /// One object anyone may read.
    ItemErrors: [404, 422, 503]
);
errors!(
    /// One object anyone may read, that shows more to a token holder (so a bad token is
    /// refused).
    TokenItemErrors: [401, 404, 422, 429, 503],
    401 => "An `Authorization` header that is not a valid token."
);
errors!(
    /// A read that needs the admin role.
    AdminReadErrors: [401, 403, 422, 429, 503]
);
errors!(
    /// A write. Authentication and role come first: without them the body is not read.
    WriteErrors: [400, 401, 403, 404, 409, 413, 422, 429, 503],
    404 => "No such object (in the path, or named in the body).",
    422 => "A field is invalid (each named in `fields`); nothing was changed.",
    503 => "The database is unavailable or cannot take writes (nothing was changed)."
);
