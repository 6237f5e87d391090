//! Many phones, one server, an unreliable network: devices with skewed and backward-jumping
//! clocks edit the same residents; their pushes and pulls arrive in random order, are duplicated,
//! lost and retried, and the server restarts half way. At the end every device holds what the
//! server holds, and the server holds the fold of every edit by largest stamp.
//!
//! On PostgreSQL (`KNOCK_TEST_POSTGRES`) a second server shares the database, and every push and
//! pull goes to one of the two at random, as behind a load balancer.
//!
//! Each run prints its seed; `KNOCK_SIM_SEED=<n>` replays one.

mod common;

use std::collections::BTreeMap;

use common::fixture::Fixture;
use common::TestServer;
use model::entities::resident::{self, field};
use model::hlc::{Clock, Hlc};
use model::merge::{self, State};
use model::wire::{Change, PullResponse, PushResponse};
use model::Role;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{json, Value};

/// How far the fast phone's clock runs ahead of the server's: beyond what push tolerates.
const FAST_PHONE_AHEAD_MS: i64 = server::authorize::MAX_SKEW_MS + 3 * 60_000;

const FIELDS: &[&str] = &[
    field::NAME,
    field::PHONE,
    field::NOTES,
    field::COND_DIABETES,
    field::COND_HEART,
    field::VACC_DOSES,
    field::DELETED,
];

struct Device {
    id: String,
    token: String,
    clock: Clock,
    /// How far this phone's wall clock is from the truth; it jumps around.
    skew_ms: i64,
    /// Learned from the server after a `clock_skew`: added to the wall clock when stamping.
    correction_ms: i64,
    state: State,
    outbox: Vec<Change>,
    cursor: Option<String>,
    /// A push whose answer was lost, to be delivered again later (a duplicate).
    replay: Option<Vec<Change>>,
    /// How often the server refused this device's stamps as too far ahead.
    skews: usize,
}

impl Device {
    fn wall(&self) -> u64 {
        (server::now_ms() + self.skew_ms + self.correction_ms).max(0) as u64
    }

    fn edit(&mut self, rng: &mut StdRng, records: &[String], grid: &str, log: &mut Vec<Change>) {
        let id = &records[rng.gen_range(0..records.len())];
        let mut changes = Vec::new();
        if !self
            .state
            .contains_key(&(resident::NAME.into(), id.clone(), field::GRID_ID.into()))
        {
            changes.push((field::GRID_ID, json!(grid)));
        }
        let chosen = FIELDS[rng.gen_range(0..FIELDS.len())];
        let value = match chosen {
            field::NAME => json!(format!("居民{}", rng.gen_range(0..1000))),
            field::PHONE => json!(format!("139{:08}", rng.gen_range(0..100_000_000u32))),
            field::NOTES => {
                if rng.gen_bool(0.2) {
                    Value::Null
                } else {
                    json!(format!("第{}次走访", rng.gen_range(0..100)))
                }
            }
            field::VACC_DOSES => json!(rng.gen_range(0..5)),
            _ => json!(rng.gen_bool(0.5)),
        };
        changes.push((chosen, value));
        for (name, value) in changes {
            let hlc = self.clock.now(self.wall()).to_string();
            let c = Change {
                entity: resident::NAME.into(),
                id: id.clone(),
                field: name.into(),
                value,
                hlc,
            };
            merge::apply(&mut self.state, &c);
            log.push(c.clone());
            self.outbox.push(c);
        }
    }
}

async fn push(s: &TestServer, d: &Device, changes: &[Change]) -> (u16, Value) {
    s.push(
        &d.token,
        &d.id,
        changes
            .iter()
            .map(|c| serde_json::to_value(c).unwrap())
            .collect(),
    )
    .await
}

