//! The supervisor's dashboard against a real server: figures that follow the merged records,
//! change when a worker's visits arrive, and never reach outside the caller's grids.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use model::entities::{
    education, grid, household, need, pack_delivery, resident, spot_check, visit,
};
use model::schema::{DELETED, GRID_ID};
use model::Role;
use serde_json::{json, Value};

use common::fixture::Fixture;
use common::{change, stamp, TestServer};

struct Community {
    s: TestServer,
    grids: Vec<String>,
    /// wangfang's user id.
    worker: String,
}

/// Three grids of four households of two residents, the first visited yesterday and the second
/// not; per grid a need in each state and two packs, one delivered. wangfang works the first two
/// grids and liqiang the third; zhaomin supervises all three and street1 only the first.
async fn community(vars: &[(&str, &str)]) -> Community {
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
    f.user(Role::Supervisor, "street1", "街道一", &grids[..1])
        .await;
    f.user(Role::Admin, "admin", "管理员", &[]).await;
    let chen = f.user(Role::Volunteer, "chenjing", "陈静", &[]).await;
    let yesterday = server::now_ms() - 86_400_000;
    for (g, grid) in grids.iter().enumerate() {
        let worker = if g < 2 { &wang } else { &li };
        let mut residents = Vec::new();
        for h in 0..4 {
            let home = f.household(grid, &format!("{} 号楼 {}01", g + 1, h + 1));
            for m in 0..2 {
                let person = [
                    (resident::field::BIRTH_DATE, json!("1944-09-09")),
                    (resident::field::PHONE, json!(format!("138000{g}{h}{m}000"))),
                    (resident::field::ID_CARD_LAST4, json!(format!("{g}{h}{m}X"))),
                ];
                residents.push(f.resident(&home, &format!("住户{g}-{h}-{m}"), &person));
            }
            f.visit(&residents[2 * h], worker, yesterday);
        }
        for (r, status) in residents.iter().zip(["open", "in_progress", "resolved"]) {
            f.need(r, status);
        }
        f.delivery(&residents[0], &chen, "delivered");
        f.delivery(&residents[2], &chen, "pending");
    }
    Community {
        s: f.start_with(vars).await,
        grids,
        worker: wang,
    }
}

