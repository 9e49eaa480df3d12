//! The page row, tokens, users, sessions and the audit log.

use chrono::{DateTime, Utc};

use super::{run, run_plain};
use crate::domain::{ApiToken, AuditEntry, PageSettings, Session, User};
use crate::store::sql::exec::{Exec, Stmt};
use crate::store::{StoreError, StoreResult};

pub async fn put_page(tx: &mut impl Exec, p: &PageSettings) -> StoreResult<()> {
    let stmt = Stmt::new(
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
    .bind(p.updated_at);
    run_plain(tx, stmt).await?;
    Ok(())
}

pub async fn insert_token(tx: &mut impl Exec, t: &ApiToken) -> StoreResult<()> {
    let stmt = Stmt::new(
        "INSERT INTO api_tokens (id, name, role, token_hash, created_at, last_used_at, \
         revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&t.id)
    .bind(&t.name)
    .bind(t.role.as_str())
    .bind(&t.token_hash)
    .bind(t.created_at)
    .bind(t.last_used_at)
    .bind(t.revoked_at);
    run(tx, stmt, "token").await?;
    Ok(())
}

pub async fn revoke_token(tx: &mut impl Exec, id: &str, at: &DateTime<Utc>) -> StoreResult<()> {
    let stmt =
        Stmt::new("UPDATE api_tokens SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
            .bind(id)
            .bind(at);
    if run_plain(tx, stmt).await? == 0 {
        return Err(StoreError::Missing(format!("active token {id}")));
    }
    Ok(())
}

/// The user's columns after `$1`..`$7`, in the order of [`USER_COLUMNS`].
fn bind_user(stmt: Stmt, u: &User) -> Stmt {
    stmt.bind(&u.id)
        .bind(&u.username)
        .bind(&u.password_hash)
        .bind(u.role.as_str())
        .bind(u.created_at)
        .bind(u.updated_at)
        .bind(u.disabled_at)
}

const USER_COLUMNS: &str =
    "users (id, username, password_hash, role, created_at, updated_at, disabled_at)";

pub async fn insert_user(tx: &mut impl Exec, u: &User) -> StoreResult<()> {
    let stmt = Stmt::new(format!(
        "INSERT INTO {USER_COLUMNS} VALUES ($1, $2, $3, $4, $5, $6, $7)"
    ));
    run(tx, bind_user(stmt, u), &format!("user {}", u.username)).await?;
    Ok(())
}

/// Inserts the user only while there is none; `Conflict` otherwise.
pub async fn insert_first_user(tx: &mut impl Exec, u: &User) -> StoreResult<()> {
    // Concurrent first users wait here for each other; the insert below then sees the users
    // committed meanwhile.
    run_plain(
        tx,
        Stmt::new("UPDATE page_settings SET updated_at = updated_at"),
    )
    .await?;
    let stmt = Stmt::new(format!(
        "INSERT INTO {USER_COLUMNS} SELECT $1, $2, $3, $4, $5, $6, $7 \
         WHERE NOT EXISTS (SELECT 1 FROM users)"
    ));
    if run_plain(tx, bind_user(stmt, u)).await? == 0 {
        return Err(StoreError::Conflict("the first user already exists".into()));
    }
    Ok(())
}

/// Disables a user or enables one again; never the last active admin.
pub async fn set_user_disabled(
    tx: &mut impl Exec,
    id: &str,
    disabled_at: &Option<DateTime<Utc>>,
    updated_at: &DateTime<Utc>,
) -> StoreResult<()> {
    if disabled_at.is_some() {
        // Lock the active admins first: a concurrent disabling waits here and then sees this
        // one's result.
        let lock = Stmt::new(
            "UPDATE users SET updated_at = updated_at \
             WHERE role = 'admin' AND disabled_at IS NULL",
        );
        run_plain(tx, lock).await?;
    }
    let stmt = Stmt::new(
        "UPDATE users SET disabled_at = $2, updated_at = $3 WHERE id = $1 \
         AND ($2 IS NULL OR role <> 'admin' OR EXISTS (SELECT 1 FROM users o \
         WHERE o.role = 'admin' AND o.disabled_at IS NULL AND o.id <> $1))",
    )
    .bind(id)
    .bind(disabled_at)
    .bind(updated_at);
    if run_plain(tx, stmt).await? == 0 {
        return Err(StoreError::Conflict(format!(
            "user {id} does not exist or is the last active admin"
        )));
    }
    Ok(())
}

pub async fn insert_session(tx: &mut impl Exec, s: &Session) -> StoreResult<()> {
    let stmt = Stmt::new(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(&s.id_hash)
    .bind(&s.user_id)
    .bind(&s.csrf_token)
    .bind(s.created_at)
    .bind(s.expires_at);
    run(tx, stmt, "session").await?;
    Ok(())
}

pub async fn delete_user_sessions(tx: &mut impl Exec, user_id: &str) -> StoreResult<()> {
    let stmt = Stmt::new("DELETE FROM sessions WHERE user_id = $1").bind(user_id);
    run_plain(tx, stmt).await?;
    Ok(())
}

pub async fn delete_session(tx: &mut impl Exec, id_hash: &str) -> StoreResult<()> {
    let stmt = Stmt::new("DELETE FROM sessions WHERE id_hash = $1").bind(id_hash);
    run_plain(tx, stmt).await?;
    Ok(())
}

pub async fn insert_audit(tx: &mut impl Exec, a: &AuditEntry) -> StoreResult<()> {
    let stmt = Stmt::new(
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
    .bind(a.after.as_ref().map(|v| v.to_string()));
    run(tx, stmt, "audit entry").await?;
    Ok(())
}
