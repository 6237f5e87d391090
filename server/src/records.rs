//! How a batch is kept: last writer wins per field, each row filed under its record's grid,
//! which pull pages by. A record whose grid changes takes all its rows along, and a delivery that
//! changes hands re-sends itself and its recipient, so the devices now entitled to them receive
//! them (docs/roles-and-scope.md: "sent again in full"). The
//! storage only keeps rows in order; where each goes is decided here.

use std::collections::hash_map::Entry;
use std::convert::Infallible;

use model::entities::grid;
use model::history;
use model::schema::GRID_ID;
use model::wire::Change;
use serde_json::Value;

use crate::departures::{self, Audience};
use crate::scope;
use crate::storage::{Contest, Logged, RecordLookup, Result, Storage, WriteTx};
use crate::FastMap;

/// The stored grids of records, as read before the batch is written.
type KnownGrids = FastMap<(String, String), Option<String>>;

/// Who sent a batch, from which device and when it arrived: what the history of changes keeps
/// with each accepted change (issue 17). A batch without one (the demo, the grids written at
/// start) is kept without history.
#[derive(Debug, Clone)]
pub struct Author {
    pub user_id: String,
    pub device_id: String,
    pub at_ms: i64,
}

impl dyn Storage + '_ {
    /// Applies a batch in one transaction, last writer wins per field; returns how many won.
    pub async fn apply_changes(&self, batch: Vec<Change>) -> Result<usize> {
        let applied = self
            .write(move |tx| {
                write_batch(tx, &batch, KnownGrids::default(), None).map(Ok::<_, Infallible>)
            })
            .await?;
        Ok(applied.unwrap_or_else(|never| match never {}))
    }
}

/// Writes the batch `check` returns after reading the stored records, both in `tx`; a refusal
/// writes nothing. The grids `check` read are not read again for the write.
pub fn write_checked<E>(
    tx: &mut dyn WriteTx,
    author: Option<&Author>,
    check: impl FnOnce(&mut dyn RecordLookup) -> Result<std::result::Result<Vec<Change>, E>>,
) -> Result<std::result::Result<usize, E>> {
    let mut reading = Remembering {
        tx: &mut *tx,
        grids: KnownGrids::default(),
    };
    let batch = match check(&mut reading)? {
        Ok(batch) => batch,
        Err(refusal) => return Ok(Err(refusal)),
    };
    let known = reading.grids;
    write_batch(tx, &batch, known, author).map(Ok)
}

/// Reads that remember every record's stored grid they see.
struct Remembering<'t> {
    tx: &'t mut dyn WriteTx,
    grids: KnownGrids,
}

impl RecordLookup for Remembering<'_> {
    fn prefetch(&mut self, records: &[(&str, &str)]) -> Result<()> {
        self.tx.prefetch(records)
    }

    fn field(&mut self, entity: &str, id: &str, field: &str) -> Result<Option<Value>> {
        let v = self.tx.field(entity, id, field)?;
        if field == GRID_ID && entity != grid::NAME {
            let grid = v.as_ref().and_then(Value::as_str).map(str::to_owned);
            self.grids.insert((entity.to_owned(), id.to_owned()), grid);
        }
        Ok(v)
    }

    fn stamp(&mut self, entity: &str, id: &str, field: &str) -> Result<Option<String>> {
        self.tx.stamp(entity, id, field)
    }

    fn ids_where(&mut self, entity: &str, field: &str, value: &Value) -> Result<Vec<String>> {
        self.tx.ids_where(entity, field, value)
    }

    fn field_names(&mut self, entity: &str, id: &str) -> Result<Vec<String>> {
        self.tx.field_names(entity, id)
    }
}

