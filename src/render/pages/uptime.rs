//! The uptime bar: one cell per UTC day over `read::UPTIME_DAYS` days, coloured and labelled
//! by the worst status of the day, and the weighted uptime percentage.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::{component_look, labels, Ctx};
use crate::domain::{Component, ComponentStatus, StatusChange};
use crate::read;

pub struct Uptime {
    pub percent: String,
    pub summary: String,
    /// The most frequent day's CSS class: the bar's own (`usual-<class>`), so that those
    /// days' cells need none and the page stays small (a year of good days is mostly `<li>`).
    pub usual: &'static str,
    /// CSS class of each day's cell, oldest first; empty for the usual one.
    pub cells: Vec<&'static str>,
    /// The days as text, runs of one status together.
    pub runs: Vec<String>,
    pub from_label: String,
}

/// Weighted downtime: a major outage counts in full, a partial outage at 30%.
fn downtime_weight(s: ComponentStatus) -> f64 {
    match s {
        ComponentStatus::MajorOutage => 1.0,
        ComponentStatus::PartialOutage => 0.3,
        _ => 0.0,
    }
}

fn midnight(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc()
}

/// What the status history says about the days of the window, for some components.
#[derive(Debug, Default, PartialEq)]
struct Tally {
    /// The worst status of each day with data.
    worst_by_day: BTreeMap<NaiveDate, ComponentStatus>,
    /// Seconds of downtime, weighted (`downtime_weight`).
    down_seconds: f64,
    /// Seconds the components existed in the window.
    counted_seconds: f64,
}

/// The spans of one status of `c` from `window_start` to `now`, from its changes.
fn segments(
    c: &Component,
    history: &[StatusChange],
    window_start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, DateTime<Utc>, ComponentStatus)> {
    // Creation rows (no old status) say nothing about the time before them; a back-dated
    // change may even precede them.
    let changes: Vec<&StatusChange> = history
        .iter()
        .filter(|h| h.component_id == c.id && h.at >= window_start && h.old_status.is_some())
        .collect();
    // The status at the window's start: what the first change in the window changed from.
    let mut status = changes
        .first()
        .and_then(|h| h.old_status)
        .unwrap_or(c.status);
    let mut cursor = window_start;
    let mut segments = Vec::new();
    for h in &changes {
        if h.at > cursor {
            segments.push((cursor, h.at, status));
        }
        status = h.new_status;
        cursor = cursor.max(h.at);
    }
    segments.push((cursor, now, status));
    segments
}

impl Tally {
    /// The tally of `members` over the `days` days ending today (`now`'s UTC day).
    fn of(
        members: &[&Component],
        history: &[StatusChange],
        now: DateTime<Utc>,
        days: i64,
    ) -> Tally {
        let window_start = midnight(now.date_naive() - Duration::days(days - 1));
        let mut tally = Tally::default();
        for c in members {
            let starts = c
                .start_date
                .map(midnight)
                .unwrap_or(c.created_at)
                .max(window_start);
            for (from, to, s) in segments(c, history, window_start, now) {
                tally.add(from.max(starts), to, s, now);
            }
        }
        tally
    }

    /// Counts the span `[from, to)` of status `s`.
    fn add(
        &mut self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        s: ComponentStatus,
        now: DateTime<Utc>,
    ) {
        if to <= from {
            return;
        }
        let secs = (to - from).as_seconds_f64().trunc();
        self.counted_seconds += secs;
        self.down_seconds += secs * downtime_weight(s);
        let mut day = from.date_naive();
        // The segment running now covers today, even just after midnight.
        let last = if to == now {
            to.date_naive()
        } else {
            (to - Duration::seconds(1)).date_naive()
        };
        while day <= last {
            let e = self.worst_by_day.entry(day).or_insert(s);
            if s.severity() > e.severity() {
                *e = s;
            }
            day += Duration::days(1);
        }
    }

    /// The uptime, rounded down to two decimals: "99.95 %" (100 % without data).
    fn percent(&self) -> String {
        let percent = if self.counted_seconds > 0.0 {
            100.0 * (1.0 - self.down_seconds / self.counted_seconds)
        } else {
            100.0
        };
        format!("{:.2} %", (percent * 100.0).floor() / 100.0)
    }
}

