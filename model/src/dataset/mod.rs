//! The records of one device, read once per change, with what the grid worker's screens derive
//! from them: each resident's risk tier and reasons, last contact and next due date, members per
//! household, open needs, the household search. The app builds it from its stamped records and the
//! tests from plain values: both go through [`Row`], so the rules are the same.

pub mod doors;
pub mod due;
pub mod education;
pub mod gatherings;
pub mod gear;
pub mod ledger;
pub mod mobilising;
pub mod needs;
pub mod packs;
mod responsible;
pub mod rota;
mod search;
pub mod sheet;
pub mod spot;
pub mod support;
pub mod upward;

#[cfg(test)]
mod departed;
#[cfg(test)]
mod fixture;

use std::collections::{BTreeMap, HashMap};

use crate::date::{Date, CHINA_UTC_OFFSET_MINUTES};
use crate::entities::{
    facility, grid, household, need, pack_delivery, pack_plan_item, resident, stock_move,
    supply_item, user_profile, visit,
};
use crate::lifecycle::{self, Departure};
use crate::record::{self, Fields};
use crate::risk::{self, Assessment, OfflineGroup, Reason, RiskInput, Tier};
use crate::Role;

pub use search::{natural_key, HouseholdEntry, Query, SearchText};

/// A stored record: its current fields and its id.
pub trait Row: Fields {
    fn id(&self) -> &str;
}

/// Every entity the screens read, in the order the device loads them.
pub const ENTITIES: &[&str] = &[
    resident::NAME,
    household::NAME,
    visit::NAME,
    need::NAME,
    grid::NAME,
    facility::NAME,
    pack_delivery::NAME,
    pack_plan_item::NAME,
    supply_item::NAME,
    stock_move::NAME,
    user_profile::NAME,
    crate::entities::education::NAME,
    crate::entities::mobilisation::NAME,
    crate::entities::spot_check::NAME,
    crate::entities::gathering::NAME,
    crate::entities::report::NAME,
    crate::entities::support_request::NAME,
    crate::entities::duty::NAME,
];

/// The records of each of [`ENTITIES`] as loaded, deleted ones included.
pub type Loaded<R> = HashMap<&'static str, Vec<R>>;

/// One item of a pack plan: (item id, quantity per pack, site it is drawn from).
pub type PackItem = (String, i64, String);

/// One resident with what the model says about them today.
#[derive(Debug, Clone)]
pub struct Resident<R> {
    pub record: R,
    pub assessment: Assessment,
    /// The latest visit that reached the person (not "not at home").
    pub last_contact: Option<Date>,
    /// The latest visit of any kind, with when it was.
    pub last_visit_ms: Option<i64>,
    pub due: Option<Date>,
    /// Due today or earlier only for the offline channel's visit in person (线下渠道): the tier's
    /// own visit is not due, and a call would not meet it.
    pub at_the_door: bool,
    /// Why they are no longer looked after here (their own status or their household's), if
    /// they are not: such a resident stays on their page and in searches but leaves the lists
    /// drawn from [`Dataset::active`].
    pub departure: Option<Departure>,
    /// What a search finds them by, built with the dataset so a keystroke only compares.
    pub search: SearchText,
}

impl<R: Row> Resident<R> {
    pub fn id(&self) -> &str {
        self.record.id()
    }

