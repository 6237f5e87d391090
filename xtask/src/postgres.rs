//! A throw-away PostgreSQL cluster for the tests and the benches, and `cargo xtask postgres`: the
//! machine's PostgreSQL binaries (Debian's `postgresql`, installed when missing) run `initdb` in a
//! temporary folder and serve it on a free loopback port until the `Cluster` is dropped, or the
//! process is interrupted, when the server is stopped and the folder removed.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, Once};
use std::time::Duration;

use anyhow::{bail, Context, Result};

use crate::{say, status, toolchain};

/// Where Debian puts each PostgreSQL version's binaries: `/usr/lib/postgresql/<version>/bin`.
const DEBIAN_LIB: &str = "/usr/lib/postgresql";
/// The binaries a cluster needs, all from the same version.
const BINARIES: &[&str] = &["initdb", "pg_ctl", "postgres", "psql"];
/// The superuser `initdb` makes; it logs in without a password, and only from this machine.
const SUPERUSER: &str = "knock";

/// What a cluster is for: its settings differ.
pub enum Purpose {
    /// Tests: nothing needs to survive a crash of a cluster that is deleted at the end anyway.
    Test,
    /// Benchmarks and development: the durable defaults, so figures mean what production gets.
    Bench,
}

/// A running PostgreSQL cluster in a temporary folder of its own; stopped and removed on drop.
pub struct Cluster {
    server: Server,
    port: u16,
}

/// What starting and stopping a cluster needs. The clusters of this process are also listed in
/// `RUNNING`, so that an interrupt stops them too: `pg_ctl` detaches the server from our process
/// group, so Ctrl-C alone would leave it running.
#[derive(Clone)]
struct Server {
    bin: PathBuf,
    dir: PathBuf,
    /// As root, initdb, pg_ctl and postgres refuse to run: they run as the `postgres` user.
    as_postgres: bool,
}

static RUNNING: Mutex<Vec<Server>> = Mutex::new(Vec::new());

impl Cluster {
    pub fn start(purpose: Purpose) -> Result<Cluster> {
        let bin = binaries()?;
        let as_postgres = is_root();
        let dir = make_dir(as_postgres)?;
        let server = Server {
            bin,
            dir,
            as_postgres,
        };
        stop_on_signal();
        lock_running().push(server.clone());
        // From here on dropping the cluster stops whatever started and removes the folder.
        let mut cluster = Cluster { server, port: 0 };
        cluster.server.initdb()?;
        let first = free_port()?;
        cluster.port = match cluster.server.start(first, &purpose) {
            Ok(()) => first,
            // Another process may have taken the port between our probe and the server's bind.
            Err(e) => {
                say(&format!(
                    "PostgreSQL did not start on port {first} ({e:#}); trying another port"
                ));
                let second = free_port()?;
                cluster.server.start(second, &purpose)?;
                second
            }
        };
        Ok(cluster)
    }

    /// The postmaster's process id, from its pid file: its backends are its children.
    pub fn pid(&self) -> Option<u32> {
        std::fs::read_to_string(self.server.data().join("postmaster.pid"))
            .ok()?
            .lines()
            .next()?
            .trim()
            .parse()
            .ok()
    }

    /// The superuser's URL of the `postgres` database (trust authentication, loopback only).
    pub fn admin_url(&self) -> String {
        self.url("postgres")
    }

    fn url(&self, database: &str) -> String {
        format!("postgres://{SUPERUSER}@127.0.0.1:{}/{database}", self.port)
    }

    /// Creates the database `name` (lower-case letters, digits and `_`) and returns its URL.
    pub fn create_database(&self, name: &str) -> Result<String> {
        check_name(name)?;
        self.psql(&self.admin_url(), &format!("CREATE DATABASE {name}"))?;
        Ok(self.url(name))
    }

    pub fn drop_database(&self, name: &str) -> Result<()> {
        check_name(name)?;
        self.psql(&self.admin_url(), &format!("DROP DATABASE {name}"))?;
        Ok(())
    }

