//! Every read the store makes has a plan that does not grow with the history: SQLite's
//! `EXPLAIN QUERY PLAN` of each (`herald::store::reads::catalogue`, the very statements and
//! parameters the store methods run) shows no full scan of a table that grows with incidents.
//! The source is read too, so a new read builder missing from the catalogue, or a `SELECT`
//! written inline in the store's methods, fails here.

use std::collections::HashMap;

use chrono::{Duration, TimeZone, Utc};
use herald::domain::AuditEntry;
use herald::store::reads::{self, Param, Read};

use crate::helpers::{Db, TestDb};

/// Tables whose size grows with the history.
const GROWING: &[&str] = &[
    "incidents",
    "incident_components",
    "incident_updates",
    "update_component_changes",
    "update_revisions",
    "postmortems",
    "remediation_items",
    "translations",
    "component_status_history",
    "audit_log",
];

const KEYWORDS: &[&str] = &[
    "WHERE", "ORDER", "JOIN", "ON", "LEFT", "UNION", "LIMIT", "GROUP", "AS", "INNER",
];

/// alias or table name → table name, from the statement's FROM and JOIN clauses.
fn tables_of(sql: &str) -> HashMap<String, String> {
    let words: Vec<&str> = sql
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ',')
        .filter(|w| !w.is_empty())
        .collect();
    let mut names = HashMap::new();
    for (i, w) in words.iter().enumerate() {
        if (*w == "FROM" || *w == "JOIN") && i + 1 < words.len() {
            let table = words[i + 1].to_string();
            names.insert(table.clone(), table.clone());
            if let Some(alias) = words.get(i + 2) {
                if !KEYWORDS.contains(alias) && alias.chars().all(|c| c.is_ascii_lowercase()) {
                    names.insert(alias.to_string(), table);
                }
            }
        }
    }
    names
}

async fn plan_of(pool: &sqlx::SqlitePool, read: &Read) -> Vec<String> {
    let sql = format!("EXPLAIN QUERY PLAN {}", read.sql);
    let mut q = sqlx::query_as::<_, (i64, i64, i64, String)>(&sql);
    for p in &read.params {
        q = match p {
            Param::Text(s) => q.bind(s.clone()),
            Param::Int(n) => q.bind(*n),
            Param::Bool(b) => q.bind(*b),
            Param::Time(t) => q.bind(*t),
        };
    }
    q.fetch_all(pool)
        .await
        .unwrap_or_else(|e| panic!("cannot explain {}: {e}", read.sql))
        .into_iter()
        .map(|row| row.3)
        .collect()
}

/// Translations of the page and of components: their number does not grow with the history.
fn small_kind(read: &Read) -> bool {
    read.sql
        .contains("FROM translations t WHERE t.object_kind = $1 ORDER BY")
        && read
            .params
            .iter()
            .any(|p| matches!(p, Param::Text(k) if k == "page" || k == "component"))
}

