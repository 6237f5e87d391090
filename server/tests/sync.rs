//! The sync protocol v1 against a real server on a real SQLite file: push and pull, role and
//! grid scope, and one test per error code, each showing that nothing was written.

mod common;

use common::fixture::Fixture;
use common::{change, stamp, TestServer};
use model::entities::{
    facility, grid, household, need, pack_delivery, resident, stock_move, supply_item, visit,
};
use model::Role;
use serde_json::{json, Value};

/// Three grids of four households of two residents each, one visited and one in need:
/// wangfang works the first two grids, liqiang the third, zhaomin supervises all three, and
/// chenjing carries packs to two residents of the first.
async fn community() -> TestServer {
    let mut f = Fixture::new().await;
    let grids: Vec<String> = ["东区第一网格", "东区第二网格", "西区网格"]
        .iter()
        .map(|name| f.grid(name))
        .collect();
    let wang = f
        .user(Role::GridWorker, "wangfang", "王芳", &grids[..2])
        .await;
    let li = f
        .user(Role::GridWorker, "liqiang", "李强", &grids[2..])
        .await;
    f.user(Role::Supervisor, "zhaomin", "赵敏", &grids).await;
    f.user(Role::Admin, "admin", "管理员", &[]).await;
    let chen = f.user(Role::Volunteer, "chenjing", "陈静", &[]).await;
    let yesterday = now() - 86_400_000;
    for (g, grid) in grids.iter().enumerate() {
        let worker = if g < 2 { &wang } else { &li };
        for h in 0..4 {
            let home = f.household(grid, &format!("{} 号楼 {}01", g + 1, h + 1));
            let health = [
                (resident::field::BIRTH_DATE, json!("1945-06-01")),
                (resident::field::PHONE, json!(format!("1380000{g}{h}00"))),
                (resident::field::COND_HYPERTENSION, json!(true)),
            ];
            let visited = f.resident(&home, &format!("张{g}{h}"), &health);
            let in_need = f.resident(&home, &format!("李{g}{h}"), &health);
            f.visit(&visited, worker, yesterday);
            f.need(&in_need, "open");
            if g == 0 && h < 2 {
                f.delivery(&visited, &chen, "pending");
            }
        }
    }
    f.start().await
}

fn now() -> i64 {
    server::now_ms()
}

fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// A new resident in `grid`, stamped by `device` from `ms` on.
fn new_resident(id: &str, grid: &str, device: &str, ms: i64) -> Vec<Value> {
    vec![
        change(
            resident::NAME,
            id,
            resident::field::GRID_ID,
            json!(grid),
            &stamp(ms, 0, device),
        ),
        change(
            resident::NAME,
            id,
            resident::field::NAME,
            json!("刘桂兰"),
            &stamp(ms, 1, device),
        ),
        change(
            resident::NAME,
            id,
            resident::field::BIRTH_DATE,
            json!("1948-03-02"),
            &stamp(ms, 2, device),
        ),
        change(
            resident::NAME,
            id,
            resident::field::COND_DIABETES,
            json!(true),
            &stamp(ms, 3, device),
        ),
    ]
}

fn field<'a>(changes: &'a [Value], entity: &str, id: &str, f: &str) -> Option<&'a Value> {
    changes
        .iter()
        .rev()
        .find(|c| c["entity"] == entity && c["id"] == id && c["field"] == f)
        .map(|c| &c["value"])
}

async fn worker(s: &TestServer, device: &str) -> (String, Vec<String>) {
    (
        s.token("wangfang", device).await,
        s.grids_of("wangfang").await,
    )
}

/// wangfang's phone adds a resident to her second grid; its id.
async fn a_new_resident(s: &TestServer) -> String {
    let (token, grids) = worker(s, "phone-a").await;
    let id = uuid();
    s.push(
        &token,
        "phone-a",
        new_resident(&id, &grids[1], "phone-a", now()),
    )
    .await;
    id
}

