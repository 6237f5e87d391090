//! `cargo xtask bench sync`: the sync load generator. Starts the real release server on
//! loopback ports with a fresh demo database (one process on SQLite, or several on one database
//! of a PostgreSQL cluster it starts) and measures push and pull throughput, a plain insert
//! baseline of the same rows into the same kind of database, and many devices syncing at once
//! (docs/budgets.md).

mod api;
mod baseline;
mod options;
mod report;
mod rows;
mod servers;
mod storm;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use model::wire::Change;

use self::api::{push_body, Api};
use self::baseline::Target;
use self::options::{Db, Options, Scenario};
use self::report::{percentile, Report};
use self::rows::{new_residents, now_ms, RESIDENT_FIELDS};
use self::storm::Worker;
use crate::postgres::{Cluster, Purpose};
use crate::{cmd, say, status};

/// Changes in one push batch: the budget is stated for batches of 1,000.
const BATCH: usize = 1_000;
/// Pull runs whose median is reported.
const PULL_RUNS: usize = 3;
/// Rounds of push and baseline, each on a fresh server and database, whose medians are reported.
const PUSH_ROUNDS: usize = 3;
/// A pause between timed phases, for the disk to settle.
const SETTLE: Duration = Duration::from_millis(300);
/// The demo grid workers whose full pulls are measured, and whom the devices of
/// `--scenario demo` log in as, in turn (docs/design.md#running).
const DEMO_WORKERS: &[&str] = &["wangfang", "liqiang"];

/// Runs `cargo xtask bench <args>` again, built in release, when this one is not: an
/// unoptimised load generator (and its unoptimised baseline) would measure itself.
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
        _ => bail!("{}", options::USAGE),
    }
    if args[1..].iter().any(|a| a == "--help" || a == "-h") {
        println!("{}", options::USAGE);
        return Ok(());
    }
    let opts = options::parse(&args[1..])?;
    if let Some(rerun) = in_release(args) {
        return rerun;
    }
    say("building the server (release)");
    status(cmd("cargo").args(["build", "--release", "--package", "server"]))?;
    let started = Instant::now();
    let cluster = match opts.db {
        Db::Sqlite => None,
        Db::Postgres => {
            say("starting a PostgreSQL cluster for the bench (durable settings)");
            Some(Cluster::start(Purpose::Bench)?)
        }
    };
    let tmp = tempfile::Builder::new()
        .prefix("knock-bench-")
        .tempdir()
        .context("making a temporary directory")?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let report = rt.block_on(bench(tmp.path(), &opts, cluster.as_ref()))?;
    report.print(&opts);
    say(&format!(
        "bench took {:.0} s",
        started.elapsed().as_secs_f64()
    ));
    Ok(())
}

