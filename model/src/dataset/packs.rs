//! Health packs (健康爱心包): who a batch goes to, the
//! records a batch, a delivery and its draw from stock write, and the households that got two
//! packs of one batch.

use std::collections::{BTreeSet, HashSet};

use serde_json::json;

use super::{natural_key, Dataset, Resident, Row};
use crate::entities::need::FieldEdit;
use crate::entities::pack_delivery::{self, DELIVERED, PENDING};
use crate::entities::{pack_plan_item, stock_move};
use crate::record::{Fields, PackDelivery, SupplyItem};
use crate::risk::Tier;

/// A delivery without a status yet still waits: it was created pending.
pub fn is_pending<R: Fields + ?Sized>(delivery: &R) -> bool {
    matches!(PackDelivery(delivery).status(), Some(PENDING) | None)
}

/// The groups a batch goes to; a resident in any chosen group receives one.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RecipientFilter {
    pub red: bool,
    pub yellow: bool,
    pub alone_65: bool,
    /// Anyone kept an offline channel (`crate::risk::OfflineGroup`): a pack brought to the door
    /// reaches those who cannot order one.
    pub offline_channel: bool,
    /// Leave out those who already have a pack, delivered or on its way.
    pub not_received: bool,
}

/// Households that got more than one delivered pack of one batch.
#[derive(Debug, Default)]
pub struct Doubles(HashSet<(String, String)>);

impl Doubles {
    /// Whether `delivery` went to a household that got another pack of its batch.
    pub fn contains<R: Fields + ?Sized>(&self, delivery: &R) -> bool {
        key(delivery).is_some_and(|k| self.0.contains(&k))
    }
}

/// (household, plan) of a delivery to a household.
fn key<R: Fields + ?Sized>(delivery: &R) -> Option<(String, String)> {
    let x = PackDelivery(delivery);
    Some((
        x.household_id()?.to_owned(),
        x.plan_id().unwrap_or_default().to_owned(),
    ))
}

impl<R: Row> Dataset<R> {
    /// The residents a batch goes to, in walking order.
    pub fn recipients(&self, f: &RecipientFilter) -> Vec<&Resident<R>> {
        let has_pack: BTreeSet<&str> = self
            .deliveries
            .iter()
            .map(PackDelivery)
            .filter(|x| matches!(x.status(), Some(DELIVERED | PENDING) | None))
            .filter_map(|x| x.resident_id())
            .collect();
        let mut out: Vec<&Resident<R>> = self
            .active()
            .filter(|r| {
                (f.red && r.tier() == Tier::Red)
                    || (f.yellow && r.tier() == Tier::Yellow)
                    || (f.alone_65 && r.assessment.aged_65() && r.view().tag_living_alone())
                    || (f.offline_channel && r.needs_offline_channel())
            })
            .filter(|r| !f.not_received || !has_pack.contains(r.id()))
            .collect();
        out.sort_by_cached_key(|r| natural_key(&self.address_of_resident(r)));
        out
    }

    pub fn double_deliveries(&self) -> Doubles {
        let mut seen = HashSet::new();
        let mut doubles = HashSet::new();
        for x in &self.deliveries {
            if PackDelivery(x).status() != Some(DELIVERED) {
                continue;
            }
            if let Some(k) = key(x) {
                if !seen.insert(k.clone()) {
                    doubles.insert(k);
                }
            }
        }
        Doubles(doubles)
    }

    /// The stock moves a delivered pack draws, one per item of its batch, each its own record
    /// so that concurrent deliveries from one shelf all count.
    pub fn stock_draws(&self, delivery: &R, at_ms: i64, worker: &str) -> Vec<Vec<FieldEdit>> {
        use stock_move::field;
        let plan = PackDelivery(delivery).plan_id().unwrap_or_default();
        self.pack_items
            .get(plan)
            .into_iter()
            .flatten()
            .map(|(item, quantity, site)| {
                vec![
                    (field::ITEM_ID.to_owned(), json!(item)),
                    (field::SITE.to_owned(), json!(site)),
                    (field::KIND.to_owned(), json!(stock_move::DELIVERED)),
                    (field::QUANTITY.to_owned(), json!(quantity)),
                    (field::AT.to_owned(), json!(at_ms)),
                    (field::DELIVERY_ID.to_owned(), json!(delivery.id())),
                    (field::WORKER_ID.to_owned(), json!(worker)),
                ]
            })
            .collect()
    }
}

/// One line of a pack's contents: "口罩 10 个".
pub fn contents_line<R: Fields + ?Sized>(item: &R, quantity: i64) -> String {
    let item = SupplyItem(item);
    format!(
        "{} {} {}",
        item.name().unwrap_or_default(),
        quantity,
        item.unit().unwrap_or_default()
    )
}

