//! `robots.txt` and the sitemap (sitemaps.org 0.9, with `xhtml:link` `hreflang` alternates):
//! one `sitemap.xml` up to 50,000 pages, else a sitemap index over `sitemap-N.xml` parts.

use std::collections::BTreeMap;

/// The most URLs one sitemap file may list (sitemaps.org).
const PER_FILE: usize = 50_000;

pub fn robots(base: &str) -> String {
    format!("User-agent: *\nAllow: /\nSitemap: {base}/sitemap.xml\n")
}

/// `(path, body)` of each sitemap file, for the pages (path → alternates).
pub fn sitemaps(
    base: &str,
    pages: &BTreeMap<String, Vec<(String, String)>>,
) -> Vec<(String, String)> {
    let entries: Vec<String> = pages
        .iter()
        .map(|(path, alternates)| entry(base, path, alternates))
        .collect();
    if entries.len() <= PER_FILE {
        return vec![("/sitemap.xml".to_string(), urlset(&entries))];
    }
    let mut files = Vec::new();
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (n, chunk) in entries.chunks(PER_FILE).enumerate() {
        let name = format!("/sitemap-{}.xml", n + 1);
        index.push_str(&format!(
            "<sitemap><loc>{}</loc></sitemap>\n",
            xml(&format!("{base}{name}"))
        ));
        files.push((name, urlset(chunk)));
    }
    index.push_str("</sitemapindex>\n");
    files.push(("/sitemap.xml".to_string(), index));
    files
}

fn urlset(entries: &[String]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
    );
    for e in entries {
        out.push_str(e);
    }
    out.push_str("</urlset>\n");
    out
}

fn entry(base: &str, path: &str, alternates: &[(String, String)]) -> String {
    let mut out = format!("<url><loc>{}</loc>", xml(&format!("{base}{path}")));
    for (lang, href) in alternates {
        out.push_str(&format!(
            "<xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>",
            xml(lang),
            xml(href)
        ));
    }
    out.push_str("</url>\n");
    out
}

/// Text for an XML attribute or element.
fn xml(text: &str) -> String {
    crate::render::escape::html(text)
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_file_with_alternates() {
        let mut pages = std::collections::BTreeMap::new();
        pages.insert(
            "/history?page=1&after=x".to_string(),
            vec![("fr".to_string(), "http://h/fr/history".to_string())],
        );
        let files = super::sitemaps("http://h", &pages);
        assert_eq!(files.len(), 1);
        assert!(files[0].1.contains("<loc>http://h/history?page=1&amp;after=x</loc><xhtml:link rel=\"alternate\" hreflang=\"fr\" href=\"http://h/fr/history\"/>"));
    }
}
