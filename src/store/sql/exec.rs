//! What the SQL needs of a database: a statement with its values ([`Stmt`]), something that
//! runs one ([`Exec`]: a pool, or a transaction, [`Tx`]), and a row to read columns from
//! ([`Fields`]). `glue!` implements `Exec` and `Tx` for one concrete sqlx database; nothing
//! else in the store names one.

use std::borrow::Cow;
use std::str::FromStr;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use super::parse;
use super::reads::{Param, Read};
use crate::store::StoreResult;

/// A value bound to a placeholder (each variant binds as the Rust type it holds, so a `NULL`
/// keeps its column type on PostgreSQL).
#[derive(Debug, Clone)]
pub enum Value {
    Text(String),
    OptText(Option<String>),
    Int(i64),
    Bool(bool),
    Time(DateTime<Utc>),
    OptTime(Option<DateTime<Utc>>),
    OptDate(Option<NaiveDate>),
}

impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Text(v.to_string())
    }
}

impl From<&String> for Value {
    fn from(v: &String) -> Value {
        Value::Text(v.clone())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Text(v)
    }
}

impl From<Option<&str>> for Value {
    fn from(v: Option<&str>) -> Value {
        Value::OptText(v.map(str::to_string))
    }
}

impl From<Option<String>> for Value {
    fn from(v: Option<String>) -> Value {
        Value::OptText(v)
    }
}

impl From<&Option<String>> for Value {
    fn from(v: &Option<String>) -> Value {
        Value::OptText(v.clone())
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Int(v)
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Bool(v)
    }
}

impl From<DateTime<Utc>> for Value {
    fn from(v: DateTime<Utc>) -> Value {
        Value::Time(v)
    }
}

impl From<&DateTime<Utc>> for Value {
    fn from(v: &DateTime<Utc>) -> Value {
        Value::Time(*v)
    }
}

impl From<Option<DateTime<Utc>>> for Value {
    fn from(v: Option<DateTime<Utc>>) -> Value {
        Value::OptTime(v)
    }
}

impl From<&Option<DateTime<Utc>>> for Value {
    fn from(v: &Option<DateTime<Utc>>) -> Value {
        Value::OptTime(*v)
    }
}

impl From<Option<NaiveDate>> for Value {
    fn from(v: Option<NaiveDate>) -> Value {
        Value::OptDate(v)
    }
}

impl From<&Param> for Value {
    fn from(p: &Param) -> Value {
        match p {
            Param::Text(s) => Value::Text(s.clone()),
            Param::Int(n) => Value::Int(*n),
            Param::Bool(b) => Value::Bool(*b),
            Param::Time(t) => Value::Time(*t),
        }
    }
}

/// A statement and its values, `$1` first.
#[derive(Debug, Clone)]
pub struct Stmt {
    pub sql: Cow<'static, str>,
    pub values: Vec<Value>,
}

impl Stmt {
    pub fn new(sql: impl Into<Cow<'static, str>>) -> Stmt {
        Stmt {
            sql: sql.into(),
            values: Vec::new(),
        }
    }

    /// Binds the next placeholder.
    pub fn bind(mut self, value: impl Into<Value>) -> Stmt {
        self.values.push(value.into());
        self
    }
}

impl From<Read> for Stmt {
    fn from(read: Read) -> Stmt {
        Stmt {
            values: read.params.iter().map(Value::from).collect(),
            sql: read.sql.into(),
        }
    }
}

/// Runs statements: a pool (each on some connection) or a transaction.
#[async_trait]
pub trait Exec: Send {
    type Row: Fields + Send + Sync;
    /// Runs `stmt`; how many rows it changed.
    async fn execute(&mut self, stmt: &Stmt) -> Result<u64, sqlx::Error>;
    async fn fetch_all(&mut self, stmt: &Stmt) -> Result<Vec<Self::Row>, sqlx::Error>;
    async fn fetch_optional(&mut self, stmt: &Stmt) -> Result<Option<Self::Row>, sqlx::Error>;
    async fn fetch_one(&mut self, stmt: &Stmt) -> Result<Self::Row, sqlx::Error>;
}

/// A write transaction.
#[async_trait]
pub trait Tx: Exec + Sized {
    /// The row-lock clause of a `SELECT` that later writes depend on: ` FOR NO KEY UPDATE` on
    /// PostgreSQL (the lock an `UPDATE` of non-key columns takes, so it does not wait on the
    /// share locks that foreign-key checks of the same transactions hold, which would deadlock
    /// two writers); empty on SQLite, whose write transactions hold the whole database
    /// (`BEGIN IMMEDIATE` behind the in-process write lock).
    const FOR_UPDATE: &'static str;
    async fn commit(self) -> Result<(), sqlx::Error>;
    async fn rollback(self) -> Result<(), sqlx::Error>;
}

/// Reading a row's columns, by name (or position, for single-column results).
pub trait Fields {
    fn text(&self, column: &str) -> Result<String, sqlx::Error>;
    fn opt_text(&self, column: &str) -> Result<Option<String>, sqlx::Error>;
    fn int(&self, column: &str) -> Result<i64, sqlx::Error>;
    fn flag(&self, column: &str) -> Result<bool, sqlx::Error>;
    fn time(&self, column: &str) -> Result<DateTime<Utc>, sqlx::Error>;
    fn opt_time(&self, column: &str) -> Result<Option<DateTime<Utc>>, sqlx::Error>;
    fn opt_date(&self, column: &str) -> Result<Option<NaiveDate>, sqlx::Error>;
    fn bytes(&self, column: &str) -> Result<Vec<u8>, sqlx::Error>;
    fn int_at(&self, index: usize) -> Result<i64, sqlx::Error>;
    fn text_at(&self, index: usize) -> Result<String, sqlx::Error>;
    fn opt_text_at(&self, index: usize) -> Result<Option<String>, sqlx::Error>;

