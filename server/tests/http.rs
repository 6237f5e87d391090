//! What every HTTP answer carries and how the server guards its connections: the security
//! headers on the API and on the app's files (the CSP allowing the app's own inline scripts by
//! hash), `no-store` on the API, 405 `method_not_allowed`, 503 `timeout` for a request that never
//! finishes, the header-read timeout and the connection limit of the serving loop; the app's
//! files in the encoding the browser takes (their precompressed copies) with cache headers by
//! name, and the API's answers compressed by negotiation, but for the login's.

mod common;

use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use axum::routing::get;
use axum::Router;
use base64::Engine;
use futures::StreamExt;
use http_body_util::BodyExt;
use server::serve::{serve, Limits};
use server::storage::sqlite::SqliteStorage;
use server::{app, AppState, Config};
use sha2::Digest;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower::ServiceExt;

const SW_SCRIPT: &str = "\n      navigator.serviceWorker.register(\"/sw.js\");\n    ";

/// A file named by its content, as `cargo xtask build` names the stylesheet.
const HASHED_JS: &str = "app-9f2c41d07be3a6e5.js";
/// A file in a build's folder named by the content of its files, as `cargo xtask build` keeps
/// the app's wasm and JavaScript.
const IN_BUILD_FOLDER: &str = "app-0f1e2d3c4b5a6978/app_bg.wasm";

fn index_html() -> String {
    format!("<!DOCTYPE html><html><head><script type=\"module\" src=\"/{HASHED_JS}\"></script></head><body><script>{SW_SCRIPT}</script></body></html>")
}

fn hashed_js() -> String {
    "export function greet(name) { return `hello, ${name}`; }\n".repeat(40)
}

fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams::default();
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).unwrap();
    out
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn unbrotli(bytes: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    brotli::Decompressor::new(bytes, 4096)
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn ungzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .unwrap();
    out
}

/// The router of a fresh database serving a dist as `cargo xtask build` leaves it: an
/// index.html with one inline script, a hashed asset, the service worker and the manifest,
/// and the `.br` and `.gz` copies of the shell and of the asset.
fn router(dir: &std::path::Path, tweak: impl FnOnce(&mut Config)) -> Router {
    let dist = dir.join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    for (name, text) in [("index.html", index_html()), (HASHED_JS, hashed_js())] {
        std::fs::write(dist.join(name), &text).unwrap();
        std::fs::write(dist.join(format!("{name}.br")), brotli(text.as_bytes())).unwrap();
        std::fs::write(dist.join(format!("{name}.gz")), gzip(text.as_bytes())).unwrap();
    }
    std::fs::write(dist.join("app.js"), "export default 1;").unwrap();
    let in_folder = dist.join(IN_BUILD_FOLDER);
    std::fs::create_dir_all(in_folder.parent().unwrap()).unwrap();
    std::fs::write(in_folder, b"\0asm\x01\0\0\0").unwrap();
    std::fs::write(
        dist.join("sw.js"),
        "self.addEventListener(\"fetch\", () => {});",
    )
    .unwrap();
    std::fs::write(dist.join("manifest.webmanifest"), "{\"name\": \"Knock\"}").unwrap();
    let mut config = Config::from_lookup(|k| match k {
        "KNOCK_DATA_DIR" => Some(dir.display().to_string()),
        "KNOCK_DIST_DIR" => Some(dist.display().to_string()),
        "KNOCK_TILE_URL" => Some("https://tiles.example:8443/{z}/{x}/{y}.png".into()),
        _ => None,
    })
    .unwrap();
    tweak(&mut config);
    let storage = Arc::new(SqliteStorage::open_dir(dir).unwrap());
    app(AppState::new(storage, config))
}

async fn body_json(r: axum::response::Response) -> serde_json::Value {
    let bytes = r.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&bytes).unwrap()
}

fn header_of(r: &axum::response::Response, name: header::HeaderName) -> &str {
    r.headers()
        .get(&name)
        .unwrap_or_else(|| panic!("no {name} header"))
        .to_str()
        .unwrap()
}

