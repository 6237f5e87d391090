//! `facility`: a place residents can be sent (vaccination point, fever clinic green channel,
//! pharmacy, elderly-care institution, ...) or a number they can call (the community's own
//! hotlines: a pharmacy's direct line, the street office's). Public information, so every role
//! reads it; supervisors keep it in the app.

use super::{ADDRESS_LEN, LAT, LNG, NAME_LEN, NOTES_LEN};
use crate::schema::roles::{ADMIN_SUPERVISOR, ALL};
use crate::schema::{Check, EntityDef, FieldDef, FieldType::*};

/// This entity's name on the wire.
pub const NAME: &str = "facility";

/// The name of every field, spelled once: code reads records through these, never a literal.
pub mod field {
    crate::schema::field_names! {
        KIND = "kind",
        NAME = "name",
        ADDRESS = "address",
        PHONE = "phone",
        HOURS = "hours",
        NOTES = "notes",
        LAT = "lat",
        LNG = "lng",
    }
}

pub const KINDS: &[&str] = &[
    "vaccination_point",
    "green_channel",
    "mobile_vaccination",
    "test_point",
    "pharmacy",
    "health_station",
    "hospital",
    // Added (issue 16).
    "elderly_care",
    "hotline",
];

/// A number to call rather than a place to go: listed with 120 wherever an emergency is shown.
pub const HOTLINE: &str = "hotline";

const R: &[crate::Role] = ALL;
const W: &[crate::Role] = ADMIN_SUPERVISOR;

pub const FIELDS: &[FieldDef] = &[
    FieldDef::new(field::KIND, "类型", "kind", Enum(KINDS), R, W),
    FieldDef::text(field::NAME, "名称", "name", NAME_LEN, R, W),
    FieldDef::text(field::ADDRESS, "地址", "address", ADDRESS_LEN, R, W),
    FieldDef::new(field::PHONE, "电话", "phone", Text, R, W).with_check(Check::Phone),
    FieldDef::text(field::HOURS, "开放时间", "opening hours", ADDRESS_LEN, R, W),
    FieldDef::text(field::NOTES, "备注", "notes", NOTES_LEN, R, W),
    FieldDef::new(field::LAT, "纬度", "latitude", Decimal, R, W).with_check(LAT),
    FieldDef::new(field::LNG, "经度", "longitude", Decimal, R, W).with_check(LNG),
    FieldDef::deleted(R, W),
];

pub const ENTITY: EntityDef = EntityDef {
    name: NAME,
    zh: "服务点",
    en: "facility",
    grid_scoped: false,
    fields: FIELDS,
    rules: "",
};
