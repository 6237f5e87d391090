//! The baselines the push is compared with: the same rows inserted plainly, in the same run,
//! into the same kind of database as the server's, in a table of the same shape as its
//! `fields`. The push's rate as a share of the baseline's is what the budget speaks of.

use std::collections::hash_map::{Entry, HashMap};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use model::wire::Change;

/// Where a baseline round writes.
pub enum Target {
    /// A fresh SQLite file.
    Sqlite(PathBuf),
    /// A fresh database of the bench's PostgreSQL cluster (the server's cluster).
    Postgres(String),
}

impl Target {
    pub fn describe(&self) -> &'static str {
        match self {
            Target::Sqlite(_) => "the same rows into a plain SQLite table, 1,000 a transaction",
            Target::Postgres(_) => {
                "the same rows into a plain PostgreSQL table, one INSERT of 1,000 rows a transaction"
            }
        }
    }

    /// Inserts `batches` into a new table; returns the seconds the inserts took.
    pub fn time(&self, batches: &[Vec<Change>]) -> Result<f64> {
        let rows = rows(batches);
        match self {
            Target::Sqlite(path) => sqlite(path, &rows),
            Target::Postgres(url) => postgres(url, &rows),
        }
    }
}

/// entity, id, field, value (JSON text), hlc: one row as the baselines insert it.
type Row<'a> = (&'a str, &'a str, &'a str, String, &'a str);

fn rows(batches: &[Vec<Change>]) -> Vec<Vec<Row<'_>>> {
    batches
        .iter()
        .map(|b| {
            b.iter()
                .map(|c| {
                    (
                        c.entity.as_str(),
                        c.id.as_str(),
                        c.field.as_str(),
                        c.value.to_string(),
                        c.hlc.as_str(),
                    )
                })
                .collect()
        })
        .collect()
}