fn assert_security_headers(r: &axum::response::Response) {
    let csp = header_of(r, header::CONTENT_SECURITY_POLICY);
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(SW_SCRIPT));
    for part in [
        format!("script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}';"),
        "connect-src 'self'".into(),
        "img-src 'self' data: blob: https://tiles.example:8443;".into(),
        "style-src 'self' 'unsafe-hashes' 'sha256-".into(),
        "object-src 'none'".into(),
        "base-uri 'none'".into(),
        "frame-ancestors 'none'".into(),
    ] {
        assert!(csp.contains(&part), "{part} missing from {csp}");
    }
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert_eq!(header_of(r, header::X_CONTENT_TYPE_OPTIONS), "nosniff");
    assert_eq!(header_of(r, header::REFERRER_POLICY), "no-referrer");
    assert_eq!(header_of(r, header::X_FRAME_OPTIONS), "DENY");
}

fn get_req(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

#[tokio::test]
async fn api_answers_carry_the_security_headers_and_are_never_stored() {
    let dir = tempfile::tempdir().unwrap();
    let app = router(dir.path(), |_| {});
    for (path, status) in [
        ("/api/v1/health", StatusCode::OK),
        ("/api/v1/schema", StatusCode::UNAUTHORIZED),
        ("/api/v1/no-such-thing", StatusCode::NOT_FOUND),
    ] {
        let r = app.clone().oneshot(get_req(path)).await.unwrap();
        assert_eq!(r.status(), status, "{path}");
        assert_security_headers(&r);
        assert_eq!(header_of(&r, header::CACHE_CONTROL), "no-store", "{path}");
    }
}

#[tokio::test]
async fn the_apps_files_and_its_shell_carry_the_security_headers() {
    let dir = tempfile::tempdir().unwrap();
    let app = router(dir.path(), |_| {});
    for path in ["/", "/app.js", "/residents/new", &format!("/{HASHED_JS}")] {
        let r = app.clone().oneshot(get_req(path)).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert_security_headers(&r);
        // The service worker keeps the shell and the files: only the API is no-store.
        assert_ne!(header_of(&r, header::CACHE_CONTROL), "no-store", "{path}");
    }
}

fn get_accepting(path: &str, accept_encoding: &str) -> Request<Body> {
    let mut req = Request::get(path);
    if !accept_encoding.is_empty() {
        req = req.header(header::ACCEPT_ENCODING, accept_encoding);
    }
    req.body(Body::empty()).unwrap()
}

async fn body_bytes(r: axum::response::Response) -> Vec<u8> {
    r.into_body().collect().await.unwrap().to_bytes().to_vec()
}

/// `body` as sent with `Content-Encoding: encoding` (none: as it is), decoded.
fn decoded(encoding: Option<&str>, body: &[u8]) -> Vec<u8> {
    match encoding {
        None => body.to_vec(),
        Some("br") => unbrotli(body),
        Some("gzip") => ungzip(body),
        Some("zstd") => zstd::decode_all(body).unwrap(),
        Some(other) => panic!("unexpected Content-Encoding {other}"),
    }
}

fn varies_by_encoding(headers: &axum::http::HeaderMap) -> bool {
    headers.get_all(header::VARY).iter().any(|v| {
        v.to_str()
            .unwrap()
            .to_ascii_lowercase()
            .contains("accept-encoding")
    })
}

#[tokio::test]
async fn the_apps_files_are_sent_in_the_encoding_the_browser_takes() {
    let dir = tempfile::tempdir().unwrap();
    let app = router(dir.path(), |_| {});
    let asset = format!("/{HASHED_JS}");
    for (accept, encoding) in [
        ("br", Some("br")),
        ("gzip", Some("gzip")),
        // What Chromium sends: brotli is the smaller.
        ("gzip, deflate, br, zstd", Some("br")),
        ("br;q=0, gzip", Some("gzip")),
        ("identity", None),
        ("", None),
    ] {
        let r = app
            .clone()
            .oneshot(get_accepting(&asset, accept))
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{accept}");
        let sent = r
            .headers()
            .get(header::CONTENT_ENCODING)
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(sent.as_deref(), encoding, "{accept}");
        assert!(varies_by_encoding(r.headers()), "{accept}");
        assert!(
            header_of(&r, header::CONTENT_TYPE).contains("javascript"),
            "{accept}"
        );
        let body = body_bytes(r).await;
        assert_eq!(decoded(encoding, &body), hashed_js().as_bytes(), "{accept}");
    }
    // The shell at its own path and as the answer to a route of the app: its brotli copy.
    for path in ["/", "/index.html", "/residents/new"] {
        let r = app
            .clone()
            .oneshot(get_accepting(path, "gzip, br"))
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert_eq!(header_of(&r, header::CONTENT_ENCODING), "br", "{path}");
        assert!(varies_by_encoding(r.headers()), "{path}");
        assert!(
            header_of(&r, header::CONTENT_TYPE).starts_with("text/html"),
            "{path}"
        );
        assert_eq!(
            unbrotli(&body_bytes(r).await),
            index_html().as_bytes(),
            "{path}"
        );
    }
    // A file without compressed copies is sent as it is.
    let r = app
        .clone()
        .oneshot(get_accepting("/sw.js", "br, gzip"))
        .await
        .unwrap();
    assert!(r.headers().get(header::CONTENT_ENCODING).is_none());
    assert_eq!(
        body_bytes(r).await,
        b"self.addEventListener(\"fetch\", () => {});"
    );
}

#[tokio::test]
async fn hashed_files_are_kept_a_year_and_everything_else_is_revalidated() {
    let dir = tempfile::tempdir().unwrap();
    let app = router(dir.path(), |_| {});
    const A_YEAR: &str = "public, max-age=31536000, immutable";
    let asset = format!("/{HASHED_JS}");
    let r = app
        .clone()
        .oneshot(get_accepting(&format!("/{IN_BUILD_FOLDER}"), "br"))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(header_of(&r, header::CACHE_CONTROL), A_YEAR);
    assert_eq!(header_of(&r, header::CONTENT_TYPE), "application/wasm");
    let mut last_modified = String::new();
    for accept in ["br", "gzip", ""] {
        let r = app
            .clone()
            .oneshot(get_accepting(&asset, accept))
            .await
            .unwrap();
        assert_eq!(header_of(&r, header::CACHE_CONTROL), A_YEAR, "{accept}");
        last_modified = header_of(&r, header::LAST_MODIFIED).to_owned();
    }
    // Revalidated all the same (a reload), the answer keeps it.
    let req = Request::get(&asset)
        .header(header::IF_MODIFIED_SINCE, &last_modified)
        .body(Body::empty())
        .unwrap();
    let r = app.clone().oneshot(req).await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(header_of(&r, header::CACHE_CONTROL), A_YEAR);

    for path in [
        "/",
        "/index.html",
        "/residents/new",
        "/sw.js",
        "/manifest.webmanifest",
        // Not hashed: the same name may hold another version tomorrow.
        "/app.js",
        // An older build's folder, which this one no longer has: the shell.
        "/app-00112233445566/app_bg.wasm",
    ] {
        let r = app
            .clone()
            .oneshot(get_accepting(path, "br"))
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert_eq!(header_of(&r, header::CACHE_CONTROL), "no-cache", "{path}");
    }
    // A page of an older version asks for a file this one no longer has: it gets the shell,
    // which must not be kept for a year under the old file's name.
    let r = app
        .clone()
        .oneshot(get_accepting("/app-0123456789abcdef.js", "br"))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(header_of(&r, header::CACHE_CONTROL), "no-cache");
    assert_eq!(unbrotli(&body_bytes(r).await), index_html().as_bytes());
}

/// A pull page, the schema and error bodies are compressed when the client takes it (zstd
/// first, else brotli, else gzip) and decode to the same JSON; the login's answer, which
/// carries the token, never is.
#[tokio::test]
async fn api_answers_are_compressed_by_negotiation_but_the_logins_is_not() {
    let mut f = common::fixture::Fixture::new().await;
    let grid = f.grid("幸福里");
    f.user(
        model::Role::GridWorker,
        "wangfang",
        "王芳",
        std::slice::from_ref(&grid),
    )
    .await;
    for i in 0..30 {
        let h = f.household(&grid, &format!("幸福里{i}号楼"));
        f.resident(&h, &format!("居民{i}"), &[]);
    }
    let s = f.start().await;

    let login = serde_json::json!({"username": "wangfang", "password": common::fixture::PASSWORD, "device_id": "phone-1"});
    for (password, status) in [("wrong", 401), (common::fixture::PASSWORD, 200)] {
        let mut body = login.clone();
        body["password"] = password.into();
        let r = s
            .client
            .post(s.url("/api/v1/login"))
            .header("accept-encoding", "gzip, deflate, br, zstd")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status);
        assert!(r.headers().get("content-encoding").is_none(), "{status}");
    }
    let token = s.token("wangfang", "phone-1").await;

    // What the client gets for `path`: status, Content-Encoding, the decoded JSON (without
    // the server's clock, which moves between requests) and the bytes on the wire.
    let fetch = |path: &'static str, accept: &'static str, auth: bool| {
        let mut req = s.client.get(s.url(path));
        if auth {
            req = req.bearer_auth(&token);
        }
        if !accept.is_empty() {
            req = req.header("accept-encoding", accept);
        }
        async move {
            let r = req.send().await.unwrap();
            let status = r.status().as_u16();
            let headers = r.headers().clone();
            let encoding = headers
                .get("content-encoding")
                .map(|v| v.to_str().unwrap().to_owned());
            let wire = r.bytes().await.unwrap();
            let mut json: serde_json::Value =
                serde_json::from_slice(&decoded(encoding.as_deref(), &wire)).unwrap();
            json.as_object_mut().unwrap().remove("server_time_ms");
            (status, encoding, headers, json, wire.len())
        }
    };
    for (path, auth, status) in [
        ("/api/v1/sync/pull", true, 200),
        ("/api/v1/schema", true, 200),
        // The API's own error bodies, compressed all the same.
        ("/api/v1/schema", false, 401),
        ("/api/v1/users", true, 403),
    ] {
        let (plain_status, plain_encoding, _, plain, plain_len) = fetch(path, "", auth).await;
        assert_eq!((plain_status, plain_encoding), (status, None), "{path}");
        for (accept, encoding) in [
            ("br", "br"),
            ("gzip", "gzip"),
            ("zstd", "zstd"),
            // What Chromium and Firefox send: zstd, the quickest to make.
            ("gzip, deflate, br, zstd", "zstd"),
            // What Safari sends.
            ("gzip, deflate, br", "br"),
            ("zstd;q=0, gzip", "gzip"),
        ] {
            let (got_status, got_encoding, headers, json, len) = fetch(path, accept, auth).await;
            assert_eq!(got_status, status, "{path} {accept}");
            assert_eq!(got_encoding.as_deref(), Some(encoding), "{path} {accept}");
            assert_eq!(headers.get_all("vary").iter().count(), 1, "{path} {accept}");
            assert!(varies_by_encoding(&headers), "{path} {accept}");
            assert_eq!(headers["cache-control"], "no-store", "{path} {accept}");
            assert_eq!(json, plain, "{path} {accept}");
            if status == 200 {
                assert!(
                    len < plain_len,
                    "{path} {accept}: {len} B against {plain_len} B"
                );
            }
        }
    }
    let (_, _, _, page, _) = fetch("/api/v1/sync/pull", "br", true).await;
    assert!(page["changes"].as_array().unwrap().len() > 60, "{page}");
}

