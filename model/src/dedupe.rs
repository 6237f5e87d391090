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

/// What two records must share, exactly, to be the same person by [`same_person`]: the grid
/// as written, the normalised name and the birth date as written (trimmed). `None` for a record
/// without a known name or birth date, which is nobody's duplicate. Only the phone is left for
/// [`same_person`] to compare, so an index by this key finds exactly the matches a comparison
/// with every record would.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PersonKey {
    grid: Option<String>,
    name: String,
    birth: String,
}

/// The [`PersonKey`] of a resident's fields.
pub fn person_key<F: Fields + ?Sized>(f: &F) -> Option<PersonKey> {
    let birth = known(f.text(resident::field::BIRTH_DATE))?
        .trim()
        .to_owned();
    let r = Resident(f);
    Some(PersonKey {
        grid: known(r.grid_id()).map(str::to_owned),
        name: normalize_name(known(r.name())?),
        birth,
    })
}

/// Residents by [`PersonKey`], as positions in the caller's list, each bucket in ascending
/// order: finding a person's duplicate costs the few namesakes born the same day in the same
/// grid, not a comparison with every resident (a roster of thousands against thousands).
#[derive(Debug, Default, Clone)]
pub struct PersonIndex {
    buckets: std::collections::HashMap<PersonKey, Vec<usize>>,
}

impl PersonIndex {
    /// Files the record at `pos`; a record without a key is nobody's duplicate and is left out.
    pub fn insert<F: Fields + ?Sized>(&mut self, pos: usize, fields: &F) {
        if let Some(key) = person_key(fields) {
            let bucket = self.buckets.entry(key).or_default();
            if let Err(at) = bucket.binary_search(&pos) {
                bucket.insert(at, pos);
            }
        }
    }

    /// Takes the record at `pos`, filed under the key of `fields`, out.
    pub fn remove<F: Fields + ?Sized>(&mut self, pos: usize, fields: &F) {
        if let Some(bucket) = person_key(fields).and_then(|k| self.buckets.get_mut(&k)) {
            bucket.retain(|p| *p != pos);
        }
    }

    /// The first position (in the caller's order) whose record is the same person as
    /// `candidate`, reading records through `at`: what
    /// `records.iter().position(|r| same_person(candidate, r))` answers.
    pub fn first_same<'r, C, R>(&self, candidate: &C, at: impl Fn(usize) -> &'r R) -> Option<usize>
    where
        C: Fields + ?Sized,
        R: Fields + ?Sized + 'r,
    {
        let bucket = self.buckets.get(&person_key(candidate)?)?;
        bucket
            .iter()
            .copied()
            .find(|p| same_person(candidate, at(*p)))
    }
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

    mod indexed {
        use super::super::*;
        use proptest::prelude::*;
        use serde_json::{json, Value};
        use std::collections::BTreeMap;

        /// Few distinct values each, spelt several ways, so that matches, near misses and
        /// unknowns all occur.
        fn record() -> impl Strategy<Value = BTreeMap<String, Value>> {
            let pick = |opts: &'static [&'static str]| proptest::sample::select(opts.to_vec());
            (
                pick(&["", "g1", "g2", " "]),
                pick(&["", "王桂兰", "王 桂兰", "李四", "  ", "Ann.Lee", "Ann•Lee"]),
                pick(&["", "1948-03-02", " 1948-03-02", "1950-01-01"]),
                pick(&["", "13800000000", "138 0000-0000", "13900000000"]),
                any::<u8>(),
            )
                .prop_map(|(grid, name, birth, phone, absent)| {
                    let mut m = BTreeMap::new();
                    for (i, (f, v)) in [
                        ("grid_id", grid),
                        ("name", name),
                        ("birth_date", birth),
                        ("phone", phone),
                    ]
                    .into_iter()
                    .enumerate()
                    {
                        // Some fields absent, not only blank.
                        if absent & (1 << i) == 0 {
                            m.insert(f.to_owned(), json!(v));
                        }
                    }
                    m
                })
        }

        proptest! {
            #[test]
            fn the_index_finds_what_comparing_with_everyone_finds(
                stored in proptest::collection::vec(record(), 0..40),
                rows in proptest::collection::vec(record(), 0..40),
            ) {
                let mut people = stored.clone();
                let mut index = PersonIndex::default();
                for (i, p) in people.iter().enumerate() {
                    index.insert(i, p);
                }
                for row in rows {
                    let want = people.iter().position(|p| same_person(&row, p));
                    let got = index.first_same(&row, |i| &people[i]);
                    prop_assert_eq!(got, want);
                    match got {
                        // A merge fills what the person lacked; the index follows.
                        Some(i) => {
                            index.remove(i, &people[i]);
                            for (f, v) in row {
                                people[i].entry(f).or_insert(v);
                            }
                            index.insert(i, &people[i]);
                        }
                        None => {
                            index.insert(people.len(), &row);
                            people.push(row);
                        }
                    }
                }
            }
        }
    }
}
