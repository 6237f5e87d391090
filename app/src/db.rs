//! The one owner of the device's IndexedDB schema: one database per user, the merged records
//! (single records over the first sync's pages, [`stored`]), the outbox, the pull cursor and the
//! HLC. Every local edit writes the record and its outbox
//! entries in one transaction; every pulled page is written with its cursor in one transaction.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use model::hlc::{Clock, Hlc};
use model::merge::Stamped;
use model::wire::{Change, ProblemCode, RecordKey};
use rexie::{ObjectStore, Rexie, Store, Transaction, TransactionMode};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use wasm_bindgen::JsValue;

mod error;
mod first_sync;
mod record;
mod resync;
mod start;
mod stored;

pub use error::{DbError, Result};
pub use first_sync::{FirstSync, RawRecordsPage};
use record::{record_key, record_to_js};
pub use record::{ByEntity, Record};
pub use start::{PullStart, Standing};
use stored::{BASES, BASE_INDEX, BASE_KEYS};

/// Bump with a new step in [`Db::open`] when the stores change; never rename a store.
/// 2: the first sync's pages kept whole in `bases` (issue 14).
const DB_VERSION: u32 = 2;
const RECORDS: &str = "records";
const OUTBOX: &str = "outbox";
const META: &str = "meta";
const REJECTED: &str = "rejected";

/// Records [`Db::load_all`] reads between two pauses: on a slow phone about the 50 ms a
/// browser counts as a task that keeps the page from answering. A pause lets a tap through and
/// then the read goes on ahead of other queued work ([`crate::browser::yield_to_input`]).
const LOAD_SLICE: usize = 1_000;

const META_CURSOR: &str = "cursor";
const META_CLOCK: &str = "clock";
/// Milliseconds to add to this device's wall clock, learned from a `clock_skew` answer.
const META_CORRECTION: &str = "clock_correction_ms";
const META_LAST_SYNC: &str = "last_sync_ms";

/// An edit the server refused, kept so the user sees what and why instead of losing it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rejected {
    pub change: Change,
    pub message: String,
    pub at_ms: f64,
    /// The validation problem behind `message`, when the server sent one: the page words it in
    /// the reader's language. Absent in what older versions stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<ProblemCode>,
}

/// Why the server refused an edit: its message and, for a validation problem, its code.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub message: String,
    pub code: Option<ProblemCode>,
}

impl From<String> for Refusal {
    fn from(message: String) -> Refusal {
        Refusal {
            message,
            code: None,
        }
    }
}

impl From<&str> for Refusal {
    fn from(message: &str) -> Refusal {
        Refusal::from(message.to_owned())
    }
}

impl From<model::wire::ErrorDetail> for Refusal {
    fn from(d: model::wire::ErrorDetail) -> Refusal {
        Refusal {
            message: d.message,
            code: d.code,
        }
    }
}

fn json_to_js<T: Serialize>(v: &T) -> Result<JsValue> {
    Ok(serde_json::to_string(v)?.into())
}

fn json_from_js<T: for<'de> Deserialize<'de>>(v: &JsValue) -> Result<T> {
    let s = v.as_string().ok_or_else(|| {
        DbError::BadJson(format!("not text: {}", crate::browser::js_error_text(v)))
    })?;
    Ok(serde_json::from_str(&s)?)
}

pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// One record's edit: entity, id, and the new value of each changed field.
pub type RecordEdit = (String, String, Vec<(String, Value)>);

/// A user's data on this device. Clones share one connection; [`Db::close`] closes it for all
/// of them, so the database can be deleted at logout.
#[derive(Clone)]
pub struct Db {
    idb: Rc<RefCell<Option<Rexie>>>,
    pub user_id: String,
    pub device_id: String,
}

pub fn db_name(user_id: &str) -> String {
    format!("knock-{user_id}")
}

async fn meta_get<T: for<'de> Deserialize<'de>>(store: &Store, key: &str) -> Result<Option<T>> {
    match store.get(key.into()).await? {
        Some(v) if !v.is_undefined() => Ok(Some(json_from_js(&v)?)),
        _ => Ok(None),
    }
}

async fn meta_put<T: Serialize>(store: &Store, key: &str, value: &T) -> Result<()> {
    store.put(&json_to_js(value)?, Some(&key.into())).await?;
    Ok(())
}

/// What a page's transaction stores after its records: the cursor it reached, the clock that
/// observed its stamps, and when it was synced.
async fn end_page(meta: &Store, cursor: &str, clock: &Clock) -> Result<()> {
    meta_put(meta, META_CURSOR, &cursor).await?;
    meta_put(meta, META_CLOCK, &clock.state()).await?;
    meta_put(meta, META_LAST_SYNC, &now_ms()).await
}

