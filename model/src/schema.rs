//! The schema: every entity, every field, its type, its validation rule and which roles may read
//! and write it (`docs/roles-and-scope.md`). The tables themselves live in `entities/`, one
//! file per entity; this module holds the types, the lookups and `GET /api/v1/schema`.
//!
//! Field permissions are the field-level half of access control. The record-level half (which
//! grids a user has, a volunteer's own deliveries) is the server's; each entity's `rules` says
//! what that is.

use crate::entities as tables;
use crate::wire::{CheckSchema, EntitySchema, FieldSchema, SchemaResponse};
use crate::Role;

/// How a field's value travels as JSON (`docs/data-rules.md#values-by-type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// A JSON string.
    Text,
    /// A JSON integer that fits i64.
    Integer,
    /// Any JSON number.
    Decimal,
    Boolean,
    /// A `YYYY-MM-DD` string.
    Date,
    /// Unix ms as a JSON integer.
    Timestamp,
    /// One of the members, as a string.
    Enum(&'static [&'static str]),
    /// The id of a record of the named entity, as a string.
    Reference(&'static str),
}

impl FieldType {
    /// The name the schema response uses.
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::Text => "text",
            FieldType::Integer => "integer",
            FieldType::Decimal => "decimal",
            FieldType::Boolean => "boolean",
            FieldType::Date => "date",
            FieldType::Timestamp => "timestamp",
            FieldType::Enum(_) => "enum",
            FieldType::Reference(_) => "reference",
        }
    }
}

/// A validation rule on top of the type (see [`crate::validate`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    None,
    /// A mainland mobile (11 digits starting with 1) or landline (digits and dashes, 7–20).
    Phone,
    /// Inclusive bounds for an integer or decimal.
    Range {
        min: i64,
        max: i64,
    },
    /// At most this many characters (not bytes: names are Chinese).
    MaxLen(usize),
    /// The last four characters of a resident identity card: three digits and a digit or X.
    IdCardLast4,
}

impl Check {
    fn to_wire(self) -> Option<CheckSchema> {
        match self {
            Check::None => None,
            Check::Phone => Some(CheckSchema::Phone),
            Check::Range { min, max } => Some(CheckSchema::Range { min, max }),
            Check::MaxLen(max) => Some(CheckSchema::MaxLen { max }),
            Check::IdCardLast4 => Some(CheckSchema::IdCardLast4),
        }
    }
}

/// One field of one entity. `zh` and `en` name it for people: in validation messages, exports
/// and forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldDef {
    pub name: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub ty: FieldType,
    pub read: &'static [Role],
    pub write: &'static [Role],
    pub check: Check,
}

impl FieldDef {
    pub const fn new(
        name: &'static str,
        zh: &'static str,
        en: &'static str,
        ty: FieldType,
        read: &'static [Role],
        write: &'static [Role],
    ) -> FieldDef {
        FieldDef {
            name,
            zh,
            en,
            ty,
            read,
            write,
            check: Check::None,
        }
    }

    /// A text field; every text field has a length limit so one push cannot store a novel.
    pub const fn text(
        name: &'static str,
        zh: &'static str,
        en: &'static str,
        max_len: usize,
        read: &'static [Role],
        write: &'static [Role],
    ) -> FieldDef {
        FieldDef::new(name, zh, en, FieldType::Text, read, write).with_check(Check::MaxLen(max_len))
    }

    /// The `_deleted` flag every entity has (`docs/data-rules.md#deletion`).
    pub const fn deleted(read: &'static [Role], write: &'static [Role]) -> FieldDef {
        FieldDef::new(
            DELETED,
            "已删除",
            "deleted",
            FieldType::Boolean,
            read,
            write,
        )
    }

    pub const fn with_check(self, check: Check) -> FieldDef {
        FieldDef { check, ..self }
    }

    pub fn can_read(&self, role: Role) -> bool {
        self.read.contains(&role)
    }

