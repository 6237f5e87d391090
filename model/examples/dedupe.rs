//! `cargo xtask bench dedupe` (or `cargo run --release -p model --example dedupe`): how long
//! finding each roster row's duplicate takes among a community's residents, by comparing with
//! every resident (what the roster import did) and through `model::dedupe::PersonIndex` (what it
//! does), on the same made-up data, and that both find the same people.

use std::collections::BTreeMap;
use std::time::Instant;

use model::dedupe::{same_person, PersonIndex};
use serde_json::{json, Value};

type Person = BTreeMap<String, Value>;

/// A small deterministic generator (no dependency for a benchmark's data).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// Names from a pool small enough for namesakes, births over 40 years, a phone on most.
fn person(rng: &mut Lcg) -> Person {
    const FAMILY: &[&str] = &["王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴"];
    const GIVEN: &[&str] = &[
        "桂兰", "秀英", "建国", "玉珍", "国强", "淑芬", "志明", "海燕",
    ];
    let mut p = Person::new();
    p.insert("grid_id".into(), json!(format!("g{}", rng.next(20))));
    let name = format!(
        "{}{}{}",
        FAMILY[rng.next(FAMILY.len() as u64) as usize],
        GIVEN[rng.next(GIVEN.len() as u64) as usize],
        ["", "芳", "华"][rng.next(3) as usize]
    );
    p.insert("name".into(), json!(name));
    p.insert(
        "birth_date".into(),
        json!(format!(
            "19{:02}-{:02}-{:02}",
            30 + rng.next(40),
            1 + rng.next(12),
            1 + rng.next(28)
        )),
    );
    if rng.next(4) != 0 {
        p.insert(
            "phone".into(),
            json!(format!("138{:08}", rng.next(100_000_000))),
        );
    }
    p
}

fn main() {
    let residents: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    let rows: usize = std::env::args()
        .nth(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(2_000);
    let mut rng = Lcg(20_261_202);
    let people: Vec<Person> = (0..residents).map(|_| person(&mut rng)).collect();
    // Half the rows copy a resident (a name spelt with a space), half are new.
    let file: Vec<Person> = (0..rows)
        .map(|i| {
            if i % 2 == 0 {
                let mut p = people[rng.next(residents as u64) as usize].clone();
                let spaced = p["name"].as_str().unwrap_or_default().replacen("", " ", 2);
                p.insert("name".into(), json!(spaced.trim_start()));
                p
            } else {
                person(&mut rng)
            }
        })
        .collect();

    let started = Instant::now();
    let linear: Vec<Option<usize>> = file
        .iter()
        .map(|row| people.iter().position(|p| same_person(row, p)))
        .collect();
    let linear_time = started.elapsed();

    let started = Instant::now();
    let mut index = PersonIndex::default();
    for (i, p) in people.iter().enumerate() {
        index.insert(i, p);
    }
    let built = started.elapsed();
    let indexed: Vec<Option<usize>> = file
        .iter()
        .map(|row| index.first_same(row, |i| &people[i]))
        .collect();
    let indexed_time = started.elapsed();

    assert_eq!(linear, indexed, "the index finds what the comparison finds");
    let found = indexed.iter().filter(|m| m.is_some()).count();
    println!("dedupe: {rows} rows against {residents} residents, {found} duplicates found");
    println!(
        "  compare with everyone: {:>10.1} ms",
        linear_time.as_secs_f64() * 1e3
    );
    println!(
        "  PersonIndex:           {:>10.1} ms (of which building it {:.1} ms)",
        indexed_time.as_secs_f64() * 1e3,
        built.as_secs_f64() * 1e3
    );
    println!(
        "  speed-up:              {:>10.0}x",
        linear_time.as_secs_f64() / indexed_time.as_secs_f64().max(1e-9)
    );
}
