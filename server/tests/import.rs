//! Roster import against a real server: a preview writes nothing, a commit creates households
//! and residents that a grid worker's pull then brings, duplicates merge, bad rows are refused
//! with their problems, and only admins and supervisors import, into their own grids.

mod common;

use base64::Engine;
use common::fixture::Fixture;
use common::TestServer;
use model::entities::{household, resident};
use model::export::{to_csv, to_xlsx, Table};
use model::Role;
use resident::field as rf;
use serde_json::{json, Value};

/// The grid the office imports into.
const GRID: &str = "东区第一网格";

/// A resident already on record in [`GRID`], whom a roster row may duplicate.
struct Known {
    id: String,
    name: &'static str,
    birth: &'static str,
}

struct Office {
    s: TestServer,
    grid: String,
    known: Known,
}

/// [`GRID`], worked by wangfang and supervised by zhaomin, where 张桂兰 lives, not alone; and the
/// admin.
async fn office() -> Office {
    let mut f = Fixture::new().await;
    let grids = [f.grid(GRID)];
    f.user(Role::GridWorker, "wangfang", "王芳", &grids).await;
    f.user(Role::Supervisor, "zhaomin", "赵敏", &grids).await;
    f.user(Role::Admin, "admin", "管理员", &[]).await;
    let (name, birth) = ("张桂兰", "1946-05-12");
    let [grid] = grids;
    let home = f.household(&grid, "1 号楼 101");
    let id = f.resident(&home, name, &[(rf::BIRTH_DATE, json!(birth))]);
    Office {
        s: f.start().await,
        grid,
        known: Known { id, name, birth },
    }
}

fn table(rows: Vec<Vec<String>>) -> Table {
    Table::of_text("名单", &rows)
}

/// Good, bad and duplicate rows of [`GRID`]: two new people at one address, a row without a name,
/// one with a bad date and phone, a second copy of the first new person, and a copy of `known`.
fn roster(known: &Known) -> Table {
    let rows = [
        vec![
            "姓名",
            "性别",
            "出生日期",
            "联系电话",
            "住址",
            "网格",
            "独居",
        ],
        vec![
            "导入甲",
            "女",
            "1948-03-02",
            "13800000001",
            "新村 9 号",
            GRID,
            "是",
        ],
        vec!["导入乙", "男", "1950/7/1", "", "新村 9 号", GRID, ""],
        vec!["", "男", "1950-01-01", "", "新村 10 号", GRID, ""],
        vec!["导入丙", "男", "1950-13-01", "123", "新村 11 号", GRID, ""],
        vec!["导入 甲", "女", "1948年3月2日", "", "", GRID, ""],
        vec![known.name, "", known.birth, "", "", GRID, "是"],
    ];
    table(
        rows.into_iter()
            .map(|r| r.into_iter().map(str::to_owned).collect())
            .collect(),
    )
}