async fn bench(dir: &std::path::Path, opts: &Options, cluster: Option<&Cluster>) -> Result<Report> {
    let database = match cluster {
        None => "SQLite".to_owned(),
        Some(c) => format!(
            "PostgreSQL {}",
            c.psql(&c.admin_url(), "SHOW server_version")?
        ),
    };
    // (a) push: batches of 1,000 changes of new residents, one after the other, as a grid worker,
    // into a server freshly seeded with the demo community; (b) the baseline: the same rows into
    // a fresh plain table of the same kind of database, 1,000 a transaction. Three rounds, each
    // on a new server and database, so that one disturbed moment does not make the figure;
    // medians are reported.
    let mut push_secs = Vec::new();
    let mut baseline_secs = Vec::new();
    // SQLite only: the same rows into a plain table as large as the server's (not the budget).
    let mut prefilled_secs = Vec::new();
    let mut prefilled_rows = 0;
    let mut batch_ms = Vec::new();
    let mut servers = Vec::new();
    for round in 0..PUSH_ROUNDS {
        servers.clear();
        let url = match cluster {
            None => None,
            Some(c) => {
                if round > 0 {
                    // The last round's: so that its pages are not written out during this one.
                    c.drop_database(&format!("knock_{}", round - 1))?;
                    c.drop_database(&format!("baseline_{}", round - 1))?;
                }
                Some(c.create_database(&format!("knock_{round}"))?)
            }
        };
        servers = servers::start(dir, url.as_deref(), round, opts.instances)?;
        if let (Some(c), Some(url)) = (cluster, &url) {
            // A server that does not know KNOCK_DATABASE_URL would quietly use SQLite files of
            // its own, one per instance, and the figures would be SQLite's.
            let tables = c.psql(
                url,
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
            )?;
            ensure!(
                tables != "0",
                "the server made no table in the PostgreSQL database {url}: does this server read KNOCK_DATABASE_URL?"
            );
        }
        say(&format!(
            "server ready at {} (demo community seeded in {:.1} s){}",
            servers[0].base,
            servers[0].ready_after.as_secs_f64(),
            if servers.len() > 1 {
                format!(", and {} more on its database", servers.len() - 1)
            } else {
                String::new()
            }
        ));
        let api = Api::new(&servers[0].base, Arc::new(servers[0].passwords.clone()))?;
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
            .map(|changes| push_body("bench-push", changes))
            .collect::<Result<_>>()?;
        tokio::time::sleep(SETTLE).await;
        let server_db = servers[0].data_dir.join("knock.sqlite3");
        let held = match cluster {
            None => Some(baseline::sqlite_max_seq(&server_db)?),
            Some(_) => None,
        };
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
        // Let the server's background checkpoint finish before the baseline is timed alone.
        tokio::time::sleep(SETTLE).await;
        let target = match cluster {
            None => Target::Sqlite(dir.join(format!("baseline-{round}.sqlite3"))),
            Some(c) => Target::Postgres(c.create_database(&format!("baseline_{round}"))?),
        };
        say(&format!(
            "baseline: {} (round {} of {PUSH_ROUNDS})",
            target.describe(),
            round + 1
        ));
        // Off the runtime's threads: the PostgreSQL client blocks on a runtime of its own.
        let same = batches.clone();
        baseline_secs.push(tokio::task::spawn_blocking(move || target.time(&same)).await??);
        tokio::time::sleep(SETTLE).await;
        if let Some(seq) = held {
            say(&format!(
                "baseline: the same rows into a plain SQLite table holding the server's rows before the push (round {} of {PUSH_ROUNDS})",
                round + 1
            ));
            let path = dir.join(format!("prefilled-{round}.sqlite3"));
            let (secs, rows) = tokio::task::spawn_blocking(move || {
                baseline::sqlite_prefilled(&path, &server_db, seq, &batches)
            })
            .await??;
            prefilled_secs.push(secs);
            prefilled_rows = rows;
            tokio::time::sleep(SETTLE).await;
        }
    }
    ensure!(!servers.is_empty(), "no push round ran");
    // Every instance printed the same demo accounts: they share the database.
    let passwords = Arc::new(servers[0].passwords.clone());
    let apis: Vec<Api> = servers
        .iter()
        .map(|s| Api::new(&s.base, passwords.clone()))
        .collect::<Result<_>>()?;
    let api = &apis[0];
    let push_changes = opts.batches * BATCH;
    batch_ms.sort_by(f64::total_cmp);

    // (c) pull: everything, as the admin, in pages of 5,000; then all that each demo grid worker
    // may read, which goes through the grid-filtered path.
    let (admin, _) = api.login("admin", "bench-pull").await?;
    let mut pull_secs = Vec::new();
    let (mut pull_changes, mut pull_pages) = (0, 0);
    for run in 1..=PULL_RUNS {
        say(&format!(
            "pull: everything as admin, pages of {} (run {run} of {PULL_RUNS})",
            api::PULL_LIMIT
        ));
        let started = Instant::now();
        let (changes, pages, _) = api.pull_all(&admin, None, |_| {}).await?;
        pull_secs.push(started.elapsed().as_secs_f64());
        (pull_changes, pull_pages) = (changes, pages);
    }
    let mut worker_pulls = Vec::new();
    let mut demo_workers = Vec::new();
    for user in DEMO_WORKERS {
        let (token, info) = api.login(user, "bench-probe").await?;
        say(&format!(
            "pull: everything {user} may read, pages of {}",
            api::PULL_LIMIT
        ));
        let started = Instant::now();
        let (changes, _, cursor) = api.pull_all(&token, None, |_| {}).await?;
        worker_pulls.push((user.to_string(), changes, started.elapsed().as_secs_f64()));
        demo_workers.push(Worker {
            username: user.to_string(),
            grids: info.grids,
            cursor,
        });
    }

    // The bytes of the first demo grid worker's first sync, as sent plain, gzip, brotli and zstd
    // (not timed: the pulls above are the throughput).
    let (token, _) = api.login(DEMO_WORKERS[0], "bench-bytes").await?;
    say(&format!(
        "pull: {}'s first sync plain, gzip, brotli and zstd, for the bytes",
        DEMO_WORKERS[0]
    ));
    let mut pull_bytes = Vec::new();
    for encoding in ["identity", "gzip", "br", "zstd"] {
        pull_bytes.push((encoding, api.pull_bytes(&token, encoding).await?));
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

    // (d) many devices at once, as the demo's workers or as a morning's.
    let (workers, apis) = match opts.scenario {
        Scenario::Demo => (demo_workers, apis),
        Scenario::Morning => {
            let (workers, accounts) = storm::morning(api, opts.grids).await?;
            let apis = apis
                .iter()
                .map(|a| a.with_accounts(accounts.clone()))
                .collect();
            (workers, apis)
        }
    };
    let probe = servers::CpuProbe {
        servers: servers.iter().map(|s| s.pid()).collect(),
        database: cluster.and_then(Cluster::pid),
    };
    let storm = storm::run(&apis, &workers, opts.devices, &probe).await?;

    Ok(Report {
        database,
        instances: servers.len(),
        push_changes,
        push_batch_p50_ms: percentile(&batch_ms, 0.50),
        push_batch_max_ms: batch_ms.last().copied().unwrap_or(0.0),
        push_secs,
        baseline_secs,
        prefilled: (!prefilled_secs.is_empty()).then_some((prefilled_rows, prefilled_secs)),
        pull_changes,
        pull_pages,
        pull_secs,
        worker_pulls,
        pull_bytes: (DEMO_WORKERS[0].to_string(), pull_bytes),
        dashboard_cold_ms,
        dashboard_warm_ms: dashboard_ms,
        workers: workers.len(),
        storm,
    })
}
