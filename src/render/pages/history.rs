//! The history page: `read::HISTORY_MONTHS` months of incidents and maintenances, newest
//! first, in parts of at most `read::LIST_LIMIT` incidents.

use askama::Template;
use chrono::NaiveDate;

use super::{entry, layout, untranslated_notice, urlencode, Ctx, Layout, ListEntry};
use crate::domain::Incident;
use crate::read::{self, month_start};
use crate::render::localize::Lang;

pub struct MonthView {
    pub heading: String,
    pub entries: Vec<ListEntry>,
}

#[derive(Template)]
#[template(path = "public/history.html")]
pub struct HistoryPage {
    pub layout: Layout,
    pub months: Vec<MonthView>,
    pub newer: Option<String>,
    /// On a later part of a period: back to its first part.
    pub first: Option<String>,
    /// The period has more incidents than this part lists: the next part.
    pub more: Option<String>,
    pub older: String,
    pub notice: Option<String>,
}

/// The history page holding the month of an instant (the paging rule is `read`'s).
pub(super) use crate::read::history_page_of;

/// The part of history page `page` that continues after the incident `id`.
pub(super) fn history_after(ctx: &Ctx, page: u32, id: &str) -> String {
    ctx.href(&format!("/history?page={page}&after={}", urlencode(id)))
}

/// The months of history page `page` that this part shows.
fn months(ctx: &Ctx, data: &read::HistoryData, page: u32) -> Vec<MonthView> {
    // This part of the period lists the incidents after `top` (the incident it continues
    // after) down to `bottom` (its last, when more follow). A month wholly between the two with
    // nothing listed had nothing; a month they cut through shows only if it lists something
    // here (the rest of it is on the part before or after).
    let top = data.after.as_ref().map(|i| i.started_at);
    let bottom = data
        .more
        .then(|| data.list.incidents.last().map(|i| i.started_at))
        .flatten();
    let midnight = |d: NaiveDate| d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    (0..read::HISTORY_MONTHS)
        .filter_map(|k| {
            let start = month_start(ctx.now, page * read::HISTORY_MONTHS + k);
            let next = month_start(ctx.now, (page * read::HISTORY_MONTHS + k).saturating_sub(1));
            let newest = k + page == 0;
            let in_month = |i: &&Incident| {
                i.started_at.date_naive() >= start && (newest || i.started_at.date_naive() < next)
            };
            let entries: Vec<ListEntry> = data
                .list
                .incidents
                .iter()
                .filter(in_month)
                .map(|i| entry(ctx, &data.list, i))
                .collect();
            let whole = top.is_none_or(|top| !newest && midnight(next) <= top)
                && bottom.is_none_or(|bottom| midnight(start) > bottom);
            (!entries.is_empty() || whole).then(|| MonthView {
                heading: ctx.fmt().month_year(start),
                entries,
            })
        })
        .collect()
}

pub fn history(ctx: &Ctx, data: &read::HistoryData) -> HistoryPage {
    let page = data.period.page;
    let months = months(ctx, data, page);
    let shown: Vec<&Lang> = months
        .iter()
        .flat_map(|m| m.entries.iter().map(|e| &e.title_lang))
        .collect();
    HistoryPage {
        notice: untranslated_notice(ctx, &shown),
        layout: layout(ctx, &data.common, Some(ctx.t("history-heading"))),
        months,
        newer: (page > 0).then(|| ctx.href(&format!("/history?page={}", page - 1))),
        first: data.after.as_ref().map(|_| {
            let href = match page {
                0 => ctx.href("/history"),
                n => ctx.href(&format!("/history?page={n}")),
            };
            href
        }),
        more: data
            .more
            .then(|| data.list.incidents.last())
            .flatten()
            .map(|last| history_after(ctx, page, &last.id)),
        older: ctx.href(&format!("/history?page={}", page + 1)),
    }
}
