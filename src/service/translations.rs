//! Translations of any public text, with provenance; staleness follows from the original's
//! digest.

use super::*;

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TranslationPut {
    pub fields: BTreeMap<String, String>,
    pub provenance: Provenance,
}

impl Service {
    /// The original texts of an object, by field, with the locale they are written in and the
    /// incident they belong to (if any).
    async fn originals(
        &self,
        kind: TranslatableKind,
        id: &str,
    ) -> Result<(
        BTreeMap<&'static str, Option<String>>,
        String,
        Option<Incident>,
    )> {
        let page = self.page().await?;
        let missing = || Error::not_found(kind.as_str(), id);
        Ok(match kind {
            TranslatableKind::Incident => {
                let i = self.store.incident(id).await?.ok_or_else(missing)?;
                let map = BTreeMap::from([
                    ("title", Some(i.title.clone())),
                    ("symptom", i.symptom.clone()),
                ]);
                (map, i.locale.clone(), Some(i))
            }
            TranslatableKind::Update => {
                let u = self.store.update(id).await?.ok_or_else(missing)?;
                let i = self
                    .store
                    .incident(&u.incident_id)
                    .await?
                    .ok_or_else(missing)?;
                (
                    BTreeMap::from([("message", Some(u.message))]),
                    i.locale.clone(),
                    Some(i),
                )
            }
            TranslatableKind::Postmortem => {
                let detail = self.store.incident_detail(id).await?.ok_or_else(missing)?;
                let p = detail.postmortem.ok_or_else(missing)?;
                let map = BTreeMap::from([
                    ("summary", p.summary),
                    ("root_cause", Some(p.root_cause)),
                    ("resolution", Some(p.resolution)),
                ]);
                (map, detail.incident.locale.clone(), Some(detail.incident))
            }
            TranslatableKind::RemediationItem => {
                let r = self.store.remediation_item(id).await?.ok_or_else(missing)?;
                let i = self
                    .store
                    .incident(&r.incident_id)
                    .await?
                    .ok_or_else(missing)?;
                (
                    BTreeMap::from([("title", Some(r.title)), ("detail", r.detail)]),
                    i.locale.clone(),
                    Some(i),
                )
            }
            TranslatableKind::Component => {
                let c = self.store.component(id).await?.ok_or_else(missing)?;
                (
                    BTreeMap::from([
                        ("name", Some(c.name)),
                        ("description", c.description),
                        ("children_label", c.children_label),
                    ]),
                    page.default_locale,
                    None,
                )
            }
            TranslatableKind::Page => {
                if id != page.id && id != "page" {
                    return Err(missing());
                }
                let footer = Some(page.footer_markdown.clone()).filter(|f| !f.is_empty());
                (
                    BTreeMap::from([
                        ("name", Some(page.name.clone())),
                        ("footer_markdown", footer),
                    ]),
                    page.default_locale,
                    None,
                )
            }
        })
    }

    pub async fn put_translation(
        &self,
        actor: &Actor,
        kind: TranslatableKind,
        id: &str,
        locale: &str,
        input: TranslationPut,
    ) -> Result<Vec<Translation>> {
        let page = self.page().await?;
        with_retry(|| async {
            let now = self.now();
            let (originals, original_locale, incident) = self.originals(kind, id).await?;
            let object_id = if kind == TranslatableKind::Page {
                page.id.clone()
            } else {
                id.to_string()
            };
            let mut problems = Problems::new();
            check_locale(&mut problems, "locale", locale, &page);
            if locale == original_locale {
                problems.add(
                    "locale",
                    problem!("problem-original-locale-named", locale = locale),
                );
            }
            if input.fields.is_empty() {
                problems.add(
                    "fields",
                    problem!("problem-no-fields", fields = kind.fields().join(", ")),
                );
            }
            let mut ops = Vec::new();
            for (field, text) in &input.fields {
                let name = format!("fields.{field}");
                let Some(original) = originals.get(field.as_str()) else {
                    problems.add(
                        name,
                        problem!(
                            "problem-no-such-field",
                            kind = kind.as_str(),
                            fields = kind.fields().join(", ")
                        ),
                    );
                    continue;
                };
                let Some(original) = original else {
                    problems.add(name, problem!("problem-no-original"));
                    continue;
                };
                let max = if TranslatableKind::is_line_field(field) {
                    MAX_LINE_CHARS
                } else {
                    MAX_BODY_CHARS
                };
                problems.text(&name, text, max);
                ops.push(Op::PutTranslation(Translation {
                    kind,
                    object_id: object_id.clone(),
                    field: field.clone(),
                    locale: locale.to_string(),
                    text: text.trim().to_string(),
                    provenance: input.provenance,
                    source_digest: text_digest(original),
                    updated_at: now,
                }));
            }
            problems.check()?;
            if let Some(incident) = &incident {
                ops.push(self.touch_incident(incident));
            }
            let before = self.store.translations(kind, &object_id).await?;
            let before: Vec<&Translation> = before.iter().filter(|t| t.locale == locale).collect();
            let after: Vec<&Translation> = ops
                .iter()
                .filter_map(|op| match op {
                    Op::PutTranslation(t) => Some(t),
                    _ => None,
                })
                .collect();
            self.commit(
                actor,
                "translation.put",
                (kind.as_str(), &object_id),
                to_json(&before),
                to_json(&after),
                ops.clone(),
            )
            .await?;
            Ok(())
        })
        .await?;
        let object_id = if kind == TranslatableKind::Page {
            page.id.clone()
        } else {
            id.to_string()
        };
        let all = self.store.translations(kind, &object_id).await?;
        Ok(all.into_iter().filter(|t| t.locale == locale).collect())
    }
}