/// What is wrong with a plan, if anything: a `SCAN` of a growing table, unless it walks an
/// index in the answer's order and stops at the statement's `LIMIT`.
fn faults(read: &Read, plan: &[String]) -> Vec<String> {
    let names = tables_of(&read.sql);
    let sorted = plan.iter().any(|d| d.starts_with("USE TEMP B-TREE"));
    let limited = read.sql.contains(" LIMIT ");
    let mut faults = Vec::new();
    // The statement's only condition is the one the index serves.
    let single_condition = read.sql.split(" WHERE ").nth(1).is_some_and(|w| {
        !w.split(" ORDER BY ")
            .next()
            .unwrap_or_default()
            .contains(" AND ")
    }) && read.sql.matches(" WHERE ").count() == 1;
    for detail in plan {
        // A search on a column of a handful of values reads a large part of the table, unless
        // it walks in the answer's order with nothing else to filter, up to a LIMIT.
        if let Some(rest) = detail.strip_prefix("SEARCH ") {
            // Most incidents are closed: a search by a closed status is a large one.
            let closed = read
                .params
                .iter()
                .any(|p| matches!(p, Param::Text(s) if s == "resolved" || s == "completed"));
            let weak = rest.ends_with("(kind=?)")
                || rest.ends_with("(object_kind=?)")
                || (closed && rest.ends_with("(status=?)"));
            let name = rest.split_whitespace().next().unwrap_or_default();
            if weak && !(limited && !sorted && single_condition) && !small_kind(read) {
                let table = names.get(name).cloned().unwrap_or_default();
                faults.push(format!("`{detail}` reads every row of a kind of {table}"));
            }
            continue;
        }
        let Some(rest) = detail.strip_prefix("SCAN ") else {
            continue;
        };
        let name = rest.split_whitespace().next().unwrap_or_default();
        let Some(table) = names.get(name) else {
            continue;
        };
        if !GROWING.contains(&table.as_str()) {
            continue;
        }
        // Without a filter: a filter the index does not serve could make the walk read all.
        let unfiltered = !read.sql.contains(" WHERE ");
        let ordered_walk =
            rest.contains(" USING ") && rest.contains("INDEX") && limited && !sorted && unfiltered;
        if !ordered_walk {
            faults.push(format!("`{detail}` reads all of {table}"));
        }
    }
    faults
}

