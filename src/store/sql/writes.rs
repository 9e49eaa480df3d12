//! The statements of every [`Op`], one function per family, run inside the write transaction.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::classify;
use super::exec::{Exec, Stmt, Tx};
use crate::domain::{
    Component, ComponentChange, ComponentStatus, Incident, Postmortem, RemediationItem, Revision,
    StatusChange, Translation, Update,
};
use crate::store::{Op, StoreError, StoreResult};

mod access;

pub use access::{insert_audit, insert_session, insert_token, insert_user, put_page};

/// Runs `stmt`, naming `what` in the error of a broken unique or foreign key.
async fn run(tx: &mut impl Exec, stmt: Stmt, what: &str) -> StoreResult<u64> {
    tx.execute(&stmt).await.map_err(|e| classify(e, what))
}

/// Runs `stmt`; every failure stays a database error.
async fn run_plain(tx: &mut impl Exec, stmt: Stmt) -> StoreResult<u64> {
    Ok(tx.execute(&stmt).await?)
}

/// An optimistic write that touched no row: the row changed since it was read, or is gone.
fn must_touch(rows: u64, what: &str) -> StoreResult<()> {
    if rows == 0 {
        Err(StoreError::Conflict(format!(
            "{what} changed since it was read, or no longer exists"
        )))
    } else {
        Ok(())
    }
}

/// Applies one op inside the transaction.
pub async fn apply_op<T: Tx>(tx: &mut T, op: &Op) -> StoreResult<()> {
    match op {
        Op::PutPage(p) => put_page(tx, p).await,
        Op::InsertComponent(c) => insert_component(tx, c).await,
        Op::UpdateComponent {
            component,
            expected_updated_at,
        } => update_component(tx, component, expected_updated_at).await,
        Op::SetComponentStatus { change } => set_component_status(tx, change).await,
        Op::InsertIncident(i) => insert_incident(tx, i).await,
        Op::UpdateIncident {
            incident,
            expected_updated_at,
        } => update_incident(tx, incident, expected_updated_at).await,
        Op::AddIncidentComponent {
            incident_id,
            component_id,
            position,
        } => add_incident_component(tx, incident_id, component_id, *position).await,
        Op::InsertUpdate(u) => insert_update(tx, u).await,
        Op::ReviseUpdate { update, revision } => revise_update(tx, update, revision).await,
        Op::PutPostmortem(p) => put_postmortem(tx, p).await,
        Op::InsertRemediationItem(r) => insert_item(tx, r).await,
        Op::UpdateRemediationItem(r) => update_item(tx, r).await,
        Op::PutTranslation(t) => put_translation(tx, t).await,
        Op::InsertToken(t) => insert_token(tx, t).await,
        Op::RevokeToken { id, at } => access::revoke_token(tx, id, at).await,
        Op::InsertUser(u) => insert_user(tx, u).await,
        Op::InsertFirstUser(u) => access::insert_first_user(tx, u).await,
        Op::SetUserDisabled {
            id,
            disabled_at,
            updated_at,
        } => access::set_user_disabled(tx, id, disabled_at, updated_at).await,
        Op::InsertSession(s) => insert_session(tx, s).await,
        Op::DeleteUserSessions { user_id } => access::delete_user_sessions(tx, user_id).await,
        Op::DeleteSession { id_hash } => access::delete_session(tx, id_hash).await,
    }
}

