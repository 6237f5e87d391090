//! The vaccination mobilisation list of a grid (应接尽接, issue 16): every eligible resident with
//! why (`crate::vaccination`), highest risk and oldest first, their attempts so far, and the
//! nearest vaccination point or mobile vaccination vehicle.

use std::collections::HashMap;

use super::{Dataset, Resident, Row};
use crate::record::{Facility, Household, Mobilisation};
use crate::vaccination::{gap, Gap, Policy};

/// Kinds of facility where a resident can be vaccinated (members of `facility::KINDS`).
pub const VACCINATES: &[&str] = &["vaccination_point", "mobile_vaccination"];

/// One resident of the list.
#[derive(Debug)]
pub struct Eligible<'a, R> {
    pub resident: &'a Resident<R>,
    pub gap: Gap,
    /// The latest attempt, if any.
    pub last: Option<&'a R>,
}

impl<R: Row> Dataset<R> {
    /// The eligible residents of `grid` (every grid when `None`) who are still looked after:
    /// red first, then yellow, then green, the oldest first within a tier, then by name.
    pub fn mobilisation_list(&self, grid: Option<&str>, policy: Policy) -> Vec<Eligible<'_, R>> {
        let latest = self.latest_mobilisations();
        let mut out: Vec<Eligible<'_, R>> = self
            .active()
            .filter(|r| grid.is_none_or(|g| r.view().grid_id() == Some(g)))
            .filter_map(|r| {
                Some(Eligible {
                    gap: gap(&r.record, self.today, policy)?,
                    last: latest.get(r.id()).copied(),
                    resident: r,
                })
            })
            .collect();
        out.sort_by(|a, b| {
            let key = |e: &Eligible<'_, R>| {
                (
                    e.resident.tier(),
                    std::cmp::Reverse(e.resident.assessment.age),
                )
            };
            key(a)
                .cmp(&key(b))
                .then_with(|| a.resident.name().cmp(b.resident.name()))
        });
        out
    }

    /// One resident's entry of [`Dataset::mobilisation_list`], the same as the list has it, for a
    /// list that draws only the rows on the screen; `None` when the resident is not eligible.
    pub fn eligible(&self, resident: &str, policy: Policy) -> Option<Eligible<'_, R>> {
        let r = self.resident(resident)?;
        let last = self
            .mobilisations
            .iter()
            .filter(|m| Mobilisation(*m).resident_id() == Some(resident))
            .fold(None, |latest, m| match supersedes(m, latest) {
                true => Some(m),
                false => latest,
            });
        Some(Eligible {
            gap: gap(&r.record, self.today, policy)?,
            last,
            resident: r,
        })
    }

    /// Each resident's latest mobilisation attempt, in one pass over the attempts (of equal
    /// times, the first stored).
    fn latest_mobilisations(&self) -> HashMap<&str, &R> {
        let mut latest: HashMap<&str, &R> = HashMap::new();
        for m in &self.mobilisations {
            let Some(r) = Mobilisation(m).resident_id() else {
                continue;
            };
            if supersedes(m, latest.get(r).copied()) {
                latest.insert(r, m);
            }
        }
        latest
    }

    /// The vaccination point or vehicle nearest `household`'s position; when the household or
    /// every point lacks a position, the first by name. `None` when the directory has none.
    pub fn nearest_vaccination(&self, household: Option<&str>) -> Option<&R> {
        let here = household
            .and_then(|h| self.households.get(h))
            .map(Household)
            .and_then(|h| Some((h.lat()?, h.lng()?)));
        let places = self
            .facilities
            .iter()
            .filter(|f| Facility(*f).kind().is_some_and(|k| VACCINATES.contains(&k)));
        let places: Vec<&R> = places.collect();
        let by_name = || {
            places
                .iter()
                .copied()
                .min_by_key(|f| Facility(*f).name().unwrap_or_default())
        };
        let nearest = here.and_then(|(lat, lng)| {
            places
                .iter()
                .filter_map(|f| {
                    let p = Facility(*f);
                    Some((distance_m(lat, lng, p.lat()?, p.lng()?), *f))
                })
                .min_by(|a, b| a.0.total_cmp(&b.0))
                .map(|(_, f)| f)
        });
        // Without a position on either side, the first by name rather than none.
        nearest.or_else(by_name)
    }
}

/// Whether attempt `m` is a resident's latest rather than `held`, the latest stored before it:
/// of equal times, the first stored stays.
fn supersedes<R: Row>(m: &R, held: Option<&R>) -> bool {
    held.is_none_or(|l| Mobilisation(l).at() < Mobilisation(m).at())
}

