//! Installs, when missing, each tool Knock's build and tests need, at the versions that work on
//! these machines (see `docs/toolchain.md`). A second run finds them all and is quick.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::{cmd, root, say, status};

/// The tool that cuts the app's wasm at its split points (`wasm-split-cli`), the version the
/// Leptos in Cargo.lock writes split points for.
const WASM_SPLIT_VERSION: &str = "0.2.4";
/// The newest cargo-deny on crates.io today; it needs rustc 1.88, this machine has 1.95.
const CARGO_DENY_VERSION: &str = "0.20.2";
const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// PATH with the project's npm tool bin (wasm-opt) and cargo's bin first.
pub fn path_with_tools() -> OsString {
    let mut dirs = vec![root().join("xtask/npm/node_modules/.bin")];
    if let Some(home) = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
    {
        dirs.push(home.join("bin"));
    }
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(dirs).unwrap_or_default()
}

/// Free space a run of every test from a clean clone wants where cargo builds: its `target/`
/// came to 8.1 GB (BENCHMARKS.md, 2026-12-07), and a PostgreSQL cluster and the browsers' files
/// take some more.
const TEST_RUN_BYTES: u64 = 12 * 1_000_000_000;

/// Says so, before hours of building, when the disk under `dir` has less free space than a full
/// test run writes: a CI run once stopped with "No space left on device" deep in a build, where
/// nothing said why.
pub fn warn_if_little_disk(dir: &Path) {
    let Some(df) = output_of("df", &["-Pk", &dir.to_string_lossy()]) else {
        return;
    };
    if let Some(free) = free_bytes(&df).filter(|free| *free < TEST_RUN_BYTES) {
        say(&format!(
            "warning: {:.1} GB free under {}, and a full test run writes about {} GB there: \
             free some space if a build stops with \"No space left on device\"",
            free as f64 / 1e9,
            dir.display(),
            TEST_RUN_BYTES / 1_000_000_000
        ));
    }
}

/// The free bytes `df -Pk` reports for its one file system.
fn free_bytes(df: &str) -> Option<u64> {
    let line = df.lines().nth(1)?;
    let kb: u64 = line.split_whitespace().nth(3)?.parse().ok()?;
    Some(kb * 1024)
}

pub fn output_of(program: &str, args: &[&str]) -> Option<String> {
    let out = cmd(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The exact `wasm-bindgen` version in Cargo.lock: the CLI must be the same.
fn locked_wasm_bindgen() -> Result<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).context("reading Cargo.lock")?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            if let Some(v) = lines.next().and_then(|l| l.strip_prefix("version = \"")) {
                return Ok(v.trim_end_matches('"').to_owned());
            }
        }
    }
    bail!("Cargo.lock has no wasm-bindgen package")
}

