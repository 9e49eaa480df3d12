//! One conformance suite for the Store trait, run against SQLite and PostgreSQL.

use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use herald::domain::*;
use herald::store::{self, AuditFilter, CountedTable, IncidentFilter, Op, Store, StoreError};

use crate::helpers::*;

async fn fresh(kind: Db) -> Option<(TestDb, Arc<dyn Store>)> {
    let db = TestDb::of(kind).await?;
    let store = store::open(&db.url).await.expect("open");
    store.migrate().await.expect("migrate");
    Some((db, store))
}

fn component(id: &str, group_id: Option<&str>, position: i64) -> Component {
    let at = t("2024-03-01T10:00:00.123Z");
    Component {
        id: id.into(),
        name: format!("Component {id}"),
        description: Some("d".into()),
        group_id: group_id.map(Into::into),
        is_group: group_id.is_none() && id.starts_with('g'),
        children_label: (group_id.is_none() && id.starts_with('g')).then(|| "Pods".to_string()),
        position,
        status: ComponentStatus::Operational,
        only_show_if_degraded: false,
        showcase: true,
        start_date: NaiveDate::from_ymd_opt(2024, 2, 29),
        created_at: at,
        updated_at: at,
    }
}

fn incident(id: &str, kind: IncidentKind, started: &str) -> Incident {
    let at = t(started);
    Incident {
        id: id.into(),
        kind,
        title: format!("Incident {id}"),
        impact: if kind == IncidentKind::Maintenance {
            Impact::Maintenance
        } else {
            Impact::Major
        },
        status: if kind == IncidentKind::Maintenance {
            IncidentStatus::Scheduled
        } else {
            IncidentStatus::Investigating
        },
        locale: "en".into(),
        symptom: None,
        milestones: Milestones {
            impact_started_at: Some(at),
            ..Default::default()
        },
        started_at: at,
        scheduled_for: (kind == IncidentKind::Maintenance).then_some(at),
        scheduled_until: (kind == IncidentKind::Maintenance).then_some(at + Duration::hours(1)),
        auto_transition: kind == IncidentKind::Maintenance,
        created_at: at,
        updated_at: at,
    }
}

fn audit(id: &str, actor: &str, object: &str) -> AuditEntry {
    AuditEntry {
        id: id.into(),
        at: t("2024-03-01T10:00:00Z"),
        actor: actor.into(),
        action: "test".into(),
        object_kind: "component".into(),
        object_id: object.into(),
        before: None,
        after: Some(serde_json::json!({"k": 1})),
    }
}

#[tokio::test]
async fn store_conformance() {
    for kind in BACKENDS {
        let Some((db, store)) = fresh(kind).await else {
            continue;
        };
        run_suite(store.as_ref()).await;
        db.drop_database().await;
    }
}

