//! Who may read what: the role table of `docs/roles-and-scope.md` applied record by record and
//! field by field, and the shares of the two roles that see part of a grid, decided here only: a
//! volunteer's (the deliveries assigned to them and each delivery's recipient, the resident and
//! their household) and a building leader's (the households they answer for and every record
//! that hangs off them, `model::responsibility`). The app hides what a role can't do; this is
//! where it is enforced. Writes are judged in `authorize`, with the rules below.

use std::collections::{BTreeSet, HashMap, HashSet};

use model::entities::{grid, household, need, pack_delivery, report, resident, user_profile};
use model::responsibility::{self, Link};
use model::wire::Change;
use model::Role;
use serde_json::Value;

use crate::storage::{self, FieldRow, RecordLookup, Storage, UserRecord};

/// A stored or written value as an id: text, or nothing (`null` clears a reference).
pub fn as_id(v: Option<Value>) -> Option<String> {
    match v {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

/// Whether records of `entity` belong to one grid, named by their `grid_id` field.
pub fn is_grid_scoped(entity: &str) -> bool {
    model::schema::entity(entity).is_some_and(|e| e.grid_scoped)
}

/// The delivery field naming the volunteer it is assigned to.
const ASSIGNEE: &str = pack_delivery::field::VOLUNTEER_ID;

/// The records a delivery shows its volunteer, each with the delivery field that names it.
pub const RECIPIENT: [(&str, &str); 2] = [
    (resident::NAME, pack_delivery::field::RESIDENT_ID),
    (household::NAME, pack_delivery::field::HOUSEHOLD_ID),
];

/// Whether a change to a delivery may show its recipient to a volunteer who could not see them
/// before (a new volunteer or a new recipient): the recipient's rows must then be sent again.
pub fn resends_recipient(c: &Change) -> bool {
    c.entity == pack_delivery::NAME
        && (c.field == ASSIGNEE || RECIPIENT.iter().any(|(_, via)| c.field == *via))
}

/// Whether a change gives a delivery to a (new) volunteer, whose device has none of its rows.
pub fn hands_over(c: &Change) -> bool {
    c.entity == pack_delivery::NAME && c.field == ASSIGNEE
}

/// Whether the stored record is a delivery assigned to the volunteer `user_id`: the only
/// grid-scoped records a volunteer may change.
pub fn is_assigned(
    lookup: &mut dyn RecordLookup,
    entity: &str,
    id: &str,
    user_id: &str,
) -> storage::Result<bool> {
    if entity != pack_delivery::NAME {
        return Ok(false);
    }
    let owner = lookup.field(entity, id, ASSIGNEE)?;
    Ok(owner.as_ref().and_then(Value::as_str) == Some(user_id))
}

/// What a volunteer may read: their deliveries and those deliveries' recipients.
#[derive(Debug, Default, Clone)]
pub struct VolunteerScope {
    deliveries: HashSet<String>,
    /// Ids by entity, one entry for each entity of [`RECIPIENT`].
    recipients: HashMap<&'static str, HashSet<String>>,
}

impl VolunteerScope {
    /// The deliveries assigned to `user_id` as stored now, and the recipients of those not
    /// deleted: a deleted delivery still reaches its volunteer (so their phone deletes it too),
    /// but no longer opens its recipient's door to them.
    pub async fn read(storage: &dyn Storage, user_id: &str) -> storage::Result<VolunteerScope> {
        let me = Value::String(user_id.to_owned());
        let deliveries = storage
            .ids_where(pack_delivery::NAME, ASSIGNEE, &me)
            .await?;
        let mut wanted: Vec<&str> = RECIPIENT.iter().map(|(_, via)| *via).collect();
        wanted.push(model::schema::DELETED);
        let links = storage
            .values(pack_delivery::NAME, Some(deliveries.clone()), &wanted)
            .await?;
        let live = links
            .values()
            .filter(|fields| fields.get(model::schema::DELETED) != Some(&Value::Bool(true)));
        let mut recipients: HashMap<&'static str, HashSet<String>> = HashMap::new();
        for fields in live {
            for (entity, via) in RECIPIENT {
                if let Some(id) = fields.get(via).and_then(Value::as_str) {
                    recipients.entry(entity).or_default().insert(id.to_owned());
                }
            }
        }
        Ok(VolunteerScope {
            deliveries: deliveries.into_iter().collect(),
            recipients,
        })
    }

    /// Every record of this scope, as (entity, id): the deliveries and their recipients.
    pub fn records(&self) -> Vec<(String, String)> {
        let deliveries = self
            .deliveries
            .iter()
            .map(|id| (pack_delivery::NAME.to_owned(), id.clone()));
        let recipients = self
            .recipients
            .iter()
            .flat_map(|(entity, ids)| ids.iter().map(|id| ((*entity).to_owned(), id.clone())));
        deliveries.chain(recipients).collect()
    }

    /// Whether the record lies in this scope; `None` for entities it does not decide.
    pub fn holds(&self, entity: &str, id: &str) -> Option<bool> {
        if entity == pack_delivery::NAME {
            return Some(self.deliveries.contains(id));
        }
        if RECIPIENT.iter().any(|(e, _)| *e == entity) {
            return Some(
                self.recipients
                    .get(entity)
                    .is_some_and(|ids| ids.contains(id)),
            );
        }
        None
    }
}

/// What a building leader may read of their grids (issue 16): the households whose
/// `responsible_id` is theirs, and the records that name one of those households or one of their
/// residents ([`responsibility::links`]); the grid's records that belong to no door (its
/// gatherings) as a grid worker does.
#[derive(Debug, Default, Clone)]
pub struct LeaderScope {
    /// Ids by door-bound entity.
    records: HashMap<&'static str, HashSet<String>>,
}

impl LeaderScope {
    /// The leader's share as stored now: a few reads by reference, whatever the grid's size.
    pub async fn read(storage: &dyn Storage, user_id: &str) -> storage::Result<LeaderScope> {
        let me = Value::String(user_id.to_owned());
        let households = storage
            .ids_where(household::NAME, household::field::RESPONSIBLE_ID, &me)
            .await?;
        let residents = storage
            .ids_where_any(
                resident::NAME,
                resident::field::HOUSEHOLD_ID,
                households.clone(),
            )
            .await?;
        let mut records: HashMap<&'static str, HashSet<String>> = HashMap::new();
        for e in model::schema::entities() {
            // The first link that is set decides (`model::responsibility::household_of`): a
            // record found through a later link counts only when no earlier one is set.
            let mut ids: HashSet<String> = HashSet::new();
            let mut earlier: Vec<&str> = Vec::new();
            for link in responsibility::links(e.name) {
                let found = match *link {
                    Link::Itself => households.clone(),
                    Link::Household(f) => {
                        storage.ids_where_any(e.name, f, households.clone()).await?
                    }
                    Link::Resident(f) => {
                        storage.ids_where_any(e.name, f, residents.clone()).await?
                    }
                };
                let fresh: Vec<String> = found.into_iter().filter(|id| !ids.contains(id)).collect();
                if earlier.is_empty() || fresh.is_empty() {
                    ids.extend(fresh);
                } else {
                    let set = storage
                        .values(e.name, Some(fresh.clone()), &earlier)
                        .await?;
                    let linked = |id: &String| {
                        set.get(id)
                            .is_some_and(|fields| fields.values().any(Value::is_string))
                    };
                    ids.extend(fresh.into_iter().filter(|id| !linked(id)));
                }
                if let Link::Household(f) | Link::Resident(f) = *link {
                    earlier.push(f);
                }
            }
            if responsibility::door_bound(e.name) {
                records.insert(e.name, ids);
            }
        }
        Ok(LeaderScope { records })
    }

    /// Whether the record lies in this scope; `None` for entities that belong to no door.
    pub fn holds(&self, entity: &str, id: &str) -> Option<bool> {
        self.records.get(entity).map(|ids| ids.contains(id))
    }
}

/// Whether a change may move a record from one building leader's share to another's: whom a
/// household is given to, or the household or resident a record names.
pub fn moves_doors(c: &Change) -> bool {
    (c.entity == household::NAME && c.field == household::field::RESPONSIBLE_ID)
        || responsibility::links(&c.entity)
            .iter()
            .any(|link| match *link {
                Link::Itself => false,
                Link::Household(f) | Link::Resident(f) => c.field == f,
            })
}

/// Who answers for the door a stored record belongs to: the `responsible_id` of its household,
/// found through the first of its links that is set (`model::responsibility::household_of`).
pub fn answerable(
    lookup: &mut dyn RecordLookup,
    entity: &str,
    id: &str,
) -> storage::Result<BTreeSet<String>> {
    let mut people = BTreeSet::new();
    for link in responsibility::links(entity) {
        // A link that is not set passes the word to the next; the first set one decides.
        let door = match *link {
            Link::Itself => Some(id.to_owned()),
            Link::Household(f) => match as_id(lookup.field(entity, id, f)?) {
                Some(h) => Some(h),
                None => continue,
            },
            Link::Resident(f) => match as_id(lookup.field(entity, id, f)?) {
                Some(r) => {
                    as_id(lookup.field(resident::NAME, &r, resident::field::HOUSEHOLD_ID)?)
                }
                None => continue,
            },
        };
        if let Some(door) = door {
            let who = lookup.field(household::NAME, &door, household::field::RESPONSIBLE_ID)?;
            people.extend(as_id(who));
        }
        break;
    }
    Ok(people)
}

/// What a street office may read of its grids (issue 17): the needs escalated to it, and of
/// each the resident it is for and their household (the fields everyone may read: name, phone,
/// address); its grids' `grid` and `report` records by the grid rule.
#[derive(Debug, Default, Clone)]
pub struct OfficeScope {
    needs: HashSet<String>,
    residents: HashSet<String>,
    households: HashSet<String>,
    reports: HashSet<String>,
}

impl OfficeScope {
    /// The escalated needs of the office's grids as stored now, the residents of those not
    /// deleted and their households, and the reports all of whose grids are the office's.
    pub async fn read(storage: &dyn Storage, user: &UserRecord) -> storage::Result<OfficeScope> {
        let text = |fields: &model::record::Values, f: &str| {
            fields.get(f).and_then(Value::as_str).map(str::to_owned)
        };
        let mine = |g: Option<String>| g.is_some_and(|g| user.grids.contains(&g));
        let escalated = storage
            .ids_where(need::NAME, need::field::ESCALATED, &Value::Bool(true))
            .await?;
        let wanted = [
            need::field::GRID_ID,
            need::field::RESIDENT_ID,
            model::schema::DELETED,
        ];
        let mut needs = HashSet::new();
        let mut residents = HashSet::new();
        for (id, n) in storage.values(need::NAME, Some(escalated), &wanted).await? {
            if !mine(text(&n, need::field::GRID_ID)) {
                continue;
            }
            // A deleted need still reaches the office, so its copy is deleted too; it no longer
            // opens its resident's door.
            if n.get(model::schema::DELETED) != Some(&Value::Bool(true)) {
                residents.extend(text(&n, need::field::RESIDENT_ID));
            }
            needs.insert(id);
        }
        let households = storage
            .values(
                resident::NAME,
                Some(residents.iter().cloned().collect()),
                &[resident::field::HOUSEHOLD_ID],
            )
            .await?
            .values()
            .filter_map(|r| text(r, resident::field::HOUSEHOLD_ID))
            .collect();
        // A report is filed under its first grid but carries the figures of all it names: the
        // office reads it only when every one of them is its own.
        let filed = storage
            .ids_where_any(report::NAME, report::field::GRID_ID, user.grids.clone())
            .await?;
        let reports = storage
            .values(report::NAME, Some(filed), &[report::field::GRIDS])
            .await?
            .into_iter()
            .filter(|(_, r)| {
                text(r, report::field::GRIDS).is_some_and(|gs| {
                    gs.split(',')
                        .filter(|g| !g.is_empty())
                        .all(|g| user.grids.iter().any(|u| u == g))
                })
            })
            .map(|(id, _)| id)
            .collect();
        Ok(OfficeScope {
            needs,
            residents,
            households,
            reports,
        })
    }

    /// Whether the record lies in this scope; `None` for entities it does not decide.
    pub fn holds(&self, entity: &str, id: &str) -> Option<bool> {
        match entity {
            need::NAME => Some(self.needs.contains(id)),
            resident::NAME => Some(self.residents.contains(id)),
            household::NAME => Some(self.households.contains(id)),
            report::NAME => Some(self.reports.contains(id)),
            _ => None,
        }
    }
}

/// Whether a change may move a record into or out of a building leader's or a street office's
/// share: whom a door is given to, the household or resident a record names, a need's
/// escalation.
pub fn moves_shares(c: &Change) -> bool {
    moves_doors(c) || (c.entity == need::NAME && c.field == need::field::ESCALATED)
}

/// Whether the stored record is an escalated need.
pub fn is_escalated(
    lookup: &mut dyn RecordLookup,
    entity: &str,
    id: &str,
) -> storage::Result<bool> {
    Ok(entity == need::NAME
        && lookup.field(entity, id, need::field::ESCALATED)? == Some(Value::Bool(true)))
}

/// The part of their grids a user sees when it is not the whole: a volunteer's, a building
/// leader's or a street office's share, read once per pull.
#[derive(Debug, Clone)]
pub enum Share {
    Volunteer(VolunteerScope),
    Leader(LeaderScope),
    Office(OfficeScope),
}

impl Share {
    /// The share of `user`, for the roles that have one.
    pub async fn of(storage: &dyn Storage, user: &UserRecord) -> storage::Result<Option<Share>> {
        Ok(match user.role {
            Role::Volunteer => Some(Share::Volunteer(
                VolunteerScope::read(storage, &user.id).await?,
            )),
            Role::BuildingLeader => {
                Some(Share::Leader(LeaderScope::read(storage, &user.id).await?))
            }
            Role::StreetOffice => Some(Share::Office(OfficeScope::read(storage, user).await?)),
            Role::Admin | Role::Supervisor | Role::GridWorker => None,
        })
    }

    /// Whether the record lies in the share; `None` for entities the share does not decide.
    pub fn holds(&self, entity: &str, id: &str) -> Option<bool> {
        match self {
            Share::Volunteer(v) => v.holds(entity, id),
            Share::Leader(l) => l.holds(entity, id),
            Share::Office(o) => o.holds(entity, id),
        }
    }

    pub fn volunteer(&self) -> Option<&VolunteerScope> {
        match self {
            Share::Volunteer(v) => Some(v),
            Share::Leader(_) | Share::Office(_) => None,
        }
    }
}

/// Whether `user` may receive this stored value: the field's read roles, then the record's grid
/// (and for a building leader, whether it is theirs), or, for a volunteer, whether it is one of
/// their deliveries or its recipient.
pub fn readable(user: &UserRecord, share: Option<&Share>, row: &FieldRow) -> bool {
    let c = &row.change;
    let Some(def) = model::schema::entity(&c.entity).and_then(|e| e.field(&c.field)) else {
        return false;
    };
    if !def.can_read(user.role) {
        return false;
    }
    let in_my_grids = || row.grid_id.as_ref().is_some_and(|g| user.grids.contains(g));
    match user.role {
        Role::Admin => true,
        Role::GridWorker | Role::Supervisor | Role::BuildingLeader => {
            if !(is_grid_scoped(&c.entity) || c.entity == grid::NAME) {
                return true;
            }
            if !in_my_grids() {
                return false;
            }
            match (user.role, share) {
                (Role::BuildingLeader, Some(share)) => share.holds(&c.entity, &c.id) != Some(false),
                (Role::BuildingLeader, None) => !responsibility::door_bound(&c.entity),
                _ => true,
            }
        }
        Role::StreetOffice => {
            let in_grids = is_grid_scoped(&c.entity) || c.entity == grid::NAME;
            match share.and_then(|s| s.holds(&c.entity, &c.id)) {
                Some(mine) => mine && in_my_grids(),
                None if in_grids => {
                    in_my_grids() && model::access::receives_any(Role::StreetOffice, &c.entity)
                }
                // The directory and the profiles; no stock, no supplies.
                None => model::access::receives_all(Role::StreetOffice, &c.entity),
            }
        }
        Role::Volunteer => {
            let Some(scope) = share else { return false };
            if let Some(mine) = scope.holds(&c.entity, &c.id) {
                return mine;
            }
            match c.entity.as_str() {
                // A volunteer's phone is no staff directory: it holds their own profile only.
                user_profile::NAME => c.id == user.id,
                // No grid (volunteers have none), no stock move (their own are on their phone
                // already), nothing grid-scoped but their deliveries: the lists the model says a
                // volunteer receives whole, which the app's pages count on.
                e => model::access::receives_all(Role::Volunteer, e),
            }
        }
    }
}
