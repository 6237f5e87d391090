//! Who may read what: the role table of `docs/roles-and-scope.md` applied record by record and
//! field by field, and a volunteer's share of the data, decided here only: the deliveries
//! assigned to them and each delivery's recipient, the resident and their household. The app hides what a role can't do;
//! this is where it is enforced. Writes are judged in `authorize`, with the rules below.

use std::collections::{HashMap, HashSet};

use model::entities::{grid, household, pack_delivery, resident, user_profile};
use model::wire::Change;
use model::Role;
use serde_json::Value;

use crate::storage::{self, FieldRow, RecordLookup, Storage, UserRecord};

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

/// Whether `user` may receive this stored value: the field's read roles, then the record's grid
/// (or, for a volunteer, whether it is one of their deliveries or its recipient).
pub fn readable(user: &UserRecord, volunteer: Option<&VolunteerScope>, row: &FieldRow) -> bool {
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
        Role::GridWorker | Role::Supervisor => {
            if is_grid_scoped(&c.entity) || c.entity == grid::NAME {
                in_my_grids()
            } else {
                true
            }
        }
        Role::Volunteer => {
            let Some(scope) = volunteer else { return false };
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
