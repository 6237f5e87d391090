//! `gathering`: a planned wedding, funeral or other gathering in a community or village (红白理事会:
//! 引导居民群众合理控制婚丧嫁娶等活动规模): when, where, how many are expected, the advice given,
//! and afterwards what happened. Added (issue 17).

use super::{ADDRESS_LEN, NAME_LEN, NOTES_LEN};
use crate::schema::roles::STAFF;
use crate::schema::{Check, EntityDef, FieldDef, FieldType::*};

/// This entity's name on the wire.
pub const NAME: &str = "gathering";

/// The name of every field, spelled once: code reads records through these, never a literal.
pub mod field {
    crate::schema::field_names! {
        GRID_ID = "grid_id",
        KIND = "kind",
        DATE = "date",
        PLACE = "place",
        ORGANISER = "organiser",
        PHONE = "phone",
        EXPECTED_SIZE = "expected_size",
        ADVICE = "advice",
        OUTCOME = "outcome",
        ACTUAL_SIZE = "actual_size",
    }
}

pub const KINDS: &[&str] = &["wedding", "funeral", "other"];

const R: &[crate::Role] = STAFF;
const W: &[crate::Role] = STAFF;

pub const FIELDS: &[FieldDef] = &[
    FieldDef::new(field::GRID_ID, "所属网格", "grid", Reference("grid"), R, W),
    FieldDef::new(field::KIND, "类型", "kind", Enum(KINDS), R, W),
    FieldDef::new(field::DATE, "日期", "date", Date, R, W),
    FieldDef::text(field::PLACE, "地点", "place", ADDRESS_LEN, R, W),
    FieldDef::text(field::ORGANISER, "承办人", "organiser", NAME_LEN, R, W),
    FieldDef::new(field::PHONE, "联系电话", "phone", Text, R, W).with_check(Check::Phone),
    FieldDef::new(
        field::EXPECTED_SIZE,
        "预计人数",
        "expected size",
        Integer,
        R,
        W,
    )
    .with_check(Check::Range {
        min: 0,
        max: 100_000,
    }),
    FieldDef::text(field::ADVICE, "劝导意见", "advice given", NOTES_LEN, R, W),
    FieldDef::text(field::OUTCOME, "实际情况", "what happened", NOTES_LEN, R, W),
    FieldDef::new(field::ACTUAL_SIZE, "实际人数", "actual size", Integer, R, W).with_check(
        Check::Range {
            min: 0,
            max: 100_000,
        },
    ),
    FieldDef::deleted(R, W),
];

pub const ENTITY: EntityDef = EntityDef {
    name: NAME,
    zh: "婚丧活动",
    en: "gathering",
    grid_scoped: true,
    fields: FIELDS,
    rules: "Scoped by grid_id to the user's grids. Added (issue 17).",
};
