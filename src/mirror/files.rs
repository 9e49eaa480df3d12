//! Where each path lives in the mirror's directory, how a file is written (atomically, with
//! its `.gz` and `.br`), and what the mirror reads back from a rendered page (its links and
//! `hreflang` alternates) or changes in it (the generation notice, the time-zone form).

use std::io::Write;
use std::path::{Path, PathBuf};

/// The file of a path (`/incidents/abc` → `incidents/abc.html`), relative to the mirror's
/// directory. A path whose last segment has an extension keeps its name (`/history.atom`,
/// `/api/v2/summary.json`, `/static/herald.1a2b3c4d5e.css`); a page gets `.html`; a path
/// ending in `/` gets `index.html`; a query (only history and component pages have one) is
/// kept in the name after `__` (`/history?page=1` → `history__page=1.html`), which the
/// nginx configuration of the README maps back. `None` for a path that cannot be a file.
pub fn file_of(path_and_query: &str) -> Option<PathBuf> {
    let (path, query) = match path_and_query.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (path_and_query, None),
    };
    let rel = path.strip_prefix('/')?;
    if rel
        .split('/')
        .any(|s| s == ".." || s == "." || s.starts_with('.'))
        || rel.contains("//")
        || rel.contains('\\')
    {
        return None;
    }
    let last = rel.rsplit('/').next().unwrap_or("");
    let mut name = if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index")
    } else {
        rel.to_string()
    };
    let is_page = last.is_empty() || !last.contains('.');
    if let Some(q) = query.filter(|q| !q.is_empty()) {
        if !is_page || q.contains('/') {
            return None;
        }
        name.push_str("__");
        name.push_str(q);
    }
    if is_page {
        name.push_str(".html");
    }
    Some(PathBuf::from(name))
}

/// Files worth precompressing (text); images other than SVG are left alone.
pub fn is_text(file: &Path) -> bool {
    matches!(
        file.extension().and_then(|e| e.to_str()),
        Some("html" | "json" | "atom" | "rss" | "xml" | "svg" | "css" | "txt" | "js")
    )
}

/// Writes `bytes` to `dir/rel` atomically: a temporary file in the same directory, flushed
/// to disk, then renamed over the old one (a reader sees the old file or the new one, never
/// part of one). The `.gz` and `.br` of a text file are written first, the same way, so the
/// precompressed copies are never older than the plain one after it appears.
pub fn write_atomically(dir: &Path, rel: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let target = dir.join(rel);
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent)?;
    }
    if is_text(rel) {
        write_one(&with_suffix(&target, ".gz"), &crate::compress::gzip(bytes))?;
        write_one(
            &with_suffix(&target, ".br"),
            &crate::compress::brotli(bytes),
        )?;
    }
    write_one(&target, bytes)
}

fn with_suffix(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn write_one(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let parent = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = parent.join(format!(".{name}.{}.tmp", std::process::id()));
    let written = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, target)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written
}

/// Whether the file on disk (and its compressed copies) already holds `bytes`, the
/// generation notice aside.
pub fn unchanged(dir: &Path, rel: &Path, bytes: &[u8]) -> bool {
    let target = dir.join(rel);
    let Ok(old) = std::fs::read(&target) else {
        return false;
    };
    if is_text(rel)
        && !(with_suffix(&target, ".gz").exists() && with_suffix(&target, ".br").exists())
    {
        return false;
    }
    without_notice(&old) == without_notice(bytes)
}

/// The class of the generation notice's paragraph.
const NOTICE_OPEN: &str = "<p class=\"mirror-notice\">";
/// Where the notice goes: first thing in the page's main content (`<main id="main" …>`).
const MAIN_OPEN: &str = "<main id=\"main\"";

/// A rendered page made a mirror page: the generation notice first in `<main>`, and what
/// needs `/preferences` (which sets a cookie, and a static host cannot answer) degraded: the
/// time-zone form left out (times show in the page's own zones), the language links pointing
/// straight at the page in that language (the choice is not remembered).
pub fn mirror_page(html: &str, notice: &str) -> String {
    let mut page = direct_language_links(&without_zone_form(html));
    let after_main = page
        .find(MAIN_OPEN)
        .and_then(|at| page[at..].find(">\n").map(|end| at + end + 2));
    if let Some(at) = after_main {
        page.insert_str(at, &format!("{NOTICE_OPEN}{notice}</p>\n"));
    }
    page
}

/// The page without the time-zone form (`<form class="tz" …>…</form>` and its line end).
pub fn without_zone_form(html: &str) -> String {
    let Some(start) = html.find("<form class=\"tz\"") else {
        return html.to_string();
    };
    let Some(len) = html[start..].find("</form>\n") else {
        return html.to_string();
    };
    let mut page = String::with_capacity(html.len());
    page.push_str(&html[..start]);
    page.push_str(&html[start + len + "</form>\n".len()..]);
    page
}

/// The page with each `href="/preferences?lang=L&return=PATH"` replaced by `href="PATH"`.
pub fn direct_language_links(html: &str) -> String {
    const OPEN: &str = "href=\"/preferences?lang=";
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(OPEN) {
        let value_start = at + "href=\"".len();
        let Some(len) = rest[value_start..].find('"') else {
            break;
        };
        let href = unescape(&rest[value_start..value_start + len]);
        let target = href
            .split_once("&return=")
            .map(|(_, r)| percent_decode(r.split('&').next().unwrap_or(r)));
        out.push_str(&rest[..value_start]);
        match target.filter(|t| t.starts_with('/') && !t.starts_with("//")) {
            Some(t) => out.push_str(&t.replace('&', "&amp;").replace('"', "&quot;")),
            None => out.push_str(&rest[value_start..value_start + len]),
        }
        rest = &rest[value_start + len..];
    }
    out.push_str(rest);
    out
}

