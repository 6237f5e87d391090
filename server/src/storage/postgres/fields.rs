//! The `fields` table on PostgreSQL: the winning value of every field of every record, one row
//! each, in the server order pull pages by, each filed under the grid its writer gave. Values are
//! kept as their JSON text, byte for byte as SQLite keeps them, so a value is found by its text.

use std::collections::BTreeMap;

use model::record::Values;
use model::wire::Change;
use postgres::types::ToSql;
use postgres::{GenericClient, Row};
use serde_json::Value;

use super::pool::Conn;
use super::write::St;
use crate::storage::{FieldRow, Result, StorageError};

/// Grids a user may have before pull stops merging one index walk per grid.
pub(super) const MAX_GRID_ARMS: usize = 200;

const COLS: &str = "entity, id, field, value, hlc, seq, grid_id";

pub(super) fn parse(entity: &str, field: &str, json: &str) -> Result<Value> {
    serde_json::from_str(json)
        .map_err(|e| StorageError::Corrupt(format!("value of {entity}.{field}: {e}")))
}

fn field_row(r: &Row) -> Result<FieldRow> {
    let (entity, id, field): (String, String, String) = (r.get(0), r.get(1), r.get(2));
    let value = parse(&entity, &field, r.get(3))?;
    Ok(FieldRow {
        change: Change {
            entity,
            id,
            field,
            value,
            hlc: r.get(4),
        },
        seq: r.get(5),
        grid_id: r.get(6),
    })
}

/// A pull's page, by a statement the connection keeps prepared.
fn query_rows(c: &mut Conn, sql: &str, args: &[&(dyn ToSql + Sync)]) -> Result<Vec<FieldRow>> {
    let st = c.prepared(sql)?;
    c.client.query(&st, args)?.iter().map(field_row).collect()
}

pub(super) fn rows_after(
    c: &mut Conn,
    after: i64,
    limit: usize,
    grids: Option<Vec<String>>,
) -> Result<Vec<FieldRow>> {
    let limit = limit as i64;
    match grids {
        None => query_rows(
            c,
            &format!("SELECT {COLS} FROM fields WHERE seq > $1 ORDER BY seq LIMIT $2"),
            &[&after, &limit],
        ),
        // One walk of the grid index per grid (and one of fields_without_grid), each at most a
        // page, merged in seq order (a Merge Append) up to the limit: a page costs the rows it
        // returns, not the rows of every other grid since the cursor. The limit inside each arm
        // is what makes PostgreSQL walk: with it only outside, it reads every row of the user's
        // grids since the cursor and sorts them (100,000 rows for a page of 5,000; EXPLAIN in
        // BENCHMARKS.md, issue 13). The connection's random_page_cost (pool.rs) keeps it on the
        // walks before the table is analysed.
        Some(mut g) if g.len() < MAX_GRID_ARMS => {
            g.sort();
            g.dedup();
            let arm = |grid: &str| {
                format!(
                    "SELECT {COLS} FROM fields WHERE grid_id {grid} AND seq > $1 \
                     ORDER BY seq LIMIT $2"
                )
            };
            let mut sql = arm("IS NULL");
            if !g.is_empty() {
                sql = format!("({sql})");
                for i in 0..g.len() {
                    sql.push_str(&format!(" UNION ALL ({})", arm(&format!("= ${}", i + 3))));
                }
                sql.push_str(" ORDER BY seq LIMIT $2");
            }
            let mut args: Vec<&(dyn ToSql + Sync)> = vec![&after, &limit];
            args.extend(g.iter().map(|s| s as &(dyn ToSql + Sync)));
            query_rows(c, &sql, &args)
        }
        Some(g) => query_rows(
            c,
            &format!(
                "SELECT {COLS} FROM fields WHERE seq > $1 AND (grid_id IS NULL OR grid_id = ANY($3)) \
                 ORDER BY seq LIMIT $2"
            ),
            &[&after, &limit, &g],
        ),
    }
}