    /// The record's fields by name.
    pub fn view(&self) -> record::Resident<'_, R> {
        record::Resident(&self.record)
    }

    pub fn name(&self) -> &str {
        self.view().name().unwrap_or("—")
    }

    pub fn tier(&self) -> Tier {
        self.assessment.tier
    }

    /// Looked after here: not moved away, deceased or gone from the grid, nor their household.
    pub fn is_active(&self) -> bool {
        self.departure.is_none()
    }

    /// A severe warning sign at the latest contact: followed up every day until a contact
    /// without one, whatever the due date says.
    pub fn has_warning(&self) -> bool {
        use Reason::*;
        self.assessment.reasons.iter().any(|r| {
            matches!(
                r,
                WarnLowSpo2 | WarnBreathing | WarnConfusion | WarnHighFever
            )
        })
    }

    /// In a group kept an offline channel: visited in person on an interval of its own.
    pub fn needs_offline_channel(&self) -> bool {
        !self.assessment.offline.is_empty()
    }

    /// Who to reach for a resident who cannot be reached by phone themselves: the guardian if
    /// recorded, else the emergency contact, as (name, phone); either part may be missing.
    pub fn carer(&self) -> Option<(Option<&str>, Option<&str>)> {
        let v = self.view();
        [
            (v.guardian_name(), v.guardian_phone()),
            (v.emergency_contact(), v.emergency_phone()),
        ]
        .into_iter()
        .find(|(name, phone)| name.is_some() || phone.is_some())
    }

    /// Days past the due date (0 = due today), `None` when not due yet or never due.
    pub fn overdue_days(&self, today: Date) -> Option<i64> {
        self.due.map(|d| d.days_until(today)).filter(|d| *d >= 0)
    }

    /// Why the tier, in Chinese, as the ledger reports it upward.
    pub fn reasons_zh(&self) -> String {
        self.reasons(Reason::zh, "、")
    }

    pub fn reasons_en(&self) -> String {
        self.reasons(Reason::en, ", ")
    }

    /// The offline-channel groups, in Chinese ("孤儿、残疾人"); empty when in none.
    pub fn offline_zh(&self) -> String {
        self.offline(OfflineGroup::zh, "、")
    }

    pub fn offline_en(&self) -> String {
        self.offline(OfflineGroup::en, ", ")
    }

    fn offline(&self, label: fn(OfflineGroup) -> &'static str, separator: &str) -> String {
        let labels: Vec<&str> = self.assessment.offline.iter().map(|g| label(*g)).collect();
        labels.join(separator)
    }

    fn reasons(&self, label: fn(Reason) -> &'static str, separator: &str) -> String {
        let labels: Vec<&str> = self.assessment.reasons.iter().map(|r| label(*r)).collect();
        labels.join(separator)
    }
}

#[derive(Debug)]
pub struct Dataset<R> {
    pub today: Date,
    pub residents: Vec<Resident<R>>,
    by_id: HashMap<String, usize>,
    pub households: HashMap<String, R>,
    /// Resident indexes per household id.
    members: HashMap<String, Vec<usize>>,
    pub needs: Vec<R>,
    /// Health education given (`education` records).
    pub educations: Vec<R>,
    /// Vaccination mobilisation attempts (`mobilisation` records).
    pub mobilisations: Vec<R>,
    /// Supervisors' spot checks of visits; none on a grid worker's device.
    pub spot_checks: Vec<R>,
    /// Planned weddings, funerals and other gatherings.
    pub gatherings: Vec<R>,
    /// Reports sent upward; none on a grid worker's device.
    pub reports: Vec<R>,
    /// Workers' requests for psychological support: a supervisor's device holds those of their
    /// grids, a worker's only those they sent from it.
    pub support_requests: Vec<R>,
    /// The rest rota's days of the device's grids.
    pub duties: Vec<R>,
    /// Grid id → name.
    pub grids: BTreeMap<String, String>,
    pub facilities: Vec<R>,
    pub deliveries: Vec<R>,
    /// Plan id → its items.
    pub pack_items: HashMap<String, Vec<PackItem>>,
    pub supply_items: Vec<R>,
    pub stock_moves: Vec<R>,
    /// User id → display name, from the user profiles.
    pub people: HashMap<String, String>,
    /// The volunteers' (id, name), by name, for assigning packs.
    pub volunteers: Vec<(String, String)>,
    /// Grid workers', building leaders' and supervisors' (id, name), by name, for assigning
    /// needs.
    pub staff: Vec<(String, String)>,
    /// Grid id → the (id, name) of who may answer for its doors, by name
    /// ([`Dataset::answerers_of`]).
    answerers: HashMap<String, Vec<(String, String)>>,
    /// Grid workers' (id, name), by name: who may cover a grid on its worker's day off.
    pub grid_workers: Vec<(String, String)>,
    /// Each resident's live visits, newest first.
    visits: HashMap<String, Vec<R>>,
    /// Households in walking order with everything a search may match, built once per load so
    /// a keystroke only scans strings.
    pub household_index: Vec<HouseholdEntry>,
    /// Today's list in knocking order, as indexes into `residents`: sorted once per load, so a
    /// keystroke in Today's search only filters.
    due_order: Vec<usize>,
    /// Residents by name, as indexes into `residents`: sorted the first time a search asks, so
    /// that a keystroke only filters and a start that never searches never sorts.
    name_order: std::sync::OnceLock<Vec<usize>>,
}

