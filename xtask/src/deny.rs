//! The dependency checks of `cargo xtask test`: cargo-deny's advisories, licences, bans and
//! sources against `deny.toml`, each counted as one test. The advisory database comes from the
//! network; without it the advisories check is skipped with a message, the others still run.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::{cmd, say, toolchain, Tally};

/// Fetching the advisory database may hang on a closed network; it gets this long.
const FETCH_LIMIT: Duration = Duration::from_secs(120);

/// The checks that need nothing from the network.
const OFFLINE_CHECKS: &[&str] = &["licenses", "bans", "sources"];

pub fn check() -> Tally {
    say("dependency checks (cargo deny: advisories, licences, bans, sources; deny.toml)");
    if let Err(e) = toolchain::ensure_cargo_deny() {
        eprintln!("xtask: cannot install cargo-deny: {e:#}");
        return Tally::failed(1);
    }
    let mut tally = Tally::default();
    let started = Instant::now();
    // The checks run offline, on the crates of Cargo.lock: bring any not yet here.
    if let Err(e) = crate::status(cmd("cargo").args(["fetch", "--locked", "--quiet"])) {
        eprintln!("xtask: cannot fetch the locked crates: {e:#}");
        return Tally::failed(1);
    }
    match run_bounded(
        cmd("cargo").args(["deny", "--locked", "fetch", "db"]),
        FETCH_LIMIT,
    ) {
        Ok(()) => tally += one("advisories"),
        Err(reason) => {
            println!("advisories: skipped, the advisory database could not be fetched: {reason}");
            tally.skipped += 1;
        }
    }
    for check in OFFLINE_CHECKS {
        tally += one(check);
    }
    say(&format!(
        "dependency checks took {:.0} s",
        started.elapsed().as_secs_f64()
    ));
    tally
}

/// `cargo xtask deny`: the step on its own.
pub fn command() -> anyhow::Result<()> {
    let t = check();
    if t.failed > 0 {
        anyhow::bail!("{} dependency check(s) failed", t.failed);
    }
    Ok(())
}

/// One `cargo deny check <kind>`, offline: the advisory database was fetched just before.
fn one(kind: &str) -> Tally {
    let s = cmd("cargo")
        .args(["deny", "--locked", "--offline", "check", kind])
        .status();
    match s {
        // cargo deny says "<kind> ok" itself.
        Ok(s) if s.success() => Tally::passed(1),
        Ok(s) => {
            println!("{kind}: FAILED ({s}); see cargo deny's report above and deny.toml");
            Tally::failed(1)
        }
        Err(e) => {
            println!("{kind}: FAILED, cargo deny did not start: {e}");
            Tally::failed(1)
        }
    }
}

/// Runs `c` to completion within `limit`; on failure, the last line it wrote to stderr.
fn run_bounded(c: &mut Command, limit: Duration) -> Result<(), String> {
    let mut child = c
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start cargo deny: {e}"))?;
    let mut stderr = child.stderr.take().expect("piped");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let deadline = Instant::now() + limit;
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break Some(s),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(200)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    let text = reader.join().unwrap_or_default();
    match status {
        Some(s) if s.success() => Ok(()),
        Some(s) => Err(last_line(&text).unwrap_or_else(|| format!("cargo deny fetch {s}"))),
        None => Err(format!("no answer within {} s", limit.as_secs())),
    }
}

/// The last non-empty line, without terminal colours: the error cargo deny ends with.
fn last_line(text: &str) -> Option<String> {
    text.lines()
        .map(strip_ansi)
        .map(|l| l.trim().to_owned())
        .rfind(|l| !l.is_empty())
}

fn strip_ansi(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // CSI: ESC [ parameters, ended by a letter.
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_skip_reason_is_the_last_line_without_colours() {
        let err = "\u{1b}[1m\u{1b}[31merror\u{1b}[0m: failed to fetch\n  caused by: could not resolve host github.com\n\n";
        assert_eq!(
            last_line(err).as_deref(),
            Some("caused by: could not resolve host github.com")
        );
        assert_eq!(last_line("\n \n"), None);
    }
}
