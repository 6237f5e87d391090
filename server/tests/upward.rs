//! Needs reported upward (issue 17): a street office receives the escalated needs of its grids,
//! each with its resident's name and phone and their address, and its grids' reports, nothing
//! else; it answers each need with a status that the community receives, writes nothing but
//! that answer, and a need escalated later reaches it at its next pull. A need once escalated
//! stays escalated.

mod common;

use std::collections::BTreeSet;

use common::fixture::Fixture;
use common::{change, stamp, TestServer};
use model::entities::{household, need, report, resident, visit};
use model::Role;
use serde_json::{json, Value};

struct Community {
    s: TestServer,
    grid: String,
    /// Escalated, of 张秀英 in 1 号楼 101.
    up: String,
    up_resident: String,
    up_home: String,
    /// Not escalated, of 李华 in 1 号楼 102.
    kept: String,
    kept_resident: String,
    /// Escalated, in a grid the office is not above.
    elsewhere: String,
    report: String,
}

async fn community() -> Community {
    let mut f = Fixture::new().await;
    let grid = f.grid("东区第一网格");
    let other = f.grid("西区第一网格");
    let wang = f
        .user(
            Role::GridWorker,
            "wangfang",
            "王芳",
            std::slice::from_ref(&grid),
        )
        .await;
    f.user(
        Role::Supervisor,
        "zhaomin",
        "赵敏",
        &[grid.clone(), other.clone()],
    )
    .await;
    f.user(
        Role::StreetOffice,
        "zhouming",
        "周明",
        std::slice::from_ref(&grid),
    )
    .await;
    f.user(Role::Admin, "admin", "管理员", &[]).await;
    let up_home = f.household(&grid, "1 号楼 101");
    let up_resident = f.resident(
        &up_home,
        "张秀英",
        &[
            (resident::field::BIRTH_DATE, json!("1941-04-02")),
            (resident::field::PHONE, json!("13800000001")),
        ],
    );
    f.visit(&up_resident, &wang, server::now_ms() - 3_600_000);
    let up = f.need(&up_resident, "in_progress");
    f.set(need::NAME, &up, need::field::ESCALATED, json!(true));
    let kept_home = f.household(&grid, "1 号楼 102");
    let kept_resident = f.resident(&kept_home, "李华", &[]);
    let kept = f.need(&kept_resident, "open");
    let far_home = f.household(&other, "西 3 号楼");
    let far = f.resident(&far_home, "赵六", &[]);
    let elsewhere = f.need(&far, "open");
    f.set(need::NAME, &elsewhere, need::field::ESCALATED, json!(true));
    let report = f.record(
        report::NAME,
        &[
            (report::field::GRID_ID, json!(grid)),
            (report::field::KIND, json!("daily")),
            (report::field::DATE, json!("2026-12-02")),
            (report::field::GRIDS, json!(grid)),
        ],
    );
    Community {
        s: f.start().await,
        grid,
        up,
        up_resident,
        up_home,
        kept,
        kept_resident,
        elsewhere,
        report,
    }
}

