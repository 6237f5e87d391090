//! Planning: each row refused for its problems, or matched against the stored records and the
//! rows above it and turned into the resident and household values to create or merge.

use std::collections::BTreeMap;

use model::dedupe::{normalize_name, normalize_phone, PersonIndex};
use model::entities::{household, resident};
use model::record::{Grid, Household, Values};
use model::wire::ImportAction;
use serde_json::{json, Value};

use super::row::{self, RowValues};
use super::{Context, ImportError, Plan, Problem, Row, Sheet};

/// Record ids by entity and id, as the plan's writes are keyed.
type Key = (String, String);

/// Plans the import of `sheet` under `mapping` (import field key → header). Fails when the
/// mapping lacks a name column, names an unknown field or a header the file does not have, or
/// when the context's deadline passes.
pub fn plan(
    sheet: &Sheet,
    mapping: &BTreeMap<String, String>,
    ctx: &Context,
    new_id: &mut dyn FnMut() -> String,
) -> Result<Plan, ImportError> {
    let columns = row::columns(&sheet.headers, mapping)?;
    let mut planner = Planner::new(ctx, new_id);
    for (i, (row_no, cells)) in sheet.rows.iter().enumerate() {
        if i.is_multiple_of(64) {
            ctx.deadline.check()?;
        }
        let row = planner.row(*row_no, row::read(&columns, cells));
        planner.out.rows.push(row);
    }
    planner.out.writes.retain(|_, w| !w.is_empty());
    Ok(planner.out)
}

/// Spaces and case do not make another address (nor another grid name).
fn normalize_address(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The plan so far, with what the rows are matched against: the stored records and those the
/// rows above planned.
struct Planner<'a> {
    ctx: &'a Context<'a>,
    new_id: &'a mut dyn FnMut() -> String,
    /// The id and name of every grid the user may import into.
    grids: Vec<(String, String)>,
    /// Household ids by grid and normalised address.
    households: BTreeMap<(String, String), String>,
    /// Existing residents first, in id order, then the file's new ones as they come.
    people: Vec<(String, Values)>,
    /// `people` by what a duplicate must share: a row is compared with its namesakes only.
    index: PersonIndex,
    out: Plan,
}

impl<'a> Planner<'a> {
    fn new(ctx: &'a Context<'a>, new_id: &'a mut dyn FnMut() -> String) -> Self {
        let snap = ctx.snapshot;
        let grids = snap
            .of(model::entities::grid::NAME)
            .filter(|(id, _)| ctx.allowed.is_none_or(|a| a.contains(id)))
            .map(|(id, f)| (id.clone(), Grid(f).name().unwrap_or_default().to_owned()))
            .collect();
        let households = snap
            .of(household::NAME)
            .filter_map(|(id, f)| {
                let h = Household(f);
                let key = (h.grid_id()?.to_owned(), normalize_address(h.address()?));
                Some((key, id.clone()))
            })
            .collect();
        let people: Vec<(String, Values)> = snap
            .of(resident::NAME)
            .map(|(id, f)| (id.clone(), f.clone()))
            .collect();
        let mut index = PersonIndex::default();
        for (pos, (_, fields)) in people.iter().enumerate() {
            index.insert(pos, fields);
        }
        Planner {
            ctx,
            new_id,
            grids,
            households,
            people,
            index,
            out: Plan::default(),
        }
    }

    /// Refuses the row for its problems, or creates or merges its resident.
    fn row(&mut self, row: usize, values: RowValues) -> Row {
        let RowValues {
            name,
            grid,
            resident,
            household,
            mut problems,
        } = values;
        let grid = match self.grid_of(grid.as_deref()) {
            Ok(id) => Some(id),
            Err(problem) => {
                problems.push(problem);
                None
            }
        };
        let (Some(grid), true) = (grid, problems.is_empty()) else {
            return Row {
                row,
                action: ImportAction::Refuse,
                name,
                resident_id: None,
                problems,
            };
        };
        let (action, id) = self.resident(&grid, &resident, &household);
        Row {
            row,
            action,
            name,
            resident_id: (action == ImportAction::Merge).then_some(id),
            problems,
        }
    }

    /// The grid the row names, else the default one, else the user's only grid; it must be one
    /// the user may import into. Only those grids are searched: a name or id outside them is
    /// "not one of yours" whether or not it exists, and the message quotes only what the file
    /// (or the request) says, so nobody learns another grid's name or existence here.
    fn grid_of(&self, named: Option<&str>) -> Result<String, Problem> {
        let written = match (named.or(self.ctx.default_grid), self.ctx.allowed) {
            (Some(g), _) => g,
            (None, Some([only])) => return Ok(only.clone()),
            _ => return Err(Problem::NoGrid),
        };
        match self.find_grid(written) {
            Some(id) => Ok(id),
            None if self.ctx.allowed.is_some() => Err(Problem::NotYourGrid(written.to_owned())),
            None => Err(Problem::UnknownGrid(written.to_owned())),
        }
    }

