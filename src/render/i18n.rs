//! The interface strings, for the pages: the catalogue itself is `crate::i18n` (the service
//! uses it too). Kept under this path for its callers.

pub use crate::i18n::*;
