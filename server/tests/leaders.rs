//! Building and group leaders (楼门栋长、村民小组组长; issue 16) against a real server: a leader
//! receives and writes only the households whose `responsible_id` is theirs and what hangs off
//! them, can neither give a door away nor take one, starts their pull again when a door is handed
//! to them or taken from them, and the supervisor's dashboard counts per responsible person.

mod common;

use std::collections::BTreeSet;

use common::fixture::Fixture;
use common::{change, stamp, TestServer};
use model::entities::{household, need, resident, visit};
use model::Role;
use serde_json::{json, Value};

struct Community {
    s: TestServer,
    sun: String,
    wang: String,
    /// 孙丽's door, its resident and a visit to them.
    mine: (String, String, String),
    /// 王芳's door, its resident and a visit to them.
    theirs: (String, String, String),
    /// A door nobody answers for.
    nobody: String,
}

async fn community() -> Community {
    let mut f = Fixture::new().await;
    let grids = [f.grid("东区第一网格")];
    let other = [f.grid("东区第二网格")];
    f.user(Role::GridWorker, "liqiang", "李强", &other).await;
    let wang = f.user(Role::GridWorker, "wangfang", "王芳", &grids).await;
    let sun = f.user(Role::BuildingLeader, "sunli", "孙丽", &grids).await;
    f.user(
        Role::Supervisor,
        "zhaomin",
        "赵敏",
        &[grids[0].clone(), other[0].clone()],
    )
    .await;
    f.user(Role::Admin, "admin", "管理员", &[]).await;
    let yesterday = server::now_ms() - 86_400_000;
    let door = |f: &mut Fixture, address: &str, who: Option<&str>| {
        let h = f.household(&grids[0], address);
        if let Some(who) = who {
            f.set(
                household::NAME,
                &h,
                household::field::RESPONSIBLE_ID,
                json!(who),
            );
        }
        let r = f.resident(
            &h,
            &format!("{address}住户"),
            &[(resident::field::BIRTH_DATE, json!("1941-04-02"))],
        );
        let v = f.visit(&r, &wang, yesterday);
        (h, r, v)
    };
    let mine = door(&mut f, "1 号楼 101", Some(&sun));
    let theirs = door(&mut f, "5 号楼 101", Some(&wang));
    let (nobody, _, _) = door(&mut f, "5 号楼 102", None);
    f.need(&theirs.1, "open");
    Community {
        s: f.start().await,
        sun,
        wang,
        mine,
        theirs,
        nobody,
    }
}

fn records(changes: &[Value], entity: &str) -> BTreeSet<String> {
    changes
        .iter()
        .filter(|c| c["entity"] == entity)
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

fn set(ids: &[&String]) -> BTreeSet<String> {
    ids.iter().map(|s| (*s).clone()).collect()
}

/// A new visit of `resident` at `home`, by `worker`.
fn new_visit(resident: &str, home: &str, grid: &str, worker: &str, device: &str) -> Vec<Value> {
    let id = format!("visit-{resident}-{device}");
    let t = server::now_ms();
    [
        (visit::field::GRID_ID, json!(grid)),
        (visit::field::RESIDENT_ID, json!(resident)),
        (visit::field::HOUSEHOLD_ID, json!(home)),
        (visit::field::VISITED_AT, json!(t)),
        (visit::field::METHOD, json!("in_person")),
        (visit::field::WORKER_ID, json!(worker)),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (f, v))| change(visit::NAME, &id, f, v, &stamp(t, i as u16, device)))
    .collect()
}

fn one(entity: &str, id: &str, field: &str, value: Value, device: &str) -> Vec<Value> {
    vec![change(
        entity,
        id,
        field,
        value,
        &stamp(server::now_ms(), 0, device),
    )]
}

