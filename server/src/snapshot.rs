//! The merged records of a set of grids, read whole from storage: what the dashboard, the
//! exports and the roster import compute from, on the server, so no client needs every record.
//! A snapshot asked for again after writes is brought up to date from the rows written since,
//! not read again whole (`SnapshotCache`).

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use model::dashboard::Records;
use serde_json::Value;

use crate::storage::{FieldRow, Result, Storage, StorageError};

/// One record's current fields, by field name: the model's one plain shape of a record, read
/// through its views.
pub type Fields = model::record::Values;

/// Records by entity, then by id. Deleted records (`_deleted` = true) are left out.
#[derive(Debug, Default, Clone)]
pub struct Snapshot {
    pub entities: Records,
    /// The storage's `max_seq` when the snapshot was read: equal seqs mean equal data.
    pub seq: i64,
    /// The largest stamp read: a server clock that has seen it stamps after every value here.
    pub max_hlc: Option<String>,
    /// The records left out as deleted, kept whole so that a later change to one (its deletion
    /// undone, a field moved to another grid) applies to the record a fresh read would see.
    deleted: Records,
}

impl Snapshot {
    /// Every live record of `entity`, by id.
    pub fn of(&self, entity: &str) -> impl Iterator<Item = (&String, &Fields)> {
        self.entities.get(entity).into_iter().flatten()
    }

    pub fn get(&self, entity: &str, id: &str) -> Option<&Fields> {
        self.entities.get(entity)?.get(id)
    }

    /// Applies winning rows read from storage (in any order: each is a field's current value
    /// and grid): a row filed under a grid outside `scope` takes its field out of the snapshot,
    /// as a fresh read of `scope` would not see it; any other sets its field. `None` is every
    /// grid.
    fn apply(&mut self, rows: Vec<FieldRow>, scope: Option<&BTreeSet<String>>) {
        // Records whose place may have changed: deleted or not, or left with no field.
        let mut moved: BTreeSet<(String, String)> = BTreeSet::new();
        for row in rows {
            let c = row.change;
            if crate::departures::is_departure(&c.field) {
                continue;
            }
            let in_scope = match (scope, &row.grid_id) {
                (None, _) | (_, None) => true,
                (Some(grids), Some(g)) => grids.contains(g),
            };
            if !in_scope {
                for records in [&mut self.entities, &mut self.deleted] {
                    if let Some(fields) = records.get_mut(&c.entity).and_then(|r| r.get_mut(&c.id))
                    {
                        fields.remove(&c.field);
                        moved.insert((c.entity.clone(), c.id.clone()));
                    }
                }
                continue;
            }
            if self.max_hlc.as_ref().is_none_or(|m| c.hlc > *m) {
                self.max_hlc = Some(c.hlc);
            }
            if c.field == model::schema::DELETED {
                moved.insert((c.entity.clone(), c.id.clone()));
            }
            if let Some(fields) = self
                .deleted
                .get_mut(&c.entity)
                .and_then(|r| r.get_mut(&c.id))
            {
                fields.insert(c.field, c.value);
                continue;
            }
            self.entities
                .entry(c.entity)
                .or_default()
                .entry(c.id)
                .or_default()
                .insert(c.field, c.value);
        }
        for (entity, id) in moved {
            let fields = [&mut self.entities, &mut self.deleted]
                .into_iter()
                .find_map(|records| records.get_mut(&entity)?.remove(&id));
            let Some(fields) = fields else { continue };
            if fields.is_empty() {
                continue;
            }
            let home = match fields.get(model::schema::DELETED) == Some(&Value::Bool(true)) {
                true => &mut self.deleted,
                false => &mut self.entities,
            };
            home.entry(entity).or_default().insert(id, fields);
        }
        for records in [&mut self.entities, &mut self.deleted] {
            records.retain(|_, r| !r.is_empty());
        }
    }
}

/// Rows read in one go, for a whole snapshot or what was written since one.
const PAGE: usize = 50_000;

