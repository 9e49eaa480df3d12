//! The readiness probe: inserts and reads back a row in every table that receives new rows,
//! then updates each kind of row writes update, all in a transaction that is rolled back.

use chrono::{DateTime, Utc};

use super::exec::{Exec, Fields, Stmt, Tx};
use super::writes::{
    self, insert_audit, insert_component, insert_history, insert_incident, insert_item,
    insert_session, insert_token, insert_update, insert_user, put_postmortem, put_translation,
};
use crate::store::{ProbeFailure, StoreError, StoreResult};

mod records;

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

/// The ids of the probe's rows.
pub struct ProbeIds {
    pub component: String,
    pub incident: String,
    pub update: String,
    pub user: String,
    pub other: String,
}

impl ProbeIds {
    pub fn new() -> ProbeIds {
        ProbeIds {
            component: crate::ids::new_id(),
            incident: crate::ids::new_id(),
            update: crate::ids::new_id(),
            user: format!("readyz-{}", crate::ids::new_id()),
            other: crate::ids::new_id(),
        }
    }
}

/// Writes the probe rows and updates them; the caller rolls the transaction back.
pub async fn probe<T: Tx>(tx: &mut T) -> Result<(), ProbeFailure> {
    let ids = ProbeIds::new();
    let now = DateTime::<Utc>::UNIX_EPOCH;
    for table in PROBED_TABLES {
        if let Err(e) = probe_table(tx, table, &ids, now).await {
            tracing::error!(table, error = %e, "readiness probe cannot write");
            return Err(ProbeFailure {
                table: table.to_string(),
                reason: "cannot insert and read back a new row".to_string(),
            });
        }
    }
    probe_updates(tx, &ids).await
}

/// Inserts one probe row into `table` and reads it back.
async fn probe_table<T: Tx>(
    tx: &mut T,
    table: &str,
    p: &ProbeIds,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    insert_probe_row(tx, table, p, now).await?;
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
    let count = Stmt::new(format!("SELECT COUNT(*) FROM {table} WHERE {column} = $1")).bind(key);
    let found = tx.fetch_one(&count).await?.int_at(0)?;
    if found < 1 {
        return Err(StoreError::Corrupt(format!(
            "the row written to {table} cannot be read back"
        )));
    }
    Ok(())
}

async fn insert_probe_row<T: Tx>(
    tx: &mut T,
    table: &str,
    p: &ProbeIds,
    now: DateTime<Utc>,
) -> StoreResult<()> {
    match table {
        "components" => insert_component(tx, &records::component(p, now)).await,
        "component_status_history" => insert_history(tx, &records::status_change(p, now)).await,
        "incidents" => insert_incident(tx, &records::incident(p, now)).await,
        "incident_components" => {
            writes::add_incident_component(tx, &p.incident, &p.component, 1).await
        }
        "incident_updates" => insert_update(tx, &records::update(p, now)).await,
        "update_component_changes" => {
            let stmt = Stmt::new(
                "INSERT INTO update_component_changes (update_id, component_id, \
                 position, old_status, new_status) VALUES ($1, $2, 1, 'operational', 'operational')",
            )
            .bind(&p.update)
            .bind(&p.component);
            tx.execute(&stmt).await?;
            Ok(())
        }
        "update_revisions" => {
            let stmt = Stmt::new(
                "INSERT INTO update_revisions (id, update_id, message, display_at, \
                 replaced_at, replaced_by) VALUES ($1, $2, 'readyz probe', $3, $3, 'system')",
            )
            .bind(&p.other)
            .bind(&p.update)
            .bind(now);
            tx.execute(&stmt).await?;
            Ok(())
        }
        "postmortems" => put_postmortem(tx, &records::postmortem(p, now)).await,
        "remediation_items" => insert_item(tx, &records::item(p, now)).await,
        "translations" => put_translation(tx, &records::translation(p, now)).await,
        "api_tokens" => insert_token(tx, &records::token(p, now)).await,
        "users" => insert_user(tx, &records::user(p, now)).await,
        "sessions" => insert_session(tx, &records::session(p, now)).await,
        "audit_log" => insert_audit(tx, &records::audit(p, now)).await,
        other => Err(StoreError::Corrupt(format!("no probe for table {other}"))),
    }
}

/// Updates the probe row of every table that writes update (after `probe_table` made them).
async fn probe_updates(tx: &mut impl Exec, p: &ProbeIds) -> Result<(), ProbeFailure> {
    for (table, sql) in PROBED_UPDATES {
        let key = match *table {
            "page_settings" | "remediation_items" | "api_tokens" | "sessions" => &p.other,
            "components" => &p.component,
            "incidents" | "postmortems" | "translations" => &p.incident,
            "incident_updates" => &p.update,
            _ => &p.user,
        };
        let done = tx.execute(&Stmt::new(*sql).bind(key)).await;
        let failure = match done {
            Ok(rows) if rows > 0 || *table == "page_settings" => continue,
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
