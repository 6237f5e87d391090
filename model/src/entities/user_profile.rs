//! `user_profile`: what other users may know of a user (name, role, phone), so a need's
//! assignee or a delivery's volunteer can be shown and called. The record id is the user id;
//! credentials are the server's and never sync. Added (issue 16): the grids a user works in, so
//! a household is given only to someone who can see it.

use super::NAME_LEN;
use crate::schema::roles::{ADMIN, ALL, STAFF};
use crate::schema::{Check, EntityDef, FieldDef, FieldType::*};

/// This entity's name on the wire.
pub const NAME: &str = "user_profile";

/// The name of every field, spelled once: code reads records through these, never a literal.
pub mod field {
    crate::schema::field_names! {
        NAME = "name",
        ROLE = "role",
        PHONE = "phone",
        GRIDS = "grids",
    }
}

pub const ROLES: &[&str] = &[
    "admin",
    "supervisor",
    "grid_worker",
    "building_leader",
    "volunteer",
    "street_office",
];

pub const FIELDS: &[FieldDef] = &[
    FieldDef::text(field::NAME, "姓名", "name", NAME_LEN, ALL, ADMIN),
    FieldDef::new(field::ROLE, "角色", "role", Enum(ROLES), ALL, ADMIN),
    FieldDef::new(field::PHONE, "电话", "phone", Text, ALL, ADMIN).with_check(Check::Phone),
    // The ids of the user's grids, comma-separated, as the server keeps them (added, issue 16).
    FieldDef::text(
        field::GRIDS,
        "所属网格",
        "grids",
        super::NOTES_LEN,
        STAFF,
        ADMIN,
    ),
    FieldDef::deleted(ALL, ADMIN),
];

pub const ENTITY: EntityDef = EntityDef {
    name: NAME,
    zh: "用户",
    en: "user",
    grid_scoped: false,
    fields: FIELDS,
    rules: "The server writes profiles when admins create or change users. Added (issue 16): grids lists the ids of the user's grids, comma-separated.",
};

/// `grids` as the profile keeps them: the ids joined by commas (a grid id holds none).
pub fn grids_text(grids: &[String]) -> String {
    grids.join(",")
}

/// The grid ids of a profile's `grids`.
pub fn grids_of(text: &str) -> impl Iterator<Item = &str> {
    text.split(',').filter(|g| !g.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Role;

    #[test]
    fn role_members_are_the_wire_names() {
        let wire: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(ROLES, wire.as_slice());
    }
}
