//! The one way templates ask for interface strings: `{{ tr.t("key") }}` for a plain string
//! (public pages reach it as `layout.tr`). A string with arguments (a count, a date, a name) is
//! formatted in Rust with `Tr::f` (or `pages::Ctx::f`) and handed to the template as a field.

use std::sync::Arc;

use fluent_bundle::FluentArgs;

use crate::i18n::I18n;

/// Localized interface strings in one locale, for templates and the code that builds them.
#[derive(Clone)]
pub struct Tr {
    pub(crate) i18n: Arc<I18n>,
    pub locale: String,
}

impl Tr {
    pub fn new(i18n: &Arc<I18n>, locale: &str) -> Tr {
        Tr {
            i18n: i18n.clone(),
            locale: locale.to_string(),
        }
    }

    /// A plain (argument-free) string.
    pub fn t(&self, key: &str) -> String {
        self.i18n.text(&self.locale, key)
    }

    /// A string with arguments.
    pub fn f(&self, key: &str, args: &[(&str, String)]) -> String {
        let mut fa = FluentArgs::new();
        for (k, v) in args {
            fa.set(*k, v.clone());
        }
        self.i18n.format(&self.locale, key, Some(&fa))
    }
}
