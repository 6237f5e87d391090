//! A write transaction over `fields` on PostgreSQL, where every statement is a round trip made
//! while the write lock is held (see the `//!` of `mod.rs`), so the round trips of a batch bound
//! how many batches all servers write a second. Each record the transaction reads or writes is
//! read whole, once, and kept; its writes are kept as the rows they leave and sent as one
//! statement before anything else is read from the table and before the commit. Nobody else
//! writes `fields` while the lock is held, so what is kept is exactly what is stored.

use std::collections::BTreeMap;

use model::wire::Change;
use model::Role;
use postgres::{Client, SimpleQueryMessage, Statement};
use serde_json::Value;

use super::copy::CopyRows;
use super::fields::parse;
use super::WRITE_LOCK;
use crate::storage::group::GroupTx;
use crate::storage::{Contest, FieldKey, Logged, RecordLookup, Result, StorageError, WriteTx};
use crate::{FastMap, FastSet};

/// The statements a write transaction uses, prepared on each connection when it opens; indexed
/// by [`St`].
pub(super) const STATEMENTS: &[&str] = &[
    // St::IdsOfReference: the condition of the `fields_by_reference` index, repeated word for
    // word so the planner may use that partial index.
    "SELECT id FROM fields WHERE entity = $1 AND field = $2 AND value = $3 AND right(field, 3) = '_id' AND field <> 'grid_id' ORDER BY id",
    // St::IdsWhere
    "SELECT id FROM fields WHERE entity = $1 AND field = $2 AND value = $3 ORDER BY id",
    // St::Record: every field of one record.
    "SELECT field, value, hlc FROM fields WHERE entity = $1 AND id = $2",
    // St::Records: every field of many records, one primary-key walk per record whatever the
    // statistics say: a statement prepared while the table was small (a first import, the demo,
    // a migration: one long transaction that autovacuum cannot analyse midway) would otherwise
    // keep a hash join over the whole table.
    "SELECT w.entity, w.id, f.field, f.value, f.hlc FROM unnest($1::text[], $2::text[]) AS w(entity, id) \
     CROSS JOIN LATERAL (SELECT field, value, hlc FROM fields WHERE entity = w.entity AND id = w.id) AS f",
    // St::Insert: rows the table does not have (known under the lock). A plain insert: checking
    // each row for a conflict first, as St::Put does, doubles the time of a batch of new records.
    "INSERT INTO fields (entity, id, field, value, hlc, seq, grid_id) \
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int8[], $7::text[])",
    // St::Copy: as St::Insert, streamed as a binary COPY when there are [`COPY_AT`] rows or
    // more. COPY writes a page's rows as one heap operation and one WAL record where an INSERT
    // writes one a row, and has no array to unpack or row to project: with it a push of 1,000
    // new fields went about a tenth faster (BENCHMARKS.md, machine K). It costs a second round
    // trip under the lock (the server's go-ahead before the rows), which a few rows do not pay
    // back.
    "COPY fields (entity, id, field, value, hlc, seq, grid_id) FROM STDIN (FORMAT binary)",
    // St::Put: rows the table has, as one statement. Each was judged against the stored stamp
    // kept under the lock: a new value's stamp is newer, a row moved along the order keeps its
    // own. The WHERE says so again, so that nothing ever overwrites a newer stamp; stamps are
    // fixed-width text whose byte order is their order (model::hlc), hence COLLATE "C" on the
    // column. An upsert finds each row by its key, whatever the planner thinks of a join.
    "INSERT INTO fields (entity, id, field, value, hlc, seq, grid_id) \
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int8[], $7::text[]) \
     ON CONFLICT (entity, id, field) DO UPDATE \
     SET value = excluded.value, hlc = excluded.hlc, seq = excluded.seq, grid_id = excluded.grid_id \
     WHERE excluded.hlc >= fields.hlc",
    // St::History: the transaction's history entries (history.rs).
    "INSERT INTO history (entity, id, at, user_id, device_id, changes, n) \
     SELECT * FROM unnest($1::text[], $2::text[], $3::int8[], $4::text[], $5::text[], $6::text[], $7::int8[])",
    // St::CopyHistory: as St::History, streamed as St::Copy is and from as many entries.
    "COPY history (entity, id, at, user_id, device_id, changes, n) FROM STDIN (FORMAT binary)",
];

#[derive(Clone, Copy)]
pub(super) enum St {
    IdsOfReference = 0,
    IdsWhere,
    Record,
    Records,
    Insert,
    Copy,
    Put,
    History,
    CopyHistory,
}

/// Rows from which a COPY is used rather than an INSERT (St::Copy).
pub(super) const COPY_AT: usize = 100;