#[tokio::test]
async fn a_wrong_method_on_an_api_path_is_405_method_not_allowed_in_json() {
    let dir = tempfile::tempdir().unwrap();
    let app = router(dir.path(), |_| {});
    for (method, path, allowed) in [
        ("GET", "/api/v1/login", "POST"),
        ("DELETE", "/api/v1/sync/pull", "GET"),
        ("PUT", "/api/v1/users", "GET"),
    ] {
        let req = Request::builder()
            .method(method)
            .uri(path)
            .body(Body::empty())
            .unwrap();
        let r = app.clone().oneshot(req).await.unwrap();
        assert_eq!(
            r.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} {path}"
        );
        assert!(
            header_of(&r, header::ALLOW).contains(allowed),
            "{method} {path}"
        );
        assert_eq!(header_of(&r, header::CACHE_CONTROL), "no-store");
        assert_security_headers(&r);
        let body = body_json(r).await;
        assert_eq!(body["error"], "method_not_allowed", "{body}");
        assert!(body["message"].is_string());
    }
}

#[tokio::test]
async fn a_request_whose_body_never_ends_is_answered_503_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let app = router(dir.path(), |c| {
        c.request_timeout = Duration::from_millis(300)
    });
    // A body that sends a start and then nothing, ever.
    let trickle = futures::stream::once(async {
        Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b"{\"username\":"))
    })
    .chain(futures::stream::pending());
    let req = Request::post("/api/v1/login")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from_stream(trickle))
        .unwrap();
    let r = tokio::time::timeout(Duration::from_secs(10), app.oneshot(req))
        .await
        .expect("the server answers by itself")
        .unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(header_of(&r, header::CACHE_CONTROL), "no-store");
    assert_eq!(body_json(r).await["error"], "timeout");
}

