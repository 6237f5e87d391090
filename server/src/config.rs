//! The server's typed configuration, read once from environment variables with defaults.

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Config {
    /// `KNOCK_ADDR`, default `127.0.0.1:8080`.
    pub addr: SocketAddr,
    /// `KNOCK_DATA_DIR`, default `./data`: holds the SQLite database.
    pub data_dir: PathBuf,
    /// `KNOCK_DATABASE_URL` (`postgres://user:password@host:port/database`): keep everything in
    /// that PostgreSQL database instead of the SQLite file in `data_dir`; any number of servers
    /// may share it.
    pub database_url: Option<DatabaseUrl>,
    /// `KNOCK_DATABASE_POOL`, default 10: connections this server opens to PostgreSQL at most.
    /// Size it to the database (all servers' pools together under its `max_connections`), not to
    /// the devices: requests beyond it wait for a connection.
    pub database_pool: usize,
    /// `KNOCK_DIST_DIR`, default `./dist`: the built app that `cargo xtask build` writes.
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
    /// `KNOCK_HISTORY_DAYS`, default 365: how long the history of changes and the contested
    /// fields are kept (`model::history`).
    pub history_days: u32,
    /// `KNOCK_VACC_FULL_COURSE` (default 3 doses) and `KNOCK_VACC_BOOSTER_DAYS` (default 180):
    /// who counts as fully vaccinated, for the dashboard and, through the login, the devices.
    pub vaccination: model::vaccination::Policy,
    /// `KNOCK_TRUSTED_PROXIES`: addresses of reverse proxies (comma-separated) whose
    /// `X-Forwarded-For` names the client; from any other peer the header is ignored. Without it,
    /// behind a proxy every client would share the proxy's address in the login limiter.
    pub trusted_proxies: Vec<std::net::IpAddr>,
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
    /// The oldest moment (unix ms) whose history is still kept at `now_ms`.
    pub fn history_kept_since(&self, now_ms: i64) -> i64 {
        now_ms - i64::from(self.history_days) * 24 * 3600 * 1000
    }

    pub fn token_idle_ms(&self) -> i64 {
        i64::from(self.token_idle_days) * 24 * 3600 * 1000
    }
}