async fn run_suite(s: &dyn Store) {
    // Rows round-trip exactly, timestamps to the millisecond and dates included.
    let group = component("gaaaaaaaaaaa", None, 1);
    let leaf = component("caaaaaaaaaaa", Some("gaaaaaaaaaaa"), 1);
    s.apply(
        vec![
            Op::InsertComponent(group.clone()),
            Op::InsertComponent(leaf.clone()),
        ],
        Some(audit("a1", "token:x", "gaaaaaaaaaaa")),
    )
    .await
    .unwrap();
    assert_eq!(
        s.component("caaaaaaaaaaa").await.unwrap(),
        Some(leaf.clone())
    );
    assert_eq!(
        s.components().await.unwrap(),
        vec![group.clone(), leaf.clone()]
    );

    // A failing op rolls back the whole list, audit row included.
    let err = s
        .apply(
            vec![
                Op::InsertComponent(component("cbbbbbbbbbbb", None, 2)),
                Op::InsertComponent(leaf.clone()),
            ],
            Some(audit("a2", "token:x", "c")),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(s.component("cbbbbbbbbbbb").await.unwrap(), None);
    assert_eq!(s.count(CountedTable::AuditLog).await.unwrap(), 1);

    // A reference to a missing row is reported as such.
    let err = s
        .apply(
            vec![Op::InsertComponent(component(
                "cccccccccccc",
                Some("gnotthere000"),
                1,
            ))],
            None,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Missing(_)), "{err:?}");

    // Status changes move the component and append to its history.
    let change = StatusChange {
        id: "h1".into(),
        component_id: leaf.id.clone(),
        old_status: Some(ComponentStatus::Operational),
        new_status: ComponentStatus::MajorOutage,
        at: t("2024-03-01T11:00:00Z"),
        incident_id: None,
    };
    s.apply(
        vec![Op::SetComponentStatus {
            change: change.clone(),
        }],
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        s.component(&leaf.id).await.unwrap().unwrap().status,
        ComponentStatus::MajorOutage
    );
    assert_eq!(
        s.status_history(Some(&leaf.id), t("2024-03-01T00:00:00Z"))
            .await
            .unwrap(),
        vec![change.clone()]
    );
    assert!(s
        .status_history(None, t("2024-03-02T00:00:00Z"))
        .await
        .unwrap()
        .is_empty());

    // Optimistic concurrency: an update built from a stale read is refused.
    let inc = incident(
        "iaaaaaaaaaaa",
        IncidentKind::Incident,
        "2024-03-01T09:00:00Z",
    );
    s.apply(vec![Op::InsertIncident(inc.clone())], None)
        .await
        .unwrap();
    let mut changed = inc.clone();
    changed.title = "Changed".into();
    changed.updated_at = t("2024-03-01T12:00:00Z");
    s.apply(
        vec![Op::UpdateIncident {
            incident: changed.clone(),
            expected_updated_at: inc.updated_at,
        }],
        None,
    )
    .await
    .unwrap();
    let err = s
        .apply(
            vec![Op::UpdateIncident {
                incident: changed.clone(),
                expected_updated_at: inc.updated_at,
            }],
            None,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    assert_eq!(s.incident(&inc.id).await.unwrap(), Some(changed.clone()));

    // Updates with component changes, revisions, postmortem, items, translations: one detail.
    let update = Update {
        id: "uaaaaaaaaaaa".into(),
        incident_id: inc.id.clone(),
        status: IncidentStatus::Investigating,
        message: "Looking".into(),
        display_at: t("2024-03-01T09:30:00Z"),
        next_update_by: Some(t("2024-03-01T10:30:00Z")),
        created_at: t("2024-03-01T09:31:00Z"),
        updated_at: t("2024-03-01T09:31:00Z"),
        // A change starts from the status the component has (here, since the change above).
        component_changes: vec![ComponentChange {
            component_id: leaf.id.clone(),
            old_status: ComponentStatus::MajorOutage,
            new_status: ComponentStatus::PartialOutage,
        }],
        revisions: vec![],
    };
    let mut corrected = update.clone();
    corrected.message = "Looking into it".into();
    let revision = Revision {
        id: "raaaaaaaaaaa".into(),
        update_id: update.id.clone(),
        message: update.message.clone(),
        display_at: update.display_at,
        replaced_at: t("2024-03-01T09:40:00Z"),
        replaced_by: "token:x".into(),
    };
    let item = RemediationItem {
        id: "maaaaaaaaaaa".into(),
        incident_id: inc.id.clone(),
        position: 1,
        title: "Add an alert".into(),
        detail: None,
        category: RemediationCategory::Detect,
        state: RemediationState::Planned,
        state_reason: None,
        due_on: NaiveDate::from_ymd_opt(2024, 4, 1),
        tracker_url: Some("https://tracker.example.com/1".into()),
        completed_at: None,
        created_at: t("2024-03-02T00:00:00Z"),
        updated_at: t("2024-03-02T00:00:00Z"),
    };
    let translation = Translation {
        kind: TranslatableKind::Update,
        object_id: update.id.clone(),
        field: "message".into(),
        locale: "fr".into(),
        text: "On regarde".into(),
        provenance: Provenance::Machine,
        source_digest: text_digest("Looking"),
        updated_at: t("2024-03-01T09:32:00Z"),
    };
    let postmortem = Postmortem {
        incident_id: inc.id.clone(),
        summary: None,
        root_cause: "rc".into(),
        resolution: "res".into(),
        state: PostmortemState::Draft,
        published_at: None,
        created_at: t("2024-03-02T00:00:00Z"),
        updated_at: t("2024-03-02T00:00:00Z"),
    };
    s.apply(
        vec![
            Op::AddIncidentComponent {
                incident_id: inc.id.clone(),
                component_id: leaf.id.clone(),
                position: 1,
            },
            Op::InsertUpdate(update.clone()),
            Op::PutTranslation(translation.clone()),
            Op::PutPostmortem(postmortem.clone()),
            Op::InsertRemediationItem(item.clone()),
        ],
        None,
    )
    .await
    .unwrap();
    s.apply(
        vec![Op::ReviseUpdate {
            update: corrected.clone(),
            revision: revision.clone(),
        }],
        None,
    )
    .await
    .unwrap();
    // Revising from a stale text is refused.
    let err = s
        .apply(
            vec![Op::ReviseUpdate {
                update: corrected.clone(),
                revision: revision.clone(),
            }],
            None,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
    let mut published = postmortem.clone();
    published.state = PostmortemState::Published;
    published.published_at = Some(t("2024-03-03T00:00:00Z"));
    let mut reviewed = translation.clone();
    reviewed.provenance = Provenance::Reviewed;
    reviewed.text = "Nous regardons".into();
    s.apply(
        vec![
            Op::PutPostmortem(published.clone()),
            Op::PutTranslation(reviewed.clone()),
        ],
        None,
    )
    .await
    .unwrap();

    let detail = s.incident_detail(&inc.id).await.unwrap().unwrap();
    assert_eq!(detail.incident, changed);
    assert_eq!(detail.component_ids, vec![leaf.id.clone()]);
    assert_eq!(detail.updates.len(), 1);
    let got = &detail.updates[0];
    assert_eq!(got.message, "Looking into it");
    assert_eq!(got.component_changes, update.component_changes);
    assert_eq!(got.revisions, vec![revision]);
    assert_eq!(got.next_update_by, update.next_update_by);
    assert_eq!(detail.postmortem, Some(published));
    assert_eq!(detail.remediation_items, vec![item.clone()]);
    assert_eq!(detail.translations, vec![reviewed.clone()]);
    assert!(
        reviewed.is_stale(&got.message),
        "the original changed after the translation"
    );
    assert_eq!(
        s.translations_of_kind(TranslatableKind::Update)
            .await
            .unwrap(),
        vec![reviewed]
    );

    // Listing: newest first, by kind, status, component, time and limit.
    for (i, started) in [
        "2024-01-01T00:00:00Z",
        "2024-02-01T00:00:00Z",
        "2024-02-15T00:00:00Z",
    ]
    .iter()
    .enumerate()
    {
        s.apply(
            vec![Op::InsertIncident(incident(
                &format!("old{i:09}"),
                IncidentKind::Incident,
                started,
            ))],
            None,
        )
        .await
        .unwrap();
    }
    s.apply(
        vec![Op::InsertIncident(incident(
            "mntnnnnnnnnn",
            IncidentKind::Maintenance,
            "2024-03-10T00:00:00Z",
        ))],
        None,
    )
    .await
    .unwrap();
    let all = s
        .incidents(&IncidentFilter {
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        all.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(),
        [
            "mntnnnnnnnnn",
            "iaaaaaaaaaaa",
            "old000000002",
            "old000000001",
            "old000000000"
        ]
    );
    let f = IncidentFilter {
        kind: Some(IncidentKind::Incident),
        before: Some(t("2024-02-20T00:00:00Z")),
        limit: 1,
        ..Default::default()
    };
    assert_eq!(s.incidents(&f).await.unwrap()[0].id, "old000000002");
    let f = IncidentFilter {
        statuses: vec![IncidentStatus::Scheduled, IncidentStatus::InProgress],
        limit: 10,
        ..Default::default()
    };
    assert_eq!(s.incidents(&f).await.unwrap().len(), 1);
    let f = IncidentFilter {
        component_ids: vec![leaf.id.clone()],
        limit: 10,
        ..Default::default()
    };
    assert_eq!(s.incidents(&f).await.unwrap().len(), 1);
    // Several components: incidents affecting any of them (a group and its children).
    let f = IncidentFilter {
        component_ids: vec![group.id.clone(), leaf.id.clone()],
        limit: 10,
        ..Default::default()
    };
    assert_eq!(
        s.incidents(&f)
            .await
            .unwrap()
            .iter()
            .map(|i| i.id.as_str())
            .collect::<Vec<_>>(),
        ["iaaaaaaaaaaa"]
    );
    // Many details at once: in the order asked, unknown ids skipped, each as when read alone.
    let batch = s
        .incident_details(&[
            "old000000001".into(),
            "nosuchincide".into(),
            "iaaaaaaaaaaa".into(),
        ])
        .await
        .unwrap();
    assert_eq!(batch.len(), 2);
    assert_eq!(batch[0].incident.id, "old000000001");
    assert!(batch[0].updates.is_empty() && batch[0].translations.is_empty());
    assert_eq!(batch[0].postmortem, None);
    assert_eq!(
        batch[1],
        s.incident_detail("iaaaaaaaaaaa").await.unwrap().unwrap()
    );
    assert_eq!(batch[1].translations.len(), 1);
    assert!(s.incident_details(&[]).await.unwrap().is_empty());
    let links = s
        .incident_component_ids(&["iaaaaaaaaaaa".into(), "old000000000".into()])
        .await
        .unwrap();
    assert_eq!(links, vec![("iaaaaaaaaaaa".to_string(), leaf.id.clone())]);
    assert_eq!(
        s.open_incidents_affecting(&leaf.id).await.unwrap(),
        vec!["iaaaaaaaaaaa".to_string()]
    );

    // The clock decides which maintenances are due.
    assert!(s
        .due_maintenances(t("2024-03-09T23:59:59Z"))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        s.due_maintenances(t("2024-03-10T00:00:00Z"))
            .await
            .unwrap()
            .len(),
        1
    );

    // Tokens, users, sessions, audit log.
    let token = ApiToken {
        id: "taaaaaaaaaaa".into(),
        name: "ci".into(),
        role: Role::Responder,
        token_hash: "hash".into(),
        created_at: t("2024-03-01T00:00:00Z"),
        last_used_at: None,
        revoked_at: None,
    };
    s.apply(
        vec![Op::InsertToken(token.clone())],
        Some(audit("a3", "cli", "taaaaaaaaaaa")),
    )
    .await
    .unwrap();
    assert_eq!(s.token_by_hash("hash").await.unwrap(), Some(token.clone()));
    s.touch_token(&token.id, t("2024-03-02T00:00:00Z"))
        .await
        .unwrap();
    s.apply(
        vec![Op::RevokeToken {
            id: token.id.clone(),
            at: t("2024-03-03T00:00:00Z"),
        }],
        None,
    )
    .await
    .unwrap();
    let err = s
        .apply(
            vec![Op::RevokeToken {
                id: token.id.clone(),
                at: t("2024-03-03T00:00:00Z"),
            }],
            None,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Missing(_)));
    let stored = s.tokens().await.unwrap();
    assert_eq!(stored[0].last_used_at, Some(t("2024-03-02T00:00:00Z")));
    assert_eq!(stored[0].revoked_at, Some(t("2024-03-03T00:00:00Z")));
    let user = User {
        id: "yaaaaaaaaaaa".into(),
        username: "ana".into(),
        password_hash: "$argon2id$...".into(),
        role: Role::Admin,
        created_at: t("2024-03-01T00:00:00Z"),
        updated_at: t("2024-03-01T00:00:00Z"),
        disabled_at: None,
    };
    s.apply(vec![Op::InsertUser(user.clone())], None)
        .await
        .unwrap();
    assert!(matches!(
        s.apply(
            vec![Op::InsertUser(User {
                id: "other".into(),
                ..user.clone()
            })],
            None
        )
        .await,
        Err(StoreError::Conflict(_))
    ));
    assert_eq!(s.user_by_name("ana").await.unwrap(), Some(user.clone()));
    assert_eq!(s.user_count().await.unwrap(), 1);
    let session = Session {
        id_hash: "sess".into(),
        user_id: user.id.clone(),
        csrf_token: "csrf".into(),
        created_at: t("2024-03-01T00:00:00Z"),
        expires_at: t("2024-03-02T00:00:00Z"),
    };
    s.apply(vec![Op::InsertSession(session.clone())], None)
        .await
        .unwrap();
    assert_eq!(s.session("sess").await.unwrap(), Some(session.clone()));
    assert_eq!(s.user_by_id(&user.id).await.unwrap(), Some(user.clone()));
    assert_eq!(s.user_by_id("nobody").await.unwrap(), None);
    let bea = User {
        id: "zaaaaaaaaaaa".into(),
        username: "bea".into(),
        role: Role::Translator,
        ..user.clone()
    };
    s.apply(vec![Op::InsertUser(bea.clone())], None)
        .await
        .unwrap();
    assert_eq!(s.users().await.unwrap(), vec![user.clone(), bea]);
    s.touch_session("sess", t("2024-03-02T06:00:00Z"))
        .await
        .unwrap();
    assert_eq!(
        s.session("sess").await.unwrap().map(|x| x.expires_at),
        Some(t("2024-03-02T06:00:00Z"))
    );
    s.apply(
        vec![Op::DeleteSession {
            id_hash: "sess".into(),
        }],
        None,
    )
    .await
    .unwrap();
    assert_eq!(s.session("sess").await.unwrap(), None);

    // Expired sessions are swept; live ones stay.
    let expiring = |id: &str, expires: &str| Session {
        id_hash: id.into(),
        expires_at: t(expires),
        ..session.clone()
    };
    s.apply(
        vec![
            Op::InsertSession(expiring("old", "2024-03-02T00:00:00Z")),
            Op::InsertSession(expiring("edge", "2024-03-03T00:00:00Z")),
            Op::InsertSession(expiring("live", "2024-03-03T00:00:00.001Z")),
        ],
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        s.delete_expired_sessions(t("2024-03-03T00:00:00Z"))
            .await
            .unwrap(),
        2
    );
    assert_eq!(s.session("old").await.unwrap(), None);
    assert_eq!(s.session("edge").await.unwrap(), None);
    assert!(s.session("live").await.unwrap().is_some());
    assert_eq!(
        s.delete_expired_sessions(t("2024-03-03T00:00:00Z"))
            .await
            .unwrap(),
        0
    );

    // Disabling a user; all their sessions end at once; the last active admin stays enabled.
    let bea_session = Session {
        id_hash: "bea-sess".into(),
        user_id: "zaaaaaaaaaaa".into(),
        ..session.clone()
    };
    s.apply(vec![Op::InsertSession(bea_session)], None)
        .await
        .unwrap();
    s.apply(
        vec![
            Op::SetUserDisabled {
                id: "zaaaaaaaaaaa".into(),
                disabled_at: Some(t("2024-03-04T00:00:00Z")),
                updated_at: t("2024-03-04T00:00:00Z"),
            },
            Op::DeleteUserSessions {
                user_id: "zaaaaaaaaaaa".into(),
            },
        ],
        None,
    )
    .await
    .unwrap();
    let disabled = s.user_by_id("zaaaaaaaaaaa").await.unwrap().unwrap();
    assert_eq!(disabled.disabled_at, Some(t("2024-03-04T00:00:00Z")));
    assert_eq!(disabled.updated_at, t("2024-03-04T00:00:00Z"));
    assert_eq!(s.session("bea-sess").await.unwrap(), None);
    assert!(s.session("live").await.unwrap().is_some(), "others' stay");
    let last_admin = s
        .apply(
            vec![Op::SetUserDisabled {
                id: user.id.clone(),
                disabled_at: Some(t("2024-03-04T00:00:00Z")),
                updated_at: t("2024-03-04T00:00:00Z"),
            }],
            None,
        )
        .await
        .unwrap_err();
    assert!(
        matches!(last_admin, StoreError::Conflict(_)),
        "{last_admin:?}"
    );
    assert_eq!(
        s.user_by_id(&user.id).await.unwrap().unwrap().disabled_at,
        None
    );
    assert!(matches!(
        s.apply(
            vec![Op::SetUserDisabled {
                id: "nobody".into(),
                disabled_at: None,
                updated_at: t("2024-03-04T00:00:00Z"),
            }],
            None,
        )
        .await,
        Err(StoreError::Conflict(_))
    ));
    s.apply(
        vec![Op::SetUserDisabled {
            id: "zaaaaaaaaaaa".into(),
            disabled_at: None,
            updated_at: t("2024-03-05T00:00:00Z"),
        }],
        None,
    )
    .await
    .unwrap();
    assert_eq!(
        s.user_by_id("zaaaaaaaaaaa")
            .await
            .unwrap()
            .unwrap()
            .disabled_at,
        None
    );
    s.apply(
        vec![Op::DeleteSession {
            id_hash: "live".into(),
        }],
        None,
    )
    .await
    .unwrap();

    let log = s
        .audit_log(&AuditFilter {
            actor: Some("cli".into()),
            limit: 10,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].after, Some(serde_json::json!({"k": 1})));

    // Page settings upsert.
    let page = PageSettings {
        id: "paaaaaaaaaaa".into(),
        name: "Status".into(),
        url: "https://s.example.com".into(),
        time_zone: "America/Los_Angeles".into(),
        display_time_zones: vec!["America/Los_Angeles".into()],
        default_locale: "en".into(),
        locales: vec!["en".into(), "fr".into()],
        footer_markdown: "f".into(),
        updated_at: t("2024-03-01T00:00:00Z"),
    };
    s.apply(vec![Op::PutPage(page.clone())], None)
        .await
        .unwrap();
    let renamed = PageSettings {
        name: "Renamed".into(),
        ..page.clone()
    };
    s.apply(vec![Op::PutPage(renamed.clone())], None)
        .await
        .unwrap();
    assert_eq!(s.page().await.unwrap(), Some(renamed));

    // Migrations are current, and the readiness probe writes everywhere and leaves nothing.
    assert!(s.migration_report().await.unwrap().is_current());
    let before = s.count(CountedTable::Incidents).await.unwrap();
    assert_eq!(s.probe_writes().await.unwrap(), Ok(()));
    assert_eq!(s.count(CountedTable::Incidents).await.unwrap(), before);
}

#[tokio::test]
async fn instances_starting_together_migrate_once() {
    for kind in BACKENDS {
        let Some(db) = TestDb::of(kind).await else {
            continue;
        };
        let mut tasks = Vec::new();
        for _ in 0..4 {
            let url = db.url.clone();
            tasks.push(tokio::spawn(async move {
                let s = store::open(&url).await.expect("open");
                s.migrate().await.expect("concurrent migrate");
                s.migration_report().await.expect("report").is_current()
            }));
        }
        for task in tasks {
            assert!(
                task.await.unwrap(),
                "{kind:?}: schema not current after concurrent start"
            );
        }
        db.drop_database().await;
    }
}
