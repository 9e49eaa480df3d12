//! The page of one component: its row (with uptime) and its incidents, 25 at a time.

use askama::Template;

use super::components::{component_name_marked, component_rows, ComponentRow};
use super::uptime::uptime;
use super::{component_look, entry, labels, layout, untranslated_notice, urlencode, Ctx};
use super::{Layout, ListEntry};
use crate::read;
use crate::render::localize::Lang;

#[derive(Template)]
#[template(path = "public/component.html")]
pub struct ComponentPage {
    pub layout: Layout,
    pub row: ComponentRow,
    pub group_name: Option<(String, String, Lang)>,
    pub incidents_heading: String,
    pub entries: Vec<ListEntry>,
    pub older: Option<String>,
    pub notice: Option<String>,
}

/// The row of a component the home page does not show (hidden while operational).
fn hidden_row(ctx: &Ctx, data: &read::ComponentData) -> ComponentRow {
    let c = &data.component;
    let (icon, class) = component_look(c.status);
    let (name, name_lang) = component_name_marked(ctx, &data.common, c);
    ComponentRow {
        id: c.id.clone(),
        name,
        name_lang,
        href: ctx.href(&format!("/components/{}", c.id)),
        description: c.description.clone(),
        description_lang: Lang::default(),
        status_label: ctx.t(labels::component_status(c.status)),
        status_class: class,
        icon,
        is_group: c.is_group,
        open: true,
        children: vec![],
        uptime: Some(uptime(ctx, &[c], &data.history)),
        details_link: String::new(),
    }
}

pub fn component(ctx: &Ctx, data: &read::ComponentData) -> ComponentPage {
    let common = &data.common;
    let rows = component_rows(ctx, common, &data.history);
    let c = &data.component;
    let row = rows
        .into_iter()
        .flat_map(|r| {
            if r.id == c.id {
                vec![r]
            } else {
                r.children.into_iter().filter(|k| k.id == c.id).collect()
            }
        })
        .next()
        .unwrap_or_else(|| hidden_row(ctx, data));
    let group_name = c
        .group_id
        .as_ref()
        .and_then(|g| common.components.iter().find(|k| &k.id == g))
        .map(|g| {
            let (name, lang) = component_name_marked(ctx, common, g);
            (ctx.href(&format!("/components/{}", g.id)), name, lang)
        });
    let entries: Vec<ListEntry> = data
        .list
        .incidents
        .iter()
        .map(|i| entry(ctx, &data.list, i))
        .collect();
    let older = (crate::domain::numbers::count(entries.len()) == read::COMPONENT_LIMIT)
        .then(|| {
            data.list.incidents.last().map(|i| {
                ctx.href(&format!(
                    "/components/{}?before={}",
                    c.id,
                    urlencode(&i.started_at.to_rfc3339())
                ))
            })
        })
        .flatten();
    let shown: Vec<&Lang> = entries.iter().map(|e| &e.title_lang).collect();
    ComponentPage {
        notice: untranslated_notice(ctx, &shown),
        layout: layout(ctx, common, Some(row.name.clone())),
        incidents_heading: ctx.f("component-incidents", &[("component", row.name.clone())]),
        row,
        group_name,
        entries,
        older,
    }
}
