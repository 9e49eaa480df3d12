//! Pure types and rules: statuses, impacts, roll-up, milestones and durations, and the problems
//! validation finds. No I/O here.

mod enums;
mod localize;
mod milestones;
pub mod numbers;
mod problems;
mod records;
mod vocabulary;

pub use enums::*;
pub use localize::*;
pub use milestones::*;
pub use problems::*;
pub use records::*;
pub use vocabulary::*;

/// Locales the interface is written in (one `locales/<tag>.ftl` each).
pub const SUPPORTED_LOCALES: &[&str] = &["en", "fr", "de", "es", "pt-BR", "ja"];

/// The longest text accepted in a Markdown body (update message, root cause, ...).
pub const MAX_BODY_CHARS: usize = 20_000;
/// The longest text accepted in a one-line field (title, name, symptom, ...).
pub const MAX_LINE_CHARS: usize = 300;

pub fn is_supported_locale(tag: &str) -> bool {
    SUPPORTED_LOCALES.contains(&tag)
}