/// Pushes the outbox; on `clock_skew` re-stamps it from the server's time, in order, and
/// retries, as the app does. With `lose_answer` the server gets the batch but the phone never
/// hears back, so it keeps the outbox and will send it again.
async fn sync_push(s: &TestServer, d: &mut Device, log: &mut [Change], lose_answer: bool) {
    if d.outbox.is_empty() {
        return;
    }
    let batch = d.outbox.clone();
    let (status, body) = push(s, d, &batch).await;
    match status {
        200 => {
            let r: PushResponse = serde_json::from_value(body).unwrap();
            assert_eq!(r.accepted, batch.len());
            if lose_answer {
                d.replay = Some(batch);
                return;
            }
            d.outbox.clear();
            d.clock.observe_time(r.server_time_ms as u64, d.wall());
        }
        409 => {
            d.skews += 1;
            let server_ms = body["server_time_ms"].as_i64().unwrap();
            d.correction_ms = server_ms - (server::now_ms() + d.skew_ms);
            d.clock.rebase(server_ms as u64);
            for c in d.outbox.iter_mut() {
                let old =
                    std::mem::replace(&mut c.hlc, d.clock.now((server_ms) as u64).to_string());
                let key = (c.entity.clone(), c.id.clone(), c.field.clone());
                // The local value carried the refused future stamp: it takes the new one.
                if d.state.get(&key).is_some_and(|v| v.hlc == old) {
                    d.state.insert(key, merge::Stamped::from(&*c));
                }
                if let Some(l) = log.iter_mut().find(|l| l.hlc == old) {
                    l.hlc = c.hlc.clone();
                }
            }
            // As the app does: a re-stamped edit may sort below a value the phone dropped, so
            // it pulls from the start.
            d.cursor = None;
        }
        other => panic!("push answered {other}: {body}"),
    }
}

/// Pulls one page; with `lose_answer` the page never reaches the phone (cursor not stored).
async fn sync_pull(s: &TestServer, d: &mut Device, lose_answer: bool) -> bool {
    let q = match &d.cursor {
        Some(c) => format!("?cursor={c}&limit=50"),
        None => "?limit=50".into(),
    };
    let (status, body) = s.pull_page(&d.token, &q).await;
    assert_eq!(status, 200, "{body}");
    if lose_answer {
        return true;
    }
    let page: PullResponse = serde_json::from_value(body).unwrap();
    for c in &page.changes {
        merge::apply(&mut d.state, c);
        d.clock.observe(&Hlc::parse(&c.hlc).unwrap(), d.wall());
    }
    d.clock.observe_time(page.server_time_ms as u64, d.wall());
    d.cursor = Some(page.cursor);
    page.has_more
}

fn only_sim(
    state: &State,
    records: &[String],
) -> BTreeMap<(String, String, String), (Value, String)> {
    state
        .iter()
        .filter(|((e, id, _), _)| e == resident::NAME && records.contains(id))
        .map(|(k, v)| (k.clone(), (v.value.clone(), v.hlc.clone())))
        .collect()
}

/// A grid worker's grid of 60 households of two residents, about a thousand fields, and the
/// admin: a phone's pulls take some twenty pages, as in a real grid.
async fn community() -> TestServer {
    let mut f = Fixture::new().await;
    let grids = [f.grid("模拟网格")];
    f.user(Role::GridWorker, "wangfang", "王芳", &grids).await;
    f.user(Role::Admin, "admin", "管理员", &[]).await;
    for h in 0..60 {
        let home = f.household(&grids[0], &format!("{} 号楼 {}", 1 + h / 20, 101 + h % 20));
        for m in 0..2 {
            let fields = [
                (field::BIRTH_DATE, json!("1950-01-01")),
                (field::PHONE, json!(format!("137{h:04}{m:04}"))),
                (field::COND_HYPERTENSION, json!(true)),
            ];
            f.resident(&home, &format!("背景{h}-{m}"), &fields);
        }
    }
    f.start().await
}

