//! What is wrong with one field of an input, said as a locale key and its arguments, so that
//! every interface can say it in its own language: the API and the command line in English
//! (`locales/en.ftl`), the console in its user's language. `crate::i18n` formats both.
//!
//! A new validation is one line: `problems.add("title", problem!("problem-empty"))`, with its
//! message under that key in every `locales/*.ftl`.

/// An argument of a problem's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    /// Shown as it is: a value that was sent (`Mars/Olympus`) or an API value (`resolved`).
    Text(String),
    /// A count or a limit (a translation may choose a plural form by it).
    Number(i64),
    /// The name of another field: English shows the name, the console its localized label.
    Field(String),
}

impl Arg {
    pub fn field(name: impl Into<String>) -> Arg {
        Arg::Field(name.into())
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Text(s)
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Text(s.to_string())
    }
}

impl From<i64> for Arg {
    fn from(n: i64) -> Arg {
        Arg::Number(n)
    }
}

impl From<usize> for Arg {
    fn from(n: usize) -> Arg {
        Arg::Number(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

/// One problem with one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A message of the locale files (`problem-…`) with its arguments.
    Keyed {
        key: &'static str,
        args: Vec<(&'static str, Arg)>,
    },
    /// A message written elsewhere (the JSON reader's), in English only. Only the API meets
    /// these: console forms are not JSON.
    Text(String),
}

impl Problem {
    pub fn new(key: &'static str) -> Problem {
        Problem::Keyed {
            key,
            args: Vec::new(),
        }
    }

    /// Adds the argument `name` (`{ $name }` in the message).
    pub fn with(mut self, name: &'static str, value: impl Into<Arg>) -> Problem {
        if let Problem::Keyed { args, .. } = &mut self {
            args.push((name, value.into()));
        }
        self
    }

    /// A message that has no locale key (a parser's own words).
    pub fn text(message: impl Into<String>) -> Problem {
        Problem::Text(message.into())
    }

    /// The locale key, if the message has one.
    pub fn key(&self) -> Option<&'static str> {
        match self {
            Problem::Keyed { key, .. } => Some(key),
            Problem::Text(_) => None,
        }
    }
}

/// The years a time or a day may have: both databases store exactly these, and feeds and
/// pages can show them.
pub const YEARS: std::ops::RangeInclusive<i32> = 1970..=9999;

/// What is wrong with a text that arrived from outside, whatever field it is: a NUL character
/// (PostgreSQL cannot store one, and no text needs it), or, in a text that reads as a time or a
/// day, a year outside [`YEARS`]. The JSON reader, the URL's query and form fields all ask this.
pub fn text_problem(text: &str) -> Option<Problem> {
    if text.contains('\0') {
        return Some(problem!("problem-nul"));
    }
    use chrono::Datelike;
    let year = text
        .parse::<chrono::DateTime<chrono::FixedOffset>>()
        .map(|t| t.year())
        .or_else(|_| text.parse::<chrono::NaiveDate>().map(|d| d.year()))
        .ok()?;
    (!YEARS.contains(&year)).then(|| problem!("problem-year"))
}

/// `problem!("problem-too-long", max = 300)`: a problem with its locale key and arguments.
macro_rules! problem {
    ($key:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::domain::Problem::new($key)$(.with(stringify!($name), $value))*
    };
}
pub(crate) use problem;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_macro_keeps_key_and_arguments_in_order() {
        let p = problem!("problem-between", min = 1_i64, max = 4_usize);
        assert_eq!(p.key(), Some("problem-between"));
        assert_eq!(
            p,
            Problem::Keyed {
                key: "problem-between",
                args: vec![("min", Arg::Number(1)), ("max", Arg::Number(4))],
            }
        );
        assert_eq!(Problem::text("x").key(), None);
    }

    #[test]
    fn texts_with_a_nul_or_a_year_out_of_range_are_refused() {
        let key = |t: &str| text_problem(t).and_then(|p| p.key());
        assert_eq!(key("a\0b"), Some("problem-nul"));
        assert_eq!(key("-9999-01-01T00:00:00Z"), Some("problem-year"));
        assert_eq!(key("+10000-01-01T00:00:00Z"), Some("problem-year"));
        assert_eq!(key("1969-12-31T23:59:59Z"), Some("problem-year"));
        assert_eq!(key("0001-01-01"), Some("problem-year"));
        assert_eq!(key("2024-03-05T12:00:00Z"), None);
        assert_eq!(key("9999-12-31"), None);
        assert_eq!(key("Database outage"), None);
    }
}