    /// One of the user's grids by id, or by its name however spaced.
    fn find_grid(&self, s: &str) -> Option<String> {
        let n = normalize_address(s);
        self.grids
            .iter()
            .find(|(id, name)| id == s || (!name.is_empty() && normalize_address(name) == n))
            .map(|(id, _)| id.clone())
    }

    /// The value of `field` once the writes planned so far land.
    fn current(&self, key: &Key, field: &str) -> Option<&Value> {
        self.out
            .writes
            .get(key)
            .and_then(|w| w.get(field))
            .or_else(|| {
                self.ctx
                    .snapshot
                    .get(&key.0, &key.1)
                    .and_then(|s| s.get(field))
            })
    }

    /// Merges the row into the person it duplicates, else creates one, writing only what the
    /// record does not already say, and a household when the person has none.
    fn resident(
        &mut self,
        grid: &str,
        values: &BTreeMap<&'static str, Value>,
        household: &BTreeMap<&'static str, Value>,
    ) -> (ImportAction, String) {
        let mut candidate: Values = values
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        candidate.insert(resident::field::GRID_ID.into(), json!(grid));
        let found = self.index.first_same(&candidate, |pos| &self.people[pos].1);
        let (action, id) = match found {
            Some(i) => (ImportAction::Merge, self.people[i].0.clone()),
            None => (ImportAction::Create, (self.new_id)()),
        };
        let key = (resident::NAME.to_owned(), id.clone());
        let mut changes: Vec<(String, Value)> = candidate
            .iter()
            .filter(|(f, v)| !same_value(f, self.current(&key, f), v))
            .map(|(f, v)| (f.clone(), v.clone()))
            .collect();
        if self.current(&key, resident::field::HOUSEHOLD_ID).is_none() {
            if let Some(hid) = self.household(grid, household) {
                changes.push((resident::field::HOUSEHOLD_ID.into(), json!(hid)));
            }
        }
        self.out.writes.entry(key).or_default().extend(changes);
        // Later rows match against what this person now is, file values included.
        match found {
            Some(i) => {
                self.index.remove(i, &self.people[i].1);
                for (f, v) in candidate {
                    self.people[i].1.entry(f).or_insert(v);
                }
                self.index.insert(i, &self.people[i].1);
            }
            None => {
                self.index.insert(self.people.len(), &candidate);
                self.people.push((id.clone(), candidate));
            }
        }
        (action, id)
    }

    /// The household of a row: the grid's household at the same address, else a new one. `None`
    /// when the row says nothing about where the person lives.
    fn household(&mut self, grid: &str, values: &BTreeMap<&'static str, Value>) -> Option<String> {
        let address = household::address_line(values);
        if address.is_empty() {
            return None;
        }
        let mut values = values.clone();
        values.insert(household::field::ADDRESS, json!(address));
        let at = (grid.to_owned(), normalize_address(&address));
        let id = match self.households.get(&at) {
            Some(id) => id.clone(),
            None => {
                let id = (self.new_id)();
                self.households.insert(at, id.clone());
                values.insert(household::field::GRID_ID, json!(grid));
                id
            }
        };
        let key = (household::NAME.to_owned(), id.clone());
        let changes: Vec<(&str, Value)> = values
            .into_iter()
            .filter(|(f, v)| self.current(&key, f) != Some(v))
            .collect();
        let writes = self.out.writes.entry(key).or_default();
        writes.extend(changes.into_iter().map(|(f, v)| (f.to_owned(), v)));
        Some(id)
    }
}

/// Whether a stored value already says what the file says: "王 桂兰" is 王桂兰 and
/// "138 0000 0000" is 13800000000, so neither is rewritten.
fn same_value(field: &str, now: Option<&Value>, new: &Value) -> bool {
    let (Some(now), Some(new_text)) = (now, new.as_str()) else {
        return now == Some(new);
    };
    let Some(now_text) = now.as_str() else {
        return false;
    };
    match field {
        resident::field::NAME => normalize_name(now_text) == normalize_name(new_text),
        resident::field::PHONE => normalize_phone(now_text) == normalize_phone(new_text),
        _ => now_text == new_text,
    }
}
