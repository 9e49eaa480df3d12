//! Scheduled maintenance: planning it, and the clock-driven moves to in progress and completed.

use super::{
    check_locale, component_targets, ms, new_id, problem, to_json, yes, Actor, BTreeMap,
    ComponentStatus, DateTime, Deserialize, Duration, Impact, Incident, IncidentDetail,
    IncidentKind, IncidentStatus, MessageTranslationIn, Milestones, NewUpdate, Op, PageSettings,
    Problems, Provenance, Result, Service, TranslationScope, TranslationsIn, Update, Utc,
    MAX_BODY_CHARS, MAX_LINE_CHARS,
};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMaintenance {
    pub title: String,
    pub scheduled_for: DateTime<Utc>,
    pub scheduled_until: DateTime<Utc>,
    pub message: String,
    #[serde(default)]
    pub components: Vec<String>,
    #[serde(default = "yes")]
    pub auto_transition: bool,
    pub locale: Option<String>,
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, MaintenanceTranslationIn>)]
    pub translations: TranslationsIn<MaintenanceTranslationIn>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MaintenanceTranslationIn {
    pub title: Option<String>,
    pub message: Option<String>,
    pub provenance: Provenance,
}

/// The longest maintenance window accepted.
const MAX_WINDOW_DAYS: i64 = 14;

/// The new maintenance from its input (before its first update), its problems noted.
fn new_maintenance(
    input: &NewMaintenance,
    page: &PageSettings,
    now: DateTime<Utc>,
    problems: &mut Problems,
) -> Incident {
    problems.text("title", &input.title, MAX_LINE_CHARS);
    let scheduled_for = ms(input.scheduled_for);
    let scheduled_until = ms(input.scheduled_until);
    if scheduled_until <= scheduled_for {
        problems.add("scheduled_until", problem!("problem-window-order"));
    } else if scheduled_until - scheduled_for > Duration::days(MAX_WINDOW_DAYS) {
        problems.add(
            "scheduled_until",
            problem!("problem-window-too-long", days = MAX_WINDOW_DAYS),
        );
    }
    let locale = input
        .locale
        .clone()
        .unwrap_or_else(|| page.default_locale.clone());
    check_locale(problems, "locale", &locale, page);
    Incident {
        id: new_id(),
        kind: IncidentKind::Maintenance,
        title: input.title.trim().to_string(),
        impact: Impact::Maintenance,
        status: IncidentStatus::Scheduled,
        locale,
        symptom: None,
        milestones: Milestones::default(),
        started_at: scheduled_for,
        scheduled_for: Some(scheduled_for),
        scheduled_until: Some(scheduled_until),
        auto_transition: input.auto_transition,
        created_at: now,
        updated_at: now,
    }
}

impl Service {
    pub async fn create_maintenance(
        &self,
        actor: &Actor,
        input: NewMaintenance,
    ) -> Result<IncidentDetail> {
        actor.require_responder()?;
        let page = self.page().await?;
        let now = self.now();
        let mut problems = Problems::new();
        let incident = new_maintenance(&input, &page, now, &mut problems);
        let locale = incident.locale.clone();
        let components = self.store.components().await?;
        let requested: BTreeMap<String, ComponentStatus> = input
            .components
            .iter()
            .map(|id| (id.clone(), ComponentStatus::UnderMaintenance))
            .collect();
        let targets = component_targets(&components, &requested, &mut problems);
        problems.text("message", &input.message, MAX_BODY_CHARS);
        let update = Update {
            id: new_id(),
            incident_id: incident.id.clone(),
            status: IncidentStatus::Scheduled,
            message: input.message.trim().to_string(),
            display_at: now,
            next_update_by: None,
            created_at: now,
            updated_at: now,
            component_changes: vec![],
            revisions: vec![],
        };
        let mut ops = vec![Op::InsertIncident(incident.clone())];
        for (i, (component_id, _)) in targets.iter().enumerate() {
            ops.push(Op::AddIncidentComponent {
                incident_id: incident.id.clone(),
                component_id: component_id.clone(),
                position: crate::domain::numbers::count(i) + 1,
            });
        }
        ops.push(Op::InsertUpdate(update.clone()));
        let scope = TranslationScope {
            page: &page,
            original_locale: &locale,
            now,
        };
        for (loc, t) in &input.translations {
            let fields = [("title", Some(incident.title.as_str()), t.title.as_ref())];
            let opening = (&incident, &update);
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
        self.commit(
            actor,
            "maintenance.create",
            ("incident", &incident.id),
            None,
            to_json(&incident),
            ops,
        )
        .await?;
        self.incident_detail(&incident.id).await
    }

    /// Moves every due auto-transition maintenance on: scheduled → in progress at its start,
    /// in progress → completed at its end, with the localized default message (and its
    /// translations from the locale files). Returns how many moves were made.
    pub async fn tick_maintenances(&self) -> Result<usize> {
        let now = self.now();
        let page = self.page().await?;
        let mut moves = 0;
        for maintenance in self.store.due_maintenances(now).await? {
            // A window that has already ended while the server was away goes straight through.
            let mut steps = Vec::new();
            if maintenance.status == IncidentStatus::Scheduled {
                steps.push((
                    IncidentStatus::InProgress,
                    maintenance.scheduled_for.unwrap_or(now),
                ));
            }
            if maintenance
                .scheduled_until
                .is_some_and(|until| until <= now)
            {
                steps.push((
                    IncidentStatus::Completed,
                    maintenance.scheduled_until.unwrap_or(now),
                ));
            }
            for (status, at) in steps {
                match self
                    .post_default_update(&page, &maintenance.id, status, at.min(now))
                    .await
                {
                    Ok(()) => moves += 1,
                    Err(e) => {
                        tracing::error!(maintenance = %maintenance.id, error = %e, "cannot move maintenance on");
                        break;
                    }
                }
            }
        }
        Ok(moves)
    }

    async fn post_default_update(
        &self,
        page: &PageSettings,
        id: &str,
        status: IncidentStatus,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let detail = self.incident_detail(id).await?;
        let key = crate::i18n::default_message_key(status);
        let message = self.i18n.text(&detail.incident.locale, key);
        let translations = page
            .locales
            .iter()
            .filter(|l| **l != detail.incident.locale)
            .map(|l| {
                (
                    l.clone(),
                    MessageTranslationIn {
                        message: self.i18n.text(l, key),
                        provenance: Provenance::Human,
                    },
                )
            })
            .collect();
        let input = NewUpdate {
            status,
            message,
            display_at: Some(at),
            next_update_by: None,
            components: BTreeMap::new(),
            translations,
        };
        self.post_update(&Actor::system(), id, input).await?;
        Ok(())
    }
}