    pub fn can_write(&self, role: Role) -> bool {
        self.write.contains(&role)
    }

    fn to_wire(self) -> FieldSchema {
        let (members, target) = match self.ty {
            FieldType::Enum(m) => (Some(m.iter().map(|s| s.to_string()).collect()), None),
            FieldType::Reference(t) => (None, Some(t.to_owned())),
            _ => (None, None),
        };
        FieldSchema {
            name: self.name.into(),
            zh: self.zh.into(),
            en: self.en.into(),
            ty: self.ty.as_str().into(),
            members,
            target,
            check: self.check.to_wire(),
            read: self.read.to_vec(),
            write: self.write.to_vec(),
        }
    }
}

/// The soft-delete field's name.
pub const DELETED: &str = "_deleted";

/// Declares an entity's field-name constants and `NAMES`, every name in table order with
/// [`DELETED`] last. The entity's `FIELDS` table is written with these constants and a test
/// holds `NAMES` equal to the table, so a name is spelled once and code that reads a record
/// through a constant cannot misspell it.
macro_rules! field_names {
    ($($konst:ident = $name:literal),* $(,)?) => {
        $(pub const $konst: &str = $name;)*
        /// The soft-delete flag every entity has.
        pub const DELETED: &str = $crate::schema::DELETED;
        /// Every field of the entity, in the table's order.
        pub const NAMES: &[&str] = &[$($konst,)* DELETED];
    };
}
pub(crate) use field_names;
/// The field that scopes a grid-scoped record to its grid.
pub const GRID_ID: &str = "grid_id";

/// One entity. A grid-scoped entity carries `grid_id` on every record, so the server scopes it
/// to the user's grids without a join.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntityDef {
    pub name: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub grid_scoped: bool,
    pub fields: &'static [FieldDef],
    /// Record-level rules the server enforces beyond the field roles; empty if none.
    pub rules: &'static str,
}

impl EntityDef {
    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The fields `role` may read: what pull sends them and what a view may show.
    pub fn readable_fields(&self, role: Role) -> impl Iterator<Item = &FieldDef> {
        self.fields.iter().filter(move |f| f.can_read(role))
    }

    pub fn can_read_any(&self, role: Role) -> bool {
        self.fields.iter().any(|f| f.can_read(role))
    }

    pub fn can_write_any(&self, role: Role) -> bool {
        self.fields.iter().any(|f| f.can_write(role))
    }

    fn to_wire(self) -> EntitySchema {
        EntitySchema {
            name: self.name.into(),
            zh: self.zh.into(),
            en: self.en.into(),
            grid_scoped: self.grid_scoped,
            rules: self.rules.into(),
            fields: self.fields.iter().map(|f| f.to_wire()).collect(),
        }
    }
}

/// Role sets the entity tables share. Order is always admin, supervisor, grid worker, building
/// leader, volunteer so the schema response reads the same everywhere. A building leader (added,
/// issue 16) has exactly a grid worker's field rights: every set holding one holds the other
/// (a test says so); the server narrows the leader's records, not their fields.
pub mod roles {
    use crate::Role::{self, *};

    pub const ALL: &[Role] = &Role::ALL;
    /// Everyone who works with health data: never volunteers.
    pub const STAFF: &[Role] = &[Admin, Supervisor, GridWorker, BuildingLeader];
    pub const ADMIN: &[Role] = &[Admin];
    pub const ADMIN_SUPERVISOR: &[Role] = &[Admin, Supervisor];
    pub const ADMIN_WORKER: &[Role] = &[Admin, GridWorker, BuildingLeader];
    pub const ADMIN_SUPERVISOR_VOLUNTEER: &[Role] = &[Admin, Supervisor, Volunteer];
    /// The staff and the level above (added, issue 17): who reads a need.
    pub const STAFF_OFFICE: &[Role] =
        &[Admin, Supervisor, GridWorker, BuildingLeader, StreetOffice];
    /// The reports' readers: supervisors who send them and the level above that receives them.
    pub const ADMIN_SUPERVISOR_OFFICE: &[Role] = &[Admin, Supervisor, StreetOffice];
    /// Who answers an escalated need (added, issue 17).
    pub const ADMIN_OFFICE: &[Role] = &[Admin, StreetOffice];
}

