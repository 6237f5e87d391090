//! The `history` and `contests` tables on SQLite: written inside the write transaction (a
//! savepoint undoes them with the rest of a refused batch), read on the read connections.

use rusqlite::{params, Connection};

use crate::storage::history::{decode_changes, decode_value, encode_changes};
use crate::storage::{Contest, FlaggedContest, HistoryExtent, Logged, Result};

pub(super) fn log(c: &Connection, entries: Vec<Logged>) -> Result<()> {
    let mut stmt = c.prepare_cached(
        "INSERT INTO history (entity, id, at, user_id, device_id, changes, n) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for e in entries {
        stmt.execute(params![
            e.entity,
            e.id,
            e.at_ms,
            e.user_id,
            e.device_id,
            encode_changes(&e.changes),
            e.changes.len() as i64
        ])?;
    }
    Ok(())
}

pub(super) fn flag(c: &Connection, k: Contest) -> Result<()> {
    c.prepare_cached(
        "INSERT INTO contests (entity, id, field, grid_id, at, held_value, held_hlc, arrived_value, arrived_hlc) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        k.entity,
        k.id,
        k.field,
        k.grid_id,
        k.at_ms,
        k.held.0.to_string(),
        k.held.1,
        k.arrived.0.to_string(),
        k.arrived.1
    ])?;
    Ok(())
}

pub(super) fn of_record(
    c: &mut Connection,
    entity: &str,
    id: &str,
    max_entries: usize,
    max_changes: usize,
) -> Result<Vec<Logged>> {
    let mut stmt = c.prepare_cached(
        "SELECT at, user_id, device_id, changes FROM ( \
           SELECT at, user_id, device_id, changes, n, r, \
                  sum(n) OVER (ORDER BY at DESC, r DESC) AS upto \
           FROM (SELECT at, user_id, device_id, changes, n, rowid AS r FROM history \
                 WHERE entity = ?1 AND id = ?2 ORDER BY at DESC, rowid DESC LIMIT ?3)) \
         WHERE upto - n < ?4 ORDER BY at DESC, r DESC",
    )?;
    let limits = (max_entries as i64, max_changes as i64);
    let rows = stmt.query_map(params![entity, id, limits.0, limits.1], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
        ))
    })?;
    rows.map(|row| {
        let (at_ms, user_id, device_id, changes) = row?;
        Ok(Logged {
            entity: entity.to_owned(),
            id: id.to_owned(),
            user_id,
            device_id,
            at_ms,
            changes: decode_changes(&changes)?,
        })
    })
    .collect()
}

pub(super) fn contests_since(
    c: &mut Connection,
    since_ms: i64,
    grids: Option<Vec<String>>,
    limit: usize,
) -> Result<Vec<FlaggedContest>> {
    // The grids as one JSON list: any number of them in one parameter.
    let grids = grids.map(|g| serde_json::Value::from(g).to_string());
    let mut stmt = c.prepare_cached(
        "SELECT k.entity, k.id, k.field, k.grid_id, k.at, k.held_value, k.held_hlc, \
                k.arrived_value, k.arrived_hlc, f.hlc \
         FROM contests AS k LEFT JOIN fields AS f \
           ON f.entity = k.entity AND f.id = k.id AND f.field = k.field \
         WHERE k.at >= ?1 AND (?2 IS NULL OR k.grid_id IN (SELECT value FROM json_each(?2))) \
         ORDER BY k.at DESC, k.rowid DESC LIMIT ?3",
    )?;
    let rows = stmt.query_map(params![since_ms, grids, limit as i64], |r| {
        Ok((
            (
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, i64>(4)?,
            ),
            (r.get::<_, String>(5)?, r.get::<_, String>(6)?),
            (r.get::<_, String>(7)?, r.get::<_, String>(8)?),
            r.get::<_, Option<String>>(9)?,
        ))
    })?;
    rows.map(|row| {
        let ((entity, id, field, grid_id, at_ms), held, arrived, current_hlc) = row?;
        Ok(FlaggedContest {
            contest: Contest {
                entity,
                id,
                field,
                grid_id,
                at_ms,
                held: (decode_value(&held.0)?, held.1),
                arrived: (decode_value(&arrived.0)?, arrived.1),
            },
            current_hlc,
        })
    })
    .collect()
}

pub(super) fn forget_before(c: &mut Connection, before_ms: i64) -> Result<u64> {
    let tx = c.transaction()?;
    let n = tx.execute("DELETE FROM history WHERE at < ?1", [before_ms])?
        + tx.execute("DELETE FROM contests WHERE at < ?1", [before_ms])?;
    tx.commit()?;
    Ok(n as u64)
}

pub(super) fn extent(c: &mut Connection) -> Result<HistoryExtent> {
    Ok(c.query_row(
        "SELECT (SELECT count(*) FROM history), (SELECT count(*) FROM contests), \
                (SELECT min(at) FROM history), (SELECT max(at) FROM history)",
        [],
        |r| {
            Ok(HistoryExtent {
                entries: r.get::<_, i64>(0)? as u64,
                contests: r.get::<_, i64>(1)? as u64,
                first_ms: r.get(2)?,
                last_ms: r.get(3)?,
            })
        },
    )?)
}

pub(super) fn between(c: &mut Connection, from_ms: i64, until_ms: i64) -> Result<Vec<Logged>> {
    let mut stmt = c.prepare_cached(
        "SELECT entity, id, at, user_id, device_id, changes FROM history \
         WHERE at >= ?1 AND at < ?2 ORDER BY at, rowid",
    )?;
    let rows = stmt.query_map(params![from_ms, until_ms], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, i64>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
        ))
    })?;
    rows.map(|row| {
        let (entity, id, at_ms, user_id, device_id, changes) = row?;
        Ok(Logged {
            entity,
            id,
            user_id,
            device_id,
            at_ms,
            changes: decode_changes(&changes)?,
        })
    })
    .collect()
}
