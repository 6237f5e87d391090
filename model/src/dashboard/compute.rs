//! Computing the dashboard from merged records: one function per section (residents and tiers,
//! visits, needs, packs, grid summaries, worker load, low stock), each reading the records of
//! one [`Scope`] through the typed views.

use std::collections::{BTreeMap, BTreeSet};

use super::{
    Dashboard, DayCount, Figures, GridSummary, LowStock, PersonFigures, Records, Worker,
    WorkerLoad, CHART_DAYS, WORKLOAD_DAYS,
};
use crate::date::{Date, CHINA_UTC_OFFSET_MINUTES};
use crate::entities::{
    education, grid, household, mobilisation, need, pack_delivery, resident, spot_check,
    stock_move, supply_item, visit,
};
use crate::lifecycle;
use crate::record::{
    Education, Grid, Household, Mobilisation, Need, PackDelivery, Resident, SpotCheck, SupplyItem,
    Values, Visit,
};
use crate::responsibility::{self, Part};
use crate::risk::{self, Assessment, RiskInput, Tier};
use crate::vaccination::{self, Policy};

/// Unix ms of the first instant after `date` ends, China time.
pub fn end_of_day_ms(date: Date) -> i64 {
    (date.add_days(1).days_since_epoch() * 86_400 - i64::from(CHINA_UTC_OFFSET_MINUTES) * 60) * 1000
}

/// Computes the dashboard of `grids` on `date`. `now_ms` decides the age of needs when the date
/// is today (an earlier date is judged at its end).
pub fn compute(
    records: &Records,
    grids: &[String],
    workers: &[Worker],
    date: Date,
    now_ms: i64,
    daily_load: u32,
) -> Dashboard {
    compute_with(
        records,
        grids,
        workers,
        date,
        now_ms,
        daily_load,
        Policy::DEFAULT,
    )
}

/// [`compute`] with the server's vaccination policy, which decides who is eligible.
pub fn compute_with(
    records: &Records,
    grids: &[String],
    workers: &[Worker],
    date: Date,
    now_ms: i64,
    daily_load: u32,
    policy: Policy,
) -> Dashboard {
    let scope = Scope::new(records, grids, date, now_ms);
    let visits = scope.visits();
    let needs = scope.open_needs();
    let per_grid = figures_by_grid(&scope, &visits, &needs, policy);
    let summaries = grid_summaries(&scope, &per_grid);
    let total = total_of(&summaries);
    Dashboard {
        responsible: per_person(records, grids, date, now_ms, policy),
        date: date.to_string(),
        total_coverage: total.coverage(),
        total,
        grids: summaries,
        visits_per_day: visits_per_day(&visits, date),
        workload: workload(&scope, workers, &visits, &needs, &per_grid, daily_load),
        daily_load,
        stock_low: low_stock(records),
        tile_url: None,
        server_time_ms: now_ms,
    }
}

/// Every figure of every chosen grid.
fn figures_by_grid<'a>(
    scope: &Scope<'a>,
    visits: &[TimedVisit<'a>],
    needs: &[OpenNeed<'a>],
    policy: Policy,
) -> PerGrid<'a> {
    let mut per_grid = scope.blank_figures();
    count_residents(scope, visits, &mut per_grid);
    count_visits_today(scope, visits, &mut per_grid);
    count_needs(scope, needs, &mut per_grid);
    count_escalations(scope, &mut per_grid);
    count_packs(scope, &mut per_grid);
    count_education(scope, &mut per_grid);
    count_vaccination(scope, policy, &mut per_grid);
    per_grid
}

/// The figures of the doors each person answers for, counted as the whole is over the part of
/// the records that hangs off their households ([`responsibility::partition`]); people by name,
/// the doors of nobody last. Nothing when no household of the chosen grids names anyone.
fn per_person(
    records: &Records,
    grids: &[String],
    date: Date,
    now_ms: i64,
    policy: Policy,
) -> Vec<PersonFigures> {
    let anyone = records
        .get(household::NAME)
        .is_some_and(|hs| hs.values().any(|h| Household(h).responsible_id().is_some()));
    if !anyone {
        return Vec::new();
    }
    let mut out: Vec<PersonFigures> = responsibility::partition(records)
        .into_iter()
        .filter_map(|(id, part)| {
            let scope = Scope::new(records, grids, date, now_ms).within(&part);
            let per_grid = figures_by_grid(&scope, &scope.visits(), &scope.open_needs(), policy);
            let mut figures = Figures::default();
            per_grid.values().for_each(|f| figures.add(f));
            (figures.households > 0).then(|| PersonFigures {
                name: id
                    .as_deref()
                    .map(|u| responsibility::person_name(records, u))
                    .unwrap_or_default(),
                coverage: figures.coverage(),
                figures,
                id,
            })
        })
        .collect();
    if out.iter().all(|p| p.id.is_none()) {
        return Vec::new();
    }
    out.sort_by(|a, b| (a.id.is_none(), &a.name).cmp(&(b.id.is_none(), &b.name)));
    out
}

