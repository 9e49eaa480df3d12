//! Incidents and their updates: opening, posting updates, correcting them, milestones.

use super::{
    check_locale, derive_incident, double_option, milestone_problems, ms_opt, new_id, problem,
    to_json, with_retry, Actor, BTreeMap, ComponentStatus, DateTime, Deserialize, Error, Impact,
    Incident, IncidentDetail, IncidentKind, IncidentStatus, Milestones, NewUpdate, Op, OpResult,
    PageSettings, Problems, Provenance, Result, Service, TranslationScope, TranslationsIn, Update,
    Utc, MAX_LINE_CHARS,
};

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

/// The new incident from its input (before its first update), its problems noted.
fn new_incident(
    input: &NewIncident,
    page: &PageSettings,
    now: DateTime<Utc>,
    problems: &mut Problems,
) -> Incident {
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
    check_locale(problems, "locale", &locale, page);
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
    if let (Some(started), Some(display_at)) = (milestones.impact_started_at, input.display_at) {
        if display_at < started {
            problems.add("display_at", problem!("problem-display-before-start"));
        }
    }
    Incident {
        id: new_id(),
        kind: IncidentKind::Incident,
        title: input.title.trim().to_string(),
        impact,
        status: input.status,
        locale,
        symptom: input.symptom.as_ref().map(|s| s.trim().to_string()),
        milestones,
        started_at: now,
        scheduled_for: None,
        scheduled_until: None,
        auto_transition: false,
        created_at: now,
        updated_at: now,
    }
}

impl Service {
    pub async fn incident_detail(&self, id: &str) -> Result<IncidentDetail> {
        self.store
            .incident_detail(id)
            .await?
            .ok_or_else(|| Error::not_found("incident", id))
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
        let incident = new_incident(input, page, now, &mut problems);
        let components = self.store.components().await?;
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
            original_locale: &incident.locale,
            now,
        };
        for (loc, t) in &input.translations {
            let fields = [
                ("title", Some(incident.title.as_str()), t.title.as_ref()),
                ("symptom", incident.symptom.as_deref(), t.symptom.as_ref()),
            ];
            let opening = (&incident, &plan.update);
            let message = t.message.as_ref();
            scope.add_opening(
                &mut problems,
                &mut ops,
                opening,
                (loc, t.provenance),
                &fields,
                message,
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
