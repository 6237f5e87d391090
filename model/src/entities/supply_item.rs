//! `supply_item`: a kind of supply in the stock (a medicine, antigen kits, ...). How many there
//! are is never a field: it is the sum of `stock_move` records.

use super::{NAME_LEN, SHORT_LEN};
use crate::schema::roles::{ADMIN_SUPERVISOR, ALL};
use crate::schema::{Check, EntityDef, FieldDef, FieldType::*};

/// This entity's name on the wire.
pub const NAME: &str = "supply_item";

/// The name of every field, spelled once: code reads records through these, never a literal.
pub mod field {
    crate::schema::field_names! {
        NAME = "name",
        UNIT = "unit",
        KIND = "kind",
        LOW_STOCK_THRESHOLD = "low_stock_threshold",
        RESUPPLY_DAYS = "resupply_days",
    }
}

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
    FieldDef::text(field::NAME, "物资名称", "name", NAME_LEN, R, W),
    FieldDef::text(field::UNIT, "单位", "unit", SHORT_LEN, R, W),
    FieldDef::new(field::KIND, "物资类别", "kind", Enum(KINDS), R, W),
    FieldDef::new(
        field::LOW_STOCK_THRESHOLD,
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
    // How many days one issue of protective gear lasts a worker before a re-supply is due
    // (added, issue 17).
    FieldDef::new(
        field::RESUPPLY_DAYS,
        "补发周期（天）",
        "re-supply after (days)",
        Integer,
        R,
        W,
    )
    .with_check(Check::Range { min: 1, max: 365 }),
    FieldDef::deleted(R, W),
];

pub const ENTITY: EntityDef = EntityDef {
    name: NAME,
    zh: "物资",
    en: "supply item",
    grid_scoped: false,
    fields: FIELDS,
    rules: "",
};
