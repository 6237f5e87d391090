//! Tests of residents and households marked as no longer looked after here: off Today, the
//! ledger and pack recipients, still on their page with their visits, and back once restored.

use serde_json::{json, Value};

use super::fixture::*;
use super::ledger::Filter;
use super::packs::RecipientFilter;
use crate::entities::{household, resident, visit};
use crate::lifecycle;

/// The fields of a mark (or a restore), keyed by the entity's constants as the fixture wants.
fn fields(edits: Vec<(String, Value)>) -> Vec<(&'static str, Value)> {
    edits
        .into_iter()
        .map(|(k, v)| {
            let name = resident::field::NAMES.iter().find(|n| **n == k).unwrap();
            (*name, v)
        })
        .collect()
}

/// Three red residents due today (born 1935, never visited): a and b in h1, c in h2, with
/// `a_extra` on a and `h1_extra` on h1.
fn fixture(a_extra: Vec<(&'static str, Value)>, h1_extra: Vec<(&'static str, Value)>) -> Fixture {
    let mut f = Fixture::new();
    let mut h1 = vec![(household::field::ROOM, json!("101"))];
    h1.extend(h1_extra);
    f.household("h1", &h1);
    f.household("h2", &[(household::field::ROOM, json!("102"))]);
    for (id, h) in [("a", "h1"), ("b", "h1"), ("c", "h2")] {
        let mut pairs = vec![
            (resident::field::BIRTH_DATE, json!("1935-01-01")),
            (resident::field::HOUSEHOLD_ID, json!(h)),
        ];
        if id == "a" {
            pairs.extend(a_extra.clone());
        }
        f.resident(id, &pairs);
    }
    f.visit("a", 9, &[(visit::field::SPO2, json!(95))]);
    f.visit("a", 12, &[(visit::field::SPO2, json!(96))]);
    f.visit("a", 3, &[(visit::field::SPO2, json!(97))]);
    f
}

/// Who is on Today, the ledger and a batch for every red and yellow resident.
fn lists(f: &Fixture) -> [Vec<String>; 3] {
    let d = f.build();
    let all = RecipientFilter {
        red: true,
        yellow: true,
        ..RecipientFilter::default()
    };
    [
        ids(d.due_list(), |r| r.id()),
        ids(d.ledger_rows(&Filter::default()), |r| r.id()),
        ids(d.recipients(&all), |r| r.id()),
    ]
}

#[test]
fn a_deceased_resident_leaves_the_lists_and_keeps_their_page_and_visits() {
    let today = Fixture::new().today;
    let everyone = lists(&fixture(vec![], vec![]));
    for list in &everyone {
        assert_eq!(list, &["a", "b", "c"]);
    }
    let died = fields(lifecycle::mark(resident::DECEASED, today.add_days(-1), ""));
    let f = fixture(died, vec![]);
    for list in lists(&f) {
        assert_eq!(list, ["b", "c"], "off Today, the ledger and recipients");
    }
    let d = f.build();
    let a = d.resident("a").expect("still on the device and their page");
    let departure = a.departure.as_ref().unwrap();
    assert_eq!(departure.status, resident::DECEASED);
    assert_eq!(departure.date, Some(today.add_days(-1)));
    assert!(!departure.by_household);
    let spo2: Vec<Option<i64>> = d
        .visits_of("a")
        .iter()
        .map(|v| v.fields.get(visit::field::SPO2).and_then(Value::as_i64))
        .collect();
    assert_eq!(spo2, [Some(97), Some(95), Some(96)], "newest first, kept");
    assert!(d.visits_of("b").is_empty());
    assert_eq!(d.active().count(), 2);
}

#[test]
fn a_household_moved_away_takes_its_residents_off_the_lists() {
    let today = Fixture::new().today;
    let moved = fields(lifecycle::mark(household::MOVED_AWAY, today, "搬去外地"));
    let f = fixture(vec![], moved);
    for list in lists(&f) {
        assert_eq!(list, ["c"]);
    }
    let d = f.build();
    let b = d.resident("b").unwrap().departure.clone().unwrap();
    assert_eq!(
        (b.status.as_str(), b.by_household, b.reason.as_deref()),
        (household::MOVED_AWAY, true, Some("搬去外地"))
    );
    assert_eq!(d.members_of("h1").count(), 2, "still its members");
}

#[test]
fn a_restored_resident_or_household_is_back_on_the_lists() {
    let restored = fields(lifecycle::restore());
    let f = fixture(restored.clone(), restored);
    for list in lists(&f) {
        assert_eq!(list, ["a", "b", "c"]);
    }
    assert!(f.build().residents.iter().all(|r| r.departure.is_none()));
}

/// Packs for a (pending, not at home, delivered), b and c (pending) and h1's door; those in
/// `withdrawn` marked deleted.
fn with_packs(withdrawn: &[&str]) -> Fixture {
    use crate::entities::pack_delivery::{self, field as pd};
    let mut f = fixture(vec![], vec![]);
    let packs = [
        ("a-pending", pd::RESIDENT_ID, "a", pack_delivery::PENDING),
        ("a-not-home", pd::RESIDENT_ID, "a", pack_delivery::NOT_HOME),
        (
            "a-delivered",
            pd::RESIDENT_ID,
            "a",
            pack_delivery::DELIVERED,
        ),
        ("b-pending", pd::RESIDENT_ID, "b", pack_delivery::PENDING),
        ("c-pending", pd::RESIDENT_ID, "c", pack_delivery::PENDING),
        ("h1-door", pd::HOUSEHOLD_ID, "h1", pack_delivery::PENDING),
    ];
    for (id, to, whom, status) in packs {
        let mut pairs = vec![(to, json!(whom)), (pd::STATUS, json!(status))];
        if withdrawn.contains(&id) {
            pairs.push((crate::schema::DELETED, json!(true)));
        }
        f.delivery(id, &pairs);
    }
    f
}

#[test]
fn a_departure_withdraws_the_packs_still_to_hand_over_and_keeps_those_handed_over() {
    use super::doors::{is_to_do, withdrawal};
    use super::Row;
    let d = with_packs(&[]).build();
    let of = |entity: &str, id: &str| ids(d.packs_to_withdraw(entity, id), Rec::id);
    assert_eq!(of(resident::NAME, "a"), ["a-pending", "a-not-home"]);
    assert_eq!(
        of(household::NAME, "h1"),
        ["a-pending", "a-not-home", "b-pending", "h1-door"],
        "every member's, and the household's own"
    );
    assert!(of(resident::NAME, "nobody").is_empty());

    // Withdrawn (deleted), they are off the device's lists; the delivered one stays.
    assert_eq!(
        withdrawal(),
        [(crate::schema::DELETED.to_owned(), json!(true))]
    );
    let d = with_packs(&["a-pending", "a-not-home"]).build();
    let left: Vec<&str> = d
        .deliveries
        .iter()
        .filter(|x| is_to_do(*x))
        .map(|x| x.id.as_str())
        .collect();
    assert_eq!(left, ["b-pending", "c-pending", "h1-door"]);
    assert!(d.deliveries.iter().any(|x| x.id == "a-delivered"));
}
