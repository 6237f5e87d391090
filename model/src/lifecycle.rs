//! Residents and households no longer looked after here (Added, issue 15): a resident moved
//! away, died or left the grid; a household moved away or was removed. Such a one keeps their
//! record and visit history but leaves Today, the ledger, pack recipients and the dashboard's
//! counts; clearing the status restores them. A household's status reaches all its residents.
//!
//! The three fields (`status`, `status_reason`, `status_date`) travel one by one like every
//! field, so the server checks each on its own (type, member, length). That a status comes with
//! a date, not in the future, and with a reason, is the form's rule, checked here by [`check`]
//! before anything is written, in the app.

use serde_json::{json, Value};

use crate::date::Date;
use crate::entities::{household, resident};
use crate::record::Fields;

/// The status field, spelled alike on both entities (a test holds them equal).
pub const STATUS: &str = resident::field::STATUS;
/// The day the status took effect.
pub const STATUS_DATE: &str = resident::field::STATUS_DATE;
/// Where they went or why.
pub const STATUS_REASON: &str = resident::field::STATUS_REASON;

/// Why a resident is off the lists, as one record says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Departure {
    /// The member of the record's `status` (`resident::STATUSES` or `household::STATUSES`).
    pub status: String,
    pub date: Option<Date>,
    pub reason: Option<String>,
    /// The household's departure, not the resident's own.
    pub by_household: bool,
}

/// The departure a record's own fields say, if any. Both entities spell the three fields alike.
fn of<R: Fields + ?Sized>(r: &R, by_household: bool) -> Option<Departure> {
    let status = r.text(STATUS)?;
    Some(Departure {
        status: status.to_owned(),
        date: r.date(STATUS_DATE),
        reason: r
            .text(STATUS_REASON)
            .filter(|s| !s.trim().is_empty())
            .map(str::to_owned),
        by_household,
    })
}

/// A resident's departure: their own status first, else their household's.
pub fn departure<R: Fields + ?Sized, H: Fields + ?Sized>(
    resident: &R,
    household: Option<&H>,
) -> Option<Departure> {
    of(resident, false).or_else(|| household.and_then(|h| of(h, true)))
}

/// A household's own departure.
pub fn of_household<H: Fields + ?Sized>(household: &H) -> Option<Departure> {
    of(household, true)
}

/// What is wrong with a status about to be set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// Not a member of the entity's statuses.
    UnknownStatus,
    /// Every status needs the day it happened: the ledger reported upward says when someone left.
    DateRequired,
    /// The day has not come yet; a planned move is marked when it happens.
    DateInFuture,
    /// Where they went or why: a colleague reading the record later needs it. A death needs no
    /// reason (the cause is not the grid worker's to record).
    ReasonRequired,
}

/// Checks a status about to be set on `entity` (`resident` or `household`) as of `today`.
pub fn check(
    entity: &str,
    status: &str,
    date: Option<Date>,
    reason: &str,
    today: Date,
) -> Result<(), Problem> {
    let members = statuses(entity);
    if !members.contains(&status) {
        return Err(Problem::UnknownStatus);
    }
    let Some(date) = date else {
        return Err(Problem::DateRequired);
    };
    if date > today {
        return Err(Problem::DateInFuture);
    }
    let needs_reason = !(entity == resident::NAME && status == resident::DECEASED);
    if needs_reason && reason.trim().is_empty() {
        return Err(Problem::ReasonRequired);
    }
    Ok(())
}

/// The statuses of `entity`; none for any other entity.
pub fn statuses(entity: &str) -> &'static [&'static str] {
    match entity {
        resident::NAME => resident::STATUSES,
        household::NAME => household::STATUSES,
        _ => &[],
    }
}

/// The fields that mark a record: status, date and the reason (cleared when blank).
pub fn mark(status: &str, date: Date, reason: &str) -> Vec<(String, Value)> {
    let reason = reason.trim();
    vec![
        (resident::field::STATUS.to_owned(), json!(status)),
        (
            resident::field::STATUS_DATE.to_owned(),
            json!(date.to_string()),
        ),
        (
            resident::field::STATUS_REASON.to_owned(),
            if reason.is_empty() {
                Value::Null
            } else {
                json!(reason)
            },
        ),
    ]
}

