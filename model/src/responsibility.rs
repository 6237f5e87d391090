//! A person for every door (issue 16, 责任到人、联系到户): the household each record hangs off,
//! who answers for a household, and the dashboard's figures per responsible person. The server's
//! building-leader scope and the app's lists both ask here, so they cannot disagree about which
//! records are a leader's.

use std::collections::BTreeMap;

use crate::dashboard::Records;
use crate::entities::{
    education, household, mobilisation, need, pack_delivery, resident, spot_check, user_profile,
    visit,
};
use crate::record::{Fields, Household, UserProfile, Values};

/// How a record reaches the household it belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// The record is the household.
    Itself,
    /// Through its field naming the household.
    Household(&'static str),
    /// Through its field naming a resident, and that resident's household.
    Resident(&'static str),
}

/// The ways a record of `entity` reaches its household, tried in order (a visit names both its
/// household and its resident; the household decides when it is set). Empty for entities that
/// belong to no one door: a grid's gatherings and reports, and what is not grid-scoped.
pub fn links(entity: &str) -> &'static [Link] {
    match entity {
        household::NAME => &[Link::Itself],
        resident::NAME => &[Link::Household(resident::field::HOUSEHOLD_ID)],
        visit::NAME => &[
            Link::Household(visit::field::HOUSEHOLD_ID),
            Link::Resident(visit::field::RESIDENT_ID),
        ],
        education::NAME => &[
            Link::Household(education::field::HOUSEHOLD_ID),
            Link::Resident(education::field::RESIDENT_ID),
        ],
        mobilisation::NAME => &[
            Link::Household(mobilisation::field::HOUSEHOLD_ID),
            Link::Resident(mobilisation::field::RESIDENT_ID),
        ],
        pack_delivery::NAME => &[
            Link::Household(pack_delivery::field::HOUSEHOLD_ID),
            Link::Resident(pack_delivery::field::RESIDENT_ID),
        ],
        need::NAME => &[Link::Resident(need::field::RESIDENT_ID)],
        spot_check::NAME => &[Link::Resident(spot_check::field::RESIDENT_ID)],
        _ => &[],
    }
}

/// Whether records of `entity` belong to one door ([`links`] is not empty).
pub fn door_bound(entity: &str) -> bool {
    !links(entity).is_empty()
}

/// The household a record belongs to: `id` itself for a household, else through the first of
/// its [`links`] that is set, `resident_household` naming a resident's household.
pub fn household_of<'a, R: Fields + ?Sized>(
    entity: &str,
    id: &'a str,
    record: &'a R,
    resident_household: impl Fn(&str) -> Option<&'a str>,
) -> Option<&'a str> {
    links(entity).iter().find_map(|link| match *link {
        Link::Itself => Some(id),
        Link::Household(f) => record.text(f),
        Link::Resident(f) => record.text(f).and_then(&resident_household),
    })
}

/// One person's records of the doors they answer for: the records that belong to a door
/// ([`door_bound`]), by entity and then id, read where they are rather than copied.
pub type Part<'a> = BTreeMap<&'a str, BTreeMap<&'a str, &'a Values>>;

/// The records of the chosen figures split by who answers for their door: one [`Part`] per
/// responsible person's user id, and one under `None` for the doors nobody answers for. Records
/// that belong to no door (grids, profiles, stock, gatherings) are in no part: each part's
/// figures read them from the whole, so each part computes like the whole.
pub fn partition(records: &Records) -> BTreeMap<Option<String>, Part<'_>> {
    let households = records.get(household::NAME);
    let responsible = |h: &str| -> Option<String> {
        households
            .and_then(|hs| hs.get(h))
            .and_then(|r| Household(r).responsible_id())
            .map(str::to_owned)
    };
    let residents = records.get(resident::NAME);
    let resident_household = |r: &str| -> Option<&str> {
        residents
            .and_then(|rs| rs.get(r))
            .and_then(|r| r.text(resident::field::HOUSEHOLD_ID))
    };
    let mut people: BTreeMap<Option<String>, Part<'_>> = BTreeMap::new();
    for id in households.into_iter().flat_map(|h| h.keys()) {
        people.entry(responsible(id)).or_default();
    }
    for (entity, recs) in records.iter().filter(|(e, _)| door_bound(e)) {
        for (id, rec) in recs {
            let door = household_of(entity, id, rec, resident_household);
            let Some(part) = door.and_then(|h| people.get_mut(&responsible(h))) else {
                continue;
            };
            part.entry(entity.as_str())
                .or_default()
                .insert(id.as_str(), rec);
        }
    }
    people
}

