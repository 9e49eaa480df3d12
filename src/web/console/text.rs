//! The console's words and the layout every screen shares: localized texts (`Tr`), select
//! options, the language links and the chrome around each page.

use std::sync::Arc;

use axum::http::HeaderMap;

use crate::domain::{Problem, Role, SUPPORTED_LOCALES};
use crate::i18n::I18n;
pub use crate::render::pages::LangLink;
pub use crate::web::lang::cookie;
use crate::web::lang::{visitor_locale, LANG_COOKIE};

pub use crate::render::Tr;

/// The console's side of `Tr`: its language, problems and language names.
impl Tr {
    /// The texts of `headers`' console language.
    pub fn of(i18n: &Arc<I18n>, headers: &HeaderMap) -> Tr {
        Tr::new(i18n, &console_locale(headers))
    }

    /// A validation problem in the console's language; fields it names are given their labels.
    pub fn problem(&self, problem: &Problem) -> String {
        self.i18n.problem(&self.locale, problem, &|field| {
            super::fields::field_label(self, field, &[])
        })
    }

    /// A language's name, in the console's language.
    pub fn language(&self, tag: &str) -> String {
        self.t(&format!("language-name-{tag}"))
    }
}

/// A select option.
pub struct Opt {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Opt {
    pub fn list<T: Copy + PartialEq>(
        all: &[T],
        value: impl Fn(T) -> &'static str,
        label: impl Fn(T) -> String,
        current: &str,
    ) -> Vec<Opt> {
        all.iter()
            .map(|v| Opt {
                value: value(*v).to_string(),
                label: label(*v),
                selected: value(*v) == current,
            })
            .collect()
    }

    /// Languages by their names, `current` selected.
    pub fn languages<'a>(
        tr: &Tr,
        tags: impl IntoIterator<Item = &'a str>,
        current: &str,
    ) -> Vec<Opt> {
        tags.into_iter()
            .map(|tag| Opt {
                value: tag.to_string(),
                label: tr.language(tag),
                selected: tag == current,
            })
            .collect()
    }
}

/// The layout every console page shares (templates/console/base.html).
pub struct Chrome {
    pub tr: Tr,
    pub title: String,
    pub css_href: String,
    pub icon_href: String,
    /// The signed-in user's name and role label, if any.
    pub user: Option<(String, String)>,
    pub csrf: String,
    pub flash: String,
    pub is_admin: bool,
    pub can_respond: bool,
    pub languages: Vec<LangLink>,
}

/// The console's language: the visitor's language cookie, else Accept-Language.
pub fn console_locale(headers: &HeaderMap) -> String {
    cookie(headers, LANG_COOKIE)
        .filter(|l| SUPPORTED_LOCALES.contains(l))
        .map(str::to_string)
        .unwrap_or_else(|| visitor_locale(headers, "en"))
}

pub fn role_key(role: Role) -> &'static str {
    match role {
        Role::Admin => "console-role-admin",
        Role::Responder => "console-role-responder",
        Role::Translator => "console-role-translator",
    }
}

/// The roles, for a select, `current` selected (users and tokens).
pub fn role_options(tr: &Tr, current: &str) -> Vec<Opt> {
    Opt::list(Role::ALL, |r| r.as_str(), |r| tr.t(role_key(r)), current)
}
