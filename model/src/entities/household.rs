//! `household`: one dwelling (户) in a grid, with the address a volunteer needs to find it.

use super::{ADDRESS_LEN, LAT, LNG, NAME_LEN, NOTES_LEN, SHORT_LEN};
use crate::schema::roles::{ADMIN_WORKER, ALL, STAFF};
use crate::schema::{Check, EntityDef, FieldDef, FieldType::*};

/// This entity's name on the wire.
pub const NAME: &str = "household";

/// The name of every field, spelled once: code reads records through these, never a literal.
pub mod field {
    crate::schema::field_names! {
        GRID_ID = "grid_id",
        ADDRESS = "address",
        BUILDING = "building",
        UNIT = "unit",
        ROOM = "room",
        VILLAGE = "village",
        VILLAGE_GROUP = "village_group",
        HEAD_NAME = "head_name",
        PHONE = "phone",
        NOTES = "notes",
        LAT = "lat",
        LNG = "lng",
        STATUS = "status",
        STATUS_REASON = "status_reason",
        STATUS_DATE = "status_date",
        RESPONSIBLE_ID = "responsible_id",
    }
}

/// Why a household is no longer looked after here (Added, issue 15): the family moved away, or
/// the dwelling was removed (demolished, merged, entered twice). Unset means it is lived in; any
/// member takes all its residents off Today, the ledger and pack recipients
/// (`crate::lifecycle`). Clearing it restores them.
pub const MOVED_AWAY: &str = "moved_away";
pub const REMOVED: &str = "removed";
pub const STATUSES: &[&str] = &[MOVED_AWAY, REMOVED];

/// The fields a volunteer may read: enough to find the door, nothing about who lives there.
pub const ADDRESS_FIELDS: &[&str] = &[
    field::ADDRESS,
    field::BUILDING,
    field::UNIT,
    field::ROOM,
    field::VILLAGE,
    field::VILLAGE_GROUP,
];

const W: &[crate::Role] = ADMIN_WORKER;

pub const FIELDS: &[FieldDef] = &[
    FieldDef::new(
        field::GRID_ID,
        "所属网格",
        "grid",
        Reference("grid"),
        ALL,
        W,
    ),
    FieldDef::text(field::ADDRESS, "地址", "address", ADDRESS_LEN, ALL, W),
    FieldDef::text(field::BUILDING, "楼栋", "building", SHORT_LEN, ALL, W),
    FieldDef::text(field::UNIT, "单元", "unit", SHORT_LEN, ALL, W),
    FieldDef::text(field::ROOM, "门牌号", "room", SHORT_LEN, ALL, W),
    FieldDef::text(
        field::VILLAGE,
        "村/小区",
        "village or estate",
        NAME_LEN,
        ALL,
        W,
    ),
    FieldDef::text(
        field::VILLAGE_GROUP,
        "村民小组",
        "village group",
        NAME_LEN,
        ALL,
        W,
    ),
    FieldDef::text(
        field::HEAD_NAME,
        "户主姓名",
        "head of household",
        NAME_LEN,
        STAFF,
        W,
    ),
    FieldDef::new(
        field::PHONE,
        "户联系电话",
        "household phone",
        Text,
        STAFF,
        W,
    )
    .with_check(Check::Phone),
    FieldDef::text(field::NOTES, "备注", "notes", NOTES_LEN, STAFF, W),
    FieldDef::new(field::LAT, "纬度", "latitude", Decimal, STAFF, W).with_check(LAT),
    FieldDef::new(field::LNG, "经度", "longitude", Decimal, STAFF, W).with_check(LNG),
    FieldDef::new(
        field::STATUS,
        "在册状态",
        "status",
        Enum(STATUSES),
        STAFF,
        W,
    ),
    FieldDef::text(
        field::STATUS_REASON,
        "状态原因",
        "status reason",
        NOTES_LEN,
        STAFF,
        W,
    ),
    FieldDef::new(
        field::STATUS_DATE,
        "状态日期",
        "status date",
        Date,
        STAFF,
        W,
    ),
    // Who answers for this door (added, issue 16): a building or village-group leader, a grid
    // worker, anyone on the staff. Supervisors assign it too: the unassigned list is theirs.
    FieldDef::new(
        field::RESPONSIBLE_ID,
        "责任人",
        "responsible person",
        Reference("user_profile"),
        STAFF,
        STAFF,
    ),
    FieldDef::deleted(ALL, W),
];

pub const ENTITY: EntityDef = EntityDef {
    name: NAME,
    zh: "住户",
    en: "household",
    grid_scoped: true,
    fields: FIELDS,
    rules: "Scoped by grid_id to the user's grids. Volunteers receive only households of residents with a delivery assigned to them. Added (issue 16): a building leader receives and writes only the households whose responsible_id is their own user id, and may neither give one away nor take one.",
};

/// A household's address as people say it: the address line when there is one, else the
/// village, group, building, unit and room that are filled in, in that order. The app's lists,
/// the volunteer's delivery card and the roster import's household matching all use it.
pub fn address_line<R: crate::record::Fields + ?Sized>(h: &R) -> String {
    if let Some(a) = h.text(field::ADDRESS).filter(|a| !a.is_empty()) {
        return a.to_owned();
    }
    [
        field::VILLAGE,
        field::VILLAGE_GROUP,
        field::BUILDING,
        field::UNIT,
        field::ROOM,
    ]
    .iter()
    .filter_map(|f| h.text(f).filter(|s| !s.is_empty()))
    .collect::<Vec<_>>()
    .join(" ")
}

#[cfg(test)]
mod address_tests {
    use super::*;
    use crate::record::Values;
    use serde_json::json;

    fn household(pairs: &[(&str, &str)]) -> Values {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), json!(v)))
            .collect()
    }

    #[test]
    fn the_address_line_wins_else_the_parts_in_order() {
        let h = household(&[
            (field::ROOM, "501"),
            (field::BUILDING, "1 号楼"),
            (field::UNIT, "2 单元"),
        ]);
        assert_eq!(address_line(&h), "1 号楼 2 单元 501");
        let h = household(&[(field::ADDRESS, "幸福里 3 号"), (field::ROOM, "501")]);
        assert_eq!(address_line(&h), "幸福里 3 号");
        let h = household(&[(field::VILLAGE, "桃源村"), (field::VILLAGE_GROUP, "二组")]);
        assert_eq!(address_line(&h), "桃源村 二组");
        assert_eq!(address_line(&household(&[])), "");
    }
}
