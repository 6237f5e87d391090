//! Departures: how a device learns to drop a record it may no longer read. When a record moves
//! to another grid, or a delivery is taken from a volunteer, deleted or sent to another door,
//! the store gets a departure row for the record, in the same server order as every field and
//! filed under the grid it left, addressed to those who lose it (the old grid, or the volunteer
//! by id). Pull hands each one it passes to the user it addresses as `dropped`, unless the user
//! may read the record again by then. The rows are the server's own: pull, snapshots and moves
//! never treat them as fields.

use std::collections::{BTreeMap, BTreeSet};

use model::entities::pack_delivery;
use model::schema::{DELETED, GRID_ID};
use model::wire::{Change, RecordKey};
use model::Role;
use serde_json::Value;

use crate::scope::{Share, RECIPIENT};
use crate::storage::{self, Storage, UserRecord, WriteTx};

/// Field names of departure rows start with this; no schema field can (names are `[a-z_]`).
const PREFIX: &str = "$left:";
/// After the prefix, a volunteer's audience is their user id after this mark; a grid's is its id.
const VOLUNTEER: char = '@';

/// Who a departure row is addressed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Audience<'a> {
    /// The devices of a grid the record left.
    Grid(&'a str),
    /// The volunteer who lost a delivery or its recipient.
    Volunteer(&'a str),
}

impl Audience<'_> {
    fn field(&self) -> String {
        match self {
            Audience::Grid(g) => format!("{PREFIX}{g}"),
            Audience::Volunteer(u) => format!("{PREFIX}{VOLUNTEER}{u}"),
        }
    }
}

/// Whether a stored row is a departure rather than a field of the record.
pub fn is_departure(field: &str) -> bool {
    field.starts_with(PREFIX)
}

/// The audience of a departure row's field name; `None` for a field.
pub fn audience(field: &str) -> Option<Audience<'_>> {
    let rest = field.strip_prefix(PREFIX)?;
    Some(match rest.strip_prefix(VOLUNTEER) {
        Some(user) => Audience::Volunteer(user),
        None => Audience::Grid(rest),
    })
}

/// Writes (or moves to the end of the order) the departure of one record for `to`, filed under
/// `grid`, stamped by the change that caused it.
pub fn leave(
    tx: &mut dyn WriteTx,
    entity: &str,
    id: &str,
    to: Audience<'_>,
    grid: Option<&str>,
    hlc: &str,
) -> storage::Result<()> {
    let row = Change {
        entity: entity.to_owned(),
        id: id.to_owned(),
        field: to.field(),
        value: Value::Bool(true),
        hlc: hlc.to_owned(),
    };
    if !tx.insert(&row, grid)? {
        tx.replace(&row, grid)?;
    }
    Ok(())
}

/// Whether a change may take something from a volunteer ([`delivery_departures`]): a
/// delivery's volunteer, its recipients, or its deletion. Judged from the change alone, so a
/// batch knows which of its changes need reading the delivery before they are written.
pub fn may_depart(change: &Change) -> bool {
    change.entity == pack_delivery::NAME
        && (change.field == pack_delivery::field::VOLUNTEER_ID
            || change.field == DELETED
            || RECIPIENT.iter().any(|(_, via)| *via == change.field))
}