/// Rows kept unsent at most: an import of many thousand records sends them in statements of
/// this many.
pub(super) const SEND_AT: usize = 10_000;

/// A field as stored: its value's JSON text and its stamp.
#[derive(Clone)]
struct Stored {
    value: String,
    hlc: String,
}

/// A row written and not yet sent: the whole row as it will be stored.
#[derive(Clone)]
struct Unsent {
    value: String,
    hlc: String,
    seq: i64,
    grid: Option<String>,
}

/// Rows to send with one statement, as its array parameters.
#[derive(Default)]
struct Columns {
    entities: Vec<String>,
    ids: Vec<String>,
    fields: Vec<String>,
    values: Vec<String>,
    stamps: Vec<String>,
    seqs: Vec<i64>,
    grids: Vec<Option<String>>,
}

impl Columns {
    fn push(&mut self, (entity, id, field): (String, String, String), row: Unsent) {
        self.entities.push(entity);
        self.ids.push(id);
        self.fields.push(field);
        self.values.push(row.value);
        self.stamps.push(row.hlc);
        self.seqs.push(row.seq);
        self.grids.push(row.grid);
    }

    /// Streams these rows to `st`, a COPY of every column; how many it stored.
    fn copy(&self, tx: &mut Client, st: &Statement) -> Result<u64> {
        let mut rows = CopyRows::start(tx, st)?;
        for i in 0..self.entities.len() {
            rows.row(7)?;
            rows.text(&self.entities[i]);
            rows.text(&self.ids[i]);
            rows.text(&self.fields[i]);
            rows.text(&self.values[i]);
            rows.text(&self.stamps[i]);
            rows.int8(self.seqs[i]);
            rows.text_or_null(self.grids[i].as_deref());
        }
        rows.finish()
    }

    /// Runs `st` with these rows as its array parameters; how many it stored.
    fn send(&self, tx: &mut Client, st: &Statement) -> Result<u64> {
        if self.entities.is_empty() {
            return Ok(0);
        }
        Ok(tx.execute(
            st,
            &[
                &self.entities,
                &self.ids,
                &self.fields,
                &self.values,
                &self.stamps,
                &self.seqs,
                &self.grids,
            ],
        )?)
    }
}

/// Every record a transaction has read, whole, by entity and then id: two levels so that a
/// record is found by the strings a change names, without making owned keys for each lookup (a
/// batch looks records up several times a field).
#[derive(Default)]
struct Records(FastMap<String, FastMap<String, BTreeMap<String, Stored>>>);

impl Records {
    fn get(&self, entity: &str, id: &str) -> Option<&BTreeMap<String, Stored>> {
        self.0.get(entity)?.get(id)
    }

    fn get_mut(&mut self, entity: &str, id: &str) -> Option<&mut BTreeMap<String, Stored>> {
        self.0.get_mut(entity)?.get_mut(id)
    }

    fn insert(&mut self, entity: &str, id: &str, fields: BTreeMap<String, Stored>) {
        let of_entity = match self.0.get_mut(entity) {
            Some(m) => m,
            None => self.0.entry(entity.to_owned()).or_default(),
        };
        of_entity.insert(id.to_owned(), fields);
    }
}

/// A write transaction over `fields`, handing out seqs from one past the largest. It runs under
/// the database's write lock, taken by [`Tx::begin`], so no other writer hands out seqs (or
/// writes a row) until it has committed.
pub(super) struct Tx<'a> {
    /// The connection, inside the transaction [`Tx::begin`] opened until [`Tx::commit`] or the
    /// drop, which rolls back what was not committed.
    tx: &'a mut Client,
    open: bool,
    statements: &'a [Statement],
    next_seq: i64,
    /// Every record read or written so far, whole, as stored once `unsent` is sent.
    records: Records,
    /// The rows to send, by entity, id and field: the last write of each, and whether the
    /// table has the row already.
    unsent: FastMap<RowKey, Pending>,
    /// History entries and contests to send before the commit (`history.rs`).
    history: Vec<Logged>,
    contests: Vec<Contest>,
    /// What the work of a group now running has changed of the above, to put back should it
    /// be undone ([`GroupTx`]); none outside a work.
    journal: Option<Journal>,
}

/// entity, id, field
type RowKey = (String, String, String);
/// A row to send, and whether the table has it already (an update, not an insert).
type Pending = (Unsent, bool);

/// The state of each row a work wrote as it was before the work's first write of it.
#[derive(Default)]
struct Journal {
    /// In the order written: the kept field and the unsent row before the write.
    before: Vec<(RowKey, Option<Stored>, Option<Pending>)>,
    /// Rows of this work were sent: only the database could undo them now.
    sent: bool,
    /// How many history entries and contests were kept when the work began.
    history: usize,
    contests: usize,
}

