//! Repeated slashes in a path (`//api/v2/summary.json`, from clients that join URLs
//! carelessly) are collapsed before routing. It wraps the whole router, since a layer added
//! with `Router::layer` only runs after a route has matched.

use axum::extract::Request;
use axum::http::Uri;
use axum::Router;

/// The router behind the slash normalization: what `herald::start` serves.
pub type App = tower::util::MapRequest<Router, fn(Request) -> Request>;

pub fn normalized(router: Router) -> App {
    tower::ServiceExt::<Request>::map_request(router, collapse_slashes as fn(Request) -> Request)
}

/// `//a///b?x=//y` → `/a/b?x=//y` (the query is left alone).
pub fn collapse_slashes(mut request: Request) -> Request {
    let uri = request.uri();
    if !uri.path().contains("//") {
        return request;
    }
    let mut path = String::with_capacity(uri.path().len());
    for c in uri.path().chars() {
        if !(c == '/' && path.ends_with('/')) {
            path.push(c);
        }
    }
    let path_and_query = match uri.query() {
        Some(q) => format!("{path}?{q}"),
        None => path,
    };
    let mut parts = uri.clone().into_parts();
    if let Ok(pq) = path_and_query.parse() {
        parts.path_and_query = Some(pq);
        if let Ok(collapsed) = Uri::from_parts(parts) {
            *request.uri_mut() = collapsed;
        }
    }
    request
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapses_only_the_path() {
        let request = Request::builder()
            .uri("//api//v2///summary.json?next=//x")
            .body(axum::body::Body::empty())
            .unwrap();
        assert_eq!(
            collapse_slashes(request).uri().to_string(),
            "/api/v2/summary.json?next=//x"
        );
    }
}
