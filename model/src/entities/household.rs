//! `household`: one dwelling (户) in a grid, with the address a volunteer needs to find it.

use super::{ADDRESS_LEN, LAT, LNG, NAME_LEN, NOTES_LEN, SHORT_LEN};
use crate::schema::roles::{ADMIN_WORKER, ALL, STAFF};
use crate::schema::{Check, EntityDef, FieldDef, FieldType::*};

/// The fields a volunteer may read: enough to find the door, nothing about who lives there.
pub const ADDRESS_FIELDS: &[&str] = &[
    "address",
    "building",
    "unit",
    "room",
    "village",
    "village_group",
];

const W: &[crate::Role] = ADMIN_WORKER;

pub const FIELDS: &[FieldDef] = &[
    FieldDef::new("grid_id", "所属网格", "grid", Reference("grid"), ALL, W),
    FieldDef::text("address", "地址", "address", ADDRESS_LEN, ALL, W),
    FieldDef::text("building", "楼栋", "building", SHORT_LEN, ALL, W),
    FieldDef::text("unit", "单元", "unit", SHORT_LEN, ALL, W),
    FieldDef::text("room", "门牌号", "room", SHORT_LEN, ALL, W),
    FieldDef::text("village", "村/小区", "village or estate", NAME_LEN, ALL, W),
    FieldDef::text(
        "village_group",
        "村民小组",
        "village group",
        NAME_LEN,
        ALL,
        W,
    ),
    FieldDef::text(
        "head_name",
        "户主姓名",
        "head of household",
        NAME_LEN,
        STAFF,
        W,
    ),
    FieldDef::new("phone", "户联系电话", "household phone", Text, STAFF, W)
        .with_check(Check::Phone),
    FieldDef::text("notes", "备注", "notes", NOTES_LEN, STAFF, W),
    FieldDef::new("lat", "纬度", "latitude", Decimal, STAFF, W).with_check(LAT),
    FieldDef::new("lng", "经度", "longitude", Decimal, STAFF, W).with_check(LNG),
    FieldDef::deleted(ALL, W),
];

pub const ENTITY: EntityDef = EntityDef {
    name: "household",
    zh: "住户",
    en: "household",
    grid_scoped: true,
    fields: FIELDS,
    rules: "Scoped by grid_id to the user's grids. Volunteers receive only households of residents with a delivery assigned to them.",
};
