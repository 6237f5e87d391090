//! `cargo xtask run | test | build | bench | fuzz | deny | postgres`: everything a fresh machine
//! with only Rust, Node.js and npm needs to run, test and measure Knock, installed at pinned
//! versions (and Debian's PostgreSQL and Chromium), saying what it does.

mod app_build;
mod bench;
mod bench_login;
mod compress;
mod deny;
mod fuzz;
mod postgres;
mod toolchain;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("run") => run(),
        Some("build") => build_app().map(|_| ()),
        Some("test") => test(&args[1..]),
        Some("e2e") => e2e(&args[1..]).and_then(|t| match t.failed {
            0 => Ok(()),
            n => bail!("{n} journeys failed"),
        }),
        Some("bench") if args.get(1).map(String::as_str) == Some("app") => bench_app(&args[2..]),
        // The roster import's duplicate search, in-process: model/examples/dedupe.rs.
        Some("bench") if args.get(1).map(String::as_str) == Some("dedupe") => status(
            cmd("cargo")
                .args([
                    "run",
                    "--release",
                    "--quiet",
                    "--package",
                    "model",
                    "--example",
                    "dedupe",
                    "--",
                ])
                .args(&args[2..]),
        ),
        Some("bench") if args.get(1).map(String::as_str) == Some("login") => {
            bench_login::run(&args[2..])
        }
        Some("bench") => bench::run(&args[1..]),
        Some("fuzz") => fuzz::command(&args[1..]),
        Some("deny") => deny::command(),
        Some("postgres") => postgres::command(),
        _ => {
            eprintln!(
                "usage: cargo xtask <command>\n\n  run     install what is missing, build the app, serve Knock on KNOCK_ADDR (default 127.0.0.1:8080)\n  build   install what is missing and build the app into dist/\n  test    install what is missing and run every test (narrow with --skip-postgres, --skip-deny, --skip-fuzz, --skip-wasm, --skip-e2e)\n  e2e [spec…]  build the app and a server and run the Playwright journeys, all or those named (e.g. tests/roles.spec.ts)\n  fuzz <target>|all [--seconds N]   fuzz longer than the test does (default 300 s a target)\n  deny    only the dependency checks of test (advisories, licences, bans, sources)\n  postgres  a throw-away PostgreSQL on a free loopback port with an empty database, until Ctrl-C\n  bench sync   load-generate the sync API of a release server (cargo xtask bench sync --help)\n  bench app [file…]  the app benchmarks in headless Chromium against a release server (all, or e.g. bench/lists.bench.ts)\n  bench dedupe the roster import's duplicate search, indexed and not [RESIDENTS ROWS]\n  bench login  a release server's memory and a real login under a flood of failed logins"
            );
            std::process::exit(2);
        }
    };
    if let Err(e) = result {
        eprintln!("xtask: {e:#}");
        std::process::exit(1);
    }
}

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

pub fn say(msg: &str) {
    eprintln!("==> {msg}");
}

/// A command run from the workspace root with the project's tool directories first in PATH.
pub fn cmd(program: &str) -> Command {
    let mut c = Command::new(program);
    c.current_dir(root())
        .env("PATH", toolchain::path_with_tools());
    c
}

pub fn status(c: &mut Command) -> Result<()> {
    let s = c.status().with_context(|| format!("starting {c:?}"))?;
    if !s.success() {
        bail!("{c:?} failed ({s})");
    }
    Ok(())
}

fn build_app() -> Result<PathBuf> {
    toolchain::ensure_build_tools()?;
    let dist = app_build::build()?;
    say("compressing the app's files (brotli and gzip, best)");
    let report = compress::precompress(&dist)?;
    say(&report.to_string());
    Ok(dist)
}

fn run() -> Result<()> {
    let dist = build_app()?;
    say("building and starting the server (release)");
    let mut server = cmd("cargo");
    server
        .args(["run", "--release", "--quiet", "--package", "server"])
        .env("KNOCK_DIST_DIR", &dist);
    // A newcomer gets the demo community and its accounts; the server alone seeds none.
    if std::env::var_os("KNOCK_DEMO").is_none() {
        server.env("KNOCK_DEMO", "1");
    }
    let s = server.status().context("starting the server")?;
    if !s.success() {
        bail!("the server stopped ({s})");
    }
    Ok(())
}

/// Counts of one test step, from its runner's own summary.
#[derive(Default, Debug, Clone, Copy)]
pub struct Tally {
    pub passed: u64,
    pub failed: u64,
    /// Checks that could not run here (the advisory database out of reach), said as they were.
    pub skipped: u64,
}

impl Tally {
    pub fn passed(n: u64) -> Tally {
        Tally {
            passed: n,
            ..Tally::default()
        }
    }

    pub fn failed(n: u64) -> Tally {
        Tally {
            failed: n,
            ..Tally::default()
        }
    }
}

impl std::ops::AddAssign for Tally {
    fn add_assign(&mut self, o: Tally) {
        self.passed += o.passed;
        self.failed += o.failed;
        self.skipped += o.skipped;
    }
}

