//! Formatting shared by pages, feeds and APIs (the interface strings themselves are `crate::i18n`): localized labels of
//! statuses, dates and times across zones, and Markdown. Each lives here once.

pub mod escape;
pub mod labels;
pub mod localize;
pub mod markdown;
pub mod pages;
pub mod time;
pub mod tr;

pub use tr::Tr;
