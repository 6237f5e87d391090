//! The volunteer's round of doors: where each door is (the building a heading groups it under,
//! then the unit and room), the doors grouped by building in walking order with what is done
//! and left, the staff's filters, and taking a status back: undone the same day, a door not at
//! home tried again, and the stock moves a delivered pack drew withdrawn with it.

use std::collections::HashSet;

use serde_json::json;

use super::{natural_key, Dataset, Row};
use crate::date::Date;
use crate::entities::need::FieldEdit;
use crate::entities::pack_delivery::{DELIVERED, NOT_HOME, PENDING, REFUSED};
use crate::entities::{household, stock_move};
use crate::record::{Fields, PackDelivery, StockMove};
use crate::schema::DELETED;

/// Where a door is, as a volunteer looks for it on the stairs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DoorPlace {
    /// What the doors are grouped under: the building ("3 号楼"), else the village and its group
    /// ("桃源村 2 组"), else the address line.
    pub building: String,
    /// The door inside it: unit and room ("1 单元 501"), else the address line when the heading
    /// is a village group, else nothing.
    pub door: String,
}

impl DoorPlace {
    /// The whole place on one line, building first: "3 号楼 1 单元 501"; an address that
    /// already starts with its village group is not repeated after it.
    pub fn line(&self) -> String {
        if !self.building.is_empty() && self.door.starts_with(&self.building) {
            return self.door.clone();
        }
        [self.building.as_str(), self.door.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// Where a household's door is ([`DoorPlace`]); the parts a volunteer receives are enough.
pub fn door_place<R: Fields + ?Sized>(h: &R) -> DoorPlace {
    use household::field;
    let text = |f: &str| h.text(f).unwrap_or_default().trim().to_owned();
    let join = |parts: &[String]| {
        parts
            .iter()
            .filter(|s| !s.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let (building, unit, room) = (text(field::BUILDING), text(field::UNIT), text(field::ROOM));
    if !building.is_empty() {
        return DoorPlace {
            building,
            door: join(&[unit, room]),
        };
    }
    let village = join(&[text(field::VILLAGE), text(field::VILLAGE_GROUP)]);
    let address = text(field::ADDRESS);
    if !village.is_empty() {
        let door = if address.is_empty() {
            join(&[unit, room])
        } else {
            address
        };
        return DoorPlace {
            building: village,
            door,
        };
    }
    if !address.is_empty() {
        return DoorPlace {
            building: address,
            door: String::new(),
        };
    }
    DoorPlace {
        building: String::new(),
        door: join(&[unit, room]),
    }
}

/// A pack's contents as a short list, one item a line: the planned text is written as one line
/// ("布洛芬 1 盒、抗原试剂 5 人份"), items apart by 、 , ， ; ； or a new line.
pub fn contents_items(contents: &str) -> Vec<String> {
    contents
        .split(['、', ',', '，', ';', '；', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Whether a door still needs a visit: not yet tried, or tried when nobody was at home.
pub fn is_to_do<R: Fields + ?Sized>(delivery: &R) -> bool {
    matches!(
        PackDelivery(delivery).status(),
        Some(PENDING | NOT_HOME) | None
    )
}

/// A status may be taken back on the day it was set (China time): a mis-tap is caught the same
/// day, while yesterday's round stays as it was reported.
pub fn can_undo<R: Fields + ?Sized>(delivery: &R, today: Date) -> bool {
    let x = PackDelivery(delivery);
    matches!(x.status(), Some(DELIVERED | NOT_HOME | REFUSED))
        && x.status_at()
            .is_some_and(|at| Date::from_china_ms(at) == today)
}

/// A door where nobody was at home can be tried again, on any later day too.
pub fn can_retry<R: Fields + ?Sized>(delivery: &R) -> bool {
    PackDelivery(delivery).status() == Some(NOT_HOME)
}

/// Withdrawing a record: a stock move drawn for a delivery taken back, or a pack not yet handed
/// over to someone who has gone. It is deleted: deleted moves count for nothing in stock
/// ([`crate::stock::levels`]) and a deleted pack leaves the volunteer's list, the same on every
/// device and on the server once it syncs.
pub fn withdrawal() -> Vec<FieldEdit> {
    vec![(DELETED.to_owned(), json!(true))]
}

impl<R: Row> Dataset<R> {
    /// The packs still to hand over to whoever marking `id` (a resident, or a household with
    /// every member) as moved away, deceased or gone takes off the lists: the mark withdraws
    /// them, so that no volunteer knocks with a pack for someone who is not there.
    pub fn packs_to_withdraw(&self, entity: &str, id: &str) -> Vec<&R> {
        let of_household = entity == household::NAME;
        self.deliveries
            .iter()
            .filter(|x| is_to_do(*x))
            .filter(|x| {
                let v = PackDelivery(*x);
                if !of_household {
                    return v.resident_id() == Some(id);
                }
                v.household_id() == Some(id)
                    || v.resident_id()
                        .and_then(|r| self.resident(r))
                        .is_some_and(|r| r.view().household_id() == Some(id))
            })
            .collect()
    }
}

/// The doors of one building, in walking order, with how many are done and left.
#[derive(Debug)]
pub struct Building<'a, R> {
    pub name: String,
    /// Each door with its place.
    pub doors: Vec<(&'a R, DoorPlace)>,
    pub done: usize,
    pub left: usize,
}

/// Which deliveries a staff member looks at; `None` is any.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeliveryFilter {
    pub plan: Option<String>,
    pub volunteer: Option<String>,
    /// A status; `pending` also takes deliveries with no status yet.
    pub status: Option<String>,
}

impl DeliveryFilter {
    pub fn matches<R: Fields + ?Sized>(&self, delivery: &R) -> bool {
        let x = PackDelivery(delivery);
        let status = x.status().unwrap_or(PENDING);
        self.plan.as_deref().is_none_or(|p| x.plan_id() == Some(p))
            && self
                .volunteer
                .as_deref()
                .is_none_or(|v| x.volunteer_id() == Some(v))
            && self.status.as_deref().is_none_or(|s| s == status)
    }
}

impl<R: Row> Dataset<R> {
    /// The doors of `deliveries` grouped by building, buildings and the doors in each in walking
    /// order (numbers as numbers: 2 号楼 before 10 号楼), each building with its counts.
    pub fn buildings<'a>(&self, deliveries: impl IntoIterator<Item = &'a R>) -> Vec<Building<'a, R>>
    where
        R: 'a,
    {
        let mut doors: Vec<(&'a R, DoorPlace)> = deliveries
            .into_iter()
            .map(|x| {
                let place = PackDelivery(x)
                    .household_id()
                    .and_then(|h| self.households.get(h))
                    .map(door_place)
                    .unwrap_or_default();
                (x, place)
            })
            .collect();
        doors.sort_by_cached_key(|(_, p)| (natural_key(&p.building), natural_key(&p.door)));
        let mut out: Vec<Building<'a, R>> = Vec::new();
        for (x, place) in doors {
            if out.last().is_none_or(|b| b.name != place.building) {
                out.push(Building {
                    name: place.building.clone(),
                    doors: Vec::new(),
                    done: 0,
                    left: 0,
                });
            }
            let b = out.last_mut().expect("pushed above");
            if is_to_do(x) {
                b.left += 1;
            } else {
                b.done += 1;
            }
            b.doors.push((x, place));
        }
        out
    }

    /// The batches of the deliveries, by name.
    pub fn delivery_plans(&self) -> Vec<String> {
        let mut plans: Vec<String> = self
            .deliveries
            .iter()
            .filter_map(|x| PackDelivery(x).plan_id())
            .collect::<HashSet<_>>()
            .into_iter()
            .map(str::to_owned)
            .collect();
        plans.sort_by_cached_key(|p| natural_key(p));
        plans
    }

    /// The live stock moves a delivered pack drew, which undoing the delivery withdraws.
    pub fn draws_of(&self, delivery: &str) -> Vec<&R> {
        self.stock_moves
            .iter()
            .filter(|m| {
                let m = StockMove(*m);
                m.delivery_id() == Some(delivery)
                    && m.kind() == Some(stock_move::DELIVERED)
                    && !m.is_deleted()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;
    use crate::entities::pack_delivery;
    use crate::record::Values;

    fn place(pairs: &[(&str, &str)]) -> DoorPlace {
        let h: Values = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), json!(v)))
            .collect();
        door_place(&h)
    }

    #[test]
    fn a_door_is_its_building_then_unit_and_room() {
        use household::field::*;
        let flat = place(&[
            (ADDRESS, "幸福里小区 3 号楼 1 单元 501"),
            (BUILDING, "3 号楼"),
            (UNIT, "1 单元"),
            (ROOM, "501"),
        ]);
        assert_eq!(
            (flat.building.as_str(), flat.door.as_str()),
            ("3 号楼", "1 单元 501")
        );
        assert_eq!(flat.line(), "3 号楼 1 单元 501");
        let farm = place(&[
            (VILLAGE, "桃源村"),
            (VILLAGE_GROUP, "2 组"),
            (ADDRESS, "桃源村 2 组 7 号"),
        ]);
        assert_eq!(farm.building, "桃源村 2 组");
        assert_eq!(farm.door, "桃源村 2 组 7 号");
        assert_eq!(
            farm.line(),
            "桃源村 2 组 7 号",
            "the group is not said twice"
        );
        assert_eq!(place(&[(ADDRESS, "和平路 9 号")]).line(), "和平路 9 号");
        assert_eq!(place(&[(ROOM, "101")]).line(), "101");
        assert_eq!(place(&[]).line(), "");
    }

    fn at(building: &str, unit: &str, room: &str) -> Vec<(&'static str, serde_json::Value)> {
        use household::field::*;
        vec![
            (BUILDING, json!(building)),
            (UNIT, json!(unit)),
            (ROOM, json!(room)),
        ]
    }

    fn to(h: &str, status: Option<&str>) -> Vec<(&'static str, serde_json::Value)> {
        let mut v = vec![(pack_delivery::field::HOUSEHOLD_ID, json!(h))];
        v.extend(status.map(|s| (pack_delivery::field::STATUS, json!(s))));
        v
    }

    #[test]
    fn doors_are_grouped_by_building_in_walking_order_with_counts() {
        let mut f = Fixture::new();
        f.household("b10", &at("10 号楼", "1 单元", "101"));
        f.household("b2hi", &at("2 号楼", "2 单元", "101"));
        f.household("b2lo", &at("2 号楼", "1 单元", "1001"));
        f.household("b2lo9", &at("2 号楼", "1 单元", "901"));
        f.delivery("x10", &to("b10", Some(NOT_HOME)));
        f.delivery("x2hi", &to("b2hi", Some(DELIVERED)));
        f.delivery("x2lo", &to("b2lo", None));
        f.delivery("x2lo9", &to("b2lo9", Some(REFUSED)));
        let d = f.build();
        let b = d.buildings(d.deliveries.iter());
        let names: Vec<&str> = b.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, ["2 号楼", "10 号楼"], "2 before 10");
        let doors: Vec<&str> = b[0].doors.iter().map(|(x, _)| x.id()).collect();
        assert_eq!(
            doors,
            ["x2lo9", "x2lo", "x2hi"],
            "unit, then room as a number"
        );
        assert_eq!((b[0].done, b[0].left), (2, 1));
        assert_eq!(
            (b[1].done, b[1].left),
            (0, 1),
            "nobody at home is still to do"
        );
        assert_eq!(b[0].doors[1].1.line(), "2 号楼 1 单元 1001");
    }

    #[test]
    fn a_packs_contents_are_one_item_a_line() {
        assert_eq!(
            contents_items("布洛芬 1 盒、抗原试剂 5 人份"),
            ["布洛芬 1 盒", "抗原试剂 5 人份"]
        );
        assert_eq!(contents_items("masks, gloves ;\n"), ["masks", "gloves"]);
        assert!(contents_items(" ").is_empty());
    }

    #[test]
    fn staff_filter_by_batch_volunteer_and_status() {
        use pack_delivery::field::*;
        let x: Values = [
            (PLAN_ID.to_owned(), json!("p1")),
            (VOLUNTEER_ID.to_owned(), json!("v1")),
        ]
        .into();
        let any = DeliveryFilter::default();
        assert!(any.matches(&x));
        let f =
            |plan: Option<&str>, volunteer: Option<&str>, status: Option<&str>| DeliveryFilter {
                plan: plan.map(Into::into),
                volunteer: volunteer.map(Into::into),
                status: status.map(Into::into),
            };
        assert!(
            f(Some("p1"), Some("v1"), Some(PENDING)).matches(&x),
            "no status is pending"
        );
        assert!(!f(Some("p2"), None, None).matches(&x));
        assert!(!f(None, Some("v2"), None).matches(&x));
        assert!(!f(None, None, Some(DELIVERED)).matches(&x));
    }

    #[test]
    fn a_status_is_undone_only_the_day_it_was_set_and_not_home_is_retried_any_day() {
        let f = Fixture::new();
        let marked = |status: &str, days_ago: i64| -> Values {
            [
                (pack_delivery::field::STATUS.to_owned(), json!(status)),
                (
                    pack_delivery::field::STATUS_AT.to_owned(),
                    json!(f.ms(days_ago)),
                ),
            ]
            .into()
        };
        for s in [DELIVERED, NOT_HOME, REFUSED] {
            assert!(can_undo(&marked(s, 0), f.today), "{s} today");
            assert!(!can_undo(&marked(s, 1), f.today), "{s} yesterday");
        }
        assert!(!can_undo(&marked(PENDING, 0), f.today));
        assert!(!can_undo(&Values::new(), f.today));
        assert!(can_retry(&marked(NOT_HOME, 3)));
        assert!(!can_retry(&marked(REFUSED, 0)));
        assert!(is_to_do(&marked(NOT_HOME, 0)) && is_to_do(&Values::new()));
        assert!(!is_to_do(&marked(DELIVERED, 0)));
    }

    #[test]
    fn undoing_a_delivery_withdraws_its_draws_and_stock_is_as_before() {
        let mut f = Fixture::new();
        f.plan_item("i1", "p1", "mask", 10);
        f.delivery("d1", &[(pack_delivery::field::PLAN_ID, json!("p1"))]);
        let received = [
            (stock_move::field::ITEM_ID, json!("mask")),
            (stock_move::field::SITE, json!("站")),
            (stock_move::field::KIND, json!(stock_move::RECEIVED)),
            (stock_move::field::QUANTITY, json!(100)),
        ];
        f.add(stock_move::NAME, "in", &received);
        let d = f.build();
        let draw = d.stock_draws(&d.deliveries[0], 7, "u1").remove(0);
        let draw_pairs: Vec<(&str, serde_json::Value)> =
            draw.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        let mut f2 = Fixture::new();
        f2.plan_item("i1", "p1", "mask", 10);
        f2.delivery("d1", &[(pack_delivery::field::PLAN_ID, json!("p1"))]);
        f2.add(stock_move::NAME, "in", &received);
        f2.add(stock_move::NAME, "out", &draw_pairs);
        let delivered = f2.build();
        let level =
            |moves: &[Rec]| crate::stock::levels(moves.iter())[&("mask".into(), "站".into())];
        assert_eq!(level(&delivered.stock_moves), 90);
        let draws: Vec<&str> = delivered.draws_of("d1").iter().map(|m| m.id()).collect();
        assert_eq!(
            draws,
            ["out"],
            "only the delivery's own draw, not the receipt"
        );
        let mut after: Vec<Rec> = delivered.stock_moves.clone();
        for m in after.iter_mut().filter(|m| m.id == "out") {
            m.fields.extend(withdrawal());
        }
        assert_eq!(level(&after), 100, "stock is back where it was");
    }
}
