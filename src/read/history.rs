//! The history's paging, computed once: which months a history page holds, and what it reads.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

use super::{bounded_list, common, Common, IncidentList, Reader, HISTORY_MONTHS, LIST_LIMIT};
use crate::domain::Incident;
use crate::error::{Error, Result};
use crate::store::{IncidentCursor, IncidentFilter};

/// The furthest back a history page goes (a hundred years of pages).
const LAST_PAGE: u32 = 1200;

/// The first day of the month `back` months before `now`'s month.
pub fn month_start(now: DateTime<Utc>, back: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(now.year(), now.month(), 1)
        .and_then(|first| first.checked_sub_months(chrono::Months::new(back)))
        .unwrap_or_default()
}

/// The history page (of `HISTORY_MONTHS` months each) holding the month of `at`.
pub fn history_page_of(now: DateTime<Utc>, at: DateTime<Utc>) -> u32 {
    let months = |t: DateTime<Utc>| i64::from(t.year()) * 12 + i64::from(t.month0());
    u32::try_from((months(now) - months(at)).max(0)).unwrap_or(u32::MAX) / HISTORY_MONTHS
}

/// The period of one history page: incidents that started in `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub page: u32,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Period {
    /// History page `page` (0, the newest, when none), seen at `now`. The newest page also
    /// holds what starts later (scheduled maintenances).
    pub fn of(now: DateTime<Utc>, page: Option<u32>) -> Period {
        let page = page.unwrap_or(0).min(LAST_PAGE);
        let midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
        let newest = page * HISTORY_MONTHS;
        let oldest = newest + HISTORY_MONTHS - 1;
        let to = if newest == 0 {
            now + Duration::days(400)
        } else {
            midnight(month_start(now, newest - 1))
        };
        Period {
            page,
            from: midnight(month_start(now, oldest)),
            to,
        }
    }
}

pub struct HistoryData {
    pub common: Common,
    pub period: Period,
    /// At most `LIST_LIMIT` incidents of the period, newest first, after `after`.
    pub list: IncidentList,
    /// The period has more incidents after the listed ones.
    pub more: bool,
    /// The incident this part of the period continues after (listed on the part before).
    pub after: Option<Incident>,
}

impl Reader {
    /// Incidents and maintenances of the period: the newest `LIST_LIMIT` after the incident
    /// `after` (all of them from the newest without it). An unknown `after` is not found.
    pub async fn history(&self, period: Period, after: Option<&str>) -> Result<HistoryData> {
        let store = self.store();
        let after = match after {
            Some(id) => Some(
                store
                    .incident(id)
                    .await?
                    .ok_or_else(|| Error::NotFound("no such history page".into()))?,
            ),
            None => None,
        };
        let filter = IncidentFilter {
            since: Some(period.from),
            before: Some(period.to),
            limit: LIST_LIMIT,
            after: after.as_ref().map(IncidentCursor::of),
            ..Default::default()
        };
        let (list, more) = bounded_list(store, &filter).await?;
        Ok(HistoryData {
            common: common(store).await?,
            period,
            list,
            more,
            after,
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
    fn pages_hold_three_months_counting_back() {
        let now = t("2024-03-05T12:00:00Z");
        let first = Period::of(now, None);
        assert_eq!(first.from, t("2024-01-01T00:00:00Z"));
        assert_eq!(first.to, now + Duration::days(400));
        let second = Period::of(now, Some(1));
        assert_eq!(
            (second.from, second.to),
            (t("2023-10-01T00:00:00Z"), t("2024-01-01T00:00:00Z"))
        );
        assert_eq!(history_page_of(now, t("2023-12-31T23:59:59Z")), 1);
        assert_eq!(history_page_of(now, t("2024-01-01T00:00:00Z")), 0);
        assert_eq!(history_page_of(now, t("2025-01-01T00:00:00Z")), 0);
        assert_eq!(Period::of(now, Some(5000)).page, LAST_PAGE);
    }
}
