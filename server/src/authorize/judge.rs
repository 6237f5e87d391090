//! The record-level rules of a batch, judged against the stored records inside the write
//! transaction and on exactly the values that will be stored: a field's value after the batch is
//! the one last-writer-wins keeps ([`model::merge::batch_winner`]), not whichever change of the
//! batch looks newest, so two changes of equal stamp cannot show the judge one value and the
//! store another.

use std::collections::BTreeSet;

use crate::FastMap;

use model::entities::{
    household, need, pack_delivery, pack_plan_item, stock_move, support_request, user_profile,
};
use model::schema::{FieldType, DELETED, GRID_ID};
use model::wire::{Change, ErrorDetail};
use model::Role;
use serde_json::Value;

use super::leader::{self, When};
use super::{Forbidden, Refusal};
use crate::scope::{self, as_id, is_grid_scoped};
use crate::storage::{self, RecordLookup, UserRecord};
use model::responsibility;

/// The record-level rules of a batch, against the stored records: a grid-scoped record must
/// have a grid after the batch and lie in the user's grids before and after it; every reference
/// the batch sets must name a record the user may read, of the same grid for grid-scoped
/// records; a volunteer touches only deliveries assigned to them and creates (or withdraws) only the stock
/// moves of a pack they handed over. Field rights and validation are checked before this runs.
pub fn judge(
    user: &UserRecord,
    changes: &[Change],
    lookup: &mut dyn RecordLookup,
) -> storage::Result<Result<(), Refusal>> {
    let outcome = Outcome::new(changes);
    lookup.prefetch(&crate::records::batch_records(changes))?;
    // The checks are per record; a record appears once however many of its fields change.
    let mut seen = BTreeSet::new();
    for (index, c) in changes.iter().enumerate() {
        if !seen.insert((c.entity.as_str(), c.id.as_str())) {
            continue;
        }
        if let Err(refusal) = judge_record(user, &outcome, lookup, index, c)? {
            return Ok(Err(refusal));
        }
    }
    Ok(Ok(()))
}

type Verdict = storage::Result<Result<(), Refusal>>;

fn judge_record(
    user: &UserRecord,
    outcome: &Outcome,
    lookup: &mut dyn RecordLookup,
    index: usize,
    c: &Change,
) -> Verdict {
    let (entity, id) = (c.entity.as_str(), c.id.as_str());
    if is_grid_scoped(entity) {
        if user.role == Role::Volunteer {
            // Field rights leave a volunteer only the status and note of a delivery.
            if !scope::is_assigned(lookup, entity, id, &user.id)? {
                return Ok(Err(Forbidden::NotYourDelivery { index }.into()));
            }
            return Ok(Ok(()));
        }
        let before = as_id(lookup.field(entity, id, GRID_ID)?);
        let Some(after) = outcome.grid_after(lookup, entity, id)? else {
            return Ok(Err(missing_grid(index)));
        };
        if user.role.works_in_grids() {
            let mine = |g: &String| user.grids.contains(g);
            if !before.iter().chain([&after]).all(mine) {
                return Ok(Err(Forbidden::OutsideGrids { index }.into()));
            }
        }
        if entity == support_request::NAME
            && matches!(user.role, Role::GridWorker | Role::BuildingLeader)
            && !own_new_request(user, outcome, lookup, id)?
        {
            return Ok(Err(Forbidden::NotYourRequest { index }.into()));
        }
        if entity == need::NAME && un_escalates(outcome, lookup, id)? {
            return Ok(Err(Refusal::Invalid(vec![ErrorDetail::new(
                index,
                ESCALATION_KEPT,
            )])));
        }
        if user.role == Role::StreetOffice && !scope::is_escalated(lookup, entity, id)? {
            return Ok(Err(Forbidden::NotEscalated { index }.into()));
        }
        // Who answers for a door must work in its grid: when it is given, and when it moves.
        let regiven = outcome.writes(entity, id, household::field::RESPONSIBLE_ID)
            || outcome.writes(entity, id, GRID_ID);
        if entity == household::NAME && regiven && !may_be_given(outcome, lookup, id, &after)? {
            return Ok(Err(Refusal::Invalid(vec![ErrorDetail::new(
                index,
                responsibility::NOT_AN_ANSWERER,
            )])));
        }
        if user.role == Role::BuildingLeader
            && responsibility::door_bound(entity)
            && !leader::may_write(user, outcome, lookup, entity, id)?
        {
            return Ok(Err(Forbidden::NotYourDoor { index }.into()));
        }
    } else if entity == stock_move::NAME && user.role == Role::Volunteer {
        if !volunteer_may_write_move(user, outcome, lookup, id)? {
            return Ok(Err(Forbidden::StockMove { index }.into()));
        }
        return Ok(Ok(()));
    }
    references(user, outcome, lookup, index, entity, id)
}

