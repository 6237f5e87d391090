//! Per-field last-writer-wins: the one rule that decides which value of a field survives, used by
//! the server on push and by the app on pull so they always agree (`docs/data-rules.md#last-writer-wins`).
//!
//! The larger HLC string wins; an equal stamp changes nothing, which makes replaying a batch
//! harmless. A stamp names one write of one device, so two different values never legitimately
//! share a stamp; the properties below are stated under that assumption.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::wire::Change;

/// A field's value with the stamp of the write that set it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Stamped {
    pub value: Value,
    pub hlc: String,
}

impl From<&Change> for Stamped {
    fn from(c: &Change) -> Stamped {
        Stamped {
            value: c.value.clone(),
            hlc: c.hlc.clone(),
        }
    }
}

/// Whether a write stamped `candidate_hlc` replaces the current one: strictly larger wins, and
/// no current value means anything wins.
pub fn wins(candidate_hlc: &str, current_hlc: Option<&str>) -> bool {
    current_hlc.is_none_or(|cur| candidate_hlc > cur)
}

/// Which of `changes`, writes of one field in the order a batch lists them, a store holding a
/// value stamped `current_hlc` keeps: each in turn replaces the one kept so far if it [`wins`],
/// exactly as the server stores a batch. `None` when none beats the stored value. Whoever judges
/// a batch judges this value, the one that will be stored, and not some other of equal stamp.
pub fn batch_winner<'a>(
    current_hlc: Option<&str>,
    changes: impl IntoIterator<Item = &'a Change>,
) -> Option<&'a Change> {
    let mut kept: Option<&'a Change> = None;
    for c in changes {
        let current = kept.map(|k| k.hlc.as_str()).or(current_hlc);
        if wins(&c.hlc, current) {
            kept = Some(c);
        }
    }
    kept
}

/// The survivor of two writes of the same field.
pub fn merge(a: Stamped, b: Stamped) -> Stamped {
    if wins(&b.hlc, Some(&a.hlc)) {
        b
    } else {
        a
    }
}

/// Every field of every record: (entity, id, field) → winning value.
pub type State = BTreeMap<(String, String, String), Stamped>;

/// Apply one change to `state`; returns whether it won (what push counts as `applied`).
pub fn apply(state: &mut State, change: &Change) -> bool {
    let key = (
        change.entity.clone(),
        change.id.clone(),
        change.field.clone(),
    );
    apply_at(state, key, change)
}

/// Apply one change to the stamped fields of the record it belongs to, as a device's store
/// keeps them; returns whether it won.
pub fn apply_to_record(fields: &mut BTreeMap<String, Stamped>, change: &Change) -> bool {
    apply_at(fields, change.field.clone(), change)
}

/// [`apply_to_record`] for a change the caller owns and no longer needs: its field name, value
/// and stamp are moved into the record, not copied; returns whether it won.
pub fn apply_owned(
    fields: &mut BTreeMap<String, Stamped>,
    field: String,
    stamped: Stamped,
) -> bool {
    if !wins(
        &stamped.hlc,
        fields.get(&field).map(|held| held.hlc.as_str()),
    ) {
        return false;
    }
    fields.insert(field, stamped);
    true
}

/// Merges `other`, another replica's stamped fields of the same record, into `fields`, each
/// field by [`wins`]; returns how many of them won.
pub fn merge_record(
    fields: &mut BTreeMap<String, Stamped>,
    other: BTreeMap<String, Stamped>,
) -> usize {
    let mut won = 0;
    for (field, s) in other {
        if wins(&s.hlc, fields.get(&field).map(|held| held.hlc.as_str())) {
            fields.insert(field, s);
            won += 1;
        }
    }
    won
}

fn apply_at<K: Ord>(map: &mut BTreeMap<K, Stamped>, key: K, change: &Change) -> bool {
    if !wins(&change.hlc, map.get(&key).map(|s| s.hlc.as_str())) {
        return false;
    }
    map.insert(key, Stamped::from(change));
    true
}

/// The reference fold: the state any order of any repetition of `changes` converges to.
pub fn fold<'a>(changes: impl IntoIterator<Item = &'a Change>) -> State {
    let mut state = State::new();
    for c in changes {
        apply(&mut state, c);
    }
    state
}

