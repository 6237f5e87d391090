//! The supervisor's dashboard against a real server: figures that follow the merged records,
//! change when a worker's visits arrive, and never reach outside the caller's grids.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};
use server::storage::{sqlite::SqliteStorage, NewUser, Storage};

use common::{change, stamp, TestServer};

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
        recs.retain(|_, f| f.get("_deleted") != Some(&json!(true)));
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
    let s = common::start().await;
    let sup = s.token_with("zhaomin", "knock-demo", "sup-phone").await;
    let grids = s.grids_of("zhaomin").await;
    let (status, d) = dashboard(&s, &sup, "").await;
    assert_eq!(status, 200, "{d}");
    let shown = grid_ids(&d);
    assert_eq!(shown.len(), grids.len(), "every grid of the supervisor");

    let all = records(&s).await;
    let count = |entity: &str, grid: &str, pred: &dyn Fn(&BTreeMap<String, Value>) -> bool| {
        all[entity]
            .values()
            .filter(|f| f.get("grid_id") == Some(&json!(grid)) && pred(f))
            .count() as u64
    };
    for g in &grids {
        assert_eq!(
            grid_figure(&d, g, "residents"),
            count("resident", g, &|_| true)
        );
        assert_eq!(
            grid_figure(&d, g, "packs_planned"),
            count("pack_delivery", g, &|_| true)
        );
        assert_eq!(
            grid_figure(&d, g, "packs_delivered"),
            count("pack_delivery", g, &|f| f.get("status")
                == Some(&json!("delivered")))
        );
        assert_eq!(
            grid_figure(&d, g, "needs_open"),
            count("need", g, &|f| matches!(
                f.get("status").and_then(Value::as_str),
                Some("open" | "in_progress")
            ))
        );
    }
    let total: u64 = grids.iter().map(|g| grid_figure(&d, g, "residents")).sum();
    assert_eq!(d["total"]["residents"].as_u64().unwrap(), total);
    assert_eq!(d["visits_per_day"].as_array().unwrap().len(), 30);

    // A grid worker's visit to one resident of the first grid, who was not visited this week.
    let g = &grids[0];
    let worker = s.token_with("wangfang", "knock-demo", "worker-phone").await;
    let (_, before) = dashboard(&s, &sup, &format!("?grids={g}")).await;
    let resident = all["resident"]
        .iter()
        .find(|(id, f)| {
            f.get("grid_id") == Some(&json!(g))
                && !all["visit"]
                    .values()
                    .any(|v| v.get("resident_id") == Some(&json!(id)))
        })
        .map(|(id, _)| id.clone())
        .expect("an unvisited resident");
    let now = server::now_ms();
    let visit = "0b7d6c1e-0000-4000-8000-000000000001";
    let mut batch = Vec::new();
    for (field, value) in [
        ("grid_id", json!(g)),
        ("resident_id", json!(resident)),
        ("visited_at", json!(now)),
        ("method", json!("in_person")),
        ("worker_id", json!(worker_id(&s, "wangfang").await)),
    ] {
        batch.push(change(
            "visit",
            visit,
            field,
            value,
            &stamp(now, batch.len() as u16, "worker-phone"),
        ));
    }
    let (status, body) = s.push(&worker, "worker-phone", batch).await;
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

async fn worker_id(s: &TestServer, username: &str) -> String {
    let r = s.login(username, "knock-demo", "id-probe").await;
    let body: Value = r.json().await.unwrap();
    body["user"]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn summaries_and_pull_never_leave_the_supervisors_grids() {
    let s = common::start().await;
    let grids = s.grids_of("zhaomin").await;
    let (mine, others) = (grids[0].clone(), grids[1..].to_vec());
    // A supervisor of one grid only, added beside the demo accounts.
    let storage = SqliteStorage::open_dir(&s.data_dir).unwrap();
    storage
        .create_user(NewUser {
            username: "street1".into(),
            name: "街道一".into(),
            role: model::Role::Supervisor,
            grids: vec![mine.clone()],
            password_hash: server::auth::hash_password("street-pass").unwrap(),
        })
        .await
        .unwrap();
    let token = s
        .token_with("street1", "street-pass", "street-laptop")
        .await;

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
    for f in all["resident"].values() {
        for field in ["name", "phone", "id_number"] {
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
        if !server::scope::is_grid_scoped(entity) {
            continue;
        }
        let id = c["id"].as_str().unwrap();
        let grid = all[entity].get(id).and_then(|f| f.get("grid_id")).cloned();
        assert_eq!(
            grid,
            Some(json!(mine)),
            "{entity} {id} of another grid was pulled"
        );
    }
}

#[tokio::test]
async fn the_dashboard_refuses_volunteers_strangers_and_bad_dates() {
    let s = common::start().await;
    let volunteer = s.token_with("chenjing", "knock-demo", "vol-phone").await;
    let (status, body) = dashboard(&s, &volunteer, "").await;
    assert_eq!((status, body["error"].as_str()), (403, Some("forbidden")));
    let (status, body) = dashboard(&s, "not-a-token", "").await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("unauthorized"))
    );
    let sup = s.token_with("zhaomin", "knock-demo", "sup-phone").await;
    let (status, body) = dashboard(&s, &sup, "?date=2026-13-01").await;
    assert_eq!((status, body["error"].as_str()), (400, Some("malformed")));
    let (status, body) = dashboard(&s, &sup, "?date=2026-11-01").await;
    assert_eq!(status, 200);
    assert_eq!(body["date"], "2026-11-01");
    assert_eq!(body["visits_per_day"][29]["date"], "2026-11-01");

    // An admin sees every grid there is.
    let admin = s.token_with("admin", "knock-admin", "admin-laptop").await;
    let (status, body) = dashboard(&s, &admin, "").await;
    assert_eq!(status, 200);
    let all = records(&s).await;
    assert_eq!(body["grids"].as_array().unwrap().len(), all["grid"].len());
}

#[tokio::test]
async fn the_tile_url_and_the_daily_load_come_from_the_servers_config() {
    let dir = tempfile::tempdir().unwrap();
    let url = "https://tiles.example/{z}/{x}/{y}.png";
    let s = common::start_with(
        dir.path(),
        &[("KNOCK_TILE_URL", url), ("KNOCK_DAILY_LOAD", "12")],
    )
    .await;
    let sup = s.token_with("zhaomin", "knock-demo", "sup-phone").await;
    let (status, d) = dashboard(&s, &sup, "").await;
    assert_eq!(status, 200);
    assert_eq!(d["tile_url"], url);
    assert_eq!(d["daily_load"], 12);
    // Without one the app draws on a plain background.
    let plain = common::start().await;
    let sup = plain.token_with("zhaomin", "knock-demo", "sup-phone").await;
    let (_, d) = dashboard(&plain, &sup, "").await;
    assert_eq!(d["tile_url"], Value::Null);
    assert_eq!(d["daily_load"], 30);
}
