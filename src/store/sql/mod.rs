//! The SQL of Herald, once, for SQLite and PostgreSQL alike (`$1` placeholders work in both):
//! the statements and row mapping are plain functions over [`exec::Exec`] (a connection that
//! runs a [`exec::Stmt`]) and [`exec::Fields`] (a row), and `Store` is implemented once for every
//! [`Engine`]. Only `exec::glue!` names the concrete sqlx types, in `sqlite.rs` and `postgres.rs`.
//!
//! - `reads`: the SQL of every read (and its catalogue, for the query-plan test);
//! - `rows`: rows to domain records;
//! - `writes`: the statements of every [`Op`](super::Op), one function per family;
//! - `probe`: the readiness probe's writes;
//! - `store`: the `Store` methods.

use std::str::FromStr;

use super::{StoreError, StoreResult};

mod details;
pub(super) mod exec;
mod probe;
pub mod reads;
mod rows;
mod store;
mod writes;

pub(super) use exec::glue;
pub(super) use store::Engine;

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
