//! Volunteers against a real server: they write only the status of their own deliveries and
//! stock moves of kind `delivered`, and receive only their deliveries and the recipients' name,
//! address and phone.

mod common;

use common::{change, stamp};
use serde_json::{json, Value};

async fn user_id(s: &common::TestServer, username: &str) -> String {
    let r = s.login(username, "knock-demo", "probe").await;
    let v: Value = r.json().await.unwrap();
    v["user"]["id"].as_str().unwrap().to_owned()
}

/// The delivery ids assigned to each volunteer id, from the admin's view.
async fn deliveries_of(s: &common::TestServer, volunteer: &str) -> Vec<String> {
    s.state()
        .await
        .into_iter()
        .filter(|((e, _, f), (v, _))| {
            e == "pack_delivery" && f == "volunteer_id" && v == &json!(volunteer)
        })
        .map(|((_, id, _), _)| id)
        .collect()
}

#[tokio::test]
async fn a_volunteer_may_not_touch_another_volunteers_delivery() {
    let s = common::start().await;
    let liu = user_id(&s, "liuyang").await;
    let theirs = deliveries_of(&s, &liu).await;
    assert!(
        !theirs.is_empty(),
        "the demo assigns packs to both volunteers"
    );
    let token = s.token("chenjing", "vol-a").await;
    let before = s.state().await;
    let (status, body) = s
        .push(
            &token,
            "vol-a",
            vec![change(
                "pack_delivery",
                &theirs[0],
                "status",
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
    let s = common::start().await;
    let chen = user_id(&s, "chenjing").await;
    let mine = deliveries_of(&s, &chen).await;
    let token = s.token("chenjing", "vol-a").await;
    let t = server::now_ms();
    let (status, body) = s
        .push(
            &token,
            "vol-a",
            vec![
                change(
                    "pack_delivery",
                    &mine[0],
                    "status",
                    json!("delivered"),
                    &stamp(t, 0, "vol-a"),
                ),
                change(
                    "pack_delivery",
                    &mine[0],
                    "note",
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
            "stock_move",
            &mv,
            "kind",
            json!("delivered"),
            &stamp(t, 2, "vol-a"),
        ),
        change(
            "stock_move",
            &mv,
            "quantity",
            json!(5),
            &stamp(t, 3, "vol-a"),
        ),
        change(
            "stock_move",
            &mv,
            "delivery_id",
            json!(mine[0]),
            &stamp(t, 4, "vol-a"),
        ),
    ];
    assert_eq!(s.push(&token, "vol-a", delivered).await.0, 200);

    // Neither a delivery's recipient nor any other kind of stock move is a volunteer's to write.
    let before = s.state().await;
    let received = uuid::Uuid::new_v4().to_string();
    let (status, _) = s
        .push(
            &token,
            "vol-a",
            vec![change(
                "stock_move",
                &received,
                "kind",
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
                "pack_delivery",
                &mine[0],
                "resident_id",
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
    let s = common::start().await;
    let chen = user_id(&s, "chenjing").await;
    let mine: std::collections::BTreeSet<String> =
        deliveries_of(&s, &chen).await.into_iter().collect();
    let token = s.token("chenjing", "vol-a").await;
    let (seen, _) = s.pull_all(&token, None, 5000).await;
    let delivery_ids: std::collections::BTreeSet<String> = seen
        .iter()
        .filter(|c| c["entity"] == "pack_delivery")
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(delivery_ids, mine, "exactly their own deliveries");
    for c in &seen {
        let (entity, field) = (c["entity"].as_str().unwrap(), c["field"].as_str().unwrap());
        assert!(!["visit", "need", "stock_move"].contains(&entity), "{c}");
        if entity == "resident" {
            assert!(
                ["grid_id", "household_id", "name", "phone", "_deleted"].contains(&field),
                "{c}"
            );
        }
    }
}
