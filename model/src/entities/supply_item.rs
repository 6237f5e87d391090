//! `supply_item`: a kind of supply in the stock (a medicine, antigen kits, ...). How many there
//! are is never a field: it is the sum of `stock_move` records.

use super::{NAME_LEN, SHORT_LEN};
use crate::schema::roles::{ADMIN_SUPERVISOR, ALL};
use crate::schema::{Check, EntityDef, FieldDef, FieldType::*};

pub const KINDS: &[&str] = &[
    "medicine",
    "antigen_kit",
    "mask",
    "oximeter",
    "protective_gear",
    "other",
];

// The catalogue is not personal data; volunteers read it to name what they delivered.
const R: &[crate::Role] = ALL;
const W: &[crate::Role] = ADMIN_SUPERVISOR;

pub const FIELDS: &[FieldDef] = &[
    FieldDef::text("name", "物资名称", "name", NAME_LEN, R, W),
    FieldDef::text("unit", "单位", "unit", SHORT_LEN, R, W),
    FieldDef::new("kind", "物资类别", "kind", Enum(KINDS), R, W),
    FieldDef::new(
        "low_stock_threshold",
        "库存预警线",
        "low-stock threshold",
        Integer,
        R,
        W,
    )
    .with_check(Check::Range {
        min: 0,
        max: 1_000_000_000,
    }),
    FieldDef::deleted(R, W),
];

pub const ENTITY: EntityDef = EntityDef {
    name: "supply_item",
    zh: "物资",
    en: "supply item",
    grid_scoped: false,
    fields: FIELDS,
    rules: "",
};
