//! Records for the dataset's tests: plain values with an id, added by entity, each resident in
//! grid `g1` unless the test says otherwise.

use serde_json::{json, Value};

use super::{Dataset, Loaded, Row};
use crate::date::Date;
use crate::entities::{
    grid, household, need, pack_delivery, pack_plan_item, resident, user_profile, visit,
};
use crate::record::{Fields, Values};
use crate::Role;

#[derive(Debug, Clone)]
pub struct Rec {
    pub id: String,
    pub fields: Values,
}

impl Fields for Rec {
    fn value(&self, field: &str) -> Option<&Value> {
        self.fields.value(field)
    }
}

impl Row for Rec {
    fn id(&self) -> &str {
        &self.id
    }
}

pub type Pairs<'a> = &'a [(&'a str, Value)];

pub struct Fixture {
    pub today: Date,
    all: Loaded<Rec>,
    visits: usize,
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture {
            today: Date::new(2024, 3, 10).unwrap(),
            all: Loaded::new(),
            visits: 0,
        }
    }

    /// The date `days_ago` days before today.
    pub fn day(&self, days_ago: i64) -> Date {
        self.today.add_days(-days_ago)
    }

    /// Noon, China time, `days_ago` days before today.
    pub fn ms(&self, days_ago: i64) -> i64 {
        (self.day(days_ago).days_since_epoch() * 86_400 + 4 * 3_600) * 1_000
    }

    pub fn add(&mut self, entity: &'static str, id: &str, pairs: Pairs) {
        let edits: Vec<(String, Value)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        self.add_edits(entity, id, &edits);
    }

    /// A record made of edits as the app writes them (`model::dataset::education::given` …).
    pub fn add_edits(&mut self, entity: &'static str, id: &str, edits: &[(String, Value)]) {
        self.all.entry(entity).or_default().push(Rec {
            id: id.to_owned(),
            fields: edits.iter().cloned().collect(),
        });
    }

    /// A resident in grid `g1`, born 1990 (green) unless `pairs` says otherwise.
    pub fn resident(&mut self, id: &str, pairs: Pairs) {
        let mut all = vec![
            (resident::field::GRID_ID, json!("g1")),
            (resident::field::NAME, json!(id)),
            (resident::field::BIRTH_DATE, json!("1990-01-01")),
        ];
        all.extend(pairs.iter().cloned());
        self.add(resident::NAME, id, &all);
    }

    pub fn household(&mut self, id: &str, pairs: Pairs) {
        self.add(household::NAME, id, pairs);
    }

    /// A visit of `resident` at noon `days_ago` days before today, in person unless told.
    pub fn visit(&mut self, resident: &str, days_ago: i64, pairs: Pairs) {
        self.visits += 1;
        let mut all = vec![
            (visit::field::RESIDENT_ID, json!(resident)),
            (visit::field::METHOD, json!("in_person")),
            (visit::field::VISITED_AT, json!(self.ms(days_ago))),
        ];
        all.extend(pairs.iter().cloned());
        self.add(visit::NAME, &format!("v{}", self.visits), &all);
    }

    pub fn need(&mut self, id: &str, resident: &str, pairs: Pairs) {
        let mut all = vec![(need::field::RESIDENT_ID, json!(resident))];
        all.extend(pairs.iter().cloned());
        self.add(need::NAME, id, &all);
    }

    pub fn delivery(&mut self, id: &str, pairs: Pairs) {
        self.add(pack_delivery::NAME, id, pairs);
    }

    pub fn plan_item(&mut self, id: &str, plan: &str, item: &str, quantity: i64) {
        self.add(
            pack_plan_item::NAME,
            id,
            &[
                (pack_plan_item::field::PLAN_ID, json!(plan)),
                (pack_plan_item::field::ITEM_ID, json!(item)),
                (pack_plan_item::field::QUANTITY, json!(quantity)),
                (pack_plan_item::field::SITE, json!("站")),
            ],
        );
    }

    pub fn person(&mut self, id: &str, name: &str, role: Role) {
        self.add(
            user_profile::NAME,
            id,
            &[
                (user_profile::field::NAME, json!(name)),
                (user_profile::field::ROLE, json!(role.as_str())),
            ],
        );
    }

    pub fn grid(&mut self, id: &str, name: &str) {
        self.add(grid::NAME, id, &[(grid::field::NAME, json!(name))]);
    }

    pub fn build(&self) -> Dataset<Rec> {
        Dataset::build(self.all.clone(), self.today)
    }
}

/// The ids of `rows`, in order.
pub fn ids<'a, T: 'a>(rows: impl IntoIterator<Item = &'a T>, id: fn(&T) -> &str) -> Vec<String> {
    rows.into_iter().map(|r| id(r).to_owned()).collect()
}
