//! Knock's server: `app(state)` builds the whole router so tests drive exactly what runs.

pub mod accounts;
pub mod answers;
pub mod assets;
pub mod auth;
pub mod authorize;
pub mod backup;
pub mod cli;
pub mod cli_backup;
pub mod config;
pub mod cover;
pub mod demo;
pub mod departures;
pub mod error;
pub mod grids;
pub mod handlers;
pub mod import;
pub mod json;
pub mod limiter;
pub mod records;
pub mod scope;
pub mod security;
pub mod serve;
mod share_moves;
pub mod snapshot;
pub mod storage;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::Router;
use tower_http::compression::{CompressionLayer, CompressionLevel};
use tower_http::trace::TraceLayer;

pub use config::Config;
pub use error::AppError;
use storage::Storage;

/// The maps of a push's path (the batch's records and fields, a write transaction's rows): keyed
/// by strings a client sent, so hashed with a random key as the standard SipHash is, but several
/// times faster; SipHash was a tenth of a PostgreSQL push's server time (issue 13).
pub type FastMap<K, V> = std::collections::HashMap<K, V, ahash::RandomState>;
pub type FastSet<K> = std::collections::HashSet<K, ahash::RandomState>;

#[derive(Clone)]
pub struct AppState {
    pub storage: Arc<dyn Storage>,
    pub limiter: Arc<limiter::LoginLimiter>,
    /// One permit per password check (argon2, ~19 MiB each) that may run at once.
    pub password_checks: Arc<tokio::sync::Semaphore>,
    pub config: Arc<Config>,
    /// Merged records read for aggregates and imports, reused until the data changes.
    pub snapshots: Arc<snapshot::SnapshotCache>,
    /// Dashboards counted lately, reused until the data or the users change, briefly.
    pub answers: Arc<answers::Answers>,
    /// The clock of every roster import's stamps, so two imports never share a stamp.
    pub import_clock: Arc<std::sync::Mutex<model::hlc::Clock>>,
    /// When this process last deleted history past its retention (unix ms): at most hourly.
    pub history_swept_ms: Arc<std::sync::atomic::AtomicI64>,
    /// The largest seq this process has seen stored ([`AppState::seq_stored`]).
    seq_seen: Arc<std::sync::atomic::AtomicI64>,
}

impl AppState {
    pub fn new(storage: Arc<dyn Storage>, config: Config) -> AppState {
        AppState {
            storage,
            limiter: Arc::new(limiter::LoginLimiter::new(limiter::Limits::default())),
            password_checks: Arc::new(tokio::sync::Semaphore::new(auth::PASSWORD_CHECKS)),
            config: Arc::new(config),
            snapshots: Arc::default(),
            answers: Arc::default(),
            import_clock: Arc::new(std::sync::Mutex::new(
                model::hlc::Clock::new(handlers::import::IMPORT_DEVICE).expect("a valid device id"),
            )),
            history_swept_ms: Arc::default(),
            seq_seen: Arc::default(),
        }
    }

    /// Whether the database has stored a row at `seq` or later, as it has when a pull cursor at
    /// `seq` is its own. The largest seq only grows (rows move to new seqs, none is deleted, a
    /// seq is never reused), so a seq at or below one seen before needs no read: a device's
    /// pull reads the largest seq only when its cursor is newer than anything this process has
    /// seen, not once a page.
    pub async fn seq_stored(&self, seq: i64) -> storage::Result<bool> {
        use std::sync::atomic::Ordering;
        if seq <= self.seq_seen.load(Ordering::Relaxed) {
            return Ok(true);
        }
        let max = self.storage.max_seq().await?;
        self.saw_seq(max);
        Ok(seq <= max)
    }

    /// Notes that the database has stored a row at `seq` (a row just read, the largest seq).
    pub fn saw_seq(&self, seq: i64) {
        self.seq_seen
            .fetch_max(seq, std::sync::atomic::Ordering::Relaxed);
    }

