//! `cargo xtask bench sync`: the sync load generator. Starts the real release server on a
//! loopback port with a fresh demo database and measures push and pull throughput, a plain SQLite
//! insert baseline of the same rows, and many devices syncing at once (docs/budgets.md).

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use model::wire::{Change, LoginRequest, LoginResponse, PullResponse, PushRequest, PushResponse};
use serde_json::json;

use crate::{cmd, root, say, status};

/// Changes in one push batch: the budget is stated for batches of 1,000.
const BATCH: usize = 1_000;
/// Fields each new resident gets; `BATCH` is a whole number of residents.
const RESIDENT_FIELDS: usize = 10;
/// The page size of every pull, as the app uses.
const PULL_LIMIT: usize = 5_000;
/// Pull runs whose median is reported.
const PULL_RUNS: usize = 3;
/// Rounds of push and baseline, each on a fresh server and file, whose medians are reported.
const PUSH_ROUNDS: usize = 3;
/// A pause between timed phases, for the disk to settle.
const SETTLE: Duration = Duration::from_millis(300);
/// Changes each simulated device pushes: two new residents.
const DEVICE_CHANGES: usize = 2 * RESIDENT_FIELDS;
/// No request of the bench may take longer: it stops by itself whatever the server does.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// The demo grid workers the simulated devices log in as, in turn (docs/design.md#running).
const DEVICE_USERS: &[&str] = &["wangfang", "liqiang"];
/// Every demo account the bench logs in as; their passwords are the ones the server prints.
const DEMO_USERS: &[&str] = &["admin", "zhaomin", "wangfang", "liqiang"];

struct Options {
    devices: usize,
    batches: usize,
}

/// Runs `cargo xtask bench <args>` again, built in release, when this one is not: an
/// unoptimised load generator (and its unoptimised SQLite baseline) would measure itself.
/// `None` when this process is the release run.
pub fn in_release(args: &[String]) -> Option<Result<()>> {
    if !cfg!(debug_assertions) || std::env::var_os("KNOCK_BENCH_RELEASE").is_some() {
        return None;
    }
    say("building the load generator in release and running it");
    Some(status(
        cmd("cargo")
            .args([
                "run",
                "--release",
                "--quiet",
                "--package",
                "xtask",
                "--",
                "bench",
            ])
            .args(args)
            .env("KNOCK_BENCH_RELEASE", "1"),
    ))
}

pub fn run(args: &[String]) -> Result<()> {
    match args.first().map(String::as_str) {
        Some("sync") => {}
        _ => bail!(
            "usage: cargo xtask bench sync [--devices N] [--batches N]\n\n  --devices N   devices syncing at once (default 200; the budget is for 500)\n  --batches N   push batches of 1,000 changes (default 100)"
        ),
    }
    let opts = parse_options(&args[1..])?;
    if let Some(rerun) = in_release(args) {
        return rerun;
    }
    say("building the server (release)");
    status(cmd("cargo").args(["build", "--release", "--package", "server"]))?;
    let started = Instant::now();
    let tmp = tempfile::Builder::new()
        .prefix("knock-bench-")
        .tempdir()
        .context("making a temporary directory")?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let report = rt.block_on(bench(tmp.path(), &opts))?;
    report.print(&opts);
    say(&format!(
        "bench took {:.0} s",
        started.elapsed().as_secs_f64()
    ));
    Ok(())
}

fn parse_options(args: &[String]) -> Result<Options> {
    let mut opts = Options {
        devices: 200,
        batches: 100,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut number = |name: &str| -> Result<usize> {
            it.next()
                .and_then(|v| v.parse().ok())
                .filter(|n| *n > 0 && *n <= 10_000)
                .with_context(|| format!("{name} needs a whole number from 1 to 10000"))
        };
        match a.as_str() {
            "--devices" => opts.devices = number("--devices")?,
            "--batches" => opts.batches = number("--batches")?,
            other => bail!("unknown option {other} (try --devices N or --batches N)"),
        }
    }
    Ok(opts)
}

