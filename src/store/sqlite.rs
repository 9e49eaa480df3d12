//! SQLite: one file, WAL, full fsync on commit, foreign keys on. Writes are serialized in
//! process (and `BEGIN IMMEDIATE` across processes) so a transaction never fails half-way on a
//! lock upgrade.

use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use tokio::sync::{Mutex, MutexGuard};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/sqlite");

pub struct SqliteStore {
    pool: SqlitePool,
    write_lock: Mutex<()>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `url`: `sqlite:path`, `sqlite://path` or a
    /// plain file path.
    pub async fn open(url: &str) -> anyhow::Result<SqliteStore> {
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        let options = SqliteConnectOptions::from_str(&format!("sqlite:{path}"))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        // A new file is switched to WAL by whoever opens it first; another process opening it
        // at that very moment finds it locked for an instant, so try again briefly.
        let mut attempt = 0;
        let pool = loop {
            attempt += 1;
            match SqlitePoolOptions::new()
                .max_connections(8)
                // A failed COMMIT (a full disk: SQLITE_FULL) makes SQLite roll back by itself;
                // sqlx's ROLLBACK then fails and the connection comes back believing it is still
                // inside a transaction, refusing every `BEGIN` until restart. Such a connection
                // is closed here instead of handed out (a fresh one replaces it).
                .before_acquire(|conn, _| {
                    Box::pin(async move { Ok(!sqlx::Connection::is_in_transaction(conn)) })
                })
                .connect_with(options.clone())
                .await
            {
                Ok(pool) => break pool,
                Err(e) if attempt < 20 && e.to_string().contains("locked") => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(e) => anyhow::bail!("cannot open SQLite database {path}: {}", why(path, &e)),
            }
        };
        Ok(SqliteStore {
            pool,
            write_lock: Mutex::new(()),
        })
    }

    /// Runs raw SQL; for tests that sabotage or repair the schema.
    pub async fn execute_raw(&self, sql: &str) -> anyhow::Result<()> {
        sqlx::raw_sql(sql).execute(&self.pool).await?;
        Ok(())
    }
}

/// Why SQLite could not open `path`, in words: SQLite itself only says "unable to open database
/// file" (code 14), so look at the file and its directory.
fn why(path: &str, error: &sqlx::Error) -> String {
    let file = path.split('?').next().unwrap_or(path);
    let sqlite_says = error.to_string();
    if file.is_empty() || file.starts_with(":memory:") {
        return sqlite_says;
    }
    let file = std::path::Path::new(file);
    let dir = match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => std::path::Path::new("."),
    };
    if !dir.exists() {
        return format!("the directory {} does not exist", dir.display());
    }
    if !dir.is_dir() {
        return format!("{} is not a directory", dir.display());
    }
    if file.is_dir() {
        return format!("{} is a directory, not a database file", file.display());
    }
    let existed = file.exists();
    let probe = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(!existed)
        .truncate(false)
        .open(file);
    match probe {
        Ok(_) => {
            if !existed {
                let _ = std::fs::remove_file(file);
            }
            sqlite_says
        }
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied => {
            if existed {
                format!("permission denied: cannot write {}", file.display())
            } else {
                format!(
                    "permission denied: cannot create files in {}",
                    dir.display()
                )
            }
        }
        Err(e) => format!("{e} ({sqlite_says})"),
    }
}

#[async_trait::async_trait]
impl super::sql::Engine for SqliteStore {
    type Pool = SqlitePool;
    type Tx = sqlx::Transaction<'static, sqlx::Sqlite>;
    const BACKEND: super::Backend = super::Backend::Sqlite;

    fn migrator() -> &'static sqlx::migrate::Migrator {
        &MIGRATOR
    }

    fn pool(&self) -> SqlitePool {
        self.pool.clone()
    }

    /// `BEGIN IMMEDIATE`: the write lock is taken at once, so a transaction never fails
    /// half-way on a lock upgrade.
    async fn begin(&self) -> Result<Self::Tx, sqlx::Error> {
        self.pool.begin_with("BEGIN IMMEDIATE").await
    }

    /// Moves everything in the write-ahead log into the main file and closes the connections
    /// (the last one to close removes the `-wal` and `-shm` files), so a copy of the main file
    /// alone is a complete backup.
    async fn close_pool(&self) {
        let _writes = self.write_lock.lock().await;
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await
        {
            tracing::warn!(error = %e, "cannot checkpoint the SQLite write-ahead log");
        }
        self.pool.close().await;
    }

    /// SQLite has no advisory lock: when another process applies the same migration at the
    /// same moment, ours fails and rolls back; trying again finds it applied.
    async fn run_migrations(&self) -> Result<(), sqlx::migrate::MigrateError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match MIGRATOR.run(&self.pool).await {
                Err(e) if attempt < 5 => {
                    tracing::warn!(error = %e, attempt, "migration failed; retrying (another instance may be migrating)");
                    tokio::time::sleep(Duration::from_millis(100 * attempt)).await;
                }
                other => return other,
            }
        }
    }

    async fn lock_writes(&self) -> Option<MutexGuard<'_, ()>> {
        Some(self.write_lock.lock().await)
    }

    /// Nothing to hold beyond the service's in-process lock: one process serves a SQLite file
    /// (another process writing it still meets the `updated_at` checks).
    async fn hold(&self, _key: &str) -> super::StoreResult<Box<dyn Send>> {
        Ok(Box::new(()))
    }
}

super::sql::glue!(sqlx::Sqlite, "");