/// Items whose stock over all sites is under their low-stock line.
pub fn low_stock(records: &Records) -> Vec<LowStock> {
    let moves = records
        .get(stock_move::NAME)
        .into_iter()
        .flat_map(|m| m.values());
    let levels = crate::stock::levels(moves);
    let items = records.get(supply_item::NAME).into_iter().flatten();
    items
        .filter_map(|(id, item)| {
            let item = SupplyItem(item);
            let threshold = item.low_stock_threshold()?;
            let on_hand: i64 = levels
                .iter()
                .filter(|((i, _), _)| i == id)
                .map(|(_, n)| *n)
                .sum();
            (on_hand < threshold).then(|| LowStock {
                id: id.clone(),
                name: item.name().unwrap_or_default().to_owned(),
                unit: item.unit().unwrap_or_default().to_owned(),
                on_hand,
                threshold,
            })
        })
        .collect()
}

/// Figures by chosen grid.
type PerGrid<'a> = BTreeMap<&'a str, Figures>;

/// A visit that counts, with its time.
type TimedVisit<'a> = (i64, Visit<'a>);

/// An open need, with its (chosen) grid.
type OpenNeed<'a> = (&'a str, Need<'a>);

/// What every section reads: the records, the chosen grids and the day they are counted on.
struct Scope<'a> {
    records: &'a Records,
    /// One person's records of the doors they answer for, when the figures are that person's
    /// share; what belongs to no door is read from `records` either way.
    part: Option<&'a Part<'a>>,
    grids: &'a [String],
    wanted: BTreeSet<&'a str>,
    date: Date,
    /// The first instant after the date: a record made later does not count yet.
    end_ms: i64,
    /// When a need's age is judged: now, or the end of an earlier date.
    judged_at: i64,
}

impl<'a> Scope<'a> {
    fn new(records: &'a Records, grids: &'a [String], date: Date, now_ms: i64) -> Scope<'a> {
        let end_ms = end_of_day_ms(date);
        Scope {
            records,
            part: None,
            grids,
            wanted: grids.iter().map(String::as_str).collect(),
            date,
            end_ms,
            judged_at: now_ms.min(end_ms),
        }
    }

    /// The same counted over `part` only: its records read where they are, not copied.
    fn within(self, part: &'a Part<'a>) -> Scope<'a> {
        Scope {
            part: Some(part),
            ..self
        }
    }

    /// The part to read `entity` from: the person's, for records that belong to a door.
    fn part_of(&self, entity: &str) -> Option<&'a Part<'a>> {
        self.part.filter(|_| responsibility::door_bound(entity))
    }

    /// The records of `entity`, by id.
    fn all(&self, entity: &str) -> Box<dyn Iterator<Item = (&'a str, &'a Values)> + 'a> {
        match self.part_of(entity) {
            Some(part) => Box::new(
                part.get(entity)
                    .into_iter()
                    .flatten()
                    .map(|(id, r)| (*id, *r)),
            ),
            None => Box::new(
                self.records
                    .get(entity)
                    .into_iter()
                    .flatten()
                    .map(|(id, r)| (id.as_str(), r)),
            ),
        }
    }

    /// One record of `entity`, as [`Scope::all`] would give it.
    fn get(&self, entity: &str, id: &str) -> Option<&'a Values> {
        match self.part_of(entity) {
            Some(part) => part.get(entity)?.get(id).copied(),
            None => self.records.get(entity)?.get(id),
        }
    }

    /// Whether a resident had moved away, died or left the grid (on their own or with their
    /// household) by the date: they are no longer counted from the day the status gives.
    fn departed_by_then(&self, r: &'a Values) -> bool {
        let home = Resident(r)
            .household_id()
            .and_then(|h| self.get(household::NAME, h));
        lifecycle::departure(r, home).is_some_and(|d| d.date.is_none_or(|day| day <= self.date))
    }

    /// `grid` when it is one of the chosen grids.
    fn chosen(&self, grid: Option<&'a str>) -> Option<&'a str> {
        grid.filter(|g| self.wanted.contains(g))
    }

    /// Every chosen grid at zero, so a grid without records still shows.
    fn blank_figures(&self) -> PerGrid<'a> {
        self.wanted
            .iter()
            .map(|g| (*g, Figures::default()))
            .collect()
    }

    /// The visits of the chosen grids up to the end of the date.
    fn visits(&self) -> Vec<TimedVisit<'a>> {
        self.all(visit::NAME)
            .map(|(_, v)| Visit(v))
            .filter(|v| self.chosen(v.grid_id()).is_some())
            .filter_map(|v| Some((v.visited_at().filter(|at| *at < self.end_ms)?, v)))
            .collect()
    }

    /// The needs of the chosen grids open at the end of the date.
    fn open_needs(&self) -> Vec<OpenNeed<'a>> {
        self.all(need::NAME)
            .map(|(_, n)| Need(n))
            .filter(|n| self.open_at_end(*n))
            .filter_map(|n| Some((self.chosen(n.grid_id())?, n)))
            .collect()
    }

    /// Raised by the end of the date and not resolved or cancelled by then.
    fn open_at_end(&self, n: Need<'_>) -> bool {
        if n.created_at().is_some_and(|c| c >= self.end_ms) {
            return false;
        }
        let closed = !n.is_open() && n.resolved_at().is_none_or(|r| r < self.end_ms);
        !closed
    }
}

