//! Builds the app as the browser gets it, into `dist/`: the wasm cut in two where the app marks a
//! split point (the pages a start does not draw, `app/src/later.rs`), each part optimised, the
//! files of one build in a folder named by their content, and `index.html` filled in.
//!
//! Trunk built the app before, but it cannot cut a wasm: the cut must come between the compiler
//! and wasm-bindgen (trunk-rs/trunk#1022). So the steps are run here, as cargo-leptos runs them
//! for `--split`: cargo (linking with `--emit-relocs`, which the cut reads), `wasm-split-cli`,
//! wasm-bindgen on the main part, `wasm-opt -Oz` on every part.
//!
//! The app's files of one build go into `app-<hash>/`, the hash taken over all of them: the
//! loader of the on-demand part and the main module's JavaScript import each other, so no file
//! can carry the hash of the other in its name, and a folder per build keeps their relative
//! imports. The server keeps what is under such a folder a year (`server/src/assets.rs`).

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use model::fnv::{fnv1a, OFFSET as FNV_OFFSET};

use crate::{cmd, root, say, status};

/// What the compiler writes, for [`cargo_target_dir`].
const WASM: &str = "wasm32-unknown-unknown/wasm-release/app.wasm";
/// The name wasm-bindgen gives the main part's files: `app.js`, `app_bg.wasm` ([`main_files`]).
const OUT_NAME: &str = "app";
/// Leaflet's files the map asks for when it opens (`app/src/components/grid_map.rs`).
const LEAFLET_FILES: [&str; 2] = ["/vendor/leaflet/leaflet.js", "/vendor/leaflet/leaflet.css"];

/// The app's wasm is built with its own standard library (`rust-src`, which
/// `toolchain::ensure_build_tools` installs), made for size: the prebuilt one of the wasm target
/// is built for speed and keeps what a panic prints. Together with [`SIZE_FLAGS`] this took the
/// app download from 403,172 to 358,154 B gzip (BENCHMARKS.md, docs/budgets.md: ≤ 350 KB).
///
/// These are unstable options of the stable compiler, let through by `RUSTC_BOOTSTRAP=1` for
/// this one command: the standard way to a small wasm (`min-sized-rust`), and a build that a
/// new compiler stops taking fails here, loudly, not in a user's browser.
const BUILD_STD: [&str; 2] = [
    "-Zbuild-std=std,panic_abort",
    // Smaller sorts and number formatting: 9 KB gzip, and no cost the benches could see
    // (BENCHMARKS.md).
    "-Zbuild-std-features=optimize_for_size",
];
/// A panic in the app stops it either way (the profile's `panic = "abort"`); these make it stop
/// without formatting a message no one reads on a phone: no panic machinery, no source locations,
/// and `{:?}` writing nothing (so the app's messages and logs use `Display`, never `Debug`:
/// `app/src/browser.rs` `js_error_text`).
const SIZE_FLAGS: [&str; 4] = [
    "-Zunstable-options",
    "-Cpanic=immediate-abort",
    "-Zlocation-detail=none",
    "-Zfmt-debug=none",
];

/// `KNOCK_PANIC_MESSAGES=1`: the app's wasm built with the prebuilt standard library instead,
/// so that a panic prints its message and place in the browser's console, for chasing a crash
/// (about 47 KB more gzip; switching either way compiles the app again).
fn panic_messages() -> bool {
    std::env::var_os("KNOCK_PANIC_MESSAGES").is_some_and(|v| v == "1")
}

