//! How the console names the fields the service speaks of (`title`, `root_cause`,
//! `components.<id>`, `translations.fr.title`): the label a person sees in the console's
//! language, for error summaries and for fields named inside messages.

use super::Tr;
use crate::domain::{Component, SUPPORTED_LOCALES};

/// The locale key of a plain field's label (no prefix, no index). Where a form shows the field,
/// its own label's key is reused, so the summary names the field as the form does.
pub fn field_key(field: &str) -> &'static str {
    match field {
        "title" => "console-field-title",
        "symptom" => "console-field-symptom",
        "message" => "console-field-message",
        "summary" => "console-field-summary",
        "root_cause" => "console-field-root-cause",
        "resolution" => "console-field-resolution",
        "detail" => "console-field-detail",
        "impact" => "console-impact",
        "status" => "console-status",
        "state" => "console-postmortem-state",
        "state_reason" => "console-state-reason",
        "category" => "console-category",
        "tracker_url" => "console-tracker-url",
        "due_on" | "due" => "field-due",
        "display_at" => "console-display-at",
        "next_update_by" => "console-next-update-by",
        "started_at" | "impact_started_at" => "field-started-at",
        "detected_at" => "field-detected-at",
        "mitigated_at" => "field-mitigated-at",
        "impact_ended_at" => "field-impact-ended-at",
        "scheduled_for" => "field-scheduled-for",
        "scheduled_until" => "field-scheduled-until",
        "components" => "console-components",
        "incident" => "console-tr-incident",
        "locale" => "field-locale",
        "provenance" => "console-provenance",
        "fields" => "field-fields",
        "translations" => "console-translations",
        "name" => "field-name",
        "description" => "field-description",
        "group_id" | "group" => "field-group",
        "children_label" => "field-children-label",
        "position" => "field-position",
        "username" => "console-username",
        "password" => "console-password",
        "role" => "console-role",
        "url" => "field-url",
        "time_zone" => "field-time-zone",
        "display_time_zones" => "field-display-time-zones",
        "default_locale" => "field-default-locale",
        "locales" => "field-locales",
        "footer_markdown" => "field-footer",
        _ => "console-field-other",
    }
}

/// The order of a summary's lines: as forms show their fields (title first, times last);
/// fields not listed come after, by name.
const FORM_ORDER: &[&str] = &[
    "form",
    "title",
    "name",
    "username",
    "password",
    "role",
    "impact",
    "status",
    "components",
    "message",
    "summary",
    "root_cause",
    "resolution",
    "detail",
    "category",
    "state",
    "state_reason",
    "tracker_url",
    "due_on",
    "display_at",
    "next_update_by",
];

/// Where `field`'s line goes in a summary (sort by it, then by the field).
pub fn form_rank(field: &str) -> usize {
    let base = field.split(['.', '[']).next().unwrap_or(field);
    FORM_ORDER
        .iter()
        .position(|f| *f == base)
        .unwrap_or(FORM_ORDER.len())
}

/// The label of `field` (a field path as the service names it) in the console's language.
/// `components.<id>` is named by the component's name when `components` has it. A form-wide
/// error (`form`) has no label.
pub fn field_label(tr: &Tr, field: &str, components: &[Component]) -> String {
    if field == "form" {
        return String::new();
    }
    if let Some(id) = field.strip_prefix("components.") {
        let name = components
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.name.clone())
            .unwrap_or_else(|| id.to_string());
        return tr.f("field-component", &[("name", name)]);
    }
    if let Some(rest) = field.strip_prefix("translations.") {
        let (locale, inner) = rest.split_once('.').unwrap_or((rest, ""));
        let what = if inner.is_empty() {
            tr.t("console-translations")
        } else {
            field_label(tr, inner, components)
        };
        let language = if SUPPORTED_LOCALES.contains(&locale) {
            tr.t(&format!("language-name-{locale}"))
        } else {
            locale.to_string()
        };
        return tr.f(
            "field-in-language",
            &[("field", what), ("language", language)],
        );
    }
    for prefix in ["milestones.", "fields."] {
        if let Some(inner) = field.strip_prefix(prefix) {
            return field_label(tr, inner, components);
        }
    }
    // `locales[1]`, `display_time_zones[4]`: the list's label (the message names the value).
    let base = field.split('[').next().unwrap_or(field);
    tr.t(field_key(base))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_follow_the_forms() {
        let mut fields = vec![
            "next_update_by",
            "message",
            "components.abc",
            "title",
            "zzz",
        ];
        fields.sort_by_key(|f| (form_rank(f), f.to_string()));
        assert_eq!(
            fields,
            [
                "title",
                "components.abc",
                "message",
                "next_update_by",
                "zzz"
            ]
        );
    }

    /// Every field the service can name has a label of its own (not the generic "Text").
    #[test]
    fn every_service_field_has_a_label() {
        for field in [
            "title",
            "symptom",
            "message",
            "summary",
            "root_cause",
            "resolution",
            "detail",
            "impact",
            "status",
            "state",
            "state_reason",
            "category",
            "tracker_url",
            "due_on",
            "display_at",
            "next_update_by",
            "started_at",
            "impact_started_at",
            "detected_at",
            "mitigated_at",
            "impact_ended_at",
            "scheduled_for",
            "scheduled_until",
            "components",
            "incident",
            "locale",
            "provenance",
            "fields",
            "translations",
            "name",
            "description",
            "group_id",
            "children_label",
            "position",
            "username",
            "password",
            "role",
            "url",
            "time_zone",
            "display_time_zones",
            "default_locale",
            "locales",
            "footer_markdown",
        ] {
            assert_ne!(field_key(field), "console-field-other", "{field}");
        }
    }
}