async fn dashboard(s: &TestServer, token: &str, query: &str) -> (u16, Value) {
    let r = s
        .client
        .get(s.url(&format!("/api/v1/dashboard{query}")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

/// Live records by entity and id, as the admin pulls them.
async fn records(s: &TestServer) -> BTreeMap<String, BTreeMap<String, BTreeMap<String, Value>>> {
    let mut out: BTreeMap<String, BTreeMap<String, BTreeMap<String, Value>>> = BTreeMap::new();
    for ((entity, id, field), (value, _)) in s.state().await {
        out.entry(entity)
            .or_default()
            .entry(id)
            .or_default()
            .insert(field, value);
    }
    for recs in out.values_mut() {
        recs.retain(|_, f| f.get(DELETED) != Some(&json!(true)));
    }
    out
}

/// The ids of the grids a dashboard answer covers, in its order.
fn grid_ids(d: &Value) -> Vec<&str> {
    d["grids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_str().unwrap())
        .collect()
}

fn grid_figure(d: &Value, grid: &str, figure: &str) -> u64 {
    d["grids"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == grid)
        .unwrap_or_else(|| panic!("grid {grid} missing from {d}"))["figures"][figure]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn figures_follow_the_merged_records_and_change_when_visits_arrive() {
    let Community { s, grids, worker } = community(&[]).await;
    let sup = s.token("zhaomin", "sup-phone").await;
    let (status, d) = dashboard(&s, &sup, "").await;
    assert_eq!(status, 200, "{d}");
    let shown = grid_ids(&d);
    assert_eq!(shown.len(), grids.len(), "every grid of the supervisor");

    let all = records(&s).await;
    let count = |entity: &str, grid: &str, pred: &dyn Fn(&BTreeMap<String, Value>) -> bool| {
        all[entity]
            .values()
            .filter(|f| f.get(GRID_ID) == Some(&json!(grid)) && pred(f))
            .count() as u64
    };
    for g in &grids {
        assert_eq!(
            grid_figure(&d, g, "residents"),
            count(resident::NAME, g, &|_| true)
        );
        assert_eq!(
            grid_figure(&d, g, "packs_planned"),
            count(pack_delivery::NAME, g, &|_| true)
        );
        assert_eq!(
            grid_figure(&d, g, "packs_delivered"),
            count(pack_delivery::NAME, g, &|f| f
                .get(pack_delivery::field::STATUS)
                == Some(&json!("delivered")))
        );
        assert_eq!(
            grid_figure(&d, g, "needs_open"),
            count(need::NAME, g, &|f| matches!(
                f.get(need::field::STATUS).and_then(Value::as_str),
                Some("open" | "in_progress")
            ))
        );
    }
    let total: u64 = grids.iter().map(|g| grid_figure(&d, g, "residents")).sum();
    assert_eq!(d["total"]["residents"].as_u64().unwrap(), total);
    assert_eq!(d["visits_per_day"].as_array().unwrap().len(), 30);

    // A grid worker's visit to one resident of the first grid, who was not visited this week.
    let g = &grids[0];
    let token = s.token("wangfang", "worker-phone").await;
    let (_, before) = dashboard(&s, &sup, &format!("?grids={g}")).await;
    let unvisited = all[resident::NAME]
        .iter()
        .find(|(id, f)| {
            f.get(GRID_ID) == Some(&json!(g))
                && !all[visit::NAME]
                    .values()
                    .any(|v| v.get(visit::field::RESIDENT_ID) == Some(&json!(id)))
        })
        .map(|(id, _)| id.clone())
        .expect("an unvisited resident");
    let now = server::now_ms();
    let visit = "0b7d6c1e-0000-4000-8000-000000000001";
    let mut batch = Vec::new();
    for (field, value) in [
        (visit::field::GRID_ID, json!(g)),
        (visit::field::RESIDENT_ID, json!(unvisited)),
        (visit::field::VISITED_AT, json!(now)),
        (visit::field::METHOD, json!("in_person")),
        (visit::field::WORKER_ID, json!(worker)),
    ] {
        batch.push(change(
            visit::NAME,
            visit,
            field,
            value,
            &stamp(now, batch.len() as u16, "worker-phone"),
        ));
    }
    let (status, body) = s.push(&token, "worker-phone", batch).await;
    assert_eq!(status, 200, "{body}");
    let (_, after) = dashboard(&s, &sup, &format!("?grids={g}")).await;
    assert_eq!(
        grid_figure(&after, g, "visited_7d"),
        grid_figure(&before, g, "visited_7d") + 1
    );
    assert_eq!(
        grid_figure(&after, g, "visits_today"),
        grid_figure(&before, g, "visits_today") + 1
    );
    let today = |d: &Value| {
        d["visits_per_day"].as_array().unwrap().last().unwrap()["count"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(today(&after), today(&before) + 1);
    let load = |d: &Value| {
        d["workload"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["name"] == "王芳")
            .unwrap()["visits_per_day"]
            .as_array()
            .unwrap()
            .last()
            .unwrap()
            .as_u64()
            .unwrap()
    };
    assert_eq!(
        load(&after),
        load(&before) + 1,
        "the worker's load counts the visit"
    );
}

#[tokio::test]
async fn summaries_and_pull_never_leave_the_supervisors_grids() {
    let Community { s, grids, .. } = community(&[]).await;
    let (mine, others) = (grids[0].clone(), grids[1..].to_vec());
    // A supervisor of one grid only.
    let token = s.token("street1", "street-laptop").await;

    let (status, d) = dashboard(&s, &token, "").await;
    assert_eq!(status, 200, "{d}");
    let shown = grid_ids(&d);
    assert_eq!(shown, [mine.as_str()]);
    for other in &others {
        let (status, body) = dashboard(&s, &token, &format!("?grids={mine},{other}")).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (403, Some("forbidden")),
            "{body}"
        );
    }

    // No name, phone or address of another grid's resident appears anywhere in the summary, and
    // no resident field of this grid either: it carries counts, not people.
    let all = records(&s).await;
    let text = d.to_string();
    for f in all[resident::NAME].values() {
        for field in [
            resident::field::NAME,
            resident::field::PHONE,
            resident::field::ID_CARD_LAST4,
        ] {
            if let Some(v) = f.get(field).and_then(Value::as_str).filter(|v| v.len() > 1) {
                assert!(
                    !text.contains(v),
                    "resident {field} {v} leaked into the dashboard"
                );
            }
        }
    }
    let worker_grids: BTreeSet<String> = d["workload"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|w| {
            w["grids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g.as_str().unwrap().to_owned())
        })
        .collect();
    assert!(worker_grids.contains(&mine));

    // The pull: every grid-scoped record it sends lies in the supervisor's grid.
    let (changes, _) = s.pull_all(&token, None, 5000).await;
    assert!(!changes.is_empty());
    for c in &changes {
        let entity = c["entity"].as_str().unwrap();
        if !model::entity(entity).is_some_and(|e| e.grid_scoped) {
            continue;
        }
        let id = c["id"].as_str().unwrap();
        let grid = all[entity].get(id).and_then(|f| f.get(GRID_ID)).cloned();
        assert_eq!(
            grid,
            Some(json!(mine)),
            "{entity} {id} of another grid was pulled"
        );
    }
}

#[tokio::test]
async fn the_dashboard_refuses_volunteers_strangers_and_bad_dates() {
    let Community { s, .. } = community(&[]).await;
    let volunteer = s.token("chenjing", "vol-phone").await;
    let (status, body) = dashboard(&s, &volunteer, "").await;
    assert_eq!((status, body["error"].as_str()), (403, Some("forbidden")));
    let (status, body) = dashboard(&s, "not-a-token", "").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("unauthorized"))
    );
    let sup = s.token("zhaomin", "sup-phone").await;
    let (status, body) = dashboard(&s, &sup, "?date=2026-13-01").await;
    assert_eq!((status, body["error"].as_str()), (400, Some("malformed")));
    let (status, body) = dashboard(&s, &sup, "?date=2026-11-01").await;
    assert_eq!(status, 200);
    assert_eq!(body["date"], "2026-11-01");
    assert_eq!(body["visits_per_day"][29]["date"], "2026-11-01");

    // An admin sees every grid there is.
    let admin = s.token("admin", "admin-laptop").await;
    let (status, body) = dashboard(&s, &admin, "").await;
    assert_eq!(status, 200);
    let all = records(&s).await;
    assert_eq!(
        body["grids"].as_array().unwrap().len(),
        all[grid::NAME].len()
    );
}

#[tokio::test]
async fn the_tile_url_and_the_daily_load_come_from_the_servers_config() {
    let url = "https://tiles.example/{z}/{x}/{y}.png";
    let Community { s, .. } =
        community(&[("KNOCK_TILE_URL", url), ("KNOCK_DAILY_LOAD", "12")]).await;
    let sup = s.token("zhaomin", "sup-phone").await;
    let (status, d) = dashboard(&s, &sup, "").await;
    assert_eq!(status, 200);
    assert_eq!(d["tile_url"], url);
    assert_eq!(d["daily_load"], 12);
    // Without one the app draws on a plain background.
    let Community { s: plain, .. } = community(&[]).await;
    let sup = plain.token("zhaomin", "sup-phone").await;
    let (_, d) = dashboard(&plain, &sup, "").await;
    assert_eq!(d["tile_url"], Value::Null);
    assert_eq!(d["daily_load"], 30);
}

/// An `education` record pushed as a grid worker: (status, body).
async fn push_education(
    s: &TestServer,
    token: &str,
    id: &str,
    grid: &str,
    household: &str,
) -> (u16, Value) {
    let now = server::now_ms();
    let fields = model::dataset::education::given(
        grid,
        household,
        None,
        "antigen_self_test",
        "loudspeaker",
        "",
        now,
    );
    let batch = fields
        .into_iter()
        .filter(|(f, _)| f != education::field::WORKER_ID)
        .enumerate()
        .map(|(i, (f, v))| {
            change(
                education::NAME,
                id,
                &f,
                v,
                &stamp(now, i as u16, "edu-phone"),
            )
        })
        .collect();
    s.push(token, "edu-phone", batch).await
}

#[tokio::test]
async fn health_education_counts_households_reached_within_the_workers_grids_only() {
    let Community { s, grids, .. } = community(&[]).await;
    let sup = s.token("zhaomin", "sup-phone").await;
    let worker = s.token("wangfang", "edu-phone").await;
    let all = records(&s).await;
    let household_in = |g: &str| {
        all[household::NAME]
            .iter()
            .find(|(_, f)| f.get(GRID_ID) == Some(&json!(g)))
            .map(|(id, _)| id.clone())
            .unwrap()
    };
    let (_, before) = dashboard(&s, &sup, "").await;
    assert_eq!(grid_figure(&before, &grids[0], "households"), 4);
    assert_eq!(grid_figure(&before, &grids[0], "households_educated"), 0);

    let home = household_in(&grids[0]);
    let (status, body) = push_education(
        &s,
        &worker,
        "0e0e0e0e-0000-4000-8000-000000000001",
        &grids[0],
        &home,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    // The same household again (another guide) is still one household reached.
    let (status, _) = push_education(
        &s,
        &worker,
        "0e0e0e0e-0000-4000-8000-000000000002",
        &grids[0],
        &home,
    )
    .await;
    assert_eq!(status, 200);
    let (_, after) = dashboard(&s, &sup, "").await;
    assert_eq!(grid_figure(&after, &grids[0], "households_educated"), 1);
    assert_eq!(after["total"]["households_educated"], json!(1));
    assert_eq!(after["total"]["households"], json!(12));

    // Not in a grid of hers: refused, and nothing counted.
    let other = household_in(&grids[2]);
    let (status, body) = push_education(
        &s,
        &worker,
        "0e0e0e0e-0000-4000-8000-000000000003",
        &grids[2],
        &other,
    )
    .await;
    assert_eq!(status, 403, "{body}");
    let (_, same) = dashboard(&s, &sup, "").await;
    assert_eq!(grid_figure(&same, &grids[2], "households_educated"), 0);

    // A volunteer receives none of it.
    let volunteer = s.token("chenjing", "vol-phone").await;
    let (changes, _) = s.pull_all(&volunteer, None, 1000).await;
    assert!(changes.iter().all(|c| c["entity"] != education::NAME));
}

#[tokio::test]
async fn spot_checks_are_the_supervisors_and_never_reach_the_checked_worker() {
    let Community { s, grids, worker } = community(&[]).await;
    let sup = s.token("zhaomin", "sup-phone").await;
    let wang = s.token("wangfang", "worker-phone").await;
    let all = records(&s).await;
    let (visit_id, visit) = all[visit::NAME]
        .iter()
        .find(|(_, v)| v.get(GRID_ID) == Some(&json!(grids[0])))
        .map(|(id, v)| (id.clone(), v.clone()))
        .unwrap();
    let now = server::now_ms();
    let fields = model::dataset::spot::check(
        &visit,
        &visit_id,
        "phone",
        spot_check::CONFIRMED,
        "来过，量了体温",
        "",
        now,
    );
    let batch = |id: &str, device: &str| -> Vec<_> {
        fields
            .iter()
            .filter(|(f, _)| f != spot_check::field::CHECKER_ID)
            .enumerate()
            .map(|(i, (f, v))| {
                change(
                    spot_check::NAME,
                    id,
                    f,
                    v.clone(),
                    &stamp(now, i as u16, device),
                )
            })
            .collect()
    };
    // A grid worker cannot write one, even of another's visit.
    let (status, body) = s
        .push(
            &wang,
            "worker-phone",
            batch("5c5c5c5c-0000-4000-8000-000000000009", "worker-phone"),
        )
        .await;
    assert_eq!(status, 403, "{body}");
    let (status, body) = s
        .push(
            &sup,
            "sup-phone",
            batch("5c5c5c5c-0000-4000-8000-000000000001", "sup-phone"),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    let rate = |d: &Value| {
        d["workload"]
            .as_array()
            .unwrap()
            .iter()
            .find(|w| w["id"] == json!(worker))
            .map(|w| {
                (
                    w.get("spot_reached").cloned(),
                    w.get("spot_confirmed").cloned(),
                )
            })
            .unwrap()
    };
    let (_, seen_by_sup) = dashboard(&s, &sup, "").await;
    assert_eq!(rate(&seen_by_sup), (Some(json!(1)), Some(json!(1))));
    let (status, seen_by_worker) = dashboard(&s, &wang, "").await;
    assert_eq!(status, 200);
    assert_eq!(
        rate(&seen_by_worker),
        (None, None),
        "the worker never sees the checks"
    );
    let (changes, _) = s.pull_all(&wang, None, 1000).await;
    assert!(changes.iter().all(|c| c["entity"] != spot_check::NAME));
    let (changes, _) = s.pull_all(&sup, None, 1000).await;
    assert!(changes.iter().any(|c| c["entity"] == spot_check::NAME));
}