/// Writes each change that beats the stored stamp as the next row. The grid of each record of
/// the batch is read once (or taken from `known`) and then followed as the batch moves it.
///
/// Most of a batch is plain fields: they change no record's grid and take no delivery or door
/// from anyone.
/// Consecutive plain changes are kept as a run and written together ([`write_run`]): their
/// stored stamps read at once, the winners written at once. A change with side effects (a new
/// `grid_id`, a delivery's volunteer, recipient or deletion) first writes the run before it, then is
/// written on its own with everything it moves, so it reads what came before it in the batch.
///
/// With an author, every change of the batch is kept in the history, losers included, and a
/// change that contests the value its field held is flagged ([`flag_if_contested`]).
fn write_batch(
    tx: &mut dyn WriteTx,
    batch: &[Change],
    mut known: KnownGrids,
    author: Option<&Author>,
) -> Result<usize> {
    tx.prefetch(&batch_records(batch))?;
    let shares = crate::share_moves::ShareWatch::before(tx, batch)?;
    let mut applied = 0;
    let mut grids: FastMap<(&str, &str), Option<String>> = FastMap::default();
    let mut run = Run::default();
    for c in batch {
        let grid = match grids.entry((c.entity.as_str(), c.id.as_str())) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => {
                let seeded = match known.is_empty() {
                    true => None,
                    false => known.remove(&(c.entity.clone(), c.id.clone())),
                };
                let grid = match seeded {
                    Some(grid) => grid,
                    None => record_grid(tx, &c.entity, &c.id)?,
                };
                e.insert(grid)
            }
        };
        if c.field != GRID_ID && !scope::resends_recipient(c) && !departures::may_depart(c) {
            run.push(c, grid.clone());
            continue;
        }
        applied += write_run(tx, &mut run, author)?;
        // A new `grid_id` files its own row under the grid it names.
        let moves_to = (c.field == GRID_ID && c.entity != grid::NAME)
            .then(|| c.value.as_str().map(str::to_owned));
        let row_grid = moves_to.as_ref().unwrap_or(&*grid).as_deref();
        // Read before the write: who loses a delivery or its door if this change wins, and who
        // answers for the record's doors (a record not stored yet is nobody's to lose).
        let losses = departures::delivery_departures(tx, c)?;
        if !tx.insert(c, row_grid)? {
            let current = tx.stamp(&c.entity, &c.id, &c.field)?;
            if let (Some(author), Some(held)) = (author, &current) {
                flag_if_contested(tx, &[c], held, grid.as_deref(), author.at_ms)?;
            }
            if !model::merge::wins(&c.hlc, current.as_deref()) {
                continue;
            }
            tx.replace(c, row_grid)?;
        }
        applied += 1;
        for (entity, id, volunteer) in losses {
            // Filed under no grid: a volunteer's pull reads such rows, and not those of records
            // outside their share, which these now are.
            let to = Audience::Volunteer(&volunteer);
            departures::leave(tx, &entity, &id, to, None, &c.hlc)?;
        }
        if c.field == GRID_ID {
            // The value just written is the record's grid now: earlier rows of it move along,
            // and the grid it left is told to drop it.
            if let Some(moved) = moves_to {
                if let Some(left) = grid.take().filter(|old| Some(old) != moved.as_ref()) {
                    let to = Audience::Grid(&left);
                    departures::leave(tx, &c.entity, &c.id, to, Some(&left), &c.hlc)?;
                }
                *grid = moved;
            }
            refile(tx, &c.entity, &c.id, grid.as_deref(), Some(&c.field))?;
        } else if scope::resends_recipient(c) {
            if scope::hands_over(c) {
                // The delivery's new volunteer has none of its other rows (the recipient, the
                // status): they move past every cursor too, as a grid change moves a record.
                refile(tx, &c.entity, &c.id, grid.as_deref(), Some(&c.field))?;
            }
            for (entity, via) in scope::RECIPIENT {
                let target = tx.field(&c.entity, &c.id, via)?;
                if let Some(target) = target.as_ref().and_then(Value::as_str) {
                    let grid = record_grid(tx, entity, target)?;
                    refile(tx, entity, target, grid.as_deref(), None)?;
                }
            }
        }
    }
    applied += write_run(tx, &mut run, author)?;
    shares.after(tx)?;
    if let Some(author) = author {
        tx.log(history_entries(batch, author))?;
    }
    Ok(applied)
}

/// The batch's changes as history entries: one a record, in the order records are first named,
/// each with its changes in batch order.
fn history_entries(batch: &[Change], author: &Author) -> Vec<Logged> {
    let mut index: FastMap<(&str, &str), usize> = FastMap::default();
    let mut entries: Vec<Logged> = Vec::new();
    for c in batch {
        let i = *index
            .entry((c.entity.as_str(), c.id.as_str()))
            .or_insert_with(|| {
                entries.push(Logged {
                    entity: c.entity.clone(),
                    id: c.id.clone(),
                    user_id: author.user_id.clone(),
                    device_id: author.device_id.clone(),
                    at_ms: author.at_ms,
                    changes: Vec::new(),
                });
                entries.len() - 1
            });
        entries[i]
            .changes
            .push((c.field.clone(), c.value.clone(), c.hlc.clone()));
    }
    entries
}