/// The current fields of one record (including `null`s that cleared a field), as
/// [`crate::risk::RiskInput::from_fields`] and views want them.
pub fn record(state: &State, entity: &str, id: &str) -> crate::record::Values {
    let from = (entity.to_owned(), id.to_owned(), String::new());
    state
        .range(from..)
        .take_while(|((e, i, _), _)| e == entity && i == id)
        .map(|((_, _, f), s)| (f.clone(), s.value.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn st(value: Value, hlc: &str) -> Stamped {
        Stamped {
            value,
            hlc: hlc.into(),
        }
    }

    #[test]
    fn merging_a_record_keeps_each_fields_later_stamp_and_counts_the_winners() {
        let mut held = BTreeMap::from([
            (
                "name".to_string(),
                st(json!("王桂兰"), "0000000000002-0000-a"),
            ),
            (
                "phone".to_string(),
                st(json!("138"), "0000000000005-0000-a"),
            ),
        ]);
        let other = BTreeMap::from([
            (
                "name".to_string(),
                st(json!("王贵兰"), "0000000000003-0000-b"),
            ),
            (
                "phone".to_string(),
                st(json!("139"), "0000000000004-0000-b"),
            ),
            (
                "gender".to_string(),
                st(json!("female"), "0000000000001-0000-b"),
            ),
        ]);
        assert_eq!(merge_record(&mut held, other.clone()), 2);
        assert_eq!(held["name"].value, json!("王贵兰"));
        assert_eq!(held["phone"].value, json!("138"));
        assert_eq!(held["gender"].value, json!("female"));
        assert_eq!(
            merge_record(&mut held, other),
            0,
            "merging again changes nothing"
        );
    }

    fn ch(id: &str, field: &str, value: Value, hlc: &str) -> Change {
        Change {
            entity: "resident".into(),
            id: id.into(),
            field: field.into(),
            value,
            hlc: hlc.into(),
        }
    }

    #[test]
    fn larger_stamp_wins_and_equal_is_no_change() {
        assert!(wins("1764331200000-0001-a", None));
        assert!(wins("1764331200000-0001-a", Some("1764331200000-0000-z")));
        assert!(!wins("1764331200000-0001-a", Some("1764331200000-0001-a")));
        assert!(!wins("1764331200000-0001-a", Some("1764331200000-0001-b")));
        let old = st(json!("old"), "1764331200000-0000-a");
        let new = st(json!(null), "1764331200001-0000-a");
        assert_eq!(merge(old.clone(), new.clone()), new);
        assert_eq!(merge(new.clone(), old), new);
    }

    #[test]
    fn the_batch_winner_is_what_sequential_storing_keeps_even_on_equal_stamps() {
        let h = "1764331200000-0000-a";
        let first = ch("r1", "grid_id", json!("other"), h);
        let second = ch("r1", "grid_id", json!("mine"), h);
        // The first of two equal stamps is stored; the second does not beat it.
        let kept = batch_winner(None, [&first, &second]).unwrap();
        assert_eq!(kept.value, json!("other"));
        assert!(batch_winner(Some(h), [&first, &second]).is_none());
        let later = ch("r1", "grid_id", json!("later"), "1764331200000-0001-a");
        assert_eq!(
            batch_winner(Some(h), [&later, &first]).unwrap().value,
            json!("later")
        );
        for order in [[&first, &second, &later], [&later, &second, &first]] {
            let mut state = State::new();
            for c in order {
                apply(&mut state, c);
            }
            let stored = state.values().next().unwrap();
            assert_eq!(batch_winner(None, order).unwrap().value, stored.value);
        }
    }

    #[test]
    fn apply_counts_wins_and_replay_changes_nothing() {
        let mut s = State::new();
        let a = ch("r1", "phone", json!("13800000000"), "1764331200000-0000-a");
        let b = ch("r1", "phone", json!(null), "1764331200000-0001-b");
        assert!(apply(&mut s, &a));
        assert!(apply(&mut s, &b));
        assert!(!apply(&mut s, &a));
        assert!(!apply(&mut s, &b));
        assert_eq!(s.len(), 1);
        assert_eq!(s.values().next().unwrap().value, Value::Null);
    }

    #[test]
    fn a_records_fields_merge_as_the_whole_state_does() {
        let a = ch("r1", "phone", json!("13800000000"), "1764331200000-0000-a");
        let b = ch("r1", "phone", json!(null), "1764331200000-0001-b");
        let mut fields = BTreeMap::new();
        assert!(apply_to_record(&mut fields, &b));
        assert!(!apply_to_record(&mut fields, &a), "the older write loses");
        assert!(
            !apply_to_record(&mut fields, &b),
            "a replay changes nothing"
        );
        assert_eq!(fields["phone"], Stamped::from(&b));
    }

    #[test]
    fn record_collects_one_records_fields() {
        let changes = [
            ch("r1", "name", json!("张三"), "1764331200000-0000-a"),
            ch("r1", "phone", json!("13800000000"), "1764331200000-0001-a"),
            ch("r10", "name", json!("李四"), "1764331200000-0002-a"),
            ch("r2", "name", json!("王五"), "1764331200000-0003-a"),
        ];
        let s = fold(&changes);
        let r = record(&s, "resident", "r1");
        assert_eq!(r.len(), 2);
        assert_eq!(r["name"], json!("张三"));
        assert!(record(&s, "resident", "r3").is_empty());
        assert!(record(&s, "household", "r1").is_empty());
    }

    // Few ids, fields and stamps so that collisions (the interesting case) are common; values
    // are a function of the stamp because a stamp names exactly one write.
    fn stamp() -> impl Strategy<Value = String> {
        (
            0u64..4,
            0u16..3,
            prop::sample::select(vec!["a", "b", "c-1"]),
        )
            .prop_map(|(ms, c, d)| format!("{:013}-{c:04x}-{d}", 1_764_331_200_000 + ms))
    }

    fn value_of(hlc: &str) -> Value {
        match hlc.len() % 3 {
            0 => Value::Null,
            1 => json!(hlc),
            _ => json!(hlc.bytes().map(u64::from).sum::<u64>()),
        }
    }

    fn stamped() -> impl Strategy<Value = Stamped> {
        stamp().prop_map(|h| Stamped {
            value: value_of(&h),
            hlc: h,
        })
    }

    fn change() -> impl Strategy<Value = Change> {
        (
            prop::sample::select(vec!["resident", "visit"]),
            prop::sample::select(vec!["x1", "x2"]),
            prop::sample::select(vec!["name", "phone", crate::schema::DELETED]),
            stamp(),
        )
            .prop_map(|(e, i, f, h)| Change {
                entity: e.into(),
                id: i.into(),
                field: f.into(),
                value: value_of(&format!("{e}{i}{f}{h}")),
                hlc: h,
            })
    }

    /// A change list and some permutation of it with some of its changes repeated.
    fn with_permutation() -> impl Strategy<Value = (Vec<Change>, Vec<Change>)> {
        (
            prop::collection::vec(change(), 0..40),
            prop::collection::vec(any::<prop::sample::Index>(), 0..20),
        )
            .prop_flat_map(|(changes, dups)| {
                let mut all = changes.clone();
                if !changes.is_empty() {
                    all.extend(dups.iter().map(|i| i.get(&changes).clone()));
                }
                (Just(changes), Just(all).prop_shuffle())
            })
    }

    proptest! {
        #[test]
        fn merge_is_commutative(a in stamped(), b in stamped()) {
            prop_assert_eq!(merge(a.clone(), b.clone()), merge(b, a));
        }

        #[test]
        fn merge_is_associative(a in stamped(), b in stamped(), c in stamped()) {
            prop_assert_eq!(
                merge(merge(a.clone(), b.clone()), c.clone()),
                merge(a, merge(b, c))
            );
        }

        #[test]
        fn merge_is_idempotent(a in stamped()) {
            prop_assert_eq!(merge(a.clone(), a.clone()), a);
        }

        #[test]
        fn fold_ignores_order_and_duplicates((changes, other) in with_permutation()) {
            let reference = fold(&changes);
            prop_assert_eq!(fold(&other), reference.clone());
            let mut twice = reference.clone();
            for c in &changes {
                prop_assert!(!apply(&mut twice, c));
            }
            prop_assert_eq!(twice, reference);
        }

        #[test]
        fn fold_keeps_the_largest_stamp_per_field(changes in prop::collection::vec(change(), 0..40)) {
            let state = fold(&changes);
            for c in &changes {
                let key = (c.entity.clone(), c.id.clone(), c.field.clone());
                prop_assert!(state[&key].hlc >= c.hlc);
            }
        }
    }
}