/// Serves `router` on a loopback port with `limits` until the returned sender is dropped.
async fn start(
    router: Router,
    limits: Limits,
) -> (
    SocketAddr,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(serve(listener, router, limits, async {
        let _ = stopped.await;
    }));
    (addr, stop, handle)
}

const HEALTH: &[u8] = b"GET /api/v1/health HTTP/1.1\r\nHost: knock\r\nConnection: close\r\n\r\n";

/// Everything the server sends until it closes the connection, within `secs`.
async fn read_all(c: &mut tokio::net::TcpStream, secs: u64) -> String {
    let mut buf = Vec::new();
    tokio::time::timeout(Duration::from_secs(secs), c.read_to_end(&mut buf))
        .await
        .expect("the server ends the connection by itself")
        // A reset is an end too: what arrived before it counts.
        .ok();
    String::from_utf8_lossy(&buf).into_owned()
}

#[tokio::test]
async fn a_client_that_stops_halfway_through_its_headers_is_cut_off() {
    let dir = tempfile::tempdir().unwrap();
    let limits = Limits {
        max_connections: 8,
        header_read_timeout: Duration::from_millis(300),
    };
    let (addr, _stop, _server) = start(router(dir.path(), |_| {}), limits).await;

    let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: knock\r\nX-Slow: ")
        .await
        .unwrap();
    let answer = read_all(&mut slow, 10).await;
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "a half-sent request is not served: {answer}"
    );
    // One that connects and says nothing is cut off too.
    let mut silent = tokio::net::TcpStream::connect(addr).await.unwrap();
    assert_eq!(read_all(&mut silent, 10).await, "");

    let mut prompt = tokio::net::TcpStream::connect(addr).await.unwrap();
    prompt.write_all(HEALTH).await.unwrap();
    let answer = read_all(&mut prompt, 10).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn no_more_connections_are_served_at_once_than_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let limits = Limits {
        max_connections: 2,
        header_read_timeout: Duration::from_secs(30),
    };
    let (addr, _stop, _server) = start(router(dir.path(), |_| {}), limits).await;
    let hold_1 = tokio::net::TcpStream::connect(addr).await.unwrap();
    let _hold_2 = tokio::net::TcpStream::connect(addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    let mut third = tokio::net::TcpStream::connect(addr).await.unwrap();
    third.write_all(HEALTH).await.unwrap();
    let mut byte = [0u8; 1];
    let early = tokio::time::timeout(Duration::from_millis(700), third.read(&mut byte)).await;
    assert!(
        early.is_err(),
        "a third connection was served while two held both slots"
    );

    drop(hold_1);
    let answer = read_all(&mut third, 10).await;
    assert!(
        answer.starts_with("HTTP/1.1 200"),
        "served once a slot was free: {answer}"
    );
}

#[tokio::test]
async fn handlers_see_the_clients_address() {
    let who = Router::new().route(
        "/who",
        get(|ConnectInfo(addr): ConnectInfo<SocketAddr>| async move { addr.ip().to_string() }),
    );
    let limits = Limits {
        max_connections: 8,
        header_read_timeout: Duration::from_secs(5),
    };
    let (addr, _stop, _server) = start(who, limits).await;
    let body = reqwest::get(format!("http://{addr}/who"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(body, "127.0.0.1");
}

#[tokio::test]
async fn a_stopped_server_finishes_and_accepts_no_more() {
    let dir = tempfile::tempdir().unwrap();
    let limits = Limits {
        max_connections: 8,
        header_read_timeout: Duration::from_secs(60),
    };
    let (addr, stop, server) = start(router(dir.path(), |_| {}), limits).await;
    // An idle keep-alive connection does not hold the stop up.
    let _idle = tokio::net::TcpStream::connect(addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    drop(stop);
    // Well before the connection's own header timeout.
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .expect("the server stops without waiting for an idle connection")
        .unwrap()
        .unwrap();
    assert!(TcpStream::connect(addr).is_err());
}
