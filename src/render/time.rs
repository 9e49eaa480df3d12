//! Dates and times for readers: in UTC and in each display zone, with the zone's real
//! abbreviation for that instant (PST in winter, PDT in summer), the locale's clock and month
//! names from the locale files, and full dates whenever the zones disagree on the date.
//! Also the Statuspage API's timestamp format.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;
use fluent_bundle::FluentArgs;

use crate::i18n::I18n;

const MONTH_KEYS: [&str; 12] = [
    "month-1", "month-2", "month-3", "month-4", "month-5", "month-6", "month-7", "month-8",
    "month-9", "month-10", "month-11", "month-12",
];

/// Formats for one reader's locale.
pub struct Formatter<'a> {
    i18n: &'a I18n,
    locale: &'a str,
}

/// Parses IANA zone names, skipping any that do not parse (they were validated on input).
pub fn zones(names: &[String]) -> Vec<Tz> {
    names.iter().filter_map(|n| n.parse().ok()).collect()
}

/// `2024-02-29T11:10:00.000Z`, or `2024-02-29T03:10:00.000-08:00` on a Pacific page: exactly
/// three fractional digits and an offset, as Statuspage clients parse.
pub fn statuspage_timestamp(at: DateTime<Utc>, zone: Tz) -> String {
    if is_utc(zone) {
        return at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
    }
    at.with_timezone(&zone)
        .format("%Y-%m-%dT%H:%M:%S%.3f%:z")
        .to_string()
}

/// Whether a zone is UTC under another name.
pub fn is_utc(zone: Tz) -> bool {
    matches!(
        zone.name(),
        "UTC" | "Etc/UTC" | "Etc/UCT" | "UCT" | "Etc/Universal" | "Universal" | "Zulu" | "Etc/Zulu"
    )
}

