//! PostgreSQL: for several instances behind a load balancer. Migrations take sqlx's advisory
//! lock, so instances starting together apply them once.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Connection, PgConnection, PgPool};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("migrations/postgres");

/// Connections in the pool.
const POOL_SIZE: u32 = 16;

pub struct PgStore {
    pool: PgPool,
    /// Held locks (`hold`) each keep a connection: at most half the pool, so the writes running
    /// under them always find connections for their reads and their transaction.
    lock_slots: std::sync::Arc<tokio::sync::Semaphore>,
}

impl PgStore {
    pub async fn connect(url: &str) -> anyhow::Result<PgStore> {
        let options = PgConnectOptions::from_str(url).map_err(|e| {
            anyhow::anyhow!("invalid PostgreSQL URL {}: {e}", super::redact_url(url))
        })?;
        let place = format!("{}:{}", options.get_host(), options.get_port());
        // One connection first: the pool retries a refused connection until its timeout and
        // then says only "pool timed out", where this says what happened at once.
        match tokio::time::timeout(CONNECT_TIMEOUT, PgConnection::connect_with(&options)).await {
            Err(_) => anyhow::bail!(
                "cannot connect to PostgreSQL at {place}: no answer within {} s",
                CONNECT_TIMEOUT.as_secs()
            ),
            Ok(Err(e)) => anyhow::bail!(
                "cannot connect to PostgreSQL at {place} ({}): {}",
                super::redact_url(url),
                describe(&e)
            ),
            Ok(Ok(connection)) => {
                let _ = connection.close().await;
            }
        }
        let pool = PgPoolOptions::new()
            .max_connections(POOL_SIZE)
            .acquire_timeout(CONNECT_TIMEOUT)
            .connect_with(options)
            .await
            .map_err(|e| {
                anyhow::anyhow!(
                    "cannot connect to PostgreSQL at {}: {e}",
                    super::redact_url(url)
                )
            })?;
        Ok(PgStore {
            pool,
            lock_slots: std::sync::Arc::new(tokio::sync::Semaphore::new(POOL_SIZE as usize / 2)),
        })
    }

    /// Runs raw SQL; for tests that sabotage or repair the schema.
    pub async fn execute_raw(&self, sql: &str) -> anyhow::Result<()> {
        sqlx::raw_sql(sql).execute(&self.pool).await?;
        Ok(())
    }
}

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A connection failure in words ("connection refused" rather than an I/O error's debug form).
fn describe(error: &sqlx::Error) -> String {
    match error {
        sqlx::Error::Io(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            "connection refused (is PostgreSQL running and listening there?)".to_string()
        }
        sqlx::Error::Io(e) => e.to_string(),
        other => other.to_string(),
    }
}

#[async_trait::async_trait]
impl super::sql::Engine for PgStore {
    type Pool = PgPool;
    type Tx = sqlx::Transaction<'static, sqlx::Postgres>;
    const BACKEND: super::Backend = super::Backend::Postgres;

    fn migrator() -> &'static sqlx::migrate::Migrator {
        &MIGRATOR
    }

    fn pool(&self) -> PgPool {
        self.pool.clone()
    }

    async fn begin(&self) -> Result<Self::Tx, sqlx::Error> {
        self.pool.begin_with("BEGIN").await
    }

    async fn close_pool(&self) {
        self.pool.close().await;
    }

    /// sqlx takes an advisory lock around the whole run, so concurrent starts are safe.
    async fn run_migrations(&self) -> Result<(), sqlx::migrate::MigrateError> {
        MIGRATOR.run(&self.pool).await
    }

    /// PostgreSQL needs no in-process write lock: row locks and `updated_at` checks suffice.
    async fn lock_writes(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        None
    }

    /// A transaction-scoped advisory lock on `key`, in a transaction of its own that lives as
    /// long as the guard: every instance on this database waits for it. Dropping the guard rolls
    /// the transaction back, which releases the lock. (The two-key form keeps these apart from
    /// the one-key lock sqlx takes for migrations.)
    async fn hold(&self, key: &str) -> super::StoreResult<Box<dyn Send>> {
        use sha2::Digest;
        // The key as a number, hashed here so no text of a request reaches the query.
        let digest = sha2::Sha256::digest(key.as_bytes());
        let number = i32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]);
        let slot = self
            .lock_slots
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| super::StoreError::Corrupt(format!("lock slots closed: {e}")))?;
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock(1213352012, $1)")
            .bind(number)
            .execute(&mut *tx)
            .await?;
        // Dropped in this order: the transaction (releasing the lock), then the slot.
        Ok(Box::new((tx, slot)))
    }
}

super::sql::glue!(sqlx::Postgres, " FOR NO KEY UPDATE");
