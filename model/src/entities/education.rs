//! `education`: a household (or one of its residents) received health education (科普宣教): which
//! of the app's guides, and how — in person, by phone, in the WeChat group, on the notice board or
//! by loudspeaker. A record of its own, so the overview and the daily report count coverage.

use super::NOTES_LEN;
use crate::schema::roles::{ADMIN_WORKER, STAFF};
use crate::schema::{EntityDef, FieldDef, FieldType::*};

/// This entity's name on the wire.
pub const NAME: &str = "education";

/// The name of every field, spelled once: code reads records through these, never a literal.
pub mod field {
    crate::schema::field_names! {
        GRID_ID = "grid_id",
        HOUSEHOLD_ID = "household_id",
        RESIDENT_ID = "resident_id",
        GUIDE = "guide",
        CHANNEL = "channel",
        GIVEN_AT = "given_at",
        WORKER_ID = "worker_id",
        NOTES = "notes",
    }
}

/// The guides shipped with the app, by id (their text is the app's own, `app/src/guides/`).
pub const GUIDES: &[&str] = &[
    "antigen_self_test",
    "medicines_at_home",
    "warning_signs",
    "elderly_care",
    "pregnancy_children",
];

pub const CHANNELS: &[&str] = &[
    "in_person",
    "phone",
    "wechat_group",
    "notice_board",
    "loudspeaker",
];

const R: &[crate::Role] = STAFF;
const W: &[crate::Role] = ADMIN_WORKER;

pub const FIELDS: &[FieldDef] = &[
    FieldDef::new(field::GRID_ID, "所属网格", "grid", Reference("grid"), R, W),
    FieldDef::new(
        field::HOUSEHOLD_ID,
        "住户",
        "household",
        Reference("household"),
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
    FieldDef::new(field::GUIDE, "宣教内容", "guide", Enum(GUIDES), R, W),
    FieldDef::new(field::CHANNEL, "宣教方式", "channel", Enum(CHANNELS), R, W),
    FieldDef::new(field::GIVEN_AT, "宣教时间", "given at", Timestamp, R, W),
    FieldDef::new(
        field::WORKER_ID,
        "宣教人",
        "given by",
        Reference("user_profile"),
        R,
        W,
    ),
    FieldDef::text(field::NOTES, "备注", "notes", NOTES_LEN, R, W),
    FieldDef::deleted(R, W),
];

pub const ENTITY: EntityDef = EntityDef {
    name: NAME,
    zh: "宣教记录",
    en: "health education",
    grid_scoped: true,
    fields: FIELDS,
    rules: "Scoped by grid_id to the user's grids, like visits. Added (issue 16).",
};