impl<'a> Tx<'a> {
    /// Opens the transaction, takes the write lock and reads where seqs go on from, in one
    /// round trip: three statements of one message. Read committed, whatever the database's
    /// default, so each statement has its own snapshot and the largest seq, read once the lock
    /// is held, sees every commit of the writers before.
    pub(super) fn begin(tx: &'a mut Client, statements: &'a [Statement]) -> Result<Self> {
        let sql = format!(
            "BEGIN ISOLATION LEVEL READ COMMITTED; SELECT pg_advisory_xact_lock({WRITE_LOCK}); \
             SELECT COALESCE(MAX(seq), 0) + 1 FROM fields"
        );
        let mut writes = Tx {
            tx,
            open: true,
            statements,
            next_seq: 0,
            records: Records::default(),
            unsent: FastMap::default(),
            history: Vec::new(),
            contests: Vec::new(),
            journal: None,
        };
        // From here a failure rolls back (the drop), also of a message that failed midway.
        writes.next_seq = writes
            .tx
            .simple_query(&sql)?
            .iter()
            .filter_map(|m| match m {
                SimpleQueryMessage::Row(r) => r.get(0),
                _ => None,
            })
            .next_back()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| StorageError::Corrupt("no largest seq was read".into()))?;
        Ok(writes)
    }

    /// Commits what was sent ([`Tx::finish`] first).
    pub(super) fn commit(mut self) -> Result<()> {
        self.open = false;
        self.tx.batch_execute("COMMIT")?;
        Ok(())
    }

    /// Sends what is unsent; to be called before the commit.
    pub(super) fn finish(&mut self) -> Result<()> {
        self.send()?;
        let (insert, copy) = (self.st(St::History), self.st(St::CopyHistory));
        super::history::send_entries(self.tx, [&insert, &copy], &self.history)?;
        super::history::send_contests(self.tx, &self.contests)
    }

    fn st(&self, s: St) -> Statement {
        self.statements[s as usize].clone()
    }

    fn take_seqs(&mut self, n: usize) -> i64 {
        let first = self.next_seq;
        self.next_seq += n as i64;
        first
    }

    /// A record, read whole the first time it is asked for.
    fn record(&mut self, entity: &str, id: &str) -> Result<&mut BTreeMap<String, Stored>> {
        if self.records.get(entity, id).is_none() {
            let st = self.statements[St::Record as usize].clone();
            let fields = self
                .tx
                .query(&st, &[&entity, &id])?
                .iter()
                .map(|r| {
                    let stored = Stored {
                        value: r.get(1),
                        hlc: r.get(2),
                    };
                    (r.get(0), stored)
                })
                .collect();
            self.records.insert(entity, id, fields);
        }
        self.records
            .get_mut(entity, id)
            .ok_or_else(|| StorageError::Corrupt("a record read was not kept".into()))
    }

    /// Reads every record of `keys` not read yet, all in one round trip.
    fn read_records<'k>(&mut self, keys: impl Iterator<Item = (&'k str, &'k str)>) -> Result<()> {
        let mut seen = FastSet::default();
        let (mut entities, mut ids) = (Vec::new(), Vec::new());
        for (entity, id) in keys {
            if self.records.get(entity, id).is_none() && seen.insert((entity, id)) {
                entities.push(entity);
                ids.push(id);
            }
        }
        if entities.is_empty() {
            return Ok(());
        }
        let st = self.st(St::Records);
        let rows = self.tx.query(&st, &[&entities, &ids])?;
        for (entity, id) in entities.iter().zip(&ids) {
            self.records.insert(entity, id, BTreeMap::new());
        }
        for r in rows {
            let stored = Stored {
                value: r.get(3),
                hlc: r.get(4),
            };
            if let Some(record) = self.records.get_mut(r.get(0), r.get(1)) {
                record.insert(r.get(2), stored);
            }
        }
        Ok(())
    }

    /// Keeps a row as written (its record has been read): it is what reads see from now on, and
    /// what is sent.
    fn write(&mut self, key: FieldKey<'_>, row: Unsent) -> Result<()> {
        let (entity, id, field) = key;
        let key = (entity.to_owned(), id.to_owned(), field.to_owned());
        let stored = Stored {
            value: row.value.clone(),
            hlc: row.hlc.clone(),
        };
        let record = self.records.get_mut(entity, id);
        let unsent = self.unsent.get(&key);
        if let Some(journal) = &mut self.journal {
            let kept = record.as_ref().and_then(|r| r.get(field)).cloned();
            journal.before.push((key.clone(), kept, unsent.cloned()));
        }
        // Kept and not unsent: read from the table, or sent since, so the table has it.
        let in_table = match unsent {
            Some((_, in_table)) => *in_table,
            None => record.as_ref().is_some_and(|r| r.contains_key(field)),
        };
        if let Some(record) = record {
            record.insert(field.to_owned(), stored);
        }
        self.unsent.insert(key, (row, in_table));
        if self.unsent.len() >= SEND_AT {
            self.send()?;
        }
        Ok(())
    }

    /// Sends the rows written since the last time: new rows in one statement, rows the table
    /// has in another. Every row must be stored: one that is not met a stamp this transaction
    /// did not read (and a new row that is not new fails its insert), which the lock rules out.
    fn send(&mut self) -> Result<()> {
        if self.unsent.is_empty() {
            return Ok(());
        }
        if let Some(journal) = &mut self.journal {
            journal.sent |= !journal.before.is_empty();
        }
        let n = self.unsent.len() as u64;
        // In seq order: each index then takes the rows in its own order where it can (the seq
        // index at its right edge, each grid's rows at the end of that grid's range), so a
        // batch fills its leaves in turn instead of splitting pages all over the batch's range,
        // as rows in the map's order did.
        let mut rows: Vec<_> = self.unsent.drain().collect();
        rows.sort_unstable_by_key(|(_, (row, _))| row.seq);
        let (mut new, mut stored) = (Columns::default(), Columns::default());
        for (key, (row, in_table)) in rows {
            match in_table {
                false => new.push(key, row),
                true => stored.push(key, row),
            }
        }
        let written = match new.entities.len() >= COPY_AT {
            true => new.copy(self.tx, &self.st(St::Copy))?,
            false => new.send(self.tx, &self.st(St::Insert))?,
        } + stored.send(self.tx, &self.st(St::Put))?;
        if written != n {
            return Err(StorageError::Corrupt(format!(
                "{} of {n} rows met a stamp newer than the write transaction read: `fields` was \
                 written without the write lock",
                n - written
            )));
        }
        Ok(())
    }
}

