//! The import end to end without a server: file bytes of each format read into the same sheet,
//! and the sheet planned against a small snapshot.

use std::collections::BTreeMap;

use model::entities::{grid, household, resident};
use model::export::{to_csv, to_xlsx, Table};
use model::wire::ImportAction;
use serde_json::{json, Value};

use super::*;
use household::field as hf;
use resident::field as rf;

fn table(rows: &[&[&str]]) -> Table {
    Table::of_text("名单", rows)
}

const ROWS: &[&[&str]] = &[
    &[
        "姓名",
        "性别",
        "出生日期",
        "联系电话",
        "住址",
        "网格",
        "独居",
    ],
    &[
        "王桂兰",
        "女",
        "1948-03-02",
        "13800000000",
        "幸福里 1 号楼 101",
        "第一网格",
        "是",
    ],
    &[
        "李建国",
        "男",
        "1950/7/1",
        "13900000000",
        "幸福里 1 号楼 101",
        "第一网格",
        "",
    ],
    &["", "男", "1950-01-01", "", "幸福里 2 号楼", "第一网格", ""],
    &[
        "张伟",
        "男",
        "1950-13-01",
        "123",
        "幸福里 3 号楼",
        "第一网格",
        "",
    ],
    &["赵六", "男", "1960-01-01", "", "某处", "第九网格", ""],
    &["王 桂兰", "女", "1948年3月2日", "", "", "第一网格", ""],
    &[
        "陈老伯",
        "男",
        "1940-05-05",
        "13700000000",
        "",
        "第二网格",
        "是",
    ],
];

fn snapshot() -> Snapshot {
    let mut s = Snapshot::default();
    let mut put = |e: &str, id: &str, f: &[(&str, Value)]| {
        s.entities.entry(e.into()).or_default().insert(
            id.into(),
            f.iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        );
    };
    put(grid::NAME, "g1", &[(grid::field::NAME, json!("第一网格"))]);
    put(grid::NAME, "g2", &[(grid::field::NAME, json!("第二网格"))]);
    put(grid::NAME, "g3", &[(grid::field::NAME, json!("第三网格"))]);
    put(
        household::NAME,
        "h-old",
        &[
            (hf::GRID_ID, json!("g2")),
            (hf::ADDRESS, json!("老街 5 号")),
        ],
    );
    put(
        resident::NAME,
        "r-old",
        &[
            (rf::GRID_ID, json!("g2")),
            (rf::HOUSEHOLD_ID, json!("h-old")),
            (rf::NAME, json!("陈老伯")),
            (rf::BIRTH_DATE, json!("1940-05-05")),
            (rf::GENDER, json!("male")),
        ],
    );
    s
}

fn ids() -> impl FnMut() -> String {
    let mut n = 0;
    move || {
        n += 1;
        format!("new-{n}")
    }
}

fn run(sheet: &Sheet, allowed: Option<&[String]>) -> Plan {
    let snap = snapshot();
    let ctx = Context {
        snapshot: &snap,
        allowed,
        default_grid: None,
        deadline: crate::import::limits::Deadline::after(std::time::Duration::from_secs(60)),
    };
    let mapping = suggest_mapping(&sheet.headers);
    plan(sheet, &mapping, &ctx, &mut ids()).unwrap()
}

fn actions(p: &Plan) -> Vec<(usize, ImportAction)> {
    p.rows.iter().map(|r| (r.row, r.action)).collect()
}

/// A row's problems as the person reads them.
fn problems(r: &Row) -> Vec<String> {
    r.problems.iter().map(ToString::to_string).collect()
}

fn check_plan(p: &Plan) {
    use ImportAction::*;
    assert_eq!(
        actions(p),
        vec![
            (2, Create),
            (3, Create),
            (4, Refuse),
            (5, Refuse),
            (6, Refuse),
            (7, Merge),
            (8, Merge)
        ]
    );
    assert_eq!(problems(&p.rows[2]), vec!["缺少姓名（name is missing）"]);
    let bad = problems(&p.rows[3]);
    assert_eq!(bad.len(), 2, "{bad:?}");
    assert!(bad[0].starts_with("出生日期应为有效日期"));
    assert!(bad[1].starts_with("联系电话"));
    assert!(problems(&p.rows[4])[0].contains("第九网格"));
    // The duplicate within the file goes into the first row's new resident.
    assert_eq!(p.rows[5].resident_id.as_deref(), Some("new-1"));
    assert_eq!(p.rows[6].resident_id.as_deref(), Some("r-old"));
    // Both people at one address share a household.
    let w = |e: &str, id: &str| p.writes[&(e.to_owned(), id.to_owned())].clone();
    let first = w(resident::NAME, "new-1");
    let second = w(resident::NAME, "new-3");
    assert_eq!(first[rf::HOUSEHOLD_ID], json!("new-2"));
    assert_eq!(second[rf::HOUSEHOLD_ID], json!("new-2"));
    assert_eq!(
        first[rf::NAME],
        json!("王桂兰"),
        "the in-file duplicate's spacing is not written"
    );
    assert_eq!(second[rf::BIRTH_DATE], json!("1950-07-01"));
    assert_eq!(first[rf::TAG_LIVING_ALONE], json!(true));
    assert_eq!(first[rf::GENDER], json!("female"));
    let hh = w(household::NAME, "new-2");
    assert_eq!(hh[hf::GRID_ID], json!("g1"));
    assert_eq!(hh[hf::ADDRESS], json!("幸福里 1 号楼 101"));
    // Only what the file adds to the existing resident is written: not the name, the sex, nor
    // a household it already has.
    let old = w(resident::NAME, "r-old");
    assert_eq!(
        old.keys().collect::<Vec<_>>(),
        [rf::PHONE, rf::TAG_LIVING_ALONE]
    );
    assert_eq!(p.count(Create), 2);
    assert_eq!(p.count(Merge), 2);
    assert_eq!(p.count(Refuse), 3);
    for ((entity, id), fields) in &p.writes {
        for (field, value) in fields {
            let c = model::Change {
                entity: entity.clone(),
                id: id.clone(),
                field: field.clone(),
                value: value.clone(),
                hlc: String::new(),
            };
            model::validate_change(&c).unwrap();
        }
    }
}

