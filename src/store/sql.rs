//! The SQL of Herald, once. `sql_store!` expands it for a concrete sqlx database, so SQLite and
//! PostgreSQL run the same statements (`$1` placeholders work in both) and the compiler checks
//! each expansion.

use std::str::FromStr;

use super::{StoreError, StoreResult};

pub(super) fn parse<T: FromStr<Err = String>>(value: String) -> StoreResult<T> {
    value.parse().map_err(StoreError::Corrupt)
}

pub(super) fn json_list(value: &str) -> StoreResult<Vec<String>> {
    serde_json::from_str(value).map_err(|e| StoreError::Corrupt(format!("list column: {e}")))
}

pub(super) fn json_value(value: Option<String>) -> StoreResult<Option<serde_json::Value>> {
    value
        .map(|v| serde_json::from_str(&v))
        .transpose()
        .map_err(|e| StoreError::Corrupt(format!("json column: {e}")))
}

/// Maps constraint violations to conflict/missing; everything else stays a database error.
pub(super) fn classify(err: sqlx::Error, what: &str) -> StoreError {
    if let sqlx::Error::Database(db) = &err {
        if db.is_unique_violation() {
            return StoreError::Conflict(format!("{what} already exists"));
        }
        if db.is_foreign_key_violation() {
            return StoreError::Missing(format!("{what} refers to a row that does not exist"));
        }
    }
    StoreError::Database(err)
}

/// The tables `/readyz` proves writable, in foreign-key order.
pub const PROBED_TABLES: &[&str] = &[
    "components",
    "component_status_history",
    "incidents",
    "incident_components",
    "incident_updates",
    "update_component_changes",
    "update_revisions",
    "postmortems",
    "remediation_items",
    "translations",
    "api_tokens",
    "users",
    "sessions",
    "audit_log",
];

/// `$for_update` is the row-lock clause of a `SELECT` that later writes depend on:
/// ` FOR NO KEY UPDATE` on PostgreSQL (the lock an `UPDATE` of non-key columns takes, so it does
/// not wait on the share locks that foreign-key checks of the same transactions hold, which
/// would deadlock two writers); empty on SQLite, whose write transactions hold the whole database
/// (`BEGIN IMMEDIATE` behind the in-process write lock).
/// The tables writes update, with a statement that updates the probe row `$1` in each (to
/// itself: triggers, permissions and constraints still run), in the order `/readyz` tries them.
/// The page's row exists only once the page is set up, so it may touch nothing.
pub const PROBED_UPDATES: &[(&str, &str)] = &[
    (
        "page_settings",
        "UPDATE page_settings SET updated_at = updated_at WHERE singleton = 1 AND id <> $1",
    ),
    (
        "components",
        "UPDATE components SET status = status, updated_at = updated_at WHERE id = $1",
    ),
    (
        "incidents",
        "UPDATE incidents SET updated_at = updated_at WHERE id = $1",
    ),
    (
        "incident_updates",
        "UPDATE incident_updates SET updated_at = updated_at WHERE id = $1",
    ),
    (
        "postmortems",
        "UPDATE postmortems SET updated_at = updated_at WHERE incident_id = $1",
    ),
    (
        "remediation_items",
        "UPDATE remediation_items SET updated_at = updated_at WHERE id = $1",
    ),
    (
        "translations",
        "UPDATE translations SET updated_at = updated_at WHERE object_id = $1",
    ),
    (
        "api_tokens",
        "UPDATE api_tokens SET revoked_at = revoked_at WHERE id = $1",
    ),
    (
        "users",
        "UPDATE users SET updated_at = updated_at WHERE id = $1",
    ),
    (
        "sessions",
        "UPDATE sessions SET expires_at = expires_at WHERE id_hash = $1",
    ),
    (
        "change_marker",
        "UPDATE change_marker SET audit_id = audit_id WHERE singleton = 1 AND $1 <> ''",
    ),
];

/// The SQL of every read the store makes, with its parameters, built here and only here: the
/// store methods run exactly these, and `catalogue` lists each with realistic arguments so a
/// test can check every plan (tests/it/query_plans.rs; it also notices a builder missing from
/// the catalogue, or a `SELECT` written inline in the store's methods).
///
/// Filters are added to the `WHERE` clause only when set (a `($1 IS NULL OR col = $1)` form
/// hides the column from the planner), so each shape of filter has its own plan and index.
pub mod reads {
    use chrono::{DateTime, Duration, TimeZone, Utc};

    use crate::domain::{IncidentKind, IncidentStatus, TranslatableKind};
    use crate::store::{AuditFilter, IncidentCursor, IncidentFilter};

    pub const INCIDENT_COLUMNS: &str = "id, kind, title, impact, status, locale, symptom, \
        impact_started_at, detected_at, mitigated_at, impact_ended_at, monitoring_at, \
        resolved_at, started_at, scheduled_for, scheduled_until, auto_transition, created_at, updated_at";
    pub const COMPONENT_COLUMNS: &str = "id, name, description, group_id, is_group, \
        children_label, position, status, only_show_if_degraded, showcase, start_date, \
        created_at, updated_at";
    pub const UPDATE_COLUMNS: &str = "u.id, u.incident_id, u.status, u.message, u.display_at, \
        u.next_update_by, u.created_at, u.updated_at";
    pub const ITEM_COLUMNS: &str = "id, incident_id, position, title, detail, category, state, \
        state_reason, due_on, tracker_url, completed_at, created_at, updated_at";
    const TRANSLATION_COLUMNS: &str = "t.object_kind, t.object_id, t.field, t.locale, t.text, \
        t.provenance, t.source_digest, t.updated_at";

    /// A bound value.
    #[derive(Debug, Clone)]
    pub enum Param {
        Text(String),
        Int(i64),
        Bool(bool),
        Time(DateTime<Utc>),
    }

    /// A statement and its parameters, `$1` first.
    #[derive(Debug, Clone)]
    pub struct Read {
        pub sql: String,
        pub params: Vec<Param>,
    }

    /// Collects parameters, handing out their placeholders.
    #[derive(Default)]
    struct Params(Vec<Param>);