async fn run(seed: u64) {
    println!("simulation seed {seed} (replay with KNOCK_SIM_SEED={seed})");
    let mut rng = StdRng::seed_from_u64(seed);
    let mut server = community().await;
    let second = match server::storage::scratch::on_postgres() {
        true => {
            let shared = server::storage::scratch::reopen(&server.data_dir)
                .await
                .unwrap();
            Some(common::serve_storage(shared, common::fixture::PASSWORD, Some("admin")).await)
        }
        false => None,
    };
    let grid = server.grids_of("wangfang").await[0].clone();
    let records: Vec<String> = (0..5).map(|_| uuid::Uuid::new_v4().to_string()).collect();

    let n = rng.gen_range(3..=5);
    let mut devices = Vec::new();
    for i in 0..n {
        let id = format!("sim-{seed}-{i}");
        // The last device is the admin's laptop; the others are the grid worker's phones.
        let token = if i == n - 1 {
            server.token("admin", &id).await
        } else {
            server.token("wangfang", &id).await
        };
        // One phone's clock is far ahead of the server's and meets `clock_skew`.
        let skew_ms = if i == 0 {
            FAST_PHONE_AHEAD_MS
        } else {
            rng.gen_range(-180_000..=180_000)
        };
        devices.push(Device {
            clock: Clock::new(id.clone()).unwrap(),
            id,
            token,
            skew_ms,
            correction_ms: 0,
            state: State::new(),
            outbox: Vec::new(),
            cursor: None,
            replay: None,
            skews: 0,
        });
    }

    let mut log: Vec<Change> = Vec::new();
    // The fast phone edits before anything else, so it has a stamp from its wrong clock to push
    // whatever the dice say later.
    devices[0].edit(&mut rng, &records, &grid, &mut log);
    let steps = 120;
    for step in 0..steps {
        if step == steps / 2 {
            // Restart: the same SQLite file, a new process (here, a new server task and port).
            server = server.restart().await;
        }
        let d = rng.gen_range(0..devices.len());
        let dev = &mut devices[d];
        let server = match &second {
            Some(other) if rng.gen_bool(0.5) => other,
            _ => &server,
        };
        if rng.gen_bool(0.1) {
            // A backward (or forward) jump of the phone's wall clock.
            dev.skew_ms += rng.gen_range(-120_000..=60_000);
            if dev.correction_ms == 0 {
                // Until the server has corrected them, the fast phone stays far ahead and the
                // others stay inside the tolerance, whatever the jumps.
                dev.skew_ms = if d == 0 {
                    dev.skew_ms.max(FAST_PHONE_AHEAD_MS)
                } else {
                    dev.skew_ms.min(240_000)
                };
            }
        }
        match rng.gen_range(0..10) {
            0..=4 => dev.edit(&mut rng, &records, &grid, &mut log),
            5..=6 => {
                let lose = rng.gen_bool(0.25);
                if rng.gen_bool(0.15) {
                    // Dropped before it left the phone: nothing happens, the outbox stays.
                } else {
                    sync_push(server, dev, &mut log, lose).await;
                }
            }
            7..=8 => {
                let lose = rng.gen_bool(0.25);
                sync_pull(server, dev, lose).await;
            }
            _ => {
                // A duplicate of an earlier push whose answer was lost arrives late.
                if let Some(batch) = dev.replay.take() {
                    let (status, _) = push(server, dev, &batch).await;
                    assert_eq!(status, 200);
                }
            }
        }
    }

    // The network heals: everyone pushes what they have, then pulls until nothing is left.
    for dev in devices.iter_mut() {
        for _ in 0..3 {
            sync_push(&server, dev, &mut log, false).await;
        }
        assert!(
            dev.outbox.is_empty(),
            "device {} still has {} waiting",
            dev.id,
            dev.outbox.len()
        );
    }
    for dev in devices.iter_mut() {
        while sync_pull(&server, dev, false).await {}
    }

    println!(
        "seed {seed}: {} devices, {} edits, {} clock_skew refusals",
        devices.len(),
        log.len(),
        devices.iter().map(|d| d.skews).sum::<usize>()
    );
    assert!(
        devices[0].skews >= 1,
        "seed {seed}: the fast phone met clock_skew"
    );
    let reference = only_sim(&merge::fold(&log), &records);
    let server_state: BTreeMap<_, _> = server
        .state()
        .await
        .into_iter()
        .filter(|((e, id, _), _)| e == resident::NAME && records.contains(id))
        .collect();
    assert_eq!(
        server_state, reference,
        "seed {seed}: the server holds the fold of every edit by largest stamp"
    );
    for dev in &devices {
        assert_eq!(
            only_sim(&dev.state, &records),
            server_state,
            "seed {seed}: device {} converged",
            dev.id
        );
    }
    // Stamps a device issued after syncing order after everything it had seen.
    for dev in &devices {
        let last = dev.clock.last().to_string();
        assert!(
            dev.state.values().all(|v| v.hlc <= last),
            "seed {seed}: device {} clock is ahead of its data",
            dev.id
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devices_with_bad_clocks_on_a_bad_network_converge_with_the_server() {
    let seeds: Vec<u64> = match std::env::var("KNOCK_SIM_SEED") {
        Ok(s) => vec![s.parse().expect("KNOCK_SIM_SEED is a number")],
        Err(_) => {
            let base = server::now_ms() as u64;
            (0..4).map(|i| base.wrapping_add(i * 7919)).collect()
        }
    };
    for seed in seeds {
        run(seed).await;
    }
}
