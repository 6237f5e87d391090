//! `cargo xtask bench login`: the release server under a flood of failed logins. It reads the
//! server's memory (VmRSS, VmHWM of /proc/<pid>/status) before and after a burst of 1,000 failed
//! logins with random 4 KiB user names, 50 at a time, and times a real user's login during it;
//! then the same with 1,000 short random names, which reach the limiter and the password check.

use std::io::{BufRead, BufReader, Write};
use std::net::{IpAddr, TcpListener};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use serde_json::json;

use crate::{cmd, root, say, status};

/// Failed logins of one burst.
const BURST: usize = 1_000;
/// Failed logins in flight at once.
const AT_ONCE: usize = 50;
/// Characters of each user name of the first burst.
const LONG_NAME: usize = 4 * 1024;
/// The attacker's address and the real user's: the server tells clients apart by address (any
/// 127.0.0.x reaches a server on 127.0.0.1).
const ATTACKER: [u8; 4] = [127, 0, 0, 1];
const REAL_USER: [u8; 4] = [127, 0, 0, 2];
/// The real user tries to log in once this many of a burst's logins are answered: in full swing.
const REAL_USER_AFTER: usize = BURST / 4;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

pub fn run(args: &[String]) -> Result<()> {
    if !args.is_empty() {
        bail!("usage: cargo xtask bench login (no options)");
    }
    if let Some(rerun) = crate::bench::in_release(&["login".to_owned()]) {
        return rerun;
    }
    say("building the server (release)");
    status(cmd("cargo").args(["build", "--release", "--package", "server"]))?;
    let tmp = tempfile::Builder::new()
        .prefix("knock-bench-login-")
        .tempdir()
        .context("making a temporary directory")?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(bench(tmp.path()))
}

/// The release server on a free loopback port with a fresh demo database; killed when dropped.
struct Server {
    child: Child,
    base: String,
    /// (role, user name, password) of each demo account the server printed.
    accounts: Arc<Mutex<Vec<(String, String, String)>>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// (VmRSS, VmHWM) in KiB.
    fn memory(&self) -> Result<(u64, u64)> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .context("reading the server's /proc status")?;
        let kib = |key: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(key))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                .with_context(|| format!("no {key} in /proc status"))
        };
        Ok((kib("VmRSS:")?, kib("VmHWM:")?))
    }
}

async fn start_server(dir: &Path) -> Result<Server> {
    std::fs::create_dir_all(dir)?;
    let bin = root().join("target").join("release").join("server");
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let log_path = dir.join("server.log");
    let mut log = std::fs::File::create(&log_path)?;
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
    let accounts = Arc::new(Mutex::new(Vec::new()));
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
        accounts: accounts.clone(),
    };
    // Keeps draining stdout (the server logs there) so the server never blocks on a full pipe.
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(|l| l.ok()) {
            let _ = writeln!(log, "{line}");
            if let Some(rest) = line.strip_prefix("demo account: ") {
                let parts: Vec<&str> = rest.split_whitespace().collect();
                if let [role, user, password] = parts[..] {
                    let mut a = accounts.lock().unwrap_or_else(|p| p.into_inner());
                    a.push((role.into(), user.into(), password.into()));
                }
            }
        }
    });
    let http = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(180);
    loop {
        let health = http
            .get(format!("{}/api/v1/health", server.base))
            .send()
            .await;
        let has_accounts = !server
            .accounts
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_empty();
        if health.is_ok_and(|r| r.status().is_success()) && has_accounts {
            return Ok(server);
        }
        if Instant::now() > deadline {
            bail!(
                "the server was not ready within 180 s; see {}",
                log_path.display()
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn client_at(ip: [u8; 4], pool: usize) -> Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .local_address(IpAddr::from(ip))
        .pool_max_idle_per_host(pool)
        .timeout(REQUEST_TIMEOUT)
        .build()?)
}

/// The status of a login, with its `Retry-After` when there is one: `429 (retry after 1 s)`.
async fn login(
    http: &reqwest::Client,
    base: &str,
    user: &str,
    password: &str,
    device: &str,
) -> Result<String> {
    let r = http
        .post(format!("{base}/api/v1/login"))
        .json(&json!({"username": user, "password": password, "device_id": device}))
        .send()
        .await?;
    let retry = r.headers().get("retry-after").and_then(|v| v.to_str().ok());
    Ok(match retry {
        Some(s) => format!("{} (retry after {s} s)", r.status().as_u16()),
        None => r.status().as_u16().to_string(),
    })
}

/// What one burst did.
struct Burst {
    statuses: std::collections::BTreeMap<String, usize>,
    secs: f64,
    /// The real user's login during the burst: its status, ms, and how many of the burst's
    /// logins were answered when it was answered.
    real: (String, f64, usize),
}

/// `BURST` failed logins with the names `name` makes, `AT_ONCE` at a time from the attacker's
/// address, and the real user's login from another address while they run.
async fn burst(
    s: &Server,
    real: &(String, String),
    name: impl Fn(usize) -> String,
) -> Result<Burst> {
    let attacker = client_at(ATTACKER, AT_ONCE)?;
    let gate = Arc::new(tokio::sync::Semaphore::new(AT_ONCE));
    let answered = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::with_capacity(BURST);
    for i in 0..BURST {
        let (http, base, gate, user) = (attacker.clone(), s.base.clone(), gate.clone(), name(i));
        let answered = answered.clone();
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await?;
            let password = uuid::Uuid::new_v4().simple().to_string();
            let status = login(&http, &base, &user, &password, "bench-burst").await;
            answered.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            status
        }));
    }
    let real_user = {
        let (http, base) = (client_at(REAL_USER, 1)?, s.base.clone());
        let (user, password) = real.clone();
        let answered = answered.clone();
        tokio::spawn(async move {
            while answered.load(std::sync::atomic::Ordering::Relaxed) < REAL_USER_AFTER {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            let t0 = Instant::now();
            let status = login(&http, &base, &user, &password, "bench-real-user").await?;
            let ms = t0.elapsed().as_secs_f64() * 1000.0;
            let during = answered.load(std::sync::atomic::Ordering::Relaxed);
            anyhow::Ok((status, ms, during))
        })
    };
    let mut statuses = std::collections::BTreeMap::new();
    for t in tasks {
        *statuses.entry(t.await??).or_insert(0) += 1;
    }
    let secs = started.elapsed().as_secs_f64();
    let real = real_user.await??;
    Ok(Burst {
        statuses,
        secs,
        real,
    })
}

