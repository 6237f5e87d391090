//! A device's first sync: pages of whole records (`GET /api/v1/sync/records`) written as they
//! come into a store that held no record when the sync began, without reading one first, each
//! page's records as one base ([`super::stored`]).

use std::collections::{BTreeMap, HashSet};

use model::hlc::Hlc;
use model::merge::{self, Stamped};
use model::wire::RecordsPage;
use rexie::TransactionMode;
use serde_json::value::RawValue;

use super::stored::{self, RawRecord, BASES};
use super::{end_page, record_key, record_to_js, Db, Record, Result, META, RECORDS};

/// A records page as the phone reads it: each record's fields are the JSON text it stores.
pub type RawRecordsPage = RecordsPage<Box<RawValue>>;

/// What a first sync has written so far. A record met again (the server's page ended inside it)
/// is read and merged like any pulled change; any other cannot be on the device yet, because
/// the store was empty when the sync began and nothing but this sync writes a record the server
/// sent (an edit needs the record on screen first, so it was written by an earlier page).
#[derive(Debug, Default)]
pub struct FirstSync {
    written: HashSet<String>,
    /// The last record of the page before, as stored. A page that ends inside a record (the
    /// server's pages end at a count of values, not of records) is followed by one that carries
    /// on with it: its rest merges into this copy, instead of the whole page's base being read
    /// back and parsed to find the one record.
    tail: Option<Record>,
}

impl Db {
    /// Whether this device holds no record at all: a first sync may then write without reading.
    pub async fn holds_no_records(&self) -> Result<bool> {
        let tx = self.tx(&[RECORDS, BASES], TransactionMode::ReadOnly)?;
        Ok(tx.store(RECORDS)?.count(None).await? == 0 && tx.store(BASES)?.count(None).await? == 0)
    }

    /// Stores a records page with its cursor in one transaction, as [`Db::apply_pulled`] does a
    /// pull page. Returns how many records were written or removed.
    pub async fn apply_first_page(
        &self,
        page: &RawRecordsPage,
        first: &mut FirstSync,
    ) -> Result<usize> {
        let tx = self.tx(&[RECORDS, BASES, META], TransactionMode::ReadWrite)?;
        let (records, bases, meta) = (tx.store(RECORDS)?, tx.store(BASES)?, tx.store(META)?);
        let (mut clock, wall) = self.clock_and_wall(&meta).await?;
        if let Some(stamp) = page.max_hlc.as_deref().and_then(|h| Hlc::parse(h).ok()) {
            clock.observe(&stamp, wall);
        }
        clock.observe_time(page.server_time_ms.max(0) as u64, wall);

        let (mut new, mut again): (Vec<&RawRecord>, Vec<&RawRecord>) = (Vec::new(), Vec::new());
        for r in &page.records {
            if first.written.insert(record_key(&r.entity, &r.id)) {
                new.push(r);
            } else {
                again.push(r);
            }
        }
        // The page's new records go in as one base; one met again was stored by an earlier
        // page, and its merge goes to the overlay.
        stored::add_base(&bases, &new).await?;
        let held = held_again(&records, &bases, &again, first.tail.take()).await?;
        let mut writes = Vec::new();
        let mut merged = Vec::with_capacity(again.len());
        for (r, held) in again.iter().zip(held) {
            let mut record = held.unwrap_or_else(|| Record::new(&r.entity, &r.id));
            let fields: BTreeMap<String, Stamped> = serde_json::from_str(r.fields.get())?;
            if merge::merge_record(&mut record.fields, fields) > 0 {
                writes.push(record_to_js(&record)?);
            }
            merged.push(record);
        }
        let mut changed = new.len() + writes.len();
        records
            .put_all(writes.into_iter().map(|v| (v, None)))
            .await?;
        changed += stored::drop_many(&records, &bases, &page.dropped).await?;
        end_page(&meta, &page.cursor, &clock).await?;
        tx.done().await?;
        first.tail = match page.records.last() {
            Some(last) if again.last().is_some_and(|r| std::ptr::eq(*r, last)) => merged.pop(),
            Some(last) => Some(Record {
                entity: last.entity.clone(),
                id: last.id.clone(),
                fields: serde_json::from_str(last.fields.get())?,
            }),
            None => None,
        }
        .filter(|t| {
            !page
                .dropped
                .iter()
                .any(|d| d.entity == t.entity && d.id == t.id)
        });
        Ok(changed)
    }
}

/// The records a page carries on with, as the device holds them, in the order given. The one
/// the page before ended inside is its remembered `tail`, unless an edit has since put it in the
/// overlay; any other is looked up ([`stored::get_many`]).
async fn held_again(
    records: &rexie::Store,
    bases: &rexie::Store,
    again: &[&RawRecord],
    tail: Option<Record>,
) -> Result<Vec<Option<Record>>> {
    let is_tail = |r: &RawRecord| {
        tail.as_ref()
            .is_some_and(|t| t.entity == r.entity && t.id == r.id)
    };
    let asked: Vec<(&str, &str)> = again
        .iter()
        .filter(|r| !is_tail(r))
        .map(|r| (r.entity.as_str(), r.id.as_str()))
        .collect();
    let mut looked_up = stored::get_many(records, bases, &asked).await?.into_iter();
    let mut held = Vec::with_capacity(again.len());
    for r in again {
        held.push(match is_tail(r) {
            true => match stored::get_overlay(records, &r.entity, &r.id).await? {
                Some(edited) => Some(edited),
                None => tail.clone(),
            },
            false => looked_up.next().flatten(),
        });
    }
    Ok(held)
}
