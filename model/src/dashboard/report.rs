//! The daily report (日报): the dashboard's figures as a table for the level above.

use super::{Dashboard, Figures};
use crate::export::{Cell, Table};

/// The daily report (日报) for the level above: one row per grid and a total row, headers in
/// Chinese whatever the screen's language. The app exports exactly the figures it shows.
pub fn daily_report(d: &Dashboard) -> Table {
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
        "住户数",
        "已宣教住户",
        "宣教覆盖率(%)",
        "应接种人数",
        "已动员人数",
        "已接种人数",
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
            n(f.households),
            n(f.households_educated),
            f.education_coverage().map_or(Cell::Empty, n),
            n(f.vacc_eligible),
            n(f.vacc_mobilised),
            n(f.vacc_vaccinated),
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