/// Flags the last of `changes` (one field's, in batch order) that contests the value the field
/// held before the batch, stamped `held_hlc` (`model::history::contested`). The held value is read
/// only when a change comes from another device close enough in time, which few do.
fn flag_if_contested(
    tx: &mut dyn WriteTx,
    changes: &[&Change],
    held_hlc: &str,
    grid: Option<&str>,
    at_ms: i64,
) -> Result<()> {
    let Some(first) = changes.first() else {
        return Ok(());
    };
    if !changes.iter().any(|c| history::rivals(held_hlc, &c.hlc)) {
        return Ok(());
    }
    let Some(held) = tx.field(&first.entity, &first.id, &first.field)? else {
        return Ok(());
    };
    let arrived = changes
        .iter()
        .rev()
        .find(|c| history::contested(held_hlc, &held, &c.hlc, &c.value));
    if let Some(c) = arrived {
        tx.flag(Contest {
            entity: c.entity.clone(),
            id: c.id.clone(),
            field: c.field.clone(),
            grid_id: grid.map(str::to_owned),
            at_ms,
            held: (held, held_hlc.to_owned()),
            arrived: (c.value.clone(), c.hlc.clone()),
        })?;
    }
    Ok(())
}

/// The records a batch's judging and writing are known to read before they run: the batch's own,
/// and the records its references name (a resident's household, a delivery's pack), which the
/// judge reads to see that the user may refer to them ([`crate::storage::Work::reads`]).
pub fn reads_ahead(batch: &[Change]) -> Vec<(String, String)> {
    let own = batch_records(batch);
    let mut reads: Vec<(String, String)> = own
        .iter()
        .map(|(entity, id)| ((*entity).to_owned(), (*id).to_owned()))
        .collect();
    // A record the batch both writes and refers to (a household and its new resident) is named
    // once.
    let mut seen: crate::FastSet<(&str, &str)> = own.into_iter().collect();
    for c in batch {
        if c.field == GRID_ID {
            continue;
        }
        let Some(model::schema::FieldType::Reference(target)) =
            model::schema::field(&c.entity, &c.field).map(|f| f.ty)
        else {
            continue;
        };
        if let Value::String(id) = &c.value {
            if seen.insert((target, id.as_str())) {
                reads.push((target.to_owned(), id.clone()));
            }
        }
    }
    reads
}

/// The records a batch writes, each once, in the order first named.
pub fn batch_records(batch: &[Change]) -> Vec<(&str, &str)> {
    let mut seen = crate::FastSet::default();
    batch
        .iter()
        .map(|c| (c.entity.as_str(), c.id.as_str()))
        .filter(|r| seen.insert(*r))
        .collect()
}

