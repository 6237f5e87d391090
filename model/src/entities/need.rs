//! `need`: something a resident needs (medicine, a referral, ...), raised by a grid worker and
//! assigned, escalated and resolved by supervisors; an escalated need is answered by the level
//! above (the street office, added issue 17) with a status that flows back.

use super::NOTES_LEN;
use crate::schema::roles::{ADMIN_OFFICE, STAFF, STAFF_OFFICE};
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
        UPWARD_STATUS = "upward_status",
        UPWARD_NOTE = "upward_note",
        UPWARD_AT = "upward_at",
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
pub const URGENCIES: &[&str] = &[NORMAL, URGENT, EMERGENCY];
pub const STATUSES: &[&str] = &[OPEN, IN_PROGRESS, RESOLVED, CANCELLED];
/// The level above's answer to an escalated need (added, issue 17): received, in hand, handled,
/// or returned to the community with a note saying why.
pub const UPWARD_STATUSES: &[&str] = &[RECEIVED, IN_HAND, HANDLED, RETURNED];
pub const RECEIVED: &str = "received";
pub const IN_HAND: &str = "in_hand";
pub const HANDLED: &str = "handled";
pub const RETURNED: &str = "returned";

/// The kind and the urgency that make a need an emergency.
pub const EMERGENCY: &str = "emergency";
pub const URGENT: &str = "urgent";
/// The urgency of a need that names none: what a new need starts with and a filter reads it as.
pub const NORMAL: &str = "normal";
pub const OPEN: &str = "open";
pub const IN_PROGRESS: &str = "in_progress";
pub const RESOLVED: &str = "resolved";
pub const CANCELLED: &str = "cancelled";

/// The street office reads the needs escalated to it, whole (its share: the server's).
const R: &[crate::Role] = STAFF_OFFICE;
const W: &[crate::Role] = STAFF;
/// The level above's answer: theirs (and an admin's) to write.
const UP: &[crate::Role] = ADMIN_OFFICE;

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
    FieldDef::new(
        field::UPWARD_STATUS,
        "上级处理状态",
        "status above",
        Enum(UPWARD_STATUSES),
        R,
        UP,
    ),
    FieldDef::text(
        field::UPWARD_NOTE,
        "上级处理说明",
        "note from above",
        NOTES_LEN,
        R,
        UP,
    ),
    FieldDef::new(
        field::UPWARD_AT,
        "上级处理时间",
        "answered above at",
        Timestamp,
        R,
        UP,
    ),
    FieldDef::deleted(R, W),
];

pub const ENTITY: EntityDef = EntityDef {
    name: NAME,
    zh: "需求",
    en: "need",
    grid_scoped: true,
    fields: FIELDS,
    rules: "Scoped by grid_id to the user's grids. Added (issue 17): a street office receives the escalated needs of its grids and writes only their upward_status, upward_note and upward_at; once escalated, a need stays escalated.",
};

/// How long a need may stay open before it counts as overdue, by urgency: an emergency within
/// the hour, an urgent need within a day, any other within three days.
pub fn response_hours(urgency: Option<&str>) -> i64 {
    match urgency {
        Some(EMERGENCY) => 1,
        Some(URGENT) => 24,
        _ => 72,
    }
}

/// Whether an open need raised at `created_at_ms` is overdue at `now_ms`.
pub fn is_overdue(urgency: Option<&str>, created_at_ms: Option<i64>, now_ms: i64) -> bool {
    created_at_ms.is_some_and(|at| now_ms - at > response_hours(urgency) * 3_600_000)
}

/// Whether a need still waits for someone: open, in progress, or with no status yet (a need
/// whose first fields arrived before its status still counts).
pub fn is_open(status: Option<&str>) -> bool {
    matches!(status, Some(OPEN) | Some(IN_PROGRESS) | None)
}

/// An emergency by its urgency or by its kind: either must be seen first.
pub fn is_emergency(kind: Option<&str>, urgency: Option<&str>) -> bool {
    kind == Some(EMERGENCY) || urgency == Some(EMERGENCY)
}

