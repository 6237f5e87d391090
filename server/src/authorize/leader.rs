//! A building leader's record rule (issue 16): every record they write that belongs to a door
//! (`model::responsibility::links`) reaches, through each of its links that is set, a household
//! whose `responsible_id` is theirs, both as stored before the batch and as the batch leaves it.
//! So a leader can neither reach into a neighbour's doors nor give a door away or take one.

use model::entities::{household, resident};
use model::responsibility::{self, Link};
use serde_json::Value;

use super::judge::Outcome;
use crate::scope::as_id;
use crate::storage::{self, RecordLookup, UserRecord};

/// Which state of the records a check reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum When {
    /// As stored, before the batch.
    Before,
    /// Once the batch is stored.
    After,
}

/// Whether a building leader may write this record: it reaches their doors after the batch,
/// and before it too unless the batch creates it.
pub(super) fn may_write(
    user: &UserRecord,
    outcome: &Outcome,
    lookup: &mut dyn RecordLookup,
    entity: &str,
    id: &str,
) -> storage::Result<bool> {
    let stored = !lookup.field_names(entity, id)?.is_empty();
    if stored && !reaches(user, outcome, lookup, entity, id, When::Before)? {
        return Ok(false);
    }
    reaches(user, outcome, lookup, entity, id, When::After)
}

/// Whether every link of the record that is set reaches a household `user` answers for, and at
/// least one is set. A record that belongs to no door reaches none.
pub(super) fn reaches(
    user: &UserRecord,
    outcome: &Outcome,
    lookup: &mut dyn RecordLookup,
    entity: &str,
    id: &str,
    when: When,
) -> storage::Result<bool> {
    let mut reached = false;
    for link in responsibility::links(entity) {
        let door = match *link {
            Link::Itself => Some(id.to_owned()),
            Link::Household(f) => as_id(value(outcome, lookup, when, entity, id, f)?),
            Link::Resident(f) => match as_id(value(outcome, lookup, when, entity, id, f)?) {
                None => None,
                Some(r) => {
                    let home = value(
                        outcome,
                        lookup,
                        when,
                        resident::NAME,
                        &r,
                        resident::field::HOUSEHOLD_ID,
                    )?;
                    // A resident of no household is no leader's.
                    let Some(home) = as_id(home) else {
                        return Ok(false);
                    };
                    Some(home)
                }
            },
        };
        let Some(door) = door else { continue };
        let responsible = value(
            outcome,
            lookup,
            when,
            household::NAME,
            &door,
            household::field::RESPONSIBLE_ID,
        )?;
        if as_id(responsible).as_deref() != Some(user.id.as_str()) {
            return Ok(false);
        }
        reached = true;
    }
    Ok(reached)
}

fn value(
    outcome: &Outcome,
    lookup: &mut dyn RecordLookup,
    when: When,
    entity: &str,
    id: &str,
    field: &str,
) -> storage::Result<Option<Value>> {
    match when {
        When::Before => lookup.field(entity, id, field),
        When::After => outcome.after(lookup, entity, id, field),
    }
}