/// Whether a user, by their profile's role and grids, may answer for a door of `grid`: a grid
/// worker or building leader who works in that grid.
pub fn may_answer<R: Fields + ?Sized>(profile: &R, grid: &str) -> bool {
    let p = UserProfile(profile);
    let role = p.role().and_then(crate::Role::parse);
    matches!(
        role,
        Some(crate::Role::GridWorker | crate::Role::BuildingLeader)
    ) && p
        .grids()
        .is_some_and(|gs| user_profile::grids_of(gs).any(|g| g == grid))
}

/// Why a household may not be given to a user, in the contract's words.
pub const NOT_AN_ANSWERER: &str = "责任人须是本网格的网格员或楼门栋长/组长 (the responsible person must be a grid worker or building leader of the household's grid)";

/// The display name of a user, from their profile record, else the id itself.
pub fn person_name(records: &Records, user_id: &str) -> String {
    records
        .get(user_profile::NAME)
        .and_then(|p| p.get(user_id))
        .and_then(|p| UserProfile(p).name())
        .unwrap_or(user_id)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema;
    use serde_json::json;

    fn rec(pairs: &[(&str, serde_json::Value)]) -> Values {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    }

    #[test]
    fn every_door_bound_entity_is_grid_scoped_and_every_link_names_a_reference() {
        for e in schema::entities() {
            for link in links(e.name) {
                assert!(e.grid_scoped, "{}", e.name);
                let (field, target) = match *link {
                    Link::Itself => continue,
                    Link::Household(f) => (f, household::NAME),
                    Link::Resident(f) => (f, resident::NAME),
                };
                let def = e.field(field).expect(field);
                assert_eq!(
                    def.ty,
                    schema::FieldType::Reference(target),
                    "{}.{field}",
                    e.name
                );
            }
        }
        // Every grid-scoped entity that names a household or resident belongs to one door.
        for e in schema::entities().iter().filter(|e| e.grid_scoped) {
            let names_a_door = e.fields.iter().any(|f| {
                matches!(
                    f.ty,
                    schema::FieldType::Reference(household::NAME)
                        | schema::FieldType::Reference(resident::NAME)
                )
            });
            assert_eq!(
                names_a_door || e.name == household::NAME,
                door_bound(e.name)
            );
        }
    }

    #[test]
    fn only_a_worker_or_leader_of_the_grid_may_answer_for_its_doors() {
        let profile = |role: &str, grids: &str| {
            rec(&[
                (user_profile::field::ROLE, json!(role)),
                (user_profile::field::GRIDS, json!(grids)),
            ])
        };
        assert!(may_answer(&profile("building_leader", "g1,g2"), "g2"));
        assert!(may_answer(&profile("grid_worker", "g1"), "g1"));
        assert!(!may_answer(&profile("grid_worker", "g1"), "g2"));
        assert!(!may_answer(&profile("supervisor", "g1"), "g1"));
        assert!(!may_answer(&profile("volunteer", ""), "g1"));
        assert!(!may_answer(&rec(&[]), "g1"));
    }

    #[test]
    fn records_are_split_by_who_answers_for_their_door() {
        let mut records = Records::new();
        let mut put = |entity: &str, id: &str, r: Values| {
            records
                .entry(entity.to_owned())
                .or_default()
                .insert(id.to_owned(), r);
        };
        put(
            household::NAME,
            "h1",
            rec(&[(household::field::RESPONSIBLE_ID, json!("u-lead"))]),
        );
        put(household::NAME, "h2", rec(&[]));
        put(
            resident::NAME,
            "r1",
            rec(&[(resident::field::HOUSEHOLD_ID, json!("h1"))]),
        );
        put(
            resident::NAME,
            "r2",
            rec(&[(resident::field::HOUSEHOLD_ID, json!("h2"))]),
        );
        // A need reaches its door through its resident.
        put(
            need::NAME,
            "n1",
            rec(&[(need::field::RESIDENT_ID, json!("r1"))]),
        );
        put("grid", "g1", rec(&[("name", json!("一网格"))]));
        put(
            user_profile::NAME,
            "u-lead",
            rec(&[(user_profile::field::NAME, json!("孙楼长"))]),
        );
        let parts = partition(&records);
        assert_eq!(parts.len(), 2);
        let lead = &parts[&Some("u-lead".to_owned())];
        assert!(lead[household::NAME].contains_key("h1"));
        assert!(!lead[household::NAME].contains_key("h2"));
        assert_eq!(lead[resident::NAME].len(), 1);
        assert!(lead[need::NAME].contains_key("n1"));
        // What belongs to no door is every part's, read from the whole.
        assert!(!lead.contains_key("grid"));
        let nobody = &parts[&None];
        assert!(nobody[resident::NAME].contains_key("r2"));
        assert!(!nobody.contains_key(need::NAME));
        assert_eq!(person_name(&records, "u-lead"), "孙楼长");
        assert_eq!(person_name(&records, "u-x"), "u-x");
    }
}
