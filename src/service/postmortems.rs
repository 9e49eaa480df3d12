//! Postmortems (draft → published) and remediation items.

use chrono::NaiveDate;

use super::{
    check_url, double_option, new_id, problem, to_json, trimmed, with_retry, Actor, DateTime,
    Deserialize, Error, IncidentDetail, IncidentKind, IncidentStatus, Op, Postmortem,
    PostmortemState, Problems, Provenance, RemediationCategory, RemediationItem, RemediationState,
    Result, Service, TranslatableKind, TranslationScope, TranslationsIn, Utc, MAX_BODY_CHARS,
    MAX_LINE_CHARS,
};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostmortemInput {
    pub summary: Option<String>,
    pub root_cause: String,
    pub resolution: String,
    pub state: PostmortemState,
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, PostmortemTranslationIn>)]
    pub translations: TranslationsIn<PostmortemTranslationIn>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostmortemTranslationIn {
    pub summary: Option<String>,
    pub root_cause: Option<String>,
    pub resolution: Option<String>,
    pub provenance: Provenance,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRemediationItem {
    pub title: String,
    pub detail: Option<String>,
    pub category: RemediationCategory,
    pub state: RemediationState,
    pub state_reason: Option<String>,
    pub due_on: Option<NaiveDate>,
    pub tracker_url: Option<String>,
    pub position: Option<i64>,
    #[serde(default)]
    #[schema(value_type = BTreeMap<String, ItemTranslationIn>)]
    pub translations: TranslationsIn<ItemTranslationIn>,
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemTranslationIn {
    pub title: Option<String>,
    pub detail: Option<String>,
    pub provenance: Provenance,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemediationPatch {
    pub title: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    pub detail: Option<Option<String>>,
    pub category: Option<RemediationCategory>,
    pub state: Option<RemediationState>,
    #[serde(default, deserialize_with = "double_option")]
    pub state_reason: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    pub due_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    pub tracker_url: Option<Option<String>>,
    pub position: Option<i64>,
}

fn check_item(problems: &mut Problems, item: &RemediationItem) {
    problems.text("title", &item.title, MAX_LINE_CHARS);
    problems.opt_text("detail", item.detail.as_deref(), MAX_BODY_CHARS);
    problems.opt_text("state_reason", item.state_reason.as_deref(), MAX_LINE_CHARS);
    if item.state == RemediationState::WontDo && item.state_reason.is_none() {
        problems.add("state_reason", problem!("problem-wont-do-reason"));
    }
    if let Some(url) = &item.tracker_url {
        check_url(problems, "tracker_url", url);
    }
}

/// Renumbers `items` with `moved` at `position` (1-based); returns the rows whose position changed.
fn reorder(
    items: &[RemediationItem],
    moved: &RemediationItem,
    position: i64,
    now: DateTime<Utc>,
) -> Vec<RemediationItem> {
    let mut list: Vec<RemediationItem> =
        items.iter().filter(|i| i.id != moved.id).cloned().collect();
    let at = crate::domain::numbers::length(position.max(1) - 1).min(list.len());
    list.insert(at, moved.clone());
    let mut changed = Vec::new();
    for (i, item) in list.iter_mut().enumerate() {
        let p = crate::domain::numbers::count(i) + 1;
        if item.id == moved.id || item.position != p {
            item.position = p;
            if item.id != moved.id {
                item.updated_at = now;
            }
            changed.push(item.clone());
        }
    }
    changed
}

/// The postmortem `input` describes for `detail`'s incident, its problems noted.
fn new_postmortem(
    input: &PostmortemInput,
    detail: &IncidentDetail,
    now: DateTime<Utc>,
    problems: &mut Problems,
) -> Postmortem {
    let incident = &detail.incident;
    problems.opt_text("summary", input.summary.as_deref(), MAX_BODY_CHARS);
    problems.text("root_cause", &input.root_cause, MAX_BODY_CHARS);
    problems.text("resolution", &input.resolution, MAX_BODY_CHARS);
    if incident.kind != IncidentKind::Incident {
        problems.add("incident", problem!("problem-maintenance-postmortem"));
    }
    if input.state == PostmortemState::Published && incident.status != IncidentStatus::Resolved {
        problems.add("state", problem!("problem-publish-unresolved"));
    }
    let before = detail.postmortem.as_ref();
    Postmortem {
        incident_id: incident.id.clone(),
        summary: trimmed(input.summary.as_deref()),
        root_cause: input.root_cause.trim().to_string(),
        resolution: input.resolution.trim().to_string(),
        state: input.state,
        published_at: match input.state {
            PostmortemState::Published => before.and_then(|b| b.published_at).or(Some(now)),
            PostmortemState::Draft => None,
        },
        created_at: before.map(|b| b.created_at).unwrap_or(now),
        updated_at: now,
    }
}

/// The audit action of writing a postmortem in `state` over `before`.
fn postmortem_action(before: Option<&Postmortem>, state: PostmortemState) -> &'static str {
    match (before.map(|b| b.state), state) {
        (Some(PostmortemState::Published), PostmortemState::Published) => "postmortem.correct",
        (_, PostmortemState::Published) => "postmortem.publish",
        _ => "postmortem.draft",
    }
}

/// A new item, last in `detail`'s list.
fn new_item(
    input: &NewRemediationItem,
    detail: &IncidentDetail,
    now: DateTime<Utc>,
) -> RemediationItem {
    RemediationItem {
        id: new_id(),
        incident_id: detail.incident.id.clone(),
        position: crate::domain::numbers::count(detail.remediation_items.len()) + 1,
        title: input.title.trim().to_string(),
        detail: trimmed(input.detail.as_deref()),
        category: input.category,
        state: input.state,
        state_reason: input.state_reason.clone(),
        due_on: input.due_on,
        tracker_url: input.tracker_url.clone(),
        completed_at: (input.state == RemediationState::Done).then_some(now),
        created_at: now,
        updated_at: now,
    }
}

/// The ops inserting `item`, at the position asked for (the others renumbered).
fn new_item_ops(
    input: &NewRemediationItem,
    detail: &IncidentDetail,
    item: &RemediationItem,
    now: DateTime<Utc>,
    problems: &mut Problems,
) -> Vec<Op> {
    let mut ops = vec![Op::InsertRemediationItem(item.clone())];
    if let Some(p) = input.position {
        if p < 1 || p > item.position {
            problems.add(
                "position",
                problem!("problem-between", min = 1_i64, max = item.position),
            );
        }
        for moved in reorder(&detail.remediation_items, item, p, now) {
            if moved.id == item.id {
                ops[0] = Op::InsertRemediationItem(moved);
            } else {
                ops.push(Op::UpdateRemediationItem(moved));
            }
        }
    }
    ops
}

/// `before` with the patch applied (all but the position).
fn patched_item(
    before: &RemediationItem,
    patch: &RemediationPatch,
    now: DateTime<Utc>,
) -> RemediationItem {
    let mut item = before.clone();
    if let Some(t) = &patch.title {
        item.title = t.trim().to_string();
    }
    if let Some(d) = &patch.detail {
        item.detail = trimmed(d.as_deref());
    }
    if let Some(c) = patch.category {
        item.category = c;
    }
    if let Some(s) = patch.state {
        if s != item.state {
            item.completed_at = (s == RemediationState::Done).then_some(now);
            if s != RemediationState::WontDo && patch.state_reason.is_none() {
                item.state_reason = None;
            }
        }
        item.state = s;
    }
    if let Some(r) = &patch.state_reason {
        item.state_reason = r.clone();
    }
    if let Some(d) = patch.due_on {
        item.due_on = d;
    }
    if let Some(u) = &patch.tracker_url {
        item.tracker_url = u.clone();
    }
    item.updated_at = now;
    item
}

impl Service {
    pub async fn put_postmortem(
        &self,
        actor: &Actor,
        incident_id: &str,
        input: PostmortemInput,
    ) -> Result<Postmortem> {
        actor.require_responder()?;
        let page = self.page().await?;
        let write = with_retry(|| async {
            let now = self.now();
            let detail = self.incident_detail(incident_id).await?;
            let incident = &detail.incident;
            let mut problems = Problems::new();
            let before = detail.postmortem.clone();
            let postmortem = new_postmortem(&input, &detail, now, &mut problems);
            let mut ops = vec![
                Op::PutPostmortem(postmortem.clone()),
                self.touch_incident(incident),
            ];
            for (loc, t) in &input.translations {
                TranslationScope {
                    page: &page,
                    original_locale: &incident.locale,
                    now,
                }
                .add(
                    &mut problems,
                    &mut ops,
                    (TranslatableKind::Postmortem, incident_id),
                    (loc, t.provenance),
                    &[
                        ("summary", postmortem.summary.as_deref(), t.summary.as_ref()),
                        (
                            "root_cause",
                            Some(&postmortem.root_cause),
                            t.root_cause.as_ref(),
                        ),
                        (
                            "resolution",
                            Some(&postmortem.resolution),
                            t.resolution.as_ref(),
                        ),
                    ],
                );
            }
            problems.check()?;
            let action = postmortem_action(before.as_ref(), postmortem.state);
            self.commit(
                actor,
                action,
                ("incident", incident_id),
                to_json(&before),
                to_json(&postmortem),
                ops,
            )
            .await?;
            Ok(postmortem)
        });
        // Writes to one incident queue up (see `post_update`).
        self.serialized(format!("incident:{incident_id}"), write)
            .await
    }

    pub async fn remediation_item(&self, id: &str) -> Result<RemediationItem> {
        self.store
            .remediation_item(id)
            .await?
            .ok_or_else(|| Error::not_found("remediation item", id))
    }

    pub async fn create_remediation_item(
        &self,
        actor: &Actor,
        incident_id: &str,
        input: NewRemediationItem,
    ) -> Result<RemediationItem> {
        actor.require_responder()?;
        let page = self.page().await?;
        let write = with_retry(|| async {
            let now = self.now();
            let detail = self.incident_detail(incident_id).await?;
            let mut problems = Problems::new();
            if detail.incident.kind != IncidentKind::Incident {
                problems.add("incident", problem!("problem-maintenance-items"));
            }
            let item = new_item(&input, &detail, now);
            check_item(&mut problems, &item);
            let mut ops = new_item_ops(&input, &detail, &item, now, &mut problems);
            ops.push(self.touch_incident(&detail.incident));
            for (loc, t) in &input.translations {
                TranslationScope {
                    page: &page,
                    original_locale: &detail.incident.locale,
                    now,
                }
                .add(
                    &mut problems,
                    &mut ops,
                    (TranslatableKind::RemediationItem, &item.id),
                    (loc, t.provenance),
                    &[
                        ("title", Some(&item.title), t.title.as_ref()),
                        ("detail", item.detail.as_deref(), t.detail.as_ref()),
                    ],
                );
            }
            problems.check()?;
            self.commit(
                actor,
                "remediation.create",
                ("remediation-item", &item.id),
                None,
                to_json(&item),
                ops,
            )
            .await?;
            Ok(item.id)
        });
        let id = self
            .serialized(format!("incident:{incident_id}"), write)
            .await?;
        self.remediation_item(&id).await
    }

    pub async fn patch_remediation_item(
        &self,
        actor: &Actor,
        id: &str,
        patch: RemediationPatch,
    ) -> Result<RemediationItem> {
        actor.require_responder()?;
        let incident_id = self.remediation_item(id).await?.incident_id;
        let write = with_retry(|| async {
            let now = self.now();
            let before = self.remediation_item(id).await?;
            let detail = self.incident_detail(&before.incident_id).await?;
            let mut item = patched_item(&before, &patch, now);
            let mut problems = Problems::new();
            check_item(&mut problems, &item);
            let mut ops = Vec::new();
            match patch.position {
                Some(p)
                    if p < 1
                        || p > crate::domain::numbers::count(detail.remediation_items.len()) =>
                {
                    problems.add(
                        "position",
                        problem!(
                            "problem-between",
                            min = 1_i64,
                            max = detail.remediation_items.len()
                        ),
                    );
                }
                Some(p) => {
                    for moved in reorder(&detail.remediation_items, &item, p, now) {
                        if moved.id == item.id {
                            item = moved.clone();
                        }
                        ops.push(Op::UpdateRemediationItem(moved));
                    }
                }
                None => ops.push(Op::UpdateRemediationItem(item.clone())),
            }
            problems.check()?;
            ops.push(self.touch_incident(&detail.incident));
            self.commit(
                actor,
                "remediation.update",
                ("remediation-item", id),
                to_json(&before),
                to_json(&item),
                ops,
            )
            .await?;
            Ok(())
        });
        self.serialized(format!("incident:{incident_id}"), write)
            .await?;
        self.remediation_item(id).await
    }
}
