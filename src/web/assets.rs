//! Static assets, embedded in the binary and served under content-hashed names with a year-long
//! cache lifetime: a new release changes the name, so browsers never hold a stale stylesheet.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::AppState;

const FILES: &[(&str, &str, &[u8])] = &[
    (
        "herald.css",
        "text/css; charset=utf-8",
        include_bytes!("../../static/css/herald.css"),
    ),
    (
        "icon.svg",
        "image/svg+xml",
        include_bytes!("../../static/img/icon.svg"),
    ),
];

pub struct Asset {
    /// `herald.3f2a9c1e0b.css`
    pub hashed_name: String,
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

pub struct Assets {
    files: Vec<(&'static str, Asset)>,
}

impl Assets {
    pub fn new() -> Assets {
        let files = FILES
            .iter()
            .map(|(name, content_type, bytes)| {
                let hash = hex::encode(&Sha256::digest(bytes)[..5]);
                let hashed_name = match name.rsplit_once('.') {
                    Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
                    None => format!("{name}.{hash}"),
                };
                (
                    *name,
                    Asset {
                        hashed_name,
                        content_type,
                        bytes,
                    },
                )
            })
            .collect();
        Assets { files }
    }

    /// The URL of an asset by its plain name (`herald.css` → `/static/herald.<hash>.css`).
    pub fn href(&self, name: &str) -> String {
        self.files
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, a)| format!("/static/{}", a.hashed_name))
            .unwrap_or_default()
    }

    fn by_hashed_name(&self, hashed: &str) -> Option<&Asset> {
        self.files
            .iter()
            .map(|(_, a)| a)
            .find(|a| a.hashed_name == hashed)
    }
}

impl Default for Assets {
    fn default() -> Self {
        Assets::new()
    }
}

pub async fn serve(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: axum::http::HeaderMap,
) -> Response {
    let Some(asset) = state.assets.by_hashed_name(&file) else {
        let locale = super::lang::visitor_locale(&headers, "en");
        return super::errors::error_page(
            &state.i18n,
            &locale,
            &crate::error::Error::NotFound("no such file".into()),
        );
    };
    let etag = format!("\"{}\"", asset.hashed_name);
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(etag.as_str())
    {
        return (axum::http::StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    (
        [
            (header::CONTENT_TYPE, asset.content_type.to_string()),
            (
                header::CACHE_CONTROL,
                "public, max-age=31536000, immutable".to_string(),
            ),
            (header::ETAG, etag),
        ],
        asset.bytes,
    )
        .into_response()
}