/// A PostgreSQL connection URL. Its `Debug` hides the password, so a logged config leaks none.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<DatabaseUrl, ConfigError> {
        let url = url.trim();
        let well_formed = (url.starts_with("postgres://") || url.starts_with("postgresql://"))
            && url.parse::<postgres::Config>().is_ok();
        match well_formed {
            true => Ok(DatabaseUrl(url.to_owned())),
            false => Err(ConfigError::DatabaseUrl),
        }
    }

    /// The URL itself, password included: for connecting, never for printing.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // `scheme://user:secret@host…`: everything between the first ':' after the scheme and
        // the last '@' is the password.
        let (scheme, rest) = self.0.split_once("://").unwrap_or(("", &self.0));
        let shown = match rest.rsplit_once('@') {
            Some((who, at)) => {
                let user = who.split(':').next().unwrap_or("");
                format!("{scheme}://{user}:…@{at}")
            }
            None => self.0.clone(),
        };
        f.write_str(&shown)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("KNOCK_DATABASE_URL must look like postgres://user:password@host:5432/database (leave it unset for the embedded SQLite in KNOCK_DATA_DIR)")]
    DatabaseUrl,
    #[error("KNOCK_TRUSTED_PROXIES must be IP addresses separated by commas, such as 127.0.0.1,10.0.0.2; {0:?} is not one")]
    TrustedProxies(String),
    #[error("KNOCK_DATABASE_POOL must be a whole number from 1 to 1000, not {0}")]
    DatabasePool(String),
    #[error("KNOCK_ADDR is not an address such as 127.0.0.1:8080: {0}")]
    Addr(String),
    #[error("KNOCK_DEMO must be 0/1/true/false, not {0}")]
    Demo(String),
    #[error("KNOCK_DAILY_LOAD must be a whole number from 1 to 1000, not {0}")]
    DailyLoad(String),
    #[error("KNOCK_TOKEN_IDLE_DAYS must be a whole number from 1 to 3650, not {0}")]
    TokenIdleDays(String),
    #[error("KNOCK_HISTORY_DAYS must be a whole number of days from 1 to 36500, not {0}")]
    HistoryDays(String),
    #[error("KNOCK_MAX_CONNECTIONS must be a whole number from 1 to 100000, not {0}")]
    MaxConnections(String),
    #[error("KNOCK_VACC_FULL_COURSE must be a whole number of doses from 1 to 10, not {0}")]
    VaccFullCourse(String),
    #[error("KNOCK_VACC_BOOSTER_DAYS must be a whole number of days from 1 to 3650, not {0}")]
    VaccBoosterDays(String),
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
        let number = |key: &str, default: i64, range: std::ops::RangeInclusive<i64>| {
            get(key).map_or(Ok(default), |v| {
                v.trim().parse().ok().filter(|n| range.contains(n)).ok_or(v)
            })
        };
        let vaccination = model::vaccination::Policy {
            full_course: number("KNOCK_VACC_FULL_COURSE", 3, 1..=10)
                .map_err(ConfigError::VaccFullCourse)?,
            booster_days: number("KNOCK_VACC_BOOSTER_DAYS", 180, 1..=3650)
                .map_err(ConfigError::VaccBoosterDays)?,
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
        let history_days = match get("KNOCK_HISTORY_DAYS") {
            None => model::history::DEFAULT_RETENTION_DAYS,
            Some(v) => v
                .trim()
                .parse()
                .ok()
                .filter(|n| (1..=36500).contains(n))
                .ok_or(ConfigError::HistoryDays(v))?,
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
        let database_url = get("KNOCK_DATABASE_URL")
            .filter(|s| !s.trim().is_empty())
            .map(|s| DatabaseUrl::parse(&s))
            .transpose()?;
        let database_pool = match get("KNOCK_DATABASE_POOL") {
            None => 10,
            Some(v) => v
                .trim()
                .parse()
                .ok()
                .filter(|n| (1..=1000).contains(n))
                .ok_or(ConfigError::DatabasePool(v))?,
        };
        let trusted_proxies = get("KNOCK_TRUSTED_PROXIES")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse()
                    .map_err(|_| ConfigError::TrustedProxies(s.to_owned()))
            })
            .collect::<Result<Vec<std::net::IpAddr>, _>>()?;
        Ok(Config {
            addr,
            trusted_proxies,
            database_url,
            database_pool,
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
            history_days,
            vaccination,
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
        assert_eq!(c.history_days, 365);
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
        let d = Config::from_lookup(|_| None).unwrap();
        assert_eq!(d.vaccination, model::vaccination::Policy::DEFAULT);
        let v = Config::from_lookup(|k| match k {
            "KNOCK_VACC_FULL_COURSE" => Some("2".into()),
            "KNOCK_VACC_BOOSTER_DAYS" => Some(" 365 ".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(
            (v.vaccination.full_course, v.vaccination.booster_days),
            (2, 365)
        );
        let e = Config::from_lookup(|k| (k == "KNOCK_VACC_BOOSTER_DAYS").then(|| "0".into()))
            .unwrap_err();
        assert!(e.to_string().contains("KNOCK_VACC_BOOSTER_DAYS"));
        for bad in ["0", "-1", "30d", "3651"] {
            let e = Config::from_lookup(|k| (k == "KNOCK_TOKEN_IDLE_DAYS").then(|| bad.into()))
                .unwrap_err();
            assert!(e.to_string().contains("KNOCK_TOKEN_IDLE_DAYS"), "{bad}");
        }
    }

    #[test]
    fn a_database_url_selects_postgres_and_never_shows_its_password() {
        let c = Config::from_lookup(|_| None).unwrap();
        assert!(c.database_url.is_none(), "unset: the embedded SQLite");
        let url = "postgres://knock:s3cret@db.example:5432/knock";
        let c = Config::from_lookup(|k| (k == "KNOCK_DATABASE_URL").then(|| url.into())).unwrap();
        let db = c.database_url.clone().unwrap();
        assert_eq!(db.expose(), url);
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(
            shown.contains("postgres://knock:…@db.example:5432/knock"),
            "{shown}"
        );
        for bad in [
            "mysql://x@y/z",
            "knock.sqlite3",
            "postgres://db.example:port/knock",
        ] {
            let e = Config::from_lookup(|k| (k == "KNOCK_DATABASE_URL").then(|| bad.into()))
                .unwrap_err();
            assert!(e.to_string().contains("KNOCK_DATABASE_URL"), "{bad}");
        }
        assert_eq!(c.database_pool, 10);
        let e =
            Config::from_lookup(|k| (k == "KNOCK_DATABASE_POOL").then(|| "0".into())).unwrap_err();
        assert!(e.to_string().contains("KNOCK_DATABASE_POOL"));
    }

    #[test]
    fn trusted_proxies_are_addresses() {
        let c = Config::from_lookup(|_| None).unwrap();
        assert!(c.trusted_proxies.is_empty(), "none unless named");
        let c = Config::from_lookup(|k| {
            (k == "KNOCK_TRUSTED_PROXIES").then(|| "127.0.0.1, ::1".into())
        })
        .unwrap();
        assert_eq!(c.trusted_proxies.len(), 2);
        let e = Config::from_lookup(|k| {
            (k == "KNOCK_TRUSTED_PROXIES").then(|| "127.0.0.1,proxy.local".into())
        })
        .unwrap_err();
        assert!(e.to_string().contains("proxy.local"), "{e}");
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