    /// Runs one SQL command with the cluster's own `psql`; returns what it printed, unaligned.
    pub fn psql(&self, url: &str, sql: &str) -> Result<String> {
        let out = Command::new(self.server.bin.join("psql"))
            .args([
                url,
                "-X",
                "-q",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
            ])
            .stdin(Stdio::null())
            .output()
            .context("starting psql")?;
        if !out.status.success() {
            bail!(
                "psql {sql:?} failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // Held while stopping, so an interrupt now waits for this stop instead of exiting
        // half-way through it.
        let mut running = lock_running();
        running.retain(|s| s.dir != self.server.dir);
        self.server.stop();
    }
}

impl Server {
    /// A command of the cluster's binaries, as the user the server runs as.
    fn command(&self, binary: &str) -> Command {
        let program = self.bin.join(binary);
        let mut c = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(program);
            c
        } else {
            Command::new(program)
        };
        // The workspace may not be readable by `postgres`; the cluster's folder is.
        c.current_dir(&self.dir).stdin(Stdio::null());
        c
    }

    fn data(&self) -> PathBuf {
        self.dir.join("data")
    }

    fn log(&self) -> PathBuf {
        self.dir.join("log")
    }

    fn initdb(&self) -> Result<()> {
        let out = self
            .command("initdb")
            .arg("-D")
            .arg(self.data())
            .args(["-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--locale=C"])
            // Only its end is flushed to disk: the folder is deleted when we are done.
            .arg("--no-sync")
            .output()
            .context("starting initdb")?;
        if !out.status.success() {
            bail!(
                "initdb failed ({}): {}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(())
    }

    fn start(&self, port: u16, purpose: &Purpose) -> Result<()> {
        // Loopback only, and the Unix socket in our own folder (mode 0700): with trust
        // authentication nobody else on the machine may reach it.
        let mut options = format!(
            "-c listen_addresses=127.0.0.1 -p {port} -k {} -c max_connections=300",
            self.dir.display()
        );
        options.push_str(match purpose {
            // A test cluster lives for one run and is deleted after it: waiting for the disk
            // on every commit would only slow the tests, never save anything.
            Purpose::Test => " -c fsync=off -c synchronous_commit=off -c full_page_writes=off",
            Purpose::Bench => " -c shared_buffers=256MB",
        });
        let out = self
            .command("pg_ctl")
            .arg("-D")
            .arg(self.data())
            .arg("-l")
            .arg(self.log())
            .args(["-w", "-t", "60", "start", "-o", &options])
            .output()
            .context("starting pg_ctl")?;
        if !out.status.success() {
            bail!(
                "pg_ctl start failed ({}): {}\nthe end of {}:\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim(),
                self.log().display(),
                log_tail(&self.log(), 20)
            );
        }
        Ok(())
    }

    /// Stops the server (fast, then immediate if that fails) and removes the folder.
    fn stop(&self) {
        if self.data().join("postmaster.pid").exists() {
            let stopped = |mode: &str| {
                self.command("pg_ctl")
                    .arg("-D")
                    .arg(self.data())
                    .args(["-m", mode, "-w", "-t", "30", "stop"])
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success())
            };
            if !stopped("fast") && !stopped("immediate") {
                eprintln!(
                    "xtask: could not stop the PostgreSQL server of {}",
                    self.data().display()
                );
            }
        }
        if let Err(e) = std::fs::remove_dir_all(&self.dir) {
            eprintln!("xtask: could not remove {}: {e}", self.dir.display());
        }
    }
}

/// A database name that needs no quoting: lower-case letters, digits and `_`.
fn check_name(name: &str) -> Result<()> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        bail!("database name {name:?}: use lower-case letters, digits and _");
    }
    Ok(())
}

fn lock_running() -> std::sync::MutexGuard<'static, Vec<Server>> {
    RUNNING.lock().unwrap_or_else(|e| e.into_inner())
}

