//! Who may write and read what: DESIGN.md's role table applied record by record and field by
//! field. The app hides what a role can't do; this is where it is enforced.

use model::wire::{Change, ErrorDetail};
use model::Role;

use crate::error::AppError;
use crate::storage::{FieldRow, RecordLookup, UserRecord, VolunteerScope};

/// Whether records of `entity` belong to one grid, named by their `grid_id` field.
pub fn is_grid_scoped(entity: &str) -> bool {
    model::schema::entity(entity).is_some_and(|e| e.grid_scoped)
}

fn as_str(v: &serde_json::Value) -> Option<&str> {
    v.as_str()
}

/// The record-level rules of a push, checked against the stored records inside the write
/// transaction: grid-scoped records must lie in the user's grids before and after the batch, a
/// volunteer touches only deliveries assigned to them and creates only stock moves of kind
/// `delivered`. Field-level write rights and validation are checked before this runs.
pub fn authorize_push(
    user: &UserRecord,
    changes: Vec<Change>,
    lookup: &mut dyn RecordLookup,
) -> Result<Vec<Change>, AppError> {
    if user.role == Role::Admin {
        // An admin may write anything, but a grid-scoped record still needs a grid.
        require_grids(&changes, lookup)?;
        return Ok(changes);
    }
    // The checks are per record; a record appears once however many of its fields change.
    let mut seen = std::collections::BTreeSet::new();
    for (index, c) in changes.iter().enumerate() {
        if !seen.insert((c.entity.as_str(), c.id.as_str())) {
            continue;
        }
        let in_batch = |field: &str| {
            changes
                .iter()
                .filter(|o| o.entity == c.entity && o.id == c.id && o.field == field)
                .max_by(|a, b| a.hlc.cmp(&b.hlc))
                .map(|o| o.value.clone())
        };
        if is_grid_scoped(&c.entity) {
            if user.role == Role::Volunteer {
                let owner = lookup.field(&c.entity, &c.id, "volunteer_id")?;
                let mine = c.entity == "pack_delivery"
                    && owner.as_ref().and_then(as_str) == Some(user.id.as_str());
                if !mine {
                    return Err(AppError::Forbidden(format!(
                        "第 {index} 项修改的不是分配给您的配送 (change {index}: not a delivery assigned to you)"
                    )));
                }
                continue;
            }
            let stored = lookup.field(&c.entity, &c.id, "grid_id")?;
            let incoming = in_batch("grid_id");
            if stored.is_none() && incoming.as_ref().and_then(as_str).is_none() {
                return Err(missing_grid(index));
            }
            match user.role {
                Role::GridWorker | Role::Supervisor => {
                    for grid in [stored.as_ref(), incoming.as_ref()].into_iter().flatten() {
                        let inside =
                            as_str(grid).is_some_and(|g| user.grids.iter().any(|u| u == g));
                        if !inside {
                            return Err(AppError::Forbidden(format!(
                                "第 {index} 项修改的记录不在您的网格内 (change {index}: the record is outside your grids)"
                            )));
                        }
                    }
                }
                Role::Volunteer | Role::Admin => {}
            }
        } else if c.entity == "stock_move" && user.role == Role::Volunteer {
            let stored_kind = lookup.field(&c.entity, &c.id, "kind")?;
            let kind = in_batch("kind");
            if stored_kind.is_some() || kind.as_ref().and_then(as_str) != Some("delivered") {
                return Err(AppError::Forbidden(format!(
                    "志愿者只能新建“已发放”库存记录 (change {index}: a volunteer may only create stock moves of kind delivered)"
                )));
            }
        }
    }
    Ok(changes)
}

fn missing_grid(index: usize) -> AppError {
    AppError::Invalid(vec![ErrorDetail {
        index,
        message: "新记录必须填写所属网格 grid_id (a new record needs its grid_id)".into(),
    }])
}

fn require_grids(changes: &[Change], lookup: &mut dyn RecordLookup) -> Result<(), AppError> {
    for (index, c) in changes
        .iter()
        .enumerate()
        .filter(|(_, c)| is_grid_scoped(&c.entity))
    {
        let incoming = changes.iter().any(|o| {
            o.entity == c.entity && o.id == c.id && o.field == "grid_id" && o.value.is_string()
        });
        if !incoming && lookup.field(&c.entity, &c.id, "grid_id")?.is_none() {
            return Err(missing_grid(index));
        }
    }
    Ok(())
}

/// Whether `user` may receive this stored value: the field's read roles, then the record's grid
/// (or, for a volunteer, whether it is one of their deliveries or its recipient).
pub fn readable(user: &UserRecord, volunteer: Option<&VolunteerScope>, row: &FieldRow) -> bool {
    let c = &row.change;
    let Some(def) = model::schema::entity(&c.entity).and_then(|e| e.field(&c.field)) else {
        return false;
    };
    if !def.can_read(user.role) {
        return false;
    }
    let in_my_grids = || row.grid_id.as_ref().is_some_and(|g| user.grids.contains(g));
    match user.role {
        Role::Admin => true,
        Role::GridWorker | Role::Supervisor => {
            if is_grid_scoped(&c.entity) || c.entity == "grid" {
                in_my_grids()
            } else {
                true
            }
        }
        Role::Volunteer => {
            let Some(scope) = volunteer else { return false };
            match c.entity.as_str() {
                "pack_delivery" => scope.deliveries.contains(&c.id),
                "resident" => scope.residents.contains(&c.id),
                "household" => scope.households.contains(&c.id),
                "grid" => in_my_grids(),
                // Their own stock moves are on their phone already; others' are not theirs to see.
                "stock_move" => false,
                e => !is_grid_scoped(e),
            }
        }
    }
}
