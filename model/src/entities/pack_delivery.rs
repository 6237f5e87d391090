//! `pack_delivery`: one health pack (健康爱心包) for one resident, its own record so that
//! deliveries never overwrite each other. Volunteers only move its status.

use super::{NOTES_LEN, SHORT_LEN};
use crate::schema::roles::{ALL, STAFF};
use crate::schema::{EntityDef, FieldDef, FieldType::*};
use crate::Role::{self, *};

/// This entity's name on the wire.
pub const NAME: &str = "pack_delivery";

/// The name of every field, spelled once: code reads records through these, never a literal.
pub mod field {
    crate::schema::field_names! {
        GRID_ID = "grid_id",
        RESIDENT_ID = "resident_id",
        HOUSEHOLD_ID = "household_id",
        VOLUNTEER_ID = "volunteer_id",
        PLAN_ID = "plan_id",
        CONTENTS = "contents",
        STATUS = "status",
        STATUS_AT = "status_at",
        NOTE = "note",
    }
}

/// A delivery waits to be made; one without a status yet counts as pending.
pub const PENDING: &str = "pending";
pub const DELIVERED: &str = "delivered";
pub const NOT_HOME: &str = "not_home";
pub const REFUSED: &str = "refused";
pub const STATUSES: &[&str] = &[PENDING, DELIVERED, NOT_HOME, REFUSED];

const R: &[Role] = ALL;
const W: &[Role] = STAFF;
/// The status fields, the only ones a volunteer writes.
const WS: &[Role] = &[Admin, Supervisor, GridWorker, BuildingLeader, Volunteer];

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
    FieldDef::new(
        field::VOLUNTEER_ID,
        "配送志愿者",
        "volunteer",
        Reference("user_profile"),
        R,
        W,
    ),
    // Batches of packs are planned outside Knock; the plan id only groups deliveries.
    FieldDef::text(field::PLAN_ID, "发放批次", "plan", SHORT_LEN, R, W),
    FieldDef::text(field::CONTENTS, "包内物品", "contents", NOTES_LEN, R, W),
    FieldDef::new(field::STATUS, "配送状态", "status", Enum(STATUSES), R, WS),
    FieldDef::new(field::STATUS_AT, "状态时间", "status at", Timestamp, R, WS),
    FieldDef::text(field::NOTE, "备注", "note", NOTES_LEN, R, WS),
    FieldDef::deleted(R, W),
];

pub const ENTITY: EntityDef = EntityDef {
    name: NAME,
    zh: "健康包配送",
    en: "health pack delivery",
    grid_scoped: true,
    fields: FIELDS,
    rules: "Scoped by grid_id to the user's grids. Volunteers receive and may update only deliveries whose volunteer_id is their own user id, and may not create deliveries.",
};