/// One item of a batch's pack.
pub fn plan_item(plan: &str, item: &str, quantity: i64, site: &str) -> Vec<FieldEdit> {
    use pack_plan_item::field;
    vec![
        (field::PLAN_ID.to_owned(), json!(plan)),
        (field::ITEM_ID.to_owned(), json!(item)),
        (field::QUANTITY.to_owned(), json!(quantity)),
        (field::SITE.to_owned(), json!(site)),
    ]
}

/// The pending delivery of one batch's pack to `recipient` by `volunteer`.
pub fn delivery<R: Row>(
    recipient: &Resident<R>,
    volunteer: &str,
    plan: &str,
    contents: &str,
) -> Vec<FieldEdit> {
    use pack_delivery::field;
    let r = recipient.view();
    let mut fields = vec![
        (field::GRID_ID.to_owned(), json!(r.grid_id())),
        (field::RESIDENT_ID.to_owned(), json!(recipient.id())),
        (field::VOLUNTEER_ID.to_owned(), json!(volunteer)),
        (field::PLAN_ID.to_owned(), json!(plan)),
        (field::CONTENTS.to_owned(), json!(contents)),
        (field::STATUS.to_owned(), json!(PENDING)),
    ];
    if let Some(h) = r.household_id() {
        fields.push((field::HOUSEHOLD_ID.to_owned(), json!(h)));
    }
    fields
}

/// The volunteer (by index) for each of `count` doors in walking order: consecutive doors go to
/// the same volunteer, so each gets one stretch of the walk. `volunteers` must not be 0.
pub fn in_stretches(count: usize, volunteers: usize) -> impl Iterator<Item = usize> {
    let per = count.div_ceil(volunteers).max(1);
    (0..count).map(move |n| (n / per).min(volunteers - 1))
}

