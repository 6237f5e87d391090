//! Crafted pushes against a real server, each a hole a hostile or broken client could use: equal
//! stamps that show the judge one value and the store another, references into other grids or
//! to nothing, a volunteer's stock moves, a record with its grid cleared, ids of any length. Each
//! is refused with the contract's status and code, and nothing of it is stored.

mod common;

use common::fixture::Fixture;
use common::{change, stamp, TestServer};
use model::entities::{household, pack_delivery, resident, stock_move, visit};
use model::schema::{DELETED, GRID_ID};
use model::Role;
use serde_json::{json, Value};

const SITE: &str = "东区卫生服务站";
const PLAN: &str = "2026-12-冬季包";

/// Two grids, each with a household of one resident; wangfang works grid A, lina grid B;
/// chenjing delivers a pack of batch [`PLAN`] (5 antigen tests) to A's resident.
struct Two {
    s: TestServer,
    a: String,
    b: String,
    hh_a: String,
    res_a: String,
    hh_b: String,
    res_b: String,
    chen: String,
    liu: String,
    delivery: String,
    item: String,
}

async fn two_grids() -> Two {
    let mut f = Fixture::new().await;
    let a = f.grid("东区第一网格");
    let b = f.grid("西区第二网格");
    f.user(
        Role::GridWorker,
        "wangfang",
        "王芳",
        std::slice::from_ref(&a),
    )
    .await;
    f.user(Role::GridWorker, "lina", "李娜", std::slice::from_ref(&b))
        .await;
    f.user(Role::Admin, "admin", "管理员", &[]).await;
    let chen = f.user(Role::Volunteer, "chenjing", "陈静", &[]).await;
    let liu = f.user(Role::Volunteer, "liuyang", "刘洋", &[]).await;
    let hh_a = f.household(&a, "1 号楼 101");
    let hh_b = f.household(&b, "9 号楼 901");
    let phone = |n: &str| [(resident::field::PHONE, json!(n))];
    let res_a = f.resident(&hh_a, "张秀英", &phone("13800000001"));
    let res_b = f.resident(&hh_b, "李桂兰", &phone("13800000002"));
    let delivery = f.delivery(&res_a, &chen, "pending");
    f.set(
        pack_delivery::NAME,
        &delivery,
        pack_delivery::field::PLAN_ID,
        json!(PLAN),
    );
    let item = f.pack_item(PLAN, "抗原试剂", 5, SITE);
    Two {
        s: f.start().await,
        a,
        b,
        hh_a,
        res_a,
        hh_b,
        res_b,
        chen,
        liu,
        delivery,
        item,
    }
}

/// The ids a pull page tells the device to drop.
fn dropped_ids(page: &Value) -> Vec<String> {
    page["dropped"]
        .as_array()
        .expect("a dropped list")
        .iter()
        .map(|k| k["id"].as_str().unwrap().to_owned())
        .collect()
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn now() -> i64 {
    server::now_ms()
}

/// Pushes and expects `status` with error `code`, and nothing stored.
async fn refused(
    s: &TestServer,
    token: &str,
    device: &str,
    changes: Vec<Value>,
    want: (u16, &str),
) {
    let before = s.state().await;
    let (status, body) = s.push(token, device, changes).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (want.0, Some(want.1)),
        "{body}"
    );
    assert_eq!(s.state().await, before, "a refused batch stores nothing");
}

#[tokio::test]
async fn equal_stamps_cannot_put_a_record_into_a_grid_the_writer_does_not_have() {
    let t = two_grids().await;
    let token = t.s.token("wangfang", "dev-w").await;
    let h = stamp(now(), 0, "dev-w");
    let name = resident::field::NAME;
    // A new record, and one of their own moved: OTHER then MINE under one stamp stores OTHER.
    let fresh = new_id();
    for (id, extra) in [(&fresh, true), (&t.res_a, false)] {
        let mut changes = vec![
            change(resident::NAME, id, GRID_ID, json!(t.b), &h),
            change(resident::NAME, id, GRID_ID, json!(t.a), &h),
        ];
        if extra {
            changes.push(change(resident::NAME, id, name, json!("潜入者"), &h));
        }
        refused(&t.s, &token, "dev-w", changes, (403, "forbidden")).await;
    }
    // The same trick on a stock move's kind lets no volunteer write a receipt.
    let token = t.s.token("chenjing", "dev-v").await;
    let h = stamp(now(), 1, "dev-v");
    let mv = new_id();
    let mut changes = volunteer_move(&t, &mv, &h, 5);
    changes.insert(
        0,
        change(
            stock_move::NAME,
            &mv,
            stock_move::field::KIND,
            json!("received"),
            &h,
        ),
    );
    refused(&t.s, &token, "dev-v", changes, (403, "forbidden")).await;
}

