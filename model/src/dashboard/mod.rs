//! The supervisor's figures (per grid and in total, visits per day, each worker's load), computed
//! from merged records as a pure function, and the wire shape of `GET /api/v1/dashboard`.
//!
//! Everything is "as of the end of `date`" in China time: visits after that day are ignored, and
//! a need counts as open if it was raised by then and not resolved by then. Residents, tiers and
//! deliveries are their current state (the merged data keeps no history of them).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::record::Values;

mod care;
mod compute;
mod report;
#[cfg(test)]
mod tests;

pub use care::{care_alerts, CareAlert, Strain, OVERLOAD_RUN};
pub use compute::{compute, compute_with, end_of_day_ms, low_stock};
pub use report::{daily_report, report_fields, week_of, weekly_report};

/// Merged live records: entity → id → field → value (deleted records left out).
pub type Records = BTreeMap<String, BTreeMap<String, Values>>;

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
    /// Households still looked after in the grid on the date. Added (issue 16).
    #[serde(default)]
    pub households: u32,
    /// Of those, households that received health education (an `education` record) by the date.
    /// Added (issue 16).
    #[serde(default)]
    pub households_educated: u32,
    /// Residents eligible for vaccination on the date (`crate::vaccination`). Added (issue 16).
    #[serde(default)]
    pub vacc_eligible: u32,
    /// Residents with a mobilisation attempt by the date. Added (issue 16).
    #[serde(default)]
    pub vacc_mobilised: u32,
    /// Residents with an attempt that ended in a vaccination by the date. Added (issue 16).
    #[serde(default)]
    pub vacc_vaccinated: u32,
    /// Needs raised by the end of the date and escalated to the level above. Added (issue 17).
    #[serde(default)]
    pub needs_escalated: u32,
    /// Of those, the ones the level above has answered as handled. Added (issue 17).
    #[serde(default)]
    pub needs_escalated_handled: u32,
}

impl Figures {
    /// Percentage of due residents whose visit is not late; `None` when nobody is due.
    pub fn coverage(&self) -> Option<u32> {
        (self.due > 0).then(|| (self.covered * 100 + self.due / 2) / self.due)
    }

    /// Percentage of households that received health education; `None` when there are none.
    pub fn education_coverage(&self) -> Option<u32> {
        (self.households > 0)
            .then(|| (self.households_educated * 100 + self.households / 2) / self.households)
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
        self.households += o.households;
        self.households_educated += o.households_educated;
        self.vacc_eligible += o.vacc_eligible;
        self.vacc_mobilised += o.vacc_mobilised;
        self.vacc_vaccinated += o.vacc_vaccinated;
        self.needs_escalated += o.needs_escalated;
        self.needs_escalated_handled += o.needs_escalated_handled;
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
    /// Added (issue 17): the supervisor's spot checks of this worker's visits by the end of the
    /// date that reached the resident, and of those the ones that confirmed the visit. Absent
    /// for a grid worker, who never sees the checks.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spot_reached: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spot_confirmed: Option<u32>,
}

impl WorkerLoad {
    /// Percentage of checks that reached the resident and confirmed the visit.
    pub fn confirmation_rate(&self) -> Option<u32> {
        let (reached, confirmed) = (self.spot_reached?, self.spot_confirmed?);
        crate::dataset::spot::Rate { reached, confirmed }.percent()
    }
}

/// The figures of the doors one person answers for (issue 16): a building or group leader, a
/// grid worker, anyone named `responsible_id` on a household of the chosen grids. `id` is
/// `None` for the doors nobody answers for, which the supervisor hands out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonFigures {
    pub id: Option<String>,
    pub name: String,
    pub figures: Figures,
    pub coverage: Option<u32>,
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
    /// Added (issue 16): the figures per responsible person, by name, the doors nobody answers
    /// for last; absent when no household of the chosen grids names anyone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub responsible: Vec<PersonFigures>,
}

/// A worker the dashboard weighs: a grid worker's user id, display name and grids.
#[derive(Debug, Clone)]
pub struct Worker {
    pub id: String,
    pub name: String,
    pub grids: Vec<String>,
}

#[cfg(test)]
mod golden {
    use super::*;

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
                spot_reached: None,
                spot_confirmed: None,
            }],
            daily_load: 30,
            stock_low: vec![],
            tile_url: None,
            server_time_ms: 1,
            responsible: vec![],
        };
        let figures = r#"{"residents":1,"aged_65":0,"red":0,"yellow":0,"due":0,"covered":0,"overdue":0,"visited_7d":0,"visits_today":0,"needs_open":0,"needs_overdue":0,"needs_emergency":0,"packs_planned":0,"packs_delivered":0,"households":0,"households_educated":0,"vacc_eligible":0,"vacc_mobilised":0,"vacc_vaccinated":0,"needs_escalated":0,"needs_escalated_handled":0}"#;
        let zero = figures.replace(r#""residents":1"#, r#""residents":0"#);
        let expected = format!(
            r#"{{"date":"2026-11-28","grids":[{{"id":"g1","name":"一网格","lat":39.9,"lng":null,"boundary":null,"figures":{figures},"coverage":null}}],"total":{zero},"total_coverage":null,"visits_per_day":[{{"date":"2026-11-28","count":2}}],"workload":[{{"id":"w1","name":"王芳","grids":["g1"],"visits_per_day":[1],"open_items":0,"overloaded":false}}],"daily_load":30,"stock_low":[],"tile_url":null,"server_time_ms":1}}"#
        );
        assert_eq!(serde_json::to_string(&d).unwrap(), expected);
        assert_eq!(serde_json::from_str::<Dashboard>(&expected).unwrap(), d);
    }
}
