//! `mobilisation`: one attempt to bring a resident to vaccination (疫苗接种动员, 应接尽接) and how
//! it went — agreed, refused with a reason, or vaccinated on a date. Added (issue 16).

use super::NOTES_LEN;
use crate::schema::roles::{ADMIN_WORKER, STAFF};
use crate::schema::{EntityDef, FieldDef, FieldType::*};

/// This entity's name on the wire.
pub const NAME: &str = "mobilisation";

/// The name of every field, spelled once: code reads records through these, never a literal.
pub mod field {
    crate::schema::field_names! {
        GRID_ID = "grid_id",
        RESIDENT_ID = "resident_id",
        HOUSEHOLD_ID = "household_id",
        OUTCOME = "outcome",
        REASON = "reason",
        VACCINATED_ON = "vaccinated_on",
        AT = "at",
        WORKER_ID = "worker_id",
        NOTES = "notes",
    }
}

pub const AGREED: &str = "agreed";
pub const REFUSED: &str = "refused";
pub const VACCINATED: &str = "vaccinated";
pub const OUTCOMES: &[&str] = &[AGREED, REFUSED, VACCINATED];

const R: &[crate::Role] = STAFF;
const W: &[crate::Role] = ADMIN_WORKER;

pub const FIELDS: &[FieldDef] = &[
    FieldDef::new(field::GRID_ID, "所属网格", "grid", Reference("grid"), R, W),
    FieldDef::new(
        field::RESIDENT_ID,
        "居民",
        "resident",
        Reference("resident"),
        R,
        W,
    ),
    FieldDef::new(
        field::HOUSEHOLD_ID,
        "住户",
        "household",
        Reference("household"),
        R,
        W,
    ),
    FieldDef::new(field::OUTCOME, "动员结果", "outcome", Enum(OUTCOMES), R, W),
    FieldDef::text(field::REASON, "拒绝原因", "reason refused", NOTES_LEN, R, W),
    FieldDef::new(
        field::VACCINATED_ON,
        "接种日期",
        "vaccinated on",
        Date,
        R,
        W,
    ),
    FieldDef::new(field::AT, "动员时间", "mobilised at", Timestamp, R, W),
    FieldDef::new(
        field::WORKER_ID,
        "动员人",
        "mobilised by",
        Reference("user_profile"),
        R,
        W,
    ),
    FieldDef::text(field::NOTES, "备注", "notes", NOTES_LEN, R, W),
    FieldDef::deleted(R, W),
];

pub const ENTITY: EntityDef = EntityDef {
    name: NAME,
    zh: "接种动员",
    en: "vaccination mobilisation",
    grid_scoped: true,
    fields: FIELDS,
    rules: "Scoped by grid_id to the user's grids, like visits. Added (issue 16).",
};