impl Drop for Tx<'_> {
    /// A transaction not committed is rolled back, as `postgres::Transaction` does when dropped:
    /// the connection goes back to the pool outside any transaction, and the lock is released.
    fn drop(&mut self) {
        if self.open {
            let _ = self.tx.batch_execute("ROLLBACK");
        }
    }
}

/// A group's works share the transaction. A work's writes are kept in memory until sent, so
/// undoing one puts back what it changed there; no savepoint is needed (each would be a round
/// trip under the lock, and a subtransaction that writes takes an xid of its own). A work whose
/// rows were already sent (more than [`SEND_AT`] rows, or a search of the table after its first
/// write) cannot be undone: the group fails, which only a work that fails after writing meets;
/// a refusal comes before any write.
impl GroupTx for Tx<'_> {
    fn mark(&mut self) -> Result<()> {
        self.journal = Some(Journal {
            history: self.history.len(),
            contests: self.contests.len(),
            ..Journal::default()
        });
        Ok(())
    }

    fn keep(&mut self) -> Result<()> {
        self.journal = None;
        Ok(())
    }

    fn undo(&mut self) -> Result<()> {
        let Some(journal) = self.journal.take() else {
            return Ok(());
        };
        if journal.sent {
            return Err(StorageError::Conflict(
                "a batch that failed after its rows were sent cannot be undone alone".into(),
            ));
        }
        self.history.truncate(journal.history);
        self.contests.truncate(journal.contests);
        // The seqs the work took stay taken: a gap in the order is harmless, a reuse is not.
        for ((entity, id, field), kept, unsent) in journal.before.into_iter().rev() {
            if let Some(record) = self.records.get_mut(&entity, &id) {
                match kept {
                    Some(stored) => record.insert(field.clone(), stored),
                    None => record.remove(&field),
                };
            }
            match unsent {
                Some(row) => self.unsent.insert((entity, id, field), row),
                None => self.unsent.remove(&(entity, id, field)),
            };
        }
        Ok(())
    }
}

