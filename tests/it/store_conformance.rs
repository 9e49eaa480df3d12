//! One conformance suite for the Store trait, run against SQLite and PostgreSQL.

use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use herald::domain::{
    text_digest, ApiToken, AuditEntry, Component, ComponentChange, ComponentStatus, Impact,
    Incident, IncidentKind, IncidentStatus, Milestones, PageSettings, Postmortem, PostmortemState,
    Provenance, RemediationCategory, RemediationItem, RemediationState, Revision, Role, Session,
    StatusChange, TranslatableKind, Translation, Update, User,
};
use herald::store::{self, AuditFilter, CountedTable, IncidentFilter, Op, Store, StoreError};

use crate::helpers::{t, Db, TestDb};

async fn fresh(kind: Db) -> (TestDb, Arc<dyn Store>) {
    let db = TestDb::of(kind).await;
    let store = store::open(&db.url).await.expect("open");
    store.migrate().await.expect("migrate");
    (db, store)
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

// The conformance suite: one test per behaviour, each on a fresh store of each backend. Each
// builds the rows it needs with the helpers below (which assert nothing themselves).

/// A group and a leaf in it, inserted with one audit row (by `token:x`).
async fn group_and_leaf(s: &dyn Store) -> (Component, Component) {
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
    (group, leaf)
}

/// The leaf's move to a major outage.
fn outage(leaf: &Component) -> StatusChange {
    StatusChange {
        id: "h1".into(),
        component_id: leaf.id.clone(),
        old_status: Some(ComponentStatus::Operational),
        new_status: ComponentStatus::MajorOutage,
        at: t("2024-03-01T11:00:00Z"),
        incident_id: None,
    }
}

/// Inserts incident `iaaaaaaaaaaa` and retitles it; returns it as inserted and as retitled.
async fn retitled_incident(s: &dyn Store) -> (Incident, Incident) {
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
    (inc, changed)
}

/// What an incident's detail gathers: an update (and its corrected text and the revision the
/// correction leaves), a remediation item, a translation and a postmortem.
struct DetailRows {
    update: Update,
    corrected: Update,
    revision: Revision,
    item: RemediationItem,
    translation: Translation,
    postmortem: Postmortem,
}

fn detail_rows(inc: &Incident, leaf: &Component) -> DetailRows {
    let update = Update {
        id: "uaaaaaaaaaaa".into(),
        incident_id: inc.id.clone(),
        status: IncidentStatus::Investigating,
        message: "Looking".into(),
        display_at: t("2024-03-01T09:30:00Z"),
        next_update_by: Some(t("2024-03-01T10:30:00Z")),
        created_at: t("2024-03-01T09:31:00Z"),
        updated_at: t("2024-03-01T09:31:00Z"),
        // A change starts from the status the component has (here, since the outage).
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
    DetailRows {
        update,
        corrected,
        revision,
        item,
        translation,
        postmortem,
    }
}

/// The leaf in an outage and the retitled incident affecting it, with an update (corrected
/// once), a translation, a draft postmortem and a remediation item.
async fn incident_with_detail(s: &dyn Store) -> (Component, Component, Incident, DetailRows) {
    let (group, leaf) = group_and_leaf(s).await;
    s.apply(
        vec![Op::SetComponentStatus {
            change: outage(&leaf),
        }],
        None,
    )
    .await
    .unwrap();
    let (_, changed) = retitled_incident(s).await;
    let rows = detail_rows(&changed, &leaf);
    s.apply(
        vec![
            Op::AddIncidentComponent {
                incident_id: changed.id.clone(),
                component_id: leaf.id.clone(),
                position: 1,
            },
            Op::InsertUpdate(rows.update.clone()),
            Op::PutTranslation(rows.translation.clone()),
            Op::PutPostmortem(rows.postmortem.clone()),
            Op::InsertRemediationItem(rows.item.clone()),
        ],
        None,
    )
    .await
    .unwrap();
    s.apply(
        vec![Op::ReviseUpdate {
            update: rows.corrected.clone(),
            revision: rows.revision.clone(),
        }],
        None,
    )
    .await
    .unwrap();
    (group, leaf, changed, rows)
}

/// Three older incidents (January to mid-February) and a maintenance on March 10th.
async fn older_incidents_and_a_maintenance(s: &dyn Store) {
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
    maintenance(s).await;
}

async fn maintenance(s: &dyn Store) {
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
}

fn ana() -> User {
    User {
        id: "yaaaaaaaaaaa".into(),
        username: "ana".into(),
        password_hash: "$argon2id$...".into(),
        role: Role::Admin,
        created_at: t("2024-03-01T00:00:00Z"),
        updated_at: t("2024-03-01T00:00:00Z"),
        disabled_at: None,
    }
}

fn bea(ana: &User) -> User {
    User {
        id: "zaaaaaaaaaaa".into(),
        username: "bea".into(),
        role: Role::Translator,
        ..ana.clone()
    }
}

/// A session of `user` (not inserted).
fn session_of(user: &User) -> Session {
    Session {
        id_hash: "sess".into(),
        user_id: user.id.clone(),
        csrf_token: "csrf".into(),
        created_at: t("2024-03-01T00:00:00Z"),
        expires_at: t("2024-03-02T00:00:00Z"),
    }
}

fn expiring(session: &Session, id: &str, expires: &str) -> Session {
    Session {
        id_hash: id.into(),
        expires_at: t(expires),
        ..session.clone()
    }
}

/// Rows round-trip exactly, timestamps to the millisecond and dates included.
async fn rows_round_trip_exactly(kind: Db) {
    let (db, store) = fresh(kind).await;
    let s = store.as_ref();
    let (group, leaf) = group_and_leaf(s).await;
    assert_eq!(
        s.component("caaaaaaaaaaa").await.unwrap(),
        Some(leaf.clone())
    );
    assert_eq!(
        s.components().await.unwrap(),
        vec![group.clone(), leaf.clone()]
    );
    db.drop_database().await;
}

/// A failing op rolls back the whole list, audit row included.
async fn a_failing_op_rolls_back_the_whole_list(kind: Db) {
    let (db, store) = fresh(kind).await;
    let s = store.as_ref();
    let (_, leaf) = group_and_leaf(s).await;
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
    db.drop_database().await;
}

/// A reference to a missing row is reported as such.
async fn a_reference_to_a_missing_row_is_reported_as_such(kind: Db) {
    let (db, store) = fresh(kind).await;
    let s = store.as_ref();
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
    db.drop_database().await;
}

/// Status changes move the component and append to its history.
async fn status_changes_move_the_component_and_append_to_its_history(kind: Db) {
    let (db, store) = fresh(kind).await;
    let s = store.as_ref();
    let (_, leaf) = group_and_leaf(s).await;
    let change = outage(&leaf);
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
    db.drop_database().await;
}

/// Optimistic concurrency: an update built from a stale read is refused.
async fn an_update_built_from_a_stale_read_is_refused(kind: Db) {
    let (db, store) = fresh(kind).await;
    let s = store.as_ref();
    let (inc, changed) = retitled_incident(s).await;
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
    db.drop_database().await;
}

/// Updates with component changes, revisions, postmortem, items, translations: one detail.
async fn an_incident_detail_gathers_updates_revisions_postmortem_items_and_translations(kind: Db) {
    let (db, store) = fresh(kind).await;
    let s = store.as_ref();
    let (_, leaf, changed, rows) = incident_with_detail(s).await;
    let DetailRows {
        update,
        corrected,
        revision,
        item,
        translation,
        postmortem,
    } = rows;
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

    let detail = s.incident_detail(&changed.id).await.unwrap().unwrap();
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
    db.drop_database().await;
}

/// Listing: newest first, by kind, status, component, time and limit.
async fn incidents_list_newest_first_by_kind_status_component_time_and_limit(kind: Db) {
    let (db, store) = fresh(kind).await;
    let s = store.as_ref();
    let (group, leaf, _, _) = incident_with_detail(s).await;
    older_incidents_and_a_maintenance(s).await;
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
    db.drop_database().await;
}

/// Many details at once: in the order asked, unknown ids skipped, each as when read alone.
async fn many_details_at_once_come_in_the_order_asked(kind: Db) {
    let (db, store) = fresh(kind).await;
    let s = store.as_ref();
    let (_, leaf, _, _) = incident_with_detail(s).await;
    older_incidents_and_a_maintenance(s).await;
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
    db.drop_database().await;
}

/// The clock decides which maintenances are due.
async fn the_clock_decides_which_maintenances_are_due(kind: Db) {
    let (db, store) = fresh(kind).await;
    let s = store.as_ref();
    older_incidents_and_a_maintenance(s).await;
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
    db.drop_database().await;
}

/// Tokens are found by hash, touched and revoked once; the audit log filters by actor.
async fn tokens_are_found_touched_and_revoked_once_and_audited(kind: Db) {
    let (db, store) = fresh(kind).await;
    let s = store.as_ref();
    group_and_leaf(s).await;
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
    db.drop_database().await;
}

/// Users and sessions: unique names, found by name and id, sessions touched and deleted.
async fn users_and_sessions_round_trip(kind: Db) {
    let (db, store) = fresh(kind).await;
    let s = store.as_ref();
    let user = ana();
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
    let session = session_of(&user);
    s.apply(vec![Op::InsertSession(session.clone())], None)
        .await
        .unwrap();
    assert_eq!(s.session("sess").await.unwrap(), Some(session.clone()));
    assert_eq!(s.user_by_id(&user.id).await.unwrap(), Some(user.clone()));
    assert_eq!(s.user_by_id("nobody").await.unwrap(), None);
    let bea = bea(&user);
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
    db.drop_database().await;
}

/// Expired sessions are swept; live ones stay.
async fn expired_sessions_are_swept_and_live_ones_stay(kind: Db) {
    let (db, store) = fresh(kind).await;
    let s = store.as_ref();
    let user = ana();
    s.apply(vec![Op::InsertUser(user.clone())], None)
        .await
        .unwrap();
    let session = session_of(&user);
    s.apply(
        vec![
            Op::InsertSession(expiring(&session, "old", "2024-03-02T00:00:00Z")),
            Op::InsertSession(expiring(&session, "edge", "2024-03-03T00:00:00Z")),
            Op::InsertSession(expiring(&session, "live", "2024-03-03T00:00:00.001Z")),
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
    db.drop_database().await;
}

/// Disabling a user; all their sessions end at once; the last active admin stays enabled.
async fn disabling_a_user_ends_their_sessions_and_the_last_admin_stays_enabled(kind: Db) {
    let (db, store) = fresh(kind).await;
    let s = store.as_ref();
    let user = ana();
    let session = session_of(&user);
    s.apply(
        vec![
            Op::InsertUser(user.clone()),
            Op::InsertUser(bea(&user)),
            Op::InsertSession(expiring(&session, "live", "2024-03-03T00:00:00.001Z")),
        ],
        None,
    )
    .await
    .unwrap();
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
    db.drop_database().await;
}

/// Page settings upsert.
async fn page_settings_are_upserted(kind: Db) {
    let (db, store) = fresh(kind).await;
    let s = store.as_ref();
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
    db.drop_database().await;
}

/// Migrations are current, and the readiness probe writes everywhere and leaves nothing.
async fn migrations_are_current_and_the_probe_leaves_nothing(kind: Db) {
    let (db, store) = fresh(kind).await;
    let s = store.as_ref();
    incident_with_detail(s).await;
    assert!(s.migration_report().await.unwrap().is_current());
    let before = s.count(CountedTable::Incidents).await.unwrap();
    assert_eq!(s.probe_writes().await.unwrap(), Ok(()));
    assert_eq!(s.count(CountedTable::Incidents).await.unwrap(), before);
    db.drop_database().await;
}

async fn instances_starting_together_migrate_once(kind: Db) {
    let db = TestDb::of(kind).await;
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

crate::helpers::register! {
    ; on_each_backend:
    rows_round_trip_exactly,
    a_failing_op_rolls_back_the_whole_list,
    a_reference_to_a_missing_row_is_reported_as_such,
    status_changes_move_the_component_and_append_to_its_history,
    an_update_built_from_a_stale_read_is_refused,
    an_incident_detail_gathers_updates_revisions_postmortem_items_and_translations,
    incidents_list_newest_first_by_kind_status_component_time_and_limit,
    many_details_at_once_come_in_the_order_asked,
    the_clock_decides_which_maintenances_are_due,
    tokens_are_found_touched_and_revoked_once_and_audited,
    users_and_sessions_round_trip,
    expired_sessions_are_swept_and_live_ones_stay,
    disabling_a_user_ends_their_sessions_and_the_last_admin_stays_enabled,
    page_settings_are_upserted,
    migrations_are_current_and_the_probe_leaves_nothing,
    instances_starting_together_migrate_once,
}
