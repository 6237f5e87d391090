//! The demo's supplies: the items the health station stocks and received, the winter batch of
//! health packs, and the packs volunteers carry to the oldest residents of their grids, each
//! delivered pack leaving the station's stock.

use model::entities::{pack_delivery, pack_plan_item, stock_move, supply_item};
use serde_json::json;

use super::households::Home;
use super::residents::Person;
use super::seeder::{Seeder, DAY_MS};
use super::Size;

/// Where supplies are kept and packs are taken from.
const STATION: &str = "幸福里社区卫生服务站";
/// The winter batch of health packs.
const PLAN: &str = "2026-冬季第一批";
/// Name, unit and kind of each supply item; the first two make up a pack.
const ITEMS: &[(&str, &str, &str)] = &[
    ("退烧药（布洛芬）", "盒", "medicine"),
    ("抗原检测试剂", "人份", "antigen_kit"),
    ("N95 口罩", "只", "mask"),
    ("指夹式血氧仪", "台", "oximeter"),
];
/// How many of the first and of the second item one pack holds.
const PACK_QUANTITIES: [i64; 2] = [1, 5];
/// What a pack holds, as the delivery lists it for the volunteer.
const CONTENTS: &str = "布洛芬 1 盒、抗原试剂 5 人份";
/// How many packs are handed out, at most.
const MAX_DELIVERIES: usize = 60;

/// What one pack holds: (supply item id, quantity).
pub(super) struct Pack(Vec<(String, i64)>);

/// Writes the supply items with their opening stock, and the pack plan.
pub(super) fn seed(demo: &mut Seeder, size: Size) -> Pack {
    let item_ids: Vec<String> = ITEMS.iter().map(|_| demo.rng.uuid()).collect();
    for (&(name, unit, kind), id) in ITEMS.iter().zip(&item_ids) {
        let mut fields = vec![
            (supply_item::field::NAME, json!(name)),
            (supply_item::field::UNIT, json!(unit)),
            (supply_item::field::KIND, json!(kind)),
            (supply_item::field::LOW_STOCK_THRESHOLD, json!(50)),
        ];
        // Masks issued to a worker last a week (issue 17).
        if kind == "mask" {
            fields.push((supply_item::field::RESUPPLY_DAYS, json!(7)));
        }
        demo.record(supply_item::NAME, id, fields);
        receive(demo, id, size.opening_stock());
    }
    let pack = Pack(item_ids.into_iter().zip(PACK_QUANTITIES).collect());
    plan(demo, &pack);
    pack
}

/// The station received `quantity` of an item three days ago.
fn receive(demo: &mut Seeder, item: &str, quantity: i64) {
    let id = demo.rng.uuid();
    let at = demo.now_ms - 3 * DAY_MS;
    demo.record(
        stock_move::NAME,
        &id,
        vec![
            (stock_move::field::ITEM_ID, json!(item)),
            (stock_move::field::SITE, json!(STATION)),
            (stock_move::field::KIND, json!(stock_move::RECEIVED)),
            (stock_move::field::QUANTITY, json!(quantity)),
            (stock_move::field::AT, json!(at)),
        ],
    );
}

fn plan(demo: &mut Seeder, pack: &Pack) {
    for (item, quantity) in &pack.0 {
        let id = demo.rng.uuid();
        demo.record(
            pack_plan_item::NAME,
            &id,
            vec![
                (pack_plan_item::field::PLAN_ID, json!(PLAN)),
                (pack_plan_item::field::ITEM_ID, json!(item)),
                (pack_plan_item::field::QUANTITY, json!(quantity)),
                (pack_plan_item::field::SITE, json!(STATION)),
            ],
        );
    }
}

/// Hands health packs to the oldest residents of the volunteers' grids, taking turns.
pub(super) struct Deliveries {
    pack: Pack,
    volunteers: Vec<String>,
    made: usize,
}

impl Deliveries {
    pub fn new(pack: Pack, volunteers: Vec<String>) -> Deliveries {
        Deliveries {
            pack,
            volunteers,
            made: 0,
        }
    }

    /// Writes a delivery to `person` if they are one of the first residents aged 75+ of the
    /// first two grids, the volunteers' own; about a third are already delivered.
    pub fn offer(&mut self, demo: &mut Seeder, home: &Home, person: &Person) {
        if home.grid.index >= 2 || person.age < 75 || self.made >= MAX_DELIVERIES {
            return;
        }
        self.made += 1;
        let volunteer = self.volunteers[self.made % self.volunteers.len()].clone();
        self.deliver(demo, home, person, &volunteer);
    }

    fn deliver(&self, demo: &mut Seeder, home: &Home, person: &Person, volunteer: &str) {
        let id = demo.rng.uuid();
        let delivered = demo.rng.chance(30.0);
        let mut fields = vec![
            (pack_delivery::field::GRID_ID, json!(home.grid.id)),
            (pack_delivery::field::RESIDENT_ID, json!(person.id)),
            (pack_delivery::field::HOUSEHOLD_ID, json!(home.id)),
            (pack_delivery::field::VOLUNTEER_ID, json!(volunteer)),
            (pack_delivery::field::PLAN_ID, json!(PLAN)),
            (pack_delivery::field::CONTENTS, json!(CONTENTS)),
            (
                pack_delivery::field::STATUS,
                json!(if delivered {
                    pack_delivery::DELIVERED
                } else {
                    pack_delivery::PENDING
                }),
            ),
        ];
        if delivered {
            let at = demo.now_ms - demo.rng.below(DAY_MS as u64) as i64;
            fields.push((pack_delivery::field::STATUS_AT, json!(at)));
            self.take_from_stock(demo, &id, volunteer, at);
        }
        demo.record(pack_delivery::NAME, &id, fields);
    }

    /// The stock moves of one delivered pack, one per item.
    fn take_from_stock(&self, demo: &mut Seeder, delivery: &str, volunteer: &str, at: i64) {
        for (item, quantity) in &self.pack.0 {
            let id = demo.rng.uuid();
            demo.record(
                stock_move::NAME,
                &id,
                vec![
                    (stock_move::field::ITEM_ID, json!(item)),
                    (stock_move::field::SITE, json!(STATION)),
                    (stock_move::field::KIND, json!(stock_move::DELIVERED)),
                    (stock_move::field::QUANTITY, json!(quantity)),
                    (stock_move::field::AT, json!(at)),
                    (stock_move::field::DELIVERY_ID, json!(delivery)),
                    (stock_move::field::WORKER_ID, json!(volunteer)),
                ],
            );
        }
    }
}
