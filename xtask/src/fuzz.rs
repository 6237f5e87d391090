//! The fuzz targets of `fuzz/` (libFuzzer through cargo-fuzz): a few seconds each in
//! `cargo xtask test`, a crash counted as a failure with the input that caused it, and
//! `cargo xtask fuzz <target>|all [--seconds N]` for a longer run.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use anyhow::{bail, Context, Result};

use crate::{cmd, root, say, status, toolchain, Tally};

/// Every target in `fuzz/fuzz_targets/`, each with a seed corpus in `fuzz/corpus/<target>/`.
pub const TARGETS: &[&str] = &[
    "push_decode",
    "hlc_parse",
    "cursor_parse",
    "csv_read",
    "xlsx_read",
];

/// Seconds each target runs in `cargo xtask test`.
const TEST_SECONDS: u64 = 10;
/// Seconds each target runs in `cargo xtask fuzz` unless told.
const DEFAULT_SECONDS: u64 = 300;

/// `cargo fuzz` on this stable toolchain: it passes nightly-only flags, which
/// `RUSTC_BOOTSTRAP=1` lets stable rustc accept. No sanitizer: the code under test is safe
/// Rust, where AddressSanitizer finds nothing and doubles the build; debug assertions catch
/// overflow instead.
fn cargo_fuzz(sub: &str) -> Command {
    let mut c = cmd("cargo");
    c.args(["fuzz", sub, "--sanitizer", "none", "--debug-assertions"])
        .env("RUSTC_BOOTSTRAP", "1");
    c
}

fn build() -> Result<()> {
    toolchain::ensure_cargo_fuzz()?;
    say("building the fuzz targets (cargo fuzz, release with debug assertions)");
    let started = Instant::now();
    status(&mut cargo_fuzz("build"))?;
    say(&format!(
        "fuzz targets built in {:.0} s",
        started.elapsed().as_secs_f64()
    ));
    Ok(())
}

/// What one run of a target came to.
enum Outcome {
    Clean {
        runs: u64,
    },
    /// The inputs libFuzzer saved for the failure, and where its output is.
    Crashed {
        inputs: Vec<String>,
        /// The panic's location and message, as the target printed them.
        panics: Vec<String>,
        log: PathBuf,
    },
}

/// Runs `target` for `seconds` on its committed seeds, writing what it finds into a working
/// corpus under `target/` so the committed one stays as it is.
fn run(target: &str, seconds: u64) -> Result<Outcome> {
    let work = root().join("target/fuzz-corpus").join(target);
    std::fs::create_dir_all(&work)?;
    let logs = root().join("target/fuzz-logs");
    std::fs::create_dir_all(&logs)?;
    let log_path = logs.join(format!("{target}.log"));
    let log = std::fs::File::create(&log_path)?;
    let s = cargo_fuzz("run")
        .arg(target)
        .arg(&work)
        .arg(root().join("fuzz/corpus").join(target))
        .args([
            "--",
            &format!("-max_total_time={seconds}"),
            // An input that takes this long is a hang: a failure like a crash.
            "-timeout=10",
            "-print_final_stats=1",
        ])
        .stdout(log.try_clone()?)
        .stderr(log)
        .status()
        .with_context(|| format!("starting cargo fuzz run {target}"))?;
    let text = std::fs::read_to_string(&log_path).unwrap_or_default();
    if s.success() {
        let runs = text
            .lines()
            .find_map(|l| l.strip_prefix("stat::number_of_executed_units:"))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(0);
        return Ok(Outcome::Clean { runs });
    }
    let inputs = text
        .lines()
        .filter_map(|l| l.split_once("Test unit written to "))
        .map(|(_, path)| path.trim().to_owned())
        .collect();
    let lines: Vec<&str> = text.lines().collect();
    let panics = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.contains("panicked at"))
        .flat_map(|(i, _)| {
            lines[i..lines.len().min(i + 2)]
                .iter()
                .map(|l| l.to_string())
        })
        .collect();
    Ok(Outcome::Crashed {
        inputs,
        panics,
        log: log_path,
    })
}