/// On SIGINT, SIGTERM or SIGHUP: stop every cluster still running and exit as the signal would
/// have. Installed once, when the first cluster starts.
fn stop_on_signal() {
    static WATCHING: Once = Once::new();
    WATCHING.call_once(|| {
        std::thread::spawn(|| {
            let Some(code) = wait_for_signal() else {
                return;
            };
            let mut running = lock_running();
            if !running.is_empty() {
                for server in running.drain(..) {
                    server.stop();
                }
                say("interrupted: PostgreSQL stopped and its folder removed");
            }
            std::process::exit(code);
        });
    });
}

/// Waits for SIGINT, SIGTERM or SIGHUP; the exit code a shell reports for it (128 + number).
fn wait_for_signal() -> Option<i32> {
    use tokio::signal::unix::{signal, SignalKind};
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .ok()?;
    rt.block_on(async {
        let mut interrupt = signal(SignalKind::interrupt()).ok()?;
        let mut terminate = signal(SignalKind::terminate()).ok()?;
        let mut hangup = signal(SignalKind::hangup()).ok()?;
        Some(tokio::select! {
            _ = interrupt.recv() => 130,
            _ = terminate.recv() => 143,
            _ = hangup.recv() => 129,
        })
    })
}

/// The bin folder of the newest PostgreSQL under `/usr/lib/postgresql`, installing Debian's
/// `postgresql` when there is none.
fn binaries() -> Result<PathBuf> {
    if let Some(bin) = newest_bin(Path::new(DEBIAN_LIB)) {
        return Ok(bin);
    }
    install()?;
    newest_bin(Path::new(DEBIAN_LIB)).with_context(|| {
        format!("postgresql is installed but {DEBIAN_LIB}/*/bin has no initdb, pg_ctl, postgres and psql")
    })
}

fn newest_bin(lib: &Path) -> Option<PathBuf> {
    let version =
        |name: &str| -> Option<Vec<u32>> { name.split('.').map(|n| n.parse().ok()).collect() };
    std::fs::read_dir(lib)
        .ok()?
        .filter_map(|e| e.ok())
        .filter_map(|e| Some((version(e.file_name().to_str()?)?, e.path().join("bin"))))
        .filter(|(_, bin)| BINARIES.iter().all(|b| bin.join(b).is_file()))
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, bin)| bin)
}

/// `apt-get install postgresql`, as root or through `sudo -n`; on failure the package lists
/// are refreshed and the install tried once more. Debian's package may create and start a
/// cluster of its own on port 5432: it is left alone, ours is separate.
fn install() -> Result<()> {
    say("PostgreSQL is missing: installing Debian's postgresql (apt-get)");
    let apt = |args: &[&str]| -> Result<()> {
        let mut c = if is_root() {
            Command::new("env")
        } else {
            let mut c = Command::new("sudo");
            c.args(["-n", "env"]);
            c
        };
        c.args(["DEBIAN_FRONTEND=noninteractive", "apt-get", "-q"])
            .args(args);
        status(&mut c)
    };
    let install = ["install", "-y", "--no-install-recommends", "postgresql"];
    if apt(&install).is_err() {
        say("refreshing the package lists (apt-get update) and trying again");
        apt(&["update"])?;
        apt(&install).context(
            "installing postgresql failed; install it yourself (apt-get install postgresql) or skip these tests with --skip-postgres",
        )?;
    }
    Ok(())
}

fn is_root() -> bool {
    toolchain::output_of("id", &["-u"]).is_some_and(|u| u.trim() == "0")
}