/// Runs a cargo test command, echoing its output, and sums its `test result:` lines.
fn cargo_tests(label: &str, c: &mut Command) -> Tally {
    say(label);
    let out = match c.stderr(Stdio::inherit()).output() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("xtask: cannot start {label}: {e}");
            return Tally::failed(1);
        }
    };
    let text = String::from_utf8_lossy(&out.stdout);
    print!("{text}");
    let mut t = Tally::default();
    for line in text
        .lines()
        .filter(|l| l.trim_start().starts_with("test result:"))
    {
        t.passed += number_before(line, " passed");
        t.failed += number_before(line, " failed");
    }
    if !out.status.success() && t.failed == 0 {
        // A build failure runs no test: count the step itself as failed so the run is red.
        eprintln!("xtask: {label} failed before any test ran");
        t.failed = 1;
    }
    t
}

fn number_before(line: &str, word: &str) -> u64 {
    line.find(word)
        .and_then(|i| line[..i].rsplit(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn test(args: &[String]) -> Result<()> {
    let skip = |step: &str| args.iter().any(|a| *a == format!("--skip-{step}"));
    let skip_e2e = skip("e2e");
    let skip_wasm = skip("wasm");
    let started = Instant::now();
    let mut total = Tally::default();
    toolchain::warn_if_little_disk(&app_build::cargo_target_dir());

    total += cargo_tests(
        "crate tests (model, server, xtask)",
        cmd("cargo").args(["test", "--workspace", "--exclude", "app"]),
    );
    if !skip("postgres") {
        total += server_tests_on_postgres();
    }
    if !skip("deny") {
        total += deny::check();
    }
    if !skip("fuzz") {
        total += fuzz::test_step();
    }

    if !skip_wasm || !skip_e2e {
        toolchain::ensure_build_tools()?;
        toolchain::ensure_browser()?;
    }
    if !skip_wasm {
        total += cargo_tests(
            "app tests in headless Chromium (wasm-bindgen-test)",
            cmd("cargo")
                .args([
                    "test",
                    "--package",
                    "app",
                    "--target",
                    "wasm32-unknown-unknown",
                ])
                .env("CHROMEDRIVER", "/usr/bin/chromedriver")
                .env(
                    "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                    "wasm-bindgen-test-runner",
                )
                .env("WASM_BINDGEN_TEST_TIMEOUT", "120"),
        );
    }
    if !skip_e2e {
        total += e2e(&[])?;
    }
    say(&format!(
        "all tests took {:.0} s",
        started.elapsed().as_secs_f64()
    ));
    if total.skipped > 0 {
        println!(
            "{} passed, {} failed, {} skipped",
            total.passed, total.failed, total.skipped
        );
    } else {
        println!("{} passed, {} failed", total.passed, total.failed);
    }
    if total.failed > 0 {
        std::process::exit(1);
    }
    Ok(())
}

/// The server's tests again, each storage and integration test on a fresh database of a
/// throw-away PostgreSQL cluster (the fixtures read `KNOCK_TEST_POSTGRES`). A cluster that
/// cannot start is one failed test, not the end of the run; it is stopped when this returns.
fn server_tests_on_postgres() -> Tally {
    let cluster = match postgres::Cluster::start(postgres::Purpose::Test) {
        Ok(c) => c,
        Err(e) => {
            eprintln!(
                "xtask: no PostgreSQL for the server tests (--skip-postgres skips them): {e:#}"
            );
            return Tally::failed(1);
        }
    };
    say(&format!(
        "PostgreSQL cluster for the tests at {}",
        cluster.admin_url()
    ));
    cargo_tests(
        "server tests on PostgreSQL",
        cmd("cargo")
            .args(["test", "--package", "server"])
            .env("KNOCK_TEST_POSTGRES", cluster.admin_url()),
    )
}

/// Builds the app and the server, starts the server on a free port with a temporary data
/// directory, runs the Playwright journeys against it (all, or those `specs` name) and stops it.
fn e2e(specs: &[String]) -> Result<Tally> {
    let dist = build_app()?;
    // `cargo xtask e2e` on its own, on a fresh machine, needs the browser as much as `test` does.
    toolchain::ensure_browser()?;
    toolchain::ensure_e2e_packages()?;
    say("building the server for the journeys");
    status(cmd("cargo").args(["build", "--quiet", "--package", "server"]))?;
    let data = root().join("target").join("e2e-data");
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data)?;
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let base = format!("http://127.0.0.1:{port}");
    let server_bin = root().join("target").join("debug").join("server");
    let log = std::fs::File::create(data.join("server.log"))?;
    let server = Command::new(&server_bin)
        .env("KNOCK_ADDR", format!("127.0.0.1:{port}"))
        .env("KNOCK_DATA_DIR", data.join("db"))
        .env("KNOCK_DIST_DIR", &dist)
        .env("KNOCK_DEMO", "1")
        .stdout(log.try_clone()?)
        .stderr(log)
        .spawn()
        .with_context(|| format!("starting {}", server_bin.display()))?;
    let mut guard = KillOnDrop(server);
    wait_healthy(port, &mut guard.0)?;
    let accounts = demo_accounts(&data.join("server.log"))?;

    say(&format!("Playwright journeys against {base}"));
    let report = data.join("playwright.json");
    let s = cmd("npx")
        .current_dir(root().join("e2e"))
        .args(["playwright", "test", "--reporter=list,json"])
        .args(specs)
        .env("BASE_URL", &base)
        .env("KNOCK_SERVER_BIN", &server_bin)
        .env("KNOCK_DIST_DIR", &dist)
        .env("KNOCK_DEMO_ACCOUNTS", &accounts)
        .env("PLAYWRIGHT_JSON_OUTPUT_NAME", &report)
        .status()
        .context("starting Playwright")?;
    drop(guard);
    let tally = std::fs::read_to_string(&report)
        .ok()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok())
        .map(|v| {
            let n = |k: &str| v["stats"][k].as_u64().unwrap_or(0);
            Tally {
                passed: n("expected") + n("flaky"),
                failed: n("unexpected"),
                skipped: 0,
            }
        })
        .unwrap_or_default();
    if !s.success() && tally.failed == 0 {
        eprintln!(
            "xtask: Playwright failed before any journey ran (server log: {})",
            data.join("server.log").display()
        );
        return Ok(Tally { failed: 1, ..tally });
    }
    Ok(tally)
}

/// The Playwright benchmarks of `e2e/bench/` against a release server with a fresh demo database:
/// all, or the files named (e.g. `bench/lists.bench.ts`).
fn bench_app(files: &[String]) -> Result<()> {
    let dist = build_app()?;
    toolchain::ensure_browser()?;
    toolchain::ensure_e2e_packages()?;
    toolchain::ensure_lighthouse()?;
    say("building the server (release)");
    status(cmd("cargo").args(["build", "--release", "--quiet", "--package", "server"]))?;
    let data = root().join("target").join("bench-app-data");
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data)?;
    let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let server = Command::new(root().join("target/release/server"))
        .env("KNOCK_ADDR", format!("127.0.0.1:{port}"))
        .env("KNOCK_DATA_DIR", data.join("db"))
        .env("KNOCK_DIST_DIR", &dist)
        .env("KNOCK_DEMO", "1")
        .stdout(std::fs::File::create(data.join("server.log"))?)
        .stderr(std::fs::File::create(data.join("server.err"))?)
        .spawn()
        .context("starting the release server")?;
    let mut guard = KillOnDrop(server);
    wait_healthy(port, &mut guard.0)?;
    let accounts = demo_accounts(&data.join("server.log"))?;
    say("app benchmarks (Playwright, headless Chromium)");
    status(
        cmd("npx")
            .current_dir(root().join("e2e"))
            .args(["playwright", "test", "-c", "playwright.bench.config.ts"])
            .args(files)
            .env("BASE_URL", format!("http://127.0.0.1:{port}"))
            .env("KNOCK_DEMO_ACCOUNTS", &accounts),
    )
}

