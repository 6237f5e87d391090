//! `pack_plan_item`: what one health pack of a batch (`plan_id`) holds, item by item, and from
//! which site's stock: a delivery marked delivered draws exactly this from stock.

use super::SHORT_LEN;
use crate::schema::roles::{ADMIN_SUPERVISOR, ALL};
use crate::schema::{Check, EntityDef, FieldDef, FieldType::*};

pub const FIELDS: &[FieldDef] = &[
    FieldDef::text(
        "plan_id",
        "发放批次",
        "plan",
        SHORT_LEN,
        ALL,
        ADMIN_SUPERVISOR,
    ),
    FieldDef::new(
        "item_id",
        "物资",
        "item",
        Reference("supply_item"),
        ALL,
        ADMIN_SUPERVISOR,
    ),
    FieldDef::new(
        "quantity",
        "每包数量",
        "quantity per pack",
        Integer,
        ALL,
        ADMIN_SUPERVISOR,
    )
    .with_check(Check::Range { min: 1, max: 1000 }),
    FieldDef::text(
        "site",
        "出库点",
        "from site",
        SHORT_LEN,
        ALL,
        ADMIN_SUPERVISOR,
    ),
    FieldDef::deleted(ALL, ADMIN_SUPERVISOR),
];

pub const ENTITY: EntityDef = EntityDef {
    name: "pack_plan_item",
    zh: "健康包内容",
    en: "health pack content",
    grid_scoped: false,
    fields: FIELDS,
    rules: "Readable by every role (a volunteer's phone needs it to record what a delivery took from stock); written by supervisors.",
};