#[tokio::test]
async fn a_pushed_record_reaches_its_grid_and_nobody_else() {
    let s = community().await;
    let (token, grids) = worker(&s, "phone-a").await;
    let id = uuid();
    let (status, body) = s
        .push(
            &token,
            "phone-a",
            new_resident(&id, &grids[0], "phone-a", now()),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["accepted"], 4);
    assert_eq!(body["applied"], 4);
    assert!(body["server_time_ms"].as_i64().unwrap() > 0);

    let sup = s.token("zhaomin", "laptop").await;
    let (seen, _) = s.pull_all(&sup, None, 5000).await;
    assert_eq!(
        field(&seen, resident::NAME, &id, resident::field::NAME),
        Some(&json!("刘桂兰"))
    );
    assert_eq!(
        field(&seen, resident::NAME, &id, resident::field::COND_DIABETES),
        Some(&json!(true))
    );

    let other = s.token("liqiang", "phone-b").await;
    let (seen, _) = s.pull_all(&other, None, 5000).await;
    assert!(
        seen.iter().all(|c| c["id"] != id.as_str()),
        "another grid's worker never receives it"
    );
}

#[tokio::test]
async fn replaying_a_batch_changes_nothing_and_an_older_stamp_loses() {
    let s = community().await;
    let (token, grids) = worker(&s, "phone-a").await;
    let id = uuid();
    let t = now();
    let batch = new_resident(&id, &grids[0], "phone-a", t);
    assert_eq!(
        s.push(&token, "phone-a", batch.clone()).await.1["applied"],
        4
    );
    let before = s.state().await;
    let (status, body) = s.push(&token, "phone-a", batch).await;
    assert_eq!((status, body["applied"].clone()), (200, json!(0)));
    assert_eq!(s.state().await, before);

    let newer = change(
        resident::NAME,
        &id,
        resident::field::NAME,
        json!("刘桂芝"),
        &stamp(t + 10, 0, "phone-a"),
    );
    let older = change(
        resident::NAME,
        &id,
        resident::field::NAME,
        json!("旧名字"),
        &stamp(t - 10, 0, "phone-a"),
    );
    assert_eq!(s.push(&token, "phone-a", vec![newer]).await.1["applied"], 1);
    assert_eq!(s.push(&token, "phone-a", vec![older]).await.1["applied"], 0);
    let state = s.state().await;
    assert_eq!(
        state[&(
            resident::NAME.into(),
            id.clone(),
            resident::field::NAME.into()
        )]
            .0,
        json!("刘桂芝")
    );
}

#[tokio::test]
async fn pull_pages_by_limit_without_gaps_or_repeats_and_resumes_from_the_cursor() {
    let s = community().await;
    let sup = s.token("zhaomin", "laptop").await;
    let (all, cursor) = s.pull_all(&sup, None, 5000).await;
    let (paged, _) = s.pull_all(&sup, None, 37).await;
    assert_eq!(all.len(), paged.len());
    let keys: std::collections::BTreeSet<_> = paged
        .iter()
        .map(|c| {
            (
                c["entity"].clone().to_string(),
                c["id"].to_string(),
                c["field"].to_string(),
            )
        })
        .collect();
    assert_eq!(
        keys.len(),
        paged.len(),
        "no field is sent twice in one pass"
    );

    // Nothing new: an empty page that keeps the cursor usable.
    let (status, page) = s.pull_page(&sup, &format!("?cursor={cursor}")).await;
    assert_eq!(status, 200);
    assert_eq!(page["changes"], json!([]));
    assert_eq!(page["has_more"], false);

    // A later edit is exactly what the next pull from the old cursor brings.
    let id = a_new_resident(&s).await;
    let (fresh, _) = s.pull_all(&sup, Some(cursor), 2).await;
    assert_eq!(fresh.len(), 4);
    assert!(fresh.iter().all(|c| c["id"] == id.as_str()));
}

