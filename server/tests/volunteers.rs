//! Volunteers against a real server: they write only the status of their own deliveries and
//! stock moves of kind `delivered`, and receive only their deliveries and the recipients' name,
//! address and phone.

mod common;

use common::fixture::Fixture;
use common::{change, stamp, TestServer};
use model::entities::{need, pack_delivery, resident, stock_move, visit};
use model::Role;
use serde_json::json;

/// A grid with three residents of two households: two get packs from chenjing, one from
/// liuyang; the first also has a visit and a need, and the station has received stock.
struct Community {
    s: TestServer,
    /// chenjing's deliveries, and liuyang's.
    mine: Vec<String>,
    theirs: Vec<String>,
    /// chenjing's user id, and the supply item of the pack of `mine[0]` (5 a pack).
    chen: String,
    item: String,
}

async fn community() -> Community {
    let mut f = Fixture::new().await;
    let grids = [f.grid("东区第一网格")];
    let worker = f.user(Role::GridWorker, "wangfang", "王芳", &grids).await;
    f.user(Role::Admin, "admin", "管理员", &[]).await;
    let chen = f.user(Role::Volunteer, "chenjing", "陈静", &[]).await;
    let liu = f.user(Role::Volunteer, "liuyang", "刘洋", &[]).await;
    let one = f.household(&grids[0], "1 号楼 101");
    let two = f.household(&grids[0], "1 号楼 102");
    let health = [
        (resident::field::BIRTH_DATE, json!("1941-04-02")),
        (resident::field::PHONE, json!("13800000001")),
        (resident::field::COND_HEART, json!(true)),
        (resident::field::TAG_LIVING_ALONE, json!(true)),
    ];
    let a = f.resident(&one, "张秀英", &health);
    let b = f.resident(&one, "张建国", &health);
    let c = f.resident(&two, "李桂兰", &health);
    f.visit(&a, &worker, server::now_ms() - 86_400_000);
    f.need(&a, "open");
    f.record(
        stock_move::NAME,
        &[
            (stock_move::field::SITE, json!("东区卫生服务站")),
            (stock_move::field::KIND, json!("received")),
            (stock_move::field::QUANTITY, json!(100)),
        ],
    );
    let mine = vec![
        f.delivery(&a, &chen, "pending"),
        f.delivery(&c, &chen, "delivered"),
    ];
    let plan = "2026-12-冬季包";
    let item = f.pack_item(plan, "抗原试剂", 5, "东区卫生服务站");
    f.set(
        pack_delivery::NAME,
        &mine[0],
        pack_delivery::field::PLAN_ID,
        json!(plan),
    );
    let theirs = vec![f.delivery(&b, &liu, "pending")];
    Community {
        s: f.start().await,
        mine,
        theirs,
        chen,
        item,
    }
}

#[tokio::test]
async fn a_volunteer_may_not_touch_another_volunteers_delivery() {
    let Community { s, theirs, .. } = community().await;
    let token = s.token("chenjing", "vol-a").await;
    let before = s.state().await;
    let (status, body) = s
        .push(
            &token,
            "vol-a",
            vec![change(
                pack_delivery::NAME,
                &theirs[0],
                pack_delivery::field::STATUS,
                json!("delivered"),
                &stamp(server::now_ms(), 0, "vol-a"),
            )],
        )
        .await;
    assert_eq!((status, body["error"].clone()), (403, json!("forbidden")));
    assert_eq!(s.state().await, before);
}