/// The largest seq of a SQLite server's `fields`: what it held before a push (read beside the
/// running server, which WAL allows).
pub fn sqlite_max_seq(server_db: &std::path::Path) -> Result<i64> {
    let conn = rusqlite::Connection::open_with_flags(
        server_db,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .with_context(|| format!("opening {}", server_db.display()))?;
    Ok(conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM fields", [], |r| r.get(0))?)
}

/// The same rows as [`Target::time`] into a plain SQLite table that first gets a copy of the
/// rows the server held before the push (`fields` of `server_db` up to `seq`): not the budget's
/// measure, which inserts into an empty table, but the same work the push does into a table as
/// large as the server's (a batch of new records then lands on leaves all over its key, not on a
/// few pages of a small table). Returns the seconds and the rows copied first.
pub fn sqlite_prefilled(
    path: &std::path::Path,
    server_db: &std::path::Path,
    seq: i64,
    batches: &[Vec<Change>],
) -> Result<(f64, usize)> {
    let rows = rows(batches);
    let conn = plain_sqlite(path)?;
    conn.execute(
        "ATTACH DATABASE ?1 AS server",
        [server_db.to_string_lossy()],
    )?;
    let copied = conn.execute(
        "INSERT INTO fields SELECT entity, id, field, value, hlc, seq FROM server.fields WHERE seq <= ?1 ORDER BY seq",
        [seq],
    )?;
    conn.execute_batch("DETACH DATABASE server")?;
    // The copy out of the log before the clock starts, as the server's checkpointer does.
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok((insert_sqlite(conn, seq, &rows)?, copied))
}

/// A WAL-mode file with a table shaped like the server's `fields` (same key, same seq index,
/// same `synchronous`).
fn plain_sqlite(path: &std::path::Path) -> Result<rusqlite::Connection> {
    let conn = rusqlite::Connection::open(path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.execute_batch(
        "CREATE TABLE fields (
            entity TEXT NOT NULL, id TEXT NOT NULL, field TEXT NOT NULL,
            value TEXT NOT NULL, hlc TEXT NOT NULL, seq INTEGER NOT NULL,
            PRIMARY KEY (entity, id, field)
        ) WITHOUT ROWID;
        CREATE UNIQUE INDEX fields_by_seq ON fields (seq);",
    )?;
    Ok(conn)
}

/// The rows into a fresh plain table: the budget's baseline.
fn sqlite(path: &std::path::Path, rows: &[Vec<Row>]) -> Result<f64> {
    insert_sqlite(plain_sqlite(path)?, 0, rows)
}

/// Inserts the rows with one prepared insert, one transaction a batch, seqs after `seq`;
/// returns the seconds it took.
fn insert_sqlite(mut conn: rusqlite::Connection, mut seq: i64, rows: &[Vec<Row>]) -> Result<f64> {
    let started = Instant::now();
    for batch in rows {
        let tx = conn.transaction()?;
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO fields (entity, id, field, value, hlc, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for (entity, id, field, value, hlc) in batch {
                seq += 1;
                insert.execute(rusqlite::params![entity, id, field, value, hlc, seq])?;
            }
        }
        tx.commit()?;
    }
    Ok(started.elapsed().as_secs_f64())
}

/// The same table in PostgreSQL (the value as text, the cluster's durable defaults), written
/// with one prepared multi-row INSERT a batch, each its own transaction: what a plain program
/// does without COPY. A blocking client: call it off the async runtime's threads.
fn postgres(url: &str, rows: &[Vec<Row>]) -> Result<f64> {
    use postgres::types::ToSql;
    let mut client = postgres::Client::connect(url, postgres::NoTls)
        .with_context(|| format!("connecting to {url}"))?;
    client.batch_execute(
        "CREATE TABLE fields (
            entity text NOT NULL, id text NOT NULL, field text NOT NULL,
            value text NOT NULL, hlc text NOT NULL, seq bigint NOT NULL,
            PRIMARY KEY (entity, id, field)
        );
        CREATE UNIQUE INDEX fields_by_seq ON fields (seq);",
    )?;
    // One statement for each batch size met (all but maybe none are 1,000 rows).
    let mut statements: HashMap<usize, postgres::Statement> = HashMap::new();
    let mut seq = 0i64;
    let started = Instant::now();
    for batch in rows {
        let statement = match statements.entry(batch.len()) {
            Entry::Occupied(e) => e.get().clone(),
            Entry::Vacant(e) => e.insert(client.prepare(&insert_sql(batch.len()))?).clone(),
        };
        let seqs: Vec<i64> = (seq + 1..=seq + batch.len() as i64).collect();
        seq += batch.len() as i64;
        let mut params: Vec<&(dyn ToSql + Sync)> = Vec::with_capacity(batch.len() * 6);
        for ((entity, id, field, value, hlc), seq) in batch.iter().zip(&seqs) {
            params.extend([entity as &(dyn ToSql + Sync), id, field, value, hlc, seq]);
        }
        client.execute(&statement, &params)?;
    }
    Ok(started.elapsed().as_secs_f64())
}

/// `INSERT INTO fields (...) VALUES ($1, …, $6), ($7, …), …` for `n` rows.
fn insert_sql(n: usize) -> String {
    let tuples: Vec<String> = (0..n)
        .map(|r| {
            let p: Vec<String> = (1..=6).map(|c| format!("${}", r * 6 + c)).collect();
            format!("({})", p.join(", "))
        })
        .collect();
    format!(
        "INSERT INTO fields (entity, id, field, value, hlc, seq) VALUES {}",
        tuples.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batches() -> Vec<Vec<Change>> {
        let grid = ["g1".to_string()];
        (0..3)
            .map(|b| {
                crate::bench::rows::new_residents(2, &grid, "bench-test", 1_764_331_200_000, b)
            })
            .collect()
    }

    #[test]
    fn each_baseline_writes_every_row() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("b.sqlite3");
        Target::Sqlite(path.clone()).time(&batches()).unwrap();
        let conn = rusqlite::Connection::open(&path).unwrap();
        let n: i64 = conn
            .query_row("SELECT count(*) FROM fields", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 60);

        let cluster = crate::postgres::Cluster::start(crate::postgres::Purpose::Test).unwrap();
        let url = cluster.create_database("baseline").unwrap();
        Target::Postgres(url.clone()).time(&batches()).unwrap();
        assert_eq!(
            cluster
                .psql(
                    &url,
                    "SELECT count(*), max(seq), count(DISTINCT id) FROM fields"
                )
                .unwrap(),
            "60|60|6"
        );
    }

    #[test]
    fn one_numbered_tuple_a_row() {
        assert_eq!(
            insert_sql(2),
            "INSERT INTO fields (entity, id, field, value, hlc, seq) VALUES ($1, $2, $3, $4, $5, $6), ($7, $8, $9, $10, $11, $12)"
        );
    }
}
