//! Stock on hand: the sum of append-only `stock_move` records per item and site, never a number
//! anyone overwrites, so two volunteers delivering from the same shelf offline both count.

use std::collections::BTreeMap;

use crate::entities::stock_move::{self, stock_delta};
use crate::merge::{self, State};
use crate::record::{Fields, StockMove, Values};

/// Stock per (item id, site) from the moves' fields; deleted moves count for nothing.
pub fn levels<'a, R: Fields + ?Sized + 'a>(
    moves: impl IntoIterator<Item = &'a R>,
) -> BTreeMap<(String, String), i64> {
    let mut out = BTreeMap::new();
    for m in moves.into_iter().map(StockMove) {
        if m.is_deleted() {
            continue;
        }
        let (Some(item), Some(kind), Some(quantity)) = (m.item_id(), m.kind(), m.quantity()) else {
            continue;
        };
        let site = m.site().unwrap_or_default();
        *out.entry((item.to_owned(), site.to_owned())).or_insert(0) += stock_delta(kind, quantity);
    }
    out
}

/// Stock per (item, site) of a merged state, as a device or the server holds it.
pub fn levels_of_state(state: &State) -> BTreeMap<(String, String), i64> {
    let mut ids: Vec<&str> = state
        .keys()
        .filter(|(e, _, _)| e == stock_move::NAME)
        .map(|(_, id, _)| id.as_str())
        .collect();
    ids.dedup();
    let records: Vec<Values> = ids
        .iter()
        .map(|id| merge::record(state, stock_move::NAME, id))
        .collect();
    levels(records.iter())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Change;
    use proptest::prelude::*;
    use serde_json::{json, Value};

    fn mv(kind: &str, quantity: i64) -> BTreeMap<String, Value> {
        [
            ("item_id", json!("ibuprofen")),
            ("site", json!("station")),
            ("kind", json!(kind)),
            ("quantity", json!(quantity)),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }

    #[test]
    fn stock_is_received_less_delivered_and_expired_plus_adjustments() {
        let moves = [
            mv("received", 100),
            mv("delivered", 3),
            mv("delivered", 2),
            mv("expired", 5),
            mv("adjusted", -1),
            mv("packed", 10),
        ];
        assert_eq!(
            levels(moves.iter())[&("ibuprofen".into(), "station".into())],
            89
        );
    }

    /// A device's moves: each a new record (its own id), stamped by that device.
    fn device_moves(device: usize, moves: Vec<(u8, i64)>) -> Vec<Change> {
        let mut out = Vec::new();
        for (n, (kind, q)) in moves.into_iter().enumerate() {
            let kind = ["received", "delivered", "expired", "adjusted"][kind as usize % 4];
            let id = format!("m-{device}-{n}");
            let hlc = |f: u16| {
                format!(
                    "{:013}-{:04x}-dev{device}",
                    1_764_000_000_000u64 + n as u64,
                    f
                )
            };
            for (f, (field, value)) in [
                ("item_id", json!("kit")),
                ("site", json!("station")),
                ("kind", json!(kind)),
                ("quantity", json!(q)),
            ]
            .into_iter()
            .enumerate()
            {
                out.push(Change {
                    entity: "stock_move".into(),
                    id: id.clone(),
                    field: field.into(),
                    value,
                    hlc: hlc(f as u16),
                });
            }
        }
        out
    }

    proptest! {
        /// Moves made concurrently on several devices, delivered to two replicas in different
        /// orders, with duplicates, give the same stock on both: the sum of every move.
        #[test]
        fn any_interleaving_of_concurrent_moves_gives_the_same_stock(
            devices in prop::collection::vec(prop::collection::vec((0u8..4, 1i64..50), 0..6), 2..5),
            seed_a in any::<u64>(),
            seed_b in any::<u64>(),
        ) {
            let all: Vec<Change> = devices.into_iter().enumerate().flat_map(|(d, m)| device_moves(d, m)).collect();
            let shuffle = |seed: u64| {
                let mut v: Vec<Change> = all.iter().chain(all.iter().take(all.len() / 3)).cloned().collect();
                let mut s = seed | 1;
                for i in (1..v.len()).rev() {
                    s ^= s << 13; s ^= s >> 7; s ^= s << 17;
                    v.swap(i, (s % (i as u64 + 1)) as usize);
                }
                v
            };
            let a = levels_of_state(&merge::fold(&shuffle(seed_a)));
            let b = levels_of_state(&merge::fold(&shuffle(seed_b)));
            prop_assert_eq!(&a, &b);
            let expected: i64 = all
                .chunks(4)
                .map(|c| stock_delta(c[2].value.as_str().unwrap(), c[3].value.as_i64().unwrap()))
                .sum();
            prop_assert_eq!(a.get(&("kit".to_owned(), "station".to_owned())).copied().unwrap_or(0), expected);
        }
    }
}
