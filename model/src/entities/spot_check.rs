//! `spot_check`: a supervisor's check of one recorded visit (抽查, 四不两直、电话随访): did it
//! happen, and what the resident said. Supervisors' alone: grid workers never read a result,
//! not even of their own visits. Added (issue 17).

use super::NOTES_LEN;
use crate::schema::roles::ADMIN_SUPERVISOR;
use crate::schema::{EntityDef, FieldDef, FieldType::*};

/// This entity's name on the wire.
pub const NAME: &str = "spot_check";

/// The name of every field, spelled once: code reads records through these, never a literal.
pub mod field {
    crate::schema::field_names! {
        GRID_ID = "grid_id",
        VISIT_ID = "visit_id",
        RESIDENT_ID = "resident_id",
        WORKER_ID = "worker_id",
        METHOD = "method",
        RESULT = "result",
        SAID = "said",
        CHECKED_AT = "checked_at",
        CHECKER_ID = "checker_id",
    }
}

pub const CONFIRMED: &str = "confirmed";
pub const NOT_CONFIRMED: &str = "not_confirmed";
pub const UNREACHABLE: &str = "unreachable";
pub const RESULTS: &[&str] = &[CONFIRMED, NOT_CONFIRMED, UNREACHABLE];
/// By phone, or at the door unannounced (四不两直).
pub const METHODS: &[&str] = &["phone", "in_person"];

const R: &[crate::Role] = ADMIN_SUPERVISOR;
const W: &[crate::Role] = ADMIN_SUPERVISOR;

pub const FIELDS: &[FieldDef] = &[
    FieldDef::new(field::GRID_ID, "所属网格", "grid", Reference("grid"), R, W),
    FieldDef::new(
        field::VISIT_ID,
        "走访记录",
        "visit",
        Reference("visit"),
        R,
        W,
    ),
    FieldDef::new(
        field::RESIDENT_ID,
        "居民",
        "resident",
        Reference("resident"),
        R,
        W,
    ),
    FieldDef::new(
        field::WORKER_ID,
        "被抽查人",
        "worker checked",
        Reference("user_profile"),
        R,
        W,
    ),
    FieldDef::new(field::METHOD, "抽查方式", "method", Enum(METHODS), R, W),
    FieldDef::new(field::RESULT, "抽查结果", "result", Enum(RESULTS), R, W),
    FieldDef::text(
        field::SAID,
        "居民反映",
        "what the resident said",
        NOTES_LEN,
        R,
        W,
    ),
    FieldDef::new(field::CHECKED_AT, "抽查时间", "checked at", Timestamp, R, W),
    FieldDef::new(
        field::CHECKER_ID,
        "抽查人",
        "checked by",
        Reference("user_profile"),
        R,
        W,
    ),
    FieldDef::deleted(R, W),
];

pub const ENTITY: EntityDef = EntityDef {
    name: NAME,
    zh: "走访抽查",
    en: "spot check",
    grid_scoped: true,
    fields: FIELDS,
    rules: "Scoped by grid_id; supervisors and admins only: grid workers and volunteers receive none. Added (issue 17).",
};