impl<'a> Formatter<'a> {
    pub fn new(i18n: &'a I18n, locale: &'a str) -> Formatter<'a> {
        Formatter { i18n, locale }
    }

    /// `29 février 2024`, `February 29, 2024`, `2024年2月29日`.
    pub fn date(&self, d: NaiveDate) -> String {
        let mut args = FluentArgs::new();
        args.set("day", d.day());
        args.set(
            "month",
            self.i18n.text(self.locale, MONTH_KEYS[d.month0() as usize]),
        );
        args.set("monthnum", d.month());
        args.set("year", d.year());
        self.i18n.format(self.locale, "date-full", Some(&args))
    }

    /// `février 2024`, `2024年2月`.
    pub fn month_year(&self, d: NaiveDate) -> String {
        let mut args = FluentArgs::new();
        args.set(
            "month",
            self.i18n.text(self.locale, MONTH_KEYS[d.month0() as usize]),
        );
        args.set("monthnum", d.month());
        args.set("year", d.year());
        self.i18n.format(self.locale, "month-year", Some(&args))
    }

    /// `03:10` on a 24-hour clock, `3:10 AM` on a 12-hour one.
    pub fn clock(&self, hour: u32, minute: u32) -> String {
        let mut args = FluentArgs::new();
        args.set("minute", format!("{minute:02}"));
        if self.i18n.text(self.locale, "clock-hours") == "12" {
            let h12 = match hour % 12 {
                0 => 12,
                h => h,
            };
            args.set("hour", h12.to_string());
            args.set(
                "ampm",
                self.i18n
                    .text(self.locale, if hour < 12 { "time-am" } else { "time-pm" }),
            );
        } else {
            args.set("hour", format!("{hour:02}"));
            args.set("ampm", "");
        }
        self.i18n
            .format(self.locale, "time-hm", Some(&args))
            .trim()
            .to_string()
    }

    /// An instant in UTC and every display zone: `11:10 UTC | 03:10 PST`, or with full dates on
    /// every side when the zones are not all on the same date.
    pub fn stamp(&self, at: DateTime<Utc>, display_zones: &[Tz]) -> String {
        let mut zones: Vec<Tz> = vec![Tz::UTC];
        for z in display_zones {
            if !is_utc(*z) && !zones.contains(z) {
                zones.push(*z);
            }
        }
        let locals: Vec<_> = zones.iter().map(|z| at.with_timezone(z)).collect();
        let same_date = locals
            .iter()
            .all(|l| l.date_naive() == locals[0].date_naive());
        locals
            .iter()
            .map(|local| {
                let time = format!(
                    "{} {}",
                    self.clock(local.hour(), local.minute()),
                    local.format("%Z")
                );
                if same_date {
                    time
                } else {
                    format!("{} {}", self.date(local.date_naive()), time)
                }
            })
            .collect::<Vec<_>>()
            .join(" | ")
    }

    /// A window in UTC and every display zone: `November 26, 2026, 6:00 – 8:00 AM UTC | …`,
    /// with the end's date when it falls on another day.
    pub fn range(&self, from: DateTime<Utc>, to: DateTime<Utc>, display_zones: &[Tz]) -> String {
        let mut zones: Vec<Tz> = vec![Tz::UTC];
        for z in display_zones {
            if !is_utc(*z) && !zones.contains(z) {
                zones.push(*z);
            }
        }
        zones
            .iter()
            .map(|z| {
                let (a, b) = (from.with_timezone(z), to.with_timezone(z));
                let (za, zb) = (a.format("%Z").to_string(), b.format("%Z").to_string());
                let start = self
                    .join_date_time(self.date(a.date_naive()), self.clock(a.hour(), a.minute()));
                let end_time = self.clock(b.hour(), b.minute());
                let end = if b.date_naive() == a.date_naive() {
                    end_time
                } else {
                    self.join_date_time(self.date(b.date_naive()), end_time)
                };
                if za == zb {
                    format!("{start} – {end} {za}")
                } else {
                    format!("{start} {za} – {end} {zb}")
                }
            })
            .collect::<Vec<_>>()
            .join(" | ")
    }

    /// A date and time in one zone: `29 février 2024, 11:10 UTC`.
    pub fn date_time(&self, at: DateTime<Utc>, zone: Tz) -> String {
        let local = at.with_timezone(&zone);
        let time = format!(
            "{} {}",
            self.clock(local.hour(), local.minute()),
            local.format("%Z")
        );
        self.join_date_time(self.date(local.date_naive()), time)
    }

    /// A date and a time of day as the locale joins them: `February 29, 2024, 11:10 AM`,
    /// `2024年2月29日 11:10`.
    fn join_date_time(&self, date: String, time: String) -> String {
        let mut args = FluentArgs::new();
        args.set("date", date);
        args.set("time", time);
        self.i18n.format(self.locale, "date-and-time", Some(&args))
    }

    /// Items as the locale lists them: `Pod 13, Pod 17`, `Pod 13、Pod 17`.
    pub fn list(&self, items: &[String]) -> String {
        let mut parts = items.iter();
        let Some(first) = parts.next() else {
            return String::new();
        };
        parts.fold(first.clone(), |head, tail| {
            let mut args = FluentArgs::new();
            args.set("head", head);
            args.set("tail", tail.clone());
            self.i18n.format(self.locale, "list-join", Some(&args))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn stamps_in_every_zone_with_the_right_abbreviation() {
        let i18n = I18n::load().unwrap();
        let la: Tz = "America/Los_Angeles".parse().unwrap();
        let fr = Formatter::new(&i18n, "fr");
        assert_eq!(
            fr.stamp(t("2024-02-29T11:10:00Z"), &[la]),
            "11:10 UTC | 03:10 PST"
        );
        assert_eq!(
            fr.stamp(t("2024-07-10T11:10:00Z"), &[la]),
            "11:10 UTC | 04:10 PDT"
        );
        assert_eq!(
            fr.date(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()),
            "29 février 2024"
        );
        // Different dates: full dates on both sides.
        assert_eq!(
            fr.stamp(t("2024-03-01T02:00:00Z"), &[la]),
            "1 mars 2024 02:00 UTC | 29 février 2024 18:00 PST"
        );
        let en = Formatter::new(&i18n, "en");
        assert_eq!(
            en.stamp(t("2024-02-29T17:34:00Z"), &[la]),
            "5:34 PM UTC | 9:34 AM PST"
        );
        assert_eq!(
            en.date(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()),
            "February 29, 2024"
        );
        let ja = Formatter::new(&i18n, "ja");
        assert_eq!(
            ja.date(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()),
            "2024年2月29日"
        );
        // Japanese joins a date and a time, and lists, without an English comma.
        assert_eq!(
            ja.date_time(t("2024-02-29T11:10:00Z"), Tz::UTC),
            "2024年2月29日 11:10 UTC"
        );
        assert_eq!(
            ja.list(&["Pod 13".into(), "Pod 17".into()]),
            "Pod 13、Pod 17"
        );
        assert_eq!(
            en.date_time(t("2024-02-29T11:10:00Z"), Tz::UTC),
            "February 29, 2024, 11:10 AM UTC"
        );
        assert_eq!(
            en.list(&["Pod 13".into(), "Pod 17".into()]),
            "Pod 13, Pod 17"
        );
        // UTC among the display zones is not repeated.
        assert_eq!(
            fr.stamp(t("2024-02-29T11:10:00Z"), &[Tz::UTC, la]),
            "11:10 UTC | 03:10 PST"
        );
    }

    #[test]
    fn statuspage_timestamps_have_three_digits_and_an_offset() {
        let at = t("2024-02-29T11:10:00Z");
        assert_eq!(
            statuspage_timestamp(at, Tz::UTC),
            "2024-02-29T11:10:00.000Z"
        );
        assert_eq!(
            statuspage_timestamp(at, "Etc/UTC".parse().unwrap()),
            "2024-02-29T11:10:00.000Z"
        );
        assert_eq!(
            statuspage_timestamp(at, "America/Los_Angeles".parse().unwrap()),
            "2024-02-29T03:10:00.000-08:00"
        );
    }
}