/// The stock move a volunteer's phone writes when `t.delivery` is marked delivered.
fn volunteer_move(t: &Two, id: &str, h: &str, quantity: i64) -> Vec<Value> {
    use stock_move::field;
    [
        (field::KIND, json!(stock_move::DELIVERED)),
        (field::ITEM_ID, json!(t.item)),
        (field::SITE, json!(SITE)),
        (field::QUANTITY, json!(quantity)),
        (field::DELIVERY_ID, json!(t.delivery)),
        (field::WORKER_ID, json!(t.chen)),
        (field::AT, json!(now())),
    ]
    .into_iter()
    .map(|(f, v)| change(stock_move::NAME, id, f, v, h))
    .collect()
}

#[tokio::test]
async fn references_must_name_a_record_of_the_same_grid_that_the_writer_may_read() {
    let t = two_grids().await;
    let token = t.s.token("wangfang", "dev-w").await;
    let h = stamp(now(), 0, "dev-w");
    let d = new_id();
    let delivery_for = |resident: &str, household: &str| {
        use pack_delivery::field;
        vec![
            change(pack_delivery::NAME, &d, field::GRID_ID, json!(t.a), &h),
            change(
                pack_delivery::NAME,
                &d,
                field::RESIDENT_ID,
                json!(resident),
                &h,
            ),
            change(
                pack_delivery::NAME,
                &d,
                field::HOUSEHOLD_ID,
                json!(household),
                &h,
            ),
            change(
                pack_delivery::NAME,
                &d,
                field::VOLUNTEER_ID,
                json!(t.chen),
                &h,
            ),
        ]
    };
    // A delivery in their grid to a door of another grid would hand B's resident to a volunteer.
    refused(
        &t.s,
        &token,
        "dev-w",
        delivery_for(&t.res_b, &t.hh_a),
        (403, "forbidden"),
    )
    .await;
    refused(
        &t.s,
        &token,
        "dev-w",
        delivery_for(&t.res_a, &t.hh_b),
        (403, "forbidden"),
    )
    .await;
    // A resident of A filed in B's household; a visit to nobody.
    let r = new_id();
    let into_b = vec![
        change(resident::NAME, &r, GRID_ID, json!(t.a), &h),
        change(
            resident::NAME,
            &r,
            resident::field::HOUSEHOLD_ID,
            json!(t.hh_b),
            &h,
        ),
    ];
    refused(&t.s, &token, "dev-w", into_b, (403, "forbidden")).await;
    let v = new_id();
    let ghost = vec![
        change(visit::NAME, &v, GRID_ID, json!(t.a), &h),
        change(
            visit::NAME,
            &v,
            visit::field::RESIDENT_ID,
            json!(new_id()),
            &h,
        ),
    ];
    refused(&t.s, &token, "dev-w", ghost, (403, "forbidden")).await;
    // The admin reads everything, but a delivery still goes to a door of its own grid.
    let admin = t.s.token("admin", "dev-a").await;
    let h = stamp(now(), 0, "dev-a");
    let cross = {
        use pack_delivery::field;
        vec![
            change(pack_delivery::NAME, &d, field::GRID_ID, json!(t.a), &h),
            change(
                pack_delivery::NAME,
                &d,
                field::RESIDENT_ID,
                json!(t.res_b),
                &h,
            ),
        ]
    };
    refused(&t.s, &admin, "dev-a", cross, (403, "forbidden")).await;

    // What a phone writes every day still goes through: a new resident in a household of the
    // grid, created in the same batch, and a visit to them.
    let (hh, r, v) = (new_id(), new_id(), new_id());
    let h = stamp(now(), 1, "dev-w");
    let day = vec![
        change(household::NAME, &hh, GRID_ID, json!(t.a), &h),
        change(
            household::NAME,
            &hh,
            household::field::ADDRESS,
            json!("2 号楼 201"),
            &h,
        ),
        change(resident::NAME, &r, GRID_ID, json!(t.a), &h),
        change(
            resident::NAME,
            &r,
            resident::field::HOUSEHOLD_ID,
            json!(hh),
            &h,
        ),
        change(visit::NAME, &v, GRID_ID, json!(t.a), &h),
        change(visit::NAME, &v, visit::field::RESIDENT_ID, json!(r), &h),
        change(visit::NAME, &v, visit::field::HOUSEHOLD_ID, json!(hh), &h),
    ];
    let (status, body) = t.s.push(&token, "dev-w", day).await;
    assert_eq!(status, 200, "{body}");
    let volunteer = t.s.token("chenjing", "dev-v").await;
    let (seen, _) = t.s.pull_all(&volunteer, None, 5000).await;
    assert!(
        seen.iter().all(|c| c["id"] != json!(t.res_b)),
        "the volunteer never receives B's resident"
    );
}