#[tokio::test]
async fn a_leader_receives_and_writes_only_the_doors_they_answer_for() {
    let c = community().await;
    let s = &c.s;
    let token = s.token("sunli", "phone-s").await;
    let (changes, _) = s.pull_all(&token, None, 1000).await;
    assert_eq!(records(&changes, household::NAME), set(&[&c.mine.0]));
    assert_eq!(records(&changes, resident::NAME), set(&[&c.mine.1]));
    assert_eq!(records(&changes, visit::NAME), set(&[&c.mine.2]));
    assert!(records(&changes, need::NAME).is_empty());
    assert_eq!(records(&changes, "grid").len(), 1, "their grid's record");
    let grid = changes.iter().find(|c| c["entity"] == "grid").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // A visit to their own resident is theirs to record, and a new record changes no share:
    // their cursor stays good, and the next page brings the visit.
    let (_, cursor) = s.pull_all(&token, None, 1000).await;
    let (status, body) = s
        .push(
            &token,
            "phone-s",
            new_visit(&c.mine.1, &c.mine.0, &grid, &c.sun, "phone-s"),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, page) = s.pull_page(&token, &format!("?cursor={cursor}")).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(
        records(page["changes"].as_array().unwrap(), visit::NAME).len(),
        1
    );

    let forbidden = [
        // A neighbour's resident, or their door.
        new_visit(&c.theirs.1, &c.theirs.0, &grid, &c.sun, "phone-s"),
        one(
            household::NAME,
            &c.theirs.0,
            household::field::NOTES,
            json!("看看"),
            "phone-s",
        ),
        one(
            household::NAME,
            &c.nobody,
            household::field::NOTES,
            json!("看看"),
            "phone-s",
        ),
        // Giving their door away, or taking one nobody answers for.
        one(
            household::NAME,
            &c.mine.0,
            household::field::RESPONSIBLE_ID,
            json!(c.wang),
            "phone-s",
        ),
        one(
            household::NAME,
            &c.nobody,
            household::field::RESPONSIBLE_ID,
            json!(c.sun),
            "phone-s",
        ),
        // Moving their resident into a neighbour's door.
        one(
            resident::NAME,
            &c.mine.1,
            resident::field::HOUSEHOLD_ID,
            json!(c.theirs.0),
            "phone-s",
        ),
        // A need of a neighbour's resident.
        [
            one(
                need::NAME,
                "need-x",
                need::field::GRID_ID,
                json!(grid),
                "phone-s",
            ),
            one(
                need::NAME,
                "need-x",
                need::field::RESIDENT_ID,
                json!(c.theirs.1),
                "phone-s",
            ),
        ]
        .concat(),
        // A new door of nobody's.
        one(
            household::NAME,
            "h-new",
            household::field::GRID_ID,
            json!(grid),
            "phone-s",
        ),
    ];
    for batch in forbidden {
        let (status, body) = s.push(&token, "phone-s", batch.clone()).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (403, Some("forbidden")),
            "{batch:?}: {body}"
        );
    }

    // A new door they answer for is theirs to add.
    let t = server::now_ms();
    let new_door: Vec<Value> = [
        (household::field::GRID_ID, json!(grid)),
        (household::field::ADDRESS, json!("1 号楼 104")),
        (household::field::RESPONSIBLE_ID, json!(c.sun)),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, (f, v))| {
        change(
            household::NAME,
            "h-mine",
            f,
            v,
            &stamp(t, i as u16, "phone-s"),
        )
    })
    .collect();
    let (status, body) = s.push(&token, "phone-s", new_door).await;
    assert_eq!(status, 200, "{body}");
    // Nothing refused was kept.
    let state = s.state().await;
    let key = |e: &str, id: &str, f: &str| (e.to_owned(), id.to_owned(), f.to_owned());
    assert_eq!(
        state[&key(household::NAME, &c.mine.0, household::field::RESPONSIBLE_ID)].0,
        json!(c.sun)
    );
    assert!(!state.contains_key(&key(household::NAME, &c.theirs.0, household::field::NOTES)));
    assert!(!state.contains_key(&key(need::NAME, "need-x", need::field::RESIDENT_ID)));
}

#[tokio::test]
async fn handing_a_door_over_starts_the_leaders_pull_again_and_no_one_elses() {
    let c = community().await;
    let s = &c.s;
    let leader = s.token("sunli", "phone-s").await;
    let worker = s.token("wangfang", "phone-w").await;
    let sup = s.token("zhaomin", "laptop").await;
    let (_, leader_cursor) = s.pull_all(&leader, None, 1000).await;
    let (_, worker_cursor) = s.pull_all(&worker, None, 1000).await;

    // Only a grid worker or leader of the door's grid may answer for it: not a supervisor, not
    // a worker of another grid.
    let users = s.state().await;
    let id_of = |name: &str| {
        users
            .iter()
            .find(|((e, _, f), (v, _))| e == "user_profile" && f == "name" && v == name)
            .map(|((_, id, _), _)| id.clone())
            .unwrap()
    };
    for who in [id_of("赵敏"), id_of("李强")] {
        let give = one(
            household::NAME,
            &c.nobody,
            household::field::RESPONSIBLE_ID,
            json!(who),
            "laptop",
        );
        let (status, body) = s.push(&sup, "laptop", give).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (422, Some("invalid")),
            "{body}"
        );
        assert!(body["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("责任人须是本网格"));
    }

    // The supervisor gives 孙丽 the door nobody answered for.
    let give = one(
        household::NAME,
        &c.nobody,
        household::field::RESPONSIBLE_ID,
        json!(c.sun),
        "laptop",
    );
    let (status, body) = s.push(&sup, "laptop", give).await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = s
        .pull_page(&leader, &format!("?cursor={leader_cursor}"))
        .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (410, Some("reset_required"))
    );
    let (status, _) = s
        .pull_page(&worker, &format!("?cursor={worker_cursor}"))
        .await;
    assert_eq!(
        status, 200,
        "a grid worker reads the whole grid: no fresh start"
    );
    let (changes, leader_cursor) = s.pull_all(&leader, None, 1000).await;
    assert_eq!(
        records(&changes, household::NAME),
        set(&[&c.mine.0, &c.nobody])
    );
    assert_eq!(
        records(&changes, resident::NAME).len(),
        2,
        "the new door's resident too"
    );

    // And takes their first door away: gone from a pull from the start.
    let take = one(
        household::NAME,
        &c.mine.0,
        household::field::RESPONSIBLE_ID,
        json!(c.wang),
        "laptop",
    );
    let (status, body) = s.push(&sup, "laptop", take).await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = s
        .pull_page(&leader, &format!("?cursor={leader_cursor}"))
        .await;
    assert_eq!(status, 410);
    let (changes, _) = s.pull_all(&leader, None, 1000).await;
    assert_eq!(records(&changes, household::NAME), set(&[&c.nobody]));
    assert!(!records(&changes, visit::NAME).contains(&c.mine.2));
}

