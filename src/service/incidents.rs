//! Incidents and their updates: opening, posting updates, correcting them, milestones.

use super::*;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIncident {
    pub title: String,
    /// When left out, suggested from the worst of `components`' statuses: `major` for a
    /// major outage, else `minor`.
    #[serde(default)]
    pub impact: Option<Impact>,
    pub status: IncidentStatus,
    pub message: String,
    pub locale: Option<String>,
    pub symptom: Option<String>,
    /// When the impact began (Statuspage `started_at`); the impact-started milestone.
    pub started_at: Option<DateTime<Utc>>,
    pub display_at: Option<DateTime<Utc>>,
    pub next_update_by: Option<DateTime<Utc>>,
    #[serde(default)]
    pub components: BTreeMap<String, ComponentStatus>,
    #[serde(default)]
    pub milestones: Option<MilestonesPatch>,
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, IncidentTranslationIn>)]
    pub translations: TranslationsIn<IncidentTranslationIn>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentTranslationIn {
    pub title: Option<String>,
    pub message: Option<String>,
    pub symptom: Option<String>,
    pub provenance: Provenance,
}

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
pub struct MilestonesPatch {
    #[serde(default, deserialize_with = "double_option")]
    pub impact_started_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "double_option")]
    pub detected_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "double_option")]
    pub mitigated_at: Option<Option<DateTime<Utc>>>,
    #[serde(default, deserialize_with = "double_option")]
    pub impact_ended_at: Option<Option<DateTime<Utc>>>,
}

impl MilestonesPatch {
    fn apply_to(&self, m: &mut Milestones) {
        let set = |slot: &mut Option<DateTime<Utc>>, value: &Option<Option<DateTime<Utc>>>| {
            if let Some(v) = value {
                *slot = ms_opt(*v);
            }
        };
        set(&mut m.impact_started_at, &self.impact_started_at);
        set(&mut m.detected_at, &self.detected_at);
        set(&mut m.mitigated_at, &self.mitigated_at);
        set(&mut m.impact_ended_at, &self.impact_ended_at);
    }
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IncidentPatch {
    pub title: Option<String>,
    pub impact: Option<Impact>,
    #[serde(default, deserialize_with = "double_option")]
    pub symptom: Option<Option<String>>,
    pub milestones: Option<MilestonesPatch>,
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

/// Where translations given alongside a write land: the page's locales, the original's
/// locale, and the time they are stamped with.
pub(crate) struct TranslationScope<'a> {
    pub page: &'a PageSettings,
    pub original_locale: &'a str,
    pub now: DateTime<Utc>,
}

impl TranslationScope<'_> {
    /// Validates the translated `fields` (name, original text, translation) of one object into
    /// one locale and adds their ops.
    pub(crate) fn add(
        &self,
        problems: &mut Problems,
        ops: &mut Vec<Op>,
        (kind, object_id): (TranslatableKind, &str),
        (locale, provenance): (&str, Provenance),
        fields: &[(&str, Option<&str>, Option<&String>)],
    ) {
        let (page, original_locale, now) = (self.page, self.original_locale, self.now);

        let prefix = format!("translations.{locale}");
        check_locale(problems, &prefix, locale, page);
        if locale == original_locale {
            problems.add(&prefix, problem!("problem-original-locale"));
        }
        for (field, original, text) in fields {
            let Some(text) = text else { continue };
            let name = format!("{prefix}.{field}");
            let max = if TranslatableKind::is_line_field(field) {
                MAX_LINE_CHARS
            } else {
                MAX_BODY_CHARS
            };
            problems.text(&name, text, max);
            let Some(original) = original else {
                problems.add(&name, problem!("problem-no-original"));
                continue;
            };
            ops.push(Op::PutTranslation(Translation {
                kind,
                object_id: object_id.to_string(),
                field: field.to_string(),
                locale: locale.to_string(),
                text: text.to_string(),
                provenance,
                source_digest: text_digest(original),
                updated_at: now,
            }));
        }
    }
}