#[tokio::test]
async fn a_volunteers_stock_move_is_exactly_the_pack_they_handed_over() {
    let t = two_grids().await;
    let token = t.s.token("chenjing", "dev-v").await;
    let mut n = 0;
    let mut h = || {
        n += 1;
        stamp(now(), n, "dev-v")
    };
    let with = |changes: Vec<Value>, field: &str, value: Value| -> Vec<Value> {
        changes
            .into_iter()
            .map(|mut c| {
                if c["field"] == field {
                    c["value"] = value.clone();
                }
                c
            })
            .collect()
    };
    let cases = [
        (stock_move::field::WORKER_ID, json!(t.liu)),
        (stock_move::field::QUANTITY, json!(50)),
        (stock_move::field::ITEM_ID, json!(t.res_a)),
        (stock_move::field::SITE, json!("别处仓库")),
        (stock_move::field::DELIVERY_ID, json!(new_id())),
    ];
    for (field, value) in cases {
        let mv = new_id();
        let changes = with(volunteer_move(&t, &mv, &h(), 5), field, value);
        refused(&t.s, &token, "dev-v", changes, (403, "forbidden")).await;
    }
    let mv = new_id();
    let (status, body) =
        t.s.push(&token, "dev-v", volunteer_move(&t, &mv, &h(), 5))
            .await;
    assert_eq!(status, 200, "the pack as planned is recorded: {body}");
    // Once written, the move is not the volunteer's to change.
    let changes = vec![change(
        stock_move::NAME,
        &mv,
        stock_move::field::QUANTITY,
        json!(1),
        &h(),
    )];
    refused(&t.s, &token, "dev-v", changes, (403, "forbidden")).await;
}

/// Undoing a delivery (issue 15): the volunteer deletes the moves it drew, and only those.
#[tokio::test]
async fn a_volunteer_withdraws_only_their_own_draw_and_only_by_deleting_it() {
    let t = two_grids().await;
    let token = t.s.token("chenjing", "dev-v").await;
    let mut n = 0;
    let mut h = || {
        n += 1;
        stamp(now(), n, "dev-v")
    };
    let withdraw = |id: &str, value: Value, h: &str| {
        vec![change(
            stock_move::NAME,
            id,
            model::schema::DELETED,
            value,
            h,
        )]
    };
    let mv = new_id();
    let (status, body) =
        t.s.push(&token, "dev-v", volunteer_move(&t, &mv, &h(), 5))
            .await;
    assert_eq!(status, 200, "{body}");
    // A receipt the admin wrote is no volunteer's to delete.
    let admin = t.s.token("admin", "dev-a").await;
    let receipt = new_id();
    let received = [
        (stock_move::field::KIND, json!(stock_move::RECEIVED)),
        (stock_move::field::ITEM_ID, json!(t.item)),
        (stock_move::field::SITE, json!(SITE)),
        (stock_move::field::QUANTITY, json!(100)),
    ]
    .into_iter()
    .map(|(f, v)| change(stock_move::NAME, &receipt, f, v, &stamp(now(), 0, "dev-a")))
    .collect();
    assert_eq!(t.s.push(&admin, "dev-a", received).await.0, 200);
    refused(
        &t.s,
        &token,
        "dev-v",
        withdraw(&receipt, json!(true), &h()),
        (403, "forbidden"),
    )
    .await;
    // Nor is another volunteer's draw, nor may the withdrawal change anything else.
    let liu = t.s.token("liuyang", "dev-l").await;
    refused(
        &t.s,
        &liu,
        "dev-l",
        withdraw(&mv, json!(true), &stamp(now(), 50, "dev-l")),
        (403, "forbidden"),
    )
    .await;
    let mut more = withdraw(&mv, json!(true), &h());
    more.push(change(
        stock_move::NAME,
        &mv,
        stock_move::field::QUANTITY,
        json!(1),
        &h(),
    ));
    refused(&t.s, &token, "dev-v", more, (403, "forbidden")).await;
    // Their own draw they withdraw, and it stays withdrawn: no undeleting it into stock again.
    let (status, body) =
        t.s.push(&token, "dev-v", withdraw(&mv, json!(true), &h()))
            .await;
    assert_eq!(status, 200, "{body}");
    let stock = model::stock::levels_of_state(&state_as_changes(&t.s).await);
    assert_eq!(
        stock[&(t.item.clone(), SITE.to_owned())],
        100,
        "the draw counts for nothing"
    );
    refused(
        &t.s,
        &token,
        "dev-v",
        withdraw(&mv, json!(false), &h()),
        (403, "forbidden"),
    )
    .await;
    // A phone that undid the delivery before it synced sends the draw already withdrawn.
    let offline = new_id();
    let hh = h();
    let mut both = volunteer_move(&t, &offline, &hh, 5);
    both.extend(withdraw(&offline, json!(true), &h()));
    let (status, body) = t.s.push(&token, "dev-v", both).await;
    assert_eq!(status, 200, "{body}");
    let stock = model::stock::levels_of_state(&state_as_changes(&t.s).await);
    assert_eq!(stock[&(t.item.clone(), SITE.to_owned())], 100);
}

