//! The `fields` table: the winning value of every field of every record, one row each, in the
//! server order pull pages by, each filed under the grid its writer gave.

use std::collections::BTreeMap;

use model::record::Values;
use model::wire::Change;
use model::Role;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde_json::Value;

use crate::storage::group::GroupTx;
use crate::storage::{
    Contest, FieldKey, FieldRow, Logged, RecordLookup, Result, StorageError, WriteTx,
};
use crate::FastMap;

/// Grids a user may have before pull stops merging one index walk per grid (SQLite allows 500
/// arms in a compound SELECT).
const MAX_GRID_ARMS: usize = 200;

fn parse(entity: &str, field: &str, json: &str) -> Result<Value> {
    serde_json::from_str(json)
        .map_err(|e| StorageError::Corrupt(format!("value of {entity}.{field}: {e}")))
}

pub(super) fn rows_after(
    c: &mut Connection,
    after: i64,
    limit: usize,
    grids: Option<Vec<String>>,
) -> Result<Vec<FieldRow>> {
    let cols = "entity, id, field, value, hlc, seq, grid_id";
    let mut args: Vec<rusqlite::types::Value> = vec![after.into(), (limit as i64).into()];
    let sql = match grids {
        // Everything: walk the seq index.
        None => format!("SELECT {cols} FROM fields INDEXED BY fields_by_seq WHERE seq > ?1 ORDER BY seq LIMIT ?2"),
        // Some grids: one walk of the grid index per grid (and one for records of no
        // grid), merged by seq. SQLite merges the ordered arms of a UNION ALL without
        // sorting and stops at the limit, so a page costs the rows it returns: neither
        // the rows of other grids nor the rest of the user's grids are read. (An OR of
        // the grid index would sort every remaining row for each page; a walk of the seq
        // index would read every other grid's row since the cursor.)
        Some(mut g) if g.len() < MAX_GRID_ARMS => {
            g.sort();
            g.dedup();
            let mut sql = format!("SELECT {cols} FROM fields WHERE grid_id IS NULL AND seq > ?1");
            for (i, grid) in g.into_iter().enumerate() {
                sql.push_str(&format!(" UNION ALL SELECT {cols} FROM fields WHERE grid_id = ?{} AND seq > ?1", i + 3));
                args.push(grid.into());
            }
            sql.push_str(" ORDER BY seq LIMIT ?2");
            sql
        }
        // More grids than a compound SELECT may have arms: walk the seq index and filter.
        Some(g) => {
            let marks = (0..g.len()).map(|i| format!("?{}", i + 3)).collect::<Vec<_>>().join(",");
            args.extend(g.into_iter().map(rusqlite::types::Value::from));
            format!("SELECT {cols} FROM fields INDEXED BY fields_by_seq WHERE seq > ?1 AND (grid_id IS NULL OR grid_id IN ({marks})) ORDER BY seq LIMIT ?2")
        }
    };
    query_rows(c, &sql, args)
}

/// The rows a SELECT of `entity, id, field, value, hlc, seq, grid_id` returns.
fn query_rows(
    c: &mut Connection,
    sql: &str,
    args: Vec<rusqlite::types::Value>,
) -> Result<Vec<FieldRow>> {
    let mut stmt = c.prepare_cached(sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, i64>(5)?,
            r.get::<_, Option<String>>(6)?,
        ))
    })?;
    rows.map(|row| {
        let (entity, id, field, value, hlc, seq, grid_id) = row?;
        let value = parse(&entity, &field, &value)?;
        Ok(FieldRow {
            change: Change {
                entity,
                id,
                field,
                value,
                hlc,
            },
            grid_id,
            seq,
        })
    })
    .collect()
}

/// The condition of the `fields_by_reference` index, repeated word for word so SQLite may use it.
pub(super) const IDS_OF_REFERENCE: &str = "SELECT id FROM fields WHERE entity = ?1 AND field = ?2 AND value = ?3 AND substr(field, -3) = '_id' AND field <> 'grid_id' ORDER BY id";

/// Records a compound SELECT names one by one before their rows are read by walking the seq
/// index instead (SQLite allows 32,766 parameters, two a record).
const MAX_NAMED_RECORDS: usize = 10_000;

/// Rows of no grid walked on the grid index in seq order, merged with the rows of each named
/// record read by its primary key: a page costs the rows it returns and the named records'
/// rows, never the rows of everybody else.
pub(super) fn rows_after_of(
    c: &mut Connection,
    after: i64,
    limit: usize,
    records: Vec<(String, String)>,
) -> Result<Vec<FieldRow>> {
    let mut records = records;
    records.sort();
    records.dedup();
    if records.len() > MAX_NAMED_RECORDS {
        let mut out = Vec::new();
        let mut seq = after;
        loop {
            let rows = rows_after(c, seq, 1_000, None)?;
            let Some(last) = rows.last() else {
                return Ok(out);
            };
            seq = last.seq;
            for r in rows {
                let key = (r.change.entity.clone(), r.change.id.clone());
                if r.grid_id.is_none() || records.binary_search(&key).is_ok() {
                    out.push(r);
                    if out.len() == limit {
                        return Ok(out);
                    }
                }
            }
        }
    }
    let (sql, args) = rows_of_sql(after, limit, &records);
    query_rows(c, &sql, args)
}

