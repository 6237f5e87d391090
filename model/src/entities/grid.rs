//! `grid`: a grid (网格), the unit of a grid worker's patch. Its own id is the grid id that
//! grid-scoped records carry; which users work a grid is the server's user data, not a field.

use super::{ADDRESS_LEN, LAT, LNG, NAME_LEN, NOTES_LEN};
use crate::schema::roles::{ADMIN, ALL, STAFF};
use crate::schema::{EntityDef, FieldDef, FieldType::*};

/// This entity's name on the wire.
pub const NAME: &str = "grid";

/// The name of every field, spelled once: code reads records through these, never a literal.
pub mod field {
    crate::schema::field_names! {
        NAME = "name",
        COMMUNITY = "community",
        STREET = "street",
        AREA = "area",
        LAT = "lat",
        LNG = "lng",
        BOUNDARY = "boundary",
        NOTES = "notes",
    }
}

pub const FIELDS: &[FieldDef] = &[
    // Volunteers may see a grid's name, to group their deliveries, and nothing else.
    FieldDef::text(field::NAME, "网格名称", "name", NAME_LEN, ALL, ADMIN),
    FieldDef::text(
        field::COMMUNITY,
        "社区",
        "community",
        NAME_LEN,
        STAFF,
        ADMIN,
    ),
    FieldDef::text(
        field::STREET,
        "街道/乡镇",
        "street or township",
        NAME_LEN,
        STAFF,
        ADMIN,
    ),
    FieldDef::text(
        field::AREA,
        "范围说明",
        "area description",
        ADDRESS_LEN,
        STAFF,
        ADMIN,
    ),
    FieldDef::new(field::LAT, "纬度", "latitude", Decimal, STAFF, ADMIN).with_check(LAT),
    FieldDef::new(field::LNG, "经度", "longitude", Decimal, STAFF, ADMIN).with_check(LNG),
    // A GeoJSON polygon for the supervisor's map; large because village grids are irregular.
    FieldDef::text(
        field::BOUNDARY,
        "边界 (GeoJSON)",
        "boundary (GeoJSON)",
        100_000,
        STAFF,
        ADMIN,
    ),
    FieldDef::text(field::NOTES, "备注", "notes", NOTES_LEN, STAFF, ADMIN),
    FieldDef::deleted(ALL, ADMIN),
];

pub const ENTITY: EntityDef = EntityDef {
    name: NAME,
    zh: "网格",
    en: "grid",
    grid_scoped: false,
    fields: FIELDS,
    rules: "Each grid record is visible to users assigned to that grid (its id is the grid id); admins see all.",
};
