//! Crash safety of a push: the real server binary is killed (SIGKILL) while devices push, then
//! started again on the same database. Every batch a device saw acknowledged (200) must be there
//! in full, and no batch may be there in part: a push is one transaction.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::fixture::{Fixture, PASSWORD};
use model::entities::resident;
use model::hlc::{Clock, Hlc};
use model::Role;
use serde_json::{json, Value};

/// Devices pushing at once, each logged in as the same grid worker.
const DEVICES: usize = 4;
/// New residents in each batch; each gets the same four fields, so a batch is
/// `4 * RESIDENTS_PER_BATCH` changes plus one update of the device's own resident.
const RESIDENTS_PER_BATCH: usize = 30;
const FIELDS_PER_RESIDENT: usize = 4;
/// Kill, restart and check this many times, each time on the database the last run left.
const ROUNDS: usize = 2;
/// Batches each device must have had acknowledged before the kill, so it lands mid-stream.
const ACKED_BEFORE_KILL: usize = 3;
/// No phase may take longer; the test ends by itself whatever the server does.
const PHASE_LIMIT: Duration = Duration::from_secs(60);

/// The server binary running on a data directory; killed (SIGKILL) when dropped.
struct ServerProcess {
    child: Child,
    base: String,
}

impl ServerProcess {
    fn start(data: &Path) -> ServerProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
            .env("KNOCK_ADDR", "127.0.0.1:0")
            .env("KNOCK_DATA_DIR", data)
            .envs(server::storage::scratch::env_for(data))
            .env("KNOCK_DIST_DIR", data.join("dist"))
            .env("KNOCK_DEMO", "0")
            .env("KNOCK_LOG", "warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting the server binary");
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        let base = loop {
            line.clear();
            let n = out.read_line(&mut line).unwrap();
            assert!(n > 0, "the server exited before it was serving");
            if let Some(rest) = line.trim().strip_prefix("Knock is serving at ") {
                break rest.trim_end_matches('/').to_owned();
            }
        };
        // Keep reading so that a later line never meets a closed pipe.
        std::thread::spawn(move || {
            let _ = std::io::copy(&mut out, &mut std::io::sink());
        });
        ServerProcess { child, base }
    }

    /// SIGKILL: no graceful shutdown, no chance to finish or roll back anything.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn token(client: &reqwest::Client, base: &str, user: &str, device: &str) -> String {
    let r = client
        .post(format!("{base}/api/v1/login"))
        .json(&json!({"username": user, "password": PASSWORD, "device_id": device}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "login of {user}");
    r.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// One batch a device saw acknowledged: its number, and the stamp of its update of the
/// device's own resident.
#[derive(Debug, Clone)]
struct Acked {
    batch: usize,
    stamp: Hlc,
}

struct Device {
    id: String,
    /// The resident whose notes each batch of this device overwrites with the batch's marker.
    own_resident: String,
    clock: Clock,
    next_batch: usize,
    acked: Vec<Acked>,
}

/// The marker of batch `n` of `device`: the name and notes of each resident it creates, and the
/// notes it writes on the device's own resident.
fn marker(device: &str, n: usize) -> String {
    format!("{device}-b{n}")
}

/// Where a device pushes, as whom, and into which grid and household its residents go.
struct Line {
    client: reqwest::Client,
    base: String,
    token: String,
    grid: String,
    household: String,
}

/// Pushes batches until a push gets no answer (the server is gone) or `stop` is set.
async fn push_until_gone(
    line: Line,
    mut device: Device,
    stop: Arc<AtomicBool>,
    progress: Arc<Mutex<HashMap<String, usize>>>,
) -> Device {
    let Line {
        client,
        base,
        token,
        grid,
        household,
    } = line;
    while !stop.load(Ordering::Relaxed) {
        let n = device.next_batch;
        device.next_batch += 1;
        let mark = marker(&device.id, n);
        let wall = server::now_ms() as u64;
        let mut changes = Vec::new();
        for r in 0..RESIDENTS_PER_BATCH {
            let id = format!("{mark}-r{r}");
            for (field, value) in [
                (resident::field::GRID_ID, json!(grid)),
                (resident::field::HOUSEHOLD_ID, json!(household)),
                (resident::field::NAME, json!(mark)),
                (resident::field::NOTES, json!(mark)),
            ] {
                let stamp = device.clock.now(wall).to_string();
                changes.push(common::change(resident::NAME, &id, field, value, &stamp));
            }
        }
        let stamp = device.clock.now(wall);
        changes.push(common::change(
            resident::NAME,
            &device.own_resident,
            resident::field::NOTES,
            json!(mark),
            &stamp.to_string(),
        ));
        let sent = client
            .post(format!("{base}/api/v1/sync/push"))
            .bearer_auth(&token)
            .json(&json!({"device_id": device.id, "changes": changes}))
            .send()
            .await;
        let status = match sent {
            Ok(r) => r.status().as_u16(),
            // Killed mid-request: this batch is unacknowledged, whatever became of it.
            Err(_) => break,
        };
        assert_eq!(status, 200, "push of {mark} before the kill");
        device.acked.push(Acked { batch: n, stamp });
        *progress
            .lock()
            .unwrap()
            .entry(device.id.clone())
            .or_default() += 1;
    }
    device
}

/// Everything the server holds as (entity, id, field) -> (value, hlc), pulled by the admin.
async fn server_state(
    client: &reqwest::Client,
    base: &str,
    round: usize,
) -> BTreeMap<(String, String, String), (Value, String)> {
    let token = token(client, base, "admin", &format!("crash-check-{round}")).await;
    let mut cursor: Option<String> = None;
    let mut out = BTreeMap::new();
    loop {
        let mut q = vec![("limit", "5000".to_owned())];
        if let Some(c) = &cursor {
            q.push(("cursor", c.clone()));
        }
        let page: Value = client
            .get(format!("{base}/api/v1/sync/pull"))
            .bearer_auth(&token)
            .query(&q)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for c in page["changes"].as_array().unwrap() {
            let key = |k: &str| c[k].as_str().unwrap().to_owned();
            out.insert(
                (key("entity"), key("id"), key("field")),
                (c["value"].clone(), key("hlc")),
            );
        }
        cursor = Some(page["cursor"].as_str().unwrap().to_owned());
        if !page["has_more"].as_bool().unwrap() {
            return out;
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_server_keeps_every_acknowledged_batch_and_no_half_batch() {
    let mut f = Fixture::new().await;
    let grid = f.grid("崩溃测试网格");
    let household = f.household(&grid, "幸福路 1 号");
    f.user(Role::Admin, "admin", "管理员", &[]).await;
    f.user(
        Role::GridWorker,
        "worker",
        "网格员",
        std::slice::from_ref(&grid),
    )
    .await;
    let mut devices: Vec<Device> = (0..DEVICES)
        .map(|d| {
            let id = format!("crash-dev{d}");
            let own_resident = f.resident(&household, &format!("设备{d}的居民"), &[]);
            Device {
                clock: Clock::new(id.clone()).unwrap(),
                id,
                own_resident,
                next_batch: 0,
                acked: Vec::new(),
            }
        })
        .collect();
    let dir = f.write().await;
    let client = reqwest::Client::builder()
        .timeout(PHASE_LIMIT)
        .build()
        .unwrap();

    for round in 0..ROUNDS {
        let server = ServerProcess::start(dir.path());
        let stop = Arc::new(AtomicBool::new(false));
        let progress = Arc::new(Mutex::new(HashMap::new()));
        let mut tasks = Vec::new();
        for device in devices.drain(..) {
            let token = token(&client, &server.base, "worker", &device.id).await;
            let line = Line {
                client: client.clone(),
                base: server.base.clone(),
                token,
                grid: grid.clone(),
                household: household.clone(),
            };
            tasks.push(tokio::spawn(push_until_gone(
                line,
                device,
                stop.clone(),
                progress.clone(),
            )));
        }
        // Kill once every device is well into its stream, while all of them are pushing.
        let started = tokio::time::Instant::now();
        loop {
            let enough = {
                let p = progress.lock().unwrap();
                p.len() == DEVICES && p.values().all(|n| *n >= ACKED_BEFORE_KILL)
            };
            if enough {
                break;
            }
            assert!(
                started.elapsed() < PHASE_LIMIT,
                "the devices did not push {ACKED_BEFORE_KILL} batches each in time"
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        server.kill();
        stop.store(true, Ordering::Relaxed);
        for t in tasks {
            devices.push(t.await.unwrap());
        }

        let server = ServerProcess::start(dir.path());
        let state = server_state(&client, &server.base, round).await;
        let mut partial = Vec::new();
        let mut lost = Vec::new();
        let mut unacked_kept = 0;
        for device in &devices {
            let acked: HashMap<usize, &Acked> = device.acked.iter().map(|a| (a.batch, a)).collect();
            for n in 0..device.next_batch {
                let mark = json!(marker(&device.id, n));
                let present = (0..RESIDENTS_PER_BATCH)
                    .flat_map(|r| {
                        let id = format!("{}-r{r}", marker(&device.id, n));
                        [
                            resident::field::GRID_ID,
                            resident::field::HOUSEHOLD_ID,
                            resident::field::NAME,
                            resident::field::NOTES,
                        ]
                        .map(|field| (resident::NAME.to_owned(), id.clone(), field.to_owned()))
                    })
                    .filter(|key| match state.get(key) {
                        // Name and notes carry the marker; grid and household are the same in
                        // every batch, so their presence is what counts.
                        Some((value, _)) => {
                            !(key.2 == resident::field::NAME || key.2 == resident::field::NOTES)
                                || *value == mark
                        }
                        None => false,
                    })
                    .count();
                let whole = RESIDENTS_PER_BATCH * FIELDS_PER_RESIDENT;
                if present != 0 && present != whole {
                    partial.push(format!(
                        "{} has {present} of {whole}",
                        marker(&device.id, n)
                    ));
                }
                if acked.contains_key(&n) && present != whole {
                    lost.push(marker(&device.id, n));
                }
                if !acked.contains_key(&n) && present == whole {
                    unacked_kept += 1;
                }
            }
            // The device's own resident: its notes are at least as new as the last acked batch.
            let last = device
                .acked
                .last()
                .expect("every device had batches acknowledged");
            let (value, hlc) = state
                .get(&(
                    resident::NAME.to_owned(),
                    device.own_resident.clone(),
                    resident::field::NOTES.to_owned(),
                ))
                .unwrap_or_else(|| panic!("the notes of {}'s resident are gone", device.id));
            let stored = Hlc::parse(hlc).unwrap();
            assert!(
                stored >= last.stamp,
                "{}: stored notes {value} ({hlc}) are older than the acknowledged batch {} ({})",
                device.id,
                last.batch,
                last.stamp
            );
        }
        assert!(
            partial.is_empty(),
            "round {round}: half batches: {partial:?}"
        );
        assert!(
            lost.is_empty(),
            "round {round}: acknowledged batches lost: {lost:?}"
        );
        let acked_total: usize = devices.iter().map(|d| d.acked.len()).sum();
        eprintln!(
            "round {round}: {acked_total} batches acknowledged in all, all present; {unacked_kept} unacknowledged batches were stored whole"
        );
        server.kill();
    }
}