fn live<R: Fields>(records: Vec<R>) -> Vec<R> {
    records.into_iter().filter(|r| !r.is_deleted()).collect()
}

/// The (id, name) of the live profiles with one of `roles`, by name.
fn people_with<R: Row>(people: &[R], roles: &[Role]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = people
        .iter()
        .map(record::UserProfile)
        .filter(|p| !p.is_deleted())
        .filter(|p| {
            p.role()
                .and_then(Role::parse)
                .is_some_and(|r| roles.contains(&r))
        })
        .filter_map(|p| Some((p.fields().id().to_owned(), p.name()?.to_owned())))
        .collect();
    out.sort_by(|a, b| a.1.cmp(&b.1));
    out
}

impl<R: Row> Dataset<R> {
    /// Derives everything from the loaded records, as of `today`.
    pub fn build(mut all: Loaded<R>, today: Date) -> Dataset<R> {
        let mut take = |entity: &str| all.remove(entity).unwrap_or_default();
        let (residents, households, visits, needs) = (
            live(take(resident::NAME)),
            live(take(household::NAME)),
            live(take(visit::NAME)),
            live(take(need::NAME)),
        );
        let (grids, facilities, deliveries, pack_items) = (
            take(grid::NAME),
            live(take(facility::NAME)),
            live(take(pack_delivery::NAME)),
            live(take(pack_plan_item::NAME)),
        );
        let (supply_items, stock_moves, people) = (
            live(take(supply_item::NAME)),
            live(take(stock_move::NAME)),
            take(user_profile::NAME),
        );
        let educations = live(take(crate::entities::education::NAME));
        let mobilisations = live(take(crate::entities::mobilisation::NAME));
        let spot_checks = live(take(crate::entities::spot_check::NAME));
        let gatherings = live(take(crate::entities::gathering::NAME));
        let reports = live(take(crate::entities::report::NAME));
        let support_requests = live(take(crate::entities::support_request::NAME));
        let duties = live(take(crate::entities::duty::NAME));

        let mut out = Dataset {
            today,
            residents: Vec::new(),
            by_id: HashMap::new(),
            households: households
                .into_iter()
                .map(|h| (h.id().to_owned(), h))
                .collect(),
            members: HashMap::new(),
            needs,
            educations,
            mobilisations,
            spot_checks,
            gatherings,
            reports,
            support_requests,
            duties,
            grids: grids
                .iter()
                .filter_map(|g| Some((g.id().to_owned(), record::Grid(g).name()?.to_owned())))
                .collect(),
            facilities,
            deliveries,
            pack_items: HashMap::new(),
            supply_items,
            stock_moves,
            volunteers: people_with(&people, &[Role::Volunteer]),
            staff: people_with(
                &people,
                &[Role::GridWorker, Role::BuildingLeader, Role::Supervisor],
            ),
            answerers: responsible::answerers(&people, grids.iter().map(|g| g.id())),
            grid_workers: people_with(&people, &[Role::GridWorker]),
            people: people
                .iter()
                .filter_map(|p| {
                    Some((p.id().to_owned(), record::UserProfile(p).name()?.to_owned()))
                })
                .collect(),
            household_index: Vec::new(),
            due_order: Vec::new(),
            name_order: std::sync::OnceLock::new(),
            visits: HashMap::new(),
        };
        for p in &pack_items {
            let p = record::PackPlanItem(p);
            let (Some(plan), Some(item), Some(q)) = (p.plan_id(), p.item_id(), p.quantity()) else {
                continue;
            };
            out.pack_items.entry(plan.to_owned()).or_default().push((
                item.to_owned(),
                q,
                p.site().unwrap_or_default().to_owned(),
            ));
        }
        out.assess(residents, visits);
        out.household_index = search::household_index(&out);
        out.due_order = out.knocking_order();
        out
    }

