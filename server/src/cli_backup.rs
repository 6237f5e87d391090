//! `server backup`, `server restore` and `server migrate`: a database to a dump file and back,
//! and a community moved from one database to another (SQLite to PostgreSQL), from the command
//! line (see [`crate::backup`]).

use std::io::Write;
use std::path::Path;

use anyhow::{anyhow, bail, Context};

use crate::backup::{self, Counts};
use crate::storage::location::Location;
use crate::Config;

pub const USAGE: &str = "\
usage:
  server backup --to FILE [--tokens]
  server restore --from FILE [--new-instance]
  server migrate --from <SQLite file or directory> --to <postgres:// URL or SQLite path> [--tokens]
backup and restore work on the server's database (KNOCK_DATABASE_URL when set, else
KNOCK_DATA_DIR); restore and migrate write only into an empty database. Without --tokens
every device logs in again after a restore or a move. --new-instance makes every device pull
again from the start (for an older backup of a database devices went on syncing with).";

/// The options given: `--key value` or `--key=value` of `values`, and the bare `flags`.
struct Options {
    values: Vec<(String, String)>,
    flags: Vec<String>,
}

impl Options {
    fn parse(args: &[String], values: &[&str], flags: &[&str]) -> anyhow::Result<Options> {
        let (values, flags) = crate::cli::parse_options(args, values, flags, USAGE)?;
        Ok(Options { values, flags })
    }

    fn value(&self, key: &str) -> anyhow::Result<&str> {
        self.values
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .ok_or_else(|| anyhow!("--{key} is needed\n{USAGE}"))
    }

    fn flag(&self, key: &str) -> bool {
        self.flags.iter().any(|f| f == key)
    }
}

/// The server's own database: `KNOCK_DATABASE_URL` when set, else `knock.sqlite3` in
/// `KNOCK_DATA_DIR`.
pub fn configured(config: &Config) -> Location {
    match &config.database_url {
        Some(url) => Location::Postgres(url.expose().to_owned()),
        None => Location::Sqlite(config.data_dir.join("knock.sqlite3")),
    }
}

fn counts(c: Counts, max_seq: i64, tokens: bool) -> String {
    let tokens = match tokens {
        true => format!("{} tokens, ", c.tokens),
        false => String::new(),
    };
    format!(
        "{} users, {tokens}{} rows (last seq {max_seq}), {} meta values, {} history entries, {} contests",
        c.users, c.rows, c.meta, c.history, c.contests
    )
}

/// Runs `backup|restore|migrate <args>` on the database `config` names; what a person should
/// read goes to `out`.
pub async fn run(
    command: &str,
    args: &[String],
    config: &Config,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    if args
        .iter()
        .any(|a| matches!(a.as_str(), "help" | "--help" | "-h"))
    {
        writeln!(out, "{USAGE}")?;
        return Ok(());
    }
    match command {
        "backup" => {
            let opts = Options::parse(args, &["to"], &["tokens"])?;
            let file = opts.value("to")?;
            let tokens = opts.flag("tokens");
            let db = configured(config);
            if !db.exists() {
                bail!("there is no database at {db} to back up");
            }
            let storage = db.open().await.with_context(|| format!("opening {db}"))?;
            let header = backup::backup(storage.as_ref(), Path::new(file), tokens, out).await?;
            writeln!(
                out,
                "backed up {db} to {file}: {}",
                counts(header.counts, header.max_seq, tokens)
            )?;
            if !tokens {
                writeln!(
                    out,
                    "tokens were left out: after a restore every device logs in again \
                     (--tokens keeps them)"
                )?;
            }
            writeln!(
                out,
                "keep {file} private: it holds the users' password hashes"
            )?;
        }
        "restore" => {
            let opts = Options::parse(args, &["from"], &["new-instance"])?;
            let file = opts.value("from")?;
            let new_instance = opts.flag("new-instance");
            let db = configured(config);
            let storage = db.open().await.with_context(|| format!("opening {db}"))?;
            let header = backup::restore(storage.as_ref(), Path::new(file), new_instance, out)
                .await
                .with_context(|| format!("restoring {file} into {db}"))?;
            writeln!(
                out,
                "restored {file} into {db}: {}; checked against the dump",
                counts(header.counts, header.max_seq, header.tokens_included)
            )?;
            if !header.tokens_included {
                writeln!(
                    out,
                    "the backup holds no tokens: every device logs in again (unsynced changes \
                     stay on the device and sync after the login)"
                )?;
            }
            if new_instance {
                writeln!(
                    out,
                    "the database has a new instance id: every device pulls again from the start"
                )?;
            }
        }
        "migrate" => {
            let opts = Options::parse(args, &["from", "to"], &["tokens"])?;
            let (from, to) = (
                Location::parse(opts.value("from")?),
                Location::parse(opts.value("to")?),
            );
            let tokens = opts.flag("tokens");
            if !from.exists() {
                bail!("there is no database at {from} to move");
            }
            if from == to {
                bail!("--from and --to are the same database");
            }
            let source = from
                .open()
                .await
                .with_context(|| format!("opening {from}"))?;
            let target = to.open().await.with_context(|| format!("opening {to}"))?;
            let moved = backup::migrate(source.as_ref(), target.as_ref(), tokens, out)
                .await
                .with_context(|| format!("moving {from} to {to}"))?;
            writeln!(
                out,
                "moved {from} to {to}: {}; checked: counts, last seq, instance id and the rows' \
                 sha256 are equal on both sides",
                counts(moved.counts, moved.max_seq, tokens)
            )?;
            if !tokens {
                writeln!(
                    out,
                    "tokens were not moved: every device logs in again on the new database \
                     (--tokens moves them)"
                )?;
            }
            writeln!(
                out,
                "{from} is left as it was; point the server at {to} and start it"
            )?;
        }
        other => bail!("unknown command {other}\n{USAGE}"),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn options_take_flags_and_values_and_refuse_the_unknown() {
        let o = Options::parse(
            &strings(&["--tokens", "--to=a.knock", "--from", "b"]),
            &["to", "from"],
            &["tokens"],
        )
        .unwrap();
        assert!(o.flag("tokens"));
        assert!(!o.flag("new-instance"));
        assert_eq!(o.value("to").unwrap(), "a.knock");
        assert_eq!(o.value("from").unwrap(), "b");
        assert!(Options::parse(&strings(&["--to"]), &["to"], &[]).is_err());
        assert!(Options::parse(&strings(&["--force", "x"]), &["to"], &[]).is_err());
        assert!(Options::parse(&strings(&["stray"]), &["to"], &[]).is_err());
        assert!(Options::parse(&strings(&["--to", "a", "--to", "b"]), &["to"], &[]).is_err());
        let none = Options::parse(&[], &["to"], &[]).unwrap();
        assert!(none.value("to").unwrap_err().to_string().contains("--to"));
    }

    #[test]
    fn the_server_database_is_the_url_when_set_else_the_data_dir() {
        let c =
            Config::from_lookup(|k| (k == "KNOCK_DATA_DIR").then(|| "/srv/knock".into())).unwrap();
        assert_eq!(
            configured(&c),
            Location::Sqlite("/srv/knock/knock.sqlite3".into())
        );
        let url = "postgres://knock:pw@db/knock";
        let c = Config::from_lookup(|k| (k == "KNOCK_DATABASE_URL").then(|| url.into())).unwrap();
        assert_eq!(configured(&c), Location::Postgres(url.into()));
    }
}