impl Service {
    pub async fn incident_detail(&self, id: &str) -> Result<IncidentDetail> {
        self.store
            .incident_detail(id)
            .await?
            .ok_or_else(|| Error::not_found("incident", id))
    }

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
        check_status_kind(problems, input.status, incident.kind);
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
        let mut targets = component_targets(components, &input.components, problems);
        if input.components.is_empty() {
            targets = self
                .implied_targets(detail, components, input.status)
                .await?;
        }
        let update_id = new_id();
        let mut ops = Vec::new();
        let mut changes = Vec::new();
        let mut position = detail.component_ids.len() as i64;
        for (component_id, new_status) in &targets {
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
                ops.push(Op::SetComponentStatus {
                    change: StatusChange {
                        id: new_id(),
                        component_id: component_id.clone(),
                        old_status: Some(current.status),
                        new_status: *new_status,
                        at: display_at,
                        incident_id: Some(incident.id.clone()),
                    },
                });
            }
        }
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

    pub async fn create_incident(
        &self,
        actor: &Actor,
        input: NewIncident,
    ) -> Result<IncidentDetail> {
        actor.require_responder()?;
        let page = self.page().await?;
        let id = with_retry(|| self.try_create_incident(actor, &page, &input)).await?;
        self.incident_detail(&id).await
    }

    async fn try_create_incident(
        &self,
        actor: &Actor,
        page: &PageSettings,
        input: &NewIncident,
    ) -> OpResult<String> {
        let now = self.now();
        let mut problems = Problems::new();
        problems.text("title", &input.title, MAX_LINE_CHARS);
        problems.opt_text("symptom", input.symptom.as_deref(), MAX_LINE_CHARS);
        let impact = input
            .impact
            .unwrap_or_else(|| Impact::suggested(input.components.values().copied()));
        if impact == Impact::Maintenance {
            problems.add("impact", problem!("problem-impact-maintenance"));
        }
        let locale = input
            .locale
            .clone()
            .unwrap_or_else(|| page.default_locale.clone());
        check_locale(&mut problems, "locale", &locale, page);
        let mut milestones = Milestones {
            impact_started_at: ms_opt(input.started_at),
            ..Milestones::default()
        };
        if let Some(patch) = &input.milestones {
            if input.started_at.is_some() && patch.impact_started_at.is_some() {
                problems.add("started_at", problem!("problem-started-twice"));
            }
            patch.apply_to(&mut milestones);
        }
        for (field, problem) in milestone_problems(&milestones, now) {
            problems.add(field, problem);
        }
        let components = self.store.components().await?;
        let incident = Incident {
            id: new_id(),
            kind: IncidentKind::Incident,
            title: input.title.trim().to_string(),
            impact,
            status: input.status,
            locale: locale.clone(),
            symptom: input.symptom.as_ref().map(|s| s.trim().to_string()),
            milestones,
            started_at: now,
            scheduled_for: None,
            scheduled_until: None,
            auto_transition: false,
            created_at: now,
            updated_at: now,
        };
        if let Some(started) = incident.milestones.impact_started_at {
            if let Some(display_at) = input.display_at {
                if display_at < started {
                    problems.add("display_at", problem!("problem-display-before-start"));
                }
            }
        }
        let detail = IncidentDetail {
            incident: incident.clone(),
            component_ids: vec![],
            updates: vec![],
            postmortem: None,
            remediation_items: vec![],
            translations: vec![],
        };
        let first = NewUpdate {
            status: input.status,
            message: input.message.clone(),
            display_at: input.display_at,
            next_update_by: input.next_update_by,
            components: input.components.clone(),
            translations: BTreeMap::new(),
        };
        let plan = self
            .plan_update(&detail, &components, &first, &mut problems)
            .await?;
        let mut ops = vec![Op::InsertIncident(plan.incident.clone())];
        // Affected components must exist before the rows that name them.
        let (links, rest): (Vec<Op>, Vec<Op>) = plan
            .ops
            .into_iter()
            .partition(|op| matches!(op, Op::AddIncidentComponent { .. }));
        ops.extend(links);
        ops.push(Op::InsertUpdate(plan.update.clone()));
        ops.extend(rest);
        let scope = TranslationScope {
            page,
            original_locale: &locale,
            now,
        };
        for (loc, t) in &input.translations {
            scope.add(
                &mut problems,
                &mut ops,
                (TranslatableKind::Incident, &incident.id),
                (loc, t.provenance),
                &[
                    ("title", Some(&incident.title), t.title.as_ref()),
                    ("symptom", incident.symptom.as_deref(), t.symptom.as_ref()),
                ],
            );
            scope.add(
                &mut problems,
                &mut ops,
                (TranslatableKind::Update, &plan.update.id),
                (loc, t.provenance),
                &[("message", Some(&plan.update.message), t.message.as_ref())],
            );
        }
        problems.check()?;
        let after = to_json(&plan.incident);
        self.commit(
            actor,
            "incident.create",
            ("incident", &incident.id),
            None,
            after,
            ops,
        )
        .await?;
        Ok(incident.id)
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

    pub async fn patch_incident(
        &self,
        actor: &Actor,
        id: &str,
        patch: IncidentPatch,
    ) -> Result<IncidentDetail> {
        actor.require_responder()?;
        let write = with_retry(|| async {
            let now = self.now();
            let detail = self.incident_detail(id).await?;
            let before = detail.incident.clone();
            let mut incident = before.clone();
            let mut problems = Problems::new();
            if let Some(title) = &patch.title {
                problems.text("title", title, MAX_LINE_CHARS);
                incident.title = title.trim().to_string();
            }
            if let Some(impact) = patch.impact {
                let is_maintenance = incident.kind == IncidentKind::Maintenance;
                if (impact == Impact::Maintenance) != is_maintenance {
                    problems.add(
                        "impact",
                        problem!(
                            "problem-impact-kind",
                            impact = impact.as_str(),
                            kind = incident.kind.as_str()
                        ),
                    );
                }
                incident.impact = impact;
            }
            if let Some(symptom) = &patch.symptom {
                problems.opt_text("symptom", symptom.as_deref(), MAX_LINE_CHARS);
                incident.symptom = symptom.as_ref().map(|s| s.trim().to_string());
            }
            if let Some(m) = &patch.milestones {
                m.apply_to(&mut incident.milestones);
                for (field, problem) in milestone_problems(&incident.milestones, now) {
                    problems.add(field, problem);
                }
            }
            problems.check()?;
            let updates: Vec<&Update> = detail.updates.iter().collect();
            derive_incident(&mut incident, &updates);
            incident.updated_at = now;
            let ops = vec![Op::UpdateIncident {
                incident: incident.clone(),
                expected_updated_at: before.updated_at,
            }];
            self.commit(
                actor,
                "incident.update",
                ("incident", id),
                to_json(&before),
                to_json(&incident),
                ops,
            )
            .await?;
            Ok(())
        });
        self.serialized(format!("incident:{id}"), write).await?;
        self.incident_detail(id).await
    }

    /// Marks an incident as changed (a translation, postmortem or item moved on), so feeds and
    /// caches see a newer `updated_at`.
    pub(crate) fn touch_incident(&self, incident: &Incident) -> Op {
        let mut touched = incident.clone();
        touched.updated_at = self.now();
        Op::UpdateIncident {
            incident: touched,
            expected_updated_at: incident.updated_at,
        }
    }
}
