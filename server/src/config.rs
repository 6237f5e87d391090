//! The server's typed configuration, read once from environment variables with defaults.

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Config {
    /// `KNOCK_ADDR`, default `127.0.0.1:8080`.
    pub addr: SocketAddr,
    /// `KNOCK_DATA_DIR`, default `./data`: holds the SQLite database.
    pub data_dir: PathBuf,
    /// `KNOCK_DIST_DIR`, default `./dist`: the built app that trunk writes.
    pub dist_dir: PathBuf,
    /// `KNOCK_DEMO`, default off (`cargo xtask run` turns it on): seed the demo community into
    /// an empty database and print its accounts at every start.
    pub demo: bool,
    /// `KNOCK_TILE_URL`: optional base-map tile URL template handed to the app.
    pub tile_url: Option<String>,
    /// `KNOCK_DAILY_LOAD`, default 30: visits a day past which the dashboard flags a worker.
    pub daily_load: u32,
    /// `KNOCK_TOKEN_IDLE_DAYS`, default 30: a token unused this long ends (401 `unauthorized`).
    pub token_idle_days: u32,
    /// `KNOCK_MAX_CONNECTIONS`, default 1024: connections served at once; more wait to be accepted.
    pub max_connections: usize,
    /// How long a request may take, body read included, before it is answered 503 `timeout`
    /// (not an environment variable; tests shorten it).
    pub request_timeout: std::time::Duration,
    /// How long a client may take to send a request's headers, or stay idle between requests,
    /// before its connection is closed (not an environment variable; tests shorten it).
    pub header_read_timeout: std::time::Duration,
}

impl Config {
    /// The idle expiry of a token, in ms.
    pub fn token_idle_ms(&self) -> i64 {
        i64::from(self.token_idle_days) * 24 * 3600 * 1000
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("KNOCK_ADDR is not an address such as 127.0.0.1:8080: {0}")]
    Addr(String),
    #[error("KNOCK_DEMO must be 0/1/true/false, not {0}")]
    Demo(String),
    #[error("KNOCK_DAILY_LOAD must be a whole number from 1 to 1000, not {0}")]
    DailyLoad(String),
    #[error("KNOCK_TOKEN_IDLE_DAYS must be a whole number from 1 to 3650, not {0}")]
    TokenIdleDays(String),
    #[error("KNOCK_MAX_CONNECTIONS must be a whole number from 1 to 100000, not {0}")]
    MaxConnections(String),
}

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads from any lookup so tests need not touch the process environment.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let addr_s = get("KNOCK_ADDR").unwrap_or_else(|| "127.0.0.1:8080".into());
        let addr = addr_s
            .parse()
            .map_err(|_| ConfigError::Addr(addr_s.clone()))?;
        let demo = match get("KNOCK_DEMO").as_deref() {
            Some("1") | Some("true") => true,
            None | Some("0") | Some("false") => false,
            Some(other) => return Err(ConfigError::Demo(other.into())),
        };
        let daily_load = match get("KNOCK_DAILY_LOAD") {
            None => model::dashboard::DEFAULT_DAILY_LOAD,
            Some(v) => v
                .trim()
                .parse()
                .ok()
                .filter(|n| (1..=1000).contains(n))
                .ok_or(ConfigError::DailyLoad(v))?,
        };
        let token_idle_days = match get("KNOCK_TOKEN_IDLE_DAYS") {
            None => 30,
            Some(v) => v
                .trim()
                .parse()
                .ok()
                .filter(|n| (1..=3650).contains(n))
                .ok_or(ConfigError::TokenIdleDays(v))?,
        };
        let max_connections = match get("KNOCK_MAX_CONNECTIONS") {
            None => 1024,
            Some(v) => v
                .trim()
                .parse()
                .ok()
                .filter(|n| (1..=100_000).contains(n))
                .ok_or(ConfigError::MaxConnections(v))?,
        };
        Ok(Config {
            addr,
            data_dir: get("KNOCK_DATA_DIR")
                .unwrap_or_else(|| "./data".into())
                .into(),
            dist_dir: get("KNOCK_DIST_DIR")
                .unwrap_or_else(|| "./dist".into())
                .into(),
            demo,
            tile_url: get("KNOCK_TILE_URL").filter(|s| !s.is_empty()),
            daily_load,
            token_idle_days,
            max_connections,
            // Long enough for a roster import and a supervisor's pull page on a slow disk.
            request_timeout: std::time::Duration::from_secs(60),
            header_read_timeout: std::time::Duration::from_secs(10),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_readme() {
        let c = Config::from_lookup(|_| None).unwrap();
        assert_eq!(c.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert!(
            !c.demo,
            "the server alone seeds no demo: only `cargo xtask run` turns it on"
        );
        assert!(c.tile_url.is_none());
        assert_eq!(c.daily_load, 30);
        assert_eq!(c.token_idle_days, 30);
        assert_eq!(c.max_connections, 1024);
    }

    #[test]
    fn bad_values_are_refused_with_the_variable_named() {
        let e = Config::from_lookup(|k| (k == "KNOCK_ADDR").then(|| "nowhere".into())).unwrap_err();
        assert!(e.to_string().contains("KNOCK_ADDR"));
        let e = Config::from_lookup(|k| (k == "KNOCK_DEMO").then(|| "maybe".into())).unwrap_err();
        assert!(e.to_string().contains("KNOCK_DEMO"));
        let e = Config::from_lookup(|k| (k == "KNOCK_DAILY_LOAD").then(|| "0".into())).unwrap_err();
        assert!(e.to_string().contains("KNOCK_DAILY_LOAD"));
        for bad in ["0", "-1", "30d", "3651"] {
            let e = Config::from_lookup(|k| (k == "KNOCK_TOKEN_IDLE_DAYS").then(|| bad.into()))
                .unwrap_err();
            assert!(e.to_string().contains("KNOCK_TOKEN_IDLE_DAYS"), "{bad}");
        }
    }

    #[test]
    fn max_connections_are_bounded() {
        let e = Config::from_lookup(|k| (k == "KNOCK_MAX_CONNECTIONS").then(|| "0".into()))
            .unwrap_err();
        assert!(e.to_string().contains("KNOCK_MAX_CONNECTIONS"));
    }

    #[test]
    fn the_demo_is_seeded_only_when_asked_for() {
        let on = |v: &str| {
            Config::from_lookup(|k| (k == "KNOCK_DEMO").then(|| v.into()))
                .unwrap()
                .demo
        };
        assert!(on("1") && on("true"));
        assert!(!on("0") && !on("false"));
    }
}
