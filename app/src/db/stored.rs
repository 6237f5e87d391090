//! Where a device's records live. A first sync stores each page's new records whole, as one
//! *base* (one IndexedDB object holding their JSON text, found by record through a multi-entry
//! index on its keys); every later write goes to the overlay of single records, which wins over
//! a base. One object per page instead of one per record is what makes a first sync and a start
//! fast on a cheap phone: IndexedDB's cost is per object, not per byte.
//!
//! Invariant: a record not in the overlay is in at most one base, because bases are written only
//! by a first sync into an empty store, and it writes each record once ([`super::FirstSync`]).

use std::collections::{BTreeMap, BTreeSet, HashSet};

use js_sys::{Object, Reflect, Uint8Array};
use model::wire::{PulledRecord, RecordKey};
use rexie::{KeyRange, Store};
use serde_json::value::RawValue;
use wasm_bindgen::{JsCast, JsValue};

use super::error::{js_error, DbError, Result};
use super::record::{record_from_js, record_key};
use super::{ByEntity, Record, LOAD_SLICE};

pub(super) const BASES: &str = "bases";
/// The multi-entry index of the bases on their records' keys.
pub(super) const BASE_INDEX: &str = "record";
/// A base's properties: its records' keys (what [`BASE_INDEX`] reads) and their JSON, as the
/// UTF-8 bytes of the text (a `Uint8Array`). Bytes, not a string: they go between the app's
/// memory and the store as copies, where a string of a few hundred KB is decoded to UTF-16 on
/// the way in and encoded back on the way out. Bases written before held a string, which is
/// read as well.
pub(super) const BASE_KEYS: &str = "keys";
const BASE_JSON: &str = "json";

/// A record as a records page carries it: its fields are the JSON text a base stores as it is.
pub(super) type RawRecord = PulledRecord<Box<RawValue>>;

fn base_to_js(records: &[&RawRecord]) -> Result<JsValue> {
    let keys: Vec<String> = records
        .iter()
        .map(|r| record_key(&r.entity, &r.id))
        .collect();
    // One JSON text parsed by the browser: far cheaper than a string handed over per key.
    let keys = js_sys::JSON::parse(&serde_json::to_string(&keys)?).map_err(js_error)?;
    let o = Object::new();
    Reflect::set(&o, &BASE_KEYS.into(), &keys).map_err(js_error)?;
    let json = Uint8Array::from(serde_json::to_vec(records)?.as_slice());
    Reflect::set(&o, &BASE_JSON.into(), &json).map_err(js_error)?;
    Ok(o.into())
}

/// The JSON of a base's records, as bytes.
fn base_json(v: &JsValue) -> Result<Vec<u8>> {
    let json = Reflect::get(v, &BASE_JSON.into()).map_err(js_error)?;
    match json.dyn_ref::<Uint8Array>() {
        Some(bytes) => Ok(bytes.to_vec()),
        None => json
            .as_string()
            .map(String::into_bytes)
            .ok_or(DbError::MissingKey(BASE_JSON)),
    }
}

/// Stores `records` as one new base.
pub(super) async fn add_base(bases: &Store, records: &[&RawRecord]) -> Result<()> {
    if !records.is_empty() {
        bases.add(&base_to_js(records)?, None).await?;
    }
    Ok(())
}

/// The primary key of the base holding `key`, if one does.
async fn base_of(bases: &Store, key: String) -> Result<Option<JsValue>> {
    let only = KeyRange::only(&key.into()).map_err(rexie::Error::from)?;
    Ok(bases
        .index(BASE_INDEX)?
        .get_all_keys(Some(only), Some(1))
        .await?
        .into_iter()
        .next())
}

/// A base's primary key as a map key (the store numbers its bases).
fn base_id(pk: &JsValue) -> Option<u64> {
    pk.as_f64().map(|n| n as u64)
}

pub(super) async fn get_overlay(records: &Store, entity: &str, id: &str) -> Result<Option<Record>> {
    match records.get(record_key(entity, id).into()).await? {
        Some(v) if !v.is_undefined() => Ok(Some(record_from_js(&v)?)),
        _ => Ok(None),
    }
}

/// The bases holding `keys` (each as an index into `keys`), by base, each base's primary key with
/// the keys it holds. The lookups run concurrently inside the transaction; none runs when the
/// device has no base.
async fn holders(bases: &Store, keys: Vec<(usize, String)>) -> Result<Vec<(JsValue, Vec<usize>)>> {
    if keys.is_empty() || bases.count(None).await? == 0 {
        return Ok(Vec::new());
    }
    let (at, keys): (Vec<usize>, Vec<String>) = keys.into_iter().unzip();
    let found = futures::future::try_join_all(keys.into_iter().map(|k| base_of(bases, k))).await?;
    let mut by_base: BTreeMap<u64, (JsValue, Vec<usize>)> = BTreeMap::new();
    for (i, pk) in at.into_iter().zip(found) {
        if let Some((n, pk)) = pk.and_then(|pk| Some((base_id(&pk)?, pk))) {
            by_base
                .entry(n)
                .or_insert_with(|| (pk, Vec::new()))
                .1
                .push(i);
        }
    }
    Ok(by_base.into_values().collect())
}