/// Every page of `GET /api/v1/sync/records` from `cursor` on, as (entity, id, field, value, hlc)
/// rows, with the last cursor.
async fn records_all(
    s: &TestServer,
    token: &str,
    mut cursor: Option<String>,
    limit: usize,
) -> (Vec<(String, String, String, Value, String)>, String) {
    let mut rows = Vec::new();
    loop {
        let q = match &cursor {
            Some(c) => format!("?cursor={c}&limit={limit}"),
            None => format!("?limit={limit}"),
        };
        let (status, page) = s.get_json(token, &format!("/api/v1/sync/records{q}")).await;
        assert_eq!(status, 200, "{page}");
        let mut stamps = Vec::new();
        for r in page["records"].as_array().unwrap() {
            for (field, v) in r["fields"].as_object().unwrap() {
                let hlc = v["hlc"].as_str().unwrap().to_owned();
                stamps.push(hlc.clone());
                rows.push((
                    r["entity"].as_str().unwrap().to_owned(),
                    r["id"].as_str().unwrap().to_owned(),
                    field.clone(),
                    v["value"].clone(),
                    hlc,
                ));
            }
        }
        // The page names its greatest stamp, so a phone's clock need not read every one.
        let greatest = stamps.iter().max_by(|a, b| {
            model::hlc::Hlc::parse(a)
                .unwrap()
                .cmp(&model::hlc::Hlc::parse(b).unwrap())
        });
        assert_eq!(page["max_hlc"].as_str(), greatest.map(String::as_str));
        cursor = Some(page["cursor"].as_str().unwrap().to_owned());
        if page["has_more"] == false {
            return (rows, cursor.unwrap());
        }
    }
}