impl Db {
    pub async fn open(user_id: &str, device_id: &str) -> Result<Db> {
        let idb = Rexie::builder(&db_name(user_id))
            .version(DB_VERSION)
            .add_object_store(
                ObjectStore::new(RECORDS)
                    .key_path("key")
                    .add_index(rexie::Index::new("entity", "entity")),
            )
            .add_object_store(
                ObjectStore::new(BASES)
                    .auto_increment(true)
                    .add_index(rexie::Index::new(BASE_INDEX, BASE_KEYS).multi_entry(true)),
            )
            .add_object_store(ObjectStore::new(OUTBOX).auto_increment(true))
            .add_object_store(ObjectStore::new(META))
            .add_object_store(ObjectStore::new(REJECTED).auto_increment(true))
            .build()
            .await?;
        Ok(Db {
            idb: Rc::new(RefCell::new(Some(idb))),
            user_id: user_id.into(),
            device_id: device_id.into(),
        })
    }

    /// Removes a user's data from this device (logout).
    pub async fn destroy(user_id: &str) -> Result<()> {
        Rexie::delete(&db_name(user_id)).await?;
        Ok(())
    }

    /// Closes the connection for every clone; later calls on any of them fail.
    pub fn close(&self) {
        if let Some(idb) = self.idb.borrow_mut().take() {
            idb.close();
        }
    }

    /// A transaction over `stores`. The borrow ends here: a transaction does not need the
    /// connection object once it exists.
    fn tx(&self, stores: &[&str], mode: TransactionMode) -> Result<Transaction> {
        let idb = self.idb.borrow();
        let idb = idb.as_ref().ok_or(DbError::Closed)?;
        Ok(idb.transaction(stores, mode)?)
    }

    async fn clock_and_wall(&self, meta: &Store) -> Result<(Clock, u64)> {
        let clock = match meta_get::<String>(meta, META_CLOCK).await? {
            Some(state) => Clock::restore(&state)?,
            None => Clock::new(self.device_id.clone())?,
        };
        let correction = meta_get::<f64>(meta, META_CORRECTION).await?.unwrap_or(0.0);
        Ok((clock, (now_ms() + correction).max(0.0) as u64))
    }

    /// Records a local edit: stamps each field, merges it into the record and queues it in the
    /// outbox, all in one transaction, so an edit is never saved without being queued or queued
    /// without being saved.
    pub async fn edit(
        &self,
        entity: &str,
        id: &str,
        fields: Vec<(String, Value)>,
    ) -> Result<Vec<Change>> {
        self.edit_many(vec![(entity.to_owned(), id.to_owned(), fields)])
            .await
    }

    /// Several records' edits in one transaction, all or nothing (a batch of health packs is
    /// created whole, and one transaction is far faster than hundreds).
    pub async fn edit_many(&self, edits: Vec<RecordEdit>) -> Result<Vec<Change>> {
        let tx = self.tx(&[RECORDS, BASES, OUTBOX, META], TransactionMode::ReadWrite)?;
        let written = async {
            let (records, bases) = (tx.store(RECORDS)?, tx.store(BASES)?);
            let (outbox, meta) = (tx.store(OUTBOX)?, tx.store(META)?);
            let (mut clock, wall) = self.clock_and_wall(&meta).await?;
            let keys: Vec<(&str, &str)> = edits
                .iter()
                .map(|(e, id, _)| (e.as_str(), id.as_str()))
                .collect();
            // Read before any write; a record edited twice in the batch builds on its first edit.
            let held = stored::get_many(&records, &bases, &keys).await?;
            let mut edited: BTreeMap<(&str, &str), Record> = BTreeMap::new();
            let mut changes = Vec::new();
            for (((entity, id, fields), held), key) in edits.iter().zip(held).zip(keys) {
                let record = edited
                    .entry(key)
                    .or_insert_with(|| held.unwrap_or_else(|| Record::new(entity, id)));
                for (field, value) in fields {
                    let hlc = clock.now(wall).to_string();
                    let c = Change {
                        entity: entity.clone(),
                        id: id.clone(),
                        field: field.clone(),
                        value: value.clone(),
                        hlc,
                    };
                    record.merge(&c);
                    outbox.add(&json_to_js(&c)?, None).await?;
                    changes.push(c);
                }
            }
            for record in edited.values() {
                records.put(&record_to_js(record)?, None).await?;
            }
            meta_put(&meta, META_CLOCK, &clock.state()).await?;
            Ok::<_, DbError>(changes)
        }
        .await;
        match written {
            Ok(changes) => {
                tx.done().await?;
                Ok(changes)
            }
            Err(e) => {
                // IndexedDB commits whatever was requested unless told otherwise: an edit is
                // all of it or none of it.
                let _ = tx.abort().await;
                Err(e)
            }
        }
    }

