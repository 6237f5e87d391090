//! Protective gear per worker (issue 17, 防护物资供应): what each worker holds of each item, from
//! the `issued` stock moves naming them, when they last received it, and when a re-supply is due
//! (the item's `resupply_days` after the last issue).

use std::collections::BTreeMap;

use super::{Dataset, Row};
use crate::date::Date;
use crate::entities::stock_move;
use crate::record::{StockMove, SupplyItem};

/// One worker's holding of one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holding {
    pub worker: String,
    pub item: String,
    /// Everything issued to them of it (withdrawn moves aside).
    pub quantity: i64,
    /// The day of the last issue, China time.
    pub last: Date,
    /// When a re-supply is due; none when the item names no re-supply interval.
    pub due: Option<Date>,
}

impl Holding {
    /// Due on or before `today`.
    pub fn is_due(&self, today: Date) -> bool {
        self.due.is_some_and(|d| d <= today)
    }
}

impl<R: Row> Dataset<R> {
    /// Every worker's holding of every item issued to them: those due first (the longest due
    /// first), then by worker and item.
    pub fn gear_holdings(&self) -> Vec<Holding> {
        let mut by: BTreeMap<(String, String), (i64, i64)> = BTreeMap::new();
        for m in self.stock_moves.iter().map(StockMove) {
            let (Some(stock_move::ISSUED), Some(worker), Some(item), Some(q), Some(at)) =
                (m.kind(), m.worker_id(), m.item_id(), m.quantity(), m.at())
            else {
                continue;
            };
            if m.is_deleted() {
                continue;
            }
            let held = by
                .entry((worker.to_owned(), item.to_owned()))
                .or_insert((0, at));
            held.0 += q.saturating_abs();
            held.1 = held.1.max(at);
        }
        let interval = |item: &str| {
            self.supply_items
                .iter()
                .find(|i| i.id() == item)
                .and_then(|i| SupplyItem(i).resupply_days())
        };
        let mut out: Vec<Holding> = by
            .into_iter()
            .map(|((worker, item), (quantity, at))| {
                let last = Date::from_china_ms(at);
                Holding {
                    due: interval(&item).map(|days| last.add_days(days)),
                    worker,
                    item,
                    quantity,
                    last,
                }
            })
            .collect();
        out.sort_by(|a, b| {
            let key = |h: &Holding| (!h.is_due(self.today), h.due.is_none(), h.due);
            key(a)
                .cmp(&key(b))
                .then_with(|| (&a.worker, &a.item).cmp(&(&b.worker, &b.item)))
        });
        out
    }

    /// The holdings of `worker`.
    pub fn gear_of(&self, worker: &str) -> Vec<Holding> {
        let mut mine = self.gear_holdings();
        mine.retain(|h| h.worker == worker);
        mine
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::*;
    use super::*;
    use crate::entities::{stock_move::field, supply_item};
    use serde_json::json;

    #[test]
    fn what_each_worker_holds_and_when_it_runs_out() {
        let mut f = Fixture::new();
        f.add(
            supply_item::NAME,
            "n95",
            &[
                (supply_item::field::NAME, json!("N95 口罩")),
                (supply_item::field::RESUPPLY_DAYS, json!(7)),
            ],
        );
        f.add(
            supply_item::NAME,
            "gown",
            &[(supply_item::field::NAME, json!("防护服"))],
        );
        let issue = |f: &mut Fixture, id: &str, who: &str, item: &str, q: i64, days_ago: i64| {
            let at = f.ms(days_ago);
            f.add(
                stock_move::NAME,
                id,
                &[
                    (field::KIND, json!("issued")),
                    (field::WORKER_ID, json!(who)),
                    (field::ITEM_ID, json!(item)),
                    (field::QUANTITY, json!(q)),
                    (field::SITE, json!("站")),
                    (field::AT, json!(at)),
                ],
            );
        };
        issue(&mut f, "m1", "u-wang", "n95", 10, 9);
        issue(&mut f, "m2", "u-wang", "n95", 5, 8);
        issue(&mut f, "m3", "u-li", "n95", 10, 2);
        issue(&mut f, "m4", "u-li", "gown", 2, 1);
        // A received move is stock, not a worker's.
        f.add(
            stock_move::NAME,
            "m5",
            &[
                (field::KIND, json!("received")),
                (field::ITEM_ID, json!("n95")),
                (field::QUANTITY, json!(100)),
                (field::AT, json!(f.ms(20))),
            ],
        );
        let d = f.build();
        let held = d.gear_holdings();
        assert_eq!(held.len(), 3);
        // 王: 15 masks, the last eight days ago, due a day ago: first.
        assert_eq!(held[0].worker, "u-wang");
        assert_eq!(held[0].quantity, 15);
        assert_eq!(held[0].due, Some(f.day(1)));
        assert!(held[0].is_due(f.today));
        assert!(!held[1].is_due(f.today));
        assert_eq!(d.gear_of("u-li").len(), 2);
        assert_eq!(
            d.gear_of("u-li")
                .iter()
                .find(|h| h.item == "gown")
                .unwrap()
                .due,
            None
        );
    }
}