/// The release server binary running on a free loopback port; killed when dropped.
struct Server {
    child: Child,
    base: String,
    ready_after: Duration,
    /// User name → password of the demo accounts, as the server printed them.
    passwords: HashMap<String, String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_server(dir: &Path) -> Result<Server> {
    std::fs::create_dir_all(dir)?;
    let bin = root().join("target").join("release").join("server");
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let log_path = dir.join("server.log");
    let mut log = std::fs::File::create(&log_path)?;
    let started = Instant::now();
    let mut child = Command::new(&bin)
        .env("KNOCK_ADDR", format!("127.0.0.1:{port}"))
        .env("KNOCK_DATA_DIR", dir.join("db"))
        .env("KNOCK_DIST_DIR", dir.join("dist"))
        .env("KNOCK_DEMO", "1")
        .stdout(Stdio::piped())
        .stderr(log.try_clone()?)
        .spawn()
        .with_context(|| format!("starting {}", bin.display()))?;
    let stdout = child.stdout.take().context("server stdout")?;
    let server = Server {
        child,
        base: String::new(),
        ready_after: Duration::ZERO,
        passwords: HashMap::new(),
    };
    // Read the banner and the demo accounts (their passwords are random for each database), then
    // keep draining stdout (the server logs there) into the log file.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        let mut base = None;
        let mut passwords = HashMap::new();
        for line in BufReader::new(stdout).lines().map_while(|l| l.ok()) {
            let _ = writeln!(log, "{line}");
            if let Some(url) = line.strip_prefix("Knock is serving at ") {
                base = Some(url.trim_end_matches('/').to_owned());
            } else if let Some(account) = line.strip_prefix("demo account: ") {
                if let [_role, user, password] = account.split(' ').collect::<Vec<_>>()[..] {
                    passwords.insert(user.to_owned(), password.to_owned());
                }
            }
            if DEMO_USERS.iter().all(|u| passwords.contains_key(*u)) {
                if let (Some(tx), Some(b)) = (tx.take(), base.take()) {
                    let _ = tx.send((b, std::mem::take(&mut passwords)));
                }
            }
        }
    });
    let mut server = server;
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok((base, passwords)) => {
                server.base = base;
                server.passwords = passwords;
                server.ready_after = started.elapsed();
                return Ok(server);
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                bail!(
                    "the server stopped before it was ready; see {}",
                    log_path.display()
                )
            }
        }
        if let Some(s) = server.child.try_wait()? {
            bail!(
                "the server exited before it was ready ({s}); see {}",
                log_path.display()
            );
        }
        if Instant::now() > deadline {
            bail!(
                "the server was not ready within 180 s; see {}",
                log_path.display()
            );
        }
    }
}

