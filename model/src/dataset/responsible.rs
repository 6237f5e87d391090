//! A person for every door on the device (issue 16): who answers for a household, who may be
//! given one, and the households nobody answers for, which a supervisor hands out.

use std::collections::HashMap;

use super::{Dataset, Row};
use crate::record::{Household, UserProfile};
use crate::{lifecycle, responsibility};

/// For each of `grids`, the (id, name) of the live profiles that may answer for its doors, by
/// name.
pub(super) fn answerers<'a, R: Row>(
    people: &[R],
    grids: impl Iterator<Item = &'a str>,
) -> HashMap<String, Vec<(String, String)>> {
    grids
        .map(|g| {
            let mut who: Vec<(String, String)> = people
                .iter()
                .filter(|p| !p.is_deleted() && responsibility::may_answer(*p, g))
                .filter_map(|p| Some((p.id().to_owned(), UserProfile(p).name()?.to_owned())))
                .collect();
            who.sort_by(|a, b| a.1.cmp(&b.1));
            (g.to_owned(), who)
        })
        .collect()
}

impl<R: Row> Dataset<R> {
    /// The name of whoever answers for the household, if anyone; their id when their profile
    /// is not on this device.
    pub fn responsible_of(&self, household: &str) -> Option<&str> {
        let who = Household(self.households.get(household)?).responsible_id()?;
        Some(self.people.get(who).map(String::as_str).unwrap_or(who))
    }

    /// Who may be given a door of `grid` ([`responsibility::may_answer`]): (id, name), by name.
    pub fn answerers_of(&self, grid: &str) -> &[(String, String)] {
        self.answerers
            .get(grid)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }

    /// The households still looked after that nobody answers for, in walking order.
    pub fn unassigned(&self) -> Vec<&R> {
        self.household_index
            .iter()
            .filter_map(|e| self.households.get(&e.id))
            .filter(|h| Household(*h).responsible_id().is_none())
            .filter(|h| lifecycle::of_household(*h).is_none())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::dataset::fixture::Fixture;
    use crate::entities::household::{self, field};
    use crate::entities::user_profile;
    use crate::Role;
    use serde_json::json;

    #[test]
    fn a_door_shows_who_answers_for_it_and_the_unanswered_are_listed() {
        let mut f = Fixture::new();
        f.add(
            user_profile::NAME,
            "u-lead",
            &[
                (user_profile::field::NAME, json!("孙丽")),
                (
                    user_profile::field::ROLE,
                    json!(Role::BuildingLeader.as_str()),
                ),
                (user_profile::field::GRIDS, json!("g1")),
            ],
        );
        f.person("u-other", "周刚", Role::BuildingLeader);
        f.grid("g1", "一网格");
        f.add(
            household::NAME,
            "h1",
            &[
                (field::ADDRESS, json!("1 号楼 101")),
                (field::RESPONSIBLE_ID, json!("u-lead")),
            ],
        );
        f.add(
            household::NAME,
            "h2",
            &[(field::ADDRESS, json!("1 号楼 102"))],
        );
        f.add(
            household::NAME,
            "h3",
            &[
                (field::ADDRESS, json!("1 号楼 103")),
                (field::STATUS, json!(household::MOVED_AWAY)),
            ],
        );
        let d = f.build();
        assert_eq!(d.responsible_of("h1"), Some("孙丽"));
        assert_eq!(d.responsible_of("h2"), None);
        let open: Vec<&str> = d.unassigned().iter().map(|h| h.id.as_str()).collect();
        assert_eq!(open, ["h2"]);
        let names: Vec<&str> = d
            .answerers_of("g1")
            .iter()
            .map(|(_, n)| n.as_str())
            .collect();
        assert_eq!(names, ["孙丽"], "周刚 works in no grid of theirs");
        assert!(d.staff.iter().any(|(id, _)| id == "u-lead"));
    }
}