/// `%XX` escapes decoded (`+` is left alone: the pages' `urlencode` writes spaces as `%20`).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The bytes without the notice paragraph (and its line end), to compare contents.
pub fn without_notice(bytes: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    let open = NOTICE_OPEN.as_bytes();
    let Some(start) = bytes.windows(open.len()).position(|w| w == open) else {
        return std::borrow::Cow::Borrowed(bytes);
    };
    let close = b"</p>\n";
    let Some(len) = bytes[start..].windows(close.len()).position(|w| w == close) else {
        return std::borrow::Cow::Borrowed(bytes);
    };
    let mut out = bytes[..start].to_vec();
    out.extend_from_slice(&bytes[start + len + close.len()..]);
    std::borrow::Cow::Owned(out)
}

/// The site-internal targets of a page's `href`s, as paths with their query (`/fr/history`,
/// `/history?page=1`), without fragments; absolute links count when they start with `base`
/// (the page's public URL).
pub fn links(html: &str, base: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (at, _) in html.match_indices("href=\"") {
        let rest = &html[at + 6..];
        let Some(end) = rest.find('"') else { continue };
        let href = unescape(&rest[..end]);
        let href = href.split('#').next().unwrap_or("");
        let local = match href.strip_prefix(base) {
            Some("") => "/",
            Some(rest) if rest.starts_with('/') || rest.starts_with('?') => rest,
            Some(_) => continue,
            None => href,
        };
        if local.starts_with('/') && !local.starts_with("//") {
            out.push(local.to_string());
        }
    }
    out
}

/// A page's `hreflang` alternates, `(tag, absolute URL)`, from its `<link rel="alternate">`s.
pub fn alternates(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let head = html.split("</head>").next().unwrap_or("");
    for line in head.lines() {
        let Some(rest) = line.strip_prefix("<link rel=\"alternate\" hreflang=\"") else {
            continue;
        };
        let Some((tag, rest)) = rest.split_once('"') else {
            continue;
        };
        let Some(href) = rest
            .split_once("href=\"")
            .and_then(|(_, h)| h.split_once('"'))
        else {
            continue;
        };
        out.push((unescape(tag), unescape(href.0)));
    }
    out
}

/// HTML character references in an attribute value, as askama writes them.
pub fn unescape(text: &str) -> String {
    if !text.contains('&') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(end) = rest.find(';').filter(|e| *e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "quot" => Some('"'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_of_paths() {
        let f = |p: &str| file_of(p).map(|f| f.to_string_lossy().into_owned());
        assert_eq!(f("/").as_deref(), Some("index.html"));
        assert_eq!(f("/fr/").as_deref(), Some("fr/index.html"));
        assert_eq!(f("/fr").as_deref(), Some("fr.html"));
        assert_eq!(f("/incidents/abc").as_deref(), Some("incidents/abc.html"));
        assert_eq!(
            f("/history?page=1").as_deref(),
            Some("history__page=1.html")
        );
        assert_eq!(f("/history.atom").as_deref(), Some("history.atom"));
        assert_eq!(
            f("/api/v2/summary.json").as_deref(),
            Some("api/v2/summary.json")
        );
        assert_eq!(f("/../etc/passwd"), None);
        assert_eq!(f("/badge.svg?x=1"), None);
    }

    #[test]
    fn notice_and_zone_form() {
        let page = "<main id=\"main\" class=\"wrap\">\n<h1>x</h1>\n</main>\n<div>\n<form class=\"tz\" method=\"get\">\n<select></select>\n</form>\n</div>\n";
        let mirrored = mirror_page(page, "As of 11:10 UTC");
        assert!(mirrored.contains("<p class=\"mirror-notice\">As of 11:10 UTC</p>\n<h1>"));
        assert!(!mirrored.contains("<form"));
        assert_eq!(
            &*without_notice(mirrored.as_bytes()),
            without_zone_form(page).as_bytes()
        );
    }

    #[test]
    fn links_and_alternates() {
        let html = "<head>\n<link rel=\"alternate\" hreflang=\"fr\" href=\"http://h/fr/\">\n</head><a href=\"/history?page=1&amp;after=x#top\">a</a> <a href=\"http://h/incidents/1\">b</a> <a href=\"https://else/\">c</a> <a href=\"http://h\">d</a>";
        assert_eq!(
            links(html, "http://h"),
            ["/fr/", "/history?page=1&after=x", "/incidents/1", "/"]
        );
        assert_eq!(
            alternates(html),
            [("fr".to_string(), "http://h/fr/".to_string())]
        );
        assert_eq!(unescape("a&#x2f;b&#47;c&amp;&bogus"), "a/b/c&&bogus");
        assert_eq!(
            direct_language_links(
                "<a href=\"/preferences?lang=fr&amp;return=%2Ffr%2Fhistory%3Fpage%3D1\">fr</a>"
            ),
            "<a href=\"/fr/history?page=1\">fr</a>"
        );
    }
}
