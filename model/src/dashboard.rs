//! The supervisor's figures (per grid and in total, visits per day, each worker's load), computed
//! from merged records as a pure function, and the wire shape of `GET /api/v1/dashboard`.
//!
//! Everything is "as of the end of `date`" in China time: visits after that day are ignored, and
//! a need counts as open if it was raised by then and not resolved by then. Residents, tiers and
//! deliveries are their current state (the merged data keeps no history of them).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::date::{Date, CHINA_UTC_OFFSET_MINUTES};
use crate::entities::need;
use crate::risk::{self, RiskInput, Tier};

/// Merged live records: entity → id → field → value (deleted records left out).
pub type Records = BTreeMap<String, BTreeMap<String, BTreeMap<String, Value>>>;

/// Days in the visits-per-day chart.
pub const CHART_DAYS: usize = 30;
/// Days over which a worker's visits are shown.
pub const WORKLOAD_DAYS: usize = 7;
/// Default for `KNOCK_DAILY_LOAD`: visits a day one worker can do well, the line past which the
/// dashboard flags them (避免长时间高负荷工作).
pub const DEFAULT_DAILY_LOAD: u32 = 30;

/// The counts on one grid, or on all the chosen grids together.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Figures {
    pub residents: u32,
    pub aged_65: u32,
    pub red: u32,
    pub yellow: u32,
    /// Residents whose tier asks for routine visits (red, yellow, green 65+) or with a
    /// follow-up date: the base of coverage.
    pub due: u32,
    /// Of those, residents whose next visit is not yet late.
    pub covered: u32,
    /// Residents whose next visit is past due.
    pub overdue: u32,
    /// Residents reached by a visit in the 7 days ending on the date.
    pub visited_7d: u32,
    /// Visits recorded on the date itself.
    pub visits_today: u32,
    pub needs_open: u32,
    pub needs_overdue: u32,
    pub needs_emergency: u32,
    pub packs_planned: u32,
    pub packs_delivered: u32,
}

impl Figures {
    /// Percentage of due residents whose visit is not late; `None` when nobody is due.
    pub fn coverage(&self) -> Option<u32> {
        (self.due > 0).then(|| (self.covered * 100 + self.due / 2) / self.due)
    }

    fn add(&mut self, o: &Figures) {
        self.residents += o.residents;
        self.aged_65 += o.aged_65;
        self.red += o.red;
        self.yellow += o.yellow;
        self.due += o.due;
        self.covered += o.covered;
        self.overdue += o.overdue;
        self.visited_7d += o.visited_7d;
        self.visits_today += o.visits_today;
        self.needs_open += o.needs_open;
        self.needs_overdue += o.needs_overdue;
        self.needs_emergency += o.needs_emergency;
        self.packs_planned += o.packs_planned;
        self.packs_delivered += o.packs_delivered;
    }
}

/// One grid on the map: where it is and its figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridSummary {
    pub id: String,
    pub name: String,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    /// The grid's GeoJSON boundary as stored (a Polygon or a Feature with one).
    pub boundary: Option<String>,
    pub figures: Figures,
    pub coverage: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayCount {
    pub date: String,
    pub count: u32,
}

/// One worker's load over the chosen grids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkerLoad {
    pub id: String,
    pub name: String,
    pub grids: Vec<String>,
    /// Visits recorded by the worker on each of the last [`WORKLOAD_DAYS`] days, oldest first.
    pub visits_per_day: Vec<u32>,
    /// Open needs assigned to them plus overdue residents of their grids.
    pub open_items: u32,
    pub overloaded: bool,
}

/// A stock item whose stock, over all sites, is under its low-stock line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LowStock {
    pub id: String,
    pub name: String,
    pub unit: String,
    pub on_hand: i64,
    pub threshold: i64,
}

/// `GET /api/v1/dashboard` 200 body. Do not rename or retype a field: the app caches it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    pub date: String,
    pub grids: Vec<GridSummary>,
    pub total: Figures,
    pub total_coverage: Option<u32>,
    pub visits_per_day: Vec<DayCount>,
    pub workload: Vec<WorkerLoad>,
    pub daily_load: u32,
    pub stock_low: Vec<LowStock>,
    /// The base-map tile URL template from the server's config, if any.
    pub tile_url: Option<String>,
    pub server_time_ms: i64,
}

