//! Markdown to safe HTML: pulldown-cmark renders, raw HTML in the source is shown as text (never
//! passed through), and ammonia sanitizes the result (no scripts, no `javascript:` links, no
//! images; links get `rel="nofollow noopener noreferrer"`).

use std::collections::HashSet;
use std::sync::OnceLock;

use pulldown_cmark::{Event, Options, Parser, TagEnd};

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.link_rel(Some("nofollow noopener noreferrer"))
            .url_schemes(HashSet::from(["http", "https", "mailto"]))
            .rm_tags(["img"]);
        b
    })
}

/// Renders author Markdown to HTML that is safe to embed in a page or feed.
pub fn to_html(markdown: &str) -> String {
    let options = Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES;
    let events = Parser::new_ext(markdown, options).map(|event| match event {
        // Raw HTML is the author's text, not markup: show it, escaped.
        Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
        other => other,
    });
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events);
    sanitizer().clean(&html).to_string()
}

/// The text of author Markdown without markup, for places that take plain text (titles of feed
/// entries, summaries).
pub fn to_plain_text(markdown: &str) -> String {
    let mut text = String::new();
    for event in Parser::new(markdown) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                text.push_str(&t)
            }
            Event::SoftBreak | Event::HardBreak => text.push(' '),
            Event::End(
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableCell,
            ) => text.push(' '),
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The Statuspage API's `body`: the text without markup, `&`, `<` and `>` escaped (clients
/// insert it as HTML), and line breaks as literal `<br />` (two between paragraphs).
pub fn to_statuspage_body(markdown: &str) -> String {
    use super::escape::text as escape;
    let mut out = String::new();
    let mut pending_breaks = 0usize;
    let push = |out: &mut String, pending: &mut usize, text: &str| {
        if !out.is_empty() {
            for _ in 0..*pending {
                out.push_str("<br />");
            }
        }
        *pending = 0;
        out.push_str(text);
    };
    for event in Parser::new_ext(
        markdown,
        Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES,
    ) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                let lines: Vec<String> = t.split('\n').map(escape).collect();
                let joined = lines.join("<br />");
                let joined = joined.trim_end_matches("<br />");
                if !joined.is_empty() {
                    push(&mut out, &mut pending_breaks, joined);
                }
            }
            Event::Start(pulldown_cmark::Tag::Item) => {
                pending_breaks = pending_breaks.max(1);
                push(&mut out, &mut pending_breaks, "- ");
            }
            Event::SoftBreak | Event::HardBreak => pending_breaks = pending_breaks.max(1),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::CodeBlock
                | TagEnd::BlockQuote(_)
                | TagEnd::List(_)
                | TagEnd::Table,
            ) => pending_breaks = 2,
            Event::End(TagEnd::Item | TagEnd::TableRow) => pending_breaks = pending_breaks.max(1),
            Event::End(TagEnd::TableCell) => push(&mut out, &mut pending_breaks, " "),
            _ => {}
        }
    }
    out.trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_renders_and_raw_html_does_not() {
        assert_eq!(to_html("**fixed**"), "<p><strong>fixed</strong></p>\n");
        let html = to_html("<script>alert(1)</script> <img src=x onerror=alert(1)>");
        assert!(
            !html.contains("<script") && !html.contains("<img"),
            "{html}"
        );
        assert!(
            html.contains("&lt;script&gt;"),
            "raw HTML is shown as text: {html}"
        );
        let html = to_html("[click](javascript:alert(1)) [ok](https://example.com)");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(
            html.contains(r#"href="https://example.com""#)
                && html.contains(r#"rel="nofollow noopener noreferrer""#),
            "{html}"
        );
        assert_eq!(
            to_plain_text("We **fixed** it.\nThanks."),
            "We fixed it. Thanks."
        );
    }

    #[test]
    fn statuspage_bodies_keep_line_breaks_as_br() {
        assert_eq!(
            to_statuspage_body("We **fixed** it.\nThanks.\n\nNext <b>update</b> soon & later."),
            "We fixed it.<br />Thanks.<br /><br />Next &lt;b&gt;update&lt;/b&gt; soon &amp; later."
        );
        assert_eq!(
            to_statuspage_body("Steps:\n\n- one\n- two\n\nDone."),
            "Steps:<br /><br />- one<br />- two<br /><br />Done."
        );
    }
}