#[test]
fn a_utf8_csv_is_planned_row_by_row() {
    let sheet = read_file(to_csv(&table(ROWS)).as_bytes()).unwrap();
    assert_eq!(sheet.headers[0], "姓名");
    check_plan(&run(&sheet, None));
}

#[test]
fn a_gbk_csv_reads_like_the_utf8_one() {
    let text = to_csv(&table(ROWS));
    let (gbk, _, bad) = encoding_rs::GBK.encode(text.trim_start_matches('\u{FEFF}'));
    assert!(!bad);
    assert!(std::str::from_utf8(&gbk).is_err());
    let sheet = read_file(&gbk).unwrap();
    assert_eq!(sheet, read_file(text.as_bytes()).unwrap());
    check_plan(&run(&sheet, None));
}

#[test]
fn an_xlsx_reads_like_the_csv() {
    let xlsx = to_xlsx(&table(ROWS));
    let sheet = read_file(&xlsx).unwrap();
    assert_eq!(sheet, read_file(to_csv(&table(ROWS)).as_bytes()).unwrap());
    check_plan(&run(&sheet, None));
}

#[test]
fn a_supervisor_cannot_import_into_another_grid() {
    let sheet = read_file(to_csv(&table(ROWS)).as_bytes()).unwrap();
    let mine = ["g1".to_owned()];
    let p = run(&sheet, Some(&mine));
    assert_eq!(p.rows[6].action, ImportAction::Refuse);
    assert!(problems(&p.rows[6])[0].contains("不在您负责的范围内"));
    assert!(!p
        .writes
        .contains_key(&(resident::NAME.into(), "r-old".into())));
}

#[test]
fn an_id_card_gives_birth_date_sex_and_last_four_but_is_not_kept() {
    let t = table(&[
        &["姓名", "身份证号", "网格"],
        &["刘芳", "11010519491231002X", "第一网格"],
    ]);
    let p = run(&read_file(to_csv(&t).as_bytes()).unwrap(), None);
    let w = &p.writes[&(resident::NAME.to_owned(), "new-1".to_owned())];
    assert_eq!(w[rf::BIRTH_DATE], json!("1949-12-31"));
    assert_eq!(w[rf::GENDER], json!("female"));
    assert_eq!(w[rf::ID_CARD_LAST4], json!("002X"));
    assert!(!w.values().any(|v| v == &json!("11010519491231002X")));
}

#[test]
fn bad_files_are_refused_with_a_reason() {
    let reason = |bytes: &[u8]| read_file(bytes).unwrap_err().to_string();
    assert!(reason(b"").contains("empty"));
    assert!(reason(b"a,b\n1,2\n").contains("no name column"));
    assert!(reason(b"PK\x03\x04garbage").contains("CSV or XLSX"));
    assert!(reason(&[0, 1, 2, 3, 0xff]).contains("CSV or XLSX"));
    let sheet = read_file("姓名,电话\n王,1\n".as_bytes()).unwrap();
    let snap = snapshot();
    let ctx = Context {
        snapshot: &snap,
        allowed: None,
        default_grid: None,
        deadline: crate::import::limits::Deadline::after(std::time::Duration::from_secs(60)),
    };
    let bad = BTreeMap::from([(rf::NAME.to_owned(), "不存在".to_owned())]);
    assert_eq!(
        plan(&sheet, &bad, &ctx, &mut ids()).unwrap_err(),
        ImportError::NoSuchColumn("不存在".into())
    );
    let none = BTreeMap::from([(rf::PHONE.to_owned(), "电话".to_owned())]);
    assert_eq!(
        plan(&sheet, &none, &ctx, &mut ids()).unwrap_err(),
        ImportError::NameNotMapped
    );
    let unknown = BTreeMap::from([("shoe_size".to_owned(), "电话".to_owned())]);
    assert!(plan(&sheet, &unknown, &ctx, &mut ids())
        .unwrap_err()
        .to_string()
        .contains("unknown import field \"shoe_size\""));
}

#[test]
fn reading_and_planning_stop_at_their_deadline() {
    use crate::import::limits::Deadline;
    use crate::import::read_file_until;
    let text = to_csv(&table(ROWS));
    let passed = Deadline::at(std::time::Instant::now());
    assert_eq!(
        read_file_until(text.as_bytes(), &passed),
        Err(ImportError::TooSlow)
    );
    assert_eq!(
        read_file_until(&to_xlsx(&table(ROWS)), &passed),
        Err(ImportError::TooSlow)
    );
    let sheet = read_file(text.as_bytes()).unwrap();
    let snap = snapshot();
    let ctx = Context {
        snapshot: &snap,
        allowed: None,
        default_grid: None,
        deadline: passed,
    };
    let mapping = suggest_mapping(&sheet.headers);
    assert_eq!(
        plan(&sheet, &mapping, &ctx, &mut ids()).unwrap_err(),
        ImportError::TooSlow
    );
}
