//! Component rows (with their uptime bars) and the scope of an incident in words.

use super::uptime::{uptime, Uptime};
use super::{component_look, labels, Ctx};
use crate::domain::{
    children_of, shown_status, Component, ComponentStatus, StatusChange, TranslatableKind,
};
use crate::read::Common;
use crate::render::localize::{Lang, PageTexts};

pub struct ComponentRow {
    pub id: String,
    pub name: String,
    pub name_lang: Lang,
    pub href: String,
    pub description: Option<String>,
    pub description_lang: Lang,
    pub status_label: String,
    pub status_class: &'static str,
    pub icon: &'static str,
    pub is_group: bool,
    pub open: bool,
    pub children: Vec<ComponentRow>,
    pub uptime: Option<Uptime>,
    pub details_link: String,
}

pub(super) fn component_name(ctx: &Ctx, common: &Common, c: &Component) -> String {
    component_name_marked(ctx, common, c).0
}

pub(super) fn component_name_marked(ctx: &Ctx, common: &Common, c: &Component) -> (String, Lang) {
    PageTexts::new(&common.component_translations, ctx.locale).marked(
        TranslatableKind::Component,
        &c.id,
        "name",
        &c.name,
        &common.page.default_locale,
    )
}

/// One component's row, with its (visible) children's rows.
fn row(
    ctx: &Ctx,
    common: &Common,
    history: &[StatusChange],
    c: &Component,
    children: Vec<ComponentRow>,
) -> ComponentRow {
    let all = &common.components;
    let status = shown_status(c, all);
    let (icon, class) = component_look(status);
    let members: Vec<&Component> = if c.is_group {
        children_of(all, &c.id).collect()
    } else {
        vec![c]
    };
    let l = PageTexts::new(&common.component_translations, ctx.locale);
    let (name, name_lang) = component_name_marked(ctx, common, c);
    let (description, description_lang) = match l.marked_opt(
        TranslatableKind::Component,
        &c.id,
        "description",
        c.description.as_deref(),
        &common.page.default_locale,
    ) {
        Some((d, lang)) => (Some(d), lang),
        None => (None, Lang::default()),
    };
    ComponentRow {
        id: c.id.clone(),
        name,
        name_lang,
        href: ctx.href(&format!("/components/{}", c.id)),
        description,
        description_lang,
        status_label: ctx.t(labels::component_status(status)),
        status_class: class,
        icon,
        is_group: c.is_group,
        open: status != ComponentStatus::Operational,
        children,
        uptime: (c.showcase && !members.is_empty()).then(|| uptime(ctx, &members, history)),
        details_link: ctx.f(
            "component-details",
            &[("component", component_name(ctx, common, c))],
        ),
    }
}

pub fn component_rows(ctx: &Ctx, common: &Common, history: &[StatusChange]) -> Vec<ComponentRow> {
    let all = &common.components;
    let visible = |c: &&Component| {
        !c.only_show_if_degraded || shown_status(c, all) != ComponentStatus::Operational
    };
    all.iter()
        .filter(|c| c.group_id.is_none())
        .filter(visible)
        .map(|c| {
            let children = children_of(all, &c.id)
                .filter(visible)
                .map(|k| row(ctx, common, history, k, Vec::new()))
                .collect();
            row(ctx, common, history, c, children)
        })
        .collect()
}

/// Scope of an incident: "Sell — all Pods", "Sell — Pod 13, Pod 17", "Public API".
/// `summary` selects the phrasing used inside the summary sentence.
pub fn scope(ctx: &Ctx, common: &Common, affected: &[String], summary: bool) -> String {
    let all = &common.components;
    let mut parts: Vec<String> = Vec::new();
    let mut seen_groups: Vec<&str> = Vec::new();
    for id in affected {
        let Some(c) = all.iter().find(|c| &c.id == id) else {
            continue;
        };
        match c
            .group_id
            .as_deref()
            .and_then(|g| all.iter().find(|k| k.id == g))
        {
            Some(group) => {
                if seen_groups.contains(&group.id.as_str()) {
                    continue;
                }
                seen_groups.push(&group.id);
                parts.push(group_scope(ctx, common, group, affected, summary));
            }
            None => parts.push(component_name(ctx, common, c)),
        }
    }
    if parts.is_empty() && summary {
        return ctx.t("summary-no-scope");
    }
    parts.join("; ")
}

/// The part of a scope naming the affected children of `group`.
fn group_scope(
    ctx: &Ctx,
    common: &Common,
    group: &Component,
    affected: &[String],
    summary: bool,
) -> String {
    let children: Vec<&Component> = children_of(&common.components, &group.id).collect();
    let hit: Vec<&&Component> = children
        .iter()
        .filter(|k| affected.contains(&k.id))
        .collect();
    let group_name = component_name(ctx, common, group);
    let label = PageTexts::new(&common.component_translations, ctx.locale).opt(
        TranslatableKind::Component,
        &group.id,
        "children_label",
        group.children_label.as_deref(),
        &common.page.default_locale,
    );
    if hit.len() == children.len() {
        return match (label, summary) {
            (Some(l), false) => ctx.f("scope-all", &[("group", group_name), ("children", l)]),
            (Some(l), true) => ctx.f(
                "summary-scope-all",
                &[("group", group_name), ("children", l)],
            ),
            (None, false) => ctx.f("scope-all-components", &[("group", group_name)]),
            (None, true) => ctx.f("summary-scope-all-components", &[("group", group_name)]),
        };
    }
    let names: Vec<String> = hit.iter().map(|k| component_name(ctx, common, k)).collect();
    let key = if summary {
        "summary-scope-some"
    } else {
        "scope-some"
    };
    ctx.f(
        key,
        &[("group", group_name), ("children", ctx.fmt().list(&names))],
    )
}