fn as_rows(changes: &[Value]) -> Vec<(String, String, String, Value, String)> {
    changes
        .iter()
        .map(|c| {
            (
                c["entity"].as_str().unwrap().to_owned(),
                c["id"].as_str().unwrap().to_owned(),
                c["field"].as_str().unwrap().to_owned(),
                c["value"].clone(),
                c["hlc"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn records_pages_carry_what_pull_pages_carry_grouped_and_hand_over_to_pull() {
    let s = community().await;
    for (user, device) in [
        ("zhaomin", "laptop"),
        ("wangfang", "phone"),
        ("chenjing", "vol"),
    ] {
        let token = s.token(user, device).await;
        let (pulled, pull_cursor) = s.pull_all(&token, None, 5000).await;
        let mut want = as_rows(&pulled);
        // Small pages split records between pages; each field still comes once.
        let (mut got, cursor) = records_all(&s, &token, None, 7).await;
        want.sort_by(|a, b| (&a.0, &a.1, &a.2).cmp(&(&b.0, &b.1, &b.2)));
        got.sort_by(|a, b| (&a.0, &a.1, &a.2).cmp(&(&b.0, &b.1, &b.2)));
        assert_eq!(got, want, "{user} is sent the same values by both");
        assert_eq!(cursor, pull_cursor, "{user}: the same cursor at the end");
    }

    // A device that began with records goes on with pull: a later edit is what pull brings.
    let sup = s.token("zhaomin", "laptop").await;
    let (_, cursor) = records_all(&s, &sup, None, 5000).await;
    let id = a_new_resident(&s).await;
    let (fresh, _) = s.pull_all(&sup, Some(cursor.clone()), 2).await;
    assert_eq!(fresh.len(), 4);
    assert!(fresh.iter().all(|c| c["id"] == id.as_str()));
    // And records from that cursor bring the same, as one record.
    let (status, page) = s
        .get_json(&sup, &format!("/api/v1/sync/records?cursor={cursor}"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(page["records"].as_array().unwrap().len(), 1);
    assert_eq!(page["records"][0]["id"], id.as_str());
    assert_eq!(
        page["records"][0]["fields"][resident::field::NAME]["value"],
        "刘桂兰"
    );

    // The same errors as pull.
    let (status, body) = s.get_json(&sup, "/api/v1/sync/records?cursor=zz").await;
    assert_eq!((status, body["error"].as_str()), (400, Some("malformed")));
    let (status, body) = s.get_json(&sup, "/api/v1/sync/records?limit=5001").await;
    assert_eq!((status, body["error"].as_str()), (400, Some("malformed")));
    let (status, _) = s.get_json("not-a-token", "/api/v1/sync/records").await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_volunteer_receives_only_their_deliveries_and_the_recipients_name_address_and_phone() {
    let s = community().await;
    let vol = s.token("chenjing", "vol-phone").await;
    let (seen, _) = s.pull_all(&vol, None, 5000).await;
    assert!(!seen.is_empty());
    let deliveries: std::collections::BTreeSet<_> = seen
        .iter()
        .filter(|c| c["entity"] == pack_delivery::NAME)
        .map(|c| c["id"].to_string())
        .collect();
    assert!(
        !deliveries.is_empty(),
        "the community assigns packs to the volunteer"
    );
    let allowed_resident = [
        resident::field::GRID_ID,
        resident::field::HOUSEHOLD_ID,
        resident::field::NAME,
        resident::field::PHONE,
        resident::field::DELETED,
    ];
    let allowed_household = [
        household::field::GRID_ID,
        household::field::ADDRESS,
        household::field::BUILDING,
        household::field::UNIT,
        household::field::ROOM,
        household::field::VILLAGE,
        household::field::VILLAGE_GROUP,
        household::field::DELETED,
    ];
    for c in &seen {
        let field = c["field"].as_str().unwrap();
        match c["entity"].as_str().unwrap() {
            resident::NAME => assert!(allowed_resident.contains(&field), "{c}"),
            visit::NAME | need::NAME => panic!("a volunteer received {c}"),
            household::NAME => assert!(allowed_household.contains(&field), "{c}"),
            _ => {}
        }
    }
    let me = seen.iter().filter(|c| {
        c["entity"] == pack_delivery::NAME && c["field"] == pack_delivery::field::VOLUNTEER_ID
    });
    assert!(me.clone().count() > 0);
}

// ---- one test per error code; each shows that nothing was written ----

#[tokio::test]
async fn malformed_push_is_400_and_writes_nothing() {
    let s = community().await;
    let (token, grids) = worker(&s, "phone-a").await;
    let before = s.state().await;
    let id = uuid();
    let mut bad_stamp = new_resident(&id, &grids[0], "phone-a", now());
    bad_stamp.push(change(
        resident::NAME,
        &id,
        resident::field::PHONE,
        json!("13800000000"),
        "yesterday",
    ));
    let cases = vec![
        "{not json".to_owned(),
        json!({"device_id": "phone-a"}).to_string(),
        json!({"changes": []}).to_string(),
        json!({"device_id": "phone-a", "changes": [{"entity": "resident", "id": id}]}).to_string(),
        json!({"device_id": "phone-a", "changes": bad_stamp}).to_string(),
    ];
    for body in cases {
        let (status, resp) = s.push_raw(&token, body.clone()).await;
        assert_eq!(status, 400, "{body}");
        assert_eq!(resp["error"], "malformed");
    }
    assert_eq!(s.state().await, before);
}

#[tokio::test]
async fn unauthorized_is_401_and_writes_nothing() {
    let s = community().await;
    let grids = s.grids_of("wangfang").await;
    let before = s.state().await;
    let batch = new_resident(&uuid(), &grids[0], "phone-a", now());
    for token in ["", "not-a-token", &"0".repeat(64)] {
        let (status, resp) = s.push(token, "phone-a", batch.clone()).await;
        assert_eq!(status, 401);
        assert_eq!(resp["error"], "unauthorized");
    }
    let (status, _) = s.pull_page("nope", "").await;
    assert_eq!(status, 401);
    assert_eq!(s.state().await, before);
}

#[tokio::test]
async fn forbidden_is_403_for_role_grid_and_device_and_writes_nothing() {
    let s = community().await;
    let (token, grids) = worker(&s, "phone-a").await;
    let others = s.grids_of("liqiang").await;
    let before = s.state().await;
    let t = now();

    // A record in a grid that is not theirs, after a valid change in the same batch.
    let mut batch = new_resident(&uuid(), &grids[0], "phone-a", t);
    batch.extend(new_resident(&uuid(), &others[0], "phone-a", t + 1));
    let (status, resp) = s.push(&token, "phone-a", batch).await;
    assert_eq!(
        (status, resp["error"].clone()),
        (403, json!("forbidden")),
        "{resp}"
    );

    // A stamp made by another device than the token's.
    let (status, _) = s
        .push(
            &token,
            "phone-a",
            new_resident(&uuid(), &grids[0], "phone-z", t),
        )
        .await;
    assert_eq!(status, 403);
    // A body that claims another device.
    let (status, _) = s
        .push(
            &token,
            "phone-z",
            new_resident(&uuid(), &grids[0], "phone-z", t),
        )
        .await;
    assert_eq!(status, 403);

    // A role that may not write the field: a grid worker editing a supply item, a volunteer a
    // resident's health field.
    let (status, resp) = s
        .push(
            &token,
            "phone-a",
            vec![change(
                supply_item::NAME,
                &uuid(),
                supply_item::field::NAME,
                json!("口罩"),
                &stamp(t, 9, "phone-a"),
            )],
        )
        .await;
    assert_eq!(status, 403, "{resp}");
    let vol = s.token("chenjing", "vol-phone").await;
    let (seen, _) = s.pull_all(&vol, None, 5000).await;
    let recipient = seen.iter().find(|c| c["entity"] == resident::NAME).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = s
        .push(
            &vol,
            "vol-phone",
            vec![change(
                resident::NAME,
                &recipient,
                resident::field::COND_DIABETES,
                json!(true),
                &stamp(t, 0, "vol-phone"),
            )],
        )
        .await;
    assert_eq!(status, 403);
    // ... or another volunteer's delivery (one not assigned to them).
    let (status, _) = s
        .push(
            &vol,
            "vol-phone",
            vec![change(
                pack_delivery::NAME,
                &uuid(),
                pack_delivery::field::STATUS,
                json!("delivered"),
                &stamp(t, 1, "vol-phone"),
            )],
        )
        .await;
    assert_eq!(status, 403);

    assert_eq!(s.state().await, before);
}

#[tokio::test]
async fn clock_skew_is_409_with_server_time_and_writes_nothing() {
    let s = community().await;
    let (token, grids) = worker(&s, "phone-a").await;
    let before = s.state().await;
    let ahead = now() + 6 * 60 * 1000;
    let (status, resp) = s
        .push(
            &token,
            "phone-a",
            new_resident(&uuid(), &grids[0], "phone-a", ahead),
        )
        .await;
    assert_eq!(status, 409);
    assert_eq!(resp["error"], "clock_skew");
    let server_time = resp["server_time_ms"].as_i64().unwrap();
    assert!((server_time - now()).abs() < 60_000);
    assert_eq!(s.state().await, before);

    // Re-stamped from the server's time, the same edits go through.
    let (status, _) = s
        .push(
            &token,
            "phone-a",
            new_resident(&uuid(), &grids[0], "phone-a", server_time),
        )
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn too_large_is_413_and_writes_nothing() {
    let s = community().await;
    let (token, grids) = worker(&s, "phone-a").await;
    let before = s.state().await;
    let id = uuid();
    let t = now();
    let mut many = vec![change(
        resident::NAME,
        &id,
        resident::field::GRID_ID,
        json!(grids[0]),
        &stamp(t, 0, "phone-a"),
    )];
    many.extend((1..=5000).map(|i| {
        change(
            resident::NAME,
            &id,
            resident::field::NOTES,
            json!(format!("{i}")),
            &stamp(t, i as u16, "phone-a"),
        )
    }));
    let (status, resp) = s.push(&token, "phone-a", many).await;
    assert_eq!((status, resp["error"].clone()), (413, json!("too_large")));

    let big = "x".repeat(1000);
    let huge: Vec<Value> = (0..4300u16)
        .map(|i| {
            change(
                resident::NAME,
                &id,
                resident::field::NOTES,
                json!(big),
                &stamp(t, i, "phone-a"),
            )
        })
        .collect();
    let (status, _) = s.push(&token, "phone-a", huge).await;
    assert_eq!(status, 413);
    assert_eq!(s.state().await, before);
}

#[tokio::test]
async fn invalid_is_422_with_each_bad_change_and_writes_nothing() {
    let s = community().await;
    let (token, grids) = worker(&s, "phone-a").await;
    let before = s.state().await;
    let id = uuid();
    let t = now();
    let batch = vec![
        change(
            resident::NAME,
            &id,
            resident::field::GRID_ID,
            json!(grids[0]),
            &stamp(t, 0, "phone-a"),
        ),
        change(
            resident::NAME,
            &id,
            "favourite_colour",
            json!("red"),
            &stamp(t, 1, "phone-a"),
        ),
        change(
            visit::NAME,
            &uuid(),
            visit::field::SPO2,
            json!(120),
            &stamp(t, 2, "phone-a"),
        ),
        change(
            resident::NAME,
            &id,
            resident::field::BIRTH_DATE,
            json!("1948-02-30"),
            &stamp(t, 3, "phone-a"),
        ),
        change(
            "spaceship",
            &uuid(),
            "name",
            json!("x"),
            &stamp(t, 4, "phone-a"),
        ),
        change(
            resident::NAME,
            &id,
            resident::field::NAME,
            json!("刘桂兰"),
            &stamp(t, 5, "phone-a"),
        ),
    ];
    let (status, resp) = s.push(&token, "phone-a", batch).await;
    assert_eq!(status, 422, "{resp}");
    assert_eq!(resp["error"], "invalid");
    let indexes: Vec<u64> = resp["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["index"].as_u64().unwrap())
        .collect();
    assert_eq!(indexes, vec![1, 2, 3, 4]);
    assert!(resp["details"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| !d["message"].as_str().unwrap().is_empty()));
    assert_eq!(s.state().await, before);

    // A new grid-scoped record without its grid is refused the same way.
    let (status, resp) = s
        .push(
            &token,
            "phone-a",
            vec![change(
                resident::NAME,
                &uuid(),
                resident::field::NAME,
                json!("无网格"),
                &stamp(t, 6, "phone-a"),
            )],
        )
        .await;
    assert_eq!((status, resp["error"].clone()), (422, json!("invalid")));
    assert_eq!(s.state().await, before);
}

#[tokio::test]
async fn a_cursor_from_another_database_is_410_and_a_garbled_one_400() {
    let a = community().await;
    let b = community().await;
    let sup_a = a.token("zhaomin", "laptop").await;
    let sup_b = b.token("zhaomin", "laptop").await;
    let (_, cursor_b) = b.pull_all(&sup_b, None, 5000).await;
    let (status, resp) = a.pull_page(&sup_a, &format!("?cursor={cursor_b}")).await;
    assert_eq!(
        (status, resp["error"].clone()),
        (410, json!("reset_required"))
    );

    for q in ["?cursor=garbage", "?limit=0", "?limit=5001", "?limit=ten"] {
        let (status, resp) = a.pull_page(&sup_a, q).await;
        assert_eq!(
            (status, resp["error"].clone()),
            (400, json!("malformed")),
            "{q}"
        );
    }
}

#[tokio::test]
async fn a_cursor_past_everything_stored_is_410_and_the_last_one_given_still_serves() {
    let s = community().await;
    let token = s.token("zhaomin", "laptop").await;
    let (_, cursor) = s.pull_all(&token, None, 5000).await;
    // The same database and scope, a seq it never gave: a cursor of a database restored from
    // an older backup under the same instance id.
    let text = String::from_utf8(hex::decode(&cursor).unwrap()).unwrap();
    let (head, seq) = text.rsplit_once('.').unwrap();
    let ahead = hex::encode(format!("{head}.{}", seq.parse::<i64>().unwrap() + 1));
    let (status, resp) = s.pull_page(&token, &format!("?cursor={ahead}")).await;
    assert_eq!(
        (status, resp["error"].clone()),
        (410, json!("reset_required"))
    );
    let (status, resp) = s.pull_page(&token, &format!("?cursor={cursor}")).await;
    assert_eq!((status, resp["changes"].clone()), (200, json!([])));
}

#[tokio::test]
async fn schema_lists_entities_with_types_and_roles() {
    let s = community().await;
    let token = s.token("wangfang", "phone-a").await;
    let r = s
        .client
        .get(s.url("/api/v1/schema"))
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    let text = body.to_string();
    for entity in [
        household::NAME,
        resident::NAME,
        visit::NAME,
        need::NAME,
        supply_item::NAME,
        stock_move::NAME,
        pack_delivery::NAME,
        facility::NAME,
        grid::NAME,
    ] {
        assert!(
            text.contains(&format!("\"{entity}\"")),
            "schema lists {entity}"
        );
    }
    assert!(text.contains(resident::field::COND_DIABETES) && text.contains(visit::field::SPO2));
}
