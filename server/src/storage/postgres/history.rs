//! The `history` and `contests` tables on PostgreSQL. A write transaction keeps its entries and
//! contests in memory and sends each kind as one statement before the commit (write.rs), so the
//! history costs a group of batches one statement, not one per record.

use postgres::{GenericClient, Statement};

use super::copy::CopyRows;
use super::pool::Conn;
use crate::storage::history::{decode_changes, decode_value, encode_changes};
use crate::storage::{Contest, FlaggedContest, HistoryExtent, Logged, Result};

/// `[insert, copy]` are the connection's prepared `St::History` and `St::CopyHistory`: the
/// entries as one statement, a COPY from [`super::write::COPY_AT`] of them.
pub(super) fn send_entries(
    tx: &mut impl GenericClient,
    [insert, copy]: [&Statement; 2],
    entries: &[Logged],
) -> Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    if entries.len() < super::write::COPY_AT {
        let entities: Vec<&str> = entries.iter().map(|e| e.entity.as_str()).collect();
        let ids: Vec<&str> = entries.iter().map(|e| e.id.as_str()).collect();
        let at: Vec<i64> = entries.iter().map(|e| e.at_ms).collect();
        let users: Vec<&str> = entries.iter().map(|e| e.user_id.as_str()).collect();
        let devices: Vec<&str> = entries.iter().map(|e| e.device_id.as_str()).collect();
        let changes: Vec<String> = entries.iter().map(|e| encode_changes(&e.changes)).collect();
        let counts: Vec<i64> = entries.iter().map(|e| e.changes.len() as i64).collect();
        tx.execute(
            insert,
            &[&entities, &ids, &at, &users, &devices, &changes, &counts],
        )?;
        return Ok(());
    }
    let mut rows = CopyRows::start(tx, copy)?;
    for e in entries {
        rows.row(7)?;
        rows.text(&e.entity);
        rows.text(&e.id);
        rows.int8(e.at_ms);
        rows.text(&e.user_id);
        rows.text(&e.device_id);
        rows.text(&encode_changes(&e.changes));
        rows.int8(e.changes.len() as i64);
    }
    rows.finish()?;
    Ok(())
}

pub(super) fn send_contests(tx: &mut impl GenericClient, contests: &[Contest]) -> Result<()> {
    if contests.is_empty() {
        return Ok(());
    }
    // One statement however many: a batch that met a contest on every field must not make a
    // round trip each under the write lock.
    let text = |f: fn(&Contest) -> &str| -> Vec<&str> { contests.iter().map(f).collect() };
    let grids: Vec<Option<&str>> = contests.iter().map(|k| k.grid_id.as_deref()).collect();
    let at: Vec<i64> = contests.iter().map(|k| k.at_ms).collect();
    let held: Vec<String> = contests.iter().map(|k| k.held.0.to_string()).collect();
    let arrived: Vec<String> = contests.iter().map(|k| k.arrived.0.to_string()).collect();
    tx.execute(
        "INSERT INTO contests (entity, id, field, grid_id, at, held_value, held_hlc, arrived_value, arrived_hlc) \
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int8[], $6::text[], $7::text[], $8::text[], $9::text[])",
        &[
            &text(|k| &k.entity),
            &text(|k| &k.id),
            &text(|k| &k.field),
            &grids,
            &at,
            &held,
            &text(|k| &k.held.1),
            &arrived,
            &text(|k| &k.arrived.1),
        ],
    )?;
    Ok(())
}

pub(super) fn of_record(
    c: &mut impl GenericClient,
    entity: &str,
    id: &str,
    max_entries: usize,
    max_changes: usize,
) -> Result<Vec<Logged>> {
    let rows = c.query(
        "SELECT at, user_id, device_id, changes FROM ( \
           SELECT at, user_id, device_id, changes, n, \
                  sum(n) OVER (ORDER BY at DESC ROWS UNBOUNDED PRECEDING) AS upto \
           FROM (SELECT * FROM history WHERE entity = $1 AND id = $2 \
                 ORDER BY at DESC LIMIT $3) AS newest) AS counted \
         WHERE upto - n < $4::int8 ORDER BY at DESC",
        &[&entity, &id, &(max_entries as i64), &(max_changes as i64)],
    )?;
    rows.iter()
        .map(|r| {
            Ok(Logged {
                entity: entity.to_owned(),
                id: id.to_owned(),
                at_ms: r.get(0),
                user_id: r.get(1),
                device_id: r.get(2),
                changes: decode_changes(r.get(3))?,
            })
        })
        .collect()
}

pub(super) fn contests_since(
    c: &mut Conn,
    since_ms: i64,
    grids: Option<Vec<String>>,
    limit: usize,
) -> Result<Vec<FlaggedContest>> {
    let rows = c.client.query(
        "SELECT k.entity, k.id, k.field, k.grid_id, k.at, k.held_value, k.held_hlc, \
                k.arrived_value, k.arrived_hlc, f.hlc \
         FROM contests AS k LEFT JOIN fields AS f \
           ON f.entity = k.entity AND f.id = k.id AND f.field = k.field \
         WHERE k.at >= $1 AND ($2::text[] IS NULL OR k.grid_id = ANY($2)) \
         ORDER BY k.at DESC LIMIT $3",
        &[&since_ms, &grids, &(limit as i64)],
    )?;
    rows.iter()
        .map(|r| {
            Ok(FlaggedContest {
                contest: Contest {
                    entity: r.get(0),
                    id: r.get(1),
                    field: r.get(2),
                    grid_id: r.get(3),
                    at_ms: r.get(4),
                    held: (decode_value(r.get(5))?, r.get(6)),
                    arrived: (decode_value(r.get(7))?, r.get(8)),
                },
                current_hlc: r.get(9),
            })
        })
        .collect()
}

pub(super) fn forget_before(c: &mut Conn, before_ms: i64) -> Result<u64> {
    let mut tx = c.client.transaction()?;
    let n = tx.execute("DELETE FROM history WHERE at < $1", &[&before_ms])?
        + tx.execute("DELETE FROM contests WHERE at < $1", &[&before_ms])?;
    tx.commit()?;
    Ok(n)
}

pub(super) fn extent(c: &mut Conn) -> Result<HistoryExtent> {
    let r = c.client.query_one(
        "SELECT (SELECT count(*) FROM history), (SELECT count(*) FROM contests), \
                (SELECT min(at) FROM history), (SELECT max(at) FROM history)",
        &[],
    )?;
    Ok(HistoryExtent {
        entries: r.get::<_, i64>(0) as u64,
        contests: r.get::<_, i64>(1) as u64,
        first_ms: r.get(2),
        last_ms: r.get(3),
    })
}

pub(super) fn between(c: &mut Conn, from_ms: i64, until_ms: i64) -> Result<Vec<Logged>> {
    let rows = c.client.query(
        "SELECT entity, id, at, user_id, device_id, changes FROM history \
         WHERE at >= $1 AND at < $2 ORDER BY at",
        &[&from_ms, &until_ms],
    )?;
    rows.iter()
        .map(|r| {
            Ok(Logged {
                entity: r.get(0),
                id: r.get(1),
                at_ms: r.get(2),
                user_id: r.get(3),
                device_id: r.get(4),
                changes: decode_changes(r.get(5))?,
            })
        })
        .collect()
}