/// Marking a delivery: its status, when, and the volunteer's note if any.
pub fn status_change(status: &str, note: &str, at_ms: i64) -> Vec<FieldEdit> {
    use pack_delivery::field;
    let mut fields = vec![
        (field::STATUS.to_owned(), json!(status)),
        (field::STATUS_AT.to_owned(), json!(at_ms)),
    ];
    if !note.trim().is_empty() {
        fields.push((field::NOTE.to_owned(), json!(note.trim())));
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;
    use crate::entities::pack_delivery::REFUSED;
    use crate::entities::{household, resident};
    use crate::record::Values;

    fn at(building: &str) -> Vec<(&'static str, serde_json::Value)> {
        vec![(household::field::BUILDING, json!(building))]
    }

    #[test]
    fn recipients_by_group_in_walking_order_less_those_with_a_pack() {
        let mut f = Fixture::new();
        for (h, b) in [("h10", "10 号楼"), ("h2", "2 号楼"), ("h3", "3 号楼")] {
            f.household(h, &at(b));
        }
        let old = (resident::field::BIRTH_DATE, json!("1940-01-01"));
        let home = |h: &str| (resident::field::HOUSEHOLD_ID, json!(h));
        f.resident("red10", &[old.clone(), home("h10")]);
        f.resident("red2", &[old.clone(), home("h2")]);
        // 65+ living alone: yellow.
        let alone = (resident::field::TAG_LIVING_ALONE, json!(true));
        f.resident(
            "alone3",
            &[
                (resident::field::BIRTH_DATE, json!("1955-01-01")),
                alone.clone(),
                home("h3"),
            ],
        );
        // Living alone but young: yellow, not in the 65+ group.
        f.resident("young", &[alone, home("h3")]);
        // A left-behind child: green, kept an offline channel.
        f.resident(
            "child2",
            &[
                (resident::field::TAG_LEFT_BEHIND_CHILD, json!(true)),
                home("h2"),
            ],
        );
        f.delivery(
            "d1",
            &[
                (pack_delivery::field::RESIDENT_ID, json!("red2")),
                (pack_delivery::field::STATUS, json!(PENDING)),
            ],
        );
        f.delivery(
            "d2",
            &[
                (pack_delivery::field::RESIDENT_ID, json!("red10")),
                (pack_delivery::field::STATUS, json!(REFUSED)),
            ],
        );
        let d = f.build();
        let who = |f: RecipientFilter| ids(d.recipients(&f), |r| r.id());
        let red = RecipientFilter {
            red: true,
            ..Default::default()
        };
        assert_eq!(who(red.clone()), ["red2", "red10"]);
        assert_eq!(
            who(RecipientFilter {
                not_received: true,
                ..red
            }),
            ["red10"],
            "a refused pack is no pack"
        );
        assert_eq!(
            who(RecipientFilter {
                alone_65: true,
                ..Default::default()
            }),
            ["alone3"]
        );
        let yellow = RecipientFilter {
            yellow: true,
            ..Default::default()
        };
        assert_eq!(who(yellow), ["alone3", "young"]);
        assert!(who(RecipientFilter::default()).is_empty());
        assert_eq!(
            who(RecipientFilter {
                offline_channel: true,
                ..Default::default()
            }),
            ["child2"]
        );
    }

    #[test]
    fn two_delivered_packs_of_one_batch_to_one_household_are_flagged() {
        let mut f = Fixture::new();
        let x = |h: &str, plan: &str, s: &str| {
            vec![
                (pack_delivery::field::HOUSEHOLD_ID, json!(h)),
                (pack_delivery::field::PLAN_ID, json!(plan)),
                (pack_delivery::field::STATUS, json!(s)),
            ]
        };
        f.delivery("a1", &x("h1", "p1", DELIVERED));
        f.delivery("a2", &x("h1", "p1", DELIVERED));
        f.delivery("b1", &x("h1", "p2", DELIVERED));
        f.delivery("c1", &x("h2", "p1", DELIVERED));
        f.delivery("c2", &x("h2", "p1", PENDING));
        let d = f.build();
        let doubles = d.double_deliveries();
        let flagged: Vec<&str> = d
            .deliveries
            .iter()
            .filter(|x| doubles.contains(*x))
            .map(|x| x.id())
            .collect();
        assert_eq!(
            flagged,
            ["a1", "a2"],
            "another batch, or a pack not yet delivered, is no double"
        );
        assert!(
            !doubles.contains(&Values::new()),
            "a delivery without a household"
        );
    }

    #[test]
    fn a_delivered_pack_draws_each_item_of_its_batch() {
        let mut f = Fixture::new();
        f.plan_item("i1", "p1", "mask", 10);
        f.plan_item("i2", "p1", "kit", 2);
        f.plan_item("i3", "p2", "mask", 99);
        f.delivery("d1", &[(pack_delivery::field::PLAN_ID, json!("p1"))]);
        let d = f.build();
        let draws: Vec<Values> = d
            .stock_draws(&d.deliveries[0], 7, "u1")
            .into_iter()
            .map(|e| e.into_iter().collect())
            .collect();
        assert_eq!(draws.len(), 2);
        let m = crate::record::StockMove(&draws[0]);
        assert_eq!(
            (m.item_id(), m.quantity(), m.site()),
            (Some("mask"), Some(10), Some("站"))
        );
        assert_eq!(
            (m.kind(), m.at(), m.delivery_id(), m.worker_id()),
            (Some(stock_move::DELIVERED), Some(7), Some("d1"), Some("u1"))
        );
    }

    #[test]
    fn doors_go_to_volunteers_in_stretches() {
        assert_eq!(in_stretches(5, 2).collect::<Vec<_>>(), [0, 0, 0, 1, 1]);
        assert_eq!(in_stretches(2, 3).collect::<Vec<_>>(), [0, 1]);
        assert_eq!(in_stretches(0, 1).count(), 0);
    }

    #[test]
    fn a_delivery_and_its_marking_write_their_fields() {
        let mut f = Fixture::new();
        f.resident("r1", &[(resident::field::HOUSEHOLD_ID, json!("h1"))]);
        f.resident("r2", &[]);
        let d = f.build();
        let with_home: Values = delivery(d.resident("r1").unwrap(), "v1", "p1", "口罩 10 个")
            .into_iter()
            .collect();
        let x = PackDelivery(&with_home);
        assert_eq!(
            (x.grid_id(), x.resident_id(), x.household_id()),
            (Some("g1"), Some("r1"), Some("h1"))
        );
        assert_eq!(
            (x.volunteer_id(), x.plan_id(), x.contents()),
            (Some("v1"), Some("p1"), Some("口罩 10 个"))
        );
        assert!(is_pending(&with_home));
        let homeless: Values = delivery(d.resident("r2").unwrap(), "v1", "p1", "")
            .into_iter()
            .collect();
        assert_eq!(PackDelivery(&homeless).household_id(), None);
        let marked: Values = status_change(DELIVERED, "  放门口 ", 5)
            .into_iter()
            .collect();
        let x = PackDelivery(&marked);
        assert_eq!(
            (x.status(), x.status_at(), x.note()),
            (Some(DELIVERED), Some(5), Some("放门口"))
        );
        assert_eq!(
            status_change(REFUSED, " ", 5).len(),
            2,
            "a blank note is no note"
        );
        let item: Values = [
            (
                crate::entities::supply_item::field::NAME.to_owned(),
                json!("口罩"),
            ),
            (
                crate::entities::supply_item::field::UNIT.to_owned(),
                json!("个"),
            ),
        ]
        .into();
        assert_eq!(contents_line(&item, 10), "口罩 10 个");
        let p: Values = plan_item("p1", "mask", 10, "站").into_iter().collect();
        assert_eq!(crate::record::PackPlanItem(&p).quantity(), Some(10));
    }
}