    /// Whether history past its retention should be deleted now: the first time, then at most
    /// once an hour, so a morning's logins do not each make a write.
    pub fn history_sweep_due(&self, now_ms: i64) -> bool {
        use std::sync::atomic::Ordering;
        let last = self.history_swept_ms.load(Ordering::Relaxed);
        now_ms - last >= 3_600_000
            && self
                .history_swept_ms
                .compare_exchange(last, now_ms, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
    }
}

/// The API's answers in zstd at level 1, for a client that takes zstd; nothing else is done
/// here (see [`app`]).
fn zstd_answers() -> CompressionLayer {
    CompressionLayer::new()
        .no_br()
        .no_gzip()
        .no_deflate()
        .quality(CompressionLevel::Precise(1))
}

pub fn app(state: AppState) -> Router {
    let dist = state.config.dist_dir.clone();
    let csp = security::content_security_policy(&dist, state.config.tile_url.as_deref());
    let request_timeout = state.config.request_timeout;
    // The answers that carry a token (login) or end one (logout) are sent as they are: a
    // secret compressed together with text an attacker chose leaks through the length
    // (BREACH). Tokens travel in a header, never a cookie, so no other site can have a browser
    // ask for them, but these answers are a few hundred bytes and compressing them gains
    // nothing. Everything else (pull pages, schema, dashboard, users) is compressed when the
    // client takes zstd, brotli or gzip.
    let credentials = Router::new()
        .route(
            "/login",
            post(handlers::login::create)
                .layer(DefaultBodyLimit::max(handlers::login::MAX_BODY_BYTES)),
        )
        .route("/logout", post(handlers::login::delete));
    let api = Router::new()
        .route("/health", get(handlers::health::get))
        .route("/schema", get(handlers::schema::get))
        .route("/dashboard", get(handlers::dashboard::get))
        .route("/sync/push", post(handlers::sync::push))
        .route("/sync/pull", get(handlers::sync::pull))
        .route("/sync/records", get(handlers::sync::records))
        .route(
            "/users",
            get(handlers::users::list).post(handlers::users::create),
        )
        .route("/users/{id}", patch(handlers::users::update))
        .route("/import/roster", post(handlers::import::roster))
        .route("/history/contested", get(handlers::history::get_contested))
        .route("/history/contested/settle", post(handlers::history::settle))
        .route("/history/{entity}/{id}", get(handlers::history::get_record))
        // Only on the routes above: those merged below are not compressed. Inside the request
        // timeout, which bounds the handler; the body is compressed as it is sent.
        //
        // zstd first, for the clients that take it (Chromium and Firefox, so Android's phones):
        // at its level 1 a records page of 5,000 field values (415 KB) is 45.4 KB, within 2 % of
        // brotli's 5, in 0.6 ms instead of 5.6 ms; a first sync is 15 to 20 such pages, and on
        // a phone the server's time is time the person waits. The outer layer leaves an answer
        // that already has a Content-Encoding as it is, so a client without zstd gets brotli or
        // gzip from it. (A client that prefers brotli by q-value while also taking zstd still
        // gets zstd; no browser weighs its encodings.)
        //
        // Level 5 for the others: on a pull page of 5,000 changes (730 KB) brotli's 5 is 9 %
        // smaller than its default 4 (57 KB, and smaller than gzip's) for 6 ms more, gzip's 5
        // as small as its default 6 within 1 % in half the time.
        .layer(zstd_answers())
        .layer(
            CompressionLayer::new()
                .no_zstd()
                .quality(CompressionLevel::Precise(5)),
        )
        .merge(credentials)
        // After every route: it is given to the routes there are.
        .method_not_allowed_fallback(|| async { AppError::MethodNotAllowed })
        .fallback(|| async { AppError::NotFound })
        // Push allows 4 MiB; a little more gets through so an over-size batch is answered with
        // the contract's 413 `too_large` rather than a bare connection error.
        .layer(DefaultBodyLimit::max(8 * 1024 * 1024))
        .layer(axum::middleware::from_fn(
            move |req: Request, next: Next| within(request_timeout, req, next),
        ))
        .layer(security::no_store());
    let [csp, nosniff, referrer, frames, opener] = security::headers(&csp);
    Router::new()
        .nest("/api/v1", api)
        // Any path that is not a file is a route of the single-page app: answered with its shell.
        .fallback_service(assets::service(&dist))
        .layer(csp)
        .layer(nosniff)
        .layer(referrer)
        .layer(frames)
        .layer(opener)
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Answers 503 `timeout` when a request (reading its body included) takes longer than `limit`:
/// a client that trickles its upload, or a server too slow, does not hold a connection forever.
async fn within(limit: Duration, req: Request, next: Next) -> Response {
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => AppError::Timeout.into_response(),
    }
}

pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
