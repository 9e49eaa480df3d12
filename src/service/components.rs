//! Components and groups: create, rename, move, reorder, set status by hand.

use chrono::NaiveDate;

use super::{
    double_option, new_id, problem, to_json, trimmed, with_retry, yes, Actor, Component,
    ComponentStatus, DateTime, Deserialize, Error, Op, OpResult, Problems, Result, Service,
    StatusChange, Utc, MAX_BODY_CHARS, MAX_LINE_CHARS,
};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewComponent {
    pub name: String,
    pub description: Option<String>,
    /// True to create a group (a component with children).
    #[serde(default)]
    pub group: bool,
    /// For a group: what its children are called ("Pods").
    pub children_label: Option<String>,
    pub group_id: Option<String>,
    pub position: Option<i64>,
    pub status: Option<ComponentStatus>,
    #[serde(default)]
    pub only_show_if_degraded: bool,
    #[serde(default = "yes")]
    pub showcase: bool,
    pub start_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComponentPatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub group_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub children_label: Option<Option<String>>,
    pub position: Option<i64>,
    pub status: Option<ComponentStatus>,
    pub only_show_if_degraded: Option<bool>,
    pub showcase: Option<bool>,
    #[serde(default, deserialize_with = "double_option")]
    pub start_date: Option<Option<NaiveDate>>,
}

/// The other components of `component`'s group (or of the top level), in order.
fn siblings(all: &[Component], component: &Component) -> Vec<Component> {
    let mut siblings: Vec<Component> = all
        .iter()
        .filter(|c| c.group_id == component.group_id && c.id != component.id)
        .cloned()
        .collect();
    siblings.sort_by_key(|c| c.position);
    siblings
}

/// Where `component` ends up among its new siblings, and the position changes that follow.
fn place(
    all: &[Component],
    component: &Component,
    requested: Option<i64>,
    problems: &mut Problems,
) -> Vec<Component> {
    let mut siblings = siblings(all, component);
    let max = crate::domain::numbers::count(siblings.len()) + 1;
    let position = match requested {
        Some(p) if p < 1 || p > max => {
            problems.add(
                "position",
                problem!("problem-between", min = 1_i64, max = max),
            );
            max
        }
        Some(p) => p,
        None if all
            .iter()
            .any(|c| c.id == component.id && c.group_id == component.group_id) =>
        {
            component.position.clamp(1, max)
        }
        None => max,
    };
    let mut placed = component.clone();
    placed.position = position;
    siblings.insert(crate::domain::numbers::length(position - 1), placed);
    for (i, c) in siblings.iter_mut().enumerate() {
        c.position = crate::domain::numbers::count(i) + 1;
    }
    siblings
}

/// Old siblings close the gap a moved component leaves.
fn close_gap(all: &[Component], moved: &Component) -> Vec<Component> {
    let mut rest = siblings(all, moved);
    for (i, c) in rest.iter_mut().enumerate() {
        c.position = crate::domain::numbers::count(i) + 1;
    }
    rest
}

fn check_group(
    all: &[Component],
    group_id: &Option<String>,
    is_group: bool,
    problems: &mut Problems,
) {
    if let Some(gid) = group_id {
        match all.iter().find(|c| &c.id == gid) {
            None => problems.add("group_id", problem!("problem-no-such-group")),
            Some(g) if !g.is_group => problems.add("group_id", problem!("problem-not-a-group")),
            Some(_) if is_group => problems.add("group_id", problem!("problem-nested-group")),
            Some(_) => {}
        }
    }
}

/// A component's status set by hand or by an incident, appended to its history.
pub(crate) fn status_op(
    component_id: &str,
    (old_status, new_status): (Option<ComponentStatus>, ComponentStatus),
    at: DateTime<Utc>,
    incident_id: Option<&str>,
) -> Op {
    Op::SetComponentStatus {
        change: StatusChange {
            id: new_id(),
            component_id: component_id.to_string(),
            old_status,
            new_status,
            at,
            incident_id: incident_id.map(str::to_string),
        },
    }
}

/// A sibling that moves to close or open a gap.
fn moved_sibling(c: Component, old: &Component, now: DateTime<Utc>) -> Op {
    Op::UpdateComponent {
        component: Component {
            updated_at: now,
            ..c
        },
        expected_updated_at: old.updated_at,
    }
}

/// Checks a new component's input.
fn check_new(all: &[Component], input: &NewComponent, problems: &mut Problems) {
    problems.text("name", &input.name, MAX_LINE_CHARS);
    problems.opt_text("description", input.description.as_deref(), MAX_BODY_CHARS);
    check_group(all, &input.group_id, input.group, problems);
    problems.opt_text("children_label", input.children_label.as_deref(), 60);
    if !input.group && input.children_label.is_some() {
        problems.add("children_label", problem!("problem-children-label"));
    }
    if input.group && input.status.is_some() {
        problems.add("status", problem!("problem-group-status"));
    }
}

