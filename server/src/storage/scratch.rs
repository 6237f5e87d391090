//! Fresh databases for tests, on the backend the test run asks for: with `KNOCK_TEST_POSTGRES`
//! set to a PostgreSQL server's URL (as `cargo xtask test` sets it for its second run of the
//! server's tests, on a throw-away cluster) each is a new database there; otherwise a SQLite file.
//! Tests use these instead of naming a backend, so every storage and integration test runs
//! against both.

use std::path::Path;
use std::sync::Arc;

use super::postgres::PgStorage;
use super::sqlite::SqliteStorage;
use super::{Result, Storage, StorageError};

/// The variable naming the PostgreSQL server tests make their databases on.
pub const TEST_POSTGRES: &str = "KNOCK_TEST_POSTGRES";

/// Connections a test's storage opens at most: many tests run at once on one cluster.
const TEST_POOL: usize = 4;

/// Where a scratch database on PostgreSQL is recorded, so a restarted test server reopens it.
const URL_FILE: &str = "postgres-url";

/// A new, empty database whose files (or whose name) are kept in `dir`.
pub async fn fresh_in(dir: &Path) -> Result<Arc<dyn Storage>> {
    match std::env::var(TEST_POSTGRES).ok().filter(|s| !s.is_empty()) {
        Some(server) => {
            let url = create_database(&server).await?;
            std::fs::write(dir.join(URL_FILE), &url)
                .map_err(|e| StorageError::Corrupt(format!("cannot write {URL_FILE}: {e}")))?;
            Ok(Arc::new(PgStorage::connect(&url, TEST_POOL).await?))
        }
        None => Ok(Arc::new(SqliteStorage::open_dir(dir)?)),
    }
}

/// The database made in `dir` by [`fresh_in`], opened again as a restarted server would.
pub async fn reopen(dir: &Path) -> Result<Arc<dyn Storage>> {
    match std::fs::read_to_string(dir.join(URL_FILE)) {
        Ok(url) => Ok(Arc::new(PgStorage::connect(&url, TEST_POOL).await?)),
        Err(_) => Ok(Arc::new(SqliteStorage::open_dir(dir)?)),
    }
}

/// The URL of a new, empty PostgreSQL database when this run's tests use PostgreSQL.
pub async fn new_database_url() -> Result<Option<String>> {
    match std::env::var(TEST_POSTGRES).ok().filter(|s| !s.is_empty()) {
        Some(server) => Ok(Some(create_database(&server).await?)),
        None => Ok(None),
    }
}

/// Whether this run's tests use PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var(TEST_POSTGRES).is_ok_and(|s| !s.is_empty())
}

/// Makes a database with a new name on the server at `server_url` and returns its URL.
async fn create_database(server_url: &str) -> Result<String> {
    let name = format!("knock_test_{}", uuid::Uuid::new_v4().simple());
    let config: postgres::Config = server_url.parse()?;
    let create = format!("CREATE DATABASE {name}");
    tokio::task::spawn_blocking(move || -> Result<()> {
        let mut c = config.connect(postgres::NoTls)?;
        c.batch_execute(&create)?;
        // The blocking client's own runtime must be dropped here, off the async executor.
        drop(c);
        Ok(())
    })
    .await
    .map_err(|e| StorageError::Join(e.to_string()))??;
    let base = server_url
        .rsplit_once('/')
        .map(|(base, _)| base)
        .unwrap_or(server_url);
    Ok(format!("{base}/{name}"))
}

/// What a server process started on the database made in `dir` needs in its environment beside
/// `KNOCK_DATA_DIR`: the URL of its PostgreSQL database, when it has one.
pub fn env_for(dir: &Path) -> Vec<(&'static str, String)> {
    match std::fs::read_to_string(dir.join(URL_FILE)) {
        Ok(url) => vec![("KNOCK_DATABASE_URL", url)],
        Err(_) => vec![],
    }
}