    /// Merges a pulled page, then removes the records the server says this user may no longer
    /// read (`dropped`: moved to another grid, a delivery taken away), all with the page's
    /// cursor in one transaction. The outbox is left alone: an edit still waiting for a dropped
    /// record is pushed, and refused or kept, like any other. Returns how many values changed
    /// and records went.
    pub async fn apply_pulled(
        &self,
        changes: &[Change],
        dropped: &[RecordKey],
        cursor: &str,
        server_time_ms: i64,
    ) -> Result<usize> {
        let tx = self.tx(&[RECORDS, BASES, META], TransactionMode::ReadWrite)?;
        let (records, bases, meta) = (tx.store(RECORDS)?, tx.store(BASES)?, tx.store(META)?);
        let (mut clock, wall) = self.clock_and_wall(&meta).await?;
        let mut by_record: BTreeMap<(&str, &str), Vec<&Change>> = BTreeMap::new();
        for c in changes {
            by_record
                .entry((c.entity.as_str(), c.id.as_str()))
                .or_default()
                .push(c);
            if let Ok(stamp) = Hlc::parse(&c.hlc) {
                clock.observe(&stamp, wall);
            }
        }
        clock.observe_time(server_time_ms.max(0) as u64, wall);
        // Read every touched record first, then write back only those that changed.
        let keys: Vec<((&str, &str), Vec<&Change>)> = by_record.into_iter().collect();
        let asked: Vec<(&str, &str)> = keys.iter().map(|(k, _)| *k).collect();
        let current = stored::get_many(&records, &bases, &asked).await?;
        let mut changed = 0;
        let mut writes = Vec::new();
        for (((entity, id), cs), existing) in keys.into_iter().zip(current) {
            let mut record = existing.unwrap_or_else(|| Record::new(entity, id));
            let won = cs.iter().filter(|c| record.merge(c)).count();
            if won > 0 {
                changed += won;
                writes.push(record_to_js(&record)?);
            }
        }
        records
            .put_all(writes.into_iter().map(|v| (v, None)))
            .await?;
        changed += stored::drop_many(&records, &bases, dropped).await?;
        end_page(&meta, cursor, &clock).await?;
        tx.done().await?;
        Ok(changed)
    }

    /// After a push: the server's time moves the clock forward so later edits order after it.
    pub async fn observe_server_time(&self, server_time_ms: i64) -> Result<()> {
        let tx = self.tx(&[META], TransactionMode::ReadWrite)?;
        let meta = tx.store(META)?;
        let (mut clock, wall) = self.clock_and_wall(&meta).await?;
        clock.observe_time(server_time_ms.max(0) as u64, wall);
        meta_put(&meta, META_CLOCK, &clock.state()).await?;
        meta_put(&meta, META_LAST_SYNC, &now_ms()).await?;
        tx.done().await?;
        Ok(())
    }

    pub async fn cursor(&self) -> Result<Option<String>> {
        let tx = self.tx(&[META], TransactionMode::ReadOnly)?;
        meta_get(&tx.store(META)?, META_CURSOR).await
    }

    pub async fn last_sync_ms(&self) -> Result<Option<f64>> {
        let tx = self.tx(&[META], TransactionMode::ReadOnly)?;
        meta_get(&tx.store(META)?, META_LAST_SYNC).await
    }

    /// Forgets the cursor (the server said `reset_required`): the next pull starts over. The
    /// outbox stays, so nothing unsynced is lost.
    pub async fn reset_cursor(&self) -> Result<()> {
        let tx = self.tx(&[META], TransactionMode::ReadWrite)?;
        tx.store(META)?.delete(META_CURSOR.into()).await?;
        tx.done().await?;
        Ok(())
    }

    /// The oldest `limit` queued changes with their outbox keys, in the order they were made.
    pub async fn outbox(&self, limit: u32) -> Result<Vec<(JsValue, Change)>> {
        let tx = self.tx(&[OUTBOX], TransactionMode::ReadOnly)?;
        let store = tx.store(OUTBOX)?;
        let keys = store.get_all_keys(None, Some(limit)).await?;
        let values = store.get_all(None, Some(limit)).await?;
        keys.into_iter()
            .zip(values)
            .map(|(k, v)| Ok((k, json_from_js(&v)?)))
            .collect()
    }

    pub async fn outbox_len(&self) -> Result<u32> {
        let tx = self.tx(&[OUTBOX], TransactionMode::ReadOnly)?;
        Ok(tx.store(OUTBOX)?.count(None).await?)
    }

    /// Drops pushed changes from the outbox.
    pub async fn remove_from_outbox(&self, keys: &[JsValue]) -> Result<()> {
        let tx = self.tx(&[OUTBOX], TransactionMode::ReadWrite)?;
        let store = tx.store(OUTBOX)?;
        futures::future::try_join_all(keys.iter().map(|k| store.delete(k.clone()))).await?;
        tx.done().await?;
        Ok(())
    }

