//! What `cargo xtask bench sync` was asked to do: its options, checked before anything is built.

use anyhow::{bail, ensure, Context, Result};

pub const USAGE: &str = "usage: cargo xtask bench sync [--devices N] [--batches N] [--scenario morning|demo] [--grids N] [--db sqlite|postgres] [--instances N]

  --devices N     devices syncing at once (default 200; the budget is for 500)
  --batches N     push batches of 1,000 changes (default 100)
  --scenario S    morning (default): the bench makes --grids grids, each worked by one grid
                  worker of its own, and spreads the devices over those workers, so a device
                  receives the changes of its own grid; demo: the devices share the demo's two
                  grid workers and each receives what half of all devices pushed
  --grids N       grids, and grid workers, of the morning (default 50)
  --db D          sqlite (default) or postgres: a throw-away PostgreSQL cluster the bench starts
  --instances N   server processes on the one database (default 1; postgres only), the devices
                  spread over them in turn by the load generator";

/// How the devices of the storm are spread over users.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// Grids made by the bench, one grid worker each: a device receives its own grid's changes.
    Morning,
    /// The demo's two grid workers: a device receives what half of all devices pushed.
    Demo,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

pub struct Options {
    pub devices: usize,
    pub batches: usize,
    pub scenario: Scenario,
    pub grids: usize,
    pub db: Db,
    pub instances: usize,
}

pub fn parse(args: &[String]) -> Result<Options> {
    let mut opts = Options {
        devices: 200,
        batches: 100,
        scenario: Scenario::Morning,
        grids: 50,
        db: Db::Sqlite,
        instances: 1,
    };
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| -> Result<&String> {
            it.next()
                .with_context(|| format!("{name} needs a value\n\n{USAGE}"))
        };
        let number = |name: &str, v: &String| -> Result<usize> {
            v.parse()
                .ok()
                .filter(|n| *n > 0 && *n <= 10_000)
                .with_context(|| format!("{name} needs a whole number from 1 to 10000"))
        };
        match a.as_str() {
            "--devices" => opts.devices = number(a, value(a)?)?,
            "--batches" => opts.batches = number(a, value(a)?)?,
            "--grids" => opts.grids = number(a, value(a)?)?,
            "--instances" => opts.instances = number(a, value(a)?)?,
            "--scenario" => {
                opts.scenario = match value(a)?.as_str() {
                    "morning" => Scenario::Morning,
                    "demo" => Scenario::Demo,
                    other => bail!("--scenario {other}: morning or demo"),
                }
            }
            "--db" => {
                opts.db = match value(a)?.as_str() {
                    "sqlite" => Db::Sqlite,
                    "postgres" => Db::Postgres,
                    other => bail!("--db {other}: sqlite or postgres"),
                }
            }
            other => bail!("unknown option {other}\n\n{USAGE}"),
        }
    }
    ensure!(
        opts.db == Db::Postgres || opts.instances == 1,
        "--instances {}: a SQLite database is one file written by one server process; more instances need --db postgres",
        opts.instances
    );
    Ok(opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn defaults_to_a_morning_on_sqlite_with_one_server() {
        let o = parse(&[]).unwrap();
        assert!(o.scenario == Scenario::Morning && o.db == Db::Sqlite);
        assert_eq!(
            (o.devices, o.batches, o.grids, o.instances),
            (200, 100, 50, 1)
        );
        let o = parse(&args(
            "--db postgres --instances 2 --scenario demo --grids 7",
        ))
        .unwrap();
        assert!(o.scenario == Scenario::Demo && o.db == Db::Postgres);
        assert_eq!((o.grids, o.instances), (7, 2));
    }

    #[test]
    fn refuses_several_sqlite_servers_and_unknown_values() {
        let e = parse(&args("--instances 2")).err().unwrap().to_string();
        assert!(e.contains("--db postgres"), "{e}");
        assert!(parse(&args("--db mysql")).is_err());
        assert!(parse(&args("--devices 0")).is_err());
        assert!(parse(&args("--grids")).is_err());
        assert!(parse(&args("--fast")).is_err());
    }
}
