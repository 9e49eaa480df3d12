//! Updates of incidents and maintenances: planning one (its component changes and the
//! incident's new state), posting it, reading it, correcting it.

use super::{
    check_not_future, ms, ms_opt, new_id, problem, status_op, to_json, with_retry, Actor, BTreeMap,
    Component, ComponentChange, ComponentStatus, DateTime, Deserialize, Error, Incident,
    IncidentDetail, IncidentKind, IncidentStatus, Op, OpResult, Problems, Provenance, Result,
    Revision, Service, TranslatableKind, TranslationScope, TranslationsIn, Update, Utc,
    MAX_BODY_CHARS,
};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUpdate {
    pub status: IncidentStatus,
    pub message: String,
    pub display_at: Option<DateTime<Utc>>,
    pub next_update_by: Option<DateTime<Utc>>,
    #[serde(default)]
    pub components: BTreeMap<String, ComponentStatus>,
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, MessageTranslationIn>)]
    pub translations: TranslationsIn<MessageTranslationIn>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MessageTranslationIn {
    pub message: String,
    pub provenance: Provenance,
}
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePatch {
    pub message: Option<String>,
    pub display_at: Option<DateTime<Utc>>,
}

/// What posting one update does, before it is written.
pub(crate) struct UpdatePlan {
    pub update: Update,
    pub incident: Incident,
    pub ops: Vec<Op>,
}

/// The new update's requested component statuses, groups expanded to their children.
pub(crate) fn component_targets(
    all: &[Component],
    requested: &BTreeMap<String, ComponentStatus>,
    problems: &mut Problems,
) -> Vec<(String, ComponentStatus)> {
    let mut targets: Vec<(String, ComponentStatus)> = Vec::new();
    for (id, status) in requested {
        let field = format!("components.{id}");
        match all.iter().find(|c| &c.id == id) {
            None => problems.add(field, problem!("problem-no-such-component")),
            Some(c) if c.is_group => {
                let children: Vec<&Component> = all
                    .iter()
                    .filter(|k| k.group_id.as_deref() == Some(id))
                    .collect();
                if children.is_empty() {
                    problems.add(field, problem!("problem-empty-group"));
                }
                for child in children {
                    if !targets.iter().any(|t| t.0 == child.id) {
                        targets.push((child.id.clone(), *status));
                    }
                }
            }
            Some(c) => {
                targets.retain(|t| t.0 != c.id);
                targets.push((c.id.clone(), *status));
            }
        }
    }
    targets
}

/// The incident's status, monitoring and resolution times, derived from its updates.
pub(crate) fn derive_incident(incident: &mut Incident, updates: &[&Update]) {
    // Ties on display time go to the later-posted update (the list is in posting order).
    let Some((_, latest)) = updates
        .iter()
        .enumerate()
        .max_by_key(|(i, u)| (u.display_at, *i))
    else {
        return;
    };
    incident.status = latest.status;
    incident.milestones.monitoring_at = updates
        .iter()
        .filter(|u| {
            matches!(
                u.status,
                IncidentStatus::Monitoring | IncidentStatus::Verifying
            )
        })
        .map(|u| u.display_at)
        .min();
    incident.milestones.resolved_at = if latest.status.is_closed() {
        updates
            .iter()
            .filter(|u| u.status.is_closed())
            .map(|u| u.display_at)
            .min()
    } else {
        None
    };
    incident.started_at = match incident.kind {
        IncidentKind::Maintenance => incident.scheduled_for.unwrap_or(incident.created_at),
        IncidentKind::Incident => incident
            .milestones
            .impact_started_at
            .or_else(|| updates.iter().map(|u| u.display_at).min())
            .unwrap_or(incident.created_at),
    };
}

pub(crate) fn check_status_kind(
    problems: &mut Problems,
    status: IncidentStatus,
    kind: IncidentKind,
) {
    if status.kind() != kind {
        let allowed: Vec<&str> = IncidentStatus::for_kind(kind)
            .iter()
            .map(|s| s.as_str())
            .collect();
        problems.add(
            "status",
            problem!(
                "problem-status-kind",
                status = status.as_str(),
                kind = kind.as_str(),
                allowed = allowed.join(", ")
            ),
        );
    }
}

/// Checks a new update's status, message and times; its display time and next update time.
fn check_update_times(
    input: &NewUpdate,
    kind: IncidentKind,
    now: DateTime<Utc>,
    problems: &mut Problems,
) -> (DateTime<Utc>, Option<DateTime<Utc>>) {
    check_status_kind(problems, input.status, kind);
    problems.text("message", &input.message, MAX_BODY_CHARS);
    let display_at = ms(input.display_at.unwrap_or(now));
    check_not_future(problems, "display_at", display_at, now);
    let next_update_by = ms_opt(input.next_update_by);
    if let Some(next) = next_update_by {
        if input.status.is_closed() {
            problems.add("next_update_by", problem!("problem-closed-next-update"));
        } else if next <= display_at {
            problems.add("next_update_by", problem!("problem-next-update-order"));
        }
    }
    (display_at, next_update_by)
}

