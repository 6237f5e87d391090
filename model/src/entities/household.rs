//! `household`: one dwelling (户) in a grid, with the address a volunteer needs to find it.

use super::{ADDRESS_LEN, LAT, LNG, NAME_LEN, NOTES_LEN, SHORT_LEN};
use crate::schema::roles::{ADMIN_WORKER, ALL, STAFF};
use crate::schema::{Check, EntityDef, FieldDef, FieldType::*};

/// The fields a volunteer may read: enough to find the door, nothing about who lives there.
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
    }
}

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
    FieldDef::deleted(ALL, W),
];

pub const ENTITY: EntityDef = EntityDef {
    name: NAME,
    zh: "住户",
    en: "household",
    grid_scoped: true,
    fields: FIELDS,
    rules: "Scoped by grid_id to the user's grids. Volunteers receive only households of residents with a delivery assigned to them.",
};
