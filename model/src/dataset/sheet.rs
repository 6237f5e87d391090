//! The paper visit list (走访登记表): a grid's households building by building in walking order,
//! each door with the people looked after there, for a worker to fill in by hand when the phone
//! cannot be used, and to type in later.

use super::doors::{door_place, DoorPlace};
use super::search::natural_key;
use super::{Dataset, Resident, Row};
use crate::lifecycle;
use crate::record::Household;

/// One door of the list and who lives behind it (none when nobody is recorded: the door is
/// still knocked on, and the names are written in by hand).
#[derive(Debug)]
pub struct SheetDoor<'a, R> {
    pub household: &'a R,
    pub place: DoorPlace,
    /// The active residents, red first, then by name.
    pub residents: Vec<&'a Resident<R>>,
}

/// A building (or village group) of the list, its doors in walking order.
#[derive(Debug)]
pub struct SheetBuilding<'a, R> {
    pub name: String,
    pub doors: Vec<SheetDoor<'a, R>>,
}

impl<'a, R> SheetBuilding<'a, R> {
    /// How many residents are listed in it.
    pub fn residents(&self) -> usize {
        self.doors.iter().map(|d| d.residents.len()).sum()
    }
}

impl<R: Row> Dataset<R> {
    /// The households still looked after in `grid` (any grid when `None`), each with its place.
    fn sheet_households(&self, grid: Option<&str>) -> Vec<(&R, DoorPlace)> {
        let mut out: Vec<(&R, DoorPlace)> = self
            .households
            .values()
            .filter(|h| lifecycle::of_household(*h).is_none())
            .filter(|h| grid.is_none_or(|g| Household(*h).grid_id() == Some(g)))
            .map(|h| (h, door_place(h)))
            .collect();
        out.sort_by_cached_key(|(_, p)| (natural_key(&p.building), natural_key(&p.door)));
        out
    }

    /// The buildings of `grid`, in walking order: what the list can be narrowed to.
    pub fn sheet_buildings(&self, grid: Option<&str>) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for (_, p) in self.sheet_households(grid) {
            if names.last() != Some(&p.building) {
                names.push(p.building);
            }
        }
        names
    }

    /// The visit list of `grid` (every grid when `None`), of one building when `building` is
    /// given, building by building.
    pub fn visit_sheet(
        &self,
        grid: Option<&str>,
        building: Option<&str>,
    ) -> Vec<SheetBuilding<'_, R>> {
        let mut out: Vec<SheetBuilding<'_, R>> = Vec::new();
        for (h, place) in self.sheet_households(grid) {
            if building.is_some_and(|b| b != place.building) {
                continue;
            }
            let mut residents: Vec<&Resident<R>> =
                self.members_of(h.id()).filter(|r| r.is_active()).collect();
            residents.sort_by(|a, b| (a.tier(), a.name()).cmp(&(b.tier(), b.name())));
            if out.last().is_none_or(|b| b.name != place.building) {
                out.push(SheetBuilding {
                    name: place.building.clone(),
                    doors: Vec::new(),
                });
            }
            out.last_mut().expect("pushed above").doors.push(SheetDoor {
                household: h,
                place,
                residents,
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use crate::entities::{household, resident};
    use serde_json::json;

    #[test]
    fn the_list_goes_building_by_building_in_walking_order_with_who_is_looked_after() {
        let mut f = Fixture::new();
        let at = |grid: &str, building: &str, room: &str| {
            vec![
                (household::field::GRID_ID, json!(grid)),
                (household::field::BUILDING, json!(building)),
                (household::field::ROOM, json!(room)),
            ]
        };
        f.household("h10", &at("g1", "10 号楼", "101"));
        f.household("h2b", &at("g1", "2 号楼", "302"));
        f.household("h2a", &at("g1", "2 号楼", "101"));
        f.household("empty", &at("g1", "2 号楼", "201"));
        f.household("other", &at("g2", "1 号楼", "101"));
        f.household(
            "gone",
            &[
                (household::field::GRID_ID, json!("g1")),
                (household::field::BUILDING, json!("3 号楼")),
                (household::field::STATUS, json!(household::MOVED_AWAY)),
            ],
        );
        let member = |h: &str, name: &str| {
            vec![
                (resident::field::HOUSEHOLD_ID, json!(h)),
                (resident::field::NAME, json!(name)),
            ]
        };
        f.resident("young", &member("h2a", "乙"));
        let mut old = member("h2a", "甲");
        old.push((resident::field::BIRTH_DATE, json!("1940-01-01")));
        f.resident("old", &old);
        let mut away = member("h2a", "丙");
        away.push((resident::field::STATUS, json!(resident::DECEASED)));
        f.resident("away", &away);
        f.resident("ten", &member("h10", "丁"));
        let d = f.build();

        assert_eq!(d.sheet_buildings(Some("g1")), ["2 号楼", "10 号楼"]);
        let sheet = d.visit_sheet(Some("g1"), None);
        let names: Vec<&str> = sheet.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(
            names,
            ["2 号楼", "10 号楼"],
            "numbers as numbers; the moved-away household is off"
        );
        let doors: Vec<&str> = sheet[0]
            .doors
            .iter()
            .map(|x| x.place.door.as_str())
            .collect();
        assert_eq!(
            doors,
            ["101", "201", "302"],
            "an empty household is still a door"
        );
        let people: Vec<&str> = sheet[0].doors[0]
            .residents
            .iter()
            .map(|r| r.name())
            .collect();
        assert_eq!(people, ["甲", "乙"], "red first; the deceased is off");
        assert_eq!(sheet[0].residents(), 2);

        let one = d.visit_sheet(Some("g1"), Some("10 号楼"));
        assert_eq!(one.len(), 1);
        assert_eq!(one[0].doors[0].residents[0].id(), "ten");
        assert_eq!(d.visit_sheet(None, None).len(), 3, "every grid");
    }
}