/// Sort key of urgency: emergencies first, then urgent, then the rest.
pub fn urgency_rank(urgency: Option<&str>) -> u8 {
    match urgency {
        Some(EMERGENCY) => 0,
        Some(URGENT) => 1,
        _ => 2,
    }
}

/// One field's new value, as an edit of the device's store carries it.
pub type FieldEdit = (String, serde_json::Value);

/// The fields that open a new need for `resident_id` in `grid_id`, raised at `now_ms`; the
/// caller adds what was asked for (kind, urgency, description).
pub fn opening(grid_id: &str, resident_id: &str, now_ms: i64) -> Vec<FieldEdit> {
    use serde_json::json;
    vec![
        (field::GRID_ID.to_owned(), json!(grid_id)),
        (field::RESIDENT_ID.to_owned(), json!(resident_id)),
        (field::STATUS.to_owned(), json!(OPEN)),
        (field::CREATED_AT.to_owned(), json!(now_ms)),
    ]
}

/// The emergency need a visit with a severe warning sign raises in one tap.
pub fn emergency_from_visit(
    grid_id: &str,
    resident_id: &str,
    description: String,
    now_ms: i64,
) -> Vec<FieldEdit> {
    use serde_json::json;
    let mut fields = opening(grid_id, resident_id, now_ms);
    fields.extend([
        (field::KIND.to_owned(), json!(EMERGENCY)),
        (field::URGENCY.to_owned(), json!(EMERGENCY)),
        (field::DESCRIPTION.to_owned(), json!(description)),
    ]);
    fields
}

/// Moving a need to `status`; resolving also says when.
pub fn status_change(status: &str, now_ms: i64) -> Vec<FieldEdit> {
    use serde_json::json;
    let mut fields = vec![(field::STATUS.to_owned(), json!(status))];
    if status == RESOLVED {
        fields.push((field::RESOLVED_AT.to_owned(), json!(now_ms)));
    }
    fields
}

#[cfg(test)]
mod rule_tests {
    use super::*;
    use crate::record::{Fields, Values};

    fn record(edits: Vec<FieldEdit>) -> Values {
        edits.into_iter().collect()
    }

    #[test]
    fn an_emergency_from_a_visit_is_open_and_an_emergency() {
        let n = record(emergency_from_visit("g1", "r1", "血氧 90".into(), 1_000));
        assert_eq!(n.text(field::GRID_ID), Some("g1"));
        assert_eq!(n.text(field::RESIDENT_ID), Some("r1"));
        assert_eq!(n.int(field::CREATED_AT), Some(1_000));
        assert!(is_open(n.text(field::STATUS)));
        assert!(is_emergency(n.text(field::KIND), n.text(field::URGENCY)));
        assert_eq!(urgency_rank(n.text(field::URGENCY)), 0);
    }

    #[test]
    fn open_until_resolved_or_cancelled() {
        assert!(is_open(None) && is_open(Some(OPEN)) && is_open(Some(IN_PROGRESS)));
        assert!(!is_open(Some(RESOLVED)) && !is_open(Some(CANCELLED)));
        assert!(is_emergency(Some(EMERGENCY), Some(NORMAL)));
        assert!(is_emergency(Some("medicine"), Some(EMERGENCY)));
        assert!(!is_emergency(Some("medicine"), Some(URGENT)));
        let resolved = record(status_change(RESOLVED, 5));
        assert_eq!(resolved.int(field::RESOLVED_AT), Some(5));
        assert_eq!(status_change(CANCELLED, 5).len(), 1);
    }
}

#[cfg(test)]
mod overdue_tests {
    use super::*;

    #[test]
    fn urgency_sets_how_long_a_need_may_wait() {
        let h = 3_600_000;
        assert!(!is_overdue(Some(EMERGENCY), Some(0), h));
        assert!(is_overdue(Some(EMERGENCY), Some(0), h + 1));
        assert!(!is_overdue(Some(URGENT), Some(0), 24 * h));
        assert!(is_overdue(Some(URGENT), Some(0), 24 * h + 1));
        assert!(is_overdue(None, Some(0), 72 * h + 1));
        assert!(
            !is_overdue(Some(NORMAL), None, i64::MAX),
            "no creation time, no claim"
        );
    }
}