/// Metres between two points, by the equirectangular approximation: exact enough within a city.
pub fn distance_m(lat1: f64, lng1: f64, lat2: f64, lng2: f64) -> f64 {
    const EARTH_M: f64 = 6_371_000.0;
    let x = (lng2 - lng1).to_radians() * ((lat1 + lat2) / 2.0).to_radians().cos();
    let y = (lat2 - lat1).to_radians();
    (x * x + y * y).sqrt() * EARTH_M
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;
    use crate::entities::{facility, household, mobilisation, resident};
    use serde_json::json;

    #[test]
    fn the_list_is_highest_risk_then_oldest_first_with_the_latest_attempt_and_nearest_point() {
        let mut f = Fixture::new();
        f.household(
            "h1",
            &[
                (household::field::LAT, json!(39.910)),
                (household::field::LNG, json!(116.410)),
            ],
        );
        let born = |s: &str| (resident::field::BIRTH_DATE, json!(s));
        let home = (resident::field::HOUSEHOLD_ID, json!("h1"));
        f.resident("old_red", &[born("1938-01-01"), home.clone()]);
        f.resident(
            "older_green",
            &[
                born("1930-01-01"),
                (resident::field::VACC_DOSES, json!(1)),
                (resident::field::VACC_CONTRAINDICATION, json!(false)),
            ],
        );
        f.resident(
            "young",
            &[born("1990-01-01"), (resident::field::VACC_DOSES, json!(1))],
        );
        f.resident(
            "done",
            &[
                born("1990-01-01"),
                (resident::field::VACC_DOSES, json!(3)),
                (
                    resident::field::VACC_LAST_DATE,
                    json!(f.day(10).to_string()),
                ),
            ],
        );
        f.resident("baby", &[born(&f.day(400).to_string())]);
        f.add(
            mobilisation::NAME,
            "m1",
            &[
                (mobilisation::field::RESIDENT_ID, json!("young")),
                (mobilisation::field::OUTCOME, json!(mobilisation::REFUSED)),
                (mobilisation::field::AT, json!(f.ms(3))),
            ],
        );
        f.add(
            mobilisation::NAME,
            "m2",
            &[
                (mobilisation::field::RESIDENT_ID, json!("young")),
                (mobilisation::field::OUTCOME, json!(mobilisation::AGREED)),
                (mobilisation::field::AT, json!(f.ms(1))),
            ],
        );
        let place = |name: &str, kind: &str, lat: f64| {
            vec![
                (facility::field::NAME, json!(name)),
                (facility::field::KIND, json!(kind)),
                (facility::field::LAT, json!(lat)),
                (facility::field::LNG, json!(116.410)),
            ]
        };
        f.add(
            facility::NAME,
            "far",
            &place("远接种点", "vaccination_point", 39.950),
        );
        f.add(
            facility::NAME,
            "near",
            &place("流动接种车", "mobile_vaccination", 39.912),
        );
        f.add(
            facility::NAME,
            "pharmacy",
            &place("药店", "pharmacy", 39.910),
        );
        let d = f.build();
        let list = d.mobilisation_list(Some("g1"), Policy::DEFAULT);
        let ids: Vec<&str> = list.iter().map(|e| e.resident.id()).collect();
        // old_red is red (80+, unvaccinated: doses unknown raise nothing, age does); older_green
        // is red too (over 80) and older, so first.
        assert_eq!(ids, ["older_green", "old_red", "young"]);
        assert_eq!(list[2].gap, Gap::Doses(Some(1)));
        let last = list[2].last.map(|m| Mobilisation(m).outcome().unwrap());
        assert_eq!(last, Some(mobilisation::AGREED), "the newest attempt");
        let near = d.nearest_vaccination(Some("h1")).map(|f| f.id().to_owned());
        assert_eq!(
            near.as_deref(),
            Some("near"),
            "not the pharmacy, not the far point"
        );
        // One resident's entry, as a list drawing only the rows on the screen asks for it, is the
        // list's; the fully vaccinated and the baby have none.
        for e in &list {
            let one = d.eligible(e.resident.id(), Policy::DEFAULT).unwrap();
            assert_eq!(one.gap, e.gap, "{}", e.resident.id());
            assert_eq!(one.last.map(|m| m.id()), e.last.map(|m| m.id()));
        }
        assert!(d.eligible("done", Policy::DEFAULT).is_none());
        assert!(d.eligible("baby", Policy::DEFAULT).is_none());
        let any = d.nearest_vaccination(None).map(|f| f.id().to_owned());
        assert_eq!(
            any.as_deref(),
            Some("near"),
            "by name without a position: 流 before 远"
        );
        assert!((distance_m(39.910, 116.410, 39.912, 116.410) - 222.4).abs() < 1.0);
        assert!(VACCINATES.iter().all(|k| facility::KINDS.contains(k)));
    }
}