pub async fn insert_component(tx: &mut impl Exec, c: &Component) -> StoreResult<()> {
    let stmt = Stmt::new(
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
    .bind(&c.children_label);
    run(tx, stmt, "component").await?;
    Ok(())
}

/// Rewrites every column but status, if the row is unchanged since it was read.
async fn update_component(
    tx: &mut impl Exec,
    c: &Component,
    expected_updated_at: &DateTime<Utc>,
) -> StoreResult<()> {
    let stmt = Stmt::new(
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
    .bind(&c.children_label);
    must_touch(run(tx, stmt, "component").await?, "component")
}

/// The status a component has now, inside the transaction, with its row locked until the
/// transaction ends: a status change records what it really changed from.
async fn current_status<T: Tx>(
    tx: &mut T,
    component_id: &str,
) -> StoreResult<Option<ComponentStatus>> {
    let stmt = Stmt::new(format!(
        "SELECT status FROM components WHERE id = $1{}",
        T::FOR_UPDATE
    ))
    .bind(component_id);
    match tx.fetch_optional(&stmt).await? {
        Some(row) => Ok(Some(super::exec::Fields::parsed(&row, "status")?)),
        None => Ok(None),
    }
}

/// Sets a component's status and appends the change to its history.
async fn set_component_status<T: Tx>(tx: &mut T, change: &StatusChange) -> StoreResult<()> {
    // A change from a known status records the status the row has now (another writer may
    // have moved it since the service read it); the first entry of a new component
    // (`old_status: None`) stays as it is.
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
    let stmt = Stmt::new("UPDATE components SET status = $2, updated_at = $3 WHERE id = $1")
        .bind(&change.component_id)
        .bind(change.new_status.as_str())
        .bind(change.at);
    run_plain(tx, stmt).await?;
    insert_history(tx, &change).await
}

pub async fn insert_history(tx: &mut impl Exec, h: &StatusChange) -> StoreResult<()> {
    let stmt = Stmt::new(
        "INSERT INTO component_status_history (id, component_id, seq, old_status, \
         new_status, at, incident_id) SELECT $1, $2, COALESCE(MAX(seq), 0) + 1, $3, $4, $5, $6 \
         FROM component_status_history WHERE component_id = $2",
    )
    .bind(&h.id)
    .bind(&h.component_id)
    .bind(h.old_status.map(|s| s.as_str()))
    .bind(h.new_status.as_str())
    .bind(h.at)
    .bind(&h.incident_id);
    run(tx, stmt, "component status change").await?;
    Ok(())
}

/// Binds an incident's milestones, start, schedule and `auto_transition`, in that order.
fn bind_times(stmt: Stmt, i: &Incident) -> Stmt {
    let m = &i.milestones;
    stmt.bind(m.impact_started_at)
        .bind(m.detected_at)
        .bind(m.mitigated_at)
        .bind(m.impact_ended_at)
        .bind(m.monitoring_at)
        .bind(m.resolved_at)
        .bind(i.started_at)
        .bind(i.scheduled_for)
        .bind(i.scheduled_until)
        .bind(i.auto_transition)
}

pub async fn insert_incident(tx: &mut impl Exec, i: &Incident) -> StoreResult<()> {
    let stmt = Stmt::new(
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
    .bind(&i.symptom);
    let stmt = bind_times(stmt, i).bind(i.created_at).bind(i.updated_at);
    run(tx, stmt, "incident").await?;
    Ok(())
}

/// Rewrites the incident row if it is unchanged since it was read.
async fn update_incident(
    tx: &mut impl Exec,
    i: &Incident,
    expected_updated_at: &DateTime<Utc>,
) -> StoreResult<()> {
    let stmt = Stmt::new(
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
    .bind(&i.symptom);
    let stmt = bind_times(stmt, i)
        .bind(i.updated_at)
        .bind(expected_updated_at);
    must_touch(run(tx, stmt, "incident").await?, "incident")
}

pub async fn add_incident_component(
    tx: &mut impl Exec,
    incident_id: &str,
    component_id: &str,
    position: i64,
) -> StoreResult<()> {
    let stmt = Stmt::new(
        "INSERT INTO incident_components (incident_id, component_id, position) \
         VALUES ($1, $2, $3) ON CONFLICT (incident_id, component_id) DO NOTHING",
    )
    .bind(incident_id)
    .bind(component_id)
    .bind(position);
    run(tx, stmt, "affected component").await?;
    Ok(())
}

/// Inserts an update with the next `seq` of its incident. The incident's row is locked first,
/// so concurrent posts to one incident queue here instead of colliding on `seq`; each
/// component change records the status the component has inside this transaction (a change
/// to the status it already has is no change and is left out).
pub async fn insert_update<T: Tx>(tx: &mut T, u: &Update) -> StoreResult<()> {
    let lock = Stmt::new(format!(
        "SELECT id FROM incidents WHERE id = $1{}",
        T::FOR_UPDATE
    ))
    .bind(&u.incident_id);
    tx.fetch_optional(&lock).await?;
    // Lock the components in one order (by id), so two transactions never wait on each
    // other's rows.
    let mut ids: Vec<&str> = u
        .component_changes
        .iter()
        .map(|c| c.component_id.as_str())
        .collect();
    ids.sort_unstable();
    let mut current = BTreeMap::new();
    for id in ids {
        if let Some(status) = current_status(tx, id).await? {
            current.insert(id.to_string(), status);
        }
    }
    let stmt = Stmt::new(
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
    .bind(u.updated_at);
    run(tx, stmt, "update").await?;
    let mut position = 0_i64;
    for change in &u.component_changes {
        let old_status = current
            .get(&change.component_id)
            .copied()
            .unwrap_or(change.old_status);
        if old_status == change.new_status {
            continue;
        }
        position += 1;
        insert_change(
            tx,
            &u.id,
            &change.component_id,
            position,
            old_status,
            change,
        )
        .await?;
    }
    Ok(())
}

async fn insert_change(
    tx: &mut impl Exec,
    update_id: &str,
    component_id: &str,
    position: i64,
    old_status: ComponentStatus,
    change: &ComponentChange,
) -> StoreResult<()> {
    let stmt = Stmt::new(
        "INSERT INTO update_component_changes (update_id, component_id, position, \
         old_status, new_status) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(update_id)
    .bind(component_id)
    .bind(position)
    .bind(old_status.as_str())
    .bind(change.new_status.as_str());
    run(tx, stmt, "component change").await?;
    Ok(())
}

/// Corrects an update, keeping the old text as a revision; refused if the update changed
/// since it was read.
async fn revise_update(tx: &mut impl Exec, u: &Update, r: &Revision) -> StoreResult<()> {
    let stmt = Stmt::new(
        "INSERT INTO update_revisions (id, update_id, message, display_at, \
         replaced_at, replaced_by) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&r.id)
    .bind(&r.update_id)
    .bind(&r.message)
    .bind(r.display_at)
    .bind(r.replaced_at)
    .bind(&r.replaced_by);
    run(tx, stmt, "revision").await?;
    let stmt = Stmt::new(
        "UPDATE incident_updates SET message = $2, display_at = $3, \
         updated_at = $4 WHERE id = $1 AND message = $5 AND display_at = $6",
    )
    .bind(&u.id)
    .bind(&u.message)
    .bind(u.display_at)
    .bind(u.updated_at)
    .bind(&r.message)
    .bind(r.display_at);
    must_touch(run_plain(tx, stmt).await?, "update")
}

pub async fn put_postmortem(tx: &mut impl Exec, p: &Postmortem) -> StoreResult<()> {
    let stmt = Stmt::new(
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
    .bind(p.updated_at);
    run(tx, stmt, "postmortem").await?;
    Ok(())
}

/// Binds an item's title to `completed_at`, in the order of the columns.
fn bind_item_fields(stmt: Stmt, r: &RemediationItem) -> Stmt {
    stmt.bind(&r.title)
        .bind(&r.detail)
        .bind(r.category.as_str())
        .bind(r.state.as_str())
        .bind(&r.state_reason)
        .bind(r.due_on)
        .bind(&r.tracker_url)
        .bind(r.completed_at)
}

pub async fn insert_item(tx: &mut impl Exec, r: &RemediationItem) -> StoreResult<()> {
    let stmt = Stmt::new(
        "INSERT INTO remediation_items (id, incident_id, position, title, detail, \
         category, state, state_reason, due_on, tracker_url, completed_at, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(&r.id)
    .bind(&r.incident_id)
    .bind(r.position);
    let stmt = bind_item_fields(stmt, r)
        .bind(r.created_at)
        .bind(r.updated_at);
    run(tx, stmt, "remediation item").await?;
    Ok(())
}

async fn update_item(tx: &mut impl Exec, r: &RemediationItem) -> StoreResult<()> {
    let stmt = Stmt::new(
        "UPDATE remediation_items SET position = $2, title = $3, detail = $4, \
         category = $5, state = $6, state_reason = $7, due_on = $8, \
         tracker_url = $9, completed_at = $10, updated_at = $11 WHERE id = $1",
    )
    .bind(&r.id)
    .bind(r.position);
    let stmt = bind_item_fields(stmt, r).bind(r.updated_at);
    must_touch(run_plain(tx, stmt).await?, "remediation item")
}

pub async fn put_translation(tx: &mut impl Exec, t: &Translation) -> StoreResult<()> {
    let stmt = Stmt::new(
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
    .bind(t.updated_at);
    run(tx, stmt, "translation").await?;
    Ok(())
}