/// Reads the winning value of every field of records in `grids` (and of records of no grid);
/// `None` reads everything.
pub async fn read(storage: &dyn Storage, grids: Option<Vec<String>>) -> Result<Snapshot> {
    // Taken first: a write landing during the read only makes the snapshot newer than `seq`,
    // which costs a needless recompute, never a stale answer.
    let seq = storage.max_seq().await?;
    let mut snap = Snapshot::default();
    let mut after = 0;
    loop {
        let rows = storage.rows_after(after, PAGE, grids.clone()).await?;
        let Some(last) = rows.last() else { break };
        after = last.seq;
        // Every row is of the grids asked for (the storage chose them): no scope to check.
        snap = apply_off_runtime(snap, rows, None).await?;
    }
    snap.seq = seq;
    Ok(snap)
}

/// `snap` brought up to `seq` with what was written since its own: `None` when that is more than
/// a page of rows, where reading it again whole costs no more.
async fn update(
    storage: &dyn Storage,
    snap: Arc<Snapshot>,
    grids: Option<&[String]>,
    seq: i64,
) -> Result<Option<Snapshot>> {
    // Every grid's rows: a record moved out of the grids is seen leaving only there.
    let rows = storage.rows_after(snap.seq, PAGE + 1, None).await?;
    if rows.len() > PAGE {
        return Ok(None);
    }
    // Nobody else holds it (the cache gave it up): changed in place, else copied.
    let snap = Arc::try_unwrap(snap).unwrap_or_else(|shared| (*shared).clone());
    let scope = grids.map(|g| g.iter().cloned().collect());
    let mut snap = apply_off_runtime(snap, rows, scope).await?;
    // Rows written after `seq` were applied too: the next update applies them again, to the
    // same effect.
    snap.seq = seq;
    Ok(Some(snap))
}

/// [`Snapshot::apply`] on the blocking pool: a page of 50,000 values is some tens of ms of
/// building maps, which the runtime's threads would otherwise spend instead of answering other
/// requests (a supervisor's dashboard is asked for beside the records pages of their first sync).
async fn apply_off_runtime(
    mut snap: Snapshot,
    rows: Vec<FieldRow>,
    scope: Option<BTreeSet<String>>,
) -> Result<Snapshot> {
    tokio::task::spawn_blocking(move || {
        snap.apply(rows, scope.as_ref());
        snap
    })
    .await
    .map_err(|e| StorageError::Join(format!("building a snapshot: {e}")))
}

/// Snapshots kept for repeated questions about the same grids (a supervisor stepping through
/// dates or coming back to the overview, an import previewed again after a mapping change).
pub const CACHED_SNAPSHOTS: usize = 8;

/// Which grids a snapshot holds: `None` for every record.
type Scope = Option<Vec<String>>;

#[derive(Default)]
pub struct SnapshotCache {
    entries: Mutex<Vec<(Scope, Arc<Snapshot>)>>,
}

impl SnapshotCache {
    /// The snapshot kept for `grids`, as it was last read or brought up to date, without reading
    /// anything: whether a question about those grids will start from memory.
    pub fn cached(&self, grids: Option<&[String]>) -> Option<Arc<Snapshot>> {
        let entries = self.entries.lock().expect("snapshot cache poisoned");
        entries
            .iter()
            .find(|(g, _)| g.as_deref() == grids)
            .map(|(_, snap)| snap.clone())
    }

