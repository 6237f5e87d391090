//! `support_request`: a worker's private request for psychological support (心理疏导, issue 17).
//! Filed under the worker's grid so their supervisors receive it; only supervisors and admins
//! read it — not other workers, and not the worker's own phone after it was sent — and it is no
//! resident's need: it never shows on the needs board or in any figure of residents.

use super::NOTES_LEN;
use crate::schema::roles::{ADMIN_SUPERVISOR, STAFF};
use crate::schema::{EntityDef, FieldDef, FieldType::*};

/// This entity's name on the wire.
pub const NAME: &str = "support_request";

/// The name of every field, spelled once: code reads records through these, never a literal.
pub mod field {
    crate::schema::field_names! {
        GRID_ID = "grid_id",
        WORKER_ID = "worker_id",
        ASKED_AT = "asked_at",
        WAY = "way",
        NOTE = "note",
        STATUS = "status",
        HANDLER_ID = "handler_id",
        HANDLED_AT = "handled_at",
    }
}

/// How the worker would like to be supported.
pub const WAYS: &[&str] = &["phone", "in_person", "counsellor"];
/// Asked; a supervisor has arranged the support; it took place.
pub const ASKED: &str = "asked";
pub const ARRANGED: &str = "arranged";
pub const DONE: &str = "done";
pub const STATUSES: &[&str] = &[ASKED, ARRANGED, DONE];

/// Supervisors and admins read it; every staff role may send one (the server lets a grid worker
/// or building leader only create a request of their own, never read or change one).
const R: &[crate::Role] = ADMIN_SUPERVISOR;
const W: &[crate::Role] = STAFF;

pub const FIELDS: &[FieldDef] = &[
    FieldDef::new(field::GRID_ID, "所属网格", "grid", Reference("grid"), R, W),
    FieldDef::new(
        field::WORKER_ID,
        "申请人",
        "worker",
        Reference("user_profile"),
        R,
        W,
    ),
    FieldDef::new(field::ASKED_AT, "申请时间", "asked at", Timestamp, R, W),
    FieldDef::new(field::WAY, "希望的方式", "way", Enum(WAYS), R, W),
    FieldDef::text(field::NOTE, "想说的话", "note", NOTES_LEN, R, W),
    FieldDef::new(field::STATUS, "处理状态", "status", Enum(STATUSES), R, W),
    FieldDef::new(
        field::HANDLER_ID,
        "安排人",
        "arranged by",
        Reference("user_profile"),
        R,
        W,
    ),
    FieldDef::new(
        field::HANDLED_AT,
        "安排时间",
        "arranged at",
        Timestamp,
        R,
        W,
    ),
    FieldDef::deleted(R, W),
];

pub const ENTITY: EntityDef = EntityDef {
    name: NAME,
    zh: "心理疏导申请",
    en: "support request",
    grid_scoped: true,
    fields: FIELDS,
    rules: "Scoped by grid_id; read by supervisors and admins only. A grid worker or building leader may only create a request of their own (worker_id their user id), never change one. Added (issue 17).",
};
