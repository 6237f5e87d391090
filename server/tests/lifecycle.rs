//! A resident's or household's status (moved away, deceased, left the grid, removed; issue 15)
//! and the correction of a visit against a real server: the grid worker writes them, the
//! supervisor reads them, a volunteer neither reads nor writes them, each value is validated,
//! and a correction is an ordinary edit of the same visit.

mod common;

use common::fixture::Fixture;
use common::{change, stamp, TestServer};
use model::entities::{household, resident, visit};
use model::Role;
use serde_json::{json, Value};

/// One grid, one household of one resident, visited yesterday by wangfang and given a pack by
/// chenjing.
struct Community {
    s: TestServer,
    home: String,
    person: String,
    visit: String,
}

async fn community() -> Community {
    let mut f = Fixture::new().await;
    let grids = [f.grid("东区第一网格")];
    let wang = f.user(Role::GridWorker, "wangfang", "王芳", &grids).await;
    f.user(Role::Supervisor, "zhaomin", "赵敏", &grids).await;
    f.user(Role::Admin, "admin", "管理员", &[]).await;
    let chen = f.user(Role::Volunteer, "chenjing", "陈静", &[]).await;
    let home = f.household(&grids[0], "1 号楼 101");
    let person = f.resident(
        &home,
        "张秀英",
        &[(resident::field::BIRTH_DATE, json!("1941-04-02"))],
    );
    let visit = f.visit(&person, &wang, server::now_ms() - 86_400_000);
    f.delivery(&person, &chen, "pending");
    Community {
        s: f.start().await,
        home,
        person,
        visit,
    }
}

fn field<'a>(changes: &'a [Value], entity: &str, id: &str, f: &str) -> Option<&'a Value> {
    changes
        .iter()
        .rev()
        .find(|c| c["entity"] == entity && c["id"] == id && c["field"] == f)
        .map(|c| &c["value"])
}

/// The three fields that mark `id` of `entity`, stamped by `device` at `ms`.
fn mark(entity: &str, id: &str, status: &str, device: &str, ms: i64) -> Vec<Value> {
    let date = model::Date::from_unix_ms_offset(ms, model::date::CHINA_UTC_OFFSET_MINUTES);
    model::lifecycle::mark(status, date, "搬去女儿家")
        .into_iter()
        .enumerate()
        .map(|(i, (f, v))| change(entity, id, &f, v, &stamp(ms, i as u16, device)))
        .collect()
}

#[tokio::test]
async fn the_grid_worker_marks_and_restores_the_supervisor_sees_the_volunteer_does_not() {
    let c = community().await;
    let s = &c.s;
    let t = server::now_ms();
    let worker = s.token("wangfang", "phone-a").await;
    let mut batch = mark(resident::NAME, &c.person, resident::DECEASED, "phone-a", t);
    batch.extend(mark(
        household::NAME,
        &c.home,
        household::MOVED_AWAY,
        "phone-a",
        t + 1,
    ));
    let (status, body) = s.push(&worker, "phone-a", batch).await;
    assert_eq!((status, body["applied"].clone()), (200, json!(6)), "{body}");

    let sup = s.token("zhaomin", "laptop").await;
    let (seen, _) = s.pull_all(&sup, None, 5000).await;
    let status_of = |seen: &[Value], entity: &str, id: &str| {
        field(seen, entity, id, model::lifecycle::STATUS).cloned()
    };
    assert_eq!(
        status_of(&seen, resident::NAME, &c.person),
        Some(json!("deceased"))
    );
    assert_eq!(
        status_of(&seen, household::NAME, &c.home),
        Some(json!("moved_away"))
    );
    assert_eq!(
        field(
            &seen,
            household::NAME,
            &c.home,
            model::lifecycle::STATUS_REASON
        ),
        Some(&json!("搬去女儿家"))
    );

    // The volunteer still gets the recipient's name, not why they are gone.
    let vol = s.token("chenjing", "vol-phone").await;
    let (seen, _) = s.pull_all(&vol, None, 5000).await;
    assert!(field(&seen, resident::NAME, &c.person, resident::field::NAME).is_some());
    for f in [
        model::lifecycle::STATUS,
        model::lifecycle::STATUS_DATE,
        model::lifecycle::STATUS_REASON,
    ] {
        assert_eq!(field(&seen, resident::NAME, &c.person, f), None, "{f}");
        assert_eq!(field(&seen, household::NAME, &c.home, f), None, "{f}");
    }

    // Restoring is clearing the three fields; the record and its visit stay.
    let restore: Vec<Value> = model::lifecycle::restore()
        .into_iter()
        .enumerate()
        .map(|(i, (f, v))| {
            change(
                resident::NAME,
                &c.person,
                &f,
                v,
                &stamp(t + 5, i as u16, "phone-a"),
            )
        })
        .collect();
    let (status, body) = s.push(&worker, "phone-a", restore).await;
    assert_eq!(status, 200, "{body}");
    let (seen, _) = s.pull_all(&sup, None, 5000).await;
    assert_eq!(
        status_of(&seen, resident::NAME, &c.person),
        Some(Value::Null)
    );
    assert!(field(&seen, visit::NAME, &c.visit, visit::field::VISITED_AT).is_some());
}