/// The update's component changes and their ops: newly affected components linked, changed
/// statuses set.
fn target_ops(
    detail: &IncidentDetail,
    components: &[Component],
    targets: &[(String, ComponentStatus)],
    display_at: DateTime<Utc>,
) -> (Vec<ComponentChange>, Vec<Op>) {
    let incident = &detail.incident;
    let mut ops = Vec::new();
    let mut changes = Vec::new();
    let mut position = crate::domain::numbers::count(detail.component_ids.len());
    for (component_id, new_status) in targets {
        let Some(current) = components.iter().find(|c| &c.id == component_id) else {
            continue;
        };
        if !detail.component_ids.contains(component_id) {
            position += 1;
            ops.push(Op::AddIncidentComponent {
                incident_id: incident.id.clone(),
                component_id: component_id.clone(),
                position,
            });
        }
        if current.status != *new_status {
            changes.push(ComponentChange {
                component_id: component_id.clone(),
                old_status: current.status,
                new_status: *new_status,
            });
            let statuses = (Some(current.status), *new_status);
            ops.push(status_op(
                component_id,
                statuses,
                display_at,
                Some(&incident.id),
            ));
        }
    }
    (changes, ops)
}

impl Service {
    /// Plans an update of `detail`: the update row, its component changes (explicit, or
    /// implied by resolving/starting/completing), and the incident's new state.
    pub(crate) async fn plan_update(
        &self,
        detail: &IncidentDetail,
        components: &[Component],
        input: &NewUpdate,
        problems: &mut Problems,
    ) -> OpResult<UpdatePlan> {
        let now = self.now();
        let incident = &detail.incident;
        let (display_at, next_update_by) = check_update_times(input, incident.kind, now, problems);
        let mut targets = component_targets(components, &input.components, problems);
        if input.components.is_empty() {
            targets = self
                .implied_targets(detail, components, input.status)
                .await?;
        }
        let update_id = new_id();
        let (changes, ops) = target_ops(detail, components, &targets, display_at);
        let update = Update {
            id: update_id,
            incident_id: incident.id.clone(),
            status: input.status,
            message: input.message.trim().to_string(),
            display_at,
            next_update_by,
            created_at: now,
            updated_at: now,
            component_changes: changes,
            revisions: Vec::new(),
        };
        let mut next = incident.clone();
        let mut all: Vec<&Update> = detail.updates.iter().collect();
        all.push(&update);
        derive_incident(&mut next, &all);
        next.updated_at = now;
        Ok(UpdatePlan {
            update,
            incident: next,
            ops,
        })
    }

    /// Component changes nobody asked for but everybody expects: resolving an incident returns
    /// its components to operational (unless another open incident holds them); a maintenance
    /// starting puts its components under maintenance, and completing restores them.
    async fn implied_targets(
        &self,
        detail: &IncidentDetail,
        components: &[Component],
        status: IncidentStatus,
    ) -> OpResult<Vec<(String, ComponentStatus)>> {
        let incident = &detail.incident;
        let affected = components
            .iter()
            .filter(|c| detail.component_ids.contains(&c.id));
        let mut targets = Vec::new();
        match status {
            IncidentStatus::Resolved | IncidentStatus::Completed => {
                for c in affected {
                    if c.status == ComponentStatus::Operational {
                        continue;
                    }
                    let others = self.store.open_incidents_affecting(&c.id).await?;
                    if others.iter().any(|other| other != &incident.id) {
                        continue;
                    }
                    // A maintenance gives back what it took; an incident returns to normal.
                    let before = detail
                        .updates
                        .iter()
                        .flat_map(|u| &u.component_changes)
                        .filter(|ch| {
                            ch.component_id == c.id
                                && ch.new_status == ComponentStatus::UnderMaintenance
                        })
                        .map(|ch| ch.old_status)
                        .next_back();
                    let restore = match (incident.kind, before) {
                        (IncidentKind::Maintenance, Some(old))
                            if c.status == ComponentStatus::UnderMaintenance =>
                        {
                            old
                        }
                        (IncidentKind::Maintenance, _)
                            if c.status != ComponentStatus::UnderMaintenance =>
                        {
                            continue
                        }
                        _ => ComponentStatus::Operational,
                    };
                    targets.push((c.id.clone(), restore));
                }
            }
            IncidentStatus::InProgress => {
                for c in affected {
                    targets.push((c.id.clone(), ComponentStatus::UnderMaintenance));
                }
            }
            _ => {}
        }
        Ok(targets)
    }