    /// Recovery from `409 clock_skew`: remember how far the wall clock is off, restart the HLC
    /// from the server's time, and re-stamp every queued change in order. A record whose field
    /// still holds a re-stamped value takes the new stamp too, so device and server agree.
    pub async fn restamp_outbox(&self, server_time_ms: i64) -> Result<()> {
        let tx = self.tx(&[RECORDS, BASES, OUTBOX, META], TransactionMode::ReadWrite)?;
        let (records, bases) = (tx.store(RECORDS)?, tx.store(BASES)?);
        let (outbox, meta) = (tx.store(OUTBOX)?, tx.store(META)?);
        let (mut clock, _) = self.clock_and_wall(&meta).await?;
        let server_ms = server_time_ms.max(0) as u64;
        meta_put(&meta, META_CORRECTION, &(server_time_ms as f64 - now_ms())).await?;
        clock.rebase(server_ms);
        let keys = outbox.get_all_keys(None, None).await?;
        let values = outbox.get_all(None, None).await?;
        let mut touched: BTreeMap<String, Record> = BTreeMap::new();
        for (key, value) in keys.into_iter().zip(values) {
            let mut c: Change = json_from_js(&value)?;
            let old = std::mem::replace(&mut c.hlc, clock.now(server_ms).to_string());
            let rk = record_key(&c.entity, &c.id);
            if !touched.contains_key(&rk) {
                if let Some(r) = stored::get_one(&records, &bases, &c.entity, &c.id).await? {
                    touched.insert(rk.clone(), r);
                }
            }
            if let Some(r) = touched.get_mut(&rk) {
                if r.fields.get(&c.field).is_some_and(|s| s.hlc == old) {
                    r.fields.insert(c.field.clone(), Stamped::from(&c));
                }
            }
            outbox.put(&json_to_js(&c)?, Some(&key)).await?;
        }
        for r in touched.values() {
            records.put(&record_to_js(r)?, None).await?;
        }
        meta_put(&meta, META_CLOCK, &clock.state()).await?;
        // A re-stamped edit may now sort below a value this device pulled and dropped because
        // its old, future stamp was larger; the server keeps that value, and the cursor is past
        // it. Pulling from the start brings every winner back, so the device cannot diverge.
        meta.delete(META_CURSOR.into()).await?;
        tx.done().await?;
        Ok(())
    }

    /// Moves changes the server refused out of the outbox into the visible list of rejected
    /// edits, so one bad edit never blocks the rest.
    pub async fn reject(&self, items: Vec<(JsValue, Change, Refusal)>) -> Result<()> {
        let tx = self.tx(&[OUTBOX, REJECTED], TransactionMode::ReadWrite)?;
        let (outbox, rejected) = (tx.store(OUTBOX)?, tx.store(REJECTED)?);
        for (key, change, refusal) in items {
            outbox.delete(key).await?;
            rejected
                .add(
                    &json_to_js(&Rejected {
                        change,
                        message: refusal.message,
                        at_ms: now_ms(),
                        code: refusal.code,
                    })?,
                    None,
                )
                .await?;
        }
        tx.done().await?;
        Ok(())
    }

    pub async fn rejected(&self) -> Result<Vec<(JsValue, Rejected)>> {
        let tx = self.tx(&[REJECTED], TransactionMode::ReadOnly)?;
        let store = tx.store(REJECTED)?;
        let keys = store.get_all_keys(None, None).await?;
        let values = store.get_all(None, None).await?;
        keys.into_iter()
            .zip(values)
            .map(|(k, v)| Ok((k, json_from_js(&v)?)))
            .collect()
    }

    pub async fn dismiss_rejected(&self, key: JsValue) -> Result<()> {
        let tx = self.tx(&[REJECTED], TransactionMode::ReadWrite)?;
        tx.store(REJECTED)?.delete(key).await?;
        tx.done().await?;
        Ok(())
    }

    /// Every record on this device by entity (deleted ones included), read in one transaction
    /// so a reader never sees part of a pulled page.
    pub async fn load_all(&self) -> Result<ByEntity> {
        let tx = self.tx(&[RECORDS, BASES], TransactionMode::ReadOnly)?;
        stored::load(&tx.store(RECORDS)?, &tx.store(BASES)?).await
    }

    pub async fn record(&self, entity: &str, id: &str) -> Result<Option<Record>> {
        let tx = self.tx(&[RECORDS, BASES], TransactionMode::ReadOnly)?;
        stored::get_one(&tx.store(RECORDS)?, &tx.store(BASES)?, entity, id).await
    }

    /// The HLC as stored (for tests and diagnostics).
    pub async fn clock(&self) -> Result<Clock> {
        let tx = self.tx(&[META], TransactionMode::ReadOnly)?;
        Ok(self.clock_and_wall(&tx.store(META)?).await?.0)
    }
}
