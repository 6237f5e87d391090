//! `pack_plan_item`: what one health pack of a batch (`plan_id`) holds, item by item, and from
//! which site's stock: a delivery marked delivered draws exactly this from stock.

use super::SHORT_LEN;
use crate::schema::roles::{ADMIN_SUPERVISOR, ALL};
use crate::schema::{Check, EntityDef, FieldDef, FieldType::*};

/// This entity's name on the wire.
pub const NAME: &str = "pack_plan_item";

/// The name of every field, spelled once: code reads records through these, never a literal.
pub mod field {
    crate::schema::field_names! {
        PLAN_ID = "plan_id",
        ITEM_ID = "item_id",
        QUANTITY = "quantity",
        SITE = "site",
    }
}

pub const FIELDS: &[FieldDef] = &[
    FieldDef::text(
        field::PLAN_ID,
        "发放批次",
        "plan",
        SHORT_LEN,
        ALL,
        ADMIN_SUPERVISOR,
    ),
    FieldDef::new(
        field::ITEM_ID,
        "物资",
        "item",
        Reference("supply_item"),
        ALL,
        ADMIN_SUPERVISOR,
    ),
    FieldDef::new(
        field::QUANTITY,
        "每包数量",
        "quantity per pack",
        Integer,
        ALL,
        ADMIN_SUPERVISOR,
    )
    .with_check(Check::Range { min: 1, max: 1000 }),
    FieldDef::text(
        field::SITE,
        "出库点",
        "from site",
        SHORT_LEN,
        ALL,
        ADMIN_SUPERVISOR,
    ),
    FieldDef::deleted(ALL, ADMIN_SUPERVISOR),
];

pub const ENTITY: EntityDef = EntityDef {
    name: NAME,
    zh: "健康包内容",
    en: "health pack content",
    grid_scoped: false,
    fields: FIELDS,
    rules: "Readable by every role (a volunteer's phone needs it to record what a delivery took from stock); written by supervisors.",
};