impl RecordLookup for Tx<'_> {
    fn field(&mut self, entity: &str, id: &str, field: &str) -> Result<Option<Value>> {
        match self.record(entity, id)?.get(field) {
            Some(s) => Ok(Some(parse(entity, field, &s.value)?)),
            None => Ok(None),
        }
    }

    fn stamp(&mut self, entity: &str, id: &str, field: &str) -> Result<Option<String>> {
        Ok(self.record(entity, id)?.get(field).map(|s| s.hlc.clone()))
    }

    fn stamps(&mut self, keys: &[FieldKey<'_>]) -> Result<Vec<Option<String>>> {
        self.read_records(keys.iter().map(|k| (k.0, k.1)))?;
        keys.iter()
            .map(|(entity, id, field)| self.stamp(entity, id, field))
            .collect()
    }

    fn ids_where(&mut self, entity: &str, field: &str, value: &Value) -> Result<Vec<String>> {
        // A search of the whole table: it must see this transaction's writes.
        self.send()?;
        let st = match field.ends_with("_id") {
            true => self.st(St::IdsOfReference),
            false => self.st(St::IdsWhere),
        };
        let value = value.to_string();
        Ok(self
            .tx
            .query(&st, &[&entity, &field, &value])?
            .iter()
            .map(|r| r.get(0))
            .collect())
    }

    fn field_names(&mut self, entity: &str, id: &str) -> Result<Vec<String>> {
        // In byte order, as `ORDER BY field` sorts the column (COLLATE "C").
        Ok(self.record(entity, id)?.keys().cloned().collect())
    }

    fn prefetch(&mut self, records: &[(&str, &str)]) -> Result<()> {
        self.read_records(records.iter().copied())
    }
}

impl WriteTx for Tx<'_> {
    fn user_role(&mut self, user_id: &str) -> Result<Option<Role>> {
        let row = self
            .tx
            .query_opt("SELECT role FROM users WHERE id = $1", &[&user_id])?;
        row.map(|r| {
            let role: String = r.get(0);
            Role::parse(&role).ok_or_else(|| StorageError::Corrupt(format!("role {role}")))
        })
        .transpose()
    }

    /// An undone work leaves its bump behind: one more fresh start for the user, never a
    /// missed one.
    fn bump_scope_version(&mut self, user_id: &str) -> Result<()> {
        self.tx.execute(
            "UPDATE users SET scope_version = scope_version + 1 WHERE id = $1",
            &[&user_id],
        )?;
        Ok(())
    }

    fn insert(&mut self, c: &Change, grid: Option<&str>) -> Result<bool> {
        if self.record(&c.entity, &c.id)?.contains_key(&c.field) {
            return Ok(false);
        }
        let seq = self.take_seqs(1);
        self.write(key(c), row(c, seq, grid))?;
        Ok(true)
    }

    fn replace(&mut self, c: &Change, grid: Option<&str>) -> Result<()> {
        let seq = self.take_seqs(1);
        if self.record(&c.entity, &c.id)?.contains_key(&c.field) {
            self.write(key(c), row(c, seq, grid))?;
        }
        Ok(())
    }

    fn put(&mut self, rows: &[(&Change, Option<&str>)]) -> Result<()> {
        self.read_records(rows.iter().map(|(c, _)| (c.entity.as_str(), c.id.as_str())))?;
        let first = self.take_seqs(rows.len());
        for (seq, (c, grid)) in (first..).zip(rows) {
            // As the statement's WHERE did when it was sent at once: a row never overwrites a
            // newer stamp (the caller judged it already; its seq stays taken either way).
            let newer = self
                .record(&c.entity, &c.id)?
                .get(&c.field)
                .is_none_or(|s| c.hlc > s.hlc);
            if newer {
                self.write(key(c), row(c, seq, *grid))?;
            }
        }
        Ok(())
    }

    fn log(&mut self, entries: Vec<Logged>) -> Result<()> {
        self.history.extend(entries);
        Ok(())
    }

    fn flag(&mut self, contest: Contest) -> Result<()> {
        self.contests.push(contest);
        Ok(())
    }

    fn refile(
        &mut self,
        entity: &str,
        id: &str,
        fields: &[String],
        grid: Option<&str>,
    ) -> Result<()> {
        let first = self.take_seqs(fields.len());
        for (seq, field) in (first..).zip(fields) {
            let Some(s) = self.record(entity, id)?.get(field.as_str()) else {
                continue;
            };
            let moved = Unsent {
                value: s.value.clone(),
                hlc: s.hlc.clone(),
                seq,
                grid: grid.map(str::to_owned),
            };
            self.write((entity, id, field), moved)?;
        }
        Ok(())
    }
}

fn key(c: &Change) -> FieldKey<'_> {
    (&c.entity, &c.id, &c.field)
}

fn row(c: &Change, seq: i64, grid: Option<&str>) -> Unsent {
    Unsent {
        value: c.value.to_string(),
        hlc: c.hlc.clone(),
        seq,
        grid: grid.map(str::to_owned),
    }
}
