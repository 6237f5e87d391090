//! The release server processes the bench measures: one on a fresh SQLite folder, or several
//! sharing one fresh database of the bench's PostgreSQL cluster; and the CPU they use.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::root;

/// Every demo account the bench logs in as; their passwords are the ones the server prints.
const DEMO_USERS: &[&str] = &["admin", "zhaomin", "wangfang", "liqiang"];

/// The release server binary running on a free loopback port; killed when dropped.
pub struct Server {
    child: Child,
    pub base: String,
    pub ready_after: Duration,
    /// User name → password of the demo accounts, as the server printed them.
    pub passwords: HashMap<String, String>,
    /// Its `KNOCK_DATA_DIR`, where a SQLite server keeps `knock.sqlite3`.
    pub data_dir: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

/// `instances` servers on an empty database: the PostgreSQL one at `database`, or a new SQLite
/// folder. The first starts alone, seeding the demo community into it; the others start on the
/// seeded database once it is ready.
pub fn start(
    dir: &Path,
    database: Option<&str>,
    round: usize,
    instances: usize,
) -> Result<Vec<Server>> {
    (0..instances)
        .map(|i| start_one(&dir.join(format!("server-{round}-{i}")), database))
        .collect()
}

fn start_one(dir: &Path, database: Option<&str>) -> Result<Server> {
    std::fs::create_dir_all(dir)?;
    let bin = root().join("target").join("release").join("server");
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let log_path = dir.join("server.log");
    let mut log = std::fs::File::create(&log_path)?;
    let started = Instant::now();
    let mut c = Command::new(&bin);
    c.env("KNOCK_ADDR", format!("127.0.0.1:{port}"))
        .env("KNOCK_DATA_DIR", dir.join("db"))
        .env("KNOCK_DIST_DIR", dir.join("dist"))
        .env("KNOCK_DEMO", "1");
    match database {
        Some(url) => c.env("KNOCK_DATABASE_URL", url),
        // One set in the caller's environment would turn a SQLite run into a PostgreSQL one.
        None => c.env_remove("KNOCK_DATABASE_URL"),
    };
    let mut child = c
        .stdout(Stdio::piped())
        .stderr(log.try_clone()?)
        .spawn()
        .with_context(|| format!("starting {}", bin.display()))?;
    let stdout = child.stdout.take().context("server stdout")?;
    let mut server = Server {
        child,
        base: String::new(),
        ready_after: Duration::ZERO,
        passwords: HashMap::new(),
        data_dir: dir.join("db"),
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

/// The processes whose CPU time the bench reports.
pub struct CpuProbe {
    pub servers: Vec<u32>,
    /// PostgreSQL's postmaster: it and its backends.
    pub database: Option<u32>,
}

/// CPU seconds used so far, or between two samples: the servers, the database, the bench.
#[derive(Clone, Copy)]
pub struct Cpu {
    pub servers: Option<f64>,
    pub database: Option<f64>,
    pub bench: Option<f64>,
}

impl CpuProbe {
    pub fn sample(&self) -> Cpu {
        Cpu {
            servers: self.servers.iter().map(|p| cpu_secs(*p)).sum(),
            database: self.database.and_then(tree_cpu_secs),
            bench: cpu_secs(std::process::id()),
        }
    }
}

impl Cpu {
    pub fn since(&self, before: &Cpu) -> Cpu {
        let d = |a: Option<f64>, b: Option<f64>| a.zip(b).map(|(a, b)| a - b);
        Cpu {
            servers: d(self.servers, before.servers),
            database: d(self.database, before.database),
            bench: d(self.bench, before.bench),
        }
    }
}

/// Fields 3 onward of `/proc/<pid>/stat` (the command name before them may hold spaces).
fn stat(pid: u32) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    Some(
        stat.rsplit_once(')')?
            .1
            .split_whitespace()
            .map(str::to_owned)
            .collect(),
    )
}

/// utime + stime (fields 14 and 15), and with `reaped` also cutime + cstime (16 and 17: the
/// children it has waited for), in seconds: clock ticks of 1/100 s on Linux.
fn ticks(fields: &[String], reaped: bool) -> Option<f64> {
    let n = |i: usize| fields.get(i - 3)?.parse::<f64>().ok();
    let own = n(14)? + n(15)?;
    let secs = if reaped { own + n(16)? + n(17)? } else { own };
    Some(secs / 100.0)
}

/// CPU seconds (user and system, all threads) a process has used so far.
fn cpu_secs(pid: u32) -> Option<f64> {
    ticks(&stat(pid)?, false)
}

/// CPU seconds of a process, of its children still running (PostgreSQL's backends) and of
/// those that ended (counted in their parent once reaped).
fn tree_cpu_secs(pid: u32) -> Option<f64> {
    let mut total = ticks(&stat(pid)?, true)?;
    for entry in std::fs::read_dir("/proc").ok()?.filter_map(|e| e.ok()) {
        let Some(child) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        if let Some(fields) = stat(child) {
            if fields.get(1).and_then(|p| p.parse::<u32>().ok()) == Some(pid) {
                total += ticks(&fields, true).unwrap_or(0.0);
            }
        }
    }
    Some(total)
}
