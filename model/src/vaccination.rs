//! Vaccination mobilisation (为3岁以上适龄无接种禁忌人群应接尽接, issue 16): who is eligible and
//! why, the list a grid works through, the nearest place to be vaccinated, and the record of an
//! attempt. One rule for the app's list and the server's figures.
//!
//! # The rule
//!
//! A resident still looked after is **eligible** when they are aged 3 or more (a known birth
//! date), have no contraindication (`vacc_contraindication`), and are not fully vaccinated:
//! fewer doses than the full course ([`Policy::full_course`], default 3; doses not recorded count
//! as none, since asking is how they become known), or the full course with the last dose more
//! than [`Policy::booster_days`] ago (default 180), or with its date unknown. The list is
//! highest risk first, then oldest first, then by name.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::date::{age_on, Date};
use crate::entities::mobilisation::{self, field};
use crate::entities::need::FieldEdit;
use crate::record::{Fields, Resident};

/// What counts as fully vaccinated; a server sets it (`KNOCK_VACC_FULL_COURSE`,
/// `KNOCK_VACC_BOOSTER_DAYS`) and devices learn it at login.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policy {
    /// Doses of the primary course.
    pub full_course: i64,
    /// Days after the last dose when a booster is due.
    pub booster_days: i64,
}

impl Policy {
    pub const DEFAULT: Policy = Policy {
        full_course: 3,
        booster_days: 180,
    };
}

impl Default for Policy {
    fn default() -> Policy {
        Policy::DEFAULT
    }
}

/// Why an eligible resident is not fully vaccinated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gap {
    /// Fewer doses than the full course (`None`: not recorded).
    Doses(Option<i64>),
    /// The full course, but the last dose is older than the booster interval (days since it;
    /// `None`: its date is unknown).
    Booster(Option<i64>),
}

impl Gap {
    pub fn zh(self, policy: Policy) -> String {
        match self {
            Gap::Doses(None) => "接种剂次未登记".to_owned(),
            Gap::Doses(Some(0)) => "未接种".to_owned(),
            Gap::Doses(Some(n)) => format!("已接种 {n} 剂，全程 {} 剂", policy.full_course),
            Gap::Booster(Some(days)) => format!("末次接种已 {days} 天，需加强免疫"),
            Gap::Booster(None) => "末次接种日期未登记，需加强免疫".to_owned(),
        }
    }

    pub fn en(self, policy: Policy) -> String {
        match self {
            Gap::Doses(None) => "doses not recorded".to_owned(),
            Gap::Doses(Some(0)) => "not vaccinated".to_owned(),
            Gap::Doses(Some(n)) => format!("{n} of {} doses", policy.full_course),
            Gap::Booster(Some(days)) => format!("last dose {days} days ago: booster due"),
            Gap::Booster(None) => "last dose date not recorded: booster due".to_owned(),
        }
    }
}

/// Why `resident` is eligible on `today`, or `None` when they are not (under 3, age unknown, a
/// contraindication, or fully vaccinated).
pub fn gap<R: Fields + ?Sized>(resident: &R, today: Date, policy: Policy) -> Option<Gap> {
    let r = Resident(resident);
    let birth = r.birth_date().filter(|b| *b <= today)?;
    if age_on(birth, today) < 3 || r.vacc_contraindication() {
        return None;
    }
    let doses = r.vacc_doses();
    if doses.is_none_or(|d| d < policy.full_course) {
        return Some(Gap::Doses(doses));
    }
    let since = r.vacc_last_date().map(|d| d.days_until(today));
    match since {
        Some(days) if days <= policy.booster_days => None,
        since => Some(Gap::Booster(since)),
    }
}

