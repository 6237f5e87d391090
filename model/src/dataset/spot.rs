//! Spot checks (抽查, issue 17): a random sample of a grid's recent visits by one worker that a
//! supervisor has not checked yet, the record of a check, and each worker's confirmation rate.

use std::collections::{BTreeMap, HashSet};

use serde_json::json;

use super::{Dataset, Row};
use crate::entities::need::FieldEdit;
use crate::entities::spot_check::{self, field};
use crate::fnv;
use crate::record::{Fields, SpotCheck, Visit};

/// How far back a sample reaches: a resident remembers last week's knock, not last month's.
pub const SAMPLE_DAYS: i64 = 7;

/// A stable stand-in for a random draw: the same seed draws the same sample (a reload shows the
/// same list), a new seed another.
fn draw_key(seed: u64, id: &str) -> u64 {
    fnv::fnv1a(fnv::OFFSET ^ seed, id.as_bytes())
}

/// The fields of a check of `visit` by `checker` at `at_ms`.
pub fn check<R: Fields + ?Sized>(
    visit: &R,
    visit_id: &str,
    method: &str,
    result: &str,
    said: &str,
    checker: &str,
    at_ms: i64,
) -> Vec<FieldEdit> {
    let v = Visit(visit);
    let mut fields = vec![
        (field::GRID_ID.to_owned(), json!(v.grid_id())),
        (field::VISIT_ID.to_owned(), json!(visit_id)),
        (field::METHOD.to_owned(), json!(method)),
        (field::RESULT.to_owned(), json!(result)),
        (field::CHECKED_AT.to_owned(), json!(at_ms)),
        (field::CHECKER_ID.to_owned(), json!(checker)),
    ];
    if let Some(r) = v.resident_id() {
        fields.push((field::RESIDENT_ID.to_owned(), json!(r)));
    }
    if let Some(w) = v.worker_id() {
        fields.push((field::WORKER_ID.to_owned(), json!(w)));
    }
    if !said.trim().is_empty() {
        fields.push((field::SAID.to_owned(), json!(said.trim())));
    }
    fields
}

/// A worker's checks: how many reached the resident, and of those how many confirmed the visit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Rate {
    pub reached: u32,
    pub confirmed: u32,
}

impl Rate {
    /// Percentage confirmed of the checks that reached someone; `None` before any.
    pub fn percent(self) -> Option<u32> {
        (self.reached > 0).then(|| (self.confirmed * 100 + self.reached / 2) / self.reached)
    }
}

/// Each checked worker's [`Rate`], from spot-check records: the latest check of each visit
/// counts once, for the worker who recorded the visit (`worker_of_visit`; the check's own
/// `worker_id` only when the visit is not known), and unreachable ones count for neither.
pub fn rates<'a, R: Fields + ?Sized + 'a>(
    checks: impl IntoIterator<Item = &'a R>,
    worker_of_visit: impl Fn(&str) -> Option<String>,
) -> BTreeMap<String, Rate> {
    let mut latest: BTreeMap<&'a str, SpotCheck<'a, R>> = BTreeMap::new();
    for c in checks.into_iter().map(SpotCheck) {
        let Some(visit) = c.visit_id() else { continue };
        if latest
            .get(visit)
            .is_none_or(|l| l.checked_at() <= c.checked_at())
        {
            latest.insert(visit, c);
        }
    }
    let mut out: BTreeMap<String, Rate> = BTreeMap::new();
    for (visit, c) in latest {
        let Some(w) = worker_of_visit(visit).or_else(|| c.worker_id().map(str::to_owned)) else {
            continue;
        };
        let rate = out.entry(w).or_default();
        match c.result() {
            Some(spot_check::CONFIRMED) => {
                rate.reached += 1;
                rate.confirmed += 1;
            }
            Some(spot_check::NOT_CONFIRMED) => rate.reached += 1,
            _ => {}
        }
    }
    out
}

impl<R: Row> Dataset<R> {
    /// Up to `n` visits of the last [`SAMPLE_DAYS`] days in `grid` by `worker` (any when `None`)
    /// that found the resident (not "not at home") and are not checked yet, drawn by `seed`;
    /// `now_ms` is when the sample is drawn.
    pub fn spot_sample(
        &self,
        grid: Option<&str>,
        worker: Option<&str>,
        n: usize,
        seed: u64,
        now_ms: i64,
    ) -> Vec<&R> {
        let checked: HashSet<&str> = self
            .spot_checks
            .iter()
            .filter_map(|c| SpotCheck(c).visit_id())
            .collect();
        let since = now_ms - SAMPLE_DAYS * 86_400_000;
        let mut pool: Vec<&R> = self
            .visits
            .values()
            .flatten()
            .filter(|v| {
                let x = Visit(*v);
                x.visited_at().is_some_and(|at| at >= since && at <= now_ms)
                    && x.method() != Some("not_home")
                    && grid.is_none_or(|g| x.grid_id() == Some(g))
                    && worker.is_none_or(|w| x.worker_id() == Some(w))
                    && !checked.contains(v.id())
            })
            .collect();
        pool.sort_by_key(|v| draw_key(seed, v.id()));
        pool.truncate(n);
        pool
    }

