//! The built app's compressed copies: `<file>.br` (brotli, best) and `<file>.gz` (gzip, best)
//! next to every file of `dist/` that compresses, made once at build time so the server only
//! picks one by the browser's `Accept-Encoding` and never compresses a file on a request.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// Text and WebAssembly compress well; images and fonts (png, jpg, woff2…) are compressed
/// already and are left alone.
const COMPRESSIBLE: &[&str] = &[
    "wasm",
    "js",
    "mjs",
    "css",
    "html",
    "htm",
    "json",
    "webmanifest",
    "svg",
    "txt",
    "map",
    "xml",
    "csv",
    "ico",
];

/// The sizes of a dist: every file as it is, and as a browser that takes gzip or brotli gets
/// it (the compressed copy where there is one, the file itself where there is none).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Sizes {
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

impl std::ops::AddAssign for Sizes {
    fn add_assign(&mut self, o: Sizes) {
        self.raw += o.raw;
        self.gzip += o.gzip;
        self.brotli += o.brotli;
    }
}

/// What [`precompress`] found: the whole dist, and the part the login page loads at start
/// ([`loaded_at_start`]; what docs/budgets.md calls the app download).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Report {
    pub dist: Sizes,
    pub app_download: Sizes,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (d, a) = (self.dist, self.app_download);
        write!(
            f,
            "dist: {} B raw, {} B gzip, {} B brotli (the app download, wasm + JS + CSS: {} B raw, {} B gzip, {} B brotli)",
            grouped(d.raw),
            grouped(d.gzip),
            grouped(d.brotli),
            grouped(a.raw),
            grouped(a.gzip),
            grouped(a.brotli),
        )
    }
}

/// Writes the `.br` and `.gz` of each compressible file under `dist` (removing one left from
/// an earlier build where compressing no longer makes the file smaller) and sums the sizes.
pub fn precompress(dist: &Path) -> Result<Report> {
    let mut report = Report::default();
    for path in files(dist)? {
        let sizes = precompress_file(&path)?;
        report.dist += sizes;
        if loaded_at_start(path.strip_prefix(dist).unwrap_or(&path)) {
            report.app_download += sizes;
        }
    }
    Ok(report)
}

/// Whether the login page loads the file at `relative` (to dist) at start: the wasm, JS and CSS
/// at the top level and in the build's app folder (`app-<hash>/`: the main part, its bindings
/// and the loader of the other parts), but not the parts fetched on demand (`split_*`, `chunk_*`)
/// nor Leaflet's files (`vendor/`), which wait for the map.
fn loaded_at_start(relative: &Path) -> bool {
    let web = matches!(extension(relative).as_deref(), Some("wasm" | "js" | "css"));
    let names: Vec<_> = relative.iter().filter_map(|n| n.to_str()).collect();
    web && match names[..] {
        [_] => true,
        [folder, file] => {
            folder.starts_with("app-") && !file.starts_with("split_") && !file.starts_with("chunk_")
        }
        _ => false,
    }
}

/// The sizes of one file, after writing its compressed copies if it is compressible.
fn precompress_file(path: &Path) -> Result<Sizes> {
    let raw = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let len = raw.len() as u64;
    let compressible = extension(path).is_some_and(|e| COMPRESSIBLE.contains(&e.as_str()));
    if !compressible {
        return Ok(Sizes {
            raw: len,
            gzip: len,
            brotli: len,
        });
    }
    // The two encoders are independent and brotli's best quality is slow: one thread each.
    let (br, gz) = std::thread::scope(|s| {
        let br = s.spawn(|| brotli_best(&raw));
        let gz = gzip_best(&raw);
        (br.join().expect("the brotli thread does not panic"), gz)
    });
    Ok(Sizes {
        raw: len,
        brotli: keep_if_smaller(path, "br", &br?, len)?,
        gzip: keep_if_smaller(path, "gz", &gz?, len)?,
    })
}

/// Writes `compressed` as `<path>.<suffix>` when it is smaller than the file (else the server
/// would send more bytes than the plain file) and returns what a browser gets either way.
fn keep_if_smaller(path: &Path, suffix: &str, compressed: &[u8], raw: u64) -> Result<u64> {
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{suffix}"));
    let target = PathBuf::from(name);
    if (compressed.len() as u64) < raw {
        std::fs::write(&target, compressed)
            .with_context(|| format!("writing {}", target.display()))?;
        Ok(compressed.len() as u64)
    } else {
        match std::fs::remove_file(&target) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("removing {}", target.display())),
        }
        Ok(raw)
    }
}

fn brotli_best(data: &[u8]) -> Result<Vec<u8>> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        // The largest standard window (16 MiB): the whole wasm is one window.
        lgwin: 24,
        size_hint: data.len(),
        ..Default::default()
    };
    let mut out = Vec::new();
    brotli::BrotliCompress(&mut &data[..], &mut out, &params).context("brotli")?;
    Ok(out)
}

/// Zopfli's rounds of search per block: 5 found the wasm within 40 B of 15, in a little more
/// than half the time (about 6 s for the main part on these machines, once per build).
const ZOPFLI_ROUNDS: u64 = 5;