/// A worker's request for support is sent once and never read back: a grid worker or building
/// leader may only create one, in their own name.
fn own_new_request(
    user: &UserRecord,
    outcome: &Outcome,
    lookup: &mut dyn RecordLookup,
    id: &str,
) -> storage::Result<bool> {
    use support_request::field::WORKER_ID;
    if !lookup.field_names(support_request::NAME, id)?.is_empty() {
        return Ok(false);
    }
    let who = outcome.after(lookup, support_request::NAME, id, WORKER_ID)?;
    Ok(as_id(who).as_deref() == Some(user.id.as_str()))
}

/// Why a need once escalated may not be taken back: the level above has it in its queue, and
/// its answer (returned with a note) is how it goes back.
const ESCALATION_KEPT: &str =
    "已上报的需求不能撤回上报 (a need escalated to the level above stays escalated)";

/// Whether the batch takes the escalation off a stored escalated need.
fn un_escalates(
    outcome: &Outcome,
    lookup: &mut dyn RecordLookup,
    id: &str,
) -> storage::Result<bool> {
    if !outcome.writes(need::NAME, id, need::field::ESCALATED) {
        return Ok(false);
    }
    let after = outcome.after(lookup, need::NAME, id, need::field::ESCALATED)?;
    Ok(scope::is_escalated(lookup, need::NAME, id)? && after != Some(Value::Bool(true)))
}

/// Whether the household `id` of `grid` may go to whom the batch names as responsible: nobody,
/// or a grid worker or building leader of that grid, by their profile
/// ([`responsibility::may_answer`]).
fn may_be_given(
    outcome: &Outcome,
    lookup: &mut dyn RecordLookup,
    id: &str,
    grid: &str,
) -> storage::Result<bool> {
    let who = outcome.after(
        lookup,
        household::NAME,
        id,
        household::field::RESPONSIBLE_ID,
    )?;
    let Some(who) = as_id(who) else {
        return Ok(true);
    };
    let mut profile = model::record::Values::new();
    for f in [user_profile::field::ROLE, user_profile::field::GRIDS] {
        if let Some(v) = lookup.field(user_profile::NAME, &who, f)? {
            profile.insert(f.to_owned(), v);
        }
    }
    Ok(responsibility::may_answer(&profile, grid))
}

/// Every reference of the record that the batch sets, or whose meaning it changes by moving the
/// record to another grid, must name a record that exists after the batch and that `user` may
/// read; a grid-scoped record's references to grid-scoped records stay inside its grid, so no
/// grid's devices (nor a volunteer sent to a door) receive a record of another grid through it.
fn references(
    user: &UserRecord,
    outcome: &Outcome,
    lookup: &mut dyn RecordLookup,
    index: usize,
    entity: &str,
    id: &str,
) -> Verdict {
    let Some(def) = model::schema::entity(entity) else {
        return Ok(Ok(()));
    };
    let moves = outcome.writes(entity, id, GRID_ID);
    let mut source_grid = None;
    if def.grid_scoped {
        source_grid = outcome.grid_after(lookup, entity, id)?;
    }
    for field in def.fields {
        let FieldType::Reference(target) = field.ty else {
            continue;
        };
        if field.name == GRID_ID || !(moves || outcome.writes(entity, id, field.name)) {
            continue;
        }
        let Some(target_id) = as_id(outcome.after(lookup, entity, id, field.name)?) else {
            continue;
        };
        if !may_reference(
            user,
            outcome,
            lookup,
            source_grid.as_deref(),
            target,
            &target_id,
        )? {
            return Ok(Err(Forbidden::Reference {
                index,
                field: field.name.to_owned(),
            }
            .into()));
        }
    }
    Ok(Ok(()))
}

