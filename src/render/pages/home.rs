//! The home page: the overall banner, open incidents and maintenances, the components with
//! their uptime, and the last days' incidents.

use askama::Template;
use chrono::{Duration, NaiveDate};

use super::components::{component_rows, scope, ComponentRow};
use super::history::{history_after, history_page_of};
use super::{
    banner, entry, impact_class, incident_title, labels, layout, markdown, untranslated_notice,
    window, Banner, Ctx, Layout, ListEntry,
};
use crate::domain::{Incident, IncidentKind, Indicator, TranslatableKind};
use crate::read::{self, Common, IncidentList};
use crate::render::localize::{Lang, PageTexts};

pub struct IncidentCard {
    pub href: String,
    pub title: String,
    pub title_lang: Lang,
    pub impact_class: &'static str,
    pub impact_label: String,
    pub status_label: String,
    pub scope: String,
    pub latest_html: String,
    /// The latest message's language when it is shown untranslated.
    pub latest_lang: Lang,
    pub latest_stamp: String,
    pub window: Option<Vec<String>>,
}

pub struct DayRow {
    pub date: String,
    pub entries: Vec<ListEntry>,
}

#[derive(Template)]
#[template(path = "public/home.html")]
pub struct HomePage {
    pub layout: Layout,
    pub banner: Banner,
    pub active: Vec<IncidentCard>,
    pub maintenances: Vec<IncidentCard>,
    pub components: Vec<ComponentRow>,
    pub days: Vec<DayRow>,
    /// More incidents started in these days than the page lists: where the rest are.
    pub more: Option<(String, String)>,
    /// Some incidents are shown untranslated: the notice an incident page gives.
    pub notice: Option<String>,
}

fn card(ctx: &Ctx, common: &Common, list: &IncidentList, i: &Incident) -> IncidentCard {
    let l = PageTexts::new(&list.translations, ctx.locale);
    let latest = list.updates_of(&i.id).last();
    let (title, title_lang) = incident_title(&l, i);
    let latest_message = latest.map(|u| {
        l.marked(
            TranslatableKind::Update,
            &u.id,
            "message",
            &u.message,
            &i.locale,
        )
    });
    IncidentCard {
        href: ctx.href(&format!("/incidents/{}", i.id)),
        title,
        title_lang,
        impact_class: impact_class(i.impact),
        impact_label: ctx.t(labels::impact(i.impact)),
        status_label: ctx.t(labels::incident_status(i.status)),
        scope: scope(ctx, common, &list.components_of(&i.id), false),
        latest_html: latest_message
            .as_ref()
            .map(|(message, lang)| lang.wrap(markdown::to_html(message)))
            .unwrap_or_default(),
        latest_lang: latest_message.map(|m| m.1).unwrap_or_default(),
        latest_stamp: latest.map(|u| ctx.stamp(u.display_at)).unwrap_or_default(),
        window: window(ctx, i),
    }
}

/// The last `read::RECENT_DAYS` days, newest first, with the incidents that started on each.
/// When the page lists only the newest of these days' incidents (`last`, the last listed),
/// the days past it are left to the history rather than called quiet.
fn recent_days(ctx: &Ctx, data: &read::HomeData, last: Option<&Incident>) -> Vec<DayRow> {
    let today = ctx.now.date_naive();
    let on = |day: NaiveDate| -> Vec<ListEntry> {
        data.recent
            .incidents
            .iter()
            .filter(|i| i.started_at.date_naive() == day)
            .map(|i| entry(ctx, &data.recent, i))
            .collect()
    };
    (0..read::RECENT_DAYS)
        .take_while(|n| {
            last.is_none_or(|l| today - Duration::days(*n) >= l.started_at.date_naive())
        })
        .map(|n| {
            let day = today - Duration::days(n);
            DayRow {
                date: ctx.fmt().date(day),
                entries: on(day),
            }
        })
        .collect()
}

/// The open incidents' and the maintenances' cards (maintenances by their start).
fn open_cards(ctx: &Ctx, data: &read::HomeData) -> (Vec<IncidentCard>, Vec<IncidentCard>) {
    let of_kind = |kind: IncidentKind| -> Vec<&Incident> {
        data.open
            .incidents
            .iter()
            .filter(|i| i.kind == kind)
            .collect()
    };
    let mut maintenances = of_kind(IncidentKind::Maintenance);
    maintenances.sort_by_key(|i| i.scheduled_for);
    let cards = |list: Vec<&Incident>| -> Vec<IncidentCard> {
        list.iter()
            .map(|i| card(ctx, &data.common, &data.open, i))
            .collect()
    };
    (cards(of_kind(IncidentKind::Incident)), cards(maintenances))
}

pub fn home(ctx: &Ctx, data: &read::HomeData) -> HomePage {
    let common = &data.common;
    let indicator = Indicator::of(&data.open.incidents, &common.components);
    let last = data
        .recent_more
        .then(|| data.recent.incidents.last())
        .flatten();
    let days = recent_days(ctx, data, last);
    let (active, maintenances) = open_cards(ctx, data);
    let shown: Vec<&Lang> = active
        .iter()
        .chain(&maintenances)
        .flat_map(|c| [&c.title_lang, &c.latest_lang])
        .chain(
            days.iter()
                .flat_map(|d| d.entries.iter().map(|e| &e.title_lang)),
        )
        .collect();
    HomePage {
        notice: untranslated_notice(ctx, &shown),
        layout: layout(ctx, common, None),
        banner: banner(ctx, indicator),
        active,
        maintenances,
        components: component_rows(ctx, common, &data.history),
        days,
        more: last.map(|l| {
            (
                history_after(ctx, history_page_of(ctx.now, l.started_at), &l.id),
                ctx.f(
                    "home-more-recent",
                    &[("days", read::RECENT_DAYS.to_string())],
                ),
            )
        }),
    }
}
