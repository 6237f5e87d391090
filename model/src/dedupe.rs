//! When two resident records are the same person, so nobody is registered twice: the app warns
//! on the form and roster import merges instead of adding.

use crate::entities::resident;
use crate::record::{Fields, Resident};

/// A name as people type it: no spaces (全角 or half-width) and no middle dots' variants.
pub fn normalize_name(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
        .map(|c| {
            if c == '•' || c == '．' || c == '.' {
                '·'
            } else {
                c
            }
        })
        .collect()
}

/// Digits only: "138 0000-0000" and "13800000000" are one phone.
pub fn normalize_phone(phone: &str) -> String {
    phone.chars().filter(char::is_ascii_digit).collect()
}

/// A text that says something: blank reads as unknown.
fn known(s: Option<&str>) -> Option<&str> {
    s.filter(|s| !s.trim().is_empty())
}

/// Whether two texts, both known, are equal once normalized; `None` when either is unknown.
fn same(x: Option<&str>, y: Option<&str>, norm: fn(&str) -> String) -> Option<bool> {
    Some(norm(known(x)?) == norm(known(y)?))
}

/// Whether two residents' fields describe the same person: same grid, same name, same birth
/// date and same phone (when both have one). Name and birth date must be known on both sides:
/// without them nothing is claimed to be a duplicate.
pub fn same_person<A: Fields + ?Sized, B: Fields + ?Sized>(a: &A, b: &B) -> bool {
    // The birth date is compared as written, not parsed: a date typed in another shape still
    // matches its twin.
    let birth = same(
        a.text(resident::field::BIRTH_DATE),
        b.text(resident::field::BIRTH_DATE),
        |s| s.trim().to_owned(),
    ) == Some(true);
    let (a, b) = (Resident(a), Resident(b));
    let grid = known(a.grid_id()) == known(b.grid_id());
    let name = same(a.name(), b.name(), normalize_name) == Some(true);
    let phone = same(a.phone(), b.phone(), normalize_phone) != Some(false);
    grid && name && birth && phone
}

/// The ids among `others` that are the same person as `candidate` (its own id excluded).
pub fn duplicates_of<'a, C: Fields + ?Sized, R: Fields + ?Sized + 'a>(
    candidate_id: &str,
    candidate: &C,
    others: impl IntoIterator<Item = (&'a str, &'a R)>,
) -> Vec<&'a str> {
    others
        .into_iter()
        .filter(|(id, fields)| *id != candidate_id && !fields.is_deleted())
        .filter(|(_, fields)| same_person(candidate, *fields))
        .map(|(id, _)| id)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};
    use std::collections::BTreeMap;

    fn person(grid: &str, name: &str, birth: &str, phone: Option<&str>) -> BTreeMap<String, Value> {
        let mut m = BTreeMap::new();
        m.insert("grid_id".into(), json!(grid));
        m.insert("name".into(), json!(name));
        m.insert("birth_date".into(), json!(birth));
        if let Some(p) = phone {
            m.insert("phone".into(), json!(p));
        }
        m
    }

    #[test]
    fn same_name_birth_date_and_phone_in_one_grid_is_one_person() {
        let a = person("g1", "王桂兰", "1948-03-02", Some("13800000000"));
        let b = person("g1", "王 桂兰", "1948-03-02", Some("138 0000-0000"));
        assert!(same_person(&a, &b));
    }

    #[test]
    fn a_missing_phone_on_one_side_does_not_hide_the_duplicate() {
        let a = person("g1", "王桂兰", "1948-03-02", Some("13800000000"));
        let b = person("g1", "王桂兰", "1948-03-02", None);
        assert!(same_person(&a, &b));
    }

    #[test]
    fn namesakes_differ_by_birth_date_phone_or_grid() {
        let a = person("g1", "王桂兰", "1948-03-02", Some("13800000000"));
        assert!(!same_person(
            &a,
            &person("g1", "王桂兰", "1949-03-02", Some("13800000000"))
        ));
        assert!(!same_person(
            &a,
            &person("g1", "王桂兰", "1948-03-02", Some("13900000000"))
        ));
        assert!(!same_person(
            &a,
            &person("g2", "王桂兰", "1948-03-02", Some("13800000000"))
        ));
        assert!(!same_person(
            &a,
            &person("g1", "王桂芝", "1948-03-02", Some("13800000000"))
        ));
    }

    #[test]
    fn unknown_name_or_birth_date_is_never_called_a_duplicate() {
        let mut a = person("g1", "王桂兰", "1948-03-02", None);
        let mut b = a.clone();
        a.remove("birth_date");
        b.remove("birth_date");
        assert!(!same_person(&a, &b));
    }

    #[test]
    fn duplicates_skip_itself_and_deleted_records() {
        let me = person("g1", "王桂兰", "1948-03-02", None);
        let twin = me.clone();
        let mut gone = me.clone();
        gone.insert(crate::schema::DELETED.into(), json!(true));
        let others = [("me", &me), ("twin", &twin), ("gone", &gone)];
        assert_eq!(
            duplicates_of("me", &me, others.iter().map(|(i, f)| (*i, *f))),
            vec!["twin"]
        );
    }
}
