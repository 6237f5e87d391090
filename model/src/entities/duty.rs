//! `duty`: one day of a grid's rest rota (轮休、补休, issue 17): whether its worker is on duty,
//! resting or taking a make-up day off, and who covers the grid while they rest. Kept by
//! supervisors; the grid's staff read it, and the cover's Today holds the covered grid's due
//! list on that day (the server gives the cover the grid for the day).

use super::NOTES_LEN;
use crate::schema::roles::{ADMIN_SUPERVISOR, STAFF};
use crate::schema::{EntityDef, FieldDef, FieldType::*};

/// This entity's name on the wire.
pub const NAME: &str = "duty";

/// The name of every field, spelled once: code reads records through these, never a literal.
pub mod field {
    crate::schema::field_names! {
        GRID_ID = "grid_id",
        WORKER_ID = "worker_id",
        DATE = "date",
        KIND = "kind",
        COVER_ID = "cover_id",
        NOTE = "note",
    }
}

pub const ON_DUTY: &str = "on_duty";
pub const REST: &str = "rest";
pub const MAKE_UP: &str = "make_up";
pub const KINDS: &[&str] = &[ON_DUTY, REST, MAKE_UP];

/// Whether a day of this kind is a day off, which a cover may take over.
pub fn is_day_off(kind: Option<&str>) -> bool {
    matches!(kind, Some(REST | MAKE_UP))
}

const R: &[crate::Role] = STAFF;
const W: &[crate::Role] = ADMIN_SUPERVISOR;

pub const FIELDS: &[FieldDef] = &[
    FieldDef::new(field::GRID_ID, "所属网格", "grid", Reference("grid"), R, W),
    FieldDef::new(
        field::WORKER_ID,
        "网格员",
        "worker",
        Reference("user_profile"),
        R,
        W,
    ),
    FieldDef::new(field::DATE, "日期", "date", Date, R, W),
    FieldDef::new(field::KIND, "安排", "kind", Enum(KINDS), R, W),
    FieldDef::new(
        field::COVER_ID,
        "代班人",
        "covered by",
        Reference("user_profile"),
        R,
        W,
    ),
    FieldDef::text(field::NOTE, "备注", "note", NOTES_LEN, R, W),
    FieldDef::deleted(R, W),
];

pub const ENTITY: EntityDef = EntityDef {
    name: NAME,
    zh: "轮休安排",
    en: "duty",
    grid_scoped: true,
    fields: FIELDS,
    rules: "Scoped by grid_id; written by supervisors. On a day off (rest or make_up) the cover_id's grid worker also receives and writes the grid's records for that day (China time). Added (issue 17).",
};