/// The most frequent class (the bar's own) and each day's cell class, empty for that one.
fn cells_of(statuses: &[Option<ComponentStatus>]) -> (&'static str, Vec<&'static str>) {
    let classes: Vec<&'static str> = statuses
        .iter()
        .map(|s| s.map(|s| component_look(s).1).unwrap_or("nodata"))
        .collect();
    let usual = [
        "ok",
        "nodata",
        "degraded",
        "partial",
        "major",
        "maintenance",
    ]
    .into_iter()
    .max_by_key(|c| classes.iter().filter(|d| *d == c).count())
    .unwrap_or("ok");
    let cells = classes
        .into_iter()
        .map(|c| if c == usual { "" } else { c })
        .collect();
    (usual, cells)
}

/// The days as text, consecutive days of the same status told once ("January 1 – January
/// 30, 2024: Operational").
fn runs_of(ctx: &Ctx, first_day: NaiveDate, statuses: &[Option<ComponentStatus>]) -> Vec<String> {
    let fmt = ctx.fmt();
    let label = |s: Option<ComponentStatus>| match s {
        Some(s) => ctx.t(labels::component_status(s)),
        None => ctx.t("uptime-no-data"),
    };
    let mut runs = Vec::new();
    let mut start = 0usize;
    for i in 1..=statuses.len() {
        if i == statuses.len() || statuses[i] != statuses[start] {
            let (from, to) = (
                first_day + Duration::days(crate::domain::numbers::count(start)),
                first_day + Duration::days(crate::domain::numbers::count(i) - 1),
            );
            runs.push(if from == to {
                ctx.f(
                    "uptime-day",
                    &[("date", fmt.date(from)), ("status", label(statuses[start]))],
                )
            } else {
                ctx.f(
                    "uptime-run",
                    &[
                        ("from", fmt.date(from)),
                        ("to", fmt.date(to)),
                        ("status", label(statuses[start])),
                    ],
                )
            });
            start = i;
        }
    }
    runs
}