    /// A text column holding one of a domain enum's names.
    fn parsed<T: FromStr<Err = String>>(&self, column: &str) -> StoreResult<T> {
        parse(self.text(column)?)
    }

    fn opt_parsed<T: FromStr<Err = String>>(&self, column: &str) -> StoreResult<Option<T>> {
        self.opt_text(column)?.map(parse).transpose()
    }
}

impl<R> Fields for R
where
    R: sqlx::Row,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    usize: sqlx::ColumnIndex<R>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> bool: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> DateTime<Utc>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> NaiveDate: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Vec<u8>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    fn text(&self, column: &str) -> Result<String, sqlx::Error> {
        self.try_get(column)
    }
    fn opt_text(&self, column: &str) -> Result<Option<String>, sqlx::Error> {
        self.try_get(column)
    }
    fn int(&self, column: &str) -> Result<i64, sqlx::Error> {
        self.try_get(column)
    }
    fn flag(&self, column: &str) -> Result<bool, sqlx::Error> {
        self.try_get(column)
    }
    fn time(&self, column: &str) -> Result<DateTime<Utc>, sqlx::Error> {
        self.try_get(column)
    }
    fn opt_time(&self, column: &str) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
        self.try_get(column)
    }
    fn opt_date(&self, column: &str) -> Result<Option<NaiveDate>, sqlx::Error> {
        self.try_get(column)
    }
    fn bytes(&self, column: &str) -> Result<Vec<u8>, sqlx::Error> {
        self.try_get(column)
    }
    fn int_at(&self, index: usize) -> Result<i64, sqlx::Error> {
        self.try_get(index)
    }
    fn text_at(&self, index: usize) -> Result<String, sqlx::Error> {
        self.try_get(index)
    }
    fn opt_text_at(&self, index: usize) -> Result<Option<String>, sqlx::Error> {
        self.try_get(index)
    }
}

/// Implements [`Exec`] for the pool and [`Exec`] and [`Tx`] for a transaction of the sqlx
/// database `$db`, whose row-lock clause is `$for_update` (see [`Tx::FOR_UPDATE`]): the only
/// code that names a concrete database.
macro_rules! glue {
    ($db:ty, $for_update:literal) => {
        mod glue {
            use $crate::store::sql::exec::{Exec, Stmt, Tx, Value};

            type Query<'q> = sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments<'q>>;

            fn query(stmt: &Stmt) -> Query<'_> {
                let mut q = sqlx::query(&stmt.sql);
                for value in &stmt.values {
                    q = match value {
                        Value::Text(v) => q.bind(v.as_str()),
                        Value::OptText(v) => q.bind(v.as_deref()),
                        Value::Int(v) => q.bind(*v),
                        Value::Bool(v) => q.bind(*v),
                        Value::Time(v) => q.bind(*v),
                        Value::OptTime(v) => q.bind(*v),
                        Value::OptDate(v) => q.bind(*v),
                    };
                }
                q
            }

            type Row = <$db as sqlx::Database>::Row;

            #[async_trait::async_trait]
            impl Exec for sqlx::Pool<$db> {
                type Row = Row;
                async fn execute(&mut self, stmt: &Stmt) -> Result<u64, sqlx::Error> {
                    Ok(query(stmt).execute(&*self).await?.rows_affected())
                }
                async fn fetch_all(&mut self, stmt: &Stmt) -> Result<Vec<Row>, sqlx::Error> {
                    query(stmt).fetch_all(&*self).await
                }
                async fn fetch_optional(
                    &mut self,
                    stmt: &Stmt,
                ) -> Result<Option<Row>, sqlx::Error> {
                    query(stmt).fetch_optional(&*self).await
                }
                async fn fetch_one(&mut self, stmt: &Stmt) -> Result<Row, sqlx::Error> {
                    query(stmt).fetch_one(&*self).await
                }
            }

            #[async_trait::async_trait]
            impl Exec for sqlx::Transaction<'static, $db> {
                type Row = Row;
                async fn execute(&mut self, stmt: &Stmt) -> Result<u64, sqlx::Error> {
                    Ok(query(stmt).execute(&mut **self).await?.rows_affected())
                }
                async fn fetch_all(&mut self, stmt: &Stmt) -> Result<Vec<Row>, sqlx::Error> {
                    query(stmt).fetch_all(&mut **self).await
                }
                async fn fetch_optional(
                    &mut self,
                    stmt: &Stmt,
                ) -> Result<Option<Row>, sqlx::Error> {
                    query(stmt).fetch_optional(&mut **self).await
                }
                async fn fetch_one(&mut self, stmt: &Stmt) -> Result<Row, sqlx::Error> {
                    query(stmt).fetch_one(&mut **self).await
                }
            }

            #[async_trait::async_trait]
            impl Tx for sqlx::Transaction<'static, $db> {
                const FOR_UPDATE: &'static str = $for_update;
                async fn commit(self) -> Result<(), sqlx::Error> {
                    sqlx::Transaction::commit(self).await
                }
                async fn rollback(self) -> Result<(), sqlx::Error> {
                    sqlx::Transaction::rollback(self).await
                }
            }
        }
    };
}

pub(crate) use glue;