#[tokio::test]
async fn a_status_is_written_only_by_those_who_may_and_only_when_valid() {
    let c = community().await;
    let s = &c.s;
    let t = server::now_ms();
    let before = s.state().await;
    for (user, device) in [("zhaomin", "laptop"), ("chenjing", "vol-phone")] {
        let token = s.token(user, device).await;
        let batch = mark(resident::NAME, &c.person, resident::MOVED_AWAY, device, t);
        let (status, body) = s.push(&token, device, batch).await;
        assert_eq!(status, 403, "{user}: {body}");
    }
    let worker = s.token("wangfang", "phone-a").await;
    for (entity, id, f, value) in [
        // A household's status is not a resident's, and the other way round.
        (
            resident::NAME,
            &c.person,
            model::lifecycle::STATUS,
            json!("removed"),
        ),
        (
            household::NAME,
            &c.home,
            model::lifecycle::STATUS,
            json!("deceased"),
        ),
        (
            resident::NAME,
            &c.person,
            model::lifecycle::STATUS_DATE,
            json!("2024-02-30"),
        ),
        (
            resident::NAME,
            &c.person,
            model::lifecycle::STATUS_REASON,
            json!("很".repeat(2001)),
        ),
    ] {
        let batch = vec![change(
            entity,
            id,
            f,
            value.clone(),
            &stamp(t, 0, "phone-a"),
        )];
        let (status, body) = s.push(&worker, "phone-a", batch).await;
        assert_eq!(
            (status, body["error"].clone()),
            (422, json!("invalid")),
            "{entity}.{f} = {value}"
        );
    }
    assert_eq!(s.state().await, before);
}

#[tokio::test]
async fn a_visit_is_corrected_by_editing_the_same_record_and_still_validated() {
    let c = community().await;
    let s = &c.s;
    let t = server::now_ms();
    let worker = s.token("wangfang", "phone-a").await;
    let fix =
        |f: &str, v: Value, n: u16| change(visit::NAME, &c.visit, f, v, &stamp(t, n, "phone-a"));
    let (status, body) = s
        .push(
            &worker,
            "phone-a",
            vec![
                fix(visit::field::SPO2, json!(91), 0),
                fix(visit::field::WARN_LOW_SPO2, json!(true), 1),
            ],
        )
        .await;
    assert_eq!((status, body["applied"].clone()), (200, json!(2)), "{body}");
    let sup = s.token("zhaomin", "laptop").await;
    let (seen, _) = s.pull_all(&sup, None, 5000).await;
    assert_eq!(
        field(&seen, visit::NAME, &c.visit, visit::field::SPO2),
        Some(&json!(91))
    );
    // The correction leaves when and by whom as they were.
    assert!(field(&seen, visit::NAME, &c.visit, visit::field::WORKER_ID).is_some());
    let visits = seen
        .iter()
        .filter(|c| c["entity"] == visit::NAME && c["field"] == visit::field::RESIDENT_ID)
        .count();
    assert_eq!(visits, 1, "no second visit");

    let before = s.state().await;
    let (status, body) = s
        .push(
            &worker,
            "phone-a",
            vec![fix(visit::field::SPO2, json!(120), 2)],
        )
        .await;
    assert_eq!((status, body["error"].clone()), (422, json!("invalid")));
    assert_eq!(s.state().await, before);
}