/// The fields of a new `mobilisation` record for `resident` (in `grid`, of `household`) by
/// `worker` at `at_ms`: its `outcome`, the `reason` when refused, the day when vaccinated.
#[allow(clippy::too_many_arguments)]
pub fn attempt(
    grid: &str,
    resident: &str,
    household: Option<&str>,
    outcome: &str,
    reason: &str,
    vaccinated_on: Option<Date>,
    worker: &str,
    at_ms: i64,
) -> Vec<FieldEdit> {
    let mut fields = vec![
        (field::GRID_ID.to_owned(), json!(grid)),
        (field::RESIDENT_ID.to_owned(), json!(resident)),
        (field::OUTCOME.to_owned(), json!(outcome)),
        (field::AT.to_owned(), json!(at_ms)),
        (field::WORKER_ID.to_owned(), json!(worker)),
    ];
    if let Some(h) = household {
        fields.push((field::HOUSEHOLD_ID.to_owned(), json!(h)));
    }
    if outcome == mobilisation::REFUSED {
        fields.push((field::REASON.to_owned(), json!(reason.trim())));
    }
    if let (mobilisation::VACCINATED, Some(d)) = (outcome, vaccinated_on) {
        fields.push((field::VACCINATED_ON.to_owned(), json!(d.to_string())));
    }
    fields
}

/// What is wrong with an attempt about to be recorded, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// A refusal says why: the next worker to knock needs to know.
    ReasonRequired,
    /// A vaccination says when.
    DateRequired,
    /// Not a day that has come yet.
    DateInFuture,
}

impl Problem {
    pub fn zh(self) -> &'static str {
        match self {
            Problem::ReasonRequired => "请填写拒绝原因，方便下次动员。",
            Problem::DateRequired => "请填写接种日期。",
            Problem::DateInFuture => "接种日期不能晚于今天。",
        }
    }

    pub fn en(self) -> &'static str {
        match self {
            Problem::ReasonRequired => "Say why they refused, for the next attempt.",
            Problem::DateRequired => "Enter the date of the vaccination.",
            Problem::DateInFuture => "The date of the vaccination cannot be after today.",
        }
    }
}

/// Checks an attempt before it is saved.
pub fn check(
    outcome: &str,
    reason: &str,
    vaccinated_on: Option<Date>,
    today: Date,
) -> Result<(), Problem> {
    match outcome {
        mobilisation::REFUSED if reason.trim().is_empty() => Err(Problem::ReasonRequired),
        mobilisation::VACCINATED => match vaccinated_on {
            None => Err(Problem::DateRequired),
            Some(d) if d > today => Err(Problem::DateInFuture),
            Some(_) => Ok(()),
        },
        _ => Ok(()),
    }
}

/// The most doses the schema accepts (`resident.vacc_doses`, 0 to 10).
const MAX_DOSES: i64 = 10;