fn may_reference(
    user: &UserRecord,
    outcome: &Outcome,
    lookup: &mut dyn RecordLookup,
    source_grid: Option<&str>,
    target: &str,
    target_id: &str,
) -> storage::Result<bool> {
    if !outcome.exists_after(lookup, target, target_id)? {
        return Ok(false);
    }
    if !is_grid_scoped(target) {
        return Ok(true);
    }
    let Some(target_grid) = outcome.grid_after(lookup, target, target_id)? else {
        return Ok(false);
    };
    if source_grid.is_some_and(|g| g != target_grid.as_str()) {
        return Ok(false);
    }
    Ok(match user.role {
        Role::Admin => true,
        Role::GridWorker | Role::Supervisor | Role::StreetOffice => {
            user.grids.contains(&target_grid)
        }
        Role::BuildingLeader => {
            user.grids.contains(&target_grid)
                && (!responsibility::door_bound(target)
                    || leader::reaches(user, outcome, lookup, target, target_id, When::After)?)
        }
        Role::Volunteer => scope::is_assigned(lookup, target, target_id, &user.id)?,
    })
}

/// A volunteer writes a stock move only as the record of a pack they handed over, or to take
/// that record back when they undo the delivery (issue 15): see [`volunteer_may_create_move`]
/// and [`volunteer_may_withdraw_move`].
fn volunteer_may_write_move(
    user: &UserRecord,
    outcome: &Outcome,
    lookup: &mut dyn RecordLookup,
    id: &str,
) -> storage::Result<bool> {
    if lookup.field_names(stock_move::NAME, id)?.is_empty() {
        volunteer_may_create_move(user, outcome, lookup, id)
    } else {
        volunteer_may_withdraw_move(user, outcome, lookup, id)
    }
}

/// Withdrawing a stored move: the batch only deletes it, and it is a `delivered` move of the
/// volunteer's own for a delivery still assigned to them. Deleted moves count for nothing in
/// stock, so the stock is as before the delivery, on every device once it syncs.
fn volunteer_may_withdraw_move(
    user: &UserRecord,
    outcome: &Outcome,
    lookup: &mut dyn RecordLookup,
    id: &str,
) -> storage::Result<bool> {
    use stock_move::field;
    if outcome
        .fields_written(stock_move::NAME, id)
        .any(|f| f != DELETED)
        || outcome.after(lookup, stock_move::NAME, id, DELETED)? != Some(Value::Bool(true))
    {
        return Ok(false);
    }
    let mut stored = |f: &str| lookup.field(stock_move::NAME, id, f);
    if stored(field::KIND)?.as_ref().and_then(Value::as_str) != Some(stock_move::DELIVERED)
        || stored(field::WORKER_ID)?.as_ref().and_then(Value::as_str) != Some(user.id.as_str())
    {
        return Ok(false);
    }
    let Some(delivery) = as_id(stored(field::DELIVERY_ID)?) else {
        return Ok(false);
    };
    scope::is_assigned(lookup, pack_delivery::NAME, &delivery, &user.id)
}