/// A worker the dashboard weighs: a grid worker's user id, display name and grids.
#[derive(Debug, Clone)]
pub struct Worker {
    pub id: String,
    pub name: String,
    pub grids: Vec<String>,
}

fn text<'a>(f: &'a BTreeMap<String, Value>, k: &str) -> Option<&'a str> {
    f.get(k).and_then(Value::as_str)
}

fn int(f: &BTreeMap<String, Value>, k: &str) -> Option<i64> {
    f.get(k).and_then(Value::as_i64)
}

fn day_of(ms: i64) -> Date {
    Date::from_unix_ms_offset(ms, CHINA_UTC_OFFSET_MINUTES)
}

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
    let empty = BTreeMap::new();
    let of = |e: &str| records.get(e).unwrap_or(&empty);
    let end_ms = end_of_day_ms(date);
    let judged_at = now_ms.min(end_ms);
    let wanted: BTreeSet<&str> = grids.iter().map(String::as_str).collect();
    let in_grids =
        |f: &BTreeMap<String, Value>| text(f, "grid_id").is_some_and(|g| wanted.contains(g));

    // Visits up to the end of the date, by resident.
    let visits: Vec<(&String, &BTreeMap<String, Value>)> = of("visit")
        .iter()
        .filter(|(_, v)| in_grids(v))
        .filter(|(_, v)| int(v, "visited_at").is_some_and(|at| at < end_ms))
        .collect();
    let mut by_resident: BTreeMap<&str, Vec<&BTreeMap<String, Value>>> = BTreeMap::new();
    for (_, v) in &visits {
        if let Some(r) = text(v, "resident_id") {
            by_resident.entry(r).or_default().push(v);
        }
    }

    let mut per_grid: BTreeMap<&str, Figures> =
        wanted.iter().map(|g| (*g, Figures::default())).collect();
    let mut overdue_by_grid: BTreeMap<&str, u32> = BTreeMap::new();
    for (id, r) in of("resident") {
        let Some(g) = text(r, "grid_id").filter(|g| wanted.contains(g)) else {
            continue;
        };
        let f = per_grid.entry(g).or_default();
        let mut input = RiskInput::from_fields(r);
        let latest =
            risk::latest_contact(by_resident.get(id.as_str()).into_iter().flatten().copied());
        if let Some(v) = latest {
            input.set_latest_visit(v, CHINA_UTC_OFFSET_MINUTES);
        }
        let (a, due) = risk::assess_with_due(&input, date);
        f.residents += 1;
        if a.aged_65() {
            f.aged_65 += 1;
        }
        match a.tier {
            Tier::Red => f.red += 1,
            Tier::Yellow => f.yellow += 1,
            Tier::Green => {}
        }
        if let Some(due) = due {
            f.due += 1;
            if due < date {
                f.overdue += 1;
                *overdue_by_grid.entry(g).or_default() += 1;
            } else {
                f.covered += 1;
            }
        }
        if input
            .last_visit
            .is_some_and(|d| d > date.add_days(-7) && d <= date)
        {
            f.visited_7d += 1;
        }
    }

    let first_chart_day = date.add_days(-(CHART_DAYS as i64 - 1));
    let mut per_day = vec![0u32; CHART_DAYS];
    let first_load_day = date.add_days(-(WORKLOAD_DAYS as i64 - 1));
    let mut worker_days: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    for (_, v) in &visits {
        let Some(at) = int(v, "visited_at") else {
            continue;
        };
        let day = day_of(at);
        let g = text(v, "grid_id").unwrap_or_default();
        if day == date {
            per_grid.entry(g).or_default().visits_today += 1;
        }
        let i = first_chart_day.days_until(day);
        if (0..CHART_DAYS as i64).contains(&i) {
            per_day[i as usize] += 1;
        }
        if let Some(w) = text(v, "worker_id") {
            let i = first_load_day.days_until(day);
            if (0..WORKLOAD_DAYS as i64).contains(&i) {
                worker_days
                    .entry(w)
                    .or_insert_with(|| vec![0; WORKLOAD_DAYS])[i as usize] += 1;
            }
        }
    }

    let mut assigned_open: BTreeMap<&str, u32> = BTreeMap::new();
    for n in of("need").values() {
        let Some(g) = text(n, "grid_id").filter(|g| wanted.contains(g)) else {
            continue;
        };
        let created = int(n, "created_at");
        if created.is_some_and(|c| c >= end_ms) {
            continue;
        }
        let closed_by_then = match text(n, "status") {
            Some("resolved") | Some("cancelled") => {
                int(n, "resolved_at").is_none_or(|r| r < end_ms)
            }
            _ => false,
        };
        if closed_by_then {
            continue;
        }
        let f = per_grid.entry(g).or_default();
        f.needs_open += 1;
        let urgency = text(n, "urgency");
        if urgency == Some("emergency") || text(n, "kind") == Some("emergency") {
            f.needs_emergency += 1;
        }
        if need::is_overdue(urgency, created, judged_at) {
            f.needs_overdue += 1;
        }
        if let Some(a) = text(n, "assignee_id") {
            *assigned_open.entry(a).or_default() += 1;
        }
    }

    for d in of("pack_delivery").values() {
        let Some(g) = text(d, "grid_id").filter(|g| wanted.contains(g)) else {
            continue;
        };
        let f = per_grid.entry(g).or_default();
        f.packs_planned += 1;
        if text(d, "status") == Some("delivered") {
            f.packs_delivered += 1;
        }
    }

    let grid_records = of("grid");
    let summaries: Vec<GridSummary> = grids
        .iter()
        .map(|id| {
            let rec = grid_records.get(id);
            let figures = per_grid.get(id.as_str()).cloned().unwrap_or_default();
            GridSummary {
                id: id.clone(),
                name: rec.and_then(|r| text(r, "name")).unwrap_or(id).to_owned(),
                lat: rec.and_then(|r| r.get("lat")).and_then(Value::as_f64),
                lng: rec.and_then(|r| r.get("lng")).and_then(Value::as_f64),
                boundary: rec.and_then(|r| text(r, "boundary")).map(str::to_owned),
                coverage: figures.coverage(),
                figures,
            }
        })
        .collect();
    let mut total = Figures::default();
    for s in &summaries {
        total.add(&s.figures);
    }

    let workload = workers
        .iter()
        .filter(|w| w.grids.iter().any(|g| wanted.contains(g.as_str())))
        .map(|w| {
            let visits_per_day = worker_days
                .get(w.id.as_str())
                .cloned()
                .unwrap_or_else(|| vec![0; WORKLOAD_DAYS]);
            let backlog: u32 = w
                .grids
                .iter()
                .filter_map(|g| overdue_by_grid.get(g.as_str()))
                .sum();
            let open_items = assigned_open.get(w.id.as_str()).copied().unwrap_or(0) + backlog;
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
            }
        })
        .collect();

    Dashboard {
        date: date.to_string(),
        total_coverage: total.coverage(),
        total,
        grids: summaries,
        visits_per_day: per_day
            .into_iter()
            .enumerate()
            .map(|(i, count)| DayCount {
                date: first_chart_day.add_days(i as i64).to_string(),
                count,
            })
            .collect(),
        workload,
        daily_load,
        stock_low: low_stock(records),
        tile_url: None,
        server_time_ms: now_ms,
    }
}