/// A new folder `/tmp/knock-pg-<random>`, mode 0700, owned by `postgres` when the server runs
/// as that user. Not under `target/`: the workspace may not be reachable for `postgres`.
fn make_dir(as_postgres: bool) -> Result<PathBuf> {
    use std::os::unix::fs::DirBuilderExt;
    let dir = Path::new("/tmp").join(format!("knock-pg-{}", uuid::Uuid::new_v4().simple()));
    std::fs::DirBuilder::new()
        .mode(0o700)
        .create(&dir)
        .with_context(|| format!("creating {}", dir.display()))?;
    if as_postgres {
        if let Err(e) = status(Command::new("chown").arg("postgres:").arg(&dir)) {
            let _ = std::fs::remove_dir(&dir);
            return Err(e);
        }
    }
    Ok(dir)
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn log_tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// `cargo xtask postgres`: a durable cluster with an empty `knock` database for a developer,
/// until Ctrl-C (or Ctrl-D, or the end of a piped stdin).
pub fn command() -> Result<()> {
    let cluster = Cluster::start(Purpose::Bench)?;
    let db = cluster.create_database("knock")?;
    let version = cluster.psql(&db, "SHOW server_version")?;
    println!(
        "PostgreSQL {version} at {} (superuser {SUPERUSER}, no password, loopback only)",
        cluster.admin_url()
    );
    println!("an empty database for Knock:\n  KNOCK_DATABASE_URL={db} cargo xtask run");
    say(&format!(
        "its folder is {}; Ctrl-C stops the server and removes it",
        cluster.server.dir.display()
    ));
    // Read stdin to its end when someone can end it: a terminal (Ctrl-D) or a pipe (its writer
    // going away). From /dev/null or a file it ends at once: then only a signal stops us.
    let stdin = std::io::stdin();
    if stdin.is_terminal() || stdin_is_pipe() {
        let _ = std::io::copy(&mut stdin.lock(), &mut std::io::sink());
    } else {
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }
    drop(cluster);
    say("PostgreSQL stopped and its folder removed");
    Ok(())
}

fn stdin_is_pipe() -> bool {
    use std::os::unix::fs::FileTypeExt;
    std::fs::metadata("/proc/self/fd/0").is_ok_and(|m| m.file_type().is_fifo())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_cluster_serves_its_databases_and_is_gone_when_dropped() {
        let cluster = Cluster::start(Purpose::Test).expect("a PostgreSQL cluster");
        let dir = cluster.server.dir.clone();
        let port = cluster.port;
        let url = cluster.create_database("xtask_check").unwrap();
        assert_eq!(
            url,
            format!("postgres://knock@127.0.0.1:{port}/xtask_check")
        );
        cluster
            .psql(
                &url,
                "CREATE TABLE t (n int); INSERT INTO t VALUES (1), (2)",
            )
            .unwrap();
        assert_eq!(cluster.psql(&url, "SELECT sum(n) FROM t").unwrap(), "3");
        // The settings of a test cluster, and it listens on loopback only.
        assert_eq!(cluster.psql(&url, "SHOW fsync").unwrap(), "off");
        assert_eq!(
            cluster.psql(&url, "SHOW listen_addresses").unwrap(),
            "127.0.0.1"
        );
        assert!(cluster.create_database("Robert'); DROP").is_err());
        drop(cluster);
        assert!(!dir.exists(), "{} is left", dir.display());
        assert!(
            std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
            "port {port} still answers"
        );
    }

    #[test]
    fn picks_the_newest_version_that_has_every_binary() {
        let lib = tempfile::tempdir().unwrap();
        let make = |version: &str, binaries: &[&str]| {
            let bin = lib.path().join(version).join("bin");
            std::fs::create_dir_all(&bin).unwrap();
            for b in binaries {
                std::fs::write(bin.join(b), "").unwrap();
            }
        };
        assert_eq!(newest_bin(lib.path()), None);
        make("9.6", BINARIES);
        make("15", BINARIES);
        make("16", &["psql"]);
        make("notes", BINARIES);
        assert_eq!(newest_bin(lib.path()), Some(lib.path().join("15/bin")));
        make("17", BINARIES);
        assert_eq!(newest_bin(lib.path()), Some(lib.path().join("17/bin")));
    }
}