/// Residents, their tiers and whether their next visit is late, judged by their latest contact
/// up to the date.
fn count_residents<'a>(scope: &Scope<'a>, visits: &[TimedVisit<'a>], per_grid: &mut PerGrid<'a>) {
    let by_resident = visits_by_resident(visits);
    for (id, r) in scope.all(resident::NAME) {
        let Some(g) = scope.chosen(Resident(r).grid_id()) else {
            continue;
        };
        if scope.departed_by_then(r) {
            continue;
        }
        let mut input = RiskInput::from_fields(r);
        let seen = by_resident.get(id).into_iter().flatten().copied();
        input.set_visits(seen, CHINA_UTC_OFFSET_MINUTES);
        let (a, due) = risk::assess_with_due(&input, scope.date);
        per_grid
            .entry(g)
            .or_default()
            .count_resident(&a, due, input.last_visit, scope.date);
    }
}

fn visits_by_resident<'a>(visits: &[TimedVisit<'a>]) -> BTreeMap<&'a str, Vec<&'a Values>> {
    let mut out: BTreeMap<&str, Vec<&Values>> = BTreeMap::new();
    for (_, v) in visits {
        if let Some(r) = v.resident_id() {
            out.entry(r).or_default().push(v.fields());
        }
    }
    out
}

impl Figures {
    /// One resident: their age and tier, whether a visit is due and late, and whether they were
    /// reached in the 7 days ending on `date`.
    fn count_resident(
        &mut self,
        a: &Assessment,
        due: Option<Date>,
        last_visit: Option<Date>,
        date: Date,
    ) {
        self.residents += 1;
        if a.aged_65() {
            self.aged_65 += 1;
        }
        match a.tier {
            Tier::Red => self.red += 1,
            Tier::Yellow => self.yellow += 1,
            Tier::Green => {}
        }
        if let Some(due) = due {
            self.due += 1;
            if due < date {
                self.overdue += 1;
            } else {
                self.covered += 1;
            }
        }
        if last_visit.is_some_and(|d| d > date.add_days(-7) && d <= date) {
            self.visited_7d += 1;
        }
    }
}

/// Visits recorded on the date itself, by grid.
fn count_visits_today<'a>(
    scope: &Scope<'a>,
    visits: &[TimedVisit<'a>],
    per_grid: &mut PerGrid<'a>,
) {
    for (at, v) in visits {
        if Date::from_china_ms(*at) == scope.date {
            let g = v.grid_id().unwrap_or_default();
            per_grid.entry(g).or_default().visits_today += 1;
        }
    }
}

/// Open needs by grid, and of them the emergencies and those waiting longer than their urgency
/// allows.
fn count_needs<'a>(scope: &Scope<'a>, needs: &[OpenNeed<'a>], per_grid: &mut PerGrid<'a>) {
    for (g, n) in needs {
        let f = per_grid.entry(g).or_default();
        f.needs_open += 1;
        if n.is_emergency() {
            f.needs_emergency += 1;
        }
        if n.is_overdue(scope.judged_at) {
            f.needs_overdue += 1;
        }
    }
}