/// Builds the app into `dist/` (replaced whole once the new build is complete) and returns it.
pub fn build() -> Result<PathBuf> {
    let started = Instant::now();
    let mut cargo = cmd("cargo");
    cargo.args([
        "build",
        "--package",
        "app",
        "--bin",
        "app",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "wasm-release",
    ]);
    if panic_messages() {
        say("building the app (cargo, wasm-release, with panic messages: KNOCK_PANIC_MESSAGES)");
    } else {
        say("building the app (cargo, wasm-release, the standard library built for size)");
        cargo
            .args(BUILD_STD)
            // Added to `.cargo/config.toml`'s flags for the target, which cargo keeps.
            .env(
                "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS",
                SIZE_FLAGS.join(" "),
            )
            .env("RUSTC_BOOTSTRAP", "1");
    }
    status(&mut cargo)?;
    let work = cargo_target_dir().join("app-build");
    let (split, pkg, stage) = (work.join("split"), work.join("pkg"), work.join("dist"));
    for dir in [&split, &pkg, &stage] {
        fresh_dir(dir)?;
    }

    say("cutting the wasm at its split points (wasm-split-cli)");
    let wasm = cargo_target_dir().join(WASM);
    status(
        cmd("wasm-split-cli")
            .args(["--target", "web", "--out-name", OUT_NAME])
            .arg(&wasm)
            .arg(&split),
    )?;

    say("generating the JavaScript bindings (wasm-bindgen)");
    let split_main = split.join(format!("{OUT_NAME}.wasm"));
    status(
        cmd("wasm-bindgen")
            .args(["--target", "web", "--keep-lld-exports", "--no-typescript"])
            .args(["--out-name", OUT_NAME, "--out-dir"])
            .arg(&pkg)
            .arg(&split_main),
    )?;
    // The on-demand parts and their loader go beside the main part as they are.
    for entry in std::fs::read_dir(&split)? {
        let path = entry?.path();
        if path != split_main {
            std::fs::copy(&path, pkg.join(file_name(&path)?))?;
        }
    }

    say("optimising each part (wasm-opt -Oz) and minifying the JavaScript (esbuild)");
    optimise_all(&pkg)?;
    for entry in std::fs::read_dir(&pkg)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "js") {
            minify(&path)?;
        }
    }

    let app_dir = format!("app-{:016x}", hash_dir(&pkg)?);
    std::fs::rename(&pkg, stage.join(&app_dir))?;
    // Named by what is served: the minified sheet.
    let styles = stage.join("styles.css");
    std::fs::copy(root().join("public/styles.css"), &styles)
        .context("copying public/styles.css")?;
    minify(&styles)?;
    let styles_name = format!(
        "styles-{:016x}.css",
        fnv1a(FNV_OFFSET, &std::fs::read(&styles)?)
    );
    std::fs::rename(&styles, stage.join(&styles_name))?;
    for file in ["sw.js", "manifest.webmanifest", "icon.svg"] {
        std::fs::copy(root().join("public").join(file), stage.join(file))
            .with_context(|| format!("copying public/{file}"))?;
    }
    minify(&stage.join("sw.js"))?;
    copy_dir(
        &root().join("xtask/npm/node_modules/leaflet/dist"),
        &stage.join("vendor/leaflet"),
    )?;

    // What the loader does not name: the service worker finds them in this list. The on-demand
    // parts, and the loader of those parts that the main part's JavaScript imports.
    let [main_js, main_wasm] = main_files();
    let mut lazy: Vec<String> = LEAFLET_FILES.iter().map(|f| (*f).to_owned()).collect();
    let mut parts = Vec::new();
    for entry in std::fs::read_dir(stage.join(&app_dir))? {
        let name = file_name(&entry?.path())?.to_owned();
        if name != main_js && name != main_wasm {
            parts.push(format!("/{app_dir}/{name}"));
        }
    }
    parts.sort();
    lazy.extend(parts);
    let template =
        std::fs::read_to_string(root().join("app/index.html")).context("reading app/index.html")?;
    let html = fill_in(
        &template,
        &[
            ("{styles}", &format!("/{styles_name}")),
            ("{app_js}", &format!("/{app_dir}/{main_js}")),
            ("{app_wasm}", &format!("/{app_dir}/{main_wasm}")),
            ("{lazy_assets}", &serde_json::to_string(&lazy)?),
        ],
    )?;
    std::fs::write(stage.join("index.html"), without_comments(&html)?)?;

    let dist = root().join("dist");
    if dist.exists() {
        std::fs::remove_dir_all(&dist).context("removing the previous dist/")?;
    }
    std::fs::rename(&stage, &dist).context("moving the new build to dist/")?;
    say(&format!(
        "app built in {:.0} s: {}",
        started.elapsed().as_secs_f64(),
        sizes(&dist.join(&app_dir))?
    ));
    Ok(dist)
}

/// The main part's JavaScript and wasm, which `index.html`'s loader names.
fn main_files() -> [String; 2] {
    [format!("{OUT_NAME}.js"), format!("{OUT_NAME}_bg.wasm")]
}

/// Where cargo puts what it builds.
pub fn cargo_target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root().join("target"), PathBuf::from)
}

fn fresh_dir(dir: &Path) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))
}