#[tokio::test]
async fn the_dashboard_counts_per_responsible_person_and_is_not_the_leaders() {
    let c = community().await;
    let s = &c.s;
    let sup = s.token("zhaomin", "laptop").await;
    let get = |token: String| {
        let req = s
            .client
            .get(s.url("/api/v1/dashboard"))
            .header("authorization", format!("Bearer {token}"));
        async move {
            let r = req.send().await.unwrap();
            (r.status().as_u16(), r.json::<Value>().await.unwrap())
        }
    };
    let (status, d) = get(sup).await;
    assert_eq!(status, 200, "{d}");
    let people: Vec<(Value, Value, Value)> = d["responsible"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].clone(),
                p["figures"]["households"].clone(),
                p["figures"]["residents"].clone(),
            )
        })
        .collect();
    assert_eq!(
        people,
        [
            (json!("孙丽"), json!(1), json!(1)),
            (json!("王芳"), json!(1), json!(1)),
            (json!(""), json!(1), json!(1)),
        ]
    );
    assert!(
        d["responsible"][2]["id"].is_null(),
        "the doors of nobody come last"
    );
    let leader = s.token("sunli", "phone-s").await;
    let (status, d) = get(leader).await;
    assert_eq!((status, d["error"].as_str()), (403, Some("forbidden")));
}

#[tokio::test]
async fn a_profile_keeps_the_users_grids_also_for_a_database_from_before() {
    // A database whose users have profiles of name and role only, as before issue 16.
    let dir = tempfile::tempdir().unwrap();
    let storage = server::storage::scratch::fresh_in(dir.path())
        .await
        .unwrap();
    let user = storage
        .create_user(server::storage::NewUser {
            username: "sunli".into(),
            name: "孙丽".into(),
            role: Role::BuildingLeader,
            grids: vec!["g-1".into(), "g-2".into()],
            password_hash: "x".into(),
        })
        .await
        .unwrap();
    let grids_of = |storage: std::sync::Arc<dyn server::storage::Storage>, id: String| async move {
        storage
            .values("user_profile", Some(vec![id]), &["grids"])
            .await
            .unwrap()
            .into_values()
            .next()
            .and_then(|p| p.get("grids").cloned())
    };
    assert_eq!(grids_of(storage.clone(), user.id.clone()).await, None);
    let written = server::accounts::refresh_profiles(storage.as_ref())
        .await
        .unwrap();
    assert_eq!(written, 1);
    assert_eq!(
        grids_of(storage.clone(), user.id.clone()).await,
        Some(json!("g-1,g-2"))
    );
    // Up to date: nothing written at the next start.
    assert_eq!(
        server::accounts::refresh_profiles(storage.as_ref())
            .await
            .unwrap(),
        0
    );
}

/// A tiny deterministic generator: the same community every run, without a dependency.
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// A leader's phone: the door-bound records it holds, pulled as the app pulls (a 410 starts again
/// from nothing, `dropped` deletes).
async fn sync_phone(
    s: &TestServer,
    token: &str,
    cursor: Option<String>,
    held: &mut BTreeSet<(String, String)>,
) -> String {
    let mut cursor = cursor;
    loop {
        let q = match &cursor {
            Some(c) => format!("?cursor={c}&limit=200"),
            None => "?limit=200".to_owned(),
        };
        let (status, page) = s.pull_page(token, &q).await;
        if status == 410 {
            held.clear();
            cursor = None;
            continue;
        }
        assert_eq!(status, 200, "{page}");
        for c in page["changes"].as_array().unwrap() {
            let entity = c["entity"].as_str().unwrap();
            if model::responsibility::door_bound(entity) {
                held.insert((entity.to_owned(), c["id"].as_str().unwrap().to_owned()));
            }
        }
        for d in page["dropped"].as_array().into_iter().flatten() {
            held.remove(&(
                d["entity"].as_str().unwrap().to_owned(),
                d["id"].as_str().unwrap().to_owned(),
            ));
        }
        cursor = Some(page["cursor"].as_str().unwrap().to_owned());
        if !page["has_more"].as_bool().unwrap() {
            return cursor.unwrap();
        }
    }
}

