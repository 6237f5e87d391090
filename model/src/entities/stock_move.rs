//! `stock_move`: one append-only movement of a supply. Stock on hand is the sum of
//! [`stock_delta`] over a site's moves, never an LWW field, so two volunteers delivering offline
//! at the same time both count.

use super::{NAME_LEN, NOTES_LEN};
use crate::schema::roles::{ADMIN_SUPERVISOR_VOLUNTEER, ALL};
use crate::schema::{Check, EntityDef, FieldDef, FieldType::*};

/// This entity's name on the wire.
pub const NAME: &str = "stock_move";

/// The name of every field, spelled once: code reads records through these, never a literal.
pub mod field {
    crate::schema::field_names! {
        ITEM_ID = "item_id",
        SITE = "site",
        KIND = "kind",
        QUANTITY = "quantity",
        AT = "at",
        DELIVERY_ID = "delivery_id",
        WORKER_ID = "worker_id",
        NOTE = "note",
    }
}

pub const RECEIVED: &str = "received";
pub const PACKED: &str = "packed";
/// The contents of a delivered health pack leaving the shelf.
pub const DELIVERED: &str = "delivered";
pub const ADJUSTED: &str = "adjusted";
pub const EXPIRED: &str = "expired";
/// Protective gear handed to a worker (added, issue 17: 防护物资供应): `worker_id` names who
/// received it, and it leaves the shelf.
pub const ISSUED: &str = "issued";
pub const KINDS: &[&str] = &[RECEIVED, PACKED, DELIVERED, ADJUSTED, EXPIRED, ISSUED];

/// What a move does to the stock on hand at its site. `quantity` is a count for every kind but
/// `adjusted`, where its sign says which way the count was corrected. Packing assembles items
/// into health packs that stay on the shelf until delivered, so it moves nothing; the pack's
/// delivery is what leaves. Unknown kinds count as nothing rather than guessing a direction.
pub fn stock_delta(kind: &str, quantity: i64) -> i64 {
    match kind {
        RECEIVED => quantity.saturating_abs(),
        DELIVERED | EXPIRED | ISSUED => -quantity.saturating_abs(),
        ADJUSTED => quantity,
        _ => 0,
    }
}

// Grid workers read stock to know what they can promise; volunteers only their own moves.
const R: &[crate::Role] = ALL;
const W: &[crate::Role] = ADMIN_SUPERVISOR_VOLUNTEER;

pub const FIELDS: &[FieldDef] = &[
    FieldDef::new(
        field::ITEM_ID,
        "物资",
        "item",
        Reference("supply_item"),
        R,
        W,
    ),
    FieldDef::text(field::SITE, "站点", "site", NAME_LEN, R, W),
    FieldDef::new(field::KIND, "类型", "kind", Enum(KINDS), R, W),
    FieldDef::new(field::QUANTITY, "数量", "quantity", Integer, R, W).with_check(Check::Range {
        min: -1_000_000_000,
        max: 1_000_000_000,
    }),
    FieldDef::new(field::AT, "时间", "at", Timestamp, R, W),
    FieldDef::new(
        field::DELIVERY_ID,
        "配送记录",
        "delivery",
        Reference("pack_delivery"),
        R,
        W,
    ),
    FieldDef::new(
        field::WORKER_ID,
        "经办人",
        "by",
        Reference("user_profile"),
        R,
        W,
    ),
    FieldDef::text(field::NOTE, "备注", "note", NOTES_LEN, R, W),
    // Corrections are new `adjusted` moves; deleting one is for admins and supervisors, and for
    // a volunteer undoing the same day a delivery they marked (the server's judge holds them to
    // the moves of their own deliveries).
    FieldDef::deleted(R, ADMIN_SUPERVISOR_VOLUNTEER),
];

pub const ENTITY: EntityDef = EntityDef {
    name: NAME,
    zh: "出入库",
    en: "stock move",
    grid_scoped: false,
    fields: FIELDS,
    rules: "Volunteers may create only moves of kind \"delivered\" for deliveries assigned to them, with worker_id their own user id, and receive only their own moves. Added (issue 15): a volunteer may delete (withdraw) a move of kind \"delivered\" of their own, for a delivery assigned to them, when undoing that delivery.",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stock_is_the_sum_of_moves() {
        let moves = [
            (RECEIVED, 100),
            (PACKED, 40),
            (DELIVERED, 3),
            (DELIVERED, 2),
            (EXPIRED, 5),
            (ADJUSTED, -1),
            (ADJUSTED, 2),
        ];
        let on_hand: i64 = moves.iter().map(|(k, q)| stock_delta(k, *q)).sum();
        assert_eq!(on_hand, 91);
        // A sign slip on a count cannot turn a delivery into a receipt.
        assert_eq!(stock_delta(DELIVERED, -3), -3);
        assert_eq!(stock_delta(RECEIVED, -3), 3);
        assert_eq!(stock_delta("lost", 3), 0);
        assert_eq!(stock_delta(DELIVERED, i64::MIN), -i64::MAX);
    }
}
