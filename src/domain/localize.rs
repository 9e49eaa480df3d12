//! Texts in a reader's language: the translation where one exists, field by field, else the
//! original; never blank. Each text says where it came from and whether it is stale.

use serde::Serialize;

use super::{Provenance, TranslatableKind, Translation};

/// Where a shown text came from: the original itself, or a translation's provenance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TextSource {
    Original,
    Human,
    Machine,
    Reviewed,
}

impl From<Provenance> for TextSource {
    fn from(p: Provenance) -> TextSource {
        match p {
            Provenance::Human => TextSource::Human,
            Provenance::Machine => TextSource::Machine,
            Provenance::Reviewed => TextSource::Reviewed,
        }
    }
}

/// One text in the requested locale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LocalizedText {
    pub text: String,
    pub provenance: TextSource,
    /// The original changed after this translation was made.
    pub stale: bool,
}

/// Picks texts in `locale` for objects whose originals are in `original_locale`.
#[derive(Debug, Clone, Copy)]
pub struct Localizer<'a> {
    pub translations: &'a [Translation],
    pub locale: &'a str,
    pub original_locale: &'a str,
}

impl<'a> Localizer<'a> {
    pub fn new(
        translations: &'a [Translation],
        locale: &'a str,
        original_locale: &'a str,
    ) -> Localizer<'a> {
        Localizer {
            translations,
            locale,
            original_locale,
        }
    }

    /// The field of one object: its translation when there is a non-blank one, else the
    /// original.
    pub fn text(
        &self,
        kind: TranslatableKind,
        object_id: &str,
        field: &str,
        original: &str,
    ) -> LocalizedText {
        let translated = (self.locale != self.original_locale)
            .then(|| {
                self.translations.iter().find(|t| {
                    t.kind == kind
                        && t.object_id == object_id
                        && t.field == field
                        && t.locale == self.locale
                        && !t.text.trim().is_empty()
                })
            })
            .flatten();
        match translated {
            Some(t) => LocalizedText {
                text: t.text.clone(),
                provenance: t.provenance.into(),
                stale: t.is_stale(original),
            },
            None => LocalizedText {
                text: original.to_string(),
                provenance: TextSource::Original,
                stale: false,
            },
        }
    }

    /// Like `text`, for a field that may be absent: absent originals stay absent.
    pub fn opt(
        &self,
        kind: TranslatableKind,
        object_id: &str,
        field: &str,
        original: Option<&str>,
    ) -> Option<LocalizedText> {
        original.map(|o| self.text(kind, object_id, field, o))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::text_digest;

    fn tr(field: &str, text: &str, source: &str) -> Translation {
        Translation {
            kind: TranslatableKind::Incident,
            object_id: "i".into(),
            field: field.into(),
            locale: "fr".into(),
            text: text.into(),
            provenance: Provenance::Machine,
            source_digest: text_digest(source),
            updated_at: "2024-03-01T00:00:00Z".parse().unwrap(),
        }
    }

    #[test]
    fn falls_back_field_by_field_and_flags_stale_texts() {
        let ts = vec![tr("title", "Panne", "Outage"), tr("symptom", " ", "slow")];
        let fr = Localizer::new(&ts, "fr", "en");
        let title = fr.text(TranslatableKind::Incident, "i", "title", "Outage");
        assert_eq!(
            (title.text.as_str(), title.provenance, title.stale),
            ("Panne", TextSource::Machine, false)
        );
        assert!(
            fr.text(TranslatableKind::Incident, "i", "title", "Big outage")
                .stale
        );
        // A blank translation is no translation.
        let symptom = fr.text(TranslatableKind::Incident, "i", "symptom", "slow");
        assert_eq!(symptom.text, "slow");
        assert_eq!(symptom.provenance, TextSource::Original);
        assert_eq!(
            fr.opt(TranslatableKind::Incident, "i", "symptom", None),
            None
        );
        // The original's own locale shows the original.
        let en = Localizer::new(&ts, "en", "en");
        assert_eq!(
            en.text(TranslatableKind::Incident, "i", "title", "Outage")
                .provenance,
            TextSource::Original
        );
    }
}