    /// Every check on the device, newest first.
    pub fn spot_checks_newest(&self) -> Vec<&R> {
        let mut out: Vec<&R> = self.spot_checks.iter().collect();
        out.sort_by_key(|c| std::cmp::Reverse(SpotCheck(*c).checked_at()));
        out
    }

    /// A visit by its id, wherever it is filed.
    pub fn visit(&self, id: &str) -> Option<&R> {
        self.visits.values().flatten().find(|v| v.id() == id)
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;
    use crate::entities::visit;

    #[test]
    fn a_sample_is_recent_unchecked_visits_of_the_worker_drawn_by_the_seed() {
        let mut f = Fixture::new();
        f.resident("a", &[]);
        f.resident("b", &[]);
        let by = |w: &str| {
            vec![
                (visit::field::WORKER_ID, json!(w)),
                (visit::field::GRID_ID, json!("g1")),
            ]
        };
        for days in 0..6 {
            f.visit("a", days, &by("w1"));
        }
        f.visit("b", 1, &by("w2"));
        f.visit("b", 9, &by("w1"));
        let mut not_home = by("w1");
        not_home.push((visit::field::METHOD, json!("not_home")));
        f.visit("b", 2, &not_home);
        let now = f.ms(0) + 3_600_000;
        let d = f.build();
        let sample = d.spot_sample(Some("g1"), Some("w1"), 4, 7, now);
        assert_eq!(sample.len(), 4, "six recent visits by w1, four drawn");
        assert!(sample.iter().all(|v| Visit(*v).worker_id() == Some("w1")));
        assert_eq!(
            d.spot_sample(Some("g1"), Some("w1"), 10, 7, now).len(),
            6,
            "not the one 9 days ago, nor not at home"
        );
        let ids = |s: Vec<&Rec>| s.iter().map(|v| v.id().to_owned()).collect::<Vec<_>>();
        assert_eq!(
            ids(d.spot_sample(Some("g1"), Some("w1"), 4, 7, now)),
            ids(sample.clone())
        );
        assert_ne!(
            ids(d.spot_sample(Some("g1"), Some("w1"), 6, 7, now)),
            ids(d.spot_sample(Some("g1"), Some("w1"), 6, 8, now)),
            "another seed, another order"
        );

        // Checked visits leave the pool; rates count the checks that reached the resident.
        let first = sample[0];
        let edits = check(
            first,
            first.id(),
            "phone",
            spot_check::CONFIRMED,
            " 来过，量了体温 ",
            "s1",
            now,
        );
        assert!(edits.contains(&(field::SAID.to_owned(), json!("来过，量了体温"))));
        assert!(edits.contains(&(field::WORKER_ID.to_owned(), json!("w1"))));

        crate::validate::assert_valid_edits(spot_check::NAME, &edits);
        f.add_edits(spot_check::NAME, "c1", &edits);
        let other = |i: usize| sample[i].id().to_owned();
        for (id, visit, result, at) in [
            ("c2", other(1), spot_check::UNREACHABLE, now),
            ("c3", other(2), spot_check::CONFIRMED, now - 10),
            // A later check of the same visit replaces the earlier one.
            ("c4", other(2), spot_check::NOT_CONFIRMED, now),
            // A check that names another worker still counts for whoever made the visit.
            ("c5", other(3), spot_check::CONFIRMED, now),
        ] {
            f.add(
                spot_check::NAME,
                id,
                &[
                    (field::VISIT_ID, json!(visit)),
                    (field::WORKER_ID, json!("w9")),
                    (field::RESULT, json!(result)),
                    (field::CHECKED_AT, json!(at)),
                ],
            );
        }
        let d2 = f.build();
        assert_eq!(d2.spot_sample(Some("g1"), Some("w1"), 10, 7, now).len(), 2);
        let worker_of = |v: &str| {
            d2.visit(v)
                .and_then(|x| Visit(x).worker_id())
                .map(str::to_owned)
        };
        let r = rates(d2.spot_checks.iter(), worker_of);
        assert_eq!(
            r["w1"],
            Rate {
                reached: 3,
                confirmed: 2
            }
        );
        assert_eq!(r["w1"].percent(), Some(67));
        assert!(!r.contains_key("w9"));
        assert_eq!(Rate::default().percent(), None);
        assert!(d2.visit(first.id()).is_some());
    }
}
