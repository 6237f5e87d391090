//! The user's records loaded from IndexedDB once per change, with what every grid-worker screen
//! derives from them: each resident's risk tier and reasons, last contact and next due date,
//! members per household, open needs. Pages read this instead of IndexedDB each on their own.

use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;

use leptos::prelude::*;
use model::date::{Date, CHINA_UTC_OFFSET_MINUTES};
use model::record::Fields;
use model::risk::{self, Assessment, RiskInput, Tier};
use serde_json::Value;

use crate::db::{now_ms, Record};
use crate::sync::use_sync;

/// One resident with what the model says about them today.
#[derive(Debug, Clone)]
pub struct Resident {
    pub record: Record,
    pub assessment: Assessment,
    /// The latest visit that reached the person (not "not at home").
    pub last_contact: Option<Date>,
    /// The latest visit of any kind, with when it was.
    pub last_visit_ms: Option<i64>,
    pub due: Option<Date>,
}

impl Resident {
    pub fn id(&self) -> &str {
        &self.record.id
    }
    pub fn name(&self) -> &str {
        self.record.text("name").unwrap_or("—")
    }
    pub fn tier(&self) -> Tier {
        self.assessment.tier
    }
    /// A severe warning sign at the latest contact: followed up every day until a contact
    /// without one, whatever the due date says.
    pub fn has_warning(&self) -> bool {
        use model::risk::Reason::*;
        self.assessment.reasons.iter().any(|r| {
            matches!(
                r,
                WarnLowSpo2 | WarnBreathing | WarnConfusion | WarnHighFever
            )
        })
    }

    /// Days past the due date (0 = due today), `None` when not due yet or never due.
    pub fn overdue_days(&self, today: Date) -> Option<i64> {
        self.due.map(|d| d.days_until(today)).filter(|d| *d >= 0)
    }
}

#[derive(Debug)]
pub struct Dataset {
    pub today: Date,
    pub residents: Vec<Resident>,
    pub by_id: HashMap<String, usize>,
    pub households: HashMap<String, Record>,
    /// Resident indexes per household id.
    pub members: HashMap<String, Vec<usize>>,
    /// Visits per resident id, newest first.
    pub visits: HashMap<String, Vec<Record>>,
    pub needs: Vec<Record>,
    pub grids: BTreeMap<String, String>,
    pub facilities: Vec<Record>,
    pub deliveries: Vec<Record>,
    /// Plan id → (item id, quantity per pack, site).
    pub pack_items: HashMap<String, Vec<(String, i64, String)>>,
    pub supply_items: Vec<Record>,
    pub stock_moves: Vec<Record>,
    /// User id → display name, from the user profiles.
    pub people: HashMap<String, String>,
    /// The volunteers' (id, name), for assigning packs.
    pub volunteers: Vec<(String, String)>,
    /// Grid workers' and supervisors' (id, name), for assigning needs.
    pub staff: Vec<(String, String)>,
    /// Households in walking order with everything a search may match, built once per load so
    /// a keystroke only scans strings.
    pub household_index: Vec<HouseholdEntry>,
}

#[derive(Debug)]
pub struct HouseholdEntry {
    pub id: String,
    pub address: String,
    pub haystack: String,
}

pub fn today() -> Date {
    Date::from_unix_ms_offset(now_ms() as i64, CHINA_UTC_OFFSET_MINUTES)
}

fn live(records: Vec<Record>) -> Vec<Record> {
    records.into_iter().filter(|r| !r.is_deleted()).collect()
}

fn visited_at(r: &Record) -> Option<i64> {
    r.value("visited_at").and_then(Value::as_i64)
}