static ENTITIES: [EntityDef; 18] = [
    tables::grid::ENTITY,
    tables::household::ENTITY,
    tables::resident::ENTITY,
    tables::visit::ENTITY,
    tables::need::ENTITY,
    tables::supply_item::ENTITY,
    tables::stock_move::ENTITY,
    tables::pack_delivery::ENTITY,
    tables::pack_plan_item::ENTITY,
    tables::facility::ENTITY,
    tables::user_profile::ENTITY,
    tables::education::ENTITY,
    tables::mobilisation::ENTITY,
    tables::spot_check::ENTITY,
    tables::gathering::ENTITY,
    tables::report::ENTITY,
    tables::support_request::ENTITY,
    tables::duty::ENTITY,
];

/// Every entity, in a stable order.
pub fn entities() -> &'static [EntityDef] {
    &ENTITIES
}

pub fn entity(name: &str) -> Option<&'static EntityDef> {
    ENTITIES.iter().find(|e| e.name == name)
}

/// The definition of `entity.field`, if both exist.
pub fn field(entity_name: &str, field_name: &str) -> Option<&'static FieldDef> {
    entity(entity_name)?.field(field_name)
}

/// Whether `role` may read `entity.field`; unknown fields are unreadable. The server filters
/// pull with it, field by field.
pub fn can_read(role: Role, entity_name: &str, field_name: &str) -> bool {
    field(entity_name, field_name).is_some_and(|f| f.can_read(role))
}

/// Whether `role` may write `entity.field`; unknown fields are unwritable.
pub fn can_write(role: Role, entity_name: &str, field_name: &str) -> bool {
    field(entity_name, field_name).is_some_and(|f| f.can_write(role))
}