async fn no_read_scans_a_table_that_grows_with_the_history() {
    let db = TestDb::sqlite().await;
    let store = herald::store::open(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    let pool = sqlx::SqlitePool::connect(&format!("sqlite:{}", db.url))
        .await
        .unwrap();
    let mut report = Vec::new();
    let catalogue = reads::catalogue();
    for (name, read) in &catalogue {
        let plan = plan_of(&pool, read).await;
        let found = faults(read, &plan);
        if !found.is_empty() {
            report.push(format!(
                "{name}: {}\n    {}\n    plan: {plan:?}",
                found.join("; "),
                read.sql
            ));
        }
    }
    pool.close().await;
    store.close().await;
    assert!(
        report.is_empty(),
        "reads that scan a growing table:\n{}",
        report.join("\n")
    );
}

/// The check itself bites: the queries this issue replaced are refused.
async fn the_plan_check_refuses_the_old_whole_table_queries() {
    let db = TestDb::sqlite().await;
    let store = herald::store::open(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    let pool = sqlx::SqlitePool::connect(&format!("sqlite:{}", db.url))
        .await
        .unwrap();
    let old = [
        "SELECT id, component_id FROM component_status_history WHERE at >= $1 \
         ORDER BY component_id, at, seq",
        "SELECT id FROM incidents WHERE ($1 IS NULL OR kind = $1) AND ($2 IS NULL OR started_at < $2) \
         ORDER BY started_at DESC, created_at DESC, id LIMIT 50",
        "SELECT id FROM incidents WHERE kind = $1 AND status IN ('investigating', 'identified') \
         ORDER BY started_at DESC, created_at DESC, id LIMIT 50",
        "SELECT t.object_id FROM translations t LEFT JOIN incident_updates u ON t.object_kind = 'update' \
         AND u.id = t.object_id WHERE (t.object_kind = 'incident' AND t.object_id IN ($1)) \
         OR (t.object_kind = 'update' AND u.incident_id IN ($1))",
    ];
    for sql in old {
        let read = Read {
            sql: sql.to_string(),
            params: vec![Param::Text("x".into())],
        };
        let plan = plan_of(&pool, &read).await;
        assert!(
            !faults(&read, &plan).is_empty(),
            "the check should refuse {sql}: {plan:?}"
        );
    }
    pool.close().await;
    store.close().await;
}

/// Every read builder is in the catalogue, and the store's methods write no SQL of their own.
fn every_read_is_in_the_catalogue() {
    let read = |file: &str| {
        std::fs::read_to_string(format!(
            "{}/src/store/sql/{file}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    };
    let source = read("reads.rs");
    let builders: Vec<&str> = source
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub fn "))
        .filter_map(|l| l.split('(').next())
        .filter(|name| *name != "catalogue")
        .collect();
    assert!(builders.len() > 20, "found the builders: {builders:?}");
    let named: Vec<String> = reads::catalogue()
        .into_iter()
        .map(|(name, _)| name.split(':').next().unwrap().to_string())
        .collect();
    for builder in &builders {
        assert!(
            named.iter().any(|n| n == builder),
            "reads::{builder} is not in reads::catalogue, so its plan is not checked"
        );
    }
    let implementation = read("store.rs") + &read("details.rs");
    for line in implementation.lines() {
        if line.contains("\"SELECT") {
            assert!(
                line.contains("_sqlx_migrations") || line.contains("CountedTable::"),
                "a SELECT written in the store's methods instead of in `reads`: {line}"
            );
        }
    }
}

fn audit(id: &str, at: chrono::DateTime<Utc>) -> AuditEntry {
    AuditEntry {
        id: id.into(),
        at,
        actor: "cli".into(),
        action: "test.write".into(),
        object_kind: "page".into(),
        object_id: "p".into(),
        before: None,
        after: None,
    }
}

/// The change marker follows the order writes commit in, not their audit times: a write that
/// commits after another but carries an earlier time (taken before a slow transaction, or by an
/// instance whose clock is behind) is still seen as a change by every instance.
async fn latest_change_names_the_last_committed_write_whatever_its_time(kind: Db) {
    let db = TestDb::of(kind).await;
    let store = herald::store::open(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    assert_eq!(store.latest_change().await.unwrap(), None, "{kind:?}");
    let noon = Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).unwrap();
    store
        .apply(vec![], Some(audit("a0000000000000000000000001", noon)))
        .await
        .unwrap();
    assert_eq!(
        store.latest_change().await.unwrap().as_deref(),
        Some("a0000000000000000000000001"),
        "{kind:?}"
    );
    store
        .apply(
            vec![],
            Some(audit(
                "a0000000000000000000000002",
                noon - Duration::seconds(5),
            )),
        )
        .await
        .unwrap();
    assert_eq!(
        store.latest_change().await.unwrap().as_deref(),
        Some("a0000000000000000000000002"),
        "{kind:?}: the later commit with the earlier time"
    );
    // A write that fails leaves the marker alone.
    assert!(store
        .apply(vec![], Some(audit("a0000000000000000000000002", noon)))
        .await
        .is_err());
    assert_eq!(
        store.latest_change().await.unwrap().as_deref(),
        Some("a0000000000000000000000002"),
        "{kind:?}"
    );
    store.close().await;
}

/// On PostgreSQL every catalogued read is valid SQL with its parameters (the plans there depend
/// on statistics, so only SQLite's are checked).
async fn every_catalogued_read_runs_on_postgres() {
    let db = TestDb::postgres().await;
    let store = herald::store::open(&db.url).await.unwrap();
    store.migrate().await.unwrap();
    let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
    for (name, read) in reads::catalogue() {
        let mut q = sqlx::query(&read.sql);
        for p in &read.params {
            q = match p {
                Param::Text(s) => q.bind(s.clone()),
                Param::Int(n) => q.bind(*n),
                Param::Bool(b) => q.bind(*b),
                Param::Time(t) => q.bind(*t),
            };
        }
        q.fetch_all(&pool)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}\n{}", read.sql));
    }
    pool.close().await;
    store.close().await;
}

crate::helpers::register! {
    no_read_scans_a_table_that_grows_with_the_history,
    the_plan_check_refuses_the_old_whole_table_queries,
    every_read_is_in_the_catalogue [sync],
    ; on_each_backend:
    latest_change_names_the_last_committed_write_whatever_its_time,
    ; on_postgres:
    every_catalogued_read_runs_on_postgres,
}
