//! The merged records of a set of grids, read whole from storage: what the dashboard, the
//! exports and the roster import compute from, on the server, so no client needs every record.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::storage::{Result, Storage, StorageError};

/// One record's current fields, by field name: the model's one plain shape of a record, read
/// through its views.
pub type Fields = model::record::Values;

/// Records by entity, then by id. Deleted records (`_deleted` = true) are left out.
#[derive(Debug, Default, Clone)]
pub struct Snapshot {
    pub entities: BTreeMap<String, BTreeMap<String, Fields>>,
    /// The storage's `max_seq` when the snapshot was read: equal seqs mean equal data.
    pub seq: i64,
    /// The largest stamp read: a server clock that has seen it stamps after every value here.
    pub max_hlc: Option<String>,
}

impl Snapshot {
    /// Every live record of `entity`, by id.
    pub fn of(&self, entity: &str) -> impl Iterator<Item = (&String, &Fields)> {
        self.entities.get(entity).into_iter().flatten()
    }

    pub fn get(&self, entity: &str, id: &str) -> Option<&Fields> {
        self.entities.get(entity)?.get(id)
    }
}

/// Reads the winning value of every field of records in `grids` (and of records of no grid);
/// `None` reads everything.
pub async fn read(storage: &dyn Storage, grids: Option<Vec<String>>) -> Result<Snapshot> {
    // Taken first: a write landing during the read only makes the snapshot newer than `seq`,
    // which costs a needless recompute, never a stale answer.
    let seq = storage.max_seq().await?;
    let mut entities: BTreeMap<String, BTreeMap<String, Fields>> = BTreeMap::new();
    let mut after = 0;
    let mut max_hlc: Option<String> = None;
    loop {
        let rows = storage.rows_after(after, 50_000, grids.clone()).await?;
        let Some(last) = rows.last() else { break };
        after = last.seq;
        // A page of 50,000 values is some tens of ms of building maps: off the runtime's
        // threads, which meanwhile answer other requests (a supervisor's dashboard is asked for
        // beside the records pages of their first sync).
        (entities, max_hlc) = tokio::task::spawn_blocking(move || {
            for row in rows {
                let c = row.change;
                if crate::departures::is_departure(&c.field) {
                    continue;
                }
                if max_hlc.as_ref().is_none_or(|m| c.hlc > *m) {
                    max_hlc = Some(c.hlc.clone());
                }
                entities
                    .entry(c.entity)
                    .or_default()
                    .entry(c.id)
                    .or_default()
                    .insert(c.field, c.value);
            }
            (entities, max_hlc)
        })
        .await
        .map_err(|e| StorageError::Join(format!("building a snapshot: {e}")))?;
    }
    for records in entities.values_mut() {
        records.retain(|_, f| f.get(model::schema::DELETED) != Some(&Value::Bool(true)));
    }
    Ok(Snapshot {
        entities,
        seq,
        max_hlc,
    })
}

/// Snapshots kept for repeated questions about the same grids (a supervisor stepping through
/// dates, an import previewed again after a mapping change): each is reused until anything is
/// written, which moves `max_seq`.
const CACHED_SNAPSHOTS: usize = 8;

/// Which grids a snapshot holds: `None` for every record.
type Scope = Option<Vec<String>>;

#[derive(Default)]
pub struct SnapshotCache {
    entries: Mutex<Vec<(Scope, Arc<Snapshot>)>>,
}

impl SnapshotCache {
    /// The merged records of `grids` (sorted; `None` for everything), read again only when
    /// anything was written since the cached read.
    pub async fn get(
        &self,
        storage: &dyn Storage,
        grids: Option<&[String]>,
    ) -> Result<Arc<Snapshot>> {
        let key = grids.map(<[String]>::to_vec);
        let seq = storage.max_seq().await?;
        let hit = self
            .entries
            .lock()
            .expect("snapshot cache poisoned")
            .iter()
            .find(|(g, s)| *g == key && s.seq == seq)
            .map(|(_, s)| s.clone());
        if let Some(s) = hit {
            return Ok(s);
        }
        let fresh = Arc::new(read(storage, key.clone()).await?);
        let mut entries = self.entries.lock().expect("snapshot cache poisoned");
        entries.retain(|(g, _)| *g != key);
        entries.insert(0, (key, fresh.clone()));
        entries.truncate(CACHED_SNAPSHOTS);
        Ok(fresh)
    }
}