fn file_name(path: &Path) -> Result<&str> {
    path.file_name()
        .and_then(|n| n.to_str())
        .with_context(|| format!("{} has no file name in UTF-8", path.display()))
}

/// `wasm-opt -Oz` on each `.wasm` of `dir`, all at once (one process a part).
fn optimise_all(dir: &Path) -> Result<()> {
    let mut running = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "wasm") {
            let child = cmd("wasm-opt")
                // The features rustc's wasm32 target turns on, which wasm-bindgen's output keeps.
                .args([
                    "-Oz",
                    "--enable-bulk-memory",
                    "--enable-nontrapping-float-to-int",
                ])
                .arg(&path)
                .arg("-o")
                .arg(&path)
                .spawn()
                .context("starting wasm-opt")?;
            running.push((path, child));
        }
    }
    for (path, mut child) in running {
        let s = child.wait()?;
        if !s.success() {
            bail!("wasm-opt failed on {} ({s})", path.display());
        }
    }
    Ok(())
}

/// Minifies a JavaScript or CSS file in place with esbuild: wasm-bindgen's bindings, our
/// stylesheet and the service worker are written to be read (comments are a third of the
/// stylesheet), and all are on a first visit's path (2.9, 1.4 and 0.6 KB of gzip, issue 14).
/// Names stay as they are: no bundling, the imports and exports kept, the syntax not lowered.
fn minify(path: &Path) -> Result<()> {
    status(
        cmd("esbuild")
            .arg(path)
            .args(["--minify", "--allow-overwrite", "--log-level=warning"])
            .arg(format!("--outfile={}", path.display())),
    )
}

/// `html` without its comments and the space before each: `app/index.html` explains itself to
/// whoever edits it, at a third of the page's bytes, which every first visit waits for before
/// anything else (667 of 1,985 B of gzip). The scripts are left as they are: the server's
/// content security policy names each inline script by the hash of its text.
fn without_comments(html: &str) -> Result<String> {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<!--") {
        let Some(len) = rest[start..].find("-->") else {
            bail!("index.html: a comment that does not end");
        };
        out.push_str(rest[..start].trim_end());
        rest = &rest[start + len + 3..];
    }
    out.push_str(rest);
    Ok(out)
}

/// `template` with each placeholder replaced, every one of which must be there.
fn fill_in(template: &str, values: &[(&str, &str)]) -> Result<String> {
    let mut out = template.to_owned();
    for (placeholder, value) in values {
        if !out.contains(placeholder) {
            bail!("app/index.html has no {placeholder}");
        }
        out = out.replace(placeholder, value);
    }
    Ok(out)
}

/// The content hash of the files of `dir` (names and bytes, in name order).
fn hash_dir(dir: &Path) -> Result<u64> {
    let mut names = std::fs::read_dir(dir)?
        .map(|e| Ok(e?.path()))
        .collect::<Result<Vec<_>>>()?;
    names.sort();
    let mut hash = FNV_OFFSET;
    for path in names {
        hash = fnv1a(hash, file_name(&path)?.as_bytes());
        hash = fnv1a(hash, &std::fs::read(&path)?);
    }
    Ok(hash)
}

/// The size of each file of the build's app folder, for the log.
fn sizes(dir: &Path) -> Result<String> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        out.push(format!(
            "{} {} B",
            file_name(&path)?,
            std::fs::metadata(&path)?.len()
        ));
    }
    out.sort();
    Ok(out.join(", "))
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let path = entry?.path();
        let target = to.join(file_name(&path)?);
        if path.is_dir() {
            copy_dir(&path, &target)?;
        } else {
            std::fs::copy(&path, &target)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_placeholder_is_filled_in_and_a_missing_one_is_an_error() {
        let html = fill_in("<a href='{app}/x'>{app}</a>", &[("{app}", "/app-1")]).unwrap();
        assert_eq!(html, "<a href='/app-1/x'>/app-1</a>");
        assert!(fill_in("<p></p>", &[("{app}", "/app-1")]).is_err());
    }

    #[test]
    fn comments_go_and_everything_else_stays() {
        let html = "<head>\n  <!-- why -->\n  <script>a <!-- b;</script>\n</head>";
        assert!(without_comments(html).is_err());
        let html = "<head>\n  <!-- why,\n  at length -->\n  <script>let a = 1;</script>\n  <!-- more --></head>";
        assert_eq!(
            without_comments(html).unwrap(),
            "<head>\n  <script>let a = 1;</script></head>"
        );
    }
}