    /// The merged records of `grids` (sorted; `None` for everything) as of now: the cached
    /// snapshot when nothing was written since it was read, else that snapshot brought up to
    /// date with the rows written since, else read whole.
    pub async fn get(
        &self,
        storage: &dyn Storage,
        grids: Option<&[String]>,
    ) -> Result<Arc<Snapshot>> {
        let key = grids.map(<[String]>::to_vec);
        let seq = storage.max_seq().await?;
        let cached = {
            let mut entries = self.entries.lock().expect("snapshot cache poisoned");
            match entries.iter().position(|(g, _)| *g == key) {
                Some(i) if entries[i].1.seq == seq => return Ok(entries[i].1.clone()),
                // Taken out while it is brought up to date, so that it can be changed in place.
                Some(i) => Some(entries.remove(i).1),
                None => None,
            }
        };
        let updated = match cached {
            Some(old) if old.seq < seq => update(storage, old, grids, seq).await?,
            _ => None,
        };
        let fresh = Arc::new(match updated {
            Some(snap) => snap,
            None => read(storage, key.clone()).await?,
        });
        let mut entries = self.entries.lock().expect("snapshot cache poisoned");
        entries.retain(|(g, _)| *g != key);
        entries.insert(0, (key, fresh.clone()));
        entries.truncate(CACHED_SNAPSHOTS);
        Ok(fresh)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use model::wire::Change;
    use serde_json::json;

    use super::*;
    use crate::storage::scratch::fresh_in;

    /// The same writes every run: a linear congruential generator.
    struct Lcg(u64);

    impl Lcg {
        fn below(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (self.0 >> 33) % n
        }
    }

    const GRIDS: [&str; 3] = ["g1", "g2", "g3"];

    /// One write of a round: a field set, a record deleted or brought back, or every field of a
    /// record moved to another grid (or to none), as the server files a record that changed
    /// grid.
    enum Op {
        Set(Change, Option<&'static str>),
        Move(String, Option<&'static str>),
    }

    fn round_of_writes(rng: &mut Lcg, n: &mut u64) -> Vec<Op> {
        (0..25)
            .map(|_| {
                *n += 1;
                let id = format!("r{}", rng.below(20));
                let grid = match rng.below(5) {
                    0 => None,
                    k => Some(GRIDS[(k % 3) as usize]),
                };
                let (field, value) = match rng.below(8) {
                    0 => return Op::Move(id, grid),
                    1 => (model::schema::DELETED, json!(rng.below(2) == 0)),
                    k => (["a", "b", "c"][(k % 3) as usize], json!(*n)),
                };
                let change = Change {
                    entity: "e".into(),
                    id,
                    field: field.into(),
                    value,
                    hlc: format!("{:013}-0000-dev", 1_764_331_200_000 + *n),
                };
                Op::Set(change, grid)
            })
            .collect()
    }

    #[tokio::test]
    async fn a_snapshot_brought_up_to_date_is_the_snapshot_read_whole() {
        let dir = tempfile::tempdir().unwrap();
        let storage = fresh_in(dir.path()).await.unwrap();
        let s = storage.as_ref();
        let scopes: Vec<Option<Vec<String>>> = vec![
            None,
            Some(vec!["g1".into()]),
            Some(vec!["g1".into(), "g3".into()]),
        ];
        let cache = SnapshotCache::default();
        let mut before: Vec<Snapshot> = Vec::new();
        for scope in &scopes {
            before.push(read(s, scope.clone()).await.unwrap());
        }
        let (mut rng, mut n) = (Lcg(13), 0);
        let (mut updated, mut moved, mut deleted) = (0, 0, 0);
        for _ in 0..15 {
            let ops = round_of_writes(&mut rng, &mut n);
            s.transact(crate::storage::Work::new(move |tx| {
                for op in &ops {
                    match op {
                        Op::Set(c, grid) => tx.put(&[(c, *grid)])?,
                        Op::Move(id, grid) => {
                            let fields = tx.field_names("e", id)?;
                            tx.refile("e", id, &fields, *grid)?;
                        }
                    }
                }
                Ok(true)
            }))
            .await
            .unwrap();
            for (scope, earlier) in scopes.iter().zip(&mut before) {
                let whole = read(s, scope.clone()).await.unwrap();
                let from_cache = cache.get(s, scope.as_deref()).await.unwrap();
                let seq = s.max_seq().await.unwrap();
                let brought = update(s, Arc::new(earlier.clone()), scope.as_deref(), seq)
                    .await
                    .unwrap()
                    .expect("a round's rows are fewer than a page");
                for got in [&brought, from_cache.as_ref()] {
                    assert_eq!(got.entities, whole.entities, "grids {scope:?}");
                    assert_eq!(got.seq, whole.seq);
                    assert!(got.max_hlc >= whole.max_hlc);
                }
                updated += 1;
                moved += usize::from(earlier.entities != whole.entities);
                deleted += whole.deleted.values().map(BTreeMap::len).sum::<usize>();
                *earlier = brought;
            }
        }
        // The writes did what the test means them to: records changed, and some were deleted.
        assert_eq!(updated, 45);
        assert!(
            moved > 30 && deleted > 10,
            "{moved} changed, {deleted} deleted"
        );
    }
}
