//! Formatting shared by pages, feeds and APIs: interface strings (i18n). Time zones and
//! Markdown join here as the public site grows.

pub mod i18n;
