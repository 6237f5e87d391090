//! The daily report (日报): the dashboard's figures as a table for the level above.

use super::{Dashboard, Figures};
use crate::export::{Cell, Table};

/// The columns of the daily and weekly reports, in Chinese whatever the screen's language.
const HEADERS: &[&str] = &[
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
    "上报需求",
    "上级已办结",
];

/// The daily report (日报) for the level above: one row per grid and a total row, headers in
/// Chinese whatever the screen's language. The app exports exactly the figures it shows.
pub fn daily_report(d: &Dashboard) -> Table {
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
            n(f.needs_escalated),
            n(f.needs_escalated_handled),
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
        headers: daily_headers(),
        rows,
    }
}

/// The weekly summary (周报) from the dashboards of the days of a week, oldest first: one row per
/// day of the chosen grids' totals, then the week — the last day's figures with the visits of
/// every day added up. Headers in Chinese, as the daily report's.
pub fn weekly_report(days: &[Dashboard]) -> Table {
    let total_row = |d: &Dashboard| daily_report(d).rows.pop().unwrap_or_default();
    let mut rows: Vec<Vec<Cell>> = days.iter().map(total_row).collect();
    if let Some(week) = week_of(days) {
        let mut row = total_row(&week);
        if let Some(first) = row.first_mut() {
            let from = days.first().map(|d| d.date.as_str()).unwrap_or_default();
            *first = Cell::Text(format!("{from} 至 {}", week.date));
        }
        if let Some(name) = row.get_mut(1) {
            *name = Cell::Text("本周".into());
        }
        rows.push(row);
    }
    Table {
        sheet: "周报".into(),
        headers: daily_headers(),
        rows,
    }
}

/// The week of `days` (oldest first) as one dashboard: the last day's figures, with the visits
/// of every day added up. What the weekly report's last row shows and a sent weekly report keeps.
pub fn week_of(days: &[Dashboard]) -> Option<Dashboard> {
    let mut week = days.last()?.clone();
    week.total.visits_today = days.iter().map(|d| d.total.visits_today).sum();
    Some(week)
}

fn daily_headers() -> Vec<String> {
    HEADERS.iter().map(|h| h.to_string()).collect()
}

/// The fields of a `report` record: `kind` for `date` over `grids` (their names beside), sent
/// by `sender` at `at_ms`, with the total figures as sent.
pub fn report_fields(
    kind: &str,
    d: &Dashboard,
    grids: &[String],
    sender: &str,
    at_ms: i64,
) -> Vec<crate::entities::need::FieldEdit> {
    use crate::entities::report::field;
    use serde_json::json;
    let names: Vec<&str> = d.grids.iter().map(|g| g.name.as_str()).collect();
    let first = grids
        .first()
        .cloned()
        .or_else(|| d.grids.first().map(|g| g.id.clone()));
    vec![
        (field::GRID_ID.to_owned(), json!(first)),
        (field::KIND.to_owned(), json!(kind)),
        (field::DATE.to_owned(), json!(d.date)),
        (field::GRIDS.to_owned(), json!(grids.join(","))),
        (field::GRID_NAMES.to_owned(), json!(names.join("、"))),
        (field::SENT_AT.to_owned(), json!(at_ms)),
        (field::SENDER_ID.to_owned(), json!(sender)),
        (
            field::FIGURES.to_owned(),
            json!(serde_json::to_string(&d.total).unwrap_or_default()),
        ),
    ]
}
