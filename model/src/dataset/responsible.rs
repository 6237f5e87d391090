//! A person for every door on the device (issue 16): who answers for a household, who may be
//! given one, and the households nobody answers for, which a supervisor hands out.

use super::{Dataset, Row};
use crate::lifecycle;
use crate::record::Household;

impl<R: Row> Dataset<R> {
    /// The name of whoever answers for the household, if anyone; their id when their profile
    /// is not on this device.
    pub fn responsible_of(&self, household: &str) -> Option<&str> {
        let who = Household(self.households.get(household)?).responsible_id()?;
        Some(self.people.get(who).map(String::as_str).unwrap_or(who))
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
    use crate::Role;
    use serde_json::json;

    #[test]
    fn a_door_shows_who_answers_for_it_and_the_unanswered_are_listed() {
        let mut f = Fixture::new();
        f.person("u-lead", "孙丽", Role::BuildingLeader);
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
        assert!(d.answerers.iter().any(|(id, _)| id == "u-lead"));
        assert!(d.staff.iter().any(|(id, _)| id == "u-lead"));
    }
}