pub(super) fn rows_of_sql(
    after: i64,
    limit: usize,
    records: &[(String, String)],
) -> (String, Vec<rusqlite::types::Value>) {
    let cols = "entity, id, field, value, hlc, seq, grid_id";
    let mut args: Vec<rusqlite::types::Value> = vec![after.into(), (limit as i64).into()];
    let none = format!("SELECT {cols} FROM fields WHERE grid_id IS NULL AND seq > ?1");
    if records.is_empty() {
        return (format!("{none} ORDER BY seq LIMIT ?2"), args);
    }
    let mut wanted = Vec::with_capacity(records.len());
    for (i, (entity, id)) in records.iter().enumerate() {
        wanted.push(format!("(?{}, ?{})", 2 * i + 3, 2 * i + 4));
        args.push(entity.clone().into());
        args.push(id.clone().into());
    }
    // A named record filed under no grid comes through the first arm only.
    let sql = format!(
        "WITH wanted(entity, id) AS (VALUES {}) {none} UNION ALL \
         SELECT f.entity, f.id, f.field, f.value, f.hlc, f.seq, f.grid_id \
         FROM wanted JOIN fields AS f ON f.entity = wanted.entity AND f.id = wanted.id \
         WHERE f.seq > ?1 AND f.grid_id IS NOT NULL ORDER BY seq LIMIT ?2",
        wanted.join(", ")
    );
    (sql, args)
}

pub(super) fn record_rows(c: &mut Connection, entity: &str, id: &str) -> Result<Vec<FieldRow>> {
    query_rows(
        c,
        "SELECT entity, id, field, value, hlc, seq, grid_id FROM fields \
         WHERE entity = ?1 AND id = ?2 ORDER BY field",
        vec![entity.to_owned().into(), id.to_owned().into()],
    )
}

pub(super) fn max_seq(c: &mut Connection) -> Result<i64> {
    Ok(c.query_row("SELECT COALESCE(MAX(seq), 0) FROM fields", [], |r| r.get(0))?)
}

/// `value` is the JSON text of the value, as stored. A reference the index holds
/// (`storage::in_reference_index`) is found through it; other fields by reading the entity's rows.
pub(super) fn ids_where(
    c: &Connection,
    entity: &str,
    field: &str,
    value: &str,
) -> Result<Vec<String>> {
    let mut stmt = c.prepare_cached(if crate::storage::in_reference_index(field) {
        IDS_OF_REFERENCE
    } else {
        "SELECT id FROM fields WHERE entity = ?1 AND field = ?2 AND value = ?3 ORDER BY id"
    })?;
    let rows = stmt.query_map(params![entity, field, value], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn values(
    c: &mut Connection,
    entity: &str,
    ids: Option<&[String]>,
    fields: &[String],
) -> Result<BTreeMap<String, Values>> {
    let mut out: BTreeMap<String, Values> = BTreeMap::new();
    let mut keep = |id: String, field: String, json: String| -> Result<()> {
        if fields.contains(&field) {
            let value = parse(entity, &field, &json)?;
            out.entry(id).or_default().insert(field, value);
        }
        Ok(())
    };
    match ids {
        None => {
            let mut stmt =
                c.prepare_cached("SELECT id, field, value FROM fields WHERE entity = ?1")?;
            let rows = stmt.query_map([entity], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            for row in rows {
                let (id, field, json) = row?;
                keep(id, field, json)?;
            }
        }
        Some(ids) => {
            let mut stmt =
                c.prepare_cached("SELECT field, value FROM fields WHERE entity = ?1 AND id = ?2")?;
            for id in ids {
                let rows = stmt.query_map([entity, id], |r| Ok((r.get(0)?, r.get(1)?)))?;
                for row in rows {
                    let (field, json) = row?;
                    keep(id.clone(), field, json)?;
                }
            }
        }
    }
    Ok(out)
}

/// A write transaction over `fields`, handing out seqs from one past the largest.
pub(super) struct Tx<'t> {
    tx: &'t Transaction<'t>,
    next_seq: i64,
}

impl<'t> Tx<'t> {
    pub(super) fn begin(tx: &'t Transaction<'t>) -> Result<Tx<'t>> {
        let next_seq = tx.query_row("SELECT COALESCE(MAX(seq), 0) + 1 FROM fields", [], |r| {
            r.get(0)
        })?;
        Ok(Tx { tx, next_seq })
    }
}

/// Each work of a group is a savepoint: SQLite rolls back to it in the process, no I/O.
impl GroupTx for Tx<'_> {
    fn mark(&mut self) -> Result<()> {
        Ok(self.tx.execute_batch("SAVEPOINT work")?)
    }

    fn keep(&mut self) -> Result<()> {
        Ok(self.tx.execute_batch("RELEASE work")?)
    }

    fn undo(&mut self) -> Result<()> {
        // The seqs the work took stay taken: a gap in the order is harmless, a reuse is not.
        Ok(self.tx.execute_batch("ROLLBACK TO work; RELEASE work")?)
    }
}