    impl Params {
        fn add(&mut self, p: Param) -> String {
            self.0.push(p);
            format!("${}", self.0.len())
        }
        fn text(&mut self, s: &str) -> String {
            self.add(Param::Text(s.to_string()))
        }
        fn time(&mut self, t: DateTime<Utc>) -> String {
            self.add(Param::Time(t))
        }
        /// One placeholder per value, comma-separated.
        fn list<'a>(&mut self, values: impl IntoIterator<Item = &'a str>) -> String {
            values
                .into_iter()
                .map(|v| self.text(v))
                .collect::<Vec<_>>()
                .join(", ")
        }
        fn read(self, sql: String) -> Read {
            Read {
                sql,
                params: self.0,
            }
        }
    }

    fn fixed(sql: impl Into<String>, params: Vec<Param>) -> Read {
        Read {
            sql: sql.into(),
            params,
        }
    }

    /// An id that cannot exist matches nothing (and never reaches PostgreSQL with a NUL).
    fn id_or_nothing(id: &str) -> &str {
        if crate::ids::plausible(id) {
            id
        } else {
            ""
        }
    }

    fn where_all(conditions: &[String]) -> String {
        if conditions.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", conditions.join(" AND "))
        }
    }

    pub fn page() -> Read {
        fixed("SELECT * FROM page_settings WHERE singleton = 1", vec![])
    }

    pub fn components() -> Read {
        fixed(
            format!(
                "SELECT {COMPONENT_COLUMNS} FROM components \
                 ORDER BY COALESCE((SELECT g.position FROM components g WHERE g.id = components.group_id), position), \
                 group_id IS NOT NULL, position, created_at"
            ),
            vec![],
        )
    }

    pub fn component(id: &str) -> Read {
        fixed(
            format!("SELECT {COMPONENT_COLUMNS} FROM components WHERE id = $1"),
            vec![Param::Text(id.to_string())],
        )
    }

    /// Status changes since `since` (the uptime window) in time order: a range of the `at`
    /// index, or of the component's (the store then groups them by component; ordering by
    /// component here would make SQLite walk the whole component index to avoid that sort).
    pub fn status_history(component_id: Option<&str>, since: DateTime<Utc>) -> Read {
        let mut p = Params::default();
        let mut conditions = Vec::new();
        if let Some(id) = component_id {
            conditions.push(format!("component_id = {}", p.text(id_or_nothing(id))));
        }
        conditions.push(format!("at >= {}", p.time(since)));
        let sql = format!(
            "SELECT id, component_id, old_status, new_status, at, incident_id \
             FROM component_status_history{} ORDER BY at, seq",
            where_all(&conditions)
        );
        p.read(sql)
    }

    /// Incidents newest first (`started_at DESC, created_at DESC, id`), the order of the
    /// `incidents_order` and `incidents_kind_order` indexes walked backwards.
    pub fn incidents(f: &IncidentFilter) -> Read {
        let mut p = Params::default();
        let mut conditions = Vec::new();
        // A status belongs to one kind, so statuses given with a kind are narrowed to that
        // kind's and the kind condition is left out: the status index then serves the list
        // (the kind's index would walk every incident of the kind looking for them).
        let statuses: Vec<IncidentStatus> = f
            .statuses
            .iter()
            .copied()
            .filter(|s| f.kind.is_none_or(|k| s.kind() == k))
            .collect();
        match f.kind {
            Some(kind) if statuses.is_empty() => {
                conditions.push(format!("kind = {}", p.text(kind.as_str())));
            }
            _ => {}
        }
        if let Some(before) = f.before {
            conditions.push(format!("started_at < {}", p.time(before)));
        }
        if let Some(since) = f.since {
            conditions.push(format!("started_at >= {}", p.time(since)));
        }
        if !f.statuses.is_empty() && statuses.is_empty() {
            // None of the statuses is of the kind asked for.
            conditions.push("1 = 0".to_string());
        }
        if !statuses.is_empty() {
            let list = p.list(statuses.iter().map(|s| s.as_str()));
            conditions.push(format!("status IN ({list})"));
        }
        if !f.component_ids.is_empty() {
            let list = p.list(f.component_ids.iter().map(|c| id_or_nothing(c)));
            conditions.push(format!(
                "id IN (SELECT incident_id FROM incident_components WHERE component_id IN ({list}))"
            ));
        }
        if let Some(cursor) = &f.after {
            // After the cursor in the order below (keyset pagination); the first bound alone
            // is a range of the index, the rest picks the place inside equal start times.
            let s = p.time(cursor.started_at);
            let c = p.time(cursor.created_at);
            let i = p.text(&cursor.id);
            conditions.push(format!(
                "started_at <= {s} AND (started_at < {s} OR (started_at = {s} AND (created_at < {c} \
                 OR (created_at = {c} AND id > {i}))))"
            ));
        }
        let limit = p.add(Param::Int(f.limit));
        let sql = format!(
            "SELECT {INCIDENT_COLUMNS} FROM incidents{} \
             ORDER BY started_at DESC, created_at DESC, id LIMIT {limit}",
            where_all(&conditions)
        );
        p.read(sql)
    }

    pub fn incident_component_ids(incident_ids: &[String]) -> Read {
        let mut p = Params::default();
        let list = p.list(incident_ids.iter().map(String::as_str));
        let sql = format!(
            "SELECT incident_id, component_id FROM incident_components \
             WHERE incident_id IN ({list}) ORDER BY incident_id, position"
        );
        p.read(sql)
    }

    pub fn incident(id: &str) -> Read {
        fixed(
            format!("SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id = $1"),
            vec![Param::Text(id.to_string())],
        )
    }

    pub fn updates_of(incident_ids: &[String]) -> Read {
        let mut p = Params::default();
        let list = p.list(incident_ids.iter().map(String::as_str));
        let sql = format!(
            "SELECT {UPDATE_COLUMNS} FROM incident_updates u WHERE u.incident_id IN ({list}) \
             ORDER BY u.incident_id, u.display_at, u.seq"
        );
        p.read(sql)
    }

    /// The translations of incidents and everything they hold, with the incident each belongs
    /// to (`owner`): one index search per kind of object, never a pass over all translations.
    /// (`CROSS JOIN` makes SQLite start from the incidents' updates and items, as PostgreSQL's
    /// statistics do; otherwise it may start from every translation of the kind.)
    fn owned_translations(list: &str) -> String {
        format!(
            "SELECT {TRANSLATION_COLUMNS}, t.object_id AS owner FROM translations t \
             WHERE t.object_kind IN ('incident', 'postmortem') AND t.object_id IN ({list}) \
             UNION ALL SELECT {TRANSLATION_COLUMNS}, u.incident_id AS owner \
             FROM incident_updates u CROSS JOIN translations t \
             WHERE u.incident_id IN ({list}) AND t.object_kind = 'update' AND t.object_id = u.id \
             UNION ALL SELECT {TRANSLATION_COLUMNS}, r.incident_id AS owner \
             FROM remediation_items r CROSS JOIN translations t \
             WHERE r.incident_id IN ({list}) AND t.object_kind = 'remediation-item' AND t.object_id = r.id \
             ORDER BY locale, object_kind, object_id, field"
        )
    }

    pub fn translations_of_incidents(incident_ids: &[String]) -> Read {
        let mut p = Params::default();
        let list = p.list(incident_ids.iter().map(String::as_str));
        let sql = owned_translations(&list);
        p.read(sql)
    }

    /// The queries of `incident_details`, in the order it runs them; each binds the ids once.
    pub fn incident_details(ids: &[String]) -> Vec<(&'static str, Read)> {
        let mut p = Params::default();
        let list = p.list(ids.iter().map(String::as_str));
        let params = p.0;
        let read = |sql: String| Read {
            sql,
            params: params.clone(),
        };
        vec![
            (
                "incidents",
                read(format!(
                    "SELECT {INCIDENT_COLUMNS} FROM incidents WHERE id IN ({list})"
                )),
            ),
            (
                "links",
                read(format!(
                    "SELECT incident_id, component_id FROM incident_components \
                 WHERE incident_id IN ({list}) ORDER BY incident_id, position"
                )),
            ),
            (
                "updates",
                read(format!(
                "SELECT {UPDATE_COLUMNS} FROM incident_updates u WHERE u.incident_id IN ({list}) \
                 ORDER BY u.display_at, u.seq"
            )),
            ),
            (
                "changes",
                read(format!(
                    "SELECT c.update_id, c.component_id, c.old_status, c.new_status \
                 FROM update_component_changes c JOIN incident_updates u ON u.id = c.update_id \
                 WHERE u.incident_id IN ({list}) ORDER BY c.update_id, c.position"
                )),
            ),
            (
                "revisions",
                read(format!(
                "SELECT r.id, r.update_id, r.message, r.display_at, r.replaced_at, r.replaced_by \
                 FROM update_revisions r JOIN incident_updates u ON u.id = r.update_id \
                 WHERE u.incident_id IN ({list}) ORDER BY r.replaced_at, r.id"
            )),
            ),
            (
                "postmortems",
                read(format!(
                    "SELECT incident_id, summary, root_cause, resolution, state, published_at, \
                 created_at, updated_at FROM postmortems WHERE incident_id IN ({list})"
                )),
            ),
            (
                "items",
                read(format!(
                    "SELECT {ITEM_COLUMNS} FROM remediation_items WHERE incident_id IN ({list}) \
                 ORDER BY incident_id, position, created_at"
                )),
            ),
            ("translations", read(owned_translations(&list))),
        ]
    }

    pub fn update(id: &str) -> Read {
        fixed(
            format!("SELECT {UPDATE_COLUMNS} FROM incident_updates u WHERE u.id = $1"),
            vec![Param::Text(id.to_string())],
        )
    }

    pub fn remediation_item(id: &str) -> Read {
        fixed(
            format!("SELECT {ITEM_COLUMNS} FROM remediation_items WHERE id = $1"),
            vec![Param::Text(id.to_string())],
        )
    }

    pub fn translations(kind: TranslatableKind, object_id: &str) -> Read {
        fixed(
            format!(
                "SELECT {TRANSLATION_COLUMNS} FROM translations t WHERE t.object_kind = $1 \
                 AND t.object_id = $2 ORDER BY t.locale, t.field"
            ),
            vec![
                Param::Text(kind.as_str().into()),
                Param::Text(object_id.into()),
            ],
        )
    }

    /// Every translation of one kind: for the page and the components, whose number does not
    /// grow with the history (incidents' translations are read per listed incident).
    pub fn translations_of_kind(kind: TranslatableKind) -> Read {
        fixed(
            format!(
                "SELECT {TRANSLATION_COLUMNS} FROM translations t WHERE t.object_kind = $1 \
                 ORDER BY t.object_id, t.locale, t.field"
            ),
            vec![Param::Text(kind.as_str().into())],
        )
    }

    /// Statuses of incidents and maintenances that are not over and not merely scheduled.
    const OPEN_STATUSES: &str =
        "'investigating', 'identified', 'monitoring', 'in_progress', 'verifying'";

    /// Open incidents affecting a component: found among the open ones (the status index),
    /// not among everything the component was ever part of.
    pub fn open_incidents_affecting(component_id: &str) -> Read {
        fixed(
            format!(
                "SELECT i.id FROM incidents i WHERE i.status IN ({OPEN_STATUSES}) \
                 AND EXISTS (SELECT 1 FROM incident_components ic \
                 WHERE ic.incident_id = i.id AND ic.component_id = $1) ORDER BY i.id"
            ),
            vec![Param::Text(component_id.to_string())],
        )
    }

    /// Maintenances to move on (only maintenances have these statuses: the status index
    /// finds the few not yet completed).
    pub fn due_maintenances(now: DateTime<Utc>) -> Read {
        fixed(
            format!(
                "SELECT {INCIDENT_COLUMNS} FROM incidents \
                 WHERE status IN ('scheduled', 'in_progress', 'verifying') AND auto_transition = $2 \
                 AND ((status = 'scheduled' AND scheduled_for <= $1) \
                 OR (status IN ('in_progress', 'verifying') AND scheduled_until <= $1)) \
                 ORDER BY scheduled_for, id"
            ),
            vec![Param::Time(now), Param::Bool(true)],
        )
    }

    pub fn token_by_hash(hash: &str) -> Read {
        fixed(
            "SELECT * FROM api_tokens WHERE token_hash = $1",
            vec![Param::Text(hash.into())],
        )
    }

    pub fn tokens() -> Read {
        fixed("SELECT * FROM api_tokens ORDER BY created_at, id", vec![])
    }

    pub fn user_by_name(username: &str) -> Read {
        fixed(
            "SELECT * FROM users WHERE username = $1",
            vec![Param::Text(username.into())],
        )
    }

    pub fn user_count() -> Read {
        fixed("SELECT COUNT(*) FROM users", vec![])
    }

    pub fn user_by_id(id: &str) -> Read {
        fixed(
            "SELECT * FROM users WHERE id = $1",
            vec![Param::Text(id.into())],
        )
    }

    pub fn users() -> Read {
        fixed("SELECT * FROM users ORDER BY username", vec![])
    }

    pub fn session(id_hash: &str) -> Read {
        fixed(
            "SELECT * FROM sessions WHERE id_hash = $1",
            vec![Param::Text(id_hash.into())],
        )
    }

    /// The audit log newest first: the `(at, id)` index walked backwards, or the actor's or
    /// the object's entries.
    pub fn audit_log(f: &AuditFilter) -> Read {
        let mut p = Params::default();
        let mut conditions = Vec::new();
        if let Some(actor) = &f.actor {
            conditions.push(format!("actor = {}", p.text(actor)));
        }
        if let Some(kind) = &f.object_kind {
            conditions.push(format!("object_kind = {}", p.text(kind)));
        }
        if let Some(id) = &f.object_id {
            conditions.push(format!("object_id = {}", p.text(id)));
        }
        if let Some(before) = f.before {
            conditions.push(format!("at < {}", p.time(before)));
        }
        let limit = p.add(Param::Int(f.limit));
        let sql = format!(
            "SELECT * FROM audit_log{} ORDER BY at DESC, id DESC LIMIT {limit}",
            where_all(&conditions)
        );
        p.read(sql)
    }

    /// The audit id of the last committed write, from the one-row table the write sets.
    pub fn latest_change() -> Read {
        fixed(
            "SELECT audit_id FROM change_marker WHERE singleton = 1",
            vec![],
        )
    }

    /// Every read above with realistic arguments (each builder's name first, then the case),
    /// the way the pages, feeds, APIs, console and writes call them.
    pub fn catalogue() -> Vec<(String, Read)> {
        let now = Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap();
        let id = |n: u32| format!("0{n:025}");
        let ids: Vec<String> = (1..=50).map(id).collect();
        let cursor = IncidentCursor {
            started_at: now - Duration::days(40),
            created_at: now - Duration::days(40),
            id: id(7),
        };
        let open = vec![
            IncidentStatus::Investigating,
            IncidentStatus::Identified,
            IncidentStatus::Monitoring,
            IncidentStatus::Scheduled,
            IncidentStatus::InProgress,
            IncidentStatus::Verifying,
        ];
        let unresolved = vec![
            IncidentStatus::Investigating,
            IncidentStatus::Identified,
            IncidentStatus::Monitoring,
        ];
        let incident_lists: Vec<(&str, IncidentFilter)> = vec![
            (
                "open (home, badge, roll-up, console)",
                IncidentFilter {
                    statuses: open.clone(),
                    limit: 200,
                    ..Default::default()
                },
            ),
            (
                "last 14 days (home)",
                IncidentFilter {
                    kind: Some(IncidentKind::Incident),
                    since: Some(now - Duration::days(14)),
                    before: Some(now + Duration::minutes(1)),
                    limit: 201,
                    ..Default::default()
                },
            ),
            (
                "three months (history)",
                IncidentFilter {
                    since: Some(now - Duration::days(90)),
                    before: Some(now),
                    limit: 201,
                    ..Default::default()
                },
            ),
            (
                "three months after a cursor (history, next part)",
                IncidentFilter {
                    since: Some(now - Duration::days(90)),
                    before: Some(now),
                    limit: 201,
                    after: Some(cursor.clone()),
                    ..Default::default()
                },
            ),
            (
                "a component and its children (component page, feed)",
                IncidentFilter {
                    component_ids: vec![id(1), id(2), id(3)],
                    limit: 25,
                    ..Default::default()
                },
            ),
            (
                "a component before a date (component page, older)",
                IncidentFilter {
                    component_ids: vec![id(1)],
                    before: Some(now - Duration::days(30)),
                    limit: 25,
                    ..Default::default()
                },
            ),
            (
                "newest (feeds, console, /api/v1)",
                IncidentFilter {
                    limit: 50,
                    ..Default::default()
                },
            ),
            (
                "newest before a date (/api/v1)",
                IncidentFilter {
                    before: Some(now - Duration::days(30)),
                    limit: 50,
                    ..Default::default()
                },
            ),
            (
                "a kind (/api/v1, /api/v2)",
                IncidentFilter {
                    kind: Some(IncidentKind::Incident),
                    limit: 50,
                    ..Default::default()
                },
            ),
            (
                "a kind and statuses (/api/v2 unresolved, maintenances)",
                IncidentFilter {
                    kind: Some(IncidentKind::Incident),
                    statuses: unresolved,
                    limit: 50,
                    ..Default::default()
                },
            ),
            (
                "a status (/api/v1)",
                IncidentFilter {
                    statuses: vec![IncidentStatus::Resolved],
                    limit: 50,
                    ..Default::default()
                },
            ),
        ];
        let mut all: Vec<(String, Read)> = vec![
            ("page".into(), page()),
            ("components".into(), components()),
            ("component".into(), component(&id(1))),
            (
                "status_history: every component (uptime bars)".into(),
                status_history(None, now - Duration::days(90)),
            ),
            (
                "status_history: one component".into(),
                status_history(Some(&id(1)), now - Duration::days(90)),
            ),
        ];
        for (case, filter) in incident_lists {
            all.push((format!("incidents: {case}"), incidents(&filter)));
        }
        all.extend([
            (
                "incident_component_ids".into(),
                incident_component_ids(&ids),
            ),
            ("incident".into(), incident(&id(1))),
            ("updates_of".into(), updates_of(&ids)),
            (
                "translations_of_incidents".into(),
                translations_of_incidents(&ids),
            ),
        ]);
        for (part, read) in incident_details(&ids) {
            all.push((format!("incident_details: {part}"), read));
        }
        for (part, read) in incident_details(&ids[..1]) {
            all.push((format!("incident_details: {part} of one"), read));
        }
        all.extend([
            ("update".into(), update(&id(1))),
            ("remediation_item".into(), remediation_item(&id(1))),
            (
                "translations".into(),
                translations(TranslatableKind::Update, &id(1)),
            ),
            (
                "translations_of_kind: page".into(),
                translations_of_kind(TranslatableKind::Page),
            ),
            (
                "translations_of_kind: component".into(),
                translations_of_kind(TranslatableKind::Component),
            ),
            (
                "open_incidents_affecting".into(),
                open_incidents_affecting(&id(1)),
            ),
            ("due_maintenances".into(), due_maintenances(now)),
            ("token_by_hash".into(), token_by_hash("0123abcd")),
            ("tokens".into(), tokens()),
            ("user_by_name".into(), user_by_name("ada")),
            ("user_count".into(), user_count()),
            ("user_by_id".into(), user_by_id(&id(1))),
            ("users".into(), users()),
            ("session".into(), session("0123abcd")),
            (
                "audit_log: newest".into(),
                audit_log(&AuditFilter {
                    limit: 50,
                    ..Default::default()
                }),
            ),
            (
                "audit_log: older page".into(),
                audit_log(&AuditFilter {
                    before: Some(now),
                    limit: 50,
                    ..Default::default()
                }),
            ),
            (
                "audit_log: an actor".into(),
                audit_log(&AuditFilter {
                    actor: Some("user:ada".into()),
                    limit: 50,
                    ..Default::default()
                }),
            ),
            (
                "audit_log: an object".into(),
                audit_log(&AuditFilter {
                    object_kind: Some("incident".into()),
                    object_id: Some(id(1)),
                    limit: 50,
                    ..Default::default()
                }),
            ),
            ("latest_change".into(), latest_change()),
        ]);
        all
    }
}

