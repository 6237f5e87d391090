//! `need`: something a resident needs (medicine, a referral, ...), raised by a grid worker and
//! assigned, escalated and resolved by supervisors.

use super::NOTES_LEN;
use crate::schema::roles::STAFF;
use crate::schema::{EntityDef, FieldDef, FieldType::*};

pub const KINDS: &[&str] = &[
    "medicine",
    "antigen_kits",
    "referral",
    "emergency",
    "daily_living",
    "psychological",
];
pub const URGENCIES: &[&str] = &["normal", "urgent", "emergency"];
pub const STATUSES: &[&str] = &["open", "in_progress", "resolved", "cancelled"];

const R: &[crate::Role] = STAFF;
const W: &[crate::Role] = STAFF;

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
    FieldDef::new("kind", "需求类型", "kind", Enum(KINDS), R, W),
    FieldDef::new("urgency", "紧急程度", "urgency", Enum(URGENCIES), R, W),
    FieldDef::text("description", "需求说明", "description", NOTES_LEN, R, W),
    FieldDef::new("status", "处理状态", "status", Enum(STATUSES), R, W),
    FieldDef::new(
        "assignee_id",
        "负责人",
        "assignee",
        Reference("user_profile"),
        R,
        W,
    ),
    FieldDef::text("resolution", "处理结果", "resolution", NOTES_LEN, R, W),
    FieldDef::new("created_at", "提出时间", "raised at", Timestamp, R, W),
    FieldDef::new("resolved_at", "解决时间", "resolved at", Timestamp, R, W),
    FieldDef::new("escalated", "已上报", "escalated", Boolean, R, W),
    FieldDef::deleted(R, W),
];

pub const ENTITY: EntityDef = EntityDef {
    name: "need",
    zh: "需求",
    en: "need",
    grid_scoped: true,
    fields: FIELDS,
    rules: "Scoped by grid_id to the user's grids.",
};