/// Waits until the server answers `GET /api/v1/health`: by then it has printed everything it
/// prints at start (its demo accounts among it).
fn wait_healthy(port: u16, server: &mut Child) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(180);
    while Instant::now() < deadline {
        if let Some(s) = server.try_wait()? {
            bail!("the server exited before it was ready ({s}); see its log");
        }
        if health_ok(port) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    bail!("the server did not answer on port {port} within 180 s")
}

fn health_ok(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut c) = std::net::TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = c.set_read_timeout(Some(Duration::from_secs(5)));
    let mut answer = String::new();
    c.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .is_ok()
        && c.read_to_string(&mut answer).is_ok()
        && answer.starts_with("HTTP/1.1 200")
}

/// The `demo account: <role> <user name> <password>` lines of a server's log, as the journeys
/// read them from `KNOCK_DEMO_ACCOUNTS` (their passwords are random for each database).
fn demo_accounts(log: &Path) -> Result<String> {
    let text =
        std::fs::read_to_string(log).with_context(|| format!("reading {}", log.display()))?;
    let lines = demo_account_lines(&text);
    if lines.is_empty() {
        bail!("the server printed no demo account; see {}", log.display());
    }
    Ok(lines.join("\n"))
}

pub fn demo_account_lines(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| l.starts_with("demo account: ") && l.split(' ').count() == 5)
        .collect()
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_counts_from_cargo_and_wasm_bindgen_summaries() {
        let l = "test result: ok. 12 passed; 3 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s";
        assert_eq!(number_before(l, " passed"), 12);
        assert_eq!(number_before(l, " failed"), 3);
        assert_eq!(number_before("nothing here", " passed"), 0);
    }

    #[test]
    fn keeps_only_the_demo_account_lines_of_a_log() {
        let log = "Knock is serving at http://127.0.0.1:1/\ndemo account: admin admin Ab3dEf6hJk9m\n\u{1b}[2m2026 INFO\u{1b}[0m demo account: nonsense\ndemo account: grid_worker wangfang x7Yq2RtPz8Kw\n";
        assert_eq!(
            demo_account_lines(log),
            vec![
                "demo account: admin admin Ab3dEf6hJk9m",
                "demo account: grid_worker wangfang x7Yq2RtPz8Kw"
            ]
        );
    }
}
