//! `grid`: a grid (网格), the unit of a grid worker's patch. Its own id is the grid id that
//! grid-scoped records carry; which users work a grid is the server's user data, not a field.

use super::{ADDRESS_LEN, LAT, LNG, NAME_LEN, NOTES_LEN};
use crate::schema::roles::{ADMIN, ALL, STAFF};
use crate::schema::{EntityDef, FieldDef, FieldType::*};

pub const FIELDS: &[FieldDef] = &[
    // Volunteers may see a grid's name, to group their deliveries, and nothing else.
    FieldDef::text("name", "网格名称", "name", NAME_LEN, ALL, ADMIN),
    FieldDef::text("community", "社区", "community", NAME_LEN, STAFF, ADMIN),
    FieldDef::text(
        "street",
        "街道/乡镇",
        "street or township",
        NAME_LEN,
        STAFF,
        ADMIN,
    ),
    FieldDef::text(
        "area",
        "范围说明",
        "area description",
        ADDRESS_LEN,
        STAFF,
        ADMIN,
    ),
    FieldDef::new("lat", "纬度", "latitude", Decimal, STAFF, ADMIN).with_check(LAT),
    FieldDef::new("lng", "经度", "longitude", Decimal, STAFF, ADMIN).with_check(LNG),
    // A GeoJSON polygon for the supervisor's map; large because village grids are irregular.
    FieldDef::text(
        "boundary",
        "边界 (GeoJSON)",
        "boundary (GeoJSON)",
        100_000,
        STAFF,
        ADMIN,
    ),
    FieldDef::text("notes", "备注", "notes", NOTES_LEN, STAFF, ADMIN),
    FieldDef::deleted(ALL, ADMIN),
];

pub const ENTITY: EntityDef = EntityDef {
    name: "grid",
    zh: "网格",
    en: "grid",
    grid_scoped: false,
    fields: FIELDS,
    rules: "Each grid record is visible to users assigned to that grid (its id is the grid id); admins see all.",
};