/// The body of `GET /api/v1/schema`.
pub fn schema_response() -> SchemaResponse {
    SchemaResponse {
        entities: ENTITIES.iter().map(|e| e.to_wire()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn names(e: &EntityDef, role: Role) -> BTreeSet<&'static str> {
        e.readable_fields(role).map(|f| f.name).collect()
    }

    fn writable(e: &EntityDef, role: Role) -> BTreeSet<&'static str> {
        e.fields
            .iter()
            .filter(|f| f.can_write(role))
            .map(|f| f.name)
            .collect()
    }

    fn set<'a>(xs: &[&'a str]) -> BTreeSet<&'a str> {
        xs.iter().copied().collect()
    }

    #[test]
    fn field_constants_name_every_field_of_the_table_in_order() {
        use crate::entities::*;
        let tables: [(&EntityDef, &str, &[&str]); 18] = [
            (&grid::ENTITY, grid::NAME, grid::field::NAMES),
            (&household::ENTITY, household::NAME, household::field::NAMES),
            (&resident::ENTITY, resident::NAME, resident::field::NAMES),
            (&visit::ENTITY, visit::NAME, visit::field::NAMES),
            (&need::ENTITY, need::NAME, need::field::NAMES),
            (
                &supply_item::ENTITY,
                supply_item::NAME,
                supply_item::field::NAMES,
            ),
            (
                &stock_move::ENTITY,
                stock_move::NAME,
                stock_move::field::NAMES,
            ),
            (
                &pack_delivery::ENTITY,
                pack_delivery::NAME,
                pack_delivery::field::NAMES,
            ),
            (
                &pack_plan_item::ENTITY,
                pack_plan_item::NAME,
                pack_plan_item::field::NAMES,
            ),
            (&facility::ENTITY, facility::NAME, facility::field::NAMES),
            (
                &user_profile::ENTITY,
                user_profile::NAME,
                user_profile::field::NAMES,
            ),
            (&education::ENTITY, education::NAME, education::field::NAMES),
            (
                &mobilisation::ENTITY,
                mobilisation::NAME,
                mobilisation::field::NAMES,
            ),
            (
                &spot_check::ENTITY,
                spot_check::NAME,
                spot_check::field::NAMES,
            ),
            (&gathering::ENTITY, gathering::NAME, gathering::field::NAMES),
            (&report::ENTITY, report::NAME, report::field::NAMES),
            (
                &support_request::ENTITY,
                support_request::NAME,
                support_request::field::NAMES,
            ),
            (&duty::ENTITY, duty::NAME, duty::field::NAMES),
        ];
        assert_eq!(tables.len(), entities().len());
        for (e, name, names) in tables {
            assert_eq!(e.name, name);
            let fields: Vec<&str> = e.fields.iter().map(|f| f.name).collect();
            assert_eq!(
                fields, names,
                "{name}: the constants and the table disagree"
            );
        }
    }

    /// The entities a role writes without reading: only a new record of its own.
    fn write_only(entity: &str, role: Role) -> bool {
        entity == crate::entities::support_request::NAME
            && matches!(role, Role::GridWorker | Role::BuildingLeader)
    }

    #[test]
    fn every_entity_is_well_formed() {
        let mut seen = BTreeSet::new();
        for e in entities() {
            assert!(seen.insert(e.name), "duplicate entity {}", e.name);
            assert_eq!(entity(e.name), Some(e));
            let mut fields = BTreeSet::new();
            for f in e.fields {
                assert!(fields.insert(f.name), "{}.{} twice", e.name, f.name);
                assert!(
                    f.name
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                    "{}.{}",
                    e.name,
                    f.name
                );
                assert!(
                    !f.zh.is_empty() && !f.en.is_empty(),
                    "{}.{} needs labels",
                    e.name,
                    f.name
                );
                // Writing what one cannot read would let a client overwrite blind; a support
                // request is sent, never read back, and the server lets its sender only create
                // one (`WRITE_ONLY`).
                for r in f.write.iter().filter(|r| !write_only(e.name, **r)) {
                    assert!(
                        f.can_read(*r),
                        "{}.{}: {r:?} writes but cannot read",
                        e.name,
                        f.name
                    );
                }
                for roles in [f.read, f.write] {
                    let order: Vec<Role> = Role::ALL
                        .into_iter()
                        .filter(|r| roles.contains(r))
                        .collect();
                    assert_eq!(order, roles.to_vec(), "{}.{} role order", e.name, f.name);
                }
                match f.ty {
                    FieldType::Reference(t) => {
                        assert!(entity(t).is_some(), "{}.{} → {t}", e.name, f.name)
                    }
                    FieldType::Enum(m) => {
                        assert!(!m.is_empty());
                        assert_eq!(m.iter().collect::<BTreeSet<_>>().len(), m.len());
                    }
                    FieldType::Text => assert!(
                        matches!(
                            f.check,
                            Check::MaxLen(_) | Check::Phone | Check::IdCardLast4
                        ),
                        "{}.{} text needs a length limit",
                        e.name,
                        f.name
                    ),
                    _ => {}
                }
                if let Check::Range { min, max } = f.check {
                    assert!(min < max);
                    assert!(matches!(f.ty, FieldType::Integer | FieldType::Decimal));
                }
            }
            let del = e
                .field(DELETED)
                .unwrap_or_else(|| panic!("{} lacks _deleted", e.name));
            assert_eq!(del.ty, FieldType::Boolean);
            // Anyone who can see a record must see that it is deleted.
            for r in Role::ALL {
                if e.can_read_any(r) {
                    assert!(del.can_read(r), "{}: {r:?} cannot see _deleted", e.name);
                }
            }
            if e.grid_scoped {
                let g = e
                    .field(GRID_ID)
                    .unwrap_or_else(|| panic!("{} lacks grid_id", e.name));
                assert_eq!(g.ty, FieldType::Reference("grid"));
                for r in Role::ALL {
                    if e.can_read_any(r) {
                        assert!(g.can_read(r), "{}: {r:?} cannot see grid_id", e.name);
                    }
                }
            }
        }
        let scoped: BTreeSet<_> = entities()
            .iter()
            .filter(|e| e.grid_scoped)
            .map(|e| e.name)
            .collect();
        assert_eq!(
            scoped,
            set(&[
                "household",
                "resident",
                "visit",
                "need",
                "pack_delivery",
                "education",
                "mobilisation",
                "spot_check",
                "gathering",
                "report",
                "support_request",
                "duty"
            ])
        );
        assert_eq!(entity("nope"), None);
        assert_eq!(field("resident", "nope"), None);
    }

    #[test]
    fn volunteers_see_only_what_a_delivery_needs() {
        use Role::Volunteer as V;
        let resident = entity("resident").unwrap();
        assert_eq!(
            names(resident, V),
            set(&["grid_id", "household_id", "name", "phone", "_deleted"])
        );
        let household = entity("household").unwrap();
        assert_eq!(
            names(household, V),
            set(&[
                "grid_id",
                "address",
                "building",
                "unit",
                "room",
                "village",
                "village_group",
                "_deleted"
            ])
        );
        let delivery = entity("pack_delivery").unwrap();
        assert_eq!(names(delivery, V).len(), delivery.fields.len());
        assert_eq!(writable(delivery, V), set(&["status", "status_at", "note"]));
        assert!(!entity("visit").unwrap().can_read_any(V));
        assert!(!entity("need").unwrap().can_read_any(V));
        for e in entities() {
            let w = writable(e, V);
            match e.name {
                "pack_delivery" => {}
                // Deleting is how a volunteer withdraws their own draw when undoing a delivery
                // (issue 15); the server's judge holds them to those moves.
                "stock_move" => assert!(w.contains(DELETED) && w.contains("kind")),
                _ => assert!(w.is_empty(), "volunteer writes {}", e.name),
            }
        }
        assert!(!can_read(V, "resident", "birth_date"));
        assert!(!can_read(V, "resident", "cond_diabetes"));
        assert!(can_write(V, "pack_delivery", "status"));
        assert!(!can_write(V, "pack_delivery", "resident_id"));
    }

    #[test]
    fn staff_roles_follow_the_design_table() {
        use Role::*;
        let by_writer = |role: Role| -> BTreeSet<&'static str> {
            entities()
                .iter()
                .filter(|e| e.can_write_any(role))
                .map(|e| e.name)
                .collect()
        };
        assert_eq!(
            by_writer(GridWorker),
            set(&[
                "household",
                "resident",
                "visit",
                "need",
                "pack_delivery",
                "education",
                "mobilisation",
                "gathering",
                // Sent, never read back: a worker's own request for support (issue 17).
                "support_request"
            ])
        );
        assert_eq!(
            by_writer(Supervisor),
            set(&[
                // Only whom a door is given to: the unassigned households are the supervisor's
                // to hand out (issue 16).
                "household",
                "need",
                "supply_item",
                "stock_move",
                "pack_delivery",
                // What a health pack holds is part of the supplies a supervisor manages.
                "pack_plan_item",
                "facility",
                // Checking the grid workers' visits is the supervisor's (issue 17).
                "spot_check",
                // The register of weddings and funerals is kept by whoever hears of one.
                "gathering",
                // Reporting upward is the supervisor's.
                "report",
                // Arranging a worker's support is the supervisor's (issue 17).
                "support_request",
                // So is the rest rota.
                "duty"
            ])
        );
        assert_eq!(by_writer(Admin).len(), entities().len());
        for e in entities() {
            // Grid workers and supervisors read everything in their grids; admins everything;
            // but the checks of their own work are kept from grid workers.
            let supervisors_only = [
                crate::entities::spot_check::NAME,
                crate::entities::report::NAME,
                crate::entities::support_request::NAME,
            ];
            if supervisors_only.contains(&e.name) {
                assert_eq!(names(e, GridWorker).len(), 0);
                assert_eq!(names(e, Volunteer).len(), 0);
            }
            for role in [Admin, Supervisor, GridWorker] {
                if role == GridWorker && supervisors_only.contains(&e.name) {
                    continue;
                }
                assert_eq!(
                    names(e, role).len(),
                    e.fields.len(),
                    "{role:?} reads all of {}",
                    e.name
                );
            }
            // Within an entity a writer writes every field, volunteers aside, and a supervisor's
            // one field of a household; the level above's answer on a need is its own.
            for role in [Admin, Supervisor, GridWorker] {
                let mut w = writable(e, role);
                if role == Supervisor && e.name == crate::entities::household::NAME {
                    assert_eq!(w, set(&[crate::entities::household::field::RESPONSIBLE_ID]));
                    continue;
                }
                if role != Admin && e.name == crate::entities::need::NAME {
                    use crate::entities::need::field;
                    for f in [field::UPWARD_STATUS, field::UPWARD_NOTE, field::UPWARD_AT] {
                        assert!(!w.contains(f), "{role:?} answers for the level above");
                        w.insert(f);
                    }
                }
                assert!(
                    w.is_empty() || w.len() == e.fields.len(),
                    "{role:?} on {}",
                    e.name
                );
            }
        }
    }

    #[test]
    fn the_street_office_writes_only_its_answer_to_an_escalated_need() {
        use crate::entities::need::field;
        for e in entities() {
            let w = writable(e, Role::StreetOffice);
            match e.name {
                "need" => assert_eq!(
                    w,
                    set(&[field::UPWARD_STATUS, field::UPWARD_NOTE, field::UPWARD_AT])
                ),
                _ => assert!(w.is_empty(), "street office writes {}", e.name),
            }
        }
        // It reads a need whole, and of a resident only what everyone may.
        assert_eq!(names(entity("need").unwrap(), Role::StreetOffice).len(), 15);
        assert!(!can_read(Role::StreetOffice, "resident", "birth_date"));
        assert!(!can_read(Role::StreetOffice, "visit", "notes"));
        assert!(can_read(Role::StreetOffice, "report", "figures"));
    }

    #[test]
    fn a_building_leader_has_exactly_a_grid_workers_field_rights() {
        for e in entities() {
            for f in e.fields {
                assert_eq!(
                    f.can_read(Role::BuildingLeader),
                    f.can_read(Role::GridWorker),
                    "{}.{}",
                    e.name,
                    f.name
                );
                assert_eq!(
                    f.can_write(Role::BuildingLeader),
                    f.can_write(Role::GridWorker),
                    "{}.{}",
                    e.name,
                    f.name
                );
            }
        }
    }

    #[test]
    fn schema_response_mirrors_the_tables() {
        let r = schema_response();
        assert_eq!(r.entities.len(), entities().len());
        let visit = r.entities.iter().find(|e| e.name == "visit").unwrap();
        let spo2 = visit.fields.iter().find(|f| f.name == "spo2").unwrap();
        assert_eq!(spo2.ty, "integer");
        assert_eq!(spo2.check, Some(CheckSchema::Range { min: 50, max: 100 }));
        let method = visit.fields.iter().find(|f| f.name == "method").unwrap();
        assert_eq!(
            method.members.as_deref().unwrap(),
            ["in_person", "phone", "video", "wechat", "not_home"].map(String::from)
        );
        let rid = visit
            .fields
            .iter()
            .find(|f| f.name == "resident_id")
            .unwrap();
        assert_eq!(rid.target.as_deref(), Some("resident"));
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(serde_json::from_str::<SchemaResponse>(&json).unwrap(), r);
    }
}