/// Needs raised by the end of the date and escalated to the level above, and of them those it
/// has answered as handled, by grid. A need escalated keeps its flag (`docs/data-rules.md`), so
/// the flag now says it was escalated by the date if it was raised by then.
fn count_escalations<'a>(scope: &Scope<'a>, per_grid: &mut PerGrid<'a>) {
    for (_, n) in scope.all(need::NAME) {
        let n = Need(n);
        let Some(g) = scope.chosen(n.grid_id()) else {
            continue;
        };
        if !n.escalated() || n.created_at().is_some_and(|c| c >= scope.end_ms) {
            continue;
        }
        let f = per_grid.entry(g).or_default();
        f.needs_escalated += 1;
        let handled_by_then = n.upward_status() == Some(need::HANDLED)
            && n.upward_at().is_none_or(|at| at < scope.end_ms);
        if handled_by_then {
            f.needs_escalated_handled += 1;
        }
    }
}

/// Health packs planned and delivered, by grid.
fn count_packs<'a>(scope: &Scope<'a>, per_grid: &mut PerGrid<'a>) {
    for (_, d) in scope.all(pack_delivery::NAME) {
        let d = PackDelivery(d);
        let Some(g) = scope.chosen(d.grid_id()) else {
            continue;
        };
        let f = per_grid.entry(g).or_default();
        f.packs_planned += 1;
        if d.status() == Some(pack_delivery::DELIVERED) {
            f.packs_delivered += 1;
        }
    }
}

/// Households looked after on the date, and of them those that received health education by its
/// end, by grid.
fn count_education<'a>(scope: &Scope<'a>, per_grid: &mut PerGrid<'a>) {
    let educated: BTreeSet<&str> = scope
        .all(education::NAME)
        .map(|(_, e)| Education(e))
        .filter(|e| e.given_at().is_some_and(|at| at < scope.end_ms))
        .filter_map(|e| e.household_id())
        .collect();
    for (id, h) in scope.all(household::NAME) {
        let Some(g) = scope.chosen(Household(h).grid_id()) else {
            continue;
        };
        let gone =
            lifecycle::of_household(h).is_some_and(|d| d.date.is_none_or(|day| day <= scope.date));
        if gone {
            continue;
        }
        let f = per_grid.entry(g).or_default();
        f.households += 1;
        if educated.contains(id) {
            f.households_educated += 1;
        }
    }
}

/// Residents eligible for vaccination on the date, and residents mobilised and vaccinated by
/// its end (an attempt, and an attempt whose outcome is vaccinated), by grid.
fn count_vaccination<'a>(scope: &Scope<'a>, policy: Policy, per_grid: &mut PerGrid<'a>) {
    let mut mobilised: BTreeSet<&str> = BTreeSet::new();
    let mut vaccinated: BTreeSet<&str> = BTreeSet::new();
    for (_, m) in scope.all(mobilisation::NAME) {
        let m = Mobilisation(m);
        let (Some(r), Some(at)) = (m.resident_id(), m.at()) else {
            continue;
        };
        if at >= scope.end_ms {
            continue;
        }
        mobilised.insert(r);
        if m.outcome() == Some(mobilisation::VACCINATED) {
            vaccinated.insert(r);
        }
    }
    for (id, r) in scope.all(resident::NAME) {
        let Some(g) = scope.chosen(Resident(r).grid_id()) else {
            continue;
        };
        if scope.departed_by_then(r) {
            continue;
        }
        let f = per_grid.entry(g).or_default();
        if vaccination::gap(r, scope.date, policy).is_some() {
            f.vacc_eligible += 1;
        }
        if mobilised.contains(id) {
            f.vacc_mobilised += 1;
        }
        if vaccinated.contains(id) {
            f.vacc_vaccinated += 1;
        }
    }
}

/// Each chosen grid, in the order asked, with where it is and its figures.
fn grid_summaries(scope: &Scope<'_>, per_grid: &PerGrid<'_>) -> Vec<GridSummary> {
    let records = scope.records.get(grid::NAME);
    scope
        .grids
        .iter()
        .map(|id| {
            let rec = records.and_then(|r| r.get(id)).map(Grid);
            let figures = per_grid.get(id.as_str()).cloned().unwrap_or_default();
            GridSummary {
                id: id.clone(),
                name: rec.and_then(|g| g.name()).unwrap_or(id).to_owned(),
                lat: rec.and_then(|g| g.lat()),
                lng: rec.and_then(|g| g.lng()),
                boundary: rec.and_then(|g| g.boundary()).map(str::to_owned),
                coverage: figures.coverage(),
                figures,
            }
        })
        .collect()
}

fn total_of(summaries: &[GridSummary]) -> Figures {
    let mut total = Figures::default();
    for s in summaries {
        total.add(&s.figures);
    }
    total
}

