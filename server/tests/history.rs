//! Who changed what (issue 17): every accepted change is kept with who sent it, from which device
//! and when, losers included, and read back by staff filtered as pull filters; a field two devices
//! set to different values close together is flagged to the supervisors of its grid, with both
//! values and who set them, until a later write settles it.

mod common;

use common::fixture::Fixture;
use common::{change, stamp, TestServer};
use model::entities::{resident, spot_check};
use model::history::CONTEST_WINDOW_MS;
use model::Role;
use serde_json::{json, Value};

struct Community {
    s: TestServer,
    resident: String,
    spot: String,
    /// A resident of a grid neither grid worker has.
    far: String,
}

async fn community() -> Community {
    let mut f = Fixture::new().await;
    let grid = f.grid("东区第一网格");
    let other = f.grid("西区第一网格");
    f.user(
        Role::GridWorker,
        "wangfang",
        "王芳",
        std::slice::from_ref(&grid),
    )
    .await;
    f.user(
        Role::GridWorker,
        "lili",
        "李丽",
        std::slice::from_ref(&grid),
    )
    .await;
    f.user(
        Role::Supervisor,
        "zhaomin",
        "赵敏",
        std::slice::from_ref(&grid),
    )
    .await;
    f.user(
        Role::Supervisor,
        "qianjun",
        "钱军",
        std::slice::from_ref(&other),
    )
    .await;
    f.user(Role::Volunteer, "xiaozhang", "小张", &[]).await;
    f.user(Role::Admin, "admin", "管理员", &[]).await;
    let home = f.household(&grid, "1 号楼 101");
    let resident = f.resident(&home, "张秀英", &[]);
    let spot = f.record(
        spot_check::NAME,
        &[
            (spot_check::field::GRID_ID, json!(grid)),
            (spot_check::field::RESULT, json!(spot_check::CONFIRMED)),
        ],
    );
    let far_home = f.household(&other, "西 3 号楼");
    let far = f.resident(&far_home, "赵六", &[]);
    Community {
        s: f.start().await,
        resident,
        spot,
        far,
    }
}

async fn get(s: &TestServer, token: &str, path: &str) -> (u16, Value) {
    let r = s
        .client
        .get(s.url(path))
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn phone(id: &str, value: &str, ms: i64, device: &str) -> Value {
    change(
        resident::NAME,
        id,
        resident::field::PHONE,
        json!(value),
        &stamp(ms, 0, device),
    )
}

async fn push_ok(s: &TestServer, token: &str, device: &str, changes: Vec<Value>) {
    let (status, body) = s.push(token, device, changes).await;
    assert_eq!(status, 200, "{body}");
}

/// Pushes one phone number of `resident`, stamped `ms` by `device`, and expects it accepted.
async fn set_phone(
    s: &TestServer,
    token: &str,
    device: &str,
    resident: &str,
    value: &str,
    ms: i64,
) {
    push_ok(s, token, device, vec![phone(resident, value, ms, device)]).await;
}

fn entries_of<'a>(history: &'a Value, field: &str) -> Vec<&'a Value> {
    history["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["field"] == field)
        .collect()
}