/// The server's records as a merged state, for the model's stock rule.
async fn state_as_changes(s: &TestServer) -> model::merge::State {
    let mut state = model::merge::State::new();
    for ((entity, id, field), (value, hlc)) in s.state().await {
        state.insert((entity, id, field), model::merge::Stamped { value, hlc });
    }
    state
}

#[tokio::test]
async fn a_volunteer_receives_only_their_own_profile() {
    let t = two_grids().await;
    let token = t.s.token("chenjing", "dev-v").await;
    let (seen, _) = t.s.pull_all(&token, None, 5000).await;
    let profiles: std::collections::BTreeSet<&str> = seen
        .iter()
        .filter(|c| c["entity"] == "user_profile")
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(profiles, [t.chen.as_str()].into_iter().collect());
}

#[tokio::test]
async fn a_grid_scoped_record_keeps_a_grid_even_for_the_admin() {
    let t = two_grids().await;
    let admin = t.s.token("admin", "dev-a").await;
    let h = stamp(now(), 0, "dev-a");
    let cleared = vec![change(resident::NAME, &t.res_a, GRID_ID, Value::Null, &h)];
    refused(&t.s, &admin, "dev-a", cleared, (422, "invalid")).await;
}

#[tokio::test]
async fn references_are_ids_of_bounded_length() {
    let t = two_grids().await;
    let token = t.s.token("wangfang", "dev-w").await;
    let h = stamp(now(), 0, "dev-w");
    for bad in ["x".repeat(65), "a b".into(), "x".repeat(1024 * 1024)] {
        let changes = vec![change(
            resident::NAME,
            &t.res_a,
            resident::field::HOUSEHOLD_ID,
            json!(bad),
            &h,
        )];
        refused(&t.s, &token, "dev-w", changes, (422, "invalid")).await;
    }
}