/// Reports an outcome; true when the target ran clean.
fn report(target: &str, outcome: &Outcome, seconds: u64) -> bool {
    match outcome {
        Outcome::Clean { runs } => {
            println!("fuzz {target}: ok, {runs} inputs in {seconds} s");
            true
        }
        Outcome::Crashed {
            inputs,
            panics,
            log,
        } => {
            println!("fuzz {target}: FAILED (output: {})", log.display());
            for input in inputs {
                println!(
                    "  crash input: {input}\n  reproduce: RUSTC_BOOTSTRAP=1 cargo fuzz run --sanitizer none --debug-assertions {target} {input}"
                );
            }
            for line in panics {
                println!("  {line}");
            }
            if inputs.is_empty() {
                println!("  no input was saved: the build or the run itself failed");
            }
            false
        }
    }
}

/// The step of `cargo xtask test`: build once, then each target for [`TEST_SECONDS`].
pub fn test_step() -> Tally {
    say(&format!(
        "fuzz targets, {TEST_SECONDS} s each (cargo fuzz, libFuzzer)"
    ));
    let started = Instant::now();
    if let Err(e) = build() {
        eprintln!("xtask: the fuzz targets did not build: {e:#}");
        return Tally::failed(1);
    }
    let mut tally = Tally::default();
    for target in TARGETS {
        let ok = match run(target, TEST_SECONDS) {
            Ok(outcome) => report(target, &outcome, TEST_SECONDS),
            Err(e) => {
                println!("fuzz {target}: FAILED to run: {e:#}");
                false
            }
        };
        tally += if ok {
            Tally::passed(1)
        } else {
            Tally::failed(1)
        };
    }
    say(&format!(
        "fuzzing took {:.0} s",
        started.elapsed().as_secs_f64()
    ));
    tally
}

/// `cargo xtask fuzz <target>|all [--seconds N]`.
pub fn command(args: &[String]) -> Result<()> {
    let usage = || {
        format!(
            "usage: cargo xtask fuzz <target>|all [--seconds N]\n\ntargets: {}\nEach runs {DEFAULT_SECONDS} s unless told; new inputs it finds go to target/fuzz-corpus/<target>/\n(copy the few worth keeping into fuzz/corpus/<target>/), crashes to fuzz/artifacts/<target>/.",
            TARGETS.join(", ")
        )
    };
    let mut seconds = DEFAULT_SECONDS;
    let mut chosen: Option<&str> = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--seconds" => {
                seconds = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|n| *n > 0)
                    .with_context(usage)?;
            }
            t if chosen.is_none() && (t == "all" || TARGETS.contains(&t)) => chosen = Some(t),
            _ => bail!("{}", usage()),
        }
    }
    let Some(chosen) = chosen else {
        bail!("{}", usage())
    };
    let targets: Vec<&str> = match chosen {
        "all" => TARGETS.to_vec(),
        t => vec![t],
    };
    build()?;
    let mut failed = 0;
    for target in targets {
        say(&format!("fuzzing {target} for {seconds} s"));
        if !report(target, &run(target, seconds)?, seconds) {
            failed += 1;
        }
    }
    if failed > 0 {
        bail!("{failed} fuzz target(s) crashed");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_target_has_its_source_and_a_seed_corpus() {
        for t in TARGETS {
            let src = root().join("fuzz/fuzz_targets").join(format!("{t}.rs"));
            assert!(src.exists(), "{} is missing", src.display());
            let seeds = std::fs::read_dir(root().join("fuzz/corpus").join(t))
                .map(|d| d.count())
                .unwrap_or(0);
            assert!(seeds > 0, "fuzz/corpus/{t}/ has no seed");
        }
    }
}
