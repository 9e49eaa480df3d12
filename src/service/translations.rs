//! Translations of any public text, with provenance; staleness follows from the original's
//! digest.

use super::{
    check_locale, check_translated, problem, text_digest, to_json, with_retry, Actor, BTreeMap,
    DateTime, Deserialize, Error, Incident, Op, PageSettings, Problems, Provenance, Result,
    Service, TranslatableKind, Translation, Update, Utc,
};

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TranslationPut {
    pub fields: BTreeMap<String, String>,
    pub provenance: Provenance,
}

/// The id translations of `kind` are stored under (the page's own, whatever it was called).
fn translated_id(page: &PageSettings, kind: TranslatableKind, id: &str) -> String {
    if kind == TranslatableKind::Page {
        page.id.clone()
    } else {
        id.to_string()
    }
}

/// The ops putting the translated `input.fields` of one object into one locale, each checked
/// against the object's original texts.
fn translation_ops(
    (kind, object_id, locale): (TranslatableKind, &str, &str),
    input: &TranslationPut,
    originals: &BTreeMap<&'static str, Option<String>>,
    now: DateTime<Utc>,
    problems: &mut Problems,
) -> Vec<Op> {
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
        check_translated(problems, &name, field, text);
        ops.push(Op::PutTranslation(Translation {
            kind,
            object_id: object_id.to_string(),
            field: field.clone(),
            locale: locale.to_string(),
            text: text.trim().to_string(),
            provenance: input.provenance,
            source_digest: text_digest(original),
            updated_at: now,
        }));
    }
    ops
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
                let i = self.store.incident(&u.incident_id).await?;
                let i = i.ok_or_else(missing)?;
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
                let i = self.store.incident(&r.incident_id).await?;
                let i = i.ok_or_else(missing)?;
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
            let object_id = translated_id(&page, kind, id);
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
            let target = (kind, object_id.as_str(), locale);
            let mut ops = translation_ops(target, &input, &originals, now, &mut problems);
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
        let object_id = translated_id(&page, kind, id);
        let all = self.store.translations(kind, &object_id).await?;
        Ok(all.into_iter().filter(|t| t.locale == locale).collect())
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
            check_translated(problems, &name, field, text);
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

    /// The translations given with a new incident or maintenance: the incident's `fields`
    /// and its first update's message.
    pub(crate) fn add_opening(
        &self,
        problems: &mut Problems,
        ops: &mut Vec<Op>,
        (incident, update): (&Incident, &Update),
        (locale, provenance): (&str, Provenance),
        fields: &[(&str, Option<&str>, Option<&String>)],
        message: Option<&String>,
    ) {
        let translation = (locale, provenance);
        let incident_id = (TranslatableKind::Incident, incident.id.as_str());
        self.add(problems, ops, incident_id, translation, fields);
        let original = Some(update.message.as_str());
        let update_id = (TranslatableKind::Update, update.id.as_str());
        self.add(
            problems,
            ops,
            update_id,
            translation,
            &[("message", original, message)],
        );
    }
}