    pub async fn post_update(
        &self,
        actor: &Actor,
        incident_id: &str,
        input: NewUpdate,
    ) -> Result<Update> {
        actor.require_responder()?;
        let page = self.page().await?;
        let post = with_retry(|| async {
            let detail = self.incident_detail(incident_id).await?;
            let components = self.store.components().await?;
            let mut problems = Problems::new();
            let plan = self
                .plan_update(&detail, &components, &input, &mut problems)
                .await?;
            let mut ops = plan.ops;
            ops.insert(0, Op::InsertUpdate(plan.update.clone()));
            // Links to newly affected components come first (the update's changes name them).
            ops.sort_by_key(|op| !matches!(op, Op::AddIncidentComponent { .. }));
            ops.push(Op::UpdateIncident {
                incident: plan.incident.clone(),
                expected_updated_at: detail.incident.updated_at,
            });
            for (loc, t) in &input.translations {
                TranslationScope {
                    page: &page,
                    original_locale: &detail.incident.locale,
                    now: self.now(),
                }
                .add(
                    &mut problems,
                    &mut ops,
                    (TranslatableKind::Update, &plan.update.id),
                    (loc, t.provenance),
                    &[("message", Some(&plan.update.message), Some(&t.message))],
                );
            }
            problems.check()?;
            self.commit(
                actor,
                "update.create",
                ("incident", incident_id),
                to_json(&detail.incident),
                to_json(&serde_json::json!({"incident": plan.incident, "update": plan.update})),
                ops,
            )
            .await?;
            Ok(plan.update.id)
        });
        // Posts to one incident queue up, each planned on what the previous one committed.
        let update_id = self
            .serialized(format!("incident:{incident_id}"), post)
            .await?;
        self.update(&update_id).await
    }

    /// An update with its component changes and revisions.
    pub async fn update(&self, id: &str) -> Result<Update> {
        let bare = self
            .store
            .update(id)
            .await?
            .ok_or_else(|| Error::not_found("update", id))?;
        let detail = self.incident_detail(&bare.incident_id).await?;
        detail
            .updates
            .into_iter()
            .find(|u| u.id == id)
            .ok_or_else(|| Error::not_found("update", id))
    }

    /// Corrects an update's text or display time; the previous version is kept as a revision
    /// and the update shows as edited.
    pub async fn correct_update(
        &self,
        actor: &Actor,
        id: &str,
        patch: UpdatePatch,
    ) -> Result<Update> {
        actor.require_responder()?;
        let incident_id = self.update(id).await?.incident_id;
        let correct = with_retry(|| async {
            let now = self.now();
            let old = self.update(id).await?;
            let detail = self.incident_detail(&old.incident_id).await?;
            let mut problems = Problems::new();
            if patch.message.is_none() && patch.display_at.is_none() {
                problems.add("message", problem!("problem-nothing-to-correct"));
            }
            problems.opt_text("message", patch.message.as_deref(), MAX_BODY_CHARS);
            if let Some(at) = patch.display_at {
                check_not_future(&mut problems, "display_at", at, now);
            }
            problems.check()?;
            let mut new = old.clone();
            if let Some(m) = &patch.message {
                new.message = m.trim().to_string();
            }
            if let Some(at) = patch.display_at {
                new.display_at = ms(at);
            }
            if new.message == old.message && new.display_at == old.display_at {
                return Err(Error::invalid("message", problem!("problem-unchanged")).into());
            }
            new.updated_at = now;
            let revision = Revision {
                id: new_id(),
                update_id: id.to_string(),
                message: old.message.clone(),
                display_at: old.display_at,
                replaced_at: now,
                replaced_by: actor.label.clone(),
            };
            let mut incident = detail.incident.clone();
            let all: Vec<&Update> = detail
                .updates
                .iter()
                .map(|u| if u.id == id { &new } else { u })
                .collect();
            derive_incident(&mut incident, &all);
            incident.updated_at = now;
            let ops = vec![
                Op::ReviseUpdate {
                    update: new.clone(),
                    revision,
                },
                Op::UpdateIncident {
                    incident,
                    expected_updated_at: detail.incident.updated_at,
                },
            ];
            self.commit(
                actor,
                "update.correct",
                ("update", id),
                to_json(&old),
                to_json(&new),
                ops,
            )
            .await?;
            Ok(())
        });
        self.serialized(format!("incident:{incident_id}"), correct)
            .await?;
        self.update(id).await
    }
}
