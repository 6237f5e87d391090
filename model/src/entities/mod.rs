//! The entity tables, one module per entity. Each holds `FIELDS` and `ENTITY`, plus the enum
//! member lists and field groups other code needs by name.
//!
//! Text limits shared by all tables live here so a name is as long everywhere.

pub mod duty;
pub mod education;
pub mod facility;
pub mod gathering;
pub mod grid;
pub mod household;
pub mod mobilisation;
pub mod need;
pub mod pack_delivery;
pub mod pack_plan_item;
pub mod report;
pub mod resident;
pub mod spot_check;
pub mod stock_move;
pub mod supply_item;
pub mod support_request;
pub mod user_profile;
pub mod visit;

/// A person's or a place's name.
pub const NAME_LEN: usize = 100;
/// A short label: a unit, a building number, a relation.
pub const SHORT_LEN: usize = 50;
/// A street address.
pub const ADDRESS_LEN: usize = 200;
/// Free-text notes and descriptions.
pub const NOTES_LEN: usize = 2000;

/// Latitude and longitude bounds, shared by every entity with a position.
pub const LAT: crate::schema::Check = crate::schema::Check::Range { min: -90, max: 90 };
pub const LNG: crate::schema::Check = crate::schema::Check::Range {
    min: -180,
    max: 180,
};