#[tokio::test]
async fn a_record_that_leaves_a_grid_is_dropped_by_that_grids_devices_and_returns_when_it_comes_back(
) {
    let t = two_grids().await;
    let worker = t.s.token("wangfang", "dev-w").await;
    let (_, cursor) = t.s.pull_all(&worker, None, 5000).await;
    let admin = t.s.token("admin", "dev-a").await;
    let move_to = |grid: &str, n: u16| {
        let h = stamp(now(), n, "dev-a");
        vec![
            change(household::NAME, &t.hh_a, GRID_ID, json!(grid), &h),
            change(resident::NAME, &t.res_a, GRID_ID, json!(grid), &h),
        ]
    };
    let (status, body) = t.s.push(&admin, "dev-a", move_to(&t.b, 0)).await;
    assert_eq!(status, 200, "{body}");

    let (status, page) = t.s.pull_page(&worker, &format!("?cursor={cursor}")).await;
    assert_eq!(status, 200);
    let mut dropped: Vec<(String, String)> = page["dropped"]
        .as_array()
        .expect("a dropped list")
        .iter()
        .map(|k| {
            (
                k["entity"].as_str().unwrap().into(),
                k["id"].as_str().unwrap().into(),
            )
        })
        .collect();
    dropped.sort();
    let mut want = vec![
        (household::NAME.to_owned(), t.hh_a.clone()),
        (resident::NAME.to_owned(), t.res_a.clone()),
        // The delivery to that door stayed in A, and A's devices keep it.
    ];
    want.sort();
    assert_eq!(dropped, want);
    assert!(page["changes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["id"] != json!(t.res_a)));
    let cursor = page["cursor"].as_str().unwrap().to_owned();

    let lina = t.s.token("lina", "dev-l").await;
    let (seen, _) = t.s.pull_all(&lina, None, 5000).await;
    assert!(seen
        .iter()
        .any(|c| c["id"] == json!(t.res_a) && c["field"] == resident::field::NAME));

    // Back in A: its rows come again and nothing is dropped.
    let (status, _) = t.s.push(&admin, "dev-a", move_to(&t.a, 1)).await;
    assert_eq!(status, 200);
    let (status, page) = t.s.pull_page(&worker, &format!("?cursor={cursor}")).await;
    assert_eq!(status, 200);
    assert!(page.get("dropped").is_none(), "{page}");
    assert!(page["changes"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == json!(t.res_a)));
}

#[tokio::test]
async fn a_volunteer_drops_the_door_of_a_delivery_deleted_or_given_to_another() {
    let t = two_grids().await;
    let volunteer = t.s.token("chenjing", "dev-v").await;
    let (seen, cursor) = t.s.pull_all(&volunteer, None, 5000).await;
    assert!(
        seen.iter().any(|c| c["id"] == json!(t.res_a)),
        "their door to start with"
    );
    let admin = t.s.token("admin", "dev-a").await;
    let h = stamp(now(), 0, "dev-a");
    let deleted = vec![change(
        pack_delivery::NAME,
        &t.delivery,
        DELETED,
        json!(true),
        &h,
    )];
    assert_eq!(t.s.push(&admin, "dev-a", deleted).await.0, 200);

    let (_, page) =
        t.s.pull_page(&volunteer, &format!("?cursor={cursor}"))
            .await;
    let dropped = dropped_ids(&page);
    assert!(dropped.contains(&t.res_a) && dropped.contains(&t.hh_a));
    assert!(
        page["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == json!(t.delivery)),
        "the deletion itself reaches the phone"
    );
    // A fresh phone of theirs never receives the door of a deleted delivery.
    let (seen, _) = t.s.pull_all(&volunteer, None, 5000).await;
    assert!(seen
        .iter()
        .all(|c| c["id"] != json!(t.res_a) && c["id"] != json!(t.hh_a)));

    // Given to another volunteer: the delivery itself leaves the phone too.
    let (_, cursor) = t.s.pull_all(&volunteer, Some(cursor), 5000).await;
    let h = stamp(now(), 1, "dev-a");
    let changes = vec![
        change(pack_delivery::NAME, &t.delivery, DELETED, json!(false), &h),
        change(
            pack_delivery::NAME,
            &t.delivery,
            pack_delivery::field::VOLUNTEER_ID,
            json!(t.liu),
            &h,
        ),
    ];
    assert_eq!(t.s.push(&admin, "dev-a", changes).await.0, 200);
    let (_, page) =
        t.s.pull_page(&volunteer, &format!("?cursor={cursor}"))
            .await;
    let dropped = dropped_ids(&page);
    assert!(dropped.contains(&t.delivery), "{page}");
}

#[tokio::test]
async fn a_pull_page_stops_at_its_byte_cap_whatever_its_count() {
    let mut f = Fixture::new().await;
    let a = f.grid("东区第一网格");
    f.user(
        Role::GridWorker,
        "wangfang",
        "王芳",
        std::slice::from_ref(&a),
    )
    .await;
    let hh = f.household(&a, "1 号楼 101");
    // 1,500 residents with a full 2,000-character note: about 9 MiB of changes.
    let note = "备".repeat(2000);
    for i in 0..1500 {
        f.resident(
            &hh,
            &format!("居民{i}"),
            &[(resident::field::NOTES, json!(note))],
        );
    }
    let s = f.start().await;
    let token = s.token("wangfang", "dev-w").await;
    let r = reqwest::Client::new()
        .get(s.url("/api/v1/sync/pull?limit=5000"))
        .header("authorization", format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.unwrap();
    let page: Value = serde_json::from_slice(&bytes).unwrap();
    assert!(page["has_more"].as_bool().unwrap());
    assert!(bytes.len() < 3 * 1024 * 1024, "{} bytes", bytes.len());
    let (all, _) = s.pull_all(&token, None, 5000).await;
    let notes = all
        .iter()
        .filter(|c| c["field"] == resident::field::NOTES)
        .count();
    assert_eq!(notes, 1500, "every page together still holds every change");
}