/// What a recorded vaccination changes on the resident: one dose more (doses not recorded count
/// as none, as eligibility counts them; never past the schema's 10), and its date unless a
/// later dose is already recorded (a vaccination entered late must not move the last dose back).
pub fn dose_given<R: Fields + ?Sized>(resident: &R, on: Date) -> Vec<FieldEdit> {
    use crate::entities::resident::field as rf;
    let r = Resident(resident);
    let doses = r.vacc_doses().unwrap_or(0);
    let mut edits = vec![(
        rf::VACC_DOSES.to_owned(),
        json!((doses + 1).clamp(1, MAX_DOSES)),
    )];
    if r.vacc_last_date().is_none_or(|last| on >= last) {
        edits.push((rf::VACC_LAST_DATE.to_owned(), json!(on.to_string())));
    }
    edits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::resident::field as rf;
    use crate::record::Values;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn person(pairs: &[(&str, serde_json::Value)]) -> Values {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn eligible_from_3_without_contraindication_until_fully_vaccinated() {
        let today = d("2026-12-01");
        let p = Policy::DEFAULT;
        let gap = |pairs: &[(&str, serde_json::Value)]| gap(&person(pairs), today, p);
        let born = |s: &str| (rf::BIRTH_DATE, json!(s));
        assert_eq!(gap(&[born("2023-12-02")]), None, "a day short of 3");
        assert_eq!(
            gap(&[born("2023-12-01")]),
            Some(Gap::Doses(None)),
            "3 today, doses not recorded"
        );
        assert_eq!(gap(&[]), None, "no birth date, no age");
        assert_eq!(
            gap(&[born("2030-01-01")]),
            None,
            "a birth date in the future is a typo"
        );
        let old = born("1940-01-01");
        assert_eq!(
            gap(&[old.clone(), (rf::VACC_DOSES, json!(0))]),
            Some(Gap::Doses(Some(0)))
        );
        assert_eq!(
            gap(&[
                old.clone(),
                (rf::VACC_DOSES, json!(0)),
                (rf::VACC_CONTRAINDICATION, json!(true))
            ]),
            None
        );
        assert_eq!(
            gap(&[old.clone(), (rf::VACC_DOSES, json!(2))]),
            Some(Gap::Doses(Some(2)))
        );
        let full = (rf::VACC_DOSES, json!(3));
        assert_eq!(
            gap(&[
                old.clone(),
                full.clone(),
                (rf::VACC_LAST_DATE, json!("2026-06-04"))
            ]),
            None,
            "180 days ago exactly"
        );
        assert_eq!(
            gap(&[
                old.clone(),
                full.clone(),
                (rf::VACC_LAST_DATE, json!("2026-06-03"))
            ]),
            Some(Gap::Booster(Some(181)))
        );
        assert_eq!(gap(&[old.clone(), full]), Some(Gap::Booster(None)));
        // Configured: two doses and a year.
        let lenient = Policy {
            full_course: 2,
            booster_days: 365,
        };
        let two = person(&[
            old,
            (rf::VACC_DOSES, json!(2)),
            (rf::VACC_LAST_DATE, json!("2026-01-01")),
        ]);
        assert_eq!(super::gap(&two, today, lenient), None);
        assert_eq!(Gap::Doses(Some(2)).zh(p), "已接种 2 剂，全程 3 剂");
    }

    #[test]
    fn an_attempt_says_why_or_when_and_a_dose_moves_the_resident_on() {
        let today = d("2026-12-01");
        assert_eq!(
            check(mobilisation::REFUSED, "  ", None, today),
            Err(Problem::ReasonRequired)
        );
        assert_eq!(
            check(mobilisation::REFUSED, "担心副作用", None, today),
            Ok(())
        );
        assert_eq!(
            check(mobilisation::VACCINATED, "", None, today),
            Err(Problem::DateRequired)
        );
        assert_eq!(
            check(mobilisation::VACCINATED, "", Some(d("2026-12-02")), today),
            Err(Problem::DateInFuture)
        );
        assert_eq!(check(mobilisation::AGREED, "", None, today), Ok(()));

        let fields = attempt(
            "g1",
            "r1",
            Some("h1"),
            mobilisation::REFUSED,
            " 担心副作用 ",
            None,
            "w1",
            5,
        );
        assert!(fields.contains(&(field::REASON.to_owned(), json!("担心副作用"))));
        assert!(!fields.iter().any(|(k, _)| k == field::VACCINATED_ON));
        let fields = attempt(
            "g1",
            "r1",
            None,
            mobilisation::VACCINATED,
            "x",
            Some(today),
            "w1",
            5,
        );
        assert!(fields.contains(&(field::VACCINATED_ON.to_owned(), json!("2026-12-01"))));
        assert!(!fields
            .iter()
            .any(|(k, _)| k == field::REASON || k == field::HOUSEHOLD_ID));
        crate::validate::assert_valid_edits(mobilisation::NAME, &fields);

        let r = person(&[(rf::VACC_DOSES, json!(2))]);
        assert_eq!(
            dose_given(&r, today),
            vec![
                (rf::VACC_DOSES.to_owned(), json!(3)),
                (rf::VACC_LAST_DATE.to_owned(), json!("2026-12-01"))
            ]
        );
        assert_eq!(dose_given(&person(&[]), today)[0].1, json!(1));
        let later = person(&[
            (rf::VACC_DOSES, json!(10)),
            (rf::VACC_LAST_DATE, json!("2026-12-01")),
        ]);
        assert_eq!(
            dose_given(&later, d("2026-11-20")),
            vec![(rf::VACC_DOSES.to_owned(), json!(10))],
            "capped, and a dose entered late does not move the last date back"
        );
    }
}
