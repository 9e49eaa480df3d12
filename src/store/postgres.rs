//! PostgreSQL: for several instances behind a load balancer. Migrations take sqlx's advisory
//! lock, so instances starting together apply them once.

use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::PgPool;

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
    const BACKEND: super::Backend = super::Backend::Postgres;

    pub async fn connect(url: &str) -> anyhow::Result<PgStore> {
        let pool = PgPoolOptions::new()
            .max_connections(POOL_SIZE)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
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

    /// sqlx takes an advisory lock around the whole run, so concurrent starts are safe.
    async fn run_migrations(
        &self,
        migrator: &sqlx::migrate::Migrator,
    ) -> Result<(), sqlx::migrate::MigrateError> {
        migrator.run(&self.pool).await
    }

    /// PostgreSQL needs no in-process write lock: row locks and `updated_at` checks suffice.
    async fn lock_writes(&self) {}

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

    /// Runs raw SQL; for tests that sabotage or repair the schema.
    pub async fn execute_raw(&self, sql: &str) -> anyhow::Result<()> {
        sqlx::raw_sql(sql).execute(&self.pool).await?;
        Ok(())
    }
}

super::sql::sql_store!(
    PgStore,
    sqlx::Postgres,
    MIGRATOR,
    "BEGIN",
    " FOR NO KEY UPDATE"
);