/// Rows of no grid merged with the rows of each named record, read by its primary key.
pub(super) fn rows_after_of(
    c: &mut Conn,
    after: i64,
    limit: usize,
    records: Vec<(String, String)>,
) -> Result<Vec<FieldRow>> {
    let limit = limit as i64;
    let (entities, ids): (Vec<String>, Vec<String>) = records.into_iter().unzip();
    query_rows(
        c,
        &format!(
            "SELECT {COLS} FROM fields WHERE grid_id IS NULL AND seq > $1 \
             UNION ALL SELECT f.entity, f.id, f.field, f.value, f.hlc, f.seq, f.grid_id \
             FROM (SELECT DISTINCT * FROM unnest($3::text[], $4::text[])) AS w(entity, id) \
             JOIN fields AS f ON f.entity = w.entity AND f.id = w.id \
             WHERE f.seq > $1 AND f.grid_id IS NOT NULL ORDER BY seq LIMIT $2"
        ),
        &[&after, &limit, &entities, &ids],
    )
}

pub(super) fn record_rows(c: &mut Conn, entity: &str, id: &str) -> Result<Vec<FieldRow>> {
    query_rows(
        c,
        &format!("SELECT {COLS} FROM fields WHERE entity = $1 AND id = $2 ORDER BY field"),
        &[&entity, &id],
    )
}

pub(super) fn max_seq(c: &mut Conn) -> Result<i64> {
    let st = c.prepared("SELECT COALESCE(MAX(seq), 0) FROM fields")?;
    Ok(c.client.query_one(&st, &[])?.get(0))
}

/// `value` is the JSON text of the value, as stored. By the connection's prepared statement: a
/// lookup of every request (a grid worker's cover) pays one round trip, not two.
pub(super) fn ids_where(
    c: &mut Conn,
    entity: &str,
    field: &str,
    value: &str,
) -> Result<Vec<String>> {
    let st = match crate::storage::in_reference_index(field) {
        true => St::IdsOfReference,
        false => St::IdsWhere,
    };
    let st = c.statements[st as usize].clone();
    Ok(c.client
        .query(&st, &[&entity, &field, &value])?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

/// [`ids_where`] for many values in one statement; the `_id` condition as in `IdsOfReference`,
/// so the partial index serves references.
pub(super) fn ids_where_any(
    c: &mut Conn,
    entity: &str,
    field: &str,
    values: &[String],
) -> Result<Vec<String>> {
    let sql = match crate::storage::in_reference_index(field) {
        true => "SELECT DISTINCT id FROM fields WHERE entity = $1 AND field = $2 AND value = ANY($3) AND right(field, 3) = '_id' AND field <> 'grid_id' ORDER BY id",
        false => "SELECT DISTINCT id FROM fields WHERE entity = $1 AND field = $2 AND value = ANY($3) ORDER BY id",
    };
    let st = c.prepared(sql)?;
    Ok(c.client
        .query(&st, &[&entity, &field, &values])?
        .iter()
        .map(|r| r.get(0))
        .collect())
}

pub(super) fn values(
    c: &mut impl GenericClient,
    entity: &str,
    ids: Option<Vec<String>>,
    fields: &[String],
) -> Result<BTreeMap<String, Values>> {
    let rows = match ids {
        None => c.query(
            "SELECT id, field, value FROM fields WHERE entity = $1 AND field = ANY($2)",
            &[&entity, &fields],
        )?,
        Some(ids) => c.query(
            "SELECT id, field, value FROM fields WHERE entity = $1 AND field = ANY($2) AND id = ANY($3)",
            &[&entity, &fields, &ids],
        )?,
    };
    let mut out: BTreeMap<String, Values> = BTreeMap::new();
    for r in rows {
        let (id, field): (String, String) = (r.get(0), r.get(1));
        let value = parse(entity, &field, r.get(2))?;
        out.entry(id).or_default().insert(field, value);
    }
    Ok(out)
}
