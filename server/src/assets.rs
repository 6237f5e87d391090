//! The built app's files as the browser gets them: the `.br` or `.gz` copy `cargo xtask build`
//! made (xtask/src/compress.rs) when the browser takes it, `index.html` for any path that is not
//! a file (the single-page app's routes), and cache headers by name: a file whose name carries
//! a content hash, or that lies in a build's folder named by one (`app-<hash>/`, where `cargo
//! xtask build` puts the app's wasm and JavaScript), never changes and is kept for a year;
//! everything else (`index.html`, the manifest, the service worker, Leaflet's unhashed files) is
//! checked with the server on each use, so a new version reaches a phone on its next visit.

use std::convert::Infallible;
use std::path::Path;

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use tower::util::BoxCloneSyncService;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeader;

const IMMUTABLE: HeaderValue = HeaderValue::from_static("public, max-age=31536000, immutable");
const NO_CACHE: HeaderValue = HeaderValue::from_static("no-cache");

/// The service that answers every path outside the API from `dist`.
pub fn service(dist: &Path) -> BoxCloneSyncService<Request, Response, Infallible> {
    // The shell is no-cache even where the path asked for looks hashed: an old page asking for
    // a file a new version no longer has gets the shell, which must not be kept as that file.
    let shell = SetResponseHeader::overriding(
        ServeFile::new(dist.join("index.html"))
            .precompressed_br()
            .precompressed_gzip(),
        header::CACHE_CONTROL,
        NO_CACHE,
    );
    let files = ServeDir::new(dist)
        .precompressed_br()
        .precompressed_gzip()
        .fallback(shell);
    let with_headers = tower::ServiceBuilder::new()
        .layer(axum::middleware::from_fn(cache_headers))
        .service(files);
    BoxCloneSyncService::new(with_headers)
}

/// `Cache-Control` by the file name asked for (unless the answer set one itself), and `Vary:
/// Accept-Encoding`, since the same path is answered with brotli, gzip or the plain file.
async fn cache_headers(req: Request, next: Next) -> Response {
    let hashed = is_hashed_path(req.uri().path());
    let mut response = next.run(req).await;
    let found = matches!(
        response.status(),
        StatusCode::OK | StatusCode::PARTIAL_CONTENT | StatusCode::NOT_MODIFIED
    );
    let headers = response.headers_mut();
    headers
        .entry(header::CACHE_CONTROL)
        .or_insert(if hashed && found { IMMUTABLE } else { NO_CACHE });
    let varies = headers.get_all(header::VARY).iter().any(|v| {
        v.to_str().is_ok_and(|v| {
            v.split(',')
                .any(|v| v.trim().eq_ignore_ascii_case("accept-encoding"))
        })
    });
    if !varies {
        headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    response
}

/// Whether the file at `path` is one named by its content: its name ([`is_hashed`]), or the folder
/// it lies in directly (`/app-<hash>/app_bg.wasm`).
pub fn is_hashed_path(path: &str) -> bool {
    let mut segments = path.rsplit('/');
    let file = segments.next().unwrap_or_default();
    let folder = segments.next().unwrap_or_default();
    is_hashed(file) || (!file.is_empty() && is_hash_named(folder))
}

/// Whether `file_name` is one named by its content: `<stem>-<hash>.<ext>`, or
/// `<stem>-<hash>_bg.wasm` for the wasm-bindgen module, the hash being `{:x}` of a 64-bit
/// hash (up to 16 lower-case hex digits; at least 12 are asked for, so a word that happens
/// to be hex, as in `icon-add.svg`, is not taken for a hash: a missed hash costs one
/// revalidation, a false one a year of a stale file).
pub fn is_hashed(file_name: &str) -> bool {
    let Some((stem, ext)) = file_name.rsplit_once('.') else {
        return false;
    };
    if ext.is_empty() {
        return false;
    }
    is_hash_named(stem.strip_suffix("_bg").unwrap_or(stem))
}

/// Whether `stem` is `<name>-<hash>`.
fn is_hash_named(stem: &str) -> bool {
    let Some((name, hash)) = stem.rsplit_once('-') else {
        return false;
    };
    !name.is_empty()
        && (12..=16).contains(&hash.len())
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::{is_hashed, is_hashed_path};

    #[test]
    fn hashed_names_are_told_from_plain_ones() {
        for name in [
            "app-9f2c41d07be3a6e5.js",
            "app-9f2c41d07be3a6e5_bg.wasm",
            "styles-1d2e3f4a5b6c7d8e.css",
            // `{:x}` drops leading zeros.
            "app-f2c41d07be3a6e5.js",
            "icon-0123456789ab.svg",
        ] {
            assert!(is_hashed(name), "{name}");
        }
        for name in [
            "index.html",
            "sw.js",
            "manifest.webmanifest",
            "icon.svg",
            "leaflet.js",
            "leaflet-src.js",
            "icon-add.svg",
            "app-9f2c41d07be3a6e5",
            "app-9f2c41d07be3a6e5.",
            "-9f2c41d07be3a6e5.js",
            "app-9F2C41D07BE3A6E5.js",
            "app-9f2c41d07be3a6e5ff.js",
            "app-9f2c41d07be3a6eg.js",
            "new",
            "",
        ] {
            assert!(!is_hashed(name), "{name}");
        }
    }

    #[test]
    fn files_in_a_builds_folder_are_told_from_plain_ones() {
        for path in [
            "/app-9f2c41d07be3a6e5/app_bg.wasm",
            "/app-9f2c41d07be3a6e5/app.js",
            "/app-9f2c41d07be3a6e5/__wasm_split.js",
            "/app-9f2c41d07be3a6e5/split_later_page_17820534594029162224.wasm",
            "/styles-1d2e3f4a5b6c7d8e.css",
        ] {
            assert!(is_hashed_path(path), "{path}");
        }
        for path in [
            "/",
            "/app-9f2c41d07be3a6e5/",
            "/app-9f2c41d07be3a6e5",
            "/vendor/leaflet/leaflet.js",
            "/households/app-9f2c41d07be3a6e5x/new",
            "/sw.js",
        ] {
            assert!(!is_hashed_path(path), "{path}");
        }
    }
}
