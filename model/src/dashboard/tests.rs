//! The dashboard's figures on a small demo of grids, residents, visits, needs and stock.

use super::*;
use crate::date::Date;
use crate::vaccination;
use serde_json::{json, Value};

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
fn a_resident_who_left_is_counted_until_the_day_they_left() {
    let mut r = demo();
    let old = r.get_mut("resident").unwrap().get_mut("old").unwrap();
    old.insert("status".into(), json!("deceased"));
    old.insert(
        "status_date".into(),
        json!(today().add_days(-1).to_string()),
    );
    let on = |date: Date| {
        let d = compute(&r, &grids(&["g1"]), &workers(), date, noon(0), 30);
        (d.total.residents, d.total.due)
    };
    assert_eq!(on(today()), (1, 0), "gone since yesterday");
    assert_eq!(on(today().add_days(-2)), (2, 1), "still here two days ago");
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

#[test]
fn education_coverage_counts_households_reached_by_the_date() {
    let mut r = demo();
    for (id, grid) in [("h1", "g1"), ("h2", "g1"), ("h3", "g1"), ("h9", "g2")] {
        put(&mut r, "household", id, &[("grid_id", json!(grid))]);
    }
    put(
        &mut r,
        "household",
        "gone",
        &[
            ("grid_id", json!("g1")),
            ("status", json!("moved_away")),
            ("status_date", json!("2026-11-01")),
        ],
    );
    let given = |r: &mut Records, id: &str, household: &str, at: i64| {
        put(
            r,
            "education",
            id,
            &[
                ("grid_id", json!("g1")),
                ("household_id", json!(household)),
                ("guide", json!("antigen_self_test")),
                ("channel", json!("wechat_group")),
                ("given_at", json!(at)),
            ],
        );
    };
    // Two guides to one household count it once; one given tomorrow does not count yet.
    given(&mut r, "e1", "h1", noon(-2));
    given(&mut r, "e2", "h1", noon(0));
    given(&mut r, "e3", "h2", noon(1));
    let d = compute(&r, &grids(&["g1", "g2"]), &workers(), today(), noon(0), 30);
    let g1 = &d.grids[0].figures;
    assert_eq!(
        (g1.households, g1.households_educated),
        (3, 1),
        "the moved-away household is off"
    );
    assert_eq!(g1.education_coverage(), Some(33));
    assert_eq!((d.total.households, d.total.households_educated), (4, 1));
    assert_eq!(d.grids[1].figures.education_coverage(), Some(0));
    let report = report::daily_report(&d);
    let at = |h: &str| report.headers.iter().position(|x| x == h).unwrap();
    assert_eq!(
        report.rows[0][at("已宣教住户")],
        crate::export::Cell::Number(1.0)
    );
    assert_eq!(
        report.rows[0][at("宣教覆盖率(%)")],
        crate::export::Cell::Number(33.0)
    );
    let tomorrow = compute(
        &r,
        &grids(&["g1"]),
        &workers(),
        today().add_days(1),
        noon(1),
        30,
    );
    assert_eq!(tomorrow.grids[0].figures.households_educated, 2);
}

#[test]
fn vaccination_counts_the_eligible_and_who_was_mobilised_and_vaccinated() {
    let mut r = demo();
    // demo(): in g1 "old" (80, doses unknown: eligible) and "young" (doses unknown: eligible).
    put(
        &mut r,
        "resident",
        "full",
        &[
            ("grid_id", json!("g1")),
            ("birth_date", json!("1960-01-01")),
            ("vacc_doses", json!(3)),
            ("vacc_last_date", json!("2026-11-01")),
        ],
    );
    let attempt = |r: &mut Records, id: &str, who: &str, outcome: &str, at: i64| {
        put(
            r,
            "mobilisation",
            id,
            &[
                ("grid_id", json!("g1")),
                ("resident_id", json!(who)),
                ("outcome", json!(outcome)),
                ("at", json!(at)),
            ],
        );
    };
    attempt(&mut r, "m1", "old", "refused", noon(-3));
    attempt(&mut r, "m2", "old", "agreed", noon(-1));
    attempt(&mut r, "m3", "full", "vaccinated", noon(-20));
    attempt(&mut r, "m4", "young", "agreed", noon(1));
    let d = compute(&r, &grids(&["g1"]), &workers(), today(), noon(0), 30);
    let g1 = &d.grids[0].figures;
    assert_eq!(
        (g1.vacc_eligible, g1.vacc_mobilised, g1.vacc_vaccinated),
        (2, 2, 1),
        "tomorrow's attempt does not count yet; two attempts are one resident"
    );
    // A stricter policy: a booster every 20 days makes "full" eligible again.
    let strict = vaccination::Policy {
        full_course: 3,
        booster_days: 20,
    };
    let d = compute_with(
        &r,
        &grids(&["g1"]),
        &workers(),
        today(),
        noon(0),
        30,
        strict,
    );
    assert_eq!(d.grids[0].figures.vacc_eligible, 3);
    let report = report::daily_report(&d);
    let at = report
        .headers
        .iter()
        .position(|h| h == "应接种人数")
        .unwrap();
    assert_eq!(report.rows[0][at], crate::export::Cell::Number(3.0));
}

#[test]
fn each_workers_spot_checks_give_their_confirmation_rate() {
    let mut r = demo();
    let checked = |r: &mut Records, id: &str, result: &str, at: i64| {
        put(
            r,
            "spot_check",
            id,
            &[
                ("grid_id", json!("g1")),
                ("visit_id", json!(format!("visit-{id}"))),
                ("worker_id", json!("w1")),
                ("result", json!(result)),
                ("checked_at", json!(at)),
            ],
        );
    };
    checked(&mut r, "c1", "confirmed", noon(-1));
    checked(&mut r, "c2", "confirmed", noon(0));
    checked(&mut r, "c3", "not_confirmed", noon(-2));
    checked(&mut r, "c4", "unreachable", noon(-2));
    checked(&mut r, "c5", "not_confirmed", noon(1));
    let d = compute(&r, &grids(&["g1"]), &workers(), today(), noon(0), 30);
    let w = d.workload.iter().find(|w| w.id == "w1").unwrap();
    assert_eq!(
        (w.spot_reached, w.spot_confirmed),
        (Some(3), Some(2)),
        "tomorrow's not yet"
    );
    assert_eq!(w.confirmation_rate(), Some(67));
}

#[test]
fn the_weekly_report_has_a_row_a_day_and_the_week_and_a_sent_report_keeps_its_totals() {
    let days: Vec<Dashboard> = (0..7)
        .map(|back| {
            let date = today().add_days(back - 6);
            compute(
                &demo(),
                &grids(&["g1", "g2"]),
                &workers(),
                date,
                noon(back - 6),
                30,
            )
        })
        .collect();
    let week = report::weekly_report(&days);
    assert_eq!(week.sheet, "周报");
    assert_eq!(week.rows.len(), 8, "seven days and the week");
    let at = |h: &str| week.headers.iter().position(|x| x == h).unwrap();
    let visits: f64 = days.iter().map(|d| f64::from(d.total.visits_today)).sum();
    let last = &week.rows[7];
    assert_eq!(last[at("网格")], crate::export::Cell::Text("本周".into()));
    assert_eq!(
        last[at("当日走访次数")],
        crate::export::Cell::Number(visits)
    );
    assert_eq!(
        last[at("居民数")],
        week.rows[6][at("居民数")],
        "stocks as of the last day"
    );
    assert_eq!(
        week.rows[0][at("日期")],
        crate::export::Cell::Text(today().add_days(-6).to_string())
    );
    assert!(report::weekly_report(&[]).rows.is_empty());

    let fields = report::report_fields("daily", &days[6], &grids(&["g1", "g2"]), "s1", 5);
    crate::validate::assert_valid_edits(crate::entities::report::NAME, &fields);
    let figures = &fields.iter().find(|(k, _)| k == "figures").unwrap().1;
    let kept: Figures = serde_json::from_str(figures.as_str().unwrap()).unwrap();
    assert_eq!(kept, days[6].total);
}

#[test]
fn escalated_needs_and_those_handled_above_are_counted_by_the_date() {
    let mut r = demo();
    let need = |r: &mut Records, id: &str, raised: i64, status: Option<(&str, i64)>| {
        let mut pairs = vec![
            ("grid_id", json!("g1")),
            ("resident_id", json!("old")),
            ("kind", json!("medicine")),
            ("created_at", json!(raised)),
            ("escalated", json!(true)),
        ];
        if let Some((s, at)) = status {
            pairs.push(("upward_status", json!(s)));
            pairs.push(("upward_at", json!(at)));
        }
        put(r, "need", id, &pairs);
    };
    need(&mut r, "up1", noon(-2), Some(("handled", noon(-1))));
    need(&mut r, "up2", noon(-1), Some(("in_hand", noon(0))));
    // Handled tomorrow, raised tomorrow: neither counts today.
    need(&mut r, "up3", noon(-1), Some(("handled", noon(1))));
    need(&mut r, "up4", noon(1), None);
    let d = compute(&r, &grids(&["g1"]), &workers(), today(), noon(0), 30);
    let g1 = &d.grids[0].figures;
    assert_eq!((g1.needs_escalated, g1.needs_escalated_handled), (3, 1));
    let report = report::daily_report(&d);
    let at = |h: &str| report.headers.iter().position(|x| x == h).unwrap();
    assert_eq!(
        report.rows[0][at("上报需求")],
        crate::export::Cell::Number(3.0)
    );
    assert_eq!(
        report.rows[0][at("上级已办结")],
        crate::export::Cell::Number(1.0)
    );
}