    /// Each resident's tier and due date from their fields and their visits.
    fn assess(&mut self, residents: Vec<R>, visits: Vec<R>) {
        let mut by_resident: HashMap<String, Vec<R>> = HashMap::new();
        for v in visits {
            if let Some(rid) = record::Visit(&v).resident_id() {
                by_resident.entry(rid.to_owned()).or_default().push(v);
            }
        }
        for r in residents {
            let mut input = RiskInput::from_fields(&r);
            let visits: &[R] = by_resident.get(r.id()).map_or(&[], Vec::as_slice);
            input.set_visits(visits, CHINA_UTC_OFFSET_MINUTES);
            let assessment = risk::assess(&input, self.today);
            let dues = risk::Intervals::DEFAULT.dues(&assessment, &input, self.today);
            let (due, at_the_door) = (dues.due(), dues.only_at_the_door(self.today));
            let household = record::Resident(&r)
                .household_id()
                .and_then(|h| self.households.get(h));
            let departure = lifecycle::departure(&r, household);
            let address = household.map(household::address_line).unwrap_or_default();
            let search = search::resident_search(&r, &address);
            let i = self.residents.len();
            self.by_id.insert(r.id().to_owned(), i);
            if let Some(h) = record::Resident(&r).household_id() {
                self.members.entry(h.to_owned()).or_default().push(i);
            }
            self.residents.push(Resident {
                last_contact: input.last_visit,
                last_visit_ms: visits
                    .iter()
                    .filter_map(|v| v.int(visit::field::VISITED_AT))
                    .max(),
                record: r,
                assessment,
                due,
                at_the_door,
                departure,
                search,
            });
        }
        for visits in by_resident.values_mut() {
            visits.sort_by_key(|v| std::cmp::Reverse(v.int(visit::field::VISITED_AT)));
        }
        self.visits = by_resident;
    }

    /// The residents looked after here: everyone not marked moved away, deceased or left the
    /// grid, on their own or with their household. Today, the ledger and pack recipients draw
    /// from this and nothing else, so the rule lives in one place.
    pub fn active(&self) -> impl Iterator<Item = &Resident<R>> {
        self.residents.iter().filter(|r| r.is_active())
    }

    /// A resident's visits, newest first: their history, kept whatever their status.
    pub fn visits_of(&self, resident: &str) -> &[R] {
        self.visits.get(resident).map_or(&[], Vec::as_slice)
    }

    /// The grids on this device as (id, name), by name, for pickers.
    pub fn grids_by_name(&self) -> Vec<(String, String)> {
        let mut grids: Vec<(String, String)> = self
            .grids
            .iter()
            .map(|(id, n)| (id.clone(), n.clone()))
            .collect();
        grids.sort_by(|a, b| a.1.cmp(&b.1));
        grids
    }

    pub fn resident(&self, id: &str) -> Option<&Resident<R>> {
        self.by_id.get(id).map(|&i| &self.residents[i])
    }

    pub fn members_of(&self, household: &str) -> impl Iterator<Item = &Resident<R>> {
        self.members
            .get(household)
            .into_iter()
            .flatten()
            .map(|&i| &self.residents[i])
    }

