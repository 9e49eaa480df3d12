//! The SQL of every read the store makes, with its parameters, built here and only here: the
//! store methods run exactly these, and `catalogue` lists each with realistic arguments so a
//! test can check every plan (tests/it/query_plans.rs; it also notices a builder missing from
//! the catalogue, or a `SELECT` written inline in the store's methods).
//!
//! Filters are added to the `WHERE` clause only when set (a `($1 IS NULL OR col = $1)` form
//! hides the column from the planner), so each shape of filter has its own plan and index.

use chrono::{DateTime, Utc};

use crate::domain::{IncidentStatus, TranslatableKind};
use crate::store::{AuditFilter, IncidentFilter};

mod catalogue;

pub use catalogue::catalogue;

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

/// Statuses of incidents and maintenances that are not over and not merely scheduled, as a
/// list of SQL literals.
fn open_statuses() -> String {
    IncidentStatus::OPEN
        .iter()
        .filter(|s| **s != IncidentStatus::Scheduled)
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Open incidents affecting a component: found among the open ones (the status index),
/// not among everything the component was ever part of.
pub fn open_incidents_affecting(component_id: &str) -> Read {
    let open = open_statuses();
    fixed(
        format!(
            "SELECT i.id FROM incidents i WHERE i.status IN ({open}) \
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