impl Dataset {
    pub fn build(all: Loaded, today: Date) -> Dataset {
        let Loaded {
            residents,
            households,
            visits,
            needs,
            grids,
            facilities,
            deliveries,
            pack_items,
            supply_items,
            stock_moves,
            people,
        } = all;
        let mut by_resident: HashMap<String, Vec<Record>> = HashMap::new();
        for v in live(visits) {
            if let Some(rid) = v.text("resident_id") {
                by_resident.entry(rid.to_owned()).or_default().push(v);
            }
        }
        for list in by_resident.values_mut() {
            list.sort_by_key(|v| std::cmp::Reverse(visited_at(v)));
        }
        let mut volunteers: Vec<(String, String)> = people
            .iter()
            .filter(|p| p.text("role") == Some("volunteer") && !p.is_deleted())
            .filter_map(|p| Some((p.id.clone(), p.text("name")?.to_owned())))
            .collect();
        volunteers.sort_by(|a, b| a.1.cmp(&b.1));
        let mut staff: Vec<(String, String)> = people
            .iter()
            .filter(|p| {
                matches!(p.text("role"), Some("grid_worker" | "supervisor")) && !p.is_deleted()
            })
            .filter_map(|p| Some((p.id.clone(), p.text("name")?.to_owned())))
            .collect();
        staff.sort_by(|a, b| a.1.cmp(&b.1));
        let mut out = Dataset {
            volunteers,
            staff,
            today,
            residents: Vec::new(),
            by_id: HashMap::new(),
            households: HashMap::new(),
            members: HashMap::new(),
            visits: HashMap::new(),
            needs: Vec::new(),
            grids: BTreeMap::new(),
            facilities: Vec::new(),
            deliveries: live(deliveries),
            pack_items: HashMap::new(),
            supply_items: live(supply_items),
            stock_moves: live(stock_moves),
            people: people
                .into_iter()
                .filter_map(|p| Some((p.id.clone(), p.text("name")?.to_owned())))
                .collect(),
            household_index: Vec::new(),
        };
        for p in live(pack_items) {
            let (Some(plan), Some(item), Some(q)) = (
                p.text("plan_id"),
                p.text("item_id"),
                p.value("quantity").and_then(Value::as_i64),
            ) else {
                continue;
            };
            out.pack_items.entry(plan.to_owned()).or_default().push((
                item.to_owned(),
                q,
                p.text("site").unwrap_or_default().to_owned(),
            ));
        }
        for r in live(residents) {
            let fields = r.values();
            let mut input = RiskInput::from_fields(&fields);
            let visits = by_resident.get(&r.id);
            let visit_fields: Vec<BTreeMap<String, Value>> = visits
                .map(|v| v.iter().map(Record::values).collect())
                .unwrap_or_default();
            if let Some(latest) = risk::latest_contact(visit_fields.iter()) {
                input.set_latest_visit(latest, CHINA_UTC_OFFSET_MINUTES);
            }
            let (assessment, due) = risk::assess_with_due(&input, today);
            let i = out.residents.len();
            out.by_id.insert(r.id.clone(), i);
            if let Some(h) = r.text("household_id") {
                out.members.entry(h.to_owned()).or_default().push(i);
            }
            out.residents.push(Resident {
                last_contact: input.last_visit,
                last_visit_ms: visits.and_then(|v| v.first()).and_then(visited_at),
                record: r,
                assessment,
                due,
            });
        }
        out.visits = by_resident;
        out.households = live(households)
            .into_iter()
            .map(|h| (h.id.clone(), h))
            .collect();
        out.needs = live(needs);
        out.grids = grids
            .into_iter()
            .filter_map(|g| Some((g.id.clone(), g.text("name")?.to_owned())))
            .collect();
        out.facilities = live(facilities);
        let mut index: Vec<HouseholdEntry> = out
            .households
            .values()
            .map(|h| {
                let mut haystack: Vec<&str> = HOUSEHOLD_SEARCHED
                    .iter()
                    .filter_map(|f| h.text(f))
                    .collect();
                for m in out.members_of(&h.id) {
                    haystack.extend(["name", "phone"].iter().filter_map(|f| m.record.text(f)));
                }
                HouseholdEntry {
                    id: h.id.clone(),
                    address: address(h),
                    haystack: haystack.join("\u{1f}"),
                }
            })
            .collect();
        index.sort_by_cached_key(|e| natural_key(&e.address));
        out.household_index = index;
        out
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

    pub fn resident(&self, id: &str) -> Option<&Resident> {
        self.by_id.get(id).map(|&i| &self.residents[i])
    }

    pub fn members_of(&self, household: &str) -> impl Iterator<Item = &Resident> {
        self.members
            .get(household)
            .into_iter()
            .flatten()
            .map(|&i| &self.residents[i])
    }

    pub fn open_needs_of<'a>(&'a self, resident: &'a str) -> impl Iterator<Item = &'a Record> + 'a {
        self.needs
            .iter()
            .filter(move |n| n.text("resident_id") == Some(resident) && is_open(n))
    }