impl RecordLookup for Tx<'_> {
    fn field(&mut self, entity: &str, id: &str, field: &str) -> Result<Option<Value>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT value FROM fields WHERE entity = ?1 AND id = ?2 AND field = ?3",
        )?;
        let json: Option<String> = stmt
            .query_row(params![entity, id, field], |r| r.get(0))
            .optional()?;
        json.map(|json| parse(entity, field, &json)).transpose()
    }

    fn stamp(&mut self, entity: &str, id: &str, field: &str) -> Result<Option<String>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT hlc FROM fields WHERE entity = ?1 AND id = ?2 AND field = ?3",
        )?;
        Ok(stmt
            .query_row(params![entity, id, field], |r| r.get(0))
            .optional()?)
    }

    /// One read of each record rather than one of each field: a batch names about ten fields
    /// of each record it writes, and most of them are new.
    fn stamps(&mut self, keys: &[FieldKey<'_>]) -> Result<Vec<Option<String>>> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT field, hlc FROM fields WHERE entity = ?1 AND id = ?2")?;
        let mut records: FastMap<(&str, &str), FastMap<String, String>> = FastMap::default();
        for (entity, id, _) in keys {
            if records.contains_key(&(*entity, *id)) {
                continue;
            }
            let rows = stmt.query_map(params![entity, id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            let fields = rows.collect::<rusqlite::Result<FastMap<String, String>>>()?;
            records.insert((*entity, *id), fields);
        }
        Ok(keys
            .iter()
            .map(|(entity, id, field)| {
                records
                    .get(&(*entity, *id))
                    .and_then(|r| r.get(*field).cloned())
            })
            .collect())
    }

    fn ids_where(&mut self, entity: &str, field: &str, value: &Value) -> Result<Vec<String>> {
        ids_where(self.tx, entity, field, &value.to_string())
    }

    fn field_names(&mut self, entity: &str, id: &str) -> Result<Vec<String>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT field FROM fields WHERE entity = ?1 AND id = ?2 ORDER BY field",
        )?;
        let rows = stmt.query_map(params![entity, id], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

impl WriteTx for Tx<'_> {
    fn user_role(&mut self, user_id: &str) -> Result<Option<Role>> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT role FROM users WHERE id = ?1")?;
        let role: Option<String> = stmt.query_row([user_id], |r| r.get(0)).optional()?;
        role.map(|r| Role::parse(&r).ok_or_else(|| StorageError::Corrupt(format!("role {r}"))))
            .transpose()
    }

    fn bump_scope_version(&mut self, user_id: &str) -> Result<()> {
        self.tx.execute(
            "UPDATE users SET scope_version = scope_version + 1 WHERE id = ?1",
            [user_id],
        )?;
        Ok(())
    }

    fn insert(&mut self, c: &Change, grid: Option<&str>) -> Result<bool> {
        let mut stmt = self.tx.prepare_cached(
            "INSERT INTO fields (entity, id, field, value, hlc, seq, grid_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
             ON CONFLICT (entity, id, field) DO NOTHING",
        )?;
        let value = c.value.to_string();
        let inserted = stmt.execute(params![
            c.entity,
            c.id,
            c.field,
            value,
            c.hlc,
            self.next_seq,
            grid
        ])? > 0;
        if inserted {
            self.next_seq += 1;
        }
        Ok(inserted)
    }

    fn replace(&mut self, c: &Change, grid: Option<&str>) -> Result<()> {
        let mut stmt = self.tx.prepare_cached(
            "UPDATE fields SET value = ?4, hlc = ?5, seq = ?6, grid_id = ?7
             WHERE entity = ?1 AND id = ?2 AND field = ?3",
        )?;
        let value = c.value.to_string();
        stmt.execute(params![
            c.entity,
            c.id,
            c.field,
            value,
            c.hlc,
            self.next_seq,
            grid
        ])?;
        self.next_seq += 1;
        Ok(())
    }

    fn log(&mut self, entries: Vec<Logged>) -> Result<()> {
        super::history::log(self.tx, entries)
    }

    fn flag(&mut self, contest: Contest) -> Result<()> {
        super::history::flag(self.tx, contest)
    }

    fn refile(
        &mut self,
        entity: &str,
        id: &str,
        fields: &[String],
        grid: Option<&str>,
    ) -> Result<()> {
        let mut stmt = self.tx.prepare_cached(
            "UPDATE fields SET seq = ?1, grid_id = ?2 WHERE entity = ?3 AND id = ?4 AND field = ?5",
        )?;
        for f in fields {
            stmt.execute(params![self.next_seq, grid, entity, id, f])?;
            self.next_seq += 1;
        }
        Ok(())
    }
}