/// The fields that restore a record: all three cleared.
pub fn restore() -> Vec<(String, Value)> {
    [STATUS, STATUS_DATE, STATUS_REASON]
        .into_iter()
        .map(|f| (f.to_owned(), Value::Null))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Values;
    use crate::validate::check_value;

    fn day(s: &str) -> Option<Date> {
        Date::parse(s)
    }

    #[test]
    fn both_entities_spell_the_three_fields_alike() {
        for (mine, theirs) in [
            (STATUS, household::field::STATUS),
            (STATUS_DATE, household::field::STATUS_DATE),
            (STATUS_REASON, household::field::STATUS_REASON),
        ] {
            assert_eq!(mine, theirs);
            assert!(resident::ENTITY.field(mine).is_some());
        }
    }

    #[test]
    fn a_status_needs_a_past_date_and_a_reason_unless_a_death() {
        let today = Date::new(2024, 3, 10).unwrap();
        let r = resident::NAME;
        assert_eq!(check(r, "deceased", day("2024-03-09"), "", today), Ok(()));
        assert_eq!(
            check(r, "moved_away", day("2024-03-10"), "去女儿家", today),
            Ok(())
        );
        assert_eq!(
            check(r, "moved_away", day("2024-03-10"), "  ", today),
            Err(Problem::ReasonRequired)
        );
        assert_eq!(
            check(r, "left_grid", day("2024-03-01"), "", today),
            Err(Problem::ReasonRequired)
        );
        assert_eq!(
            check(r, "deceased", None, "病故", today),
            Err(Problem::DateRequired)
        );
        assert_eq!(
            check(r, "deceased", day("2024-03-11"), "", today),
            Err(Problem::DateInFuture)
        );
        assert_eq!(
            check(r, "removed", day("2024-03-01"), "拆迁", today),
            Err(Problem::UnknownStatus),
            "removed is a household's status"
        );
        let h = household::NAME;
        assert_eq!(
            check(h, "removed", day("2024-03-01"), "拆迁", today),
            Ok(())
        );
        assert_eq!(
            check(h, "removed", day("2024-03-01"), "", today),
            Err(Problem::ReasonRequired)
        );
        assert_eq!(
            check("visit", "removed", day("2024-03-01"), "x", today),
            Err(Problem::UnknownStatus)
        );
    }

    #[test]
    fn marking_writes_valid_fields_and_restoring_clears_them() {
        let date = Date::new(2024, 3, 9).unwrap();
        for (entity, status) in [
            (&resident::ENTITY, resident::DECEASED),
            (&household::ENTITY, household::REMOVED),
        ] {
            let fields = mark(status, date, " 拆迁 ");
            for (name, value) in fields.iter().chain(&restore()) {
                let def = entity.field(name).expect("a field of the table");
                assert_eq!(check_value(def, value), Ok(()), "{}.{name}", entity.name);
            }
            let record: Values = fields.into_iter().collect();
            let d = of_household(&record).unwrap();
            assert_eq!(
                (d.status.as_str(), d.date, d.reason.as_deref()),
                (status, Some(date), Some("拆迁"))
            );
            let restored: Values = restore().into_iter().collect();
            assert_eq!(of_household(&restored), None);
        }
        let blank: Values = mark(resident::DECEASED, date, "").into_iter().collect();
        assert_eq!(
            blank.get(resident::field::STATUS_REASON),
            Some(&Value::Null)
        );
    }

    #[test]
    fn a_residents_own_status_comes_before_the_households() {
        let date = Date::new(2024, 3, 9).unwrap();
        let mine: Values = mark(resident::DECEASED, date, "").into_iter().collect();
        let theirs: Values = mark(household::MOVED_AWAY, date, "搬迁")
            .into_iter()
            .collect();
        let none = Values::new();
        let d = departure(&mine, Some(&theirs)).unwrap();
        assert_eq!((d.status.as_str(), d.by_household), ("deceased", false));
        let d = departure(&none, Some(&theirs)).unwrap();
        assert_eq!((d.status.as_str(), d.by_household), ("moved_away", true));
        assert_eq!(departure(&none, Some(&none)), None);
        assert_eq!(departure::<Values, Values>(&none, None), None);
    }
}