/// The 90-day bar of a leaf component (or of a group, from its children) from the status
/// history: one cell per UTC day coloured and labelled by the worst status that day.
pub fn uptime(ctx: &Ctx, members: &[&Component], history: &[StatusChange]) -> Uptime {
    let days = read::UPTIME_DAYS;
    let first_day = ctx.now.date_naive() - Duration::days(days - 1);
    let tally = Tally::of(members, history, ctx.now, days);
    let statuses: Vec<Option<ComponentStatus>> = (0..days)
        .map(|i| {
            tally
                .worst_by_day
                .get(&(first_day + Duration::days(i)))
                .copied()
        })
        .collect();
    let (usual, cells) = cells_of(&statuses);
    let percent = tally.percent();
    Uptime {
        summary: ctx.f(
            "uptime-summary",
            &[("percent", percent.clone()), ("days", days.to_string())],
        ),
        percent,
        usual,
        cells,
        runs: runs_of(ctx, first_day, &statuses),
        from_label: ctx.f("uptime-days-ago", &[("days", days.to_string())]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn component(created: &str, status: ComponentStatus) -> Component {
        Component {
            id: "c".into(),
            name: "API".into(),
            description: None,
            group_id: None,
            is_group: false,
            children_label: None,
            position: 1,
            status,
            only_show_if_degraded: false,
            showcase: true,
            start_date: None,
            created_at: t(created),
            updated_at: t(created),
        }
    }

    fn change(at: &str, old: ComponentStatus, new: ComponentStatus) -> StatusChange {
        StatusChange {
            id: at.into(),
            component_id: "c".into(),
            old_status: Some(old),
            new_status: new,
            at: t(at),
            incident_id: None,
        }
    }

    use ComponentStatus::{MajorOutage, Operational, PartialOutage};

    #[test]
    fn a_quiet_component_is_up_every_day_it_existed() {
        let c = component("2024-03-01T12:00:00Z", Operational);
        let tally = Tally::of(&[&c], &[], t("2024-03-05T12:00:00Z"), 90);
        assert_eq!(tally.percent(), "100.00 %");
        assert_eq!(tally.counted_seconds, 4.0 * 86_400.0);
        // No data before its creation; every day from it, today included.
        let days: Vec<NaiveDate> = tally.worst_by_day.keys().copied().collect();
        assert_eq!(days.first(), Some(&day("2024-03-01")));
        assert_eq!(days.len(), 5);
        assert!(!tally.worst_by_day.contains_key(&day("2024-02-29")));
    }

    #[test]
    fn outages_weigh_in_full_or_at_thirty_percent() {
        let c = component("2024-03-01T00:00:00Z", Operational);
        let history = [
            change("2024-03-02T00:00:00Z", Operational, MajorOutage),
            change("2024-03-02T06:00:00Z", MajorOutage, PartialOutage),
            change("2024-03-02T16:00:00Z", PartialOutage, Operational),
        ];
        let tally = Tally::of(&[&c], &history, t("2024-03-05T00:00:00Z"), 90);
        // 6 h major + 10 h partial at 30 % = 9 h down of 96 h.
        assert_eq!(tally.counted_seconds, 96.0 * 3600.0);
        assert_eq!(tally.down_seconds, 9.0 * 3600.0);
        assert_eq!(tally.percent(), "90.62 %", "rounded down, not to nearest");
        assert_eq!(tally.worst_by_day[&day("2024-03-02")], MajorOutage);
        assert_eq!(tally.worst_by_day[&day("2024-03-01")], Operational);
        assert_eq!(tally.worst_by_day[&day("2024-03-03")], Operational);
    }

    #[test]
    fn a_change_at_midnight_belongs_to_the_day_it_starts() {
        let c = component("2024-03-01T00:00:00Z", Operational);
        let history = [
            change("2024-03-02T23:00:00Z", Operational, MajorOutage),
            change("2024-03-03T00:00:00Z", MajorOutage, Operational),
        ];
        let tally = Tally::of(&[&c], &history, t("2024-03-04T00:00:01Z"), 90);
        assert_eq!(tally.worst_by_day[&day("2024-03-02")], MajorOutage);
        assert_eq!(tally.worst_by_day[&day("2024-03-03")], Operational);
        // The span running now covers today, a second after midnight.
        assert_eq!(tally.worst_by_day[&day("2024-03-04")], Operational);
    }

    #[test]
    fn the_window_starts_at_midnight_days_ago_in_the_status_then() {
        let c = component("2023-01-01T00:00:00Z", Operational);
        // Before the window: left out. The first change in the window changed from a major
        // outage: the window starts so.
        let history = [
            change("2024-03-01T00:00:00Z", Operational, MajorOutage),
            change("2024-03-03T06:00:00Z", MajorOutage, Operational),
        ];
        let tally = Tally::of(&[&c], &history, t("2024-03-05T12:00:00Z"), 3);
        assert_eq!(tally.worst_by_day.len(), 3);
        assert_eq!(tally.worst_by_day[&day("2024-03-03")], MajorOutage);
        assert_eq!(tally.worst_by_day[&day("2024-03-04")], Operational);
        assert_eq!(tally.counted_seconds, 60.0 * 3600.0);
        assert_eq!(tally.down_seconds, 6.0 * 3600.0);
        assert_eq!(tally.percent(), "90.00 %");
    }

    #[test]
    fn no_data_is_no_downtime() {
        let c = component("2024-03-06T00:00:00Z", MajorOutage);
        let tally = Tally::of(&[&c], &[], t("2024-03-05T12:00:00Z"), 90);
        assert!(tally.worst_by_day.is_empty());
        assert_eq!(tally.percent(), "100.00 %");
        let statuses = vec![None, None, Some(Operational)];
        assert_eq!(cells_of(&statuses), ("nodata", vec!["", "", "ok"]));
    }

    #[test]
    fn a_group_counts_every_member() {
        let a = component("2024-03-04T00:00:00Z", Operational);
        let mut b = component("2024-03-04T00:00:00Z", MajorOutage);
        b.id = "b".into();
        let tally = Tally::of(&[&a, &b], &[], t("2024-03-05T00:00:00Z"), 90);
        assert_eq!(tally.percent(), "50.00 %");
        assert_eq!(tally.worst_by_day[&day("2024-03-04")], MajorOutage);
    }
}