/// Consecutive plain changes of a batch, by field in the order first named, each field with
/// its changes in batch order and the grid its record is filed under.
#[derive(Default)]
struct Run<'b> {
    fields: Vec<(Vec<&'b Change>, Option<String>)>,
    index: FastMap<(&'b str, &'b str, &'b str), usize>,
}

impl<'b> Run<'b> {
    fn push(&mut self, c: &'b Change, grid: Option<String>) {
        let key = (c.entity.as_str(), c.id.as_str(), c.field.as_str());
        match self.index.entry(key) {
            Entry::Occupied(e) => self.fields[*e.get()].0.push(c),
            Entry::Vacant(e) => {
                e.insert(self.fields.len());
                self.fields.push((vec![c], grid));
            }
        }
    }
}

/// Writes a run: the stored stamps of its fields read at once, then for each field the value
/// last-writer-wins keeps after its changes in batch order (each counted that beat what was kept
/// before it, exactly as one at a time), all written at once. Returns how many changes won.
fn write_run(tx: &mut dyn WriteTx, run: &mut Run<'_>, author: Option<&Author>) -> Result<usize> {
    if run.fields.is_empty() {
        return Ok(0);
    }
    let keys: Vec<_> = run
        .fields
        .iter()
        .map(|(changes, _)| {
            let c = changes[0];
            (c.entity.as_str(), c.id.as_str(), c.field.as_str())
        })
        .collect();
    let stored = tx.stamps(&keys)?;
    if let Some(author) = author {
        for ((changes, grid), held) in run.fields.iter().zip(&stored) {
            if let Some(held) = held {
                flag_if_contested(tx, changes, held, grid.as_deref(), author.at_ms)?;
            }
        }
    }
    let mut applied = 0;
    let mut rows = Vec::with_capacity(run.fields.len());
    for ((changes, grid), stored) in run.fields.iter().zip(stored) {
        let mut kept: Option<&Change> = None;
        for c in changes {
            let current = kept.map(|k| k.hlc.as_str()).or(stored.as_deref());
            if model::merge::wins(&c.hlc, current) {
                kept = Some(c);
                applied += 1;
            }
        }
        if let Some(winner) = kept {
            rows.push((winner, grid.as_deref()));
        }
    }
    tx.put(&rows)?;
    run.fields.clear();
    run.index.clear();
    Ok(applied)
}

/// The grid a record belongs to: a grid is its own; others name theirs in `grid_id`.
pub(crate) fn record_grid(tx: &mut dyn WriteTx, entity: &str, id: &str) -> Result<Option<String>> {
    if entity == grid::NAME {
        return Ok(Some(id.to_owned()));
    }
    let v = tx.field(entity, id, GRID_ID)?;
    Ok(v.as_ref().and_then(Value::as_str).map(str::to_owned))
}

/// Moves every row of a record to the end of the order, under `grid`, in field order. When the
/// record's only row is `just_written` (already last, filed under its `grid_id`), there is
/// nothing to move: the usual case of a new record whose grid comes first.
pub(crate) fn refile(
    tx: &mut dyn WriteTx,
    entity: &str,
    id: &str,
    grid: Option<&str>,
    just_written: Option<&str>,
) -> Result<()> {
    let mut fields = tx.field_names(entity, id)?;
    // A departure stays filed under the grid it addresses.
    fields.retain(|f| !departures::is_departure(f));
    if let ([only], Some(written)) = (fields.as_slice(), just_written) {
        if only == written {
            return Ok(());
        }
    }
    tx.refile(entity, id, &fields, grid)
}

#[cfg(test)]
mod tests {
    use model::entities::{household, pack_delivery, resident};
    use serde_json::json;

    use super::*;

    fn change(field: &str, value: Value, n: u64) -> Change {
        Change {
            entity: resident::NAME.into(),
            id: "r".into(),
            field: field.into(),
            value,
            hlc: format!("{:013}-0000-dev", 1_764_331_200_000 + n),
        }
    }

    #[test]
    fn a_batch_names_its_records_and_those_it_refers_to_once_each() {
        let mut other = change(resident::field::HOUSEHOLD_ID, json!("h1"), 3);
        other.id = "r2".into();
        // The batch writes the household it refers to as well.
        let household = Change {
            entity: household::NAME.into(),
            id: "h1".into(),
            ..change(household::field::ADDRESS, json!("幸福里1号"), 4)
        };
        let batch = vec![
            change(resident::field::NAME, json!("刘桂兰"), 1),
            change(GRID_ID, json!("g1"), 1),
            change(resident::field::HOUSEHOLD_ID, json!("h1"), 1),
            other,
            // A reference cleared names nothing.
            change(resident::field::HOUSEHOLD_ID, Value::Null, 2),
            household,
        ];
        let own = |entity: &str, id: &str| (entity.to_owned(), id.to_owned());
        assert_eq!(
            reads_ahead(&batch),
            [
                own(resident::NAME, "r"),
                own(resident::NAME, "r2"),
                own(household::NAME, "h1"),
            ],
            "the grid is not read as a record: a grid is checked against the user's grids"
        );
    }

    #[tokio::test]
    async fn a_record_takes_its_rows_to_its_new_grid_and_only_newer_stamps_win() {
        let dir = tempfile::tempdir().unwrap();
        let storage = crate::storage::scratch::fresh_in(dir.path()).await.unwrap();
        let s: &dyn Storage = storage.as_ref();
        let (name, phone) = (resident::field::NAME, resident::field::PHONE);
        // The grid comes after another field in the batch: that row is filed under it too.
        let first = vec![
            change(name, json!("刘桂兰"), 1),
            change(GRID_ID, json!("g1"), 1),
            change(phone, json!("13800000000"), 1),
        ];
        assert_eq!(s.apply_changes(first.clone()).await.unwrap(), 3);
        let rows = s.rows_after(0, 100, None).await.unwrap();
        assert_eq!(rows.len(), 3);
        assert!(rows.iter().all(|r| r.grid_id.as_deref() == Some("g1")));
        assert_eq!(
            s.apply_changes(first).await.unwrap(),
            0,
            "a replay wins nothing"
        );

        let before = s.max_seq().await.unwrap();
        let second = vec![
            change(name, json!("old"), 0),
            change(GRID_ID, json!("g2"), 2),
            change(phone, json!("13900000000"), 3),
        ];
        assert_eq!(s.apply_changes(second).await.unwrap(), 2);
        let moved = s
            .rows_after(before, 100, Some(vec!["g2".into()]))
            .await
            .unwrap();
        let fields: Vec<&str> = moved.iter().map(|r| r.change.field.as_str()).collect();
        assert_eq!(
            fields,
            [GRID_ID, name, phone],
            "every row moved along, in order"
        );
        assert_eq!(
            moved[1].change.value,
            json!("刘桂兰"),
            "the older name lost"
        );
        assert_eq!(moved[2].change.value, json!("13900000000"));
        let left: Vec<String> = s
            .rows_after(0, 100, Some(vec!["g1".into()]))
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.change.field)
            .collect();
        assert_eq!(
            left,
            ["$left:g1"],
            "only the departure that tells g1's devices to drop it stays under g1"
        );
    }

    #[tokio::test]
    async fn a_delivery_that_changes_hands_resends_itself_and_its_recipient_and_a_new_status_does_not(
    ) {
        let dir = tempfile::tempdir().unwrap();
        let storage = crate::storage::scratch::fresh_in(dir.path()).await.unwrap();
        let s: &dyn Storage = storage.as_ref();
        let at = |entity: &str, id: &str, field: &str, value: Value, n: u64| Change {
            entity: entity.into(),
            id: id.into(),
            field: field.into(),
            value,
            hlc: format!("{:013}-0000-dev", 1_764_331_200_000 + n),
        };
        let d = pack_delivery::field::VOLUNTEER_ID;
        s.apply_changes(vec![
            at(resident::NAME, "r", GRID_ID, json!("g1"), 1),
            at(
                resident::NAME,
                "r",
                resident::field::NAME,
                json!("刘桂兰"),
                1,
            ),
            at(household::NAME, "h", GRID_ID, json!("g1"), 1),
            at(pack_delivery::NAME, "d", GRID_ID, json!("g1"), 1),
            at(
                pack_delivery::NAME,
                "d",
                pack_delivery::field::RESIDENT_ID,
                json!("r"),
                1,
            ),
            at(
                pack_delivery::NAME,
                "d",
                pack_delivery::field::HOUSEHOLD_ID,
                json!("h"),
                1,
            ),
            at(pack_delivery::NAME, "d", d, json!("v1"), 1),
        ])
        .await
        .unwrap();
        let resent = |rows: Vec<crate::storage::FieldRow>| -> Vec<(String, String)> {
            rows.into_iter()
                .map(|r| (r.change.entity, r.change.field))
                .collect()
        };

        let before = s.max_seq().await.unwrap();
        s.apply_changes(vec![at(pack_delivery::NAME, "d", d, json!("v2"), 2)])
            .await
            .unwrap();
        let rows = s.rows_after(before, 100, None).await.unwrap();
        for r in &rows {
            let filed = match crate::departures::is_departure(&r.change.field) {
                true => None,
                false => Some("g1"),
            };
            assert_eq!(r.grid_id.as_deref(), filed, "{:?}", r.change);
        }
        let (r, h, p) = (resident::NAME, household::NAME, pack_delivery::NAME);
        assert_eq!(
            resent(rows),
            [
                (p.into(), "$left:@v1".into()),
                (r.into(), "$left:@v1".into()),
                (h.into(), "$left:@v1".into()),
                (p.into(), GRID_ID.into()),
                (p.into(), pack_delivery::field::HOUSEHOLD_ID.into()),
                (p.into(), pack_delivery::field::RESIDENT_ID.into()),
                (p.into(), d.into()),
                (r.into(), GRID_ID.into()),
                (r.into(), resident::field::NAME.into()),
                (h.into(), GRID_ID.into()),
            ],
            "v1 is told to drop the delivery and its door; the delivery's rows and its door follow v2"
        );

        let before = s.max_seq().await.unwrap();
        let status = pack_delivery::field::STATUS;
        s.apply_changes(vec![at(p, "d", status, json!("delivered"), 3)])
            .await
            .unwrap();
        let rows = s.rows_after(before, 100, None).await.unwrap();
        assert_eq!(resent(rows), [(p.into(), status.into())]);
    }
}
