//! The visitor's language, chosen one way everywhere (pages, console, badge, feeds, errors):
//! cookies, and `Accept-Language` negotiation honouring q-values.

use axum::http::{header, HeaderMap};

use crate::domain::SUPPORTED_LOCALES;

/// The cookie remembering the visitor's language (`/preferences`).
pub const LANG_COOKIE: &str = "herald_lang";
/// The cookie remembering the visitor's time zone.
pub const TZ_COOKIE: &str = "herald_tz";

/// Reads a cookie's value.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The request's `Accept-Language` header, if readable.
pub fn accept_language(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|h| h.to_str().ok())
}

/// The best of `enabled` for an `Accept-Language` header, honouring q-values.
pub fn negotiate(accept: &str, enabled: &[String]) -> Option<String> {
    best_of(accept, enabled).map(str::to_string)
}

/// [`negotiate`], borrowing the chosen locale from `enabled`: by quality, then by order;
/// an exact tag first, else the same primary language (`pt-PT` finds `pt-BR`).
pub fn best_of<'e, S: AsRef<str>>(accept: &str, enabled: &'e [S]) -> Option<&'e str> {
    let mut wanted: Vec<(f32, usize, &str)> = accept
        .split(',')
        .enumerate()
        .filter_map(|(i, part)| {
            let mut pieces = part.split(';');
            let tag = pieces.next()?.trim();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            (!tag.is_empty() && q > 0.0).then_some((q, i, tag))
        })
        .collect();
    wanted.sort_by(|a, b| {
        b.0.partial_cmp(&a.0)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.1.cmp(&b.1))
    });
    let enabled = || enabled.iter().map(AsRef::as_ref);
    for (_, _, tag) in wanted {
        if let Some(exact) = enabled().find(|l| l.eq_ignore_ascii_case(tag)) {
            return Some(exact);
        }
        let primary = tag.split('-').next().unwrap_or(tag);
        if let Some(near) = enabled().find(|l| {
            l.split('-')
                .next()
                .is_some_and(|p| p.eq_ignore_ascii_case(primary))
        }) {
            return Some(near);
        }
    }
    None
}

/// The best interface language for a visitor from `Accept-Language`, among all the
/// interface's languages, else `fallback`.
pub fn visitor_locale(headers: &HeaderMap, fallback: &str) -> String {
    accept_language(headers)
        .and_then(|h| best_of(h, SUPPORTED_LOCALES))
        .unwrap_or(fallback)
        .to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn negotiates_by_quality_then_order() {
        let enabled: Vec<String> = ["en", "fr", "pt-BR", "ja"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(
            super::negotiate("fr-CH, fr;q=0.9, en;q=0.8", &enabled).as_deref(),
            Some("fr")
        );
        assert_eq!(
            super::negotiate("de, en;q=0.5", &enabled).as_deref(),
            Some("en")
        );
        assert_eq!(
            super::negotiate("en;q=0.2, ja", &enabled).as_deref(),
            Some("ja")
        );
        assert_eq!(
            super::negotiate("pt-br", &enabled).as_deref(),
            Some("pt-BR")
        );
        assert_eq!(
            super::negotiate("pt-PT", &enabled).as_deref(),
            Some("pt-BR")
        );
        assert_eq!(super::negotiate("de", &enabled), None);
    }

    #[test]
    fn the_visitor_locale_honours_q_values_too() {
        let mut headers = axum::http::HeaderMap::new();
        headers.insert("accept-language", "fr;q=0.1, de;q=0.9".parse().unwrap());
        assert_eq!(super::visitor_locale(&headers, "en"), "de");
        headers.insert("accept-language", "xx".parse().unwrap());
        assert_eq!(super::visitor_locale(&headers, "en"), "en");
    }
}