/// A volunteer creates a stock move only as the record of a pack they handed over: a new move
/// of kind `delivered`, by themselves, for a delivery assigned to them, of one item of that
/// delivery's batch in the batch's quantity and from its site (what the app writes when a
/// delivery is marked delivered). It may come already withdrawn, when the delivery was undone
/// before the phone synced: such a move counts for nothing.
fn volunteer_may_create_move(
    user: &UserRecord,
    outcome: &Outcome,
    lookup: &mut dyn RecordLookup,
    id: &str,
) -> storage::Result<bool> {
    use stock_move::field;
    let mut after = |f: &str| outcome.after(lookup, stock_move::NAME, id, f);
    let kind = after(field::KIND)?;
    let worker = after(field::WORKER_ID)?;
    let delivery = after(field::DELIVERY_ID)?;
    let (item, quantity, site) = (
        after(field::ITEM_ID)?,
        after(field::QUANTITY)?,
        after(field::SITE)?,
    );
    if kind.as_ref().and_then(Value::as_str) != Some(stock_move::DELIVERED)
        || worker.as_ref().and_then(Value::as_str) != Some(user.id.as_str())
    {
        return Ok(false);
    }
    let Some(delivery) = as_id(delivery) else {
        return Ok(false);
    };
    if !scope::is_assigned(lookup, pack_delivery::NAME, &delivery, &user.id)? {
        return Ok(false);
    }
    let Some(plan) = lookup.field(
        pack_delivery::NAME,
        &delivery,
        pack_delivery::field::PLAN_ID,
    )?
    else {
        return Ok(false);
    };
    use pack_plan_item::field as plan_item;
    for line in lookup.ids_where(pack_plan_item::NAME, plan_item::PLAN_ID, &plan)? {
        let mut stored = |f: &str| lookup.field(pack_plan_item::NAME, &line, f);
        if stored(DELETED)? == Some(Value::Bool(true)) {
            continue;
        }
        if stored(plan_item::ITEM_ID)? == item
            && stored(plan_item::QUANTITY)? == quantity
            && stored(plan_item::SITE)? == site
        {
            return Ok(true);
        }
    }
    Ok(false)
}

fn missing_grid(index: usize) -> Refusal {
    Refusal::Invalid(vec![ErrorDetail::new(
        index,
        "记录必须有所属网格 grid_id (a record of this kind needs its grid_id)",
    )])
}

/// The batch's writes by field, to tell what each field holds once the batch is stored.
pub(super) struct Outcome<'b> {
    writes: FastMap<(&'b str, &'b str, &'b str), Vec<&'b Change>>,
    records: BTreeSet<(&'b str, &'b str)>,
}

impl<'b> Outcome<'b> {
    fn new(changes: &'b [Change]) -> Outcome<'b> {
        let mut writes: FastMap<_, Vec<&Change>> = FastMap::default();
        let mut records = BTreeSet::new();
        for c in changes {
            let key = (c.entity.as_str(), c.id.as_str(), c.field.as_str());
            writes.entry(key).or_default().push(c);
            records.insert((c.entity.as_str(), c.id.as_str()));
        }
        Outcome { writes, records }
    }

    /// The fields of one record the batch writes.
    fn fields_written<'s>(
        &'s self,
        entity: &'s str,
        id: &'s str,
    ) -> impl Iterator<Item = &'b str> + 's {
        self.writes
            .keys()
            .filter(move |(e, i, _)| *e == entity && *i == id)
            .map(|(_, _, f)| *f)
    }

    fn writes(&self, entity: &str, id: &str, field: &str) -> bool {
        self.writes.contains_key(&(entity, id, field))
    }

    /// The value the field holds once the batch is stored: the batch's winner against the
    /// stored stamp, or else what is stored.
    pub(super) fn after(
        &self,
        lookup: &mut dyn RecordLookup,
        entity: &str,
        id: &str,
        field: &str,
    ) -> storage::Result<Option<Value>> {
        if let Some(written) = self.writes.get(&(entity, id, field)) {
            let stored = lookup.stamp(entity, id, field)?;
            if let Some(c) = model::merge::batch_winner(stored.as_deref(), written.iter().copied())
            {
                return Ok(Some(c.value.clone()));
            }
        }
        lookup.field(entity, id, field)
    }

    /// The grid a record lies in once the batch is stored; a grid is its own.
    fn grid_after(
        &self,
        lookup: &mut dyn RecordLookup,
        entity: &str,
        id: &str,
    ) -> storage::Result<Option<String>> {
        if entity == model::entities::grid::NAME {
            return Ok(Some(id.to_owned()));
        }
        Ok(as_id(self.after(lookup, entity, id, GRID_ID)?))
    }

    fn exists_after(
        &self,
        lookup: &mut dyn RecordLookup,
        entity: &str,
        id: &str,
    ) -> storage::Result<bool> {
        Ok(self.records.contains(&(entity, id)) || !lookup.field_names(entity, id)?.is_empty())
    }
}
