//! Submitted forms: the name/value pairs, reading typed values out of them (times, days,
//! choices), and the errors found, each in the console's language next to its field.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Timelike, Utc};

use super::fields;
use super::text::Tr;
use crate::domain::{Component, YEARS};
use crate::error::Error;

/// A submitted form, as name/value pairs in order.
#[derive(Default, Clone)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    pub fn opt(&self, name: &str) -> Option<String> {
        let v = self.get(name).trim();
        (!v.is_empty()).then(|| v.to_string())
    }

    /// Whether a checkbox is ticked.
    pub fn checked(&self, name: &str) -> bool {
        !self.get(name).is_empty()
    }

    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        let value = value.into();
        match self.0.iter_mut().find(|(k, _)| k == name) {
            Some(pair) => pair.1 = value,
            None => self.0.push((name.to_string(), value)),
        }
    }

    /// Pairs whose name starts with `prefix`, with the prefix removed.
    pub fn with_prefix<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> {
        self.0
            .iter()
            .filter_map(move |(k, v)| k.strip_prefix(prefix).map(|rest| (rest, v.as_str())))
    }

    /// Every value of a repeated field (checkboxes).
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> {
        self.0
            .iter()
            .filter(move |(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Field errors in the console's language: each message next to its field, and each line
/// (the field's label, then the message) in a summary at the top of the form.
#[derive(Default)]
pub struct Errs(pub(super) BTreeMap<String, FieldError>);

pub struct FieldError {
    /// Shown next to the field.
    pub message: String,
    /// The summary's line: the field's label and the message ("Title: must not be empty", as
    /// the language writes it), or the message alone for an error of the whole form.
    pub line: String,
}

impl Errs {
    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    /// The message of `field`, shown next to it.
    pub fn msg(&self, field: &str) -> String {
        self.0
            .get(field)
            .map(|e| e.message.clone())
            .unwrap_or_default()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The summary's lines, one per field, in the order forms show their fields.
    pub fn lines(&self) -> Vec<String> {
        let mut all: Vec<(&String, &FieldError)> = self.0.iter().collect();
        all.sort_by_key(|(field, _)| fields::form_rank(field));
        all.into_iter().map(|(_, e)| e.line.clone()).collect()
    }

    /// A problem the console found itself (a value it could not read), already in words.
    pub fn add(&mut self, tr: &Tr, field: &str, message: impl Into<String>) {
        self.0.insert(
            field.to_string(),
            FieldError::new(tr, field, message.into(), &[]),
        );
    }

    /// A required text field left empty, named in the message by its label.
    pub fn require(&mut self, tr: &Tr, form: &Fields, name: &str, label_key: &str) {
        if form.get(name).trim().is_empty() {
            self.add(
                tr,
                name,
                tr.f("console-error-required", &[("field", tr.t(label_key))]),
            );
        }
    }

    /// The errors of a rejected request, by field, in the console's language; other errors
    /// under `form`.
    pub fn from_error(e: &Error, tr: &Tr) -> Errs {
        match e {
            Error::Invalid(problems) => Errs(
                problems
                    .iter()
                    .map(|(field, problem)| {
                        let message = tr.problem(problem);
                        (field.clone(), FieldError::new(tr, field, message, &[]))
                    })
                    .collect(),
            ),
            other => {
                let mut errs = Errs::default();
                errs.add(tr, "form", other.public_message());
                errs
            }
        }
    }

    /// The same errors under the form's field names: `rename` maps the service's name of a
    /// field to the form's (the first error of a field is kept).
    pub fn renamed(self, tr: &Tr, rename: impl Fn(&str) -> &str) -> Errs {
        let mut out = Errs::default();
        for (field, e) in self.0 {
            let field = rename(&field).to_string();
            if !out.has(&field) {
                out.add(tr, &field, e.message);
            }
        }
        out
    }

    /// Names the components of `components.<id>` errors by their names (the form shows names).
    pub fn name_components(&mut self, tr: &Tr, components: &[Component]) {
        for (field, e) in self.0.iter_mut() {
            if field.starts_with("components.") {
                *e = FieldError::new(tr, field, std::mem::take(&mut e.message), components);
            }
        }
    }
}

impl FieldError {
    fn new(tr: &Tr, field: &str, message: String, components: &[Component]) -> FieldError {
        let label = fields::field_label(tr, field, components);
        let line = if label.is_empty() {
            message.clone()
        } else {
            tr.f(
                "console-error-line",
                &[("field", label), ("message", message.clone())],
            )
        };
        FieldError { message, line }
    }
}

/// Reads typed values out of a form, noting in `errs` each one it cannot read.
pub struct Reader<'a> {
    pub form: &'a Fields,
    pub tr: &'a Tr,
    pub errs: Errs,
}

impl<'a> Reader<'a> {
    pub fn new(form: &'a Fields, tr: &'a Tr) -> Reader<'a> {
        Reader {
            form,
            tr,
            errs: Errs::default(),
        }
    }

    /// One of an enum's values; anything else is an error.
    pub fn choice<T: std::str::FromStr>(&mut self, name: &str) -> Option<T> {
        let parsed = self.form.get(name).parse::<T>().ok();
        if parsed.is_none() {
            self.errs
                .add(self.tr, name, self.tr.t("console-error-choice"));
        }
        parsed
    }

    /// A time typed into a form, or None when empty; a time that cannot be read is an error.
    pub fn time(&mut self, name: &str) -> Option<DateTime<Utc>> {
        self.typed(name, read_time, "console-error-time", |t| t.year())
    }

    /// A day typed into a form: `YYYY-MM-DD` (as `<input type="date">` sends it); empty is none.
    pub fn date(&mut self, name: &str) -> Option<NaiveDate> {
        let read = |raw: &str| NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok();
        self.typed(name, read, "console-error-date", |d| d.year())
    }

    /// A value typed as text: empty is none; one that cannot be read, or outside the years
    /// Herald takes, is an error.
    fn typed<T: Copy>(
        &mut self,
        name: &str,
        read: impl Fn(&str) -> Option<T>,
        unreadable: &str,
        year: impl Fn(T) -> i32,
    ) -> Option<T> {
        let raw = self.form.get(name).trim();
        if raw.is_empty() {
            return None;
        }
        let parsed = read(raw);
        match parsed {
            None => self.errs.add(self.tr, name, self.tr.t(unreadable)),
            Some(v) if !YEARS.contains(&year(v)) => {
                self.errs.add(self.tr, name, self.tr.t("problem-year"));
                return None;
            }
            Some(_) => {}
        }
        parsed
    }

    /// The values read, or the errors found reading them.
    pub fn finish<T>(self, value: Option<T>) -> Result<T, Errs> {
        match value {
            Some(v) if self.errs.is_empty() => Ok(v),
            _ => Err(self.errs),
        }
    }
}

/// A time as typed: `YYYY-MM-DDTHH:MM` (UTC, as `datetime-local` sends it) or RFC 3339.
pub fn read_time(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
                .iter()
                .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())
                .map(|n| n.and_utc())
        })
}

/// Makes a time field fit to be shown again in a `datetime-local` input, which only takes
/// `YYYY-MM-DDTHH:MM[:SS]`: a time typed otherwise is rewritten so; one that cannot be read is
/// left out (as browsers would; the error next to the field says what to type).
pub fn local_time_field(form: &mut Fields, name: &str) {
    if form.get(name).is_empty() {
        return;
    }
    let shown = read_time(form.get(name))
        .map(|t| {
            let format = if t.second() == 0 {
                "%Y-%m-%dT%H:%M"
            } else {
                "%Y-%m-%dT%H:%M:%S"
            };
            t.format(format).to_string()
        })
        .unwrap_or_default();
    form.set(name, shown);
}