    pub fn address_of(&self, household: Option<&str>) -> String {
        household
            .and_then(|h| self.households.get(h))
            .map(address)
            .unwrap_or_default()
    }
}

/// The household fields a search looks in (members' names and phones come on top).
pub const HOUSEHOLD_SEARCHED: &[&str] = &[
    "address",
    "building",
    "unit",
    "room",
    "village",
    "village_group",
    "head_name",
    "phone",
];

/// "幸福里小区 2 号楼" before "幸福里小区 10 号楼": numbers compare as numbers.
pub fn natural_key(s: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let (mut text, mut digits) = (String::new(), String::new());
    for c in s.chars() {
        if c.is_ascii_digit() {
            digits.push(c);
        } else {
            if !digits.is_empty() {
                out.push((std::mem::take(&mut text), digits.parse().unwrap_or(0)));
                digits.clear();
            }
            text.push(c);
        }
    }
    out.push((text, digits.parse().unwrap_or(0)));
    out
}

/// Every kind of record the screens read, as loaded from IndexedDB.
pub struct Loaded {
    pub residents: Vec<Record>,
    pub households: Vec<Record>,
    pub visits: Vec<Record>,
    pub needs: Vec<Record>,
    pub grids: Vec<Record>,
    pub facilities: Vec<Record>,
    pub deliveries: Vec<Record>,
    pub pack_items: Vec<Record>,
    pub supply_items: Vec<Record>,
    pub stock_moves: Vec<Record>,
    pub people: Vec<Record>,
}

pub fn is_open(need: &Record) -> bool {
    model::entities::need::is_open(need.text(model::entities::need::field::STATUS))
}

/// A household's address as people say it ([`model::entities::household::address_line`]).
pub fn address(h: &Record) -> String {
    model::entities::household::address_line(&h.fields)
}

#[derive(Clone, Copy)]
pub struct DataContext {
    pub data: LocalResource<Option<Rc<Dataset>>>,
}

/// Loads the dataset whenever the device's records change (a local edit or a pulled page).
pub fn provide_data() {
    let sync = use_sync();
    let data = LocalResource::new(move || {
        sync.revision.track();
        let db = sync.db();
        async move {
            let db = db?;
            let (residents, households, visits, needs, grids, facilities) = futures::try_join!(
                db.records("resident"),
                db.records("household"),
                db.records("visit"),
                db.records("need"),
                db.records("grid"),
                db.records("facility"),
            )
            .ok()?;
            let (deliveries, pack_items, supply_items, stock_moves, people) = futures::try_join!(
                db.records("pack_delivery"),
                db.records("pack_plan_item"),
                db.records("supply_item"),
                db.records("stock_move"),
                db.records("user_profile"),
            )
            .ok()?;
            let all = Loaded {
                residents,
                households,
                visits,
                needs,
                grids,
                facilities,
                deliveries,
                pack_items,
                supply_items,
                stock_moves,
                people,
            };
            Some(Rc::new(Dataset::build(all, today())))
        }
    });
    provide_context(DataContext { data });
}

pub fn use_data() -> DataContext {
    expect_context::<DataContext>()
}
