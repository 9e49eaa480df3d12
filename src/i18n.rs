//! Interface strings from `locales/<tag>.ftl` (Fluent), embedded in the binary. English is the
//! reference: every locale has exactly its keys (a test checks), and a missing message falls
//! back to English rather than to a blank.
//!
//! Not part of `render`: the service writes localized texts too (a maintenance's default
//! messages, in each of its languages), and the API and the command line say problems in
//! English.

use std::collections::HashMap;
use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource};
use unic_langid::LanguageIdentifier;

use crate::domain::{Arg, IncidentStatus, Problem};

/// (tag, file contents) for every interface language: `SUPPORTED_LOCALES`, in its order (a
/// test checks).
pub const LOCALE_FILES: &[(&str, &str)] = &[
    ("en", include_str!("../locales/en.ftl")),
    ("fr", include_str!("../locales/fr.ftl")),
    ("de", include_str!("../locales/de.ftl")),
    ("es", include_str!("../locales/es.ftl")),
    ("pt-BR", include_str!("../locales/pt-BR.ftl")),
    ("ja", include_str!("../locales/ja.ftl")),
];

pub const FALLBACK: &str = "en";

pub struct I18n {
    bundles: HashMap<String, FluentBundle<FluentResource>>,
}

impl I18n {
    pub fn load() -> anyhow::Result<I18n> {
        let mut bundles = HashMap::new();
        for (tag, source) in LOCALE_FILES {
            let resource = FluentResource::try_new(source.to_string())
                .map_err(|(_, errors)| anyhow::anyhow!("locales/{tag}.ftl: {errors:?}"))?;
            let langid: LanguageIdentifier = tag.parse()?;
            let mut bundle = FluentBundle::new_concurrent(vec![langid]);
            bundle.set_use_isolating(false);
            bundle
                .add_resource(resource)
                .map_err(|errors| anyhow::anyhow!("locales/{tag}.ftl: {errors:?}"))?;
            bundles.insert(tag.to_string(), bundle);
        }
        Ok(I18n { bundles })
    }

    /// Whether `locale` itself (not a fallback) defines `key` with a value.
    pub fn has(&self, locale: &str, key: &str) -> bool {
        self.bundles
            .get(locale)
            .and_then(|b| b.get_message(key))
            .and_then(|m| m.value())
            .is_some()
    }

    /// The message `key` in `locale`, else in English, else the key itself.
    pub fn text(&self, locale: &str, key: &str) -> String {
        self.format(locale, key, None)
    }

    pub fn format(&self, locale: &str, key: &str, args: Option<&FluentArgs>) -> String {
        for tag in [locale, FALLBACK] {
            let Some(bundle) = self.bundles.get(tag) else {
                continue;
            };
            let Some(pattern) = bundle.get_message(key).and_then(|m| m.value()) else {
                continue;
            };
            let mut errors = vec![];
            let text = bundle.format_pattern(pattern, args, &mut errors);
            if errors.is_empty() {
                return text.into_owned();
            }
            tracing::warn!(locale = tag, key, ?errors, "message formatting failed");
        }
        key.to_string()
    }

    /// A validation problem in `locale`. Another field named in the message is shown by
    /// `label` (the console's localized label; the API's English keeps the field's name).
    pub fn problem(
        &self,
        locale: &str,
        problem: &Problem,
        label: &dyn Fn(&str) -> String,
    ) -> String {
        let (key, args) = match problem {
            Problem::Keyed { key, args } => (key, args),
            Problem::Text(text) => return text.clone(),
        };
        let mut fa = FluentArgs::new();
        for (name, arg) in args {
            match arg {
                Arg::Text(text) => fa.set(*name, text.clone()),
                Arg::Number(n) => fa.set(*name, *n),
                Arg::Field(field) => fa.set(*name, label(field)),
            }
        }
        self.format(locale, key, Some(&fa))
    }
}

/// English, loaded once: a `Problem` has no `I18n` at hand when it is displayed (in logs,
/// the command line, `Error`'s text), and its English is fixed at build time.
static SHARED: LazyLock<I18n> =
    LazyLock::new(|| I18n::load().expect("the embedded locale files parse (a test checks)"));

/// A problem displays in English, as the API and the command line say it: from `en.ftl`, with
/// other fields by their names.
impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&SHARED.problem(FALLBACK, self, &|field| field.to_string()))
    }
}

/// The key of the short default message offered for a status (docs/statuspage-api-v2.md); a message the service writes.
pub fn default_message_key(status: IncidentStatus) -> &'static str {
    match status {
        IncidentStatus::Investigating => "default-message-investigating",
        IncidentStatus::Identified => "default-message-identified",
        IncidentStatus::Monitoring => "default-message-monitoring",
        IncidentStatus::Resolved => "default-message-resolved",
        IncidentStatus::Scheduled => "default-message-scheduled",
        IncidentStatus::InProgress => "default-message-in_progress",
        IncidentStatus::Verifying => "default-message-verifying",
        IncidentStatus::Completed => "default-message-completed",
    }
}

/// Message ids defined in a Fluent source, in order; for the completeness test.
pub fn message_ids(source: &str) -> Vec<String> {
    let resource = match FluentResource::try_new(source.to_string()) {
        Ok(r) => r,
        Err((r, _)) => r,
    };
    resource
        .entries()
        .filter_map(|entry| match entry {
            fluent_syntax::ast::Entry::Message(m) => Some(m.id.name.to_string()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_locale_files_are_the_supported_locales() {
        let tags: Vec<&str> = super::LOCALE_FILES.iter().map(|(tag, _)| *tag).collect();
        assert_eq!(tags, crate::domain::SUPPORTED_LOCALES);
    }
}