/// The day of `at` as an index into `days` days from `first`, if it falls among them.
fn day_index(first: Date, at: i64, days: usize) -> Option<usize> {
    let i = first.days_until(Date::from_china_ms(at));
    (0..days as i64).contains(&i).then_some(i as usize)
}

/// Visits on each of the [`CHART_DAYS`] days ending on `date`, oldest first.
fn visits_per_day(visits: &[TimedVisit<'_>], date: Date) -> Vec<DayCount> {
    let first = date.add_days(-(CHART_DAYS as i64 - 1));
    let mut counts = vec![0u32; CHART_DAYS];
    for (at, _) in visits {
        if let Some(i) = day_index(first, *at, CHART_DAYS) {
            counts[i] += 1;
        }
    }
    counts
        .into_iter()
        .enumerate()
        .map(|(i, count)| DayCount {
            date: first.add_days(i as i64).to_string(),
            count,
        })
        .collect()
}

/// Each worker's visits on each of the [`WORKLOAD_DAYS`] days ending on `date`, oldest first;
/// workers without a visit in those days are left out.
fn visits_per_worker<'a>(visits: &[TimedVisit<'a>], date: Date) -> BTreeMap<&'a str, Vec<u32>> {
    let first = date.add_days(-(WORKLOAD_DAYS as i64 - 1));
    let mut out: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    for (at, v) in visits {
        if let (Some(w), Some(i)) = (v.worker_id(), day_index(first, *at, WORKLOAD_DAYS)) {
            out.entry(w).or_insert_with(|| vec![0; WORKLOAD_DAYS])[i] += 1;
        }
    }
    out
}

/// Open needs per assignee.
fn assigned_open<'a>(needs: &[OpenNeed<'a>]) -> BTreeMap<&'a str, u32> {
    let mut out = BTreeMap::new();
    for (_, n) in needs {
        if let Some(a) = n.assignee_id() {
            *out.entry(a).or_default() += 1;
        }
    }
    out
}

/// The load of each worker with a chosen grid.
fn workload<'a>(
    scope: &Scope<'a>,
    workers: &[Worker],
    visits: &[TimedVisit<'a>],
    needs: &[OpenNeed<'a>],
    per_grid: &PerGrid<'a>,
    daily_load: u32,
) -> Vec<WorkerLoad> {
    let days = visits_per_worker(visits, scope.date);
    let assigned = assigned_open(needs);
    let checks = crate::dataset::spot::rates(
        scope
            .all(spot_check::NAME)
            .map(|(_, c)| c)
            .filter(|c| scope.chosen(SpotCheck(*c).grid_id()).is_some())
            .filter(|c| {
                SpotCheck(*c)
                    .checked_at()
                    .is_some_and(|at| at < scope.end_ms)
            }),
        |v| {
            Visit(scope.get(visit::NAME, v)?)
                .worker_id()
                .map(str::to_owned)
        },
    );
    workers
        .iter()
        .filter(|w| w.grids.iter().any(|g| scope.wanted.contains(g.as_str())))
        .map(|w| {
            let visits_per_day = days
                .get(w.id.as_str())
                .cloned()
                .unwrap_or_else(|| vec![0; WORKLOAD_DAYS]);
            let backlog: u32 = w
                .grids
                .iter()
                .filter_map(|g| per_grid.get(g.as_str()))
                .map(|f| f.overdue)
                .sum();
            let open_items = assigned.get(w.id.as_str()).copied().unwrap_or(0) + backlog;
            let rate = checks.get(&w.id).copied().unwrap_or_default();
            WorkerLoad {
                spot_reached: Some(rate.reached),
                spot_confirmed: Some(rate.confirmed),
                ..worker_load(w, visits_per_day, open_items, daily_load)
            }
        })
        .collect()
}

/// One worker's load: their visits per day, their open items (assigned needs plus the overdue
/// residents of their grids), and whether that is too much.
fn worker_load(
    w: &Worker,
    visits_per_day: Vec<u32>,
    open_items: u32,
    daily_load: u32,
) -> WorkerLoad {
    let today = visits_per_day.last().copied().unwrap_or(0);
    let week: u32 = visits_per_day.iter().sum();
    // Over the line on the day, or on average over the week: either wears a worker out.
    // A long backlog shows as open items; it calls for more hands, not fewer visits.
    let overloaded = today > daily_load || week > daily_load * WORKLOAD_DAYS as u32;
    WorkerLoad {
        id: w.id.clone(),
        name: w.name.clone(),
        grids: w.grids.clone(),
        visits_per_day,
        open_items,
        overloaded,
        spot_reached: None,
        spot_confirmed: None,
    }
}
