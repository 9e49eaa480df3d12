//! Escaping plain text for HTML and XML, in one place.

/// Text content: `&`, `<` and `>` escaped (what the Statuspage API's `body` promises).
pub fn text(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Text safe anywhere in HTML or XML, attribute values included: every character that could
/// start markup or an entity, or end an attribute, escaped.
pub fn html(raw: &str) -> String {
    text(raw).replace('"', "&quot;").replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(super::text("a<b>&\"'"), "a&lt;b&gt;&amp;\"'");
        assert_eq!(super::html("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&#39;");
    }
}
