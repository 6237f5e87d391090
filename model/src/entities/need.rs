//! `need`: something a resident needs (medicine, a referral, ...), raised by a grid worker and
//! assigned, escalated and resolved by supervisors.

use super::NOTES_LEN;
use crate::schema::roles::STAFF;
use crate::schema::{EntityDef, FieldDef, FieldType::*};

/// This entity's name on the wire.
pub const NAME: &str = "need";

/// The name of every field, spelled once: code reads records through these, never a literal.
pub mod field {
    crate::schema::field_names! {
        GRID_ID = "grid_id",
        RESIDENT_ID = "resident_id",
        KIND = "kind",
        URGENCY = "urgency",
        DESCRIPTION = "description",
        STATUS = "status",
        ASSIGNEE_ID = "assignee_id",
        RESOLUTION = "resolution",
        CREATED_AT = "created_at",
        RESOLVED_AT = "resolved_at",
        ESCALATED = "escalated",
    }
}

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
    FieldDef::new(field::GRID_ID, "所属网格", "grid", Reference("grid"), R, W),
    FieldDef::new(
        field::RESIDENT_ID,
        "居民",
        "resident",
        Reference("resident"),
        R,
        W,
    ),
    FieldDef::new(field::KIND, "需求类型", "kind", Enum(KINDS), R, W),
    FieldDef::new(field::URGENCY, "紧急程度", "urgency", Enum(URGENCIES), R, W),
    FieldDef::text(
        field::DESCRIPTION,
        "需求说明",
        "description",
        NOTES_LEN,
        R,
        W,
    ),
    FieldDef::new(field::STATUS, "处理状态", "status", Enum(STATUSES), R, W),
    FieldDef::new(
        field::ASSIGNEE_ID,
        "负责人",
        "assignee",
        Reference("user_profile"),
        R,
        W,
    ),
    FieldDef::text(field::RESOLUTION, "处理结果", "resolution", NOTES_LEN, R, W),
    FieldDef::new(field::CREATED_AT, "提出时间", "raised at", Timestamp, R, W),
    FieldDef::new(
        field::RESOLVED_AT,
        "解决时间",
        "resolved at",
        Timestamp,
        R,
        W,
    ),
    FieldDef::new(field::ESCALATED, "已上报", "escalated", Boolean, R, W),
    FieldDef::deleted(R, W),
];

pub const ENTITY: EntityDef = EntityDef {
    name: NAME,
    zh: "需求",
    en: "need",
    grid_scoped: true,
    fields: FIELDS,
    rules: "Scoped by grid_id to the user's grids.",
};

/// How long a need may stay open before it counts as overdue, by urgency: an emergency within
/// the hour, an urgent need within a day, any other within three days.
pub fn response_hours(urgency: Option<&str>) -> i64 {
    match urgency {
        Some("emergency") => 1,
        Some("urgent") => 24,
        _ => 72,
    }
}

/// Whether an open need raised at `created_at_ms` is overdue at `now_ms`.
pub fn is_overdue(urgency: Option<&str>, created_at_ms: Option<i64>, now_ms: i64) -> bool {
    created_at_ms.is_some_and(|at| now_ms - at > response_hours(urgency) * 3_600_000)
}

#[cfg(test)]
mod overdue_tests {
    use super::*;

    #[test]
    fn urgency_sets_how_long_a_need_may_wait() {
        let h = 3_600_000;
        assert!(!is_overdue(Some("emergency"), Some(0), h));
        assert!(is_overdue(Some("emergency"), Some(0), h + 1));
        assert!(!is_overdue(Some("urgent"), Some(0), 24 * h));
        assert!(is_overdue(Some("urgent"), Some(0), 24 * h + 1));
        assert!(is_overdue(None, Some(0), 72 * h + 1));
        assert!(
            !is_overdue(Some("normal"), None, i64::MAX),
            "no creation time, no claim"
        );
    }
}
