//! Care for the workers (issue 17, 轮休、避免长时间高负荷工作): the overview's alerts about a
//! worker who has had no day off in the last seven, or has been over the daily load several days
//! running, read off the dashboard's workload. A day without a visit recorded counts as a day off:
//! Knock keeps no rota yet, and a day of visits is a day at work.

use super::{Dashboard, WORKLOAD_DAYS};

/// Days over the daily load, running up to the date, that make an alert.
pub const OVERLOAD_RUN: usize = 3;

/// Why a worker needs their supervisor's attention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strain {
    /// Visits recorded on every one of the last [`WORKLOAD_DAYS`] days.
    NoDayOff,
    /// Over the daily load on this many days running, up to the date.
    Overloaded(usize),
}

/// One alert: the worker's id and name, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CareAlert {
    pub worker: String,
    pub name: String,
    pub strain: Strain,
}

/// The alerts of the dashboard's workload: each worker over the load several days running, and
/// each without a day off in seven, the overloaded first.
pub fn care_alerts(d: &Dashboard) -> Vec<CareAlert> {
    let mut out = Vec::new();
    for w in &d.workload {
        let days = &w.visits_per_day;
        let run = days.iter().rev().take_while(|v| **v > d.daily_load).count();
        let alert = |strain| CareAlert {
            worker: w.id.clone(),
            name: w.name.clone(),
            strain,
        };
        if run >= OVERLOAD_RUN {
            out.push(alert(Strain::Overloaded(run)));
        }
        if days.len() >= WORKLOAD_DAYS && days.iter().all(|v| *v > 0) {
            out.push(alert(Strain::NoDayOff));
        }
    }
    out.sort_by_key(|a| matches!(a.strain, Strain::NoDayOff));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dashboard::{Figures, WorkerLoad};

    fn load(id: &str, days: [u32; 7]) -> WorkerLoad {
        WorkerLoad {
            id: id.into(),
            name: id.into(),
            grids: vec![],
            visits_per_day: days.to_vec(),
            open_items: 0,
            overloaded: false,
            spot_reached: None,
            spot_confirmed: None,
        }
    }

    #[test]
    fn no_day_off_in_seven_and_over_the_load_three_days_running() {
        let d = Dashboard {
            date: "2026-12-03".into(),
            grids: vec![],
            total: Figures::default(),
            total_coverage: None,
            visits_per_day: vec![],
            workload: vec![
                load("rested", [5, 0, 5, 5, 5, 5, 5]),
                load("tired", [1, 2, 3, 4, 5, 6, 7]),
                load("pushed", [0, 40, 0, 31, 35, 40, 12]),
                load("spent", [0, 1, 2, 3, 31, 32, 33]),
            ],
            daily_load: 30,
            stock_low: vec![],
            tile_url: None,
            server_time_ms: 0,
            responsible: vec![],
        };
        let alerts: Vec<(String, Strain)> = care_alerts(&d)
            .into_iter()
            .map(|a| (a.worker, a.strain))
            .collect();
        assert_eq!(
            alerts,
            [
                ("spent".to_owned(), Strain::Overloaded(3)),
                ("tired".to_owned(), Strain::NoDayOff),
            ],
            "pushed ended its run under the load yesterday"
        );
    }
}
