//! `report`: a report sent upward, kept (贯彻落实…进展情况，请及时报): which (daily or weekly), for
//! which day and grids, who sent it and when, and its total figures as sent. Aggregates only: no
//! resident is named in one. Filed under the first of its grids, so a supervisor receives (and
//! may change) only reports of their own grids. Added (issue 17).

use super::NOTES_LEN;
use crate::schema::roles::{ADMIN_SUPERVISOR, ADMIN_SUPERVISOR_OFFICE};
use crate::schema::{EntityDef, FieldDef, FieldType::*};

/// This entity's name on the wire.
pub const NAME: &str = "report";

/// The name of every field, spelled once: code reads records through these, never a literal.
pub mod field {
    crate::schema::field_names! {
        GRID_ID = "grid_id",
        KIND = "kind",
        DATE = "date",
        GRIDS = "grids",
        GRID_NAMES = "grid_names",
        SENT_AT = "sent_at",
        SENDER_ID = "sender_id",
        FIGURES = "figures",
    }
}

pub const DAILY: &str = "daily";
pub const WEEKLY: &str = "weekly";
pub const KINDS: &[&str] = &[DAILY, WEEKLY];

// The level above reads the reports of its communities (added, issue 17 item 6).
const R: &[crate::Role] = ADMIN_SUPERVISOR_OFFICE;
const W: &[crate::Role] = ADMIN_SUPERVISOR;

pub const FIELDS: &[FieldDef] = &[
    // Filed under the first of its grids: a supervisor receives the reports of their own grids.
    FieldDef::new(field::GRID_ID, "所属网格", "grid", Reference("grid"), R, W),
    FieldDef::new(field::KIND, "报表", "kind", Enum(KINDS), R, W),
    FieldDef::new(field::DATE, "统计日期", "date", Date, R, W),
    FieldDef::text(field::GRIDS, "网格编号", "grid ids", NOTES_LEN, R, W),
    FieldDef::text(field::GRID_NAMES, "网格", "grids", NOTES_LEN, R, W),
    FieldDef::new(field::SENT_AT, "报送时间", "sent at", Timestamp, R, W),
    FieldDef::new(
        field::SENDER_ID,
        "报送人",
        "sent by",
        Reference("user_profile"),
        R,
        W,
    ),
    FieldDef::text(field::FIGURES, "合计数据", "total figures", NOTES_LEN, R, W),
    FieldDef::deleted(R, W),
];

pub const ENTITY: EntityDef = EntityDef {
    name: NAME,
    zh: "报送记录",
    en: "report sent",
    grid_scoped: true,
    fields: FIELDS,
    rules: "Scoped by grid_id, the first of its grids; supervisors and admins only; aggregates, no resident. Added (issue 17).",
};