pub fn ensure_build_tools() -> Result<()> {
    let targets = output_of("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if !targets
        .lines()
        .any(|t| t.trim() == "wasm32-unknown-unknown")
    {
        say("installing the wasm32-unknown-unknown target (rustup)");
        status(cmd("rustup").args(["target", "add", "wasm32-unknown-unknown"]))?;
    }
    // The app's wasm is built with its own standard library, for size (`app_build::BUILD_STD`).
    let components = output_of("rustup", &["component", "list", "--installed"]).unwrap_or_default();
    if !components.lines().any(|c| c.trim() == "rust-src") {
        say("installing the standard library's source (rustup component add rust-src)");
        status(cmd("rustup").args(["component", "add", "rust-src"]))?;
    }

    // It prints no version of its own: cargo's list of installed packages says which it is.
    let installed = output_of("cargo", &["install", "--list"]).unwrap_or_default();
    let split = format!("wasm_split_cli_support v{WASM_SPLIT_VERSION}:");
    if !installed.lines().any(|l| l == split) || output_of("wasm-split-cli", &["--help"]).is_none()
    {
        say(&format!(
            "installing wasm-split-cli {WASM_SPLIT_VERSION} (cargo install, about 2 minutes, once)"
        ));
        status(cmd("cargo").args([
            "install",
            "--locked",
            "wasm_split_cli_support",
            "--version",
            WASM_SPLIT_VERSION,
            "--features",
            "build-binary",
        ]))?;
    }

    let wbg = locked_wasm_bindgen()?;
    let have = output_of("wasm-bindgen", &["--version"]).unwrap_or_default();
    if have.split_whitespace().nth(1) != Some(wbg.as_str()) {
        say(&format!("installing wasm-bindgen-cli {wbg} to match Cargo.lock (cargo install, a few minutes, once)"));
        // Not --locked: the registry lacks some of the CLI's locked dependency versions.
        status(cmd("cargo").args(["install", "--force", "wasm-bindgen-cli", "--version", &wbg]))?;
    }

    let npm_dir = root().join("xtask/npm");
    let installed = [
        "node_modules/.bin/wasm-opt",
        "node_modules/.bin/esbuild",
        "node_modules/leaflet/dist/leaflet.js",
    ]
    .iter()
    .all(|f| npm_dir.join(f).exists());
    if !installed {
        say("installing wasm-opt 132 from npm's binaryen (Debian's wasm-opt 108 breaks the app), esbuild and Leaflet");
        status(
            cmd("npm")
                .current_dir(&npm_dir)
                .args(["ci", "--no-audit", "--no-fund"]),
        )?;
    }
    Ok(())
}

/// Debian's Chromium and ChromeDriver for wasm-bindgen-test and Playwright, and CJK fonts so
/// screenshots show Chinese.
pub fn ensure_browser() -> Result<()> {
    let have = |p: &str| std::path::Path::new(p).exists();
    if have("/usr/bin/chromium") && have("/usr/bin/chromedriver") {
        return Ok(());
    }
    let is_root = output_of("id", &["-u"]).is_some_and(|u| u.trim() == "0");
    if !is_root {
        bail!("Chromium is missing: run `sudo apt-get install chromium chromium-driver fonts-noto-cjk` and try again");
    }
    say("installing Debian's chromium, chromium-driver and fonts-noto-cjk (apt-get)");
    status(Command::new("apt-get").arg("update").arg("-q"))?;
    status(
        Command::new("apt-get")
            .args([
                "install",
                "-y",
                "-q",
                "--no-install-recommends",
                "chromium",
                "chromium-driver",
                "fonts-noto-cjk",
            ])
            .env("DEBIAN_FRONTEND", "noninteractive"),
    )?;
    Ok(())
}

/// Playwright from npm, at the version in e2e/package-lock.json; never its own browser download.
pub fn ensure_e2e_packages() -> Result<()> {
    ensure_npm_dir(&root().join("e2e"), "the e2e packages (npm ci in e2e/)")
}

/// Lighthouse, for `cargo xtask bench app` alone: 200 packages the tests do not need.
pub fn ensure_lighthouse() -> Result<()> {
    ensure_npm_dir(
        &root().join("e2e/lighthouse"),
        "Lighthouse for the app benchmarks (npm ci in e2e/lighthouse/)",
    )
}

/// `npm ci` in `dir` unless its node_modules is at least as new as its lock file.
fn ensure_npm_dir(dir: &Path, what: &str) -> Result<()> {
    let installed = dir.join("node_modules/.package-lock.json");
    let lock = dir.join("package-lock.json");
    let fresh = match (std::fs::metadata(&installed), std::fs::metadata(&lock)) {
        (Ok(i), Ok(l)) => i.modified()? >= l.modified()?,
        _ => false,
    };
    if !fresh {
        say(&format!("installing {what}"));
        status(
            cmd("npm")
                .current_dir(dir)
                .args(["ci", "--no-audit", "--no-fund"])
                .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1"),
        )?;
    }
    Ok(())
}

/// `cargo install --locked <krate> --version <version>` unless `<binary> --version` already says
/// that version; `minutes` is what the install took here, for the message.
fn ensure_cargo_tool(krate: &str, binary: &str, version: &str, minutes: &str) -> Result<()> {
    let have = output_of(binary, &["--version"]).unwrap_or_default();
    if have.split_whitespace().any(|w| w == version) {
        return Ok(());
    }
    say(&format!(
        "installing {krate} {version} (cargo install, {minutes}, once)"
    ));
    status(cmd("cargo").args(["install", "--locked", krate, "--version", version]))
}

/// cargo-deny, for the dependency checks (advisories, licences, bans, sources; `deny.toml`).
pub fn ensure_cargo_deny() -> Result<()> {
    ensure_cargo_tool(
        "cargo-deny",
        "cargo-deny",
        CARGO_DENY_VERSION,
        "about 6 minutes",
    )
}

/// cargo-fuzz, for the libFuzzer targets of `fuzz/`.
pub fn ensure_cargo_fuzz() -> Result<()> {
    ensure_cargo_tool(
        "cargo-fuzz",
        "cargo-fuzz",
        CARGO_FUZZ_VERSION,
        "about 3 minutes",
    )
}

#[cfg(test)]
mod tests {
    use super::free_bytes;

    #[test]
    fn free_space_is_read_from_df() {
        let df = "Filesystem     1024-blocks     Used Available Capacity Mounted on\n\
                  /dev/vda         263174212 55040216 196879104      22% /\n";
        assert_eq!(free_bytes(df), Some(196_879_104 * 1024));
        assert_eq!(free_bytes("Filesystem 1024-blocks Used Available\n"), None);
        assert_eq!(free_bytes(""), None);
    }
}