fn random_name(chars: usize) -> String {
    let mut s = String::with_capacity(chars + 32);
    while s.len() < chars {
        s.push_str(&uuid::Uuid::new_v4().simple().to_string());
    }
    s.truncate(chars);
    s
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

async fn bench(dir: &Path) -> Result<()> {
    let s = start_server(dir).await?;
    let real = {
        let accounts = s.accounts.lock().unwrap_or_else(|p| p.into_inner());
        let (_, user, password) = accounts
            .iter()
            .find(|(role, _, _)| role == "grid_worker")
            .or(accounts.first())
            .context("the server printed no demo account")?;
        (user.clone(), password.clone())
    };
    say(&format!(
        "server ready at {}; the real user is {}",
        s.base, real.0
    ));
    let started = s.memory()?;
    // One login first, so the figures after it are of a server that has checked a password.
    let warm = login(
        &client_at(REAL_USER, 1)?,
        &s.base,
        &real.0,
        &real.1,
        "bench-warm-up",
    )
    .await?;
    if warm != "200" {
        bail!("the real user's first login answered {warm}");
    }
    let before = s.memory()?;

    say(&format!(
        "burst 1: {BURST} failed logins with random {LONG_NAME}-character user names, {AT_ONCE} at a time"
    ));
    let long = burst(&s, &real, |_| random_name(LONG_NAME)).await?;
    let after_long = s.memory()?;

    say(&format!(
        "burst 2: {BURST} failed logins with random 16-character user names, {AT_ONCE} at a time"
    ));
    let short = burst(&s, &real, |_| random_name(16)).await?;
    let after_short = s.memory()?;

    println!();
    println!("login flood (release server, demo database, attacker and real user on loopback)");
    println!(
        "  memory at start          VmRSS {:>7.1} MiB  VmHWM {:>7.1} MiB",
        mib(started.0),
        mib(started.1)
    );
    println!(
        "  after one real login     VmRSS {:>7.1} MiB  VmHWM {:>7.1} MiB",
        mib(before.0),
        mib(before.1)
    );
    for (label, b, mem, prev) in [
        ("4 KiB names", &long, after_long, before),
        ("16-char names", &short, after_short, after_long),
    ] {
        let statuses: Vec<String> = b
            .statuses
            .iter()
            .map(|(s, n)| format!("{n} × {s}"))
            .collect();
        println!(
            "  burst of {BURST} with {label}: {:.2} s, answers {}",
            b.secs,
            statuses.join(", ")
        );
        println!(
            "    memory after           VmRSS {:>7.1} MiB  VmHWM {:>7.1} MiB  (VmRSS {:+.1} MiB over the burst)",
            mib(mem.0),
            mib(mem.1),
            mib(mem.0) - mib(prev.0)
        );
        println!(
            "    real user's login, started when {REAL_USER_AFTER} were answered: {} in {:.0} ms ({} answered by then)",
            b.real.0, b.real.1, b.real.2
        );
    }
    Ok(())
}