#[tokio::test]
async fn every_accepted_change_is_kept_with_who_sent_it_losers_and_all() {
    let c = community().await;
    let s = &c.s;
    let wang = s.token("wangfang", "phone-wang").await;
    let li = s.token("lili", "phone-li").await;
    let now = server::now_ms();
    let first = vec![phone(&c.resident, "13800000001", now - 2_000, "phone-wang")];
    push_ok(s, &wang, "phone-wang", first.clone()).await;
    // The same batch again, its answer lost on the way: one entry, not two.
    push_ok(s, &wang, "phone-wang", first).await;
    set_phone(s, &li, "phone-li", &c.resident, "13900000002", now - 1_000).await;
    // Arrives last with the oldest stamp: it loses, and is kept all the same.
    set_phone(
        s,
        &wang,
        "phone-wang",
        &c.resident,
        "13700000003",
        now - 3_000,
    )
    .await;

    let zhao = s.token("zhaomin", "pc-zhao").await;
    let path = format!("/api/v1/history/resident/{}", c.resident);
    let (status, h) = get(s, &zhao, &path).await;
    assert_eq!(status, 200, "{h}");
    assert_eq!(h["retention_days"], 365);
    let phones = entries_of(&h, resident::field::PHONE);
    let seen: Vec<(&str, &str, &str, bool)> = phones
        .iter()
        .map(|e| {
            (
                e["value"].as_str().unwrap(),
                e["user_name"].as_str().unwrap(),
                e["device_id"].as_str().unwrap(),
                e["current"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            ("13700000003", "王芳", "phone-wang", false),
            ("13900000002", "李丽", "phone-li", true),
            ("13800000001", "王芳", "phone-wang", false),
        ],
        "newest arrival first, each once"
    );
    assert!(phones
        .iter()
        .all(|e| e["received_ms"].as_i64().unwrap() >= now - 10_000));
    // The fields the fixture wrote at setup came with no device: they have no entry.
    assert!(entries_of(&h, resident::field::NAME).is_empty());

    // A grid worker of the grid reads it too; an admin too.
    assert_eq!(get(s, &li, &path).await.0, 200);
    let admin = s.token("admin", "pc-admin").await;
    assert_eq!(get(s, &admin, &path).await.0, 200);
}

#[tokio::test]
async fn history_is_answered_only_as_pull_would_answer() {
    let c = community().await;
    let s = &c.s;
    let wang = s.token("wangfang", "phone-wang").await;
    let vol = s.token("xiaozhang", "phone-vol").await;
    let (status, body) = get(s, &vol, &format!("/api/v1/history/resident/{}", c.resident)).await;
    assert_eq!((status, body["error"].as_str()), (403, Some("forbidden")));
    // Another grid's resident, a record that is not there, an entity that is not: alike.
    for path in [
        format!("/api/v1/history/resident/{}", c.far),
        "/api/v1/history/resident/no-such-id".to_owned(),
        format!("/api/v1/history/nothing/{}", c.resident),
    ] {
        let (status, body) = get(s, &wang, &path).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (404, Some("not_found")),
            "{path}"
        );
    }
    // A spot check is read by supervisors only: to a grid worker it is not there.
    let zhao = s.token("zhaomin", "pc-zhao").await;
    let spot = format!("/api/v1/history/spot_check/{}", c.spot);
    push_ok(
        s,
        &zhao,
        "pc-zhao",
        vec![change(
            spot_check::NAME,
            &c.spot,
            spot_check::field::SAID,
            json!("电话回访，老人说上午有人来过"),
            &stamp(server::now_ms(), 0, "pc-zhao"),
        )],
    )
    .await;
    assert_eq!(get(s, &wang, &spot).await.0, 404);
    let (status, h) = get(s, &zhao, &spot).await;
    assert_eq!(status, 200);
    assert_eq!(entries_of(&h, spot_check::field::SAID).len(), 1);
    let (status, _) = get(s, "not-a-token", &spot).await;
    assert_eq!(status, 401);
    // A refused batch leaves nothing behind.
    let (status, _) = s
        .push(
            &wang,
            "phone-wang",
            vec![change(
                resident::NAME,
                &c.far,
                resident::field::PHONE,
                json!("13800000009"),
                &stamp(server::now_ms(), 0, "phone-wang"),
            )],
        )
        .await;
    assert_eq!(status, 403);
    let admin = s.token("admin", "pc-admin").await;
    let (_, h) = get(s, &admin, &format!("/api/v1/history/resident/{}", c.far)).await;
    assert!(entries_of(&h, resident::field::PHONE).is_empty(), "{h}");
}

#[tokio::test]
async fn a_field_set_two_ways_close_together_is_flagged_until_corrected() {
    let c = community().await;
    let s = &c.s;
    let wang = s.token("wangfang", "phone-wang").await;
    let li = s.token("lili", "phone-li").await;
    let zhao = s.token("zhaomin", "pc-zhao").await;
    let now = server::now_ms();
    let contested = || async {
        let (status, body) = get(s, &zhao, "/api/v1/history/contested").await;
        assert_eq!(status, 200, "{body}");
        body["contested"].as_array().unwrap().clone()
    };
    // One device changing its own value, and a second device agreeing: no contest.
    set_phone(
        s,
        &wang,
        "phone-wang",
        &c.resident,
        "13800000001",
        now - 60_000,
    )
    .await;
    set_phone(
        s,
        &wang,
        "phone-wang",
        &c.resident,
        "13800000002",
        now - 50_000,
    )
    .await;
    set_phone(s, &li, "phone-li", &c.resident, "13800000002", now - 40_000).await;
    assert!(contested().await.is_empty());

    // Li's phone, offline, had the number otherwise a minute later: flagged.
    set_phone(s, &li, "phone-li", &c.resident, "13900000009", now - 30_000).await;
    set_phone(
        s,
        &wang,
        "phone-wang",
        &c.resident,
        "13800000003",
        now - 20_000,
    )
    .await;
    let list = contested().await;
    assert_eq!(
        list.len(),
        1,
        "the newest flag of a field speaks for it: {list:?}"
    );
    let k = &list[0];
    assert_eq!(k["entity"], resident::NAME);
    assert_eq!(k["id"], c.resident.as_str());
    assert_eq!(k["field"], resident::field::PHONE);
    let sides: Vec<(&str, &str)> = k["sides"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["value"].as_str().unwrap(),
                x["user_name"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        sides,
        vec![("13900000009", "李丽"), ("13800000003", "王芳")]
    );
    assert_eq!(k["current_hlc"], k["sides"][1]["hlc"]);

    // Only supervisors (of that grid) and admins see them.
    let (status, _) = get(s, &wang, "/api/v1/history/contested").await;
    assert_eq!(status, 403);
    let qian = s.token("qianjun", "pc-qian").await;
    let (status, body) = get(s, &qian, "/api/v1/history/contested").await;
    assert_eq!(status, 200);
    assert!(body["contested"].as_array().unwrap().is_empty(), "{body}");
    let admin = s.token("admin", "pc-admin").await;
    let (_, body) = get(s, &admin, "/api/v1/history/contested").await;
    assert_eq!(body["contested"].as_array().unwrap().len(), 1);

    // Settling takes one of the two stamps of an open contest the caller is shown, nothing else.
    let settle = |token: String, hlc: Value| settle_phone(s, token, c.resident.clone(), hlc);
    let lis = k["sides"][0]["hlc"].clone();
    assert_eq!(settle(wang.clone(), lis.clone()).await.0, 403);
    assert_eq!(
        settle(qian.clone(), lis.clone()).await.0,
        404,
        "not of their grids"
    );
    assert_eq!(
        settle(zhao.clone(), json!("1764331200000-0000-nobody"))
            .await
            .0,
        404
    );
    let bad = s
        .client
        .post(s.url("/api/v1/history/contested/settle"))
        .header("authorization", format!("Bearer {zhao}"))
        .header("content-type", "application/json")
        .body(r#"{"entity":"resident"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);

    // The supervisor keeps Li's number in one tap: written anew, so it wins everywhere.
    let (status, body) = settle(zhao.clone(), lis.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["change"]["value"], "13900000009");
    assert!(contested().await.is_empty());
    assert_eq!(settle(zhao.clone(), lis).await.0, 404, "settled already");
    let (_, h) = get(
        s,
        &zhao,
        &format!("/api/v1/history/resident/{}", c.resident),
    )
    .await;
    let newest = entries_of(&h, resident::field::PHONE)[0];
    assert_eq!(newest["value"], "13900000009");
    assert_eq!(newest["user_name"], "赵敏");
    assert_eq!(newest["device_id"], "pc-zhao");
    assert_eq!(newest["current"], true);
    // Both phones receive it.
    let (changes, _) = s.pull_all(&wang, None, 1000).await;
    let held: Vec<&Value> = changes
        .iter()
        .filter(|x| x["id"] == c.resident.as_str() && x["field"] == resident::field::PHONE)
        .collect();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0]["value"], "13900000009");
    assert_eq!(held[0]["hlc"], body["change"]["hlc"]);
}

async fn settle_phone(s: &TestServer, token: String, resident: String, hlc: Value) -> (u16, Value) {
    let r = s
        .client
        .post(s.url("/api/v1/history/contested/settle"))
        .header("authorization", format!("Bearer {token}"))
        .json(&json!({"entity": resident::NAME, "id": resident, "field": resident::field::PHONE, "hlc": hlc}))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json::<Value>().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn values_far_apart_or_a_late_loser_are_judged_by_their_stamps() {
    let c = community().await;
    let s = &c.s;
    let wang = s.token("wangfang", "phone-wang").await;
    let li = s.token("lili", "phone-li").await;
    let zhao = s.token("zhaomin", "pc-zhao").await;
    let now = server::now_ms();
    let window = CONTEST_WINDOW_MS as i64;
    set_phone(
        s,
        &wang,
        "phone-wang",
        &c.resident,
        "13800000001",
        now - window - 60_000,
    )
    .await;
    // More than the window later: a change of mind, not a contest.
    set_phone(s, &li, "phone-li", &c.resident, "13900000002", now - 30_000).await;
    let (_, body) = get(s, &zhao, "/api/v1/history/contested").await;
    assert!(body["contested"].as_array().unwrap().is_empty(), "{body}");
    // A value stamped before the one kept, arriving after it, loses unseen: flagged.
    set_phone(
        s,
        &wang,
        "phone-wang",
        &c.resident,
        "13800000007",
        now - 40_000,
    )
    .await;
    let (_, body) = get(s, &zhao, "/api/v1/history/contested").await;
    let list = body["contested"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{body}");
    assert_eq!(list[0]["sides"][0]["value"], "13900000002");
    assert_eq!(list[0]["sides"][1]["value"], "13800000007");
    assert_eq!(list[0]["current_hlc"], list[0]["sides"][0]["hlc"]);
}

#[tokio::test]
async fn history_past_its_retention_is_deleted_at_a_login() {
    let mut f = Fixture::new().await;
    let grid = f.grid("东区第一网格");
    f.user(
        Role::GridWorker,
        "wangfang",
        "王芳",
        std::slice::from_ref(&grid),
    )
    .await;
    let s = f.start_with(&[("KNOCK_HISTORY_DAYS", "1")]).await;
    let storage = server::storage::scratch::reopen(&s.data_dir).await.unwrap();
    let now = server::now_ms();
    let entry = |id: &str, at_ms: i64| server::storage::Logged {
        entity: resident::NAME.into(),
        id: id.into(),
        user_id: "u1".into(),
        device_id: "phone".into(),
        at_ms,
        changes: vec![(
            resident::field::PHONE.into(),
            json!("13800000000"),
            stamp(at_ms, 0, "phone"),
        )],
    };
    let (old, recent) = (
        entry("r-old", now - 2 * 86_400_000),
        entry("r-new", now - 3_600_000),
    );
    storage
        .transact(server::storage::Work::new(move |tx| {
            tx.log(vec![old, recent])?;
            Ok(true)
        }))
        .await
        .unwrap();
    assert_eq!(storage.history_extent().await.unwrap().entries, 2);
    s.token("wangfang", "phone-wang").await;
    assert!(storage
        .history_of(resident::NAME, "r-old", 10, 10)
        .await
        .unwrap()
        .is_empty());
    assert_eq!(
        storage
            .history_of(resident::NAME, "r-new", 10, 10)
            .await
            .unwrap()
            .len(),
        1
    );
}

/// A device may send thousands of changes of one field in a batch: the history keeps them all,
/// and a read of it stops after a few thousand, so no record's history answers megabytes.
#[tokio::test]
async fn a_record_changed_thousands_of_times_is_read_back_within_bounds() {
    let c = community().await;
    let s = &c.s;
    let wang = s.token("wangfang", "phone-wang").await;
    let start = server::now_ms() - 60_000;
    for b in 0..3u16 {
        let batch: Vec<Value> = (0..5_000u16)
            .map(|i| {
                change(
                    resident::NAME,
                    &c.resident,
                    resident::field::PHONE,
                    json!(format!("138{:04}{:04}", b, i)),
                    &stamp(start + i64::from(b) * 1_000, i, "phone-wang"),
                )
            })
            .collect();
        push_ok(s, &wang, "phone-wang", batch).await;
    }
    let zhao = s.token("zhaomin", "pc-zhao").await;
    let (status, h) = get(
        s,
        &zhao,
        &format!("/api/v1/history/resident/{}", c.resident),
    )
    .await;
    assert_eq!(status, 200);
    let phones = entries_of(&h, resident::field::PHONE);
    assert_eq!(phones.len(), 5_000, "the newest batch whole, then no more");
    assert_eq!(phones[0]["value"], "13800024999");
    assert_eq!(phones[0]["current"], true);
}