/// Gzip as small as a gzip can be: zopfli searches for the deflate stream that zlib's best
/// level only approximates. The main part of the wasm, 406,646 B with zlib at level 9, is
/// 388,590 B: 18 KB less for every browser that is sent the gzip, at no cost to decoding.
fn gzip_best(data: &[u8]) -> Result<Vec<u8>> {
    let options = zopfli::Options {
        iteration_count: std::num::NonZeroU64::new(ZOPFLI_ROUNDS).expect("not zero"),
        ..zopfli::Options::default()
    };
    let mut out = Vec::with_capacity(data.len() / 3);
    zopfli::compress(options, zopfli::Format::Gzip, data, &mut out).context("gzip")?;
    Ok(out)
}

/// Every file under `dir` but the compressed copies themselves, in a stable order.
fn files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        for entry in std::fs::read_dir(&d).with_context(|| format!("listing {}", d.display()))? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else if !matches!(extension(&path).as_deref(), Some("br" | "gz")) {
                out.push(path);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn extension(path: &Path) -> Option<String> {
    path.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
}

/// 1234567 as "1,234,567".
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn unbrotli(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        brotli::Decompressor::new(bytes, 4096)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    fn ungzip(bytes: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn compressible_files_get_copies_that_decode_to_them_and_others_none() {
        let dir = tempfile::tempdir().unwrap();
        let dist = dir.path();
        let js = "export function hello() { return 'hello'; }\n".repeat(200);
        std::fs::write(dist.join("app-0123456789abcdef.js"), &js).unwrap();
        std::fs::create_dir_all(dist.join("vendor/leaflet")).unwrap();
        let css = ".leaflet-pane { z-index: 400; }\n".repeat(50);
        std::fs::write(dist.join("vendor/leaflet/leaflet.css"), &css).unwrap();
        // A png is compressed already; a one-byte file only grows when compressed.
        std::fs::write(dist.join("icon.png"), vec![7u8; 5000]).unwrap();
        std::fs::write(dist.join("tiny.txt"), "a").unwrap();

        let report = precompress(dist).unwrap();

        for (file, text) in [
            ("app-0123456789abcdef.js", &js),
            ("vendor/leaflet/leaflet.css", &css),
        ] {
            let br = std::fs::read(dist.join(format!("{file}.br"))).unwrap();
            let gz = std::fs::read(dist.join(format!("{file}.gz"))).unwrap();
            assert_eq!(unbrotli(&br), text.as_bytes(), "{file}.br");
            assert_eq!(ungzip(&gz), text.as_bytes(), "{file}.gz");
            assert!(br.len() < text.len() && gz.len() < text.len(), "{file}");
        }
        for file in ["icon.png", "tiny.txt"] {
            assert!(!dist.join(format!("{file}.br")).exists(), "{file}.br");
            assert!(!dist.join(format!("{file}.gz")).exists(), "{file}.gz");
        }

        let size = |f: &str| std::fs::metadata(dist.join(f)).unwrap().len();
        let raw = (js.len() + css.len() + 5000 + 1) as u64;
        assert_eq!(report.dist.raw, raw);
        assert_eq!(
            report.dist.brotli,
            size("app-0123456789abcdef.js.br") + size("vendor/leaflet/leaflet.css.br") + 5001
        );
        assert_eq!(
            report.dist.gzip,
            size("app-0123456789abcdef.js.gz") + size("vendor/leaflet/leaflet.css.gz") + 5001
        );
        // Only the top-level JS is loaded at start; Leaflet's CSS waits for the map.
        assert_eq!(report.app_download.raw, js.len() as u64);
        assert!(report.dist.raw > report.app_download.raw);
        assert_eq!(report.app_download.gzip, size("app-0123456789abcdef.js.gz"));

        // A second build over the same dist does not count or compress the copies again.
        assert_eq!(precompress(dist).unwrap(), report);
        assert!(!dist.join("app-0123456789abcdef.js.br.br").exists());
    }

    #[test]
    fn the_start_loads_the_main_part_and_its_loader_but_not_the_parts_on_demand() {
        for file in [
            "styles-0123456789abcdef.css",
            "app-0123456789abcdef/app.js",
            "app-0123456789abcdef/app_bg.wasm",
            "app-0123456789abcdef/__wasm_split.js",
        ] {
            assert!(loaded_at_start(Path::new(file)), "{file}");
        }
        for file in [
            "app-0123456789abcdef/split_later_page_1279.wasm",
            "app-0123456789abcdef/chunk_3.wasm",
            "vendor/leaflet/leaflet.js",
            "vendor/leaflet/leaflet.css",
            "index.html",
            "icon.svg",
        ] {
            assert!(!loaded_at_start(Path::new(file)), "{file}");
        }
    }

    #[test]
    fn a_copy_that_no_longer_helps_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("note.txt");
        std::fs::write(&file, "x".repeat(1000)).unwrap();
        precompress(dir.path()).unwrap();
        assert!(dir.path().join("note.txt.br").exists());
        std::fs::write(&file, "x").unwrap();
        precompress(dir.path()).unwrap();
        assert!(!dir.path().join("note.txt.br").exists());
        assert!(!dir.path().join("note.txt.gz").exists());
    }

    #[test]
    fn figures_are_grouped_by_thousands() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(1_717_000), "1,717,000");
    }
}