/// Items whose stock over all sites is under their low-stock line.
pub fn low_stock(records: &Records) -> Vec<LowStock> {
    let empty = BTreeMap::new();
    let moves = records.get("stock_move").unwrap_or(&empty);
    let levels = crate::stock::levels(moves.values());
    let mut out = Vec::new();
    for (id, item) in records.get("supply_item").unwrap_or(&empty) {
        let Some(threshold) = int(item, "low_stock_threshold") else {
            continue;
        };
        let on_hand: i64 = levels
            .iter()
            .filter(|((i, _), _)| i == id)
            .map(|(_, n)| *n)
            .sum();
        if on_hand < threshold {
            out.push(LowStock {
                id: id.clone(),
                name: text(item, "name").unwrap_or_default().to_owned(),
                unit: text(item, "unit").unwrap_or_default().to_owned(),
                on_hand,
                threshold,
            });
        }
    }
    out
}

/// The daily report (日报) for the level above: one row per grid and a total row, headers in
/// Chinese whatever the screen's language. The app exports exactly the figures it shows.
pub fn daily_report(d: &Dashboard) -> crate::export::Table {
    use crate::export::{Cell, Table};
    let headers = [
        "日期",
        "网格",
        "居民数",
        "65岁及以上",
        "红色（高风险）",
        "黄色（较高风险）",
        "应随访人数",
        "按时随访",
        "随访覆盖率(%)",
        "逾期未访",
        "近7天已走访",
        "当日走访次数",
        "未办结需求",
        "超时需求",
        "紧急需求",
        "计划发放健康包",
        "已送达健康包",
    ];
    let n = |v: u32| Cell::Number(f64::from(v));
    let row = |name: &str, f: &Figures, coverage: Option<u32>| {
        vec![
            Cell::Text(d.date.clone()),
            Cell::Text(name.to_owned()),
            n(f.residents),
            n(f.aged_65),
            n(f.red),
            n(f.yellow),
            n(f.due),
            n(f.covered),
            coverage.map_or(Cell::Empty, n),
            n(f.overdue),
            n(f.visited_7d),
            n(f.visits_today),
            n(f.needs_open),
            n(f.needs_overdue),
            n(f.needs_emergency),
            n(f.packs_planned),
            n(f.packs_delivered),
        ]
    };
    let mut rows: Vec<Vec<Cell>> = d
        .grids
        .iter()
        .map(|g| row(&g.name, &g.figures, g.coverage))
        .collect();
    rows.push(row("合计", &d.total, d.total_coverage));
    Table {
        sheet: "日报".into(),
        headers: headers.iter().map(|h| h.to_string()).collect(),
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rec(pairs: &[(&str, Value)]) -> BTreeMap<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    fn put(r: &mut Records, entity: &str, id: &str, pairs: &[(&str, Value)]) {
        r.entry(entity.into())
            .or_default()
            .insert(id.into(), rec(pairs));
    }

    const DAY: i64 = 86_400_000;

    fn today() -> Date {
        Date::new(2026, 11, 28).unwrap()
    }

    /// Noon China time on `date` plus `days`.
    fn noon(days: i64) -> i64 {
        end_of_day_ms(today()) - DAY / 2 + days * DAY
    }

    fn demo() -> Records {
        let mut r = Records::new();
        put(
            &mut r,
            "grid",
            "g1",
            &[("name", json!("一网格")), ("lat", json!(39.9))],
        );
        put(&mut r, "grid", "g2", &[("name", json!("二网格"))]);
        // 80 years old, hypertension: red or yellow, visits due.
        put(
            &mut r,
            "resident",
            "old",
            &[
                ("grid_id", json!("g1")),
                ("birth_date", json!("1946-01-01")),
                ("cond_hypertension", json!(true)),
            ],
        );
        // A young healthy resident: green, no visit due.
        put(
            &mut r,
            "resident",
            "young",
            &[
                ("grid_id", json!("g1")),
                ("birth_date", json!("1996-01-01")),
            ],
        );
        // Another grid's resident: visited yesterday with a warning sign, so red.
        put(
            &mut r,
            "resident",
            "warned",
            &[
                ("grid_id", json!("g2")),
                ("birth_date", json!("1950-01-01")),
            ],
        );
        put(
            &mut r,
            "visit",
            "v1",
            &[
                ("grid_id", json!("g2")),
                ("resident_id", json!("warned")),
                ("visited_at", json!(noon(-1))),
                ("method", json!("in_person")),
                ("warn_breathing", json!(true)),
                ("worker_id", json!("w2")),
            ],
        );
        // A visit after the date is not counted.
        put(
            &mut r,
            "visit",
            "later",
            &[
                ("grid_id", json!("g1")),
                ("resident_id", json!("old")),
                ("visited_at", json!(noon(2))),
                ("method", json!("in_person")),
            ],
        );
        put(
            &mut r,
            "need",
            "n1",
            &[
                ("grid_id", json!("g1")),
                ("kind", json!("medicine")),
                ("urgency", json!("emergency")),
                ("status", json!("open")),
                ("created_at", json!(noon(-1))),
                ("assignee_id", json!("w1")),
            ],
        );
        put(
            &mut r,
            "need",
            "done",
            &[
                ("grid_id", json!("g1")),
                ("status", json!("resolved")),
                ("created_at", json!(noon(-3))),
                ("resolved_at", json!(noon(-2))),
            ],
        );
        put(
            &mut r,
            "pack_delivery",
            "p1",
            &[("grid_id", json!("g2")), ("status", json!("delivered"))],
        );
        put(
            &mut r,
            "pack_delivery",
            "p2",
            &[("grid_id", json!("g2")), ("status", json!("pending"))],
        );
        put(
            &mut r,
            "supply_item",
            "kit",
            &[
                ("name", json!("抗原")),
                ("unit", json!("人份")),
                ("low_stock_threshold", json!(10)),
            ],
        );
        put(
            &mut r,
            "stock_move",
            "m1",
            &[
                ("item_id", json!("kit")),
                ("kind", json!("received")),
                ("quantity", json!(4)),
            ],
        );
        r
    }

    fn workers() -> Vec<Worker> {
        vec![
            Worker {
                id: "w1".into(),
                name: "王芳".into(),
                grids: vec!["g1".into()],
            },
            Worker {
                id: "w2".into(),
                name: "李强".into(),
                grids: vec!["g2".into()],
            },
            Worker {
                id: "w3".into(),
                name: "别处".into(),
                grids: vec!["g9".into()],
            },
        ]
    }

    fn grids(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn counts_each_grid_and_the_total() {
        let d = compute(
            &demo(),
            &grids(&["g1", "g2"]),
            &workers(),
            today(),
            noon(0),
            30,
        );
        let g1 = &d.grids[0].figures;
        assert_eq!(
            (g1.residents, g1.aged_65, g1.needs_open, g1.needs_emergency),
            (2, 1, 1, 1)
        );
        assert_eq!(g1.due, 1, "the old resident is due, the young one is not");
        assert_eq!(g1.visits_today, 0, "a visit after the date does not count");
        let g2 = &d.grids[1].figures;
        assert_eq!(
            (g2.red, g2.visited_7d, g2.packs_planned, g2.packs_delivered),
            (1, 1, 2, 1)
        );
        assert_eq!(d.total.residents, 3);
        assert_eq!(d.total.packs_delivered, 1);
        assert_eq!(d.grids[0].name, "一网格");
        assert_eq!(d.grids[0].lat, Some(39.9));
        assert_eq!(d.visits_per_day.len(), CHART_DAYS);
        assert_eq!(d.visits_per_day.last().unwrap().date, "2026-11-28");
        assert_eq!(d.visits_per_day[CHART_DAYS - 2].count, 1);
        assert_eq!(d.stock_low.len(), 1);
        assert_eq!(d.stock_low[0].on_hand, 4);
    }

    #[test]
    fn only_the_chosen_grids_are_counted() {
        let d = compute(&demo(), &grids(&["g1"]), &workers(), today(), noon(0), 30);
        assert_eq!(d.grids.len(), 1);
        assert_eq!(d.total.residents, 2);
        assert_eq!(d.total.packs_planned, 0);
        assert_eq!(d.visits_per_day.iter().map(|c| c.count).sum::<u32>(), 0);
        let names: Vec<_> = d.workload.iter().map(|w| w.name.as_str()).collect();
        assert_eq!(names, ["王芳"], "workers of other grids are not shown");
    }

    #[test]
    fn a_resolved_need_was_open_before_it_was_resolved() {
        let before = compute(
            &demo(),
            &grids(&["g1"]),
            &[],
            today().add_days(-3),
            noon(0),
            30,
        );
        assert_eq!(
            before.total.needs_open, 1,
            "raised that day, resolved later"
        );
        let after = compute(&demo(), &grids(&["g1"]), &[], today(), noon(0), 30);
        assert_eq!(after.total.needs_open, 1, "only n1 is open today");
    }

    #[test]
    fn coverage_is_the_share_of_due_residents_not_late() {
        let f = Figures {
            due: 3,
            covered: 2,
            ..Figures::default()
        };
        assert_eq!(f.coverage(), Some(67));
        assert_eq!(Figures::default().coverage(), None);
    }

    #[test]
    fn a_worker_over_the_daily_load_is_flagged() {
        let mut r = demo();
        for i in 0..4 {
            put(
                &mut r,
                "visit",
                &format!("x{i}"),
                &[
                    ("grid_id", json!("g1")),
                    ("resident_id", json!("old")),
                    ("visited_at", json!(noon(0))),
                    ("worker_id", json!("w1")),
                ],
            );
        }
        let d = compute(&r, &grids(&["g1"]), &workers(), today(), noon(0), 3);
        let w = &d.workload[0];
        assert_eq!(w.visits_per_day, vec![0, 0, 0, 0, 0, 0, 4]);
        assert!(w.overloaded);
        let d = compute(&r, &grids(&["g1"]), &workers(), today(), noon(0), 5);
        assert!(!d.workload[0].overloaded);
    }

    #[test]
    fn the_daily_report_has_a_row_per_grid_and_a_total() {
        let d = compute(
            &demo(),
            &grids(&["g1", "g2"]),
            &workers(),
            today(),
            noon(0),
            30,
        );
        let t = daily_report(&d);
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.headers[1], "网格");
        assert_eq!(t.rows[0][1], crate::export::Cell::Text("一网格".into()));
        assert_eq!(t.rows[2][1], crate::export::Cell::Text("合计".into()));
        assert_eq!(
            t.rows[2][2],
            crate::export::Cell::Number(3.0),
            "residents in total"
        );
        let csv = crate::export::to_csv(&t);
        assert!(csv.contains("合计,3,"), "{csv}");
    }

    /// Do not modify: the app caches this body, and others read it.
    #[test]
    fn golden_wire_format() {
        let d = Dashboard {
            date: "2026-11-28".into(),
            grids: vec![GridSummary {
                id: "g1".into(),
                name: "一网格".into(),
                lat: Some(39.9),
                lng: None,
                boundary: None,
                figures: Figures {
                    residents: 1,
                    ..Figures::default()
                },
                coverage: None,
            }],
            total: Figures::default(),
            total_coverage: None,
            visits_per_day: vec![DayCount {
                date: "2026-11-28".into(),
                count: 2,
            }],
            workload: vec![WorkerLoad {
                id: "w1".into(),
                name: "王芳".into(),
                grids: vec!["g1".into()],
                visits_per_day: vec![1],
                open_items: 0,
                overloaded: false,
            }],
            daily_load: 30,
            stock_low: vec![],
            tile_url: None,
            server_time_ms: 1,
        };
        let figures = r#"{"residents":1,"aged_65":0,"red":0,"yellow":0,"due":0,"covered":0,"overdue":0,"visited_7d":0,"visits_today":0,"needs_open":0,"needs_overdue":0,"needs_emergency":0,"packs_planned":0,"packs_delivered":0}"#;
        let zero = figures.replace(r#""residents":1"#, r#""residents":0"#);
        let expected = format!(
            r#"{{"date":"2026-11-28","grids":[{{"id":"g1","name":"一网格","lat":39.9,"lng":null,"boundary":null,"figures":{figures},"coverage":null}}],"total":{zero},"total_coverage":null,"visits_per_day":[{{"date":"2026-11-28","count":2}}],"workload":[{{"id":"w1","name":"王芳","grids":["g1"],"visits_per_day":[1],"open_items":0,"overloaded":false}}],"daily_load":30,"stock_low":[],"tile_url":null,"server_time_ms":1}}"#
        );
        assert_eq!(serde_json::to_string(&d).unwrap(), expected);
        assert_eq!(serde_json::from_str::<Dashboard>(&expected).unwrap(), d);
    }
}
