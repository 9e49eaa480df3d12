//! Picks the text to show for a reader's locale: the translation when there is one, else the
//! original (never a blank), and remembers what it did so the page can say so (machine
//! translation, missing or stale translation).

use std::cell::RefCell;

use crate::domain::{TextSource, TranslatableKind, Translation};

/// The language of a text shown untranslated, or none for a text in the page's language.
/// Displays as the ` lang="…"` attribute of its element (nothing when none); the tag is one
/// of the page's validated locales.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lang(pub Option<String>);

impl Lang {
    pub fn tag(&self) -> Option<&str> {
        self.0.as_deref()
    }

    /// Block HTML in this language: wrapped in a `div` that says so (unchanged when none).
    pub fn wrap(&self, html: String) -> String {
        match &self.0 {
            Some(tag) if !html.is_empty() => format!("<div lang=\"{tag}\">{html}</div>"),
            _ => html,
        }
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Some(tag) => write!(f, " lang=\"{tag}\""),
            None => Ok(()),
        }
    }
}

/// What the page must tell the reader about its texts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Notices {
    pub machine: bool,
    pub missing: bool,
    pub stale: bool,
}

impl Notices {
    pub fn any(&self) -> bool {
        self.machine || self.missing || self.stale
    }
}

/// The texts of one page: `domain::Localizer`'s choice of text (the one rule), plus a record
/// of what the page must tell its reader. Unlike `domain::Localizer` it serves objects of
/// several original locales, so each call names its object's.
pub struct PageTexts<'a> {
    locale: &'a str,
    translations: &'a [Translation],
    notices: RefCell<Notices>,
}

impl<'a> PageTexts<'a> {
    /// Arguments in `domain::Localizer::new`'s order.
    pub fn new(translations: &'a [Translation], locale: &'a str) -> PageTexts<'a> {
        PageTexts {
            locale,
            translations,
            notices: RefCell::new(Notices::default()),
        }
    }

    /// The text of `field` of an object whose original is `original`, written in
    /// `original_locale` (the choice is `domain::Localizer`'s), recording what the page must
    /// say about it.
    fn shown(
        &self,
        kind: TranslatableKind,
        object_id: &str,
        field: &str,
        original: &str,
        original_locale: &str,
    ) -> (String, TextSource) {
        if original.is_empty() {
            return (String::new(), TextSource::Original);
        }
        let shown = crate::domain::Localizer::new(self.translations, self.locale, original_locale)
            .text(kind, object_id, field, original);
        let mut notices = self.notices.borrow_mut();
        notices.stale |= shown.stale;
        match shown.provenance {
            TextSource::Original if self.locale != original_locale => notices.missing = true,
            TextSource::Machine => notices.machine = true,
            _ => {}
        }
        (shown.text, shown.provenance)
    }

    /// Like `marked`, for an optional original; just the text.
    pub fn opt(
        &self,
        kind: TranslatableKind,
        object_id: &str,
        field: &str,
        original: Option<&str>,
        original_locale: &str,
    ) -> Option<String> {
        self.marked_opt(kind, object_id, field, original, original_locale)
            .map(|(text, _)| text)
    }

    /// The text and, when it is the original shown on a page in another language, that
    /// language, for a `lang` attribute (WCAG 3.1.2: a screen reader reads it in its voice).
    pub fn marked(
        &self,
        kind: TranslatableKind,
        object_id: &str,
        field: &str,
        original: &str,
        original_locale: &str,
    ) -> (String, Lang) {
        let (text, source) = self.shown(kind, object_id, field, original, original_locale);
        // An original shown on a page in another language: the translation is missing.
        let missing = !original.is_empty()
            && source == TextSource::Original
            && self.locale != original_locale;
        (text, Lang(missing.then(|| original_locale.to_string())))
    }

    /// Like `marked`, for an optional original.
    pub fn marked_opt(
        &self,
        kind: TranslatableKind,
        object_id: &str,
        field: &str,
        original: Option<&str>,
        original_locale: &str,
    ) -> Option<(String, Lang)> {
        original.map(|o| self.marked(kind, object_id, field, o, original_locale))
    }

    pub fn notices(&self) -> Notices {
        *self.notices.borrow()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{text_digest, Provenance};

    fn tr(field: &str, text: &str, provenance: Provenance, source: &str) -> Translation {
        Translation {
            kind: TranslatableKind::Update,
            object_id: "u1".into(),
            field: field.into(),
            locale: "fr".into(),
            text: text.into(),
            provenance,
            source_digest: text_digest(source),
            updated_at: "2024-03-01T00:00:00Z".parse().unwrap(),
        }
    }

    #[test]
    fn falls_back_and_says_so() {
        let all = [tr("message", "Bonjour", Provenance::Machine, "Hello")];
        let fr = PageTexts::new(&all, "fr");
        assert_eq!(
            fr.marked(TranslatableKind::Update, "u1", "message", "Hello", "en"),
            ("Bonjour".into(), Lang(None))
        );
        assert_eq!(
            fr.notices(),
            Notices {
                machine: true,
                missing: false,
                stale: false
            }
        );
        assert_eq!(
            fr.marked(TranslatableKind::Update, "u2", "message", "Bye", "en")
                .1,
            Lang(Some("en".into()))
        );
        assert!(fr.notices().missing);
        fr.marked(TranslatableKind::Update, "u1", "message", "Hello!", "en");
        assert!(
            fr.notices().stale,
            "the original changed since it was translated"
        );
        let en = PageTexts::new(&all, "en");
        assert_eq!(
            en.marked(TranslatableKind::Update, "u1", "message", "Hello", "en")
                .1,
            Lang(None)
        );
        assert!(!en.notices().any());
    }
}
