//! `user_profile`: what other users may know of a user (name, role, phone), so a need's
//! assignee or a delivery's volunteer can be shown and called. The record id is the user id;
//! credentials and grid assignments are the server's and never sync.

use super::NAME_LEN;
use crate::schema::roles::{ADMIN, ALL};
use crate::schema::{Check, EntityDef, FieldDef, FieldType::*};

/// This entity's name on the wire.
pub const NAME: &str = "user_profile";

/// The name of every field, spelled once: code reads records through these, never a literal.
pub mod field {
    crate::schema::field_names! {
        NAME = "name",
        ROLE = "role",
        PHONE = "phone",
    }
}

pub const ROLES: &[&str] = &[
    "admin",
    "supervisor",
    "grid_worker",
    "building_leader",
    "volunteer",
];

pub const FIELDS: &[FieldDef] = &[
    FieldDef::text(field::NAME, "姓名", "name", NAME_LEN, ALL, ADMIN),
    FieldDef::new(field::ROLE, "角色", "role", Enum(ROLES), ALL, ADMIN),
    FieldDef::new(field::PHONE, "电话", "phone", Text, ALL, ADMIN).with_check(Check::Phone),
    FieldDef::deleted(ALL, ADMIN),
];

pub const ENTITY: EntityDef = EntityDef {
    name: NAME,
    zh: "用户",
    en: "user",
    grid_scoped: false,
    fields: FIELDS,
    rules: "The server writes profiles when admins create or change users.",
};

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
