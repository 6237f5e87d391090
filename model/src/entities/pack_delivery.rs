//! `pack_delivery`: one health pack (健康爱心包) for one resident, its own record so that
//! deliveries never overwrite each other. Volunteers only move its status.

use super::{NOTES_LEN, SHORT_LEN};
use crate::schema::roles::{ALL, STAFF};
use crate::schema::{EntityDef, FieldDef, FieldType::*};
use crate::Role::{self, *};

pub const STATUSES: &[&str] = &["pending", "delivered", "not_home", "refused"];

const R: &[Role] = ALL;
const W: &[Role] = STAFF;
/// The status fields, the only ones a volunteer writes.
const WS: &[Role] = &[Admin, Supervisor, GridWorker, Volunteer];

pub const FIELDS: &[FieldDef] = &[
    FieldDef::new("grid_id", "所属网格", "grid", Reference("grid"), R, W),
    FieldDef::new(
        "resident_id",
        "居民",
        "resident",
        Reference("resident"),
        R,
        W,
    ),
    FieldDef::new(
        "household_id",
        "住户",
        "household",
        Reference("household"),
        R,
        W,
    ),
    FieldDef::new(
        "volunteer_id",
        "配送志愿者",
        "volunteer",
        Reference("user_profile"),
        R,
        W,
    ),
    // Batches of packs are planned outside Knock; the plan id only groups deliveries.
    FieldDef::text("plan_id", "发放批次", "plan", SHORT_LEN, R, W),
    FieldDef::text("contents", "包内物品", "contents", NOTES_LEN, R, W),
    FieldDef::new("status", "配送状态", "status", Enum(STATUSES), R, WS),
    FieldDef::new("status_at", "状态时间", "status at", Timestamp, R, WS),
    FieldDef::text("note", "备注", "note", NOTES_LEN, R, WS),
    FieldDef::deleted(R, W),
];

pub const ENTITY: EntityDef = EntityDef {
    name: "pack_delivery",
    zh: "健康包配送",
    en: "health pack delivery",
    grid_scoped: true,
    fields: FIELDS,
    rules: "Scoped by grid_id to the user's grids. Volunteers receive and may update only deliveries whose volunteer_id is their own user id, and may not create deliveries.",
};
