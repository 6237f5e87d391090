//! Where a database is, as a person types it on the command line: a PostgreSQL URL, a SQLite
//! file, or a directory holding `knock.sqlite3` (as `KNOCK_DATA_DIR` does).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;

use super::postgres::PgStorage;
use super::sqlite::SqliteStorage;
use super::Storage;

/// A database named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// The SQLite file at this path.
    Sqlite(PathBuf),
    /// A `postgres://` or `postgresql://` URL, password included.
    Postgres(String),
}

/// File names taken as a new SQLite file rather than a new directory when nothing is there yet.
const SQLITE_EXTENSIONS: &[&str] = &["sqlite3", "sqlite", "db"];

impl Location {
    /// A URL starting `postgres://` or `postgresql://` is PostgreSQL. Otherwise a path: an
    /// existing file is that SQLite file, an existing directory holds `knock.sqlite3`, and a path
    /// not there yet is a new file when it ends in `.sqlite3`, `.sqlite` or `.db`, else a new
    /// directory.
    pub fn parse(location: &str) -> Location {
        if location.starts_with("postgres://") || location.starts_with("postgresql://") {
            return Location::Postgres(location.to_owned());
        }
        let path = Path::new(location);
        let file = path.is_file()
            || (!path.exists()
                && path
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| SQLITE_EXTENSIONS.contains(&e)));
        match file {
            true => Location::Sqlite(path.to_path_buf()),
            false => Location::Sqlite(path.join("knock.sqlite3")),
        }
    }

    /// Whether a database is there already: a SQLite file that exists (a PostgreSQL database is
    /// taken to be there; connecting tells).
    pub fn exists(&self) -> bool {
        match self {
            Location::Sqlite(file) => file.is_file(),
            Location::Postgres(_) => true,
        }
    }

    /// Opens the database, creating a SQLite file (and its directory) if needed.
    pub async fn open(&self) -> anyhow::Result<Arc<dyn Storage>> {
        match self {
            Location::Sqlite(file) => {
                if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir)
                        .with_context(|| format!("cannot create {}", dir.display()))?;
                }
                Ok(Arc::new(SqliteStorage::open(file)?))
            }
            // A command's own few connections: it is one client among the servers.
            Location::Postgres(url) => Ok(Arc::new(PgStorage::connect(url, 4).await?)),
        }
    }
}

impl std::fmt::Display for Location {
    /// The SQLite file's path, or the URL without its password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Location::Sqlite(file) => write!(f, "{}", file.display()),
            Location::Postgres(url) => {
                let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
                match rest.rsplit_once('@') {
                    Some((who, at)) => {
                        let user = who.split(':').next().unwrap_or("");
                        write!(f, "{scheme}://{user}@{at}")
                    }
                    None => f.write_str(url),
                }
            }
        }
    }
}

/// Opens the database at `location` (see [`Location::parse`]).
pub async fn open_location(location: &str) -> anyhow::Result<Arc<dyn Storage>> {
    Location::parse(location).open().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_files_and_directories_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display().to_string();
        assert_eq!(
            Location::parse(&d),
            Location::Sqlite(dir.path().join("knock.sqlite3"))
        );
        let file = dir.path().join("old.bin");
        std::fs::write(&file, b"").unwrap();
        assert_eq!(
            Location::parse(&file.display().to_string()),
            Location::Sqlite(file.clone())
        );
        let new_file = dir.path().join("new.sqlite3");
        assert_eq!(
            Location::parse(&new_file.display().to_string()),
            Location::Sqlite(new_file)
        );
        let new_dir = dir.path().join("data");
        assert_eq!(
            Location::parse(&new_dir.display().to_string()),
            Location::Sqlite(new_dir.join("knock.sqlite3"))
        );
        let url = "postgresql://knock:s3cret@db:5432/knock";
        assert_eq!(Location::parse(url), Location::Postgres(url.into()));
        assert_eq!(
            Location::parse(url).to_string(),
            "postgresql://knock@db:5432/knock"
        );
    }

    #[tokio::test]
    async fn a_new_directory_is_made_and_an_unreachable_postgres_is_named_without_its_password() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("a").join("b");
        let s = open_location(&nested.display().to_string()).await.unwrap();
        assert!(s.is_empty().await.unwrap());
        assert!(nested.join("knock.sqlite3").is_file());
        // Port 1 on loopback: nothing listens there.
        let e = open_location("postgres://u:p@127.0.0.1:1/knock")
            .await
            .err()
            .unwrap();
        let e = format!("{e:#}");
        assert!(e.contains("postgres"), "{e}");
        assert!(!e.contains(":p@"), "{e}");
    }
}