async fn import(
    s: &TestServer,
    token: &str,
    file_name: &str,
    bytes: &[u8],
    commit: bool,
) -> (u16, Value) {
    let body = json!({
        "file_name": file_name,
        "content_base64": base64::engine::general_purpose::STANDARD.encode(bytes),
        "mapping": null,
        "grid_id": null,
        "commit": commit,
    });
    let r = s
        .client
        .post(s.url("/api/v1/import/roster"))
        .header("authorization", format!("Bearer {token}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn actions(report: &Value) -> Vec<String> {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap().to_owned())
        .collect()
}

/// The residents a pull holds, by id, as field → value.
fn residents(
    changes: &[Value],
) -> std::collections::BTreeMap<String, serde_json::Map<String, Value>> {
    let mut out = std::collections::BTreeMap::<String, serde_json::Map<String, Value>>::new();
    for c in changes.iter().filter(|c| c["entity"] == resident::NAME) {
        out.entry(c["id"].as_str().unwrap().to_owned())
            .or_default()
            .insert(c["field"].as_str().unwrap().to_owned(), c["value"].clone());
    }
    out
}

async fn preview_then_commit(file_name: &str, bytes: impl Fn(&Table) -> Vec<u8>) {
    let Office { s, grid, known } = office().await;
    let file = bytes(&roster(&known));
    let sup = s.token("zhaomin", "sup-import").await;
    let worker = s.token("wangfang", "worker-phone").await;
    let (_, cursor) = s.pull_all(&worker, None, 5000).await;
    let before = s.state().await;

    let (status, preview) = import(&s, &sup, file_name, &file, false).await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(
        actions(&preview),
        ["create", "create", "refuse", "refuse", "merge", "merge"]
    );
    assert_eq!(preview["rows"][0]["row"], 2);
    assert_eq!(
        preview["rows"][2]["problems"][0],
        "缺少姓名（name is missing）"
    );
    let bad = preview["rows"][3]["problems"].as_array().unwrap();
    assert_eq!(bad.len(), 2, "{bad:?}");
    assert!(bad[0].as_str().unwrap().starts_with("出生日期"));
    assert!(bad[1].as_str().unwrap().starts_with("联系电话"));
    assert_eq!(preview["rows"][5]["resident_id"], json!(known.id));
    assert_eq!(preview["mapping"][rf::NAME], "姓名");
    assert_eq!(preview["mapping"][household::field::ADDRESS], "住址");
    assert_eq!(
        (
            &preview["created"],
            &preview["merged"],
            &preview["refused"],
            &preview["committed"]
        ),
        (&json!(2), &json!(2), &json!(2), &json!(false))
    );
    // A preview writes nothing: the store and the worker's next pull are unchanged.
    assert_eq!(s.state().await, before);
    let (nothing, _) = s.pull_all(&worker, Some(cursor.clone()), 5000).await;
    assert!(nothing.is_empty(), "{nothing:?}");

    let (status, report) = import(&s, &sup, file_name, &file, true).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["committed"], true);
    assert_eq!(
        (&report["created"], &report["merged"], &report["refused"]),
        (&json!(2), &json!(2), &json!(2))
    );

    // The grid worker's phone receives the new residents and the merge, nothing else.
    let (news, _) = s.pull_all(&worker, Some(cursor), 5000).await;
    let got = residents(&news);
    assert_eq!(got.len(), 3, "two new, one merged: {got:?}");
    let named = |n: &str| {
        got.values()
            .filter(|f| f.get(rf::NAME) == Some(&json!(n)))
            .count()
    };
    assert_eq!(
        named("导入甲"),
        1,
        "the in-file duplicate merged into the first row"
    );
    assert_eq!(named("导入乙"), 1);
    assert_eq!(named("导入丙"), 0);
    let first = got
        .values()
        .find(|f| f.get(rf::NAME) == Some(&json!("导入甲")))
        .unwrap();
    let second = got
        .values()
        .find(|f| f.get(rf::NAME) == Some(&json!("导入乙")))
        .unwrap();
    assert_eq!(
        first[rf::HOUSEHOLD_ID],
        second[rf::HOUSEHOLD_ID],
        "one address, one household"
    );
    assert_eq!(first[rf::TAG_LIVING_ALONE], true);
    assert_eq!(first[rf::GRID_ID], json!(grid));
    let merged = &got[&known.id];
    assert_eq!(
        merged.keys().collect::<Vec<_>>(),
        [rf::TAG_LIVING_ALONE],
        "only what the file adds to the known resident is written"
    );
    let households: Vec<_> = news
        .iter()
        .filter(|c| c["entity"] == household::NAME && c["field"] == household::field::ADDRESS)
        .collect();
    assert_eq!(households.len(), 1);
    assert_eq!(households[0]["value"], "新村 9 号");
    assert!(news
        .iter()
        .all(|c| c["hlc"].as_str().unwrap().ends_with("-server-import")));

    // Importing the same file again creates nobody: every good row is now a duplicate.
    let (_, again) = import(&s, &sup, file_name, &file, true).await;
    assert_eq!(
        (&again["created"], &again["merged"], &again["refused"]),
        (&json!(0), &json!(4), &json!(2))
    );
}

#[tokio::test]
async fn a_csv_roster_is_previewed_then_committed_and_reaches_the_grid_worker() {
    preview_then_commit("名单.csv", |t| to_csv(t).into_bytes()).await;
}

#[tokio::test]
async fn an_xlsx_roster_is_previewed_then_committed_and_reaches_the_grid_worker() {
    preview_then_commit("名单.xlsx", to_xlsx).await;
}

#[tokio::test]
async fn a_gbk_csv_from_excel_is_read() {
    let Office { s, known, .. } = office().await;
    let csv = to_csv(&roster(&known));
    let (gbk, _, _) = encoding_rs::GBK.encode(csv.trim_start_matches('\u{FEFF}'));
    let admin = s.token("admin", "admin-import").await;
    let (status, preview) = import(&s, &admin, "名单.csv", &gbk, false).await;
    assert_eq!(status, 200, "{preview}");
    assert_eq!(preview["created"], 2);
    assert_eq!(preview["rows"][0]["name"], "导入甲");
}

#[tokio::test]
async fn a_supervisor_imports_only_into_their_own_grids() {
    let mut f = Fixture::new().await;
    let other_name = "西区网格";
    let mine = [f.grid(GRID)];
    f.grid(other_name);
    f.user(Role::Supervisor, "sun", "孙督导", &mine).await;
    f.user(Role::Admin, "admin", "管理员", &[]).await;
    let s = f.start().await;
    let t = table(vec![
        vec!["姓名".into(), "出生日期".into(), "网格".into()],
        vec!["本网格人".into(), "1950-01-01".into(), GRID.into()],
        vec!["外网格人".into(), "1950-01-01".into(), other_name.into()],
        vec!["无网格人".into(), "1950-01-01".into(), "".into()],
    ]);
    let sun = s.token("sun", "sun-laptop").await;
    let before = s.state().await;
    let (status, report) = import(&s, &sun, "名单.csv", to_csv(&t).as_bytes(), true).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(actions(&report), ["create", "refuse", "create"], "{report}");
    let why = report["rows"][1]["problems"][0].as_str().unwrap();
    assert!(
        why.contains(other_name) && why.contains("not one of yours"),
        "{why}"
    );
    let after = s.state().await;
    let written: Vec<_> = after
        .iter()
        .filter(|(k, _)| !before.contains_key(*k))
        .filter(|((e, _, f), _)| e == resident::NAME && f == rf::GRID_ID)
        .map(|(_, (v, _))| v.clone())
        .collect();
    // The row with no grid falls back on the supervisor's only grid.
    assert_eq!(written, [json!(mine[0]), json!(mine[0])]);
}

#[tokio::test]
async fn grid_workers_and_volunteers_may_not_import() {
    let mut f = Fixture::new().await;
    let grids = [f.grid(GRID)];
    f.user(Role::GridWorker, "wangfang", "王芳", &grids).await;
    f.user(Role::Volunteer, "chenjing", "陈静", &[]).await;
    let s = f.start().await;
    let t = table(vec![vec!["姓名".into()], vec!["某人".into()]]);
    for who in ["wangfang", "chenjing"] {
        let token = s.token(who, "probe").await;
        let (status, body) = import(&s, &token, "a.csv", to_csv(&t).as_bytes(), true).await;
        assert_eq!(status, 403, "{who}: {body}");
        assert_eq!(body["error"], "forbidden");
    }
}

#[tokio::test]
async fn unreadable_files_are_refused_as_invalid() {
    let mut f = Fixture::new().await;
    f.grid(GRID);
    f.user(Role::Admin, "admin", "管理员", &[]).await;
    let s = f.start().await;
    let admin = s.token("admin", "admin-import").await;
    let before = s.state().await;
    for (name, bytes) in [
        ("empty.csv", b"".to_vec()),
        ("no-name.csv", "电话,地址\n1,2\n".as_bytes().to_vec()),
        ("photo.png", vec![0x89, b'P', b'N', b'G', 0, 0, 0, 13]),
        ("broken.xlsx", b"PK\x03\x04not really a zip".to_vec()),
    ] {
        let (status, body) = import(&s, &admin, name, &bytes, true).await;
        assert_eq!(status, 422, "{name}: {body}");
        assert_eq!(body["error"], "invalid");
        assert!(
            body["message"].as_str().unwrap().contains('（'),
            "bilingual: {body}"
        );
    }
    let r = s
        .client
        .post(s.url("/api/v1/import/roster"))
        .header("authorization", format!("Bearer {admin}"))
        .body("not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(s.state().await, before);
}

#[tokio::test]
async fn a_merge_wins_over_a_value_stamped_by_a_clock_running_ahead() {
    let Office { s, known, .. } = office().await;
    let Known { id, name, birth } = known;
    // A phone whose clock is four minutes fast writes a note on the resident.
    let worker = s.token("wangfang", "fast-phone").await;
    let ahead = server::now_ms() + 4 * 60 * 1000;
    let stamp = common::stamp(ahead, 0, "fast-phone");
    let (status, body) = s
        .push(
            &worker,
            "fast-phone",
            vec![common::change(
                resident::NAME,
                &id,
                rf::NOTES,
                json!("旧备注"),
                &stamp,
            )],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    // The office then imports the roster that corrects it: the import must win.
    let t = table(vec![
        vec![
            "姓名".into(),
            "出生日期".into(),
            "备注".into(),
            "网格".into(),
        ],
        vec![
            name.into(),
            birth.into(),
            "已核实：独居，需每日电话".into(),
            GRID.into(),
        ],
    ]);
    let sup = s.token("zhaomin", "office").await;
    let (status, report) = import(&s, &sup, "更正.csv", to_csv(&t).as_bytes(), true).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(actions(&report), ["merge"], "{report}");
    let state = s.state().await;
    let (notes, hlc) = &state[&(resident::NAME.to_owned(), id, rf::NOTES.to_owned())];
    assert_eq!(notes, &json!("已核实：独居，需每日电话"));
    assert!(hlc.as_str() > stamp.as_str(), "{hlc} after {stamp}");
}