fn ids(changes: &[Value], entity: &str) -> BTreeSet<String> {
    changes
        .iter()
        .filter(|c| c["entity"] == entity)
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

fn fields_of(changes: &[Value], entity: &str, id: &str) -> BTreeSet<String> {
    changes
        .iter()
        .filter(|c| c["entity"] == entity && c["id"] == id)
        .map(|c| c["field"].as_str().unwrap().to_owned())
        .collect()
}

fn one(entity: &str, id: &str, field: &str, value: Value, device: &str, n: u16) -> Value {
    change(
        entity,
        id,
        field,
        value,
        &stamp(server::now_ms(), n, device),
    )
}

#[tokio::test]
async fn the_office_receives_the_escalated_needs_of_its_grids_with_whom_and_where() {
    let c = community().await;
    let s = &c.s;
    let office = s.token("zhouming", "office-pc").await;
    let (changes, _) = s.pull_all(&office, None, 1000).await;
    assert_eq!(ids(&changes, need::NAME), [c.up.clone()].into());
    assert_eq!(
        ids(&changes, resident::NAME),
        [c.up_resident.clone()].into()
    );
    assert_eq!(ids(&changes, household::NAME), [c.up_home.clone()].into());
    assert_eq!(ids(&changes, report::NAME), [c.report.clone()].into());
    assert_eq!(ids(&changes, "grid"), [c.grid.clone()].into());
    assert!(ids(&changes, visit::NAME).is_empty());
    // Of the resident only who and how to call them: no health field, no birth date.
    let seen = fields_of(&changes, resident::NAME, &c.up_resident);
    assert!(seen.contains(resident::field::NAME) && seen.contains(resident::field::PHONE));
    assert!(!seen.contains(resident::field::BIRTH_DATE), "{seen:?}");
    assert!(!ids(&changes, need::NAME).contains(&c.elsewhere));
}

#[tokio::test]
async fn the_office_answers_and_the_community_receives_the_answer() {
    let c = community().await;
    let s = &c.s;
    let office = s.token("zhouming", "office-pc").await;
    let answer = vec![
        one(
            need::NAME,
            &c.up,
            need::field::UPWARD_STATUS,
            json!("returned"),
            "office-pc",
            0,
        ),
        one(
            need::NAME,
            &c.up,
            need::field::UPWARD_NOTE,
            json!("请先联系区医院绿色通道，床位紧张时再报"),
            "office-pc",
            1,
        ),
        one(
            need::NAME,
            &c.up,
            need::field::UPWARD_AT,
            json!(server::now_ms()),
            "office-pc",
            2,
        ),
    ];
    let (status, body) = s.push(&office, "office-pc", answer).await;
    assert_eq!(status, 200, "{body}");

    for (batch, why) in [
        (
            vec![one(
                need::NAME,
                &c.kept,
                need::field::UPWARD_STATUS,
                json!("received"),
                "office-pc",
                3,
            )],
            "a need not escalated to it",
        ),
        (
            vec![one(
                need::NAME,
                &c.elsewhere,
                need::field::UPWARD_STATUS,
                json!("received"),
                "office-pc",
                4,
            )],
            "a need of another grid",
        ),
        (
            vec![one(
                need::NAME,
                &c.up,
                need::field::DESCRIPTION,
                json!("改写"),
                "office-pc",
                5,
            )],
            "the community's own words",
        ),
    ] {
        let (status, body) = s.push(&office, "office-pc", batch).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (403, Some("forbidden")),
            "{why}: {body}"
        );
    }

    let worker = s.token("wangfang", "phone-w").await;
    let (changes, _) = s.pull_all(&worker, None, 1000).await;
    let value = |f: &str| {
        changes
            .iter()
            .rev()
            .find(|x| x["entity"] == need::NAME && x["id"] == c.up && x["field"] == f)
            .map(|x| x["value"].clone())
    };
    assert_eq!(value(need::field::UPWARD_STATUS), Some(json!("returned")));
    assert!(value(need::field::UPWARD_NOTE).is_some());
}

#[tokio::test]
async fn a_need_escalated_later_reaches_the_office_and_stays_escalated() {
    let c = community().await;
    let s = &c.s;
    let office = s.token("zhouming", "office-pc").await;
    let sup = s.token("zhaomin", "laptop").await;
    let (_, cursor) = s.pull_all(&office, None, 1000).await;

    let escalate = vec![one(
        need::NAME,
        &c.kept,
        need::field::ESCALATED,
        json!(true),
        "laptop",
        0,
    )];
    let (status, body) = s.push(&sup, "laptop", escalate).await;
    assert_eq!(status, 200, "{body}");
    let (changes, _) = s.pull_all(&office, Some(cursor), 1000).await;
    assert!(
        ids(&changes, need::NAME).contains(&c.kept),
        "the need, whole"
    );
    assert!(fields_of(&changes, need::NAME, &c.kept).contains(need::field::KIND));
    assert!(
        fields_of(&changes, resident::NAME, &c.kept_resident).contains(resident::field::NAME),
        "and whom it is for, though its rows were older than the cursor"
    );

    // An escalated need pointed at another resident sends that resident up too, whatever the
    // order of the batch.
    let (_, cursor) = s.pull_all(&office, None, 1000).await;
    let relink = vec![one(
        need::NAME,
        &c.up,
        need::field::RESIDENT_ID,
        json!(c.kept_resident),
        "laptop",
        2,
    )];
    assert_eq!(s.push(&sup, "laptop", relink).await.0, 200);
    let (changes, _) = s.pull_all(&office, Some(cursor), 1000).await;
    assert!(ids(&changes, resident::NAME).contains(&c.kept_resident));

    let take_back = vec![one(
        need::NAME,
        &c.up,
        need::field::ESCALATED,
        json!(false),
        "laptop",
        1,
    )];
    let (status, body) = s.push(&sup, "laptop", take_back).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (422, Some("invalid")),
        "{body}"
    );

    // The supervisor's figures count both escalations, and the one handled above.
    let handled = vec![
        one(
            need::NAME,
            &c.up,
            need::field::UPWARD_STATUS,
            json!("handled"),
            "office-pc",
            0,
        ),
        one(
            need::NAME,
            &c.up,
            need::field::UPWARD_AT,
            json!(server::now_ms()),
            "office-pc",
            1,
        ),
    ];
    assert_eq!(s.push(&office, "office-pc", handled).await.0, 200);
    let r = s
        .client
        .get(s.url(&format!("/api/v1/dashboard?grids={}", c.grid)))
        .header("authorization", format!("Bearer {sup}"))
        .send()
        .await
        .unwrap();
    let d: Value = r.json().await.unwrap();
    assert_eq!(d["total"]["needs_escalated"], json!(2), "{d}");
    assert_eq!(d["total"]["needs_escalated_handled"], json!(1));
    // The office has no dashboard: the reports are what it receives.
    let r = s
        .client
        .get(s.url("/api/v1/dashboard"))
        .header("authorization", format!("Bearer {office}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}
