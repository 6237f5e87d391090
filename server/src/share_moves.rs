//! Records that move between the shares of building leaders and street offices within a batch
//! (issues 16 and 17): judged on the records as they stood before the whole batch and after it,
//! a stored record that reaches other doors starts the pulls of the leaders who gained or lost it
//! again, and a need escalated (or an escalated need pointed elsewhere) sends what it names to the
//! level above. `records::write_batch` asks here before and after it writes.

use serde_json::Value;

use crate::records::{record_grid, refile};
use crate::scope;
use crate::storage::{Result, WriteTx};
use model::wire::Change;

/// The records of a batch that may move between the shares of building leaders and street
/// offices, as they stood before the batch: whom each reached, whether it was stored, and for a
/// need whether it was escalated. Judged again once the whole batch is written, so the order of
/// a batch's changes cannot hide a move.
pub(crate) struct ShareWatch {
    records: Vec<Watched>,
}

struct Watched {
    entity: String,
    id: String,
    stored: bool,
    answered_by: std::collections::BTreeSet<String>,
    escalated: bool,
    /// The batch names another resident (a need) or household (a resident) for it.
    relinked: bool,
}

impl ShareWatch {
    pub(crate) fn before(tx: &mut dyn WriteTx, batch: &[Change]) -> Result<ShareWatch> {
        let mut records = Vec::new();
        let mut seen = crate::FastSet::default();
        // Gathered in one pass: asking the whole batch for each watched record made a batch of
        // new residents cost its length squared.
        let relinked: crate::FastSet<(&str, &str)> = batch
            .iter()
            .filter(|c| {
                use model::entities::{need, resident};
                c.entity == need::NAME && c.field == need::field::RESIDENT_ID
                    || c.entity == resident::NAME && c.field == resident::field::HOUSEHOLD_ID
            })
            .map(|c| (c.entity.as_str(), c.id.as_str()))
            .collect();
        for c in batch.iter().filter(|c| scope::moves_shares(c)) {
            if !seen.insert((c.entity.as_str(), c.id.as_str())) {
                continue;
            }
            let stored = !tx.field_names(&c.entity, &c.id)?.is_empty();
            records.push(Watched {
                entity: c.entity.clone(),
                id: c.id.clone(),
                stored,
                answered_by: match stored {
                    true => scope::answerable(tx, &c.entity, &c.id)?,
                    false => Default::default(),
                },
                escalated: scope::is_escalated(tx, &c.entity, &c.id)?,
                relinked: relinked.contains(&(c.entity.as_str(), c.id.as_str())),
            });
        }
        Ok(ShareWatch { records })
    }

    /// A stored record that reaches other doors now starts the pulls of the leaders who gained
    /// or lost it again; a need newly escalated, or an escalated need (or its resident) pointed
    /// elsewhere, sends what it now names to the level above.
    pub(crate) fn after(self, tx: &mut dyn WriteTx) -> Result<()> {
        for w in self.records {
            if w.stored {
                handed_over(tx, &w.entity, &w.id, w.answered_by)?;
            }
            match w.entity.as_str() {
                model::entities::need::NAME
                    if (!w.escalated || w.relinked)
                        && scope::is_escalated(tx, &w.entity, &w.id)? =>
                {
                    send_upward(tx, &w.id)?;
                }
                model::entities::resident::NAME if w.relinked => {
                    let me = Value::String(w.id.clone());
                    let field = model::entities::need::field::RESIDENT_ID;
                    for need in tx.ids_where(model::entities::need::NAME, field, &me)? {
                        if scope::is_escalated(tx, model::entities::need::NAME, &need)? {
                            send_upward(tx, &need)?;
                            break;
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// A record that changed doors, or a door that changed hands: each building leader who gained or
/// lost it starts their pull again from the start (their share changed under rows they have
/// passed, which neither a later row nor a departure can mend for a whole household), as after
/// new grids. Others who answer for it read the whole grid anyway.
fn handed_over(
    tx: &mut dyn WriteTx,
    entity: &str,
    id: &str,
    before: std::collections::BTreeSet<String>,
) -> Result<()> {
    let after = scope::answerable(tx, entity, id)?;
    for user in before.symmetric_difference(&after) {
        if tx.user_role(user)? == Some(model::Role::BuildingLeader) {
            tx.bump_scope_version(user)?;
        }
    }
    Ok(())
}

/// A need just escalated goes to the level above with its resident and their household: their
/// rows move past every cursor, so the street office's next pull brings what it had passed
/// before the need was its (the grid's devices receive the same rows again, a few dozen).
fn send_upward(tx: &mut dyn WriteTx, need_id: &str) -> Result<()> {
    use model::entities::{need, resident};
    let grid = record_grid(tx, need::NAME, need_id)?;
    refile(tx, need::NAME, need_id, grid.as_deref(), None)?;
    let Some(person) = scope::as_id(tx.field(need::NAME, need_id, need::field::RESIDENT_ID)?)
    else {
        return Ok(());
    };
    let grid = record_grid(tx, resident::NAME, &person)?;
    refile(tx, resident::NAME, &person, grid.as_deref(), None)?;
    let home = scope::as_id(tx.field(resident::NAME, &person, resident::field::HOUSEHOLD_ID)?);
    if let Some(home) = home {
        let grid = record_grid(tx, model::entities::household::NAME, &home)?;
        refile(
            tx,
            model::entities::household::NAME,
            &home,
            grid.as_deref(),
            None,
        )?;
    }
    Ok(())
}
