//! Care for the workers (issue 17) against a real server: a worker's request for psychological
//! support reaches the supervisors of their grid and no one else, not even the worker's own next
//! pull; a worker may only send a new one in their own name.

mod common;

use common::fixture::Fixture;
use common::{change, stamp};
use model::entities::support_request::{self, field};
use model::Role;
use serde_json::{json, Value};

fn request(id: &str, grid: &str, worker: &str, device: &str) -> Vec<Value> {
    let t = server::now_ms();
    model::dataset::support::ask(grid, worker, "phone", "连续加班，睡不着", t)
        .into_iter()
        .enumerate()
        .map(|(i, (f, v))| {
            change(
                support_request::NAME,
                id,
                &f,
                v,
                &stamp(t, i as u16, device),
            )
        })
        .collect()
}

fn has(changes: &[Value], id: &str) -> bool {
    changes
        .iter()
        .any(|c| c["entity"] == support_request::NAME && c["id"] == id)
}

#[tokio::test]
async fn a_request_for_support_reaches_the_supervisors_alone() {
    let mut f = Fixture::new().await;
    let grid = f.grid("东区第一网格");
    let wang = f
        .user(
            Role::GridWorker,
            "wangfang",
            "王芳",
            std::slice::from_ref(&grid),
        )
        .await;
    let li = f
        .user(
            Role::GridWorker,
            "liqiang",
            "李强",
            std::slice::from_ref(&grid),
        )
        .await;
    let zhao = f
        .user(
            Role::Supervisor,
            "zhaomin",
            "赵敏",
            std::slice::from_ref(&grid),
        )
        .await;
    f.user(Role::Admin, "admin", "管理员", &[]).await;
    let s = f.start().await;
    let worker = s.token("wangfang", "phone-w").await;
    let (status, body) = s
        .push(&worker, "phone-w", request("sr-1", &grid, &wang, "phone-w"))
        .await;
    assert_eq!(status, 200, "{body}");

    // Not in someone else's name, and not a second look at one already sent.
    let forged = request("sr-2", &grid, &li, "phone-w");
    let (status, body) = s.push(&worker, "phone-w", forged).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("forbidden")),
        "{body}"
    );
    let again = vec![change(
        support_request::NAME,
        "sr-1",
        field::NOTE,
        json!("改一下"),
        &stamp(server::now_ms(), 9, "phone-w"),
    )];
    let (status, _) = s.push(&worker, "phone-w", again).await;
    assert_eq!(status, 403);

    for (who, device) in [("wangfang", "phone-w2"), ("liqiang", "phone-l")] {
        let token = s.token(who, device).await;
        let (changes, _) = s.pull_all(&token, None, 1000).await;
        assert!(!has(&changes, "sr-1"), "{who} must not receive it");
    }
    let sup = s.token("zhaomin", "laptop").await;
    let (changes, _) = s.pull_all(&sup, None, 1000).await;
    assert!(has(&changes, "sr-1"));
    let arranged = model::dataset::support::moved_on(support_request::ARRANGED, &zhao, 1)
        .into_iter()
        .enumerate()
        .map(|(i, (f, v))| {
            change(
                support_request::NAME,
                "sr-1",
                &f,
                v,
                &stamp(server::now_ms(), i as u16, "laptop"),
            )
        })
        .collect::<Vec<_>>();
    let (status, body) = s.push(&sup, "laptop", arranged).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn a_cover_works_in_the_covered_grid_on_the_day_off_only() {
    use model::entities::{duty, household};
    let mut f = Fixture::new().await;
    let east = f.grid("东区第一网格");
    let west = f.grid("西区第一网格");
    let wang = f
        .user(
            Role::GridWorker,
            "wangfang",
            "王芳",
            std::slice::from_ref(&east),
        )
        .await;
    let li = f
        .user(
            Role::GridWorker,
            "liqiang",
            "李强",
            std::slice::from_ref(&west),
        )
        .await;
    f.user(
        Role::Supervisor,
        "zhaomin",
        "赵敏",
        &[east.clone(), west.clone()],
    )
    .await;
    f.user(Role::Admin, "admin", "管理员", &[]).await;
    let door = f.household(&east, "东 1 号楼 101");
    let s = f.start().await;
    let cover = s.token("liqiang", "phone-l").await;
    let (before, cursor) = s.pull_all(&cover, None, 1000).await;
    assert!(!before.iter().any(|c| c["id"] == door));

    let sup = s.token("zhaomin", "laptop").await;
    let today = model::Date::from_china_ms(server::now_ms());
    let day = |id: &str, date: model::Date, n: u16| -> Vec<Value> {
        model::dataset::rota::day(&east, &wang, date, duty::REST, Some(&li), "")
            .into_iter()
            .enumerate()
            .map(|(i, (f, v))| {
                change(
                    duty::NAME,
                    id,
                    &f,
                    v,
                    &stamp(server::now_ms(), n + i as u16, "laptop"),
                )
            })
            .collect()
    };
    // Tomorrow's cover changes nothing today.
    let (status, body) = s
        .push(&sup, "laptop", day("d-tomorrow", today.add_days(1), 0))
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = s.pull_page(&cover, &format!("?cursor={cursor}")).await;
    assert_eq!(status, 200);

    // Today's: the cover's phone starts again and receives the east grid, and may write it.
    let (status, body) = s.push(&sup, "laptop", day("d-today", today, 10)).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = s.pull_page(&cover, &format!("?cursor={cursor}")).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (410, Some("reset_required"))
    );
    let (after, _) = s.pull_all(&cover, None, 1000).await;
    assert!(after
        .iter()
        .any(|c| c["entity"] == household::NAME && c["id"] == door));
    let note = vec![change(
        household::NAME,
        &door,
        household::field::NOTES,
        json!("代班走访：一切正常"),
        &stamp(server::now_ms(), 0, "phone-l"),
    )];
    let (status, body) = s.push(&cover, "phone-l", note).await;
    assert_eq!(status, 200, "{body}");

    // The day off taken back: the grid is theirs no more.
    let back = vec![change(
        duty::NAME,
        "d-today",
        duty::field::KIND,
        json!(duty::ON_DUTY),
        &stamp(server::now_ms(), 20, "laptop"),
    )];
    assert_eq!(s.push(&sup, "laptop", back).await.0, 200);
    let again = vec![change(
        household::NAME,
        &door,
        household::field::NOTES,
        json!("再写一次"),
        &stamp(server::now_ms(), 1, "phone-l"),
    )];
    let (status, _) = s.push(&cover, "phone-l", again).await;
    assert_eq!(status, 403);
}