macro_rules! sql_store {
    ($store:ident, $db:ty, $migrator:expr, $begin:literal, $for_update:literal) => {
        use async_trait::async_trait;
        use chrono::{DateTime, Utc};
        use sqlx::Row;

        use crate::domain::*;
        use crate::store::sql::{classify, json_list, json_value, parse, PROBED_TABLES, PROBED_UPDATES};
        use crate::store::sql::reads::{self, Param};

        /// Binds a read's parameters in order.
        macro_rules! bind_all {
            ($q:expr, $params:expr) => {{
                let mut q = $q;
                for p in $params {
                    q = match p {
                        Param::Text(s) => q.bind(s.clone()),
                        Param::Int(n) => q.bind(*n),
                        Param::Bool(b) => q.bind(*b),
                        Param::Time(t) => q.bind(*t),
                    };
                }
                q
            }};
        }
        use crate::store::*;

        type DbRow = <$db as sqlx::Database>::Row;
        type Tx<'a> = sqlx::Transaction<'a, $db>;



        fn page_from(row: &DbRow) -> StoreResult<PageSettings> {
            Ok(PageSettings {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                url: row.try_get("url")?,
                time_zone: row.try_get("time_zone")?,
                display_time_zones: json_list(&row.try_get::<String, _>("display_time_zones")?)?,
                default_locale: row.try_get("default_locale")?,
                locales: json_list(&row.try_get::<String, _>("locales")?)?,
                footer_markdown: row.try_get("footer_markdown")?,
                updated_at: row.try_get("updated_at")?,
            })
        }

        fn component_from(row: &DbRow) -> StoreResult<Component> {
            Ok(Component {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                description: row.try_get("description")?,
                group_id: row.try_get("group_id")?,
                is_group: row.try_get("is_group")?,
                children_label: row.try_get("children_label")?,
                position: row.try_get("position")?,
                status: parse(row.try_get("status")?)?,
                only_show_if_degraded: row.try_get("only_show_if_degraded")?,
                showcase: row.try_get("showcase")?,
                start_date: row.try_get("start_date")?,
                created_at: row.try_get("created_at")?,
                updated_at: row.try_get("updated_at")?,
            })
        }

        fn incident_from(row: &DbRow) -> StoreResult<Incident> {
            Ok(Incident {
                id: row.try_get("id")?,
                kind: parse(row.try_get("kind")?)?,
                title: row.try_get("title")?,
                impact: parse(row.try_get("impact")?)?,
                status: parse(row.try_get("status")?)?,
                locale: row.try_get("locale")?,
                symptom: row.try_get("symptom")?,
                milestones: Milestones {
                    impact_started_at: row.try_get("impact_started_at")?,
                    detected_at: row.try_get("detected_at")?,
                    mitigated_at: row.try_get("mitigated_at")?,
                    impact_ended_at: row.try_get("impact_ended_at")?,
                    monitoring_at: row.try_get("monitoring_at")?,
                    resolved_at: row.try_get("resolved_at")?,
                },
                started_at: row.try_get("started_at")?,
                scheduled_for: row.try_get("scheduled_for")?,
                scheduled_until: row.try_get("scheduled_until")?,
                auto_transition: row.try_get("auto_transition")?,
                created_at: row.try_get("created_at")?,
                updated_at: row.try_get("updated_at")?,
            })
        }

        fn update_from(row: &DbRow) -> StoreResult<Update> {
            Ok(Update {
                id: row.try_get("id")?,
                incident_id: row.try_get("incident_id")?,
                status: parse(row.try_get("status")?)?,
                message: row.try_get("message")?,
                display_at: row.try_get("display_at")?,
                next_update_by: row.try_get("next_update_by")?,
                created_at: row.try_get("created_at")?,
                updated_at: row.try_get("updated_at")?,
                component_changes: Vec::new(),
                revisions: Vec::new(),
            })
        }

        fn item_from(row: &DbRow) -> StoreResult<RemediationItem> {
            Ok(RemediationItem {
                id: row.try_get("id")?,
                incident_id: row.try_get("incident_id")?,
                position: row.try_get("position")?,
                title: row.try_get("title")?,
                detail: row.try_get("detail")?,
                category: parse(row.try_get("category")?)?,
                state: parse(row.try_get("state")?)?,
                state_reason: row.try_get("state_reason")?,
                due_on: row.try_get("due_on")?,
                tracker_url: row.try_get("tracker_url")?,
                completed_at: row.try_get("completed_at")?,
                created_at: row.try_get("created_at")?,
                updated_at: row.try_get("updated_at")?,
            })
        }

        fn translation_from(row: &DbRow) -> StoreResult<Translation> {
            Ok(Translation {
                kind: parse(row.try_get("object_kind")?)?,
                object_id: row.try_get("object_id")?,
                field: row.try_get("field")?,
                locale: row.try_get("locale")?,
                text: row.try_get("text")?,
                provenance: parse(row.try_get("provenance")?)?,
                source_digest: row.try_get("source_digest")?,
                updated_at: row.try_get("updated_at")?,
            })
        }

        fn token_from(row: &DbRow) -> StoreResult<ApiToken> {
            Ok(ApiToken {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                role: parse(row.try_get("role")?)?,
                token_hash: row.try_get("token_hash")?,
                created_at: row.try_get("created_at")?,
                last_used_at: row.try_get("last_used_at")?,
                revoked_at: row.try_get("revoked_at")?,
            })
        }

        fn user_from(row: &DbRow) -> StoreResult<User> {
            Ok(User {
                id: row.try_get("id")?,
                username: row.try_get("username")?,
                password_hash: row.try_get("password_hash")?,
                role: parse(row.try_get("role")?)?,
                created_at: row.try_get("created_at")?,
                updated_at: row.try_get("updated_at")?,
                disabled_at: row.try_get("disabled_at")?,
            })
        }

        fn history_from(row: &DbRow) -> StoreResult<StatusChange> {
            Ok(StatusChange {
                id: row.try_get("id")?,
                component_id: row.try_get("component_id")?,
                old_status: row
                    .try_get::<Option<String>, _>("old_status")?
                    .map(parse)
                    .transpose()?,
                new_status: parse(row.try_get("new_status")?)?,
                at: row.try_get("at")?,
                incident_id: row.try_get("incident_id")?,
            })
        }

        fn audit_from(row: &DbRow) -> StoreResult<AuditEntry> {
            Ok(AuditEntry {
                id: row.try_get("id")?,
                at: row.try_get("at")?,
                actor: row.try_get("actor")?,
                action: row.try_get("action")?,
                object_kind: row.try_get("object_kind")?,
                object_id: row.try_get("object_id")?,
                before: json_value(row.try_get("before_json")?)?,
                after: json_value(row.try_get("after_json")?)?,
            })
        }

        async fn insert_component(tx: &mut Tx<'_>, c: &Component) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO components (id, name, description, group_id, is_group, position, \
                 status, only_show_if_degraded, showcase, start_date, created_at, updated_at, \
                 children_label) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(&c.id)
            .bind(&c.name)
            .bind(&c.description)
            .bind(&c.group_id)
            .bind(c.is_group)
            .bind(c.position)
            .bind(c.status.as_str())
            .bind(c.only_show_if_degraded)
            .bind(c.showcase)
            .bind(c.start_date)
            .bind(c.created_at)
            .bind(c.updated_at)
            .bind(&c.children_label)
            .execute(&mut **tx)
            .await
            .map_err(|e| classify(e, "component"))?;
            Ok(())
        }

        async fn insert_history(tx: &mut Tx<'_>, h: &StatusChange) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO component_status_history (id, component_id, seq, old_status, \
                 new_status, at, incident_id) SELECT $1, $2, COALESCE(MAX(seq), 0) + 1, $3, $4, $5, $6 \
                 FROM component_status_history WHERE component_id = $2",
            )
            .bind(&h.id)
            .bind(&h.component_id)
            .bind(h.old_status.map(|s| s.as_str()))
            .bind(h.new_status.as_str())
            .bind(h.at)
            .bind(&h.incident_id)
            .execute(&mut **tx)
            .await
            .map_err(|e| classify(e, "component status change"))?;
            Ok(())
        }

        async fn insert_incident(tx: &mut Tx<'_>, i: &Incident) -> StoreResult<()> {
            let m = &i.milestones;
            sqlx::query(
                "INSERT INTO incidents (id, kind, title, impact, status, locale, symptom, \
                 impact_started_at, detected_at, mitigated_at, impact_ended_at, monitoring_at, \
                 resolved_at, started_at, scheduled_for, scheduled_until, auto_transition, \
                 created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
                 $12, $13, $14, $15, $16, $17, $18, $19)",
            )
            .bind(&i.id)
            .bind(i.kind.as_str())
            .bind(&i.title)
            .bind(i.impact.as_str())
            .bind(i.status.as_str())
            .bind(&i.locale)
            .bind(&i.symptom)
            .bind(m.impact_started_at)
            .bind(m.detected_at)
            .bind(m.mitigated_at)
            .bind(m.impact_ended_at)
            .bind(m.monitoring_at)
            .bind(m.resolved_at)
            .bind(i.started_at)
            .bind(i.scheduled_for)
            .bind(i.scheduled_until)
            .bind(i.auto_transition)
            .bind(i.created_at)
            .bind(i.updated_at)
            .execute(&mut **tx)
            .await
            .map_err(|e| classify(e, "incident"))?;
            Ok(())
        }

        /// The status a component has now, inside the transaction, with its row locked until
        /// the transaction ends: a status change records what it really changed from.
        async fn current_status(tx: &mut Tx<'_>, component_id: &str) -> StoreResult<Option<ComponentStatus>> {
            let status: Option<String> = sqlx::query_scalar(concat!(
                "SELECT status FROM components WHERE id = $1", $for_update
            ))
            .bind(component_id)
            .fetch_optional(&mut **tx)
            .await?;
            status.map(parse).transpose()
        }

        /// Inserts an update with the next `seq` of its incident. The incident's row is locked
        /// first, so concurrent posts to one incident queue here instead of colliding on `seq`;
        /// each component change records the status the component has inside this transaction
        /// (a change to the status it already has is no change and is left out).
        async fn insert_update(tx: &mut Tx<'_>, u: &Update) -> StoreResult<()> {
            sqlx::query(concat!("SELECT id FROM incidents WHERE id = $1", $for_update))
                .bind(&u.incident_id)
                .fetch_optional(&mut **tx)
                .await?;
            // Lock the components in one order (by id), so two transactions never wait on
            // each other's rows.
            let mut ids: Vec<&str> = u.component_changes.iter().map(|c| c.component_id.as_str()).collect();
            ids.sort_unstable();
            let mut current = std::collections::BTreeMap::new();
            for id in ids {
                if let Some(status) = current_status(tx, id).await? {
                    current.insert(id.to_string(), status);
                }
            }
            sqlx::query(
                "INSERT INTO incident_updates (id, incident_id, seq, status, message, display_at, \
                 next_update_by, created_at, updated_at) SELECT $1, $2, COALESCE(MAX(seq), 0) + 1, \
                 $3, $4, $5, $6, $7, $8 FROM incident_updates WHERE incident_id = $2",
            )
            .bind(&u.id)
            .bind(&u.incident_id)
            .bind(u.status.as_str())
            .bind(&u.message)
            .bind(u.display_at)
            .bind(u.next_update_by)
            .bind(u.created_at)
            .bind(u.updated_at)
            .execute(&mut **tx)
            .await
            .map_err(|e| classify(e, "update"))?;
            let mut position = 0_i64;
            for change in &u.component_changes {
                let old_status = current.get(&change.component_id).copied().unwrap_or(change.old_status);
                if old_status == change.new_status {
                    continue;
                }
                position += 1;
                sqlx::query(
                    "INSERT INTO update_component_changes (update_id, component_id, position, \
                     old_status, new_status) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(&u.id)
                .bind(&change.component_id)
                .bind(position)
                .bind(old_status.as_str())
                .bind(change.new_status.as_str())
                .execute(&mut **tx)
                .await
                .map_err(|e| classify(e, "component change"))?;
            }
            Ok(())
        }

        async fn insert_item(tx: &mut Tx<'_>, r: &RemediationItem) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO remediation_items (id, incident_id, position, title, detail, \
                 category, state, state_reason, due_on, tracker_url, completed_at, created_at, \
                 updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(&r.id)
            .bind(&r.incident_id)
            .bind(r.position)
            .bind(&r.title)
            .bind(&r.detail)
            .bind(r.category.as_str())
            .bind(r.state.as_str())
            .bind(&r.state_reason)
            .bind(r.due_on)
            .bind(&r.tracker_url)
            .bind(r.completed_at)
            .bind(r.created_at)
            .bind(r.updated_at)
            .execute(&mut **tx)
            .await
            .map_err(|e| classify(e, "remediation item"))?;
            Ok(())
        }

        async fn put_postmortem(tx: &mut Tx<'_>, p: &Postmortem) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO postmortems (incident_id, summary, root_cause, resolution, state, \
                 published_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (incident_id) DO UPDATE SET summary = excluded.summary, \
                 root_cause = excluded.root_cause, resolution = excluded.resolution, \
                 state = excluded.state, published_at = excluded.published_at, \
                 updated_at = excluded.updated_at",
            )
            .bind(&p.incident_id)
            .bind(&p.summary)
            .bind(&p.root_cause)
            .bind(&p.resolution)
            .bind(p.state.as_str())
            .bind(p.published_at)
            .bind(p.created_at)
            .bind(p.updated_at)
            .execute(&mut **tx)
            .await
            .map_err(|e| classify(e, "postmortem"))?;
            Ok(())
        }

        async fn put_translation(tx: &mut Tx<'_>, t: &Translation) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO translations (object_kind, object_id, field, locale, text, \
                 provenance, source_digest, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (object_kind, object_id, field, locale) DO UPDATE SET \
                 text = excluded.text, provenance = excluded.provenance, \
                 source_digest = excluded.source_digest, updated_at = excluded.updated_at",
            )
            .bind(t.kind.as_str())
            .bind(&t.object_id)
            .bind(&t.field)
            .bind(&t.locale)
            .bind(&t.text)
            .bind(t.provenance.as_str())
            .bind(&t.source_digest)
            .bind(t.updated_at)
            .execute(&mut **tx)
            .await
            .map_err(|e| classify(e, "translation"))?;
            Ok(())
        }

        async fn insert_token(tx: &mut Tx<'_>, t: &ApiToken) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO api_tokens (id, name, role, token_hash, created_at, last_used_at, \
                 revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&t.id)
            .bind(&t.name)
            .bind(t.role.as_str())
            .bind(&t.token_hash)
            .bind(t.created_at)
            .bind(t.last_used_at)
            .bind(t.revoked_at)
            .execute(&mut **tx)
            .await
            .map_err(|e| classify(e, "token"))?;
            Ok(())
        }

        async fn insert_user(tx: &mut Tx<'_>, u: &User) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO users (id, username, password_hash, role, created_at, updated_at, \
                 disabled_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&u.id)
            .bind(&u.username)
            .bind(&u.password_hash)
            .bind(u.role.as_str())
            .bind(u.created_at)
            .bind(u.updated_at)
            .bind(u.disabled_at)
            .execute(&mut **tx)
            .await
            .map_err(|e| classify(e, &format!("user {}", u.username)))?;
            Ok(())
        }

        async fn insert_session(tx: &mut Tx<'_>, s: &Session) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&s.id_hash)
            .bind(&s.user_id)
            .bind(&s.csrf_token)
            .bind(s.created_at)
            .bind(s.expires_at)
            .execute(&mut **tx)
            .await
            .map_err(|e| classify(e, "session"))?;
            Ok(())
        }

        async fn insert_audit(tx: &mut Tx<'_>, a: &AuditEntry) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO audit_log (id, at, actor, action, object_kind, object_id, \
                 before_json, after_json) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&a.id)
            .bind(a.at)
            .bind(&a.actor)
            .bind(&a.action)
            .bind(&a.object_kind)
            .bind(&a.object_id)
            .bind(a.before.as_ref().map(|v| v.to_string()))
            .bind(a.after.as_ref().map(|v| v.to_string()))
            .execute(&mut **tx)
            .await
            .map_err(|e| classify(e, "audit entry"))?;
            Ok(())
        }

        fn must_touch(rows: u64, what: &str) -> StoreResult<()> {
            if rows == 0 {
                Err(StoreError::Conflict(format!(
                    "{what} changed since it was read, or no longer exists"
                )))
            } else {
                Ok(())
            }
        }

        async fn apply_op(tx: &mut Tx<'_>, op: &Op) -> StoreResult<()> {
            match op {
                Op::PutPage(p) => {
                    sqlx::query(
                        "INSERT INTO page_settings (singleton, id, name, url, time_zone, \
                         display_time_zones, default_locale, locales, footer_markdown, updated_at) \
                         VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (singleton) \
                         DO UPDATE SET name = excluded.name, url = excluded.url, \
                         time_zone = excluded.time_zone, \
                         display_time_zones = excluded.display_time_zones, \
                         default_locale = excluded.default_locale, locales = excluded.locales, \
                         footer_markdown = excluded.footer_markdown, updated_at = excluded.updated_at",
                    )
                    .bind(&p.id)
                    .bind(&p.name)
                    .bind(&p.url)
                    .bind(&p.time_zone)
                    .bind(serde_json::to_string(&p.display_time_zones).unwrap_or_default())
                    .bind(&p.default_locale)
                    .bind(serde_json::to_string(&p.locales).unwrap_or_default())
                    .bind(&p.footer_markdown)
                    .bind(p.updated_at)
                    .execute(&mut **tx)
                    .await?;
                }
                Op::InsertComponent(c) => insert_component(tx, c).await?,
                Op::UpdateComponent {
                    component: c,
                    expected_updated_at,
                } => {
                    let done = sqlx::query(
                        "UPDATE components SET name = $2, description = $3, group_id = $4, \
                         position = $5, only_show_if_degraded = $6, showcase = $7, \
                         start_date = $8, updated_at = $9, children_label = $11 \
                         WHERE id = $1 AND updated_at = $10",
                    )
                    .bind(&c.id)
                    .bind(&c.name)
                    .bind(&c.description)
                    .bind(&c.group_id)
                    .bind(c.position)
                    .bind(c.only_show_if_degraded)
                    .bind(c.showcase)
                    .bind(c.start_date)
                    .bind(c.updated_at)
                    .bind(expected_updated_at)
                    .bind(&c.children_label)
                    .execute(&mut **tx)
                    .await
                    .map_err(|e| classify(e, "component"))?;
                    must_touch(done.rows_affected(), "component")?;
                }
                Op::SetComponentStatus { change } => {
                    // A change from a known status records the status the row has now (another
                    // writer may have moved it since the service read it); the first entry of
                    // a new component (`old_status: None`) stays as it is.
                    let Some(current) = current_status(tx, &change.component_id).await? else {
                        return Err(StoreError::Missing(format!(
                            "component {}",
                            change.component_id
                        )));
                    };
                    let mut change = change.clone();
                    if change.old_status.is_some() {
                        if current == change.new_status {
                            return Ok(());
                        }
                        change.old_status = Some(current);
                    }
                    sqlx::query(
                        "UPDATE components SET status = $2, updated_at = $3 WHERE id = $1",
                    )
                    .bind(&change.component_id)
                    .bind(change.new_status.as_str())
                    .bind(change.at)
                    .execute(&mut **tx)
                    .await?;
                    insert_history(tx, &change).await?;
                }
                Op::InsertIncident(i) => insert_incident(tx, i).await?,
                Op::UpdateIncident {
                    incident: i,
                    expected_updated_at,
                } => {
                    let m = &i.milestones;
                    let done = sqlx::query(
                        "UPDATE incidents SET title = $2, impact = $3, status = $4, symptom = $5, \
                         impact_started_at = $6, detected_at = $7, mitigated_at = $8, \
                         impact_ended_at = $9, monitoring_at = $10, resolved_at = $11, \
                         started_at = $12, scheduled_for = $13, scheduled_until = $14, \
                         auto_transition = $15, updated_at = $16 WHERE id = $1 AND updated_at = $17",
                    )
                    .bind(&i.id)
                    .bind(&i.title)
                    .bind(i.impact.as_str())
                    .bind(i.status.as_str())
                    .bind(&i.symptom)
                    .bind(m.impact_started_at)
                    .bind(m.detected_at)
                    .bind(m.mitigated_at)
                    .bind(m.impact_ended_at)
                    .bind(m.monitoring_at)
                    .bind(m.resolved_at)
                    .bind(i.started_at)
                    .bind(i.scheduled_for)
                    .bind(i.scheduled_until)
                    .bind(i.auto_transition)
                    .bind(i.updated_at)
                    .bind(expected_updated_at)
                    .execute(&mut **tx)
                    .await
                    .map_err(|e| classify(e, "incident"))?;
                    must_touch(done.rows_affected(), "incident")?;
                }
                Op::AddIncidentComponent {
                    incident_id,
                    component_id,
                    position,
                } => {
                    sqlx::query(
                        "INSERT INTO incident_components (incident_id, component_id, position) \
                         VALUES ($1, $2, $3) ON CONFLICT (incident_id, component_id) DO NOTHING",
                    )
                    .bind(incident_id)
                    .bind(component_id)
                    .bind(position)
                    .execute(&mut **tx)
                    .await
                    .map_err(|e| classify(e, "affected component"))?;
                }
                Op::InsertUpdate(u) => insert_update(tx, u).await?,
                Op::ReviseUpdate { update: u, revision: r } => {
                    sqlx::query(
                        "INSERT INTO update_revisions (id, update_id, message, display_at, \
                         replaced_at, replaced_by) VALUES ($1, $2, $3, $4, $5, $6)",
                    )
                    .bind(&r.id)
                    .bind(&r.update_id)
                    .bind(&r.message)
                    .bind(r.display_at)
                    .bind(r.replaced_at)
                    .bind(&r.replaced_by)
                    .execute(&mut **tx)
                    .await
                    .map_err(|e| classify(e, "revision"))?;
                    let done = sqlx::query(
                        "UPDATE incident_updates SET message = $2, display_at = $3, \
                         updated_at = $4 WHERE id = $1 AND message = $5 AND display_at = $6",
                    )
                    .bind(&u.id)
                    .bind(&u.message)
                    .bind(u.display_at)
                    .bind(u.updated_at)
                    .bind(&r.message)
                    .bind(r.display_at)
                    .execute(&mut **tx)
                    .await?;
                    must_touch(done.rows_affected(), "update")?;
                }
                Op::PutPostmortem(p) => put_postmortem(tx, p).await?,
                Op::InsertRemediationItem(r) => insert_item(tx, r).await?,
                Op::UpdateRemediationItem(r) => {
                    let done = sqlx::query(
                        "UPDATE remediation_items SET position = $2, title = $3, detail = $4, \
                         category = $5, state = $6, state_reason = $7, due_on = $8, \
                         tracker_url = $9, completed_at = $10, updated_at = $11 WHERE id = $1",
                    )
                    .bind(&r.id)
                    .bind(r.position)
                    .bind(&r.title)
                    .bind(&r.detail)
                    .bind(r.category.as_str())
                    .bind(r.state.as_str())
                    .bind(&r.state_reason)
                    .bind(r.due_on)
                    .bind(&r.tracker_url)
                    .bind(r.completed_at)
                    .bind(r.updated_at)
                    .execute(&mut **tx)
                    .await?;
                    must_touch(done.rows_affected(), "remediation item")?;
                }
                Op::PutTranslation(t) => put_translation(tx, t).await?,
                Op::InsertToken(t) => insert_token(tx, t).await?,
                Op::RevokeToken { id, at } => {
                    let done = sqlx::query(
                        "UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL",
                    )
                    .bind(id)
                    .bind(at)
                    .execute(&mut **tx)
                    .await?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::Missing(format!("active token {id}")));
                    }
                }
                Op::InsertUser(u) => insert_user(tx, u).await?,
                Op::InsertFirstUser(u) => {
                    // Concurrent first users wait here for each other; the insert below then
                    // sees the users committed meanwhile.
                    sqlx::query("UPDATE page_settings SET updated_at = updated_at")
                        .execute(&mut **tx)
                        .await?;
                    let done = sqlx::query(
                        "INSERT INTO users (id, username, password_hash, role, created_at, \
                         updated_at, disabled_at) SELECT $1, $2, $3, $4, $5, $6, $7 \
                         WHERE NOT EXISTS (SELECT 1 FROM users)",
                    )
                    .bind(&u.id)
                    .bind(&u.username)
                    .bind(&u.password_hash)
                    .bind(u.role.as_str())
                    .bind(u.created_at)
                    .bind(u.updated_at)
                    .bind(u.disabled_at)
                    .execute(&mut **tx)
                    .await?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::Conflict("the first user already exists".into()));
                    }
                }
                Op::SetUserDisabled {
                    id,
                    disabled_at,
                    updated_at,
                } => {
                    if disabled_at.is_some() {
                        // Lock the active admins first: a concurrent disabling waits here and
                        // then sees this one's result.
                        sqlx::query(
                            "UPDATE users SET updated_at = updated_at \
                             WHERE role = 'admin' AND disabled_at IS NULL",
                        )
                        .execute(&mut **tx)
                        .await?;
                    }
                    let done = sqlx::query(
                        "UPDATE users SET disabled_at = $2, updated_at = $3 WHERE id = $1 \
                         AND ($2 IS NULL OR role <> 'admin' OR EXISTS (SELECT 1 FROM users o \
                         WHERE o.role = 'admin' AND o.disabled_at IS NULL AND o.id <> $1))",
                    )
                    .bind(id)
                    .bind(disabled_at)
                    .bind(updated_at)
                    .execute(&mut **tx)
                    .await?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::Conflict(format!(
                            "user {id} does not exist or is the last active admin"
                        )));
                    }
                }
                Op::InsertSession(s) => insert_session(tx, s).await?,
                Op::DeleteUserSessions { user_id } => {
                    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
                        .bind(user_id)
                        .execute(&mut **tx)
                        .await?;
                }
                Op::DeleteSession { id_hash } => {
                    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
                        .bind(id_hash)
                        .execute(&mut **tx)
                        .await?;
                }
            }
            Ok(())
        }

        /// Inserts one probe row into `table` and reads it back.
        async fn probe_table(tx: &mut Tx<'_>, table: &str, ids: &ProbeIds, now: DateTime<Utc>) -> StoreResult<()> {
            let p = ids;
            match table {
                "components" => insert_component(tx, &Component {
                    id: p.component.clone(), name: "readyz probe".into(), description: None,
                    group_id: None, is_group: false, children_label: None, position: 0,
                    status: ComponentStatus::Operational, only_show_if_degraded: false,
                    showcase: false, start_date: None, created_at: now, updated_at: now,
                }).await?,
                "component_status_history" => insert_history(tx, &StatusChange {
                    id: p.other.clone(), component_id: p.component.clone(), old_status: None,
                    new_status: ComponentStatus::Operational, at: now, incident_id: None,
                }).await?,
                "incidents" => insert_incident(tx, &Incident {
                    id: p.incident.clone(), kind: IncidentKind::Incident, title: "readyz probe".into(),
                    impact: Impact::None, status: IncidentStatus::Investigating, locale: "en".into(),
                    symptom: None, milestones: Milestones::default(), started_at: now,
                    scheduled_for: None, scheduled_until: None, auto_transition: false,
                    created_at: now, updated_at: now,
                }).await?,
                "incident_components" => apply_op(tx, &Op::AddIncidentComponent {
                    incident_id: p.incident.clone(), component_id: p.component.clone(), position: 1,
                }).await?,
                "incident_updates" => insert_update(tx, &Update {
                    id: p.update.clone(), incident_id: p.incident.clone(),
                    status: IncidentStatus::Investigating, message: "readyz probe".into(),
                    display_at: now, next_update_by: None, created_at: now, updated_at: now,
                    component_changes: vec![], revisions: vec![],
                }).await?,
                "update_component_changes" => {
                    sqlx::query("INSERT INTO update_component_changes (update_id, component_id, \
                        position, old_status, new_status) VALUES ($1, $2, 1, 'operational', 'operational')")
                        .bind(&p.update).bind(&p.component).execute(&mut **tx).await?;
                }
                "update_revisions" => {
                    sqlx::query("INSERT INTO update_revisions (id, update_id, message, display_at, \
                        replaced_at, replaced_by) VALUES ($1, $2, 'readyz probe', $3, $3, 'system')")
                        .bind(&p.other).bind(&p.update).bind(now).execute(&mut **tx).await?;
                }
                "postmortems" => put_postmortem(tx, &Postmortem {
                    incident_id: p.incident.clone(), summary: None, root_cause: "probe".into(),
                    resolution: "probe".into(), state: PostmortemState::Draft, published_at: None,
                    created_at: now, updated_at: now,
                }).await?,
                "remediation_items" => insert_item(tx, &RemediationItem {
                    id: p.other.clone(), incident_id: p.incident.clone(), position: 1,
                    title: "probe".into(), detail: None, category: RemediationCategory::Detect,
                    state: RemediationState::Planned, state_reason: None, due_on: None,
                    tracker_url: None, completed_at: None, created_at: now, updated_at: now,
                }).await?,
                "translations" => put_translation(tx, &Translation {
                    kind: TranslatableKind::Incident, object_id: p.incident.clone(),
                    field: "title".into(), locale: "fr".into(), text: "sonde".into(),
                    provenance: Provenance::Machine, source_digest: String::new(), updated_at: now,
                }).await?,
                "api_tokens" => insert_token(tx, &ApiToken {
                    id: p.other.clone(), name: "readyz probe".into(), role: Role::Translator,
                    token_hash: p.other.clone(), created_at: now, last_used_at: None, revoked_at: None,
                }).await?,
                "users" => insert_user(tx, &User {
                    id: p.user.clone(), username: p.user.clone(), password_hash: String::new(),
                    role: Role::Translator, created_at: now, updated_at: now, disabled_at: Some(now),
                }).await?,
                "sessions" => insert_session(tx, &Session {
                    id_hash: p.other.clone(), user_id: p.user.clone(), csrf_token: String::new(),
                    created_at: now, expires_at: now,
                }).await?,
                "audit_log" => insert_audit(tx, &AuditEntry {
                    id: p.other.clone(), at: now, actor: "system".into(), action: "readyz.probe".into(),
                    object_kind: "probe".into(), object_id: p.other.clone(), before: None, after: None,
                }).await?,
                other => return Err(StoreError::Corrupt(format!("no probe for table {other}"))),
            }
            let (column, key) = match table {
                "components" => ("id", &p.component),
                "incidents" => ("id", &p.incident),
                "incident_components" | "postmortems" => ("incident_id", &p.incident),
                "translations" => ("object_id", &p.incident),
                "incident_updates" => ("id", &p.update),
                "update_component_changes" => ("update_id", &p.update),
                "users" => ("id", &p.user),
                "sessions" => ("user_id", &p.user),
                _ => ("id", &p.other),
            };
            let sql = format!("SELECT COUNT(*) FROM {table} WHERE {column} = $1");
            let found: i64 = sqlx::query_scalar(&sql).bind(key).fetch_one(&mut **tx).await?;
            if found < 1 {
                return Err(StoreError::Corrupt(format!("the row written to {table} cannot be read back")));
            }
            Ok(())
        }

        /// Updates the probe row of every table that writes update (after `probe_table` made
        /// them).
        async fn probe_updates(tx: &mut Tx<'_>, p: &ProbeIds) -> Result<(), ProbeFailure> {
            for (table, sql) in PROBED_UPDATES {
                let key = match *table {
                    "page_settings" | "remediation_items" | "api_tokens" | "sessions" => &p.other,
                    "components" => &p.component,
                    "incidents" | "postmortems" | "translations" => &p.incident,
                    "incident_updates" => &p.update,
                    _ => &p.user,
                };
                let done = sqlx::query(sql).bind(key).execute(&mut **tx).await;
                let failure = match done {
                    Ok(done) if done.rows_affected() > 0 || *table == "page_settings" => continue,
                    Ok(_) => "the updated row was not found".to_string(),
                    Err(e) => e.to_string(),
                };
                tracing::error!(table, error = %failure, "readiness probe cannot update");
                return Err(ProbeFailure {
                    table: table.to_string(),
                    reason: "cannot update an existing row".to_string(),
                });
            }
            Ok(())
        }

        struct ProbeIds {
            component: String,
            incident: String,
            update: String,
            user: String,
            other: String,
        }

        #[async_trait]
        impl Store for $store {
            fn backend(&self) -> Backend {
                Self::BACKEND
            }

            async fn close(&self) {
                self.close_pool().await
            }

            async fn migrate(&self) -> StoreResult<()> {
                self.run_migrations(&$migrator).await.map_err(|e| StoreError::Database(e.into()))
            }

            async fn migration_report(&self) -> StoreResult<MigrationReport> {
                let applied: Vec<(i64, Vec<u8>, bool)> = match sqlx::query_as(
                    "SELECT version, checksum, success FROM _sqlx_migrations ORDER BY version",
                )
                .fetch_all(&self.pool)
                .await
                {
                    Ok(rows) => rows,
                    Err(sqlx::Error::Database(_)) => Vec::new(),
                    Err(e) => return Err(e.into()),
                };
                let known: Vec<_> = $migrator.iter().collect();
                let mut report = MigrationReport {
                    pending: vec![], unknown: vec![], modified: vec![], failed: vec![],
                };
                for m in &known {
                    match applied.iter().find(|a| a.0 == m.version) {
                        None => report.pending.push(m.version),
                        Some(a) if !a.2 => report.failed.push(m.version),
                        Some(a) if a.1.as_slice() != &*m.checksum => report.modified.push(m.version),
                        Some(_) => {}
                    }
                }
                for a in &applied {
                    if !known.iter().any(|m| m.version == a.0) {
                        report.unknown.push(a.0);
                    }
                }
                Ok(report)
            }

            async fn probe_writes(&self) -> StoreResult<Result<(), ProbeFailure>> {
                let _guard = self.lock_writes().await;
                let mut tx = self.pool.begin_with($begin).await?;
                let ids = ProbeIds {
                    component: crate::ids::new_id(),
                    incident: crate::ids::new_id(),
                    update: crate::ids::new_id(),
                    user: format!("readyz-{}", crate::ids::new_id()),
                    other: crate::ids::new_id(),
                };
                let now = DateTime::<Utc>::UNIX_EPOCH;
                let mut outcome = Ok(());
                for table in PROBED_TABLES {
                    if let Err(e) = probe_table(&mut tx, table, &ids, now).await {
                        tracing::error!(table, error = %e, "readiness probe cannot write");
                        outcome = Err(ProbeFailure {
                            table: table.to_string(),
                            reason: "cannot insert and read back a new row".to_string(),
                        });
                        break;
                    }
                }
                if outcome.is_ok() {
                    outcome = probe_updates(&mut tx, &ids).await;
                }
                tx.rollback().await?;
                Ok(outcome)
            }

            async fn exclusive(&self, key: &str) -> StoreResult<Box<dyn Send>> {
                self.hold(key).await
            }

            async fn apply(&self, ops: Vec<Op>, audit: Option<AuditEntry>) -> StoreResult<()> {
                let _guard = self.lock_writes().await;
                let mut tx = self.pool.begin_with($begin).await?;
                for op in &ops {
                    apply_op(&mut tx, op).await?;
                }
                if let Some(audit) = &audit {
                    insert_audit(&mut tx, audit).await?;
                    // Last, so the row is locked only while committing: writers of every
                    // instance pass here one at a time, in the order they commit, so the marker
                    // always names the last committed write (an audit row's `at` is taken
                    // before its transaction and by its own instance's clock: ordering by it
                    // could miss a write that committed late or on a slower clock).
                    sqlx::query("UPDATE change_marker SET audit_id = $1 WHERE singleton = 1")
                        .bind(&audit.id)
                        .execute(&mut *tx)
                        .await?;
                }
                tx.commit().await?;
                Ok(())
            }

            async fn page(&self) -> StoreResult<Option<PageSettings>> {
                let r = reads::page();
                bind_all!(sqlx::query(&r.sql), &r.params)
                    .fetch_optional(&self.pool)
                    .await?
                    .map(|r| page_from(&r))
                    .transpose()
            }

            async fn components(&self) -> StoreResult<Vec<Component>> {
                let r = reads::components();
                bind_all!(sqlx::query(&r.sql), &r.params)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(component_from)
                    .collect()
            }

            async fn component(&self, id: &str) -> StoreResult<Option<Component>> {
                if !crate::ids::plausible(id) {
                    return Ok(None);
                }
                let r = reads::component(id);
                bind_all!(sqlx::query(&r.sql), &r.params)
                    .fetch_optional(&self.pool)
                    .await?
                    .map(|r| component_from(&r))
                    .transpose()
            }

            async fn status_history(
                &self,
                component_id: Option<&str>,
                since: DateTime<Utc>,
            ) -> StoreResult<Vec<StatusChange>> {
                let r = reads::status_history(component_id, since);
                let mut changes = bind_all!(sqlx::query(&r.sql), &r.params)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(history_from)
                    .collect::<StoreResult<Vec<_>>>()?;
                // By component, each in time order (the sort is stable).
                changes.sort_by(|a, b| a.component_id.cmp(&b.component_id));
                Ok(changes)
            }

            async fn incidents(&self, f: &IncidentFilter) -> StoreResult<Vec<Incident>> {
                let r = reads::incidents(f);
                bind_all!(sqlx::query(&r.sql), &r.params)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(incident_from)
                    .collect()
            }

            async fn incident_component_ids(
                &self,
                incident_ids: &[String],
            ) -> StoreResult<Vec<(String, String)>> {
                if incident_ids.is_empty() {
                    return Ok(Vec::new());
                }
                let r = reads::incident_component_ids(incident_ids);
                Ok(bind_all!(sqlx::query_as::<_, (String, String)>(&r.sql), &r.params)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn incident(&self, id: &str) -> StoreResult<Option<Incident>> {
                if !crate::ids::plausible(id) {
                    return Ok(None);
                }
                let r = reads::incident(id);
                bind_all!(sqlx::query(&r.sql), &r.params)
                    .fetch_optional(&self.pool)
                    .await?
                    .map(|r| incident_from(&r))
                    .transpose()
            }

            async fn updates_of(&self, incident_ids: &[String]) -> StoreResult<Vec<Update>> {
                if incident_ids.is_empty() {
                    return Ok(Vec::new());
                }
                let r = reads::updates_of(incident_ids);
                bind_all!(sqlx::query(&r.sql), &r.params)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(update_from)
                    .collect()
            }

            async fn translations_of_incidents(&self, incident_ids: &[String]) -> StoreResult<Vec<Translation>> {
                if incident_ids.is_empty() {
                    return Ok(Vec::new());
                }
                let r = reads::translations_of_incidents(incident_ids);
                bind_all!(sqlx::query(&r.sql), &r.params)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(translation_from)
                    .collect()
            }

            async fn incident_detail(&self, id: &str) -> StoreResult<Option<IncidentDetail>> {
                Ok(self.incident_details(&[id.to_string()]).await?.pop())
            }

            async fn incident_details(&self, ids: &[String]) -> StoreResult<Vec<IncidentDetail>> {
                // Ids that cannot exist are skipped like unknown ones.
                let plausible: Vec<String> =
                    ids.iter().filter(|id| crate::ids::plausible(id)).cloned().collect();
                let ids = &plausible[..];
                if ids.is_empty() {
                    return Ok(Vec::new());
                }
                let mut queries = reads::incident_details(ids).into_iter().map(|(_, r)| r);
                let mut next = || {
                    queries
                        .next()
                        .ok_or_else(|| StoreError::Corrupt("incident_details: a query is missing".into()))
                };
                let r = next()?;
                let incidents: Vec<Incident> = bind_all!(sqlx::query(&r.sql), &r.params)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(incident_from)
                    .collect::<StoreResult<_>>()?;
                let r = next()?;
                let links: Vec<(String, String)> =
                    bind_all!(sqlx::query_as::<_, (String, String)>(&r.sql), &r.params)
                        .fetch_all(&self.pool)
                        .await?;
                let r = next()?;
                let mut updates: Vec<Update> = bind_all!(sqlx::query(&r.sql), &r.params)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(update_from)
                    .collect::<StoreResult<_>>()?;
                let r = next()?;
                for row in &bind_all!(sqlx::query(&r.sql), &r.params).fetch_all(&self.pool).await? {
                    let update_id: String = row.try_get("update_id")?;
                    if let Some(u) = updates.iter_mut().find(|u| u.id == update_id) {
                        u.component_changes.push(ComponentChange {
                            component_id: row.try_get("component_id")?,
                            old_status: parse(row.try_get("old_status")?)?,
                            new_status: parse(row.try_get("new_status")?)?,
                        });
                    }
                }
                let r = next()?;
                for row in &bind_all!(sqlx::query(&r.sql), &r.params).fetch_all(&self.pool).await? {
                    let update_id: String = row.try_get("update_id")?;
                    if let Some(u) = updates.iter_mut().find(|u| u.id == update_id) {
                        u.revisions.push(Revision {
                            id: row.try_get("id")?,
                            update_id,
                            message: row.try_get("message")?,
                            display_at: row.try_get("display_at")?,
                            replaced_at: row.try_get("replaced_at")?,
                            replaced_by: row.try_get("replaced_by")?,
                        });
                    }
                }
                let r = next()?;
                let postmortems: Vec<Postmortem> = bind_all!(sqlx::query(&r.sql), &r.params)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(|row| -> StoreResult<Postmortem> {
                        Ok(Postmortem {
                            incident_id: row.try_get("incident_id")?,
                            summary: row.try_get("summary")?,
                            root_cause: row.try_get("root_cause")?,
                            resolution: row.try_get("resolution")?,
                            state: parse(row.try_get("state")?)?,
                            published_at: row.try_get("published_at")?,
                            created_at: row.try_get("created_at")?,
                            updated_at: row.try_get("updated_at")?,
                        })
                    })
                    .collect::<StoreResult<_>>()?;
                let r = next()?;
                let items: Vec<RemediationItem> = bind_all!(sqlx::query(&r.sql), &r.params)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(item_from)
                    .collect::<StoreResult<_>>()?;
                let r = next()?;
                let mut translations: Vec<(String, Translation)> = Vec::new();
                for row in &bind_all!(sqlx::query(&r.sql), &r.params).fetch_all(&self.pool).await? {
                    translations.push((row.try_get("owner")?, translation_from(row)?));
                }
                // In the order asked for; unknown ids are skipped.
                Ok(ids
                    .iter()
                    .filter_map(|id| incidents.iter().find(|i| &i.id == id))
                    .map(|incident| {
                        let id = &incident.id;
                        IncidentDetail {
                            incident: incident.clone(),
                            component_ids: links
                                .iter()
                                .filter(|l| &l.0 == id)
                                .map(|l| l.1.clone())
                                .collect(),
                            updates: updates
                                .iter()
                                .filter(|u| &u.incident_id == id)
                                .cloned()
                                .collect(),
                            postmortem: postmortems.iter().find(|p| &p.incident_id == id).cloned(),
                            remediation_items: items
                                .iter()
                                .filter(|r| &r.incident_id == id)
                                .cloned()
                                .collect(),
                            translations: translations
                                .iter()
                                .filter(|t| &t.0 == id)
                                .map(|t| t.1.clone())
                                .collect(),
                        }
                    })
                    .collect())
            }

            async fn update(&self, id: &str) -> StoreResult<Option<Update>> {
                if !crate::ids::plausible(id) {
                    return Ok(None);
                }
                let r = reads::update(id);
                bind_all!(sqlx::query(&r.sql), &r.params)
                    .fetch_optional(&self.pool)
                    .await?
                    .map(|r| update_from(&r))
                    .transpose()
            }

            async fn remediation_item(&self, id: &str) -> StoreResult<Option<RemediationItem>> {
                if !crate::ids::plausible(id) {
                    return Ok(None);
                }
                let r = reads::remediation_item(id);
                bind_all!(sqlx::query(&r.sql), &r.params)
                    .fetch_optional(&self.pool)
                    .await?
                    .map(|r| item_from(&r))
                    .transpose()
            }

            async fn translations(
                &self,
                kind: TranslatableKind,
                object_id: &str,
            ) -> StoreResult<Vec<Translation>> {
                if !crate::ids::plausible(object_id) {
                    return Ok(Vec::new());
                }
                let r = reads::translations(kind, object_id);
                bind_all!(sqlx::query(&r.sql), &r.params)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(translation_from)
                    .collect()
            }

            async fn translations_of_kind(&self, kind: TranslatableKind) -> StoreResult<Vec<Translation>> {
                let r = reads::translations_of_kind(kind);
                bind_all!(sqlx::query(&r.sql), &r.params)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(translation_from)
                    .collect()
            }

            async fn open_incidents_affecting(&self, component_id: &str) -> StoreResult<Vec<String>> {
                if !crate::ids::plausible(component_id) {
                    return Ok(Vec::new());
                }
                let r = reads::open_incidents_affecting(component_id);
                Ok(bind_all!(sqlx::query_scalar(&r.sql), &r.params)
                    .fetch_all(&self.pool)
                    .await?)
            }

            async fn due_maintenances(&self, now: DateTime<Utc>) -> StoreResult<Vec<Incident>> {
                let r = reads::due_maintenances(now);
                bind_all!(sqlx::query(&r.sql), &r.params)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(incident_from)
                    .collect()
            }

            async fn token_by_hash(&self, hash: &str) -> StoreResult<Option<ApiToken>> {
                let r = reads::token_by_hash(hash);
                bind_all!(sqlx::query(&r.sql), &r.params)
                    .fetch_optional(&self.pool)
                    .await?
                    .map(|r| token_from(&r))
                    .transpose()
            }

            async fn tokens(&self) -> StoreResult<Vec<ApiToken>> {
                let r = reads::tokens();
                bind_all!(sqlx::query(&r.sql), &r.params)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(token_from)
                    .collect()
            }

            async fn touch_token(&self, id: &str, at: DateTime<Utc>) -> StoreResult<()> {
                let _guard = self.lock_writes().await;
                sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
                    .bind(id)
                    .bind(at)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn user_by_name(&self, username: &str) -> StoreResult<Option<User>> {
                // No stored name holds a NUL (names are validated), and PostgreSQL refuses one.
                if username.contains('\0') {
                    return Ok(None);
                }
                let r = reads::user_by_name(username);
                bind_all!(sqlx::query(&r.sql), &r.params)
                    .fetch_optional(&self.pool)
                    .await?
                    .map(|r| user_from(&r))
                    .transpose()
            }

            async fn user_count(&self) -> StoreResult<i64> {
                let r = reads::user_count();
                Ok(bind_all!(sqlx::query_scalar(&r.sql), &r.params)
                    .fetch_one(&self.pool)
                    .await?)
            }

            async fn user_by_id(&self, id: &str) -> StoreResult<Option<User>> {
                if !crate::ids::plausible(id) {
                    return Ok(None);
                }
                let r = reads::user_by_id(id);
                bind_all!(sqlx::query(&r.sql), &r.params)
                    .fetch_optional(&self.pool)
                    .await?
                    .map(|r| user_from(&r))
                    .transpose()
            }

            async fn users(&self) -> StoreResult<Vec<User>> {
                let r = reads::users();
                bind_all!(sqlx::query(&r.sql), &r.params)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(user_from)
                    .collect()
            }

            async fn touch_session(
                &self,
                id_hash: &str,
                expires_at: DateTime<Utc>,
            ) -> StoreResult<()> {
                let _guard = self.lock_writes().await;
                sqlx::query("UPDATE sessions SET expires_at = $2 WHERE id_hash = $1")
                    .bind(id_hash)
                    .bind(expires_at)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }

            async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> StoreResult<u64> {
                let _guard = self.lock_writes().await;
                let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                    .bind(now)
                    .execute(&self.pool)
                    .await?;
                Ok(done.rows_affected())
            }

            async fn session(&self, id_hash: &str) -> StoreResult<Option<Session>> {
                let r = reads::session(id_hash);
                bind_all!(sqlx::query(&r.sql), &r.params)
                    .fetch_optional(&self.pool)
                    .await?
                    .map(|row| -> StoreResult<Session> {
                        Ok(Session {
                            id_hash: row.try_get("id_hash")?,
                            user_id: row.try_get("user_id")?,
                            csrf_token: row.try_get("csrf_token")?,
                            created_at: row.try_get("created_at")?,
                            expires_at: row.try_get("expires_at")?,
                        })
                    })
                    .transpose()
            }

            async fn audit_log(&self, f: &AuditFilter) -> StoreResult<Vec<AuditEntry>> {
                let r = reads::audit_log(f);
                bind_all!(sqlx::query(&r.sql), &r.params)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(audit_from)
                    .collect()
            }

            async fn latest_change(&self) -> StoreResult<Option<String>> {
                let r = reads::latest_change();
                let marker: Option<Option<String>> = bind_all!(sqlx::query_scalar(&r.sql), &r.params)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(marker.flatten())
            }

            async fn count(&self, table: CountedTable) -> StoreResult<i64> {
                let sql = match table {
                    CountedTable::Components => "SELECT COUNT(*) FROM components",
                    CountedTable::Incidents => "SELECT COUNT(*) FROM incidents",
                    CountedTable::Updates => "SELECT COUNT(*) FROM incident_updates",
                    CountedTable::AuditLog => "SELECT COUNT(*) FROM audit_log",
                    CountedTable::Translations => "SELECT COUNT(*) FROM translations",
                };
                Ok(sqlx::query_scalar(sql).fetch_one(&self.pool).await?)
            }
        }
    };
}

pub(crate) use sql_store;