#[tokio::test]
async fn every_leaders_phone_holds_exactly_what_the_model_files_under_their_doors() {
    let mut dice = Dice(0x9e37_79b9_7f4a_7c15);
    let mut f = Fixture::new().await;
    let grid = f.grid("东区第一网格");
    let g = [grid.clone()];
    let wang = f.user(Role::GridWorker, "wangfang", "王芳", &g).await;
    let sun = f.user(Role::BuildingLeader, "sunli", "孙丽", &g).await;
    let zhou = f.user(Role::BuildingLeader, "zhougang", "周刚", &g).await;
    f.user(Role::Supervisor, "zhaomin", "赵敏", &g).await;
    f.user(Role::Admin, "admin", "管理员", &[]).await;
    let people = [
        Some(sun.clone()),
        Some(zhou.clone()),
        Some(wang.clone()),
        None,
    ];
    let mut homes = Vec::new();
    for h in 0..8 {
        let home = f.household(&grid, &format!("{h} 号楼 101"));
        if let Some(who) = &people[dice.below(4)] {
            f.set(
                household::NAME,
                &home,
                household::field::RESPONSIBLE_ID,
                json!(who),
            );
        }
        homes.push(home);
    }
    let mut residents = Vec::new();
    for r in 0..16 {
        let home = &homes[dice.below(homes.len())];
        residents.push(f.resident(home, &format!("居民{r}"), &[]));
    }
    for _ in 0..24 {
        let r = &residents[dice.below(residents.len())];
        let v = f.visit(r, &wang, server::now_ms() - 3_600_000);
        // Some visits name another household than their resident's: the household decides.
        if dice.below(4) == 0 {
            let other = &homes[dice.below(homes.len())];
            f.set(visit::NAME, &v, visit::field::HOUSEHOLD_ID, json!(other));
        }
    }
    for _ in 0..8 {
        f.need(&residents[dice.below(residents.len())], "open");
    }
    let s = f.start().await;
    let worker = s.token("wangfang", "phone-w").await;
    let mut phones = Vec::new();
    for who in ["sunli", "zhougang"] {
        let token = s.token(who, &format!("phone-{who}")).await;
        let mut held = BTreeSet::new();
        let cursor = sync_phone(&s, &token, None, &mut held).await;
        phones.push((token, cursor, held));
    }

    // The grid worker hands doors over and residents move: random, several batches.
    for round in 0..4u16 {
        let mut batch = Vec::new();
        for k in 0..3u16 {
            let t = server::now_ms();
            let n = round * 10 + k;
            if dice.below(2) == 0 {
                let home = &homes[dice.below(homes.len())];
                let who = people[dice.below(4)]
                    .clone()
                    .map_or(Value::Null, Value::from);
                batch.push(change(
                    household::NAME,
                    home,
                    household::field::RESPONSIBLE_ID,
                    who,
                    &stamp(t, n, "phone-w"),
                ));
            } else {
                let r = &residents[dice.below(residents.len())];
                let home = &homes[dice.below(homes.len())];
                batch.push(change(
                    resident::NAME,
                    r,
                    resident::field::HOUSEHOLD_ID,
                    json!(home),
                    &stamp(t, n, "phone-w"),
                ));
            }
        }
        let (status, body) = s.push(&worker, "phone-w", batch).await;
        assert_eq!(status, 200, "{body}");
        for (token, cursor, held) in &mut phones {
            *cursor = sync_phone(&s, token, Some(cursor.clone()), held).await;
        }
    }

    // What the model files under each leader, from the whole state.
    let mut records = model::dashboard::Records::new();
    for ((entity, id, field), (value, _)) in s.state().await {
        records
            .entry(entity)
            .or_default()
            .entry(id)
            .or_default()
            .insert(field, value);
    }
    let parts = model::responsibility::partition(&records);
    for ((_, _, held), leader) in phones.iter().zip([&sun, &zhou]) {
        let expected: BTreeSet<(String, String)> = parts
            .get(&Some(leader.clone()))
            .into_iter()
            .flat_map(|part| {
                part.iter().flat_map(|(e, recs)| {
                    recs.keys().map(move |id| (e.to_string(), id.to_string()))
                })
            })
            .collect();
        assert_eq!(held, &expected, "leader {leader}");
    }
}