/// The new component, before it is placed among its siblings.
fn new_component(input: &NewComponent, now: DateTime<Utc>) -> Component {
    Component {
        id: new_id(),
        name: input.name.trim().to_string(),
        description: trimmed(input.description.as_deref()),
        group_id: input.group_id.clone(),
        is_group: input.group,
        children_label: trimmed(input.children_label.as_deref()),
        position: 0,
        status: input.status.unwrap_or(ComponentStatus::Operational),
        only_show_if_degraded: input.only_show_if_degraded,
        showcase: input.showcase,
        start_date: input.start_date,
        created_at: now,
        updated_at: now,
    }
}

/// `before` with the patch applied (all but status and position), its problems noted.
fn patched(
    all: &[Component],
    before: &Component,
    patch: &ComponentPatch,
    problems: &mut Problems,
) -> Component {
    let mut next = before.clone();
    if let Some(name) = &patch.name {
        problems.text("name", name, MAX_LINE_CHARS);
        next.name = name.trim().to_string();
    }
    if let Some(d) = &patch.description {
        problems.opt_text("description", d.as_deref(), MAX_BODY_CHARS);
        next.description = trimmed(d.as_deref());
    }
    if let Some(g) = &patch.group_id {
        check_group(all, g, before.is_group, problems);
        if g.as_deref() == Some(before.id.as_str()) {
            problems.add("group_id", problem!("problem-own-group"));
        }
        next.group_id = g.clone();
    }
    if let Some(label) = &patch.children_label {
        problems.opt_text("children_label", label.as_deref(), 60);
        if !before.is_group && label.is_some() {
            problems.add("children_label", problem!("problem-children-label"));
        }
        next.children_label = trimmed(label.as_deref());
    }
    if let Some(v) = patch.only_show_if_degraded {
        next.only_show_if_degraded = v;
    }
    if let Some(v) = patch.showcase {
        next.showcase = v;
    }
    if let Some(d) = patch.start_date {
        next.start_date = d;
    }
    if patch.status.is_some() && before.is_group {
        problems.add("status", problem!("problem-group-status"));
    }
    next
}

impl Service {
    pub async fn component(&self, id: &str) -> Result<Component> {
        self.store
            .component(id)
            .await?
            .ok_or_else(|| Error::not_found("component", id))
    }

    pub async fn create_component(&self, actor: &Actor, input: NewComponent) -> Result<Component> {
        actor.require_responder()?;
        let id = with_retry(|| self.try_create_component(actor, &input)).await?;
        self.component(&id).await
    }

    async fn try_create_component(&self, actor: &Actor, input: &NewComponent) -> OpResult<String> {
        let now = self.now();
        let all = self.store.components().await?;
        let mut problems = Problems::new();
        check_new(&all, input, &mut problems);
        let component = new_component(input, now);
        let placed = place(&all, &component, input.position, &mut problems);
        problems.check()?;
        let mut ops = Vec::new();
        let mut created = component.clone();
        for c in placed {
            if c.id == component.id {
                created = c.clone();
                ops.push(Op::InsertComponent(c));
            } else if let Some(old) = all
                .iter()
                .find(|o| o.id == c.id && o.position != c.position)
            {
                ops.push(moved_sibling(c, old, now));
            }
        }
        ops.push(status_op(&created.id, (None, created.status), now, None));
        self.commit(
            actor,
            "component.create",
            ("component", &created.id),
            None,
            to_json(&created),
            ops,
        )
        .await?;
        Ok(created.id)
    }

    pub async fn patch_component(
        &self,
        actor: &Actor,
        id: &str,
        patch: ComponentPatch,
    ) -> Result<Component> {
        actor.require_responder()?;
        with_retry(|| self.try_patch_component(actor, id, &patch)).await?;
        self.component(id).await
    }

    async fn try_patch_component(
        &self,
        actor: &Actor,
        id: &str,
        patch: &ComponentPatch,
    ) -> OpResult<()> {
        let now = self.now();
        let all = self.store.components().await?;
        let before = all
            .iter()
            .find(|c| c.id == id)
            .cloned()
            .ok_or_else(|| Error::not_found("component", id))?;
        let mut problems = Problems::new();
        let mut next = patched(&all, &before, patch, &mut problems);
        next.updated_at = now;
        let moved = next.group_id != before.group_id;
        let mut changed = if moved || patch.position.is_some() {
            place(&all, &next, patch.position, &mut problems)
        } else {
            vec![next.clone()]
        };
        problems.check()?;
        if moved {
            changed.extend(close_gap(&all, &before));
        }
        let mut ops = Vec::new();
        let mut result = next.clone();
        for c in changed {
            let Some(old) = all.iter().find(|o| o.id == c.id) else {
                continue;
            };
            if c.id == id {
                result = c.clone();
                ops.push(Op::UpdateComponent {
                    component: c,
                    expected_updated_at: old.updated_at,
                });
            } else if old.position != c.position {
                ops.push(moved_sibling(c, old, now));
            }
        }
        if let Some(status) = patch.status.filter(|s| *s != before.status) {
            result.status = status;
            ops.push(status_op(id, (Some(before.status), status), now, None));
        }
        self.commit(
            actor,
            "component.update",
            ("component", id),
            to_json(&before),
            to_json(&result),
            ops,
        )
        .await?;
        Ok(())
    }
}