/// Every figure the bench measured.
struct Report {
    /// Changes of one push round, and the seconds of each round.
    push_changes: usize,
    push_secs: Vec<f64>,
    push_batch_p50_ms: f64,
    push_batch_max_ms: f64,
    baseline_secs: Vec<f64>,
    pull_changes: usize,
    pull_pages: usize,
    pull_secs: Vec<f64>,
    worker_pulls: Vec<(&'static str, usize, f64)>,
    /// The supervisor's dashboard of every demo grid: the first answer after writes, then the
    /// answers that reuse its read of the records (ms).
    dashboard_cold_ms: f64,
    dashboard_warm_ms: Vec<f64>,
    login_secs: f64,
    devices: Vec<DeviceRun>,
    storm_secs: f64,
    storm_cpu: (Option<f64>, Option<f64>),
    lost_on_server: usize,
    missed_by_devices: usize,
    errors: Vec<String>,
}

/// One simulated device's sync: push then pull until done.
struct DeviceRun {
    secs: f64,
    push_secs: f64,
    pulled: usize,
    pages: usize,
}

async fn bench(dir: &Path, opts: &Options) -> Result<Report> {
    // (a) push: batches of 1,000 changes of new residents, one after the other, as a grid worker,
    // into a server freshly seeded with the demo community; (b) the baseline: the same rows into
    // a fresh plain SQLite file, 1,000 a transaction. Three rounds, each on a new server and a
    // new file, so that one disturbed moment does not make the figure; medians are reported.
    let mut push_secs = Vec::new();
    let mut baseline_secs = Vec::new();
    let mut batch_ms = Vec::new();
    let mut server = None;
    for round in 0..PUSH_ROUNDS {
        drop(server.take());
        let s = start_server(&dir.join(format!("server-{round}")))?;
        say(&format!(
            "server ready at {} (demo community seeded in {:.1} s)",
            s.base,
            s.ready_after.as_secs_f64()
        ));
        let api = Api::new(&s)?;
        server = Some(s);
        let (token, user) = api.login("wangfang", "bench-push").await?;
        let grid = user.grids.first().context("wangfang has no grid")?.clone();
        let t0 = now_ms();
        let batches: Vec<Vec<Change>> = (0..opts.batches)
            .map(|b| {
                new_residents(
                    BATCH / RESIDENT_FIELDS,
                    std::slice::from_ref(&grid),
                    "bench-push",
                    t0,
                    b,
                )
            })
            .collect();
        let bodies: Vec<Vec<u8>> = batches
            .iter()
            .map(|changes| {
                serde_json::to_vec(&PushRequest {
                    device_id: "bench-push".into(),
                    changes: changes.clone(),
                })
            })
            .collect::<Result<_, _>>()?;
        tokio::time::sleep(SETTLE).await;
        say(&format!(
            "push: {} batches of {BATCH} changes as wangfang (round {} of {PUSH_ROUNDS})",
            opts.batches,
            round + 1
        ));
        let started = Instant::now();
        for body in bodies {
            let one = Instant::now();
            let r = api.push_raw(&token, body).await?;
            ensure!(
                r.accepted == BATCH && r.applied == BATCH,
                "push applied {} of {}",
                r.applied,
                r.accepted
            );
            batch_ms.push(one.elapsed().as_secs_f64() * 1e3);
        }
        push_secs.push(started.elapsed().as_secs_f64());
        // Let the server's background checkpoint finish before SQLite is timed alone.
        tokio::time::sleep(SETTLE).await;
        say(&format!(
            "baseline: the same rows into a plain SQLite table, 1,000 a transaction (round {} of {PUSH_ROUNDS})",
            round + 1
        ));
        let path = dir.join(format!("baseline-{round}.sqlite3"));
        baseline_secs.push(Baseline::create(&path)?.insert(&batches)?);
        tokio::time::sleep(SETTLE).await;
    }
    let server = server.context("no push round ran")?;
    let api = Api::new(&server)?;
    let server_pid = server.child.id();
    let push_changes = opts.batches * BATCH;
    batch_ms.sort_by(f64::total_cmp);

    // (c) pull: everything, as the admin, in pages of 5,000.
    let (admin, _) = api.login("admin", "bench-pull").await?;
    let mut pull_secs = Vec::new();
    let (mut pull_changes, mut pull_pages) = (0, 0);
    for run in 1..=PULL_RUNS {
        say(&format!(
            "pull: everything as admin, pages of {PULL_LIMIT} (run {run} of {PULL_RUNS})"
        ));
        let started = Instant::now();
        let (changes, pages, _) = api.pull_all(&admin, None, |_| {}).await?;
        pull_secs.push(started.elapsed().as_secs_f64());
        (pull_changes, pull_pages) = (changes, pages);
    }

    // (e) the supervisor's dashboard over every demo grid, computed from the merged records.
    let (sup, _) = api.login("zhaomin", "bench-dashboard").await?;
    say("dashboard: zhaomin's figures of every grid, once after the writes, then 5 more");
    let mut dashboard_ms = Vec::new();
    for _ in 0..6 {
        let started = Instant::now();
        api.dashboard(&sup).await?;
        dashboard_ms.push(started.elapsed().as_secs_f64() * 1e3);
    }
    let dashboard_cold_ms = dashboard_ms.remove(0);

    // (d) many devices at once.
    let storm = device_storm(&api, server_pid, opts.devices).await?;

    Ok(Report {
        push_changes,
        push_secs,
        push_batch_p50_ms: percentile(&batch_ms, 0.50),
        push_batch_max_ms: batch_ms.last().copied().unwrap_or(0.0),
        baseline_secs,
        pull_changes,
        pull_pages,
        pull_secs,
        worker_pulls: storm.worker_pulls,
        dashboard_cold_ms,
        dashboard_warm_ms: dashboard_ms,
        login_secs: storm.login_secs,
        devices: storm.runs,
        storm_secs: storm.secs,
        storm_cpu: storm.cpu,
        lost_on_server: storm.lost_on_server,
        missed_by_devices: storm.missed_by_devices,
        errors: storm.errors,
    })
}

struct Storm {
    /// The full pull of each device user that gave the devices their cursor: user, changes, s.
    worker_pulls: Vec<(&'static str, usize, f64)>,
    login_secs: f64,
    runs: Vec<DeviceRun>,
    secs: f64,
    /// CPU seconds the server and the load generator used while the devices synced.
    cpu: (Option<f64>, Option<f64>),
    lost_on_server: usize,
    missed_by_devices: usize,
    errors: Vec<String>,
}

/// `n` devices, each logged in with its own device id and already in sync (holding its user's
/// latest cursor), all push two new residents at the same instant and pull until `has_more` is
/// false. Afterwards: is every pushed value on the server, and did every device receive every
/// change of its grids (allowing one more pull for changes pushed after it finished)?
async fn device_storm(api: &Api, server_pid: u32, n: usize) -> Result<Storm> {
    // The latest cursor of each user: a cursor belongs to the user's scope, not to one device.
    let mut cursors = HashMap::new();
    let mut grids = HashMap::new();
    let mut worker_pulls = Vec::new();
    for user in DEVICE_USERS {
        let (token, info) = api.login(user, "bench-probe").await?;
        say(&format!(
            "pull: everything {user} may read, pages of {PULL_LIMIT}"
        ));
        let started = Instant::now();
        let (changes, _, cursor) = api.pull_all(&token, None, |_| {}).await?;
        worker_pulls.push((*user, changes, started.elapsed().as_secs_f64()));
        cursors.insert(*user, cursor);
        grids.insert(*user, info.grids);
    }

    say(&format!("devices: {n} log in, each with its own device id"));
    let started = Instant::now();
    // The server checks at most 4 passwords at once and answers more with 429 at once
    // (server::auth::PASSWORD_CHECKS): log in no more at a time than that.
    let logins = Arc::new(tokio::sync::Semaphore::new(4));
    let mut tasks = Vec::new();
    for i in 0..n {
        let (api, logins) = (api.clone(), logins.clone());
        let user = DEVICE_USERS[i % DEVICE_USERS.len()];
        tasks.push(tokio::spawn(async move {
            let _permit = logins.acquire_owned().await?;
            let device = format!("bench-device-{i:04}");
            // Each device its own client, so its own connection, as phones have.
            let api = api.fresh()?;
            let (token, _) = api.login(user, &device).await?;
            anyhow::Ok((api, user, device, token))
        }));
    }
    let mut devices = Vec::new();
    for t in tasks {
        devices.push(t.await??);
    }
    let login_secs = started.elapsed().as_secs_f64();

    say(&format!(
        "devices: {n} push {DEVICE_CHANGES} changes each and pull, all at once"
    ));
    let t0 = now_ms();
    let gate = Arc::new(tokio::sync::Barrier::new(n + 1));
    let mut tasks = Vec::new();
    let mut pushed: Vec<(&str, Vec<Change>)> = Vec::new();
    for (i, (api, user, device, token)) in devices.into_iter().enumerate() {
        let changes = new_residents(
            DEVICE_CHANGES / RESIDENT_FIELDS,
            &grids[user],
            &device,
            t0,
            i,
        );
        // Made before the task starts: nothing may stop a task short of the gate, or the rest
        // would wait at it for ever.
        let body = serde_json::to_vec(&PushRequest {
            device_id: device.clone(),
            changes: changes.clone(),
        })?;
        pushed.push((user, changes));
        let cursor = cursors[user].clone();
        let gate = gate.clone();
        tasks.push(tokio::spawn(async move {
            gate.wait().await;
            let started = Instant::now();
            let r = api.push_raw(&token, body).await?;
            let push_secs = started.elapsed().as_secs_f64();
            ensure!(
                r.applied == DEVICE_CHANGES,
                "{device}: applied {} of {DEVICE_CHANGES}",
                r.applied
            );
            let mut seen = HashSet::new();
            let (pulled, pages, cursor) = api
                .pull_all(&token, Some(cursor), |c| {
                    seen.insert(key(c));
                })
                .await?;
            let secs = started.elapsed().as_secs_f64();
            anyhow::Ok((
                DeviceRun {
                    secs,
                    push_secs,
                    pulled,
                    pages,
                },
                api,
                token,
                cursor,
                seen,
            ))
        }));
    }
    gate.wait().await;
    let started = Instant::now();
    let cpu_before = (cpu_secs(server_pid), cpu_secs(std::process::id()));
    let mut runs = Vec::new();
    let mut finished = Vec::new();
    let mut errors = Vec::new();
    for (i, t) in tasks.into_iter().enumerate() {
        match t.await? {
            Ok((run, api, token, cursor, seen)) => {
                runs.push(run);
                finished.push((i, api, token, cursor, seen));
            }
            Err(e) => errors.push(format!("device {i}: {e:#}")),
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let cpu = (
        cpu_secs(server_pid).zip(cpu_before.0).map(|(a, b)| a - b),
        cpu_secs(std::process::id())
            .zip(cpu_before.1)
            .map(|(a, b)| a - b),
    );

    say("devices: checking that nothing was lost");
    // On the server: every pushed value, with its stamp, as the admin reads it.
    let (admin, _) = api.login("admin", "bench-check").await?;
    let mut stored = HashMap::new();
    api.pull_all(&admin, None, |c| {
        stored.insert(key(c), (c.value.clone(), c.hlc.clone()));
    })
    .await?;
    let lost_on_server = pushed
        .iter()
        .flat_map(|(_, changes)| changes)
        .filter(|c| stored.get(&key(c)) != Some(&(c.value.clone(), c.hlc.clone())))
        .count();
    // On the devices: every change of their grids, from what they pulled plus one more pull.
    let mut missed_by_devices = 0;
    for (i, api, token, cursor, mut seen) in finished {
        api.pull_all(&token, Some(cursor), |c| {
            seen.insert(key(c));
        })
        .await?;
        let user = pushed[i].0;
        missed_by_devices += pushed
            .iter()
            .filter(|(u, _)| *u == user)
            .flat_map(|(_, changes)| changes)
            .filter(|c| !seen.contains(&key(c)))
            .count();
    }
    Ok(Storm {
        worker_pulls,
        login_secs,
        runs,
        secs,
        cpu,
        lost_on_server,
        missed_by_devices,
        errors,
    })
}

fn key(c: &Change) -> (String, String, String) {
    (c.entity.clone(), c.id.clone(), c.field.clone())
}

/// `count` new residents of 10 fields each, spread over `grids`, stamped by `device` at a
/// millisecond of their own (`t0 + nth`) so no two batches of one device share a stamp.
fn new_residents(count: usize, grids: &[String], device: &str, t0: i64, nth: usize) -> Vec<Change> {
    let ms = t0 + nth as i64;
    let mut out = Vec::with_capacity(count * RESIDENT_FIELDS);
    let surnames = ["王", "李", "张", "刘", "陈", "杨", "赵", "黄"];
    let given = [
        "桂兰", "秀英", "建国", "淑珍", "志强", "玉梅", "德华", "国平",
    ];
    use model::entities::resident::{self, field as f};
    for r in 0..count {
        let id = uuid::Uuid::new_v4().to_string();
        let k = nth * count + r;
        let fields = [
            (f::GRID_ID, json!(grids[k % grids.len()])),
            (
                f::NAME,
                json!(format!("{}{}", surnames[k % 8], given[(k / 8) % 8])),
            ),
            (
                f::GENDER,
                json!(if k.is_multiple_of(2) {
                    "female"
                } else {
                    "male"
                }),
            ),
            (
                f::BIRTH_DATE,
                json!(format!(
                    "19{:02}-{:02}-{:02}",
                    30 + k % 60,
                    1 + k % 12,
                    1 + k % 28
                )),
            ),
            (f::PHONE, json!(format!("138{:08}", k % 100_000_000))),
            (f::ID_CARD_LAST4, json!(format!("{:04}", k % 10_000))),
            (f::RELATION_TO_HEAD, json!("户主")),
            (f::COND_HYPERTENSION, json!(k.is_multiple_of(3))),
            (f::COND_DIABETES, json!(k.is_multiple_of(5))),
            (f::VACC_DOSES, json!(k % 4)),
        ];
        debug_assert_eq!(fields.len(), RESIDENT_FIELDS);
        for (counter, (field, value)) in fields.into_iter().enumerate() {
            out.push(Change {
                entity: resident::NAME.into(),
                id: id.clone(),
                field: field.into(),
                value,
                hlc: format!("{ms:013}-{counter:04x}-{device}"),
            });
        }
    }
    out
}

/// entity, id, field, value (JSON text), hlc: one row as the baseline inserts it.
type BaselineRow<'a> = (&'a str, &'a str, &'a str, String, &'a str);

/// The plain SQLite the push is compared with: a WAL-mode file with a table shaped like the
/// server's `fields` (same key, same seq index, same `synchronous`), written with one prepared
/// insert, one transaction a batch.
struct Baseline {
    conn: rusqlite::Connection,
    seq: i64,
}

impl Baseline {
    fn create(path: &Path) -> Result<Baseline> {
        let conn = rusqlite::Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.execute_batch(
            "CREATE TABLE fields (
                entity TEXT NOT NULL, id TEXT NOT NULL, field TEXT NOT NULL,
                value TEXT NOT NULL, hlc TEXT NOT NULL, seq INTEGER NOT NULL,
                PRIMARY KEY (entity, id, field)
            ) WITHOUT ROWID;
            CREATE UNIQUE INDEX fields_by_seq ON fields (seq);",
        )?;
        Ok(Baseline { conn, seq: 0 })
    }

    /// Inserts `batches`, one transaction each; returns the seconds it took.
    fn insert(&mut self, batches: &[Vec<Change>]) -> Result<f64> {
        let rows: Vec<Vec<BaselineRow>> = batches
            .iter()
            .map(|b| {
                b.iter()
                    .map(|c| {
                        (
                            c.entity.as_str(),
                            c.id.as_str(),
                            c.field.as_str(),
                            c.value.to_string(),
                            c.hlc.as_str(),
                        )
                    })
                    .collect()
            })
            .collect();
        let started = Instant::now();
        for batch in &rows {
            let tx = self.conn.transaction()?;
            {
                let mut insert = tx.prepare_cached(
                    "INSERT INTO fields (entity, id, field, value, hlc, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?;
                for (entity, id, field, value, hlc) in batch {
                    self.seq += 1;
                    insert.execute(rusqlite::params![entity, id, field, value, hlc, self.seq])?;
                }
            }
            tx.commit()?;
        }
        Ok(started.elapsed().as_secs_f64())
    }
}

/// A client of the sync API: one reqwest client, hence one connection pool.
#[derive(Clone)]
struct Api {
    base: String,
    http: reqwest::Client,
    passwords: Arc<HashMap<String, String>>,
}

impl Api {
    fn new(server: &Server) -> Result<Api> {
        Api::with(&server.base, Arc::new(server.passwords.clone()))
    }

    fn with(base: &str, passwords: Arc<HashMap<String, String>>) -> Result<Api> {
        Ok(Api {
            base: base.to_owned(),
            http: reqwest::Client::builder()
                .timeout(REQUEST_TIMEOUT)
                .no_proxy()
                .build()?,
            passwords,
        })
    }

    /// Another client of the same server, with connections of its own.
    fn fresh(&self) -> Result<Api> {
        Api::with(&self.base, self.passwords.clone())
    }

    /// Logs in as the demo account `username` with the password the server printed for it.
    async fn login(&self, username: &str, device: &str) -> Result<(String, model::wire::UserInfo)> {
        let password = self
            .passwords
            .get(username)
            .with_context(|| format!("the server printed no demo account for {username}"))?;
        let r = self
            .http
            .post(format!("{}/api/v1/login", self.base))
            .json(&LoginRequest {
                username: username.into(),
                password: password.into(),
                device_id: device.into(),
            })
            .send()
            .await?;
        let status = r.status();
        ensure!(
            status.is_success(),
            "login of {username}: {status} {}",
            r.text().await.unwrap_or_default()
        );
        let body: LoginResponse = r.json().await?;
        Ok((body.token, body.user))
    }

    async fn dashboard(&self, token: &str) -> Result<()> {
        let r = self
            .http
            .get(format!("{}/api/v1/dashboard", self.base))
            .bearer_auth(token)
            .send()
            .await?;
        let status = r.status();
        ensure!(status.is_success(), "dashboard: {status}");
        r.bytes().await?;
        Ok(())
    }

    async fn push_raw(&self, token: &str, body: Vec<u8>) -> Result<PushResponse> {
        let r = self
            .http
            .post(format!("{}/api/v1/sync/push", self.base))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await?;
        let status = r.status();
        ensure!(
            status.is_success(),
            "push: {status} {}",
            r.text().await.unwrap_or_default()
        );
        Ok(r.json().await?)
    }

    /// Pulls pages of `PULL_LIMIT` from `cursor` until `has_more` is false, handing each change
    /// to `each`; returns the number of changes, of pages, and the last cursor. At most 10,000
    /// pages, so a server that never says "done" cannot keep the bench running.
    async fn pull_all(
        &self,
        token: &str,
        mut cursor: Option<String>,
        mut each: impl FnMut(&Change),
    ) -> Result<(usize, usize, String)> {
        let (mut changes, mut pages) = (0, 0);
        while pages < 10_000 {
            let mut req = self
                .http
                .get(format!("{}/api/v1/sync/pull", self.base))
                .bearer_auth(token)
                .query(&[("limit", PULL_LIMIT.to_string())]);
            if let Some(c) = &cursor {
                req = req.query(&[("cursor", c)]);
            }
            let r = req.send().await?;
            let status = r.status();
            ensure!(
                status.is_success(),
                "pull: {status} {}",
                r.text().await.unwrap_or_default()
            );
            let page: PullResponse = r.json().await?;
            pages += 1;
            changes += page.changes.len();
            page.changes.iter().for_each(&mut each);
            cursor = Some(page.cursor);
            if !page.has_more {
                return Ok((changes, pages, cursor.unwrap_or_default()));
            }
        }
        bail!("pull did not finish within 10,000 pages")
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "meets"
    } else {
        "MISSES"
    }
}

impl Report {
    fn print(&self, opts: &Options) {
        let rates = |secs: &[f64]| -> Vec<f64> {
            let mut r: Vec<f64> = secs.iter().map(|s| self.push_changes as f64 / s).collect();
            r.sort_by(f64::total_cmp);
            r
        };
        let listed = |secs: &[f64]| -> String {
            secs.iter()
                .map(|s| format!("{:.0}", self.push_changes as f64 / s))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let push_rate = percentile(&rates(&self.push_secs), 0.5);
        let base_rate = percentile(&rates(&self.baseline_secs), 0.5);
        let ratio = push_rate / base_rate;
        let mut pulls = self.pull_secs.clone();
        pulls.sort_by(f64::total_cmp);
        let pull_secs = percentile(&pulls, 0.5);
        let pull_rate = self.pull_changes as f64 / pull_secs;
        let mut times: Vec<f64> = self.devices.iter().map(|d| d.secs * 1e3).collect();
        times.sort_by(f64::total_cmp);
        let (p50, p99, max) = (
            percentile(&times, 0.50),
            percentile(&times, 0.99),
            times.last().copied().unwrap_or(0.0),
        );
        let mut pushes: Vec<f64> = self.devices.iter().map(|d| d.push_secs * 1e3).collect();
        pushes.sort_by(f64::total_cmp);
        let pulled: usize = self.devices.iter().map(|d| d.pulled).sum();
        let pages: usize = self.devices.iter().map(|d| d.pages).sum();
        let nothing_lost =
            self.errors.is_empty() && self.lost_on_server == 0 && self.missed_by_devices == 0;

        println!();
        println!(
            "Knock sync benchmark (real server, release, SQLite, loopback, {} cores)",
            cores()
        );
        println!();
        println!(
            "push      {} rounds of {} changes in batches of {BATCH}: median {:.0} changes/s (rounds: {}; batch p50 {:.1} ms, max {:.1} ms)",
            self.push_secs.len(), self.push_changes, push_rate, listed(&self.push_secs), self.push_batch_p50_ms, self.push_batch_max_ms
        );
        println!(
            "baseline  the same rows into plain SQLite: median {:.0} changes/s (rounds: {})",
            base_rate,
            listed(&self.baseline_secs)
        );
        println!(
            "          push is {:.0} % of the baseline rate; budget >= 100000 changes/s and >= 50 %: {}",
            ratio * 100.0,
            verdict(push_rate >= 100_000.0 && ratio >= 0.5)
        );
        println!(
            "pull      as admin, everything: {} changes in {} pages of <= {PULL_LIMIT}, median of {} runs ({}): {:.2} s, {:.0} changes/s; budget >= 200000: {}",
            self.pull_changes,
            self.pull_pages,
            self.pull_secs.len(),
            self.pull_secs.iter().map(|s| format!("{s:.2} s")).collect::<Vec<_>>().join(", "),
            pull_secs,
            pull_rate,
            verdict(pull_rate >= 200_000.0)
        );
        for (user, changes, secs) in &self.worker_pulls {
            let rate = *changes as f64 / secs;
            println!(
                "          as {user} (grid worker, the user's grids only): {changes} changes in {secs:.2} s, {rate:.0} changes/s; budget >= 200000: {}",
                verdict(rate >= 200_000.0)
            );
        }
        let mut warm = self.dashboard_warm_ms.clone();
        warm.sort_by(f64::total_cmp);
        println!(
            "dashboard as zhaomin, every grid: first after writes {:.0} ms, then median {:.0} ms (no budget in docs/budgets.md)",
            self.dashboard_cold_ms,
            percentile(&warm, 0.5)
        );
        println!(
            "devices   {} logged in (argon2, 8 at a time) in {:.1} s; then all at once pushed {DEVICE_CHANGES} changes each and pulled until done",
            opts.devices, self.login_secs
        );
        println!(
            "          one device's sync: p50 {p50:.0} ms, p99 {p99:.0} ms, max {max:.0} ms; all done in {:.2} s; {} changes pulled in {} pages",
            self.storm_secs, pulled, pages
        );
        println!(
            "          of which the push: p50 {:.0} ms, p99 {:.0} ms; changes pulled by one device: mean {:.0}",
            percentile(&pushes, 0.50),
            percentile(&pushes, 0.99),
            pulled as f64 / self.devices.len().max(1) as f64
        );
        let cpu = |c: Option<f64>| c.map_or("?".to_owned(), |c| format!("{c:.2}"));
        println!(
            "          CPU while syncing: server {} s, load generator {} s (of {:.2} s x {} cores)",
            cpu(self.storm_cpu.0),
            cpu(self.storm_cpu.1),
            self.storm_secs,
            cores()
        );
        println!(
            "          failed devices {}, pushed values missing on the server {}, changes of their grids missed by devices {}: {}",
            self.errors.len(),
            self.lost_on_server,
            self.missed_by_devices,
            if nothing_lost { "nothing lost" } else { "LOST DATA" }
        );
        if opts.devices >= 500 {
            println!(
                "          budget (500 devices) p99 <= 500 ms, nothing lost: {}",
                verdict(p99 <= 500.0 && nothing_lost)
            );
        }
        for e in self.errors.iter().take(10) {
            println!("          error: {e}");
        }
    }
}

/// CPU seconds (user and system, all threads) a process has used so far, from /proc.
fn cpu_secs(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) start at field 3, `state`.
    let rest: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| rest.get(i)?.parse::<f64>().ok();
    // utime and stime are fields 14 and 15, in clock ticks of 1/100 s on Linux.
    Some((ticks(11)? + ticks(12)?) / 100.0)
}

fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}