/// The records `(entity, id)` as the device holds them, in the order asked. The requests of each
/// step run concurrently inside the transaction, and a base is read and parsed once however
/// many of its records are asked for.
pub(super) async fn get_many(
    records: &Store,
    bases: &Store,
    keys: &[(&str, &str)],
) -> Result<Vec<Option<Record>>> {
    let mut found = futures::future::try_join_all(
        keys.iter()
            .map(|(entity, id)| get_overlay(records, entity, id)),
    )
    .await?;
    let missing = (0..keys.len())
        .filter(|&i| found[i].is_none())
        .map(|i| (i, record_key(keys[i].0, keys[i].1)))
        .collect();
    let wanted = holders(bases, missing).await?;
    let read =
        futures::future::try_join_all(wanted.iter().map(|(pk, _)| bases.get(pk.clone()))).await?;
    for ((_, asked), v) in wanted.into_iter().zip(read) {
        let Some(v) = v.filter(|v| !v.is_undefined()) else {
            continue;
        };
        let held: Vec<Record> = crate::json::from_bytes(&base_json(&v)?)?;
        let by_key: BTreeMap<(&str, &str), &Record> = held
            .iter()
            .map(|r| ((r.entity.as_str(), r.id.as_str()), r))
            .collect();
        // A record asked for twice (two edits of it in one batch) is found both times.
        for i in asked {
            found[i] = by_key.get(&keys[i]).map(|r| (*r).clone());
        }
    }
    Ok(found)
}

/// One record as the device holds it ([`get_many`] for one).
pub(super) async fn get_one(
    records: &Store,
    bases: &Store,
    entity: &str,
    id: &str,
) -> Result<Option<Record>> {
    Ok(get_many(records, bases, &[(entity, id)])
        .await?
        .into_iter()
        .next()
        .flatten())
}

/// Rewrites the base `pk` (stored as `v`) without the records `keep` refuses; removes it when
/// none is left. Returns the keys of the records it removed.
async fn sift_base(
    bases: &Store,
    pk: &JsValue,
    v: &JsValue,
    keep: impl Fn(&str) -> bool,
) -> Result<Vec<String>> {
    let all: Vec<RawRecord> = crate::json::from_bytes(&base_json(v)?)?;
    let mut kept = Vec::with_capacity(all.len());
    let mut removed = Vec::new();
    for r in &all {
        let key = record_key(&r.entity, &r.id);
        if keep(&key) {
            kept.push(r);
        } else {
            removed.push(key);
        }
    }
    if removed.is_empty() {
        return Ok(removed);
    }
    if kept.is_empty() {
        bases.delete(pk.clone()).await?;
    } else {
        bases.put(&base_to_js(&kept)?, Some(pk)).await?;
    }
    Ok(removed)
}

/// Removes the records a page says this user may no longer read, from the overlay and from the
/// bases; returns how many the device held.
pub(super) async fn drop_many(
    records: &Store,
    bases: &Store,
    dropped: &[RecordKey],
) -> Result<usize> {
    if dropped.is_empty() {
        return Ok(0);
    }
    let keys: BTreeSet<String> = dropped
        .iter()
        .map(|d| record_key(&d.entity, &d.id))
        .collect();
    let mut gone: BTreeSet<String> = BTreeSet::new();
    for key in &keys {
        let k: JsValue = key.as_str().into();
        if records
            .get(k.clone())
            .await?
            .is_some_and(|v| !v.is_undefined())
        {
            records.delete(k).await?;
            gone.insert(key.clone());
        }
    }
    for (pk, _) in holders(bases, keys.iter().cloned().enumerate().collect()).await? {
        if let Some(v) = bases.get(pk.clone()).await?.filter(|v| !v.is_undefined()) {
            gone.extend(sift_base(bases, &pk, &v, |k| !keys.contains(k)).await?);
        }
    }
    Ok(gone.len())
}

/// Removes every record, in the overlay and in the bases, that `keep` refuses; returns how many
/// records went.
pub(super) async fn sweep(
    records: &Store,
    bases: &Store,
    keep: &BTreeSet<String>,
) -> Result<usize> {
    let mut gone: BTreeSet<String> = BTreeSet::new();
    for key in records.get_all_keys(None, None).await? {
        if let Some(k) = key.as_string().filter(|k| !keep.contains(k)) {
            records.delete(key).await?;
            gone.insert(k);
        }
    }
    let pks = bases.get_all_keys(None, None).await?;
    let values = bases.get_all(None, None).await?;
    for (pk, v) in pks.iter().zip(values) {
        gone.extend(sift_base(bases, pk, &v, |k| keep.contains(k)).await?);
    }
    Ok(gone.len())
}

/// Every record on the device by entity, each entity's records in order of id (as the
/// overlay's keys sort), read from the two stores of one transaction.
pub(super) async fn load(records: &Store, bases: &Store) -> Result<ByEntity> {
    let overlay = records.get_all(None, None).await?;
    let based = bases.get_all(None, None).await?;
    crate::browser::mark("knock:got");
    let mut by = ByEntity::default();
    let mut shadowed: HashSet<String> = HashSet::with_capacity(overlay.len());
    let mut since_pause = 0;
    // Thousands of records are read a slice at a time, letting the page answer a tap between
    // slices: a cheap phone reads a community's records for a second or more.
    for v in &overlay {
        if since_pause == LOAD_SLICE {
            crate::browser::yield_to_input().await;
            since_pause = 0;
        }
        since_pause += 1;
        let r = record_from_js(v)?;
        shadowed.insert(record_key(&r.entity, &r.id));
        by.0.entry(r.entity.clone()).or_default().push(r);
    }
    for b in &based {
        if since_pause >= LOAD_SLICE {
            crate::browser::yield_to_input().await;
            since_pause = 0;
        }
        let held: Vec<Record> = crate::json::from_bytes(&base_json(b)?)?;
        since_pause += held.len();
        for r in held {
            if shadowed.is_empty() || !shadowed.contains(&record_key(&r.entity, &r.id)) {
                by.0.entry(r.entity.clone()).or_default().push(r);
            }
        }
    }
    if !based.is_empty() {
        for rs in by.0.values_mut() {
            rs.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        }
    }
    Ok(by)
}