/// What a winning change to a delivery takes from a volunteer, read before it is written: the
/// old volunteer loses the delivery and its recipients; a new recipient or a deletion takes the
/// old recipient from the current volunteer.
pub fn delivery_departures(
    tx: &mut dyn WriteTx,
    change: &Change,
) -> storage::Result<Vec<(String, String, String)>> {
    use pack_delivery::field::VOLUNTEER_ID;
    if !may_depart(change) {
        return Ok(vec![]);
    }
    let stored_text = |tx: &mut dyn WriteTx, f: &str| -> storage::Result<Option<String>> {
        Ok(tx
            .field(&change.entity, &change.id, f)?
            .and_then(|v| v.as_str().map(str::to_owned)))
    };
    let mut out = Vec::new();
    let recipients = |tx: &mut dyn WriteTx| -> storage::Result<Vec<(String, String)>> {
        let mut found = Vec::new();
        for (entity, via) in RECIPIENT {
            if let Some(id) = stored_text(tx, via)? {
                found.push((entity.to_owned(), id));
            }
        }
        Ok(found)
    };
    if change.field == VOLUNTEER_ID {
        let Some(old) = stored_text(tx, VOLUNTEER_ID)? else {
            return Ok(out);
        };
        if change.value.as_str() == Some(old.as_str()) {
            return Ok(out);
        }
        out.push((
            pack_delivery::NAME.to_owned(),
            change.id.clone(),
            old.clone(),
        ));
        for (entity, id) in recipients(tx)? {
            out.push((entity, id, old.clone()));
        }
    } else if let Some((entity, _)) = RECIPIENT.iter().find(|(_, via)| *via == change.field) {
        let (Some(volunteer), Some(old)) = (
            stored_text(tx, VOLUNTEER_ID)?,
            stored_text(tx, &change.field)?,
        ) else {
            return Ok(out);
        };
        if change.value.as_str() != Some(old.as_str()) {
            out.push(((*entity).to_owned(), old, volunteer));
        }
    } else if change.field == DELETED && change.value == Value::Bool(true) {
        if let Some(volunteer) = stored_text(tx, VOLUNTEER_ID)? {
            for (entity, id) in recipients(tx)? {
                out.push((entity, id, volunteer.clone()));
            }
        }
    }
    Ok(out)
}

/// The records of the departure rows a pull page passed that `user` must drop: those addressed
/// to them that they may not read now. A record that came back (its grid again one of theirs, a
/// delivery assigned to them again) is kept; its rows come later in the order.
pub async fn to_drop(
    storage: &dyn Storage,
    user: &UserRecord,
    share: Option<&Share>,
    passed: Vec<Change>,
) -> storage::Result<Vec<RecordKey>> {
    let mut addressed = BTreeSet::new();
    for row in &passed {
        let mine = match (audience(&row.field), user.role) {
            (
                Some(Audience::Grid(g)),
                Role::GridWorker | Role::Supervisor | Role::BuildingLeader | Role::StreetOffice,
            ) => user.grids.iter().any(|u| u == g),
            (Some(Audience::Volunteer(v)), Role::Volunteer) => v == user.id,
            _ => false,
        };
        if mine {
            addressed.insert(RecordKey {
                entity: row.entity.clone(),
                id: row.id.clone(),
            });
        }
    }
    if let Some(Share::Volunteer(scope)) = share {
        addressed.retain(|k| scope.holds(&k.entity, &k.id) != Some(true));
        return Ok(addressed.into_iter().collect());
    }

    // The records' grids now, one read per entity.
    let mut by_entity: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for k in &addressed {
        by_entity.entry(&k.entity).or_default().push(k.id.clone());
    }
    let mut back = BTreeSet::new();
    for (entity, ids) in by_entity {
        for (id, fields) in storage.values(entity, Some(ids), &[GRID_ID]).await? {
            let grid = fields.get(GRID_ID).and_then(Value::as_str);
            if grid.is_some_and(|g| user.grids.iter().any(|u| u == g)) {
                back.insert((entity.to_owned(), id));
            }
        }
    }
    // A building leader's record is back only if it is in their share as well as their grids.
    if let Some(Share::Leader(scope)) = share {
        back.retain(|(entity, id)| scope.holds(entity, id) != Some(false));
    }
    addressed.retain(|k| !back.contains(&(k.entity.clone(), k.id.clone())));
    Ok(addressed.into_iter().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn departure_fields_name_their_audience_and_no_schema_field_looks_like_one() {
        let grid = Audience::Grid("g-1").field();
        let volunteer = Audience::Volunteer("u-2").field();
        assert_eq!(audience(&grid), Some(Audience::Grid("g-1")));
        assert_eq!(audience(&volunteer), Some(Audience::Volunteer("u-2")));
        for entity in model::schema::entities() {
            for f in entity.fields {
                assert!(!is_departure(f.name), "{}.{}", entity.name, f.name);
            }
        }
    }
}