#[tokio::test]
async fn a_volunteer_marks_their_own_delivery_and_records_it_leaving_stock() {
    let Community {
        s,
        mine,
        chen,
        item,
        ..
    } = community().await;
    let token = s.token("chenjing", "vol-a").await;
    let t = server::now_ms();
    let (status, body) = s
        .push(
            &token,
            "vol-a",
            vec![
                change(
                    pack_delivery::NAME,
                    &mine[0],
                    pack_delivery::field::STATUS,
                    json!("delivered"),
                    &stamp(t, 0, "vol-a"),
                ),
                change(
                    pack_delivery::NAME,
                    &mine[0],
                    pack_delivery::field::NOTE,
                    json!("已交给本人"),
                    &stamp(t, 1, "vol-a"),
                ),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let mv = uuid::Uuid::new_v4().to_string();
    let delivered = vec![
        change(
            stock_move::NAME,
            &mv,
            stock_move::field::KIND,
            json!("delivered"),
            &stamp(t, 2, "vol-a"),
        ),
        change(
            stock_move::NAME,
            &mv,
            stock_move::field::QUANTITY,
            json!(5),
            &stamp(t, 3, "vol-a"),
        ),
        change(
            stock_move::NAME,
            &mv,
            stock_move::field::DELIVERY_ID,
            json!(mine[0]),
            &stamp(t, 4, "vol-a"),
        ),
        change(
            stock_move::NAME,
            &mv,
            stock_move::field::WORKER_ID,
            json!(chen),
            &stamp(t, 4, "vol-a"),
        ),
        change(
            stock_move::NAME,
            &mv,
            stock_move::field::ITEM_ID,
            json!(item),
            &stamp(t, 4, "vol-a"),
        ),
        change(
            stock_move::NAME,
            &mv,
            stock_move::field::SITE,
            json!("东区卫生服务站"),
            &stamp(t, 4, "vol-a"),
        ),
    ];
    let (status, body) = s.push(&token, "vol-a", delivered).await;
    assert_eq!(status, 200, "{body}");

    // Neither a delivery's recipient nor any other kind of stock move is a volunteer's to write.
    let before = s.state().await;
    let received = uuid::Uuid::new_v4().to_string();
    let (status, _) = s
        .push(
            &token,
            "vol-a",
            vec![change(
                stock_move::NAME,
                &received,
                stock_move::field::KIND,
                json!("received"),
                &stamp(t, 5, "vol-a"),
            )],
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = s
        .push(
            &token,
            "vol-a",
            vec![change(
                pack_delivery::NAME,
                &mine[0],
                pack_delivery::field::RESIDENT_ID,
                json!("someone-else"),
                &stamp(t, 6, "vol-a"),
            )],
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(s.state().await, before);
}

#[tokio::test]
async fn a_volunteers_pull_holds_only_their_deliveries_and_no_health_field() {
    let Community { s, mine, .. } = community().await;
    let mine: std::collections::BTreeSet<String> = mine.into_iter().collect();
    let token = s.token("chenjing", "vol-a").await;
    let (seen, _) = s.pull_all(&token, None, 5000).await;
    let delivery_ids: std::collections::BTreeSet<String> = seen
        .iter()
        .filter(|c| c["entity"] == pack_delivery::NAME)
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(delivery_ids, mine, "exactly their own deliveries");
    for c in &seen {
        let (entity, field) = (c["entity"].as_str().unwrap(), c["field"].as_str().unwrap());
        assert!(
            ![visit::NAME, need::NAME, stock_move::NAME].contains(&entity),
            "{c}"
        );
        if entity == resident::NAME {
            assert!(
                [
                    resident::field::GRID_ID,
                    resident::field::HOUSEHOLD_ID,
                    resident::field::NAME,
                    resident::field::PHONE,
                    resident::field::DELETED,
                ]
                .contains(&field),
                "{c}"
            );
        }
    }
}

#[tokio::test]
async fn a_volunteers_pull_by_key_brings_the_recipients_records_of_no_grid_and_a_handed_over_delivery(
) {
    let Community {
        s, mine, theirs, ..
    } = community().await;
    let token = s.token("chenjing", "vol-a").await;
    let (seen, cursor) = s.pull_all(&token, None, 3).await;
    let of = |seen: &[serde_json::Value], entity: &str, field: &str| {
        seen.iter()
            .filter(|c| c["entity"] == entity && c["field"] == field)
            .map(|c| (c["id"].as_str().unwrap().to_owned(), c["value"].clone()))
            .collect::<std::collections::BTreeMap<_, _>>()
    };
    // Each delivery's recipient, with their name, and the profiles of the users (rows of no grid).
    let recipients = of(
        &seen,
        pack_delivery::NAME,
        pack_delivery::field::RESIDENT_ID,
    );
    assert_eq!(recipients.len(), mine.len(), "{seen:?}");
    let names = of(&seen, resident::NAME, resident::field::NAME);
    for r in recipients.values() {
        assert!(names.contains_key(r.as_str().unwrap()), "{r} in {names:?}");
    }
    assert!(
        seen.iter().any(|c| c["entity"] == "user_profile"),
        "{seen:?}"
    );
    let me = of(
        &seen,
        pack_delivery::NAME,
        pack_delivery::field::VOLUNTEER_ID,
    )
    .into_values()
    .next()
    .unwrap();

    // The admin hands liuyang's delivery to chenjing: her next pull brings it and its recipient.
    let admin = s.token("admin", "office").await;
    let (status, body) = s
        .push(
            &admin,
            "office",
            vec![change(
                pack_delivery::NAME,
                &theirs[0],
                pack_delivery::field::VOLUNTEER_ID,
                me,
                &stamp(server::now_ms(), 0, "office"),
            )],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (more, _) = s.pull_all(&token, Some(cursor), 3).await;
    let handed = of(
        &more,
        pack_delivery::NAME,
        pack_delivery::field::RESIDENT_ID,
    );
    let recipient = handed[&theirs[0]].as_str().unwrap().to_owned();
    assert!(
        of(&more, resident::NAME, resident::field::NAME).contains_key(&recipient),
        "{more:?}"
    );
}