    pub fn open_needs_of<'a>(&'a self, resident: &'a str) -> impl Iterator<Item = &'a R> + 'a {
        self.needs.iter().filter(move |n| {
            let n = record::Need(*n);
            n.resident_id() == Some(resident) && n.is_open()
        })
    }

    /// The address line of a household, empty when there is none.
    pub fn address_of(&self, household: Option<&str>) -> String {
        household
            .and_then(|h| self.households.get(h))
            .map(household::address_line)
            .unwrap_or_default()
    }

    /// The address of a resident's household.
    pub fn address_of_resident(&self, r: &Resident<R>) -> String {
        self.address_of(r.view().household_id())
    }

    /// A grid's name, empty when unknown.
    pub fn grid_name(&self, grid: Option<&str>) -> &str {
        grid.and_then(|g| self.grids.get(g))
            .map(String::as_str)
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::fixture::*;
    use super::*;
    use serde_json::json;

    #[test]
    fn a_resident_is_assessed_from_their_latest_contact() {
        let mut f = Fixture::new();
        f.resident("r1", &[(resident::field::NAME, json!("王桂兰"))]);
        f.visit("r1", 2, &[(visit::field::WARN_BREATHING, json!(true))]);
        f.visit("r1", 0, &[(visit::field::METHOD, json!("not_home"))]);
        let d = f.build();
        let r = d.resident("r1").unwrap();
        assert_eq!(r.name(), "王桂兰");
        assert_eq!(r.tier(), Tier::Red);
        assert!(
            r.has_warning(),
            "a not-at-home visit does not clear the sign"
        );
        assert_eq!(r.reasons_zh(), "呼吸困难");
        assert_eq!(r.last_contact, Some(f.day(2)));
        assert_eq!(
            r.last_visit_ms,
            Some(f.ms(0)),
            "any visit counts as the last visit"
        );
    }

    #[test]
    fn deleted_records_are_left_out_and_members_and_needs_found() {
        let mut f = Fixture::new();
        f.household("h1", &[(household::field::ROOM, json!("501"))]);
        f.resident("r1", &[(resident::field::HOUSEHOLD_ID, json!("h1"))]);
        f.resident("r2", &[(resident::field::DELETED, json!(true))]);
        f.need("n1", "r1", &[(need::field::STATUS, json!(need::OPEN))]);
        f.need("n2", "r1", &[(need::field::STATUS, json!(need::RESOLVED))]);
        f.need("n3", "r1", &[(need::field::DELETED, json!(true))]);
        let d = f.build();
        assert!(d.resident("r2").is_none());
        let members: Vec<&str> = d.members_of("h1").map(|m| m.id()).collect();
        assert_eq!(members, ["r1"]);
        let open: Vec<&str> = d.open_needs_of("r1").map(|n| n.id()).collect();
        assert_eq!(open, ["n1"]);
        assert_eq!(d.address_of(Some("h1")), "501");
        assert_eq!(d.address_of(None), "");
    }

    #[test]
    fn people_are_sorted_by_name_and_split_by_role() {
        let mut f = Fixture::new();
        f.person("u1", "B 志愿者", Role::Volunteer);
        f.person("u2", "A 志愿者", Role::Volunteer);
        f.person("u3", "网格员", Role::GridWorker);
        f.person("u4", "管理员", Role::Admin);
        f.grid("g2", "B 网格");
        f.grid("g1", "C 网格");
        let d = f.build();
        let names = |v: &[(String, String)]| v.iter().map(|p| p.1.clone()).collect::<Vec<_>>();
        assert_eq!(names(&d.volunteers), ["A 志愿者", "B 志愿者"]);
        assert_eq!(names(&d.staff), ["网格员"]);
        assert_eq!(d.people.len(), 4);
        assert_eq!(names(&d.grids_by_name()), ["B 网格", "C 网格"]);
        assert_eq!(d.grid_name(Some("g1")), "C 网格");
    }

    #[test]
    fn the_device_loads_every_entity_of_the_schema() {
        let mut loaded: Vec<&str> = ENTITIES.to_vec();
        let mut schema: Vec<&str> = crate::schema::entities().iter().map(|e| e.name).collect();
        loaded.sort_unstable();
        schema.sort_unstable();
        assert_eq!(loaded, schema);
    }
}
