//! A cover's day (issue 17, 轮休): on a day the rota gives a grid's worker off and names a grid
//! worker of another grid as cover, that cover works in the grid for the day — they receive its
//! records and may write them, as its own worker does. Applied to the caller of every request
//! (`auth`), so pull, push and the dashboard agree; the day is China time.

use model::dataset::rota::covered_grids;
use model::entities::duty::{self, field};
use model::schema::DELETED;
use model::{Date, Role};

use crate::storage::{self, NamedBy, Storage, UserRecord};

/// The rota's days that name a grid worker as cover: read with the token of each of their
/// requests ([`Storage::token_owner_named_by`]), and passed to [`effective`].
pub const COVER_DAYS: NamedBy = NamedBy {
    role: Role::GridWorker,
    entity: duty::NAME,
    field: field::COVER_ID,
};

/// `user` with the grids they cover today added, and their scope stamped with them: a cursor made
/// on another day's grids answers 410, so the cover's phone syncs again from the start when a
/// cover begins and when it ends. `ids` are the [`COVER_DAYS`] naming the user, as read with
/// their token.
pub async fn effective(
    storage: &dyn Storage,
    mut user: UserRecord,
    ids: Vec<String>,
    now_ms: i64,
) -> storage::Result<UserRecord> {
    if user.role != COVER_DAYS.role || ids.is_empty() {
        return Ok(user);
    }
    let wanted = [
        field::GRID_ID,
        field::DATE,
        field::KIND,
        field::COVER_ID,
        DELETED,
    ];
    let days = storage.values(duty::NAME, Some(ids), &wanted).await?;
    let today = Date::from_china_ms(now_ms);
    let new: Vec<String> = covered_grids(days.values(), &user.id, today)
        .into_iter()
        .filter(|g| !user.grids.contains(g))
        .collect();
    if !new.is_empty() {
        user.scope_version = stamp(user.scope_version, &new);
        user.grids.extend(new);
    }
    Ok(user)
}

/// The scope version of a user covering `grids` (sorted): the stored version in the low half, a
/// hash of the grids in the high half, so it differs from any day without them.
fn stamp(version: i64, grids: &[String]) -> i64 {
    // FNV-1a: the same on every server of a database.
    let h = model::fnv::fnv1a(model::fnv::OFFSET, grids.join(",").as_bytes());
    let high = ((h & 0x3fff_ffff) + 1) as i64;
    version.wrapping_add(high << 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_covered_day_stamps_the_scope_apart() {
        let a = stamp(3, &["g1".into()]);
        assert_ne!(a, 3);
        assert_ne!(a, stamp(3, &["g2".into()]));
        assert_eq!(a, stamp(3, &["g1".into()]));
        assert_eq!(a & 0xffff_ffff, 3);
    }
}
