//! `server user …`: user administration from the command line, on the database in
//! `KNOCK_DATA_DIR`, with the same rules as the API (it goes through `accounts`).

use std::io::Write;

use anyhow::{anyhow, bail, Context};
use model::wire::{CreateUserRequest, UpdateUserRequest};
use model::Role;
use rand::Rng;

use crate::accounts;
use crate::error::AppError;
use crate::storage::{Storage, UserRecord};

pub const USAGE: &str = "\
usage: server user <command>
  user list
  user add <username> --role <admin|supervisor|grid_worker|volunteer> [--name N] [--grids g1,g2] [--password P]
  user passwd <username> [--password P]
  user disable <username>
  user enable <username>
  user set <username> [--role R] [--grids g1,g2] [--name N]
Grids are grid ids or grid names, separated by commas. Without --password a random password is
made and printed once.";

/// The options after the user name: `--key value` or `--key=value`, each of `allowed` once.
fn options(args: &[String], allowed: &[&str]) -> anyhow::Result<Vec<(String, String)>> {
    Ok(parse_options(args, allowed, &[], USAGE)?.0)
}

/// Options with values, `(key, value)` in the order given.
pub(crate) type Options = Vec<(String, String)>;

/// A command's options: `--key value` or `--key=value`, each of `values` once, and the bare
/// `--flag`s of `flags`; anything else is refused with `usage`. Every `server` command parses its
/// options here.
pub(crate) fn parse_options(
    args: &[String],
    values: &[&str],
    flags: &[&str],
    usage: &str,
) -> anyhow::Result<(Options, Vec<String>)> {
    let mut out: Options = Vec::new();
    let mut set = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let Some(key) = arg.strip_prefix("--") else {
            bail!("unexpected argument {arg:?}\n{usage}");
        };
        if flags.contains(&key) {
            set.push(key.to_owned());
            continue;
        }
        let (key, value) = match key.split_once('=') {
            Some((k, v)) => (k.to_owned(), v.to_owned()),
            None => {
                let v = it.next().ok_or_else(|| anyhow!("--{key} needs a value"))?;
                (key.to_owned(), v.clone())
            }
        };
        if !values.contains(&key.as_str()) {
            bail!("unknown option --{key} here\n{usage}");
        }
        if out.iter().any(|(k, _)| *k == key) {
            bail!("--{key} given twice");
        }
        out.push((key, value));
    }
    Ok((out, set))
}

fn get<'a>(opts: &'a [(String, String)], key: &str) -> Option<&'a str> {
    opts.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn parse_role(s: &str) -> anyhow::Result<Role> {
    Role::parse(s).ok_or_else(|| {
        anyhow!("unknown role {s:?}: one of admin, supervisor, grid_worker, volunteer")
    })
}

/// Grid ids from a comma-separated list of ids or names.
async fn resolve_grids(storage: &dyn Storage, list: &str) -> anyhow::Result<Vec<String>> {
    let grids = crate::grids::all(storage).await?;
    let mut out = Vec::new();
    for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        if grids.iter().any(|(id, _)| id == item) {
            out.push(item.to_owned());
            continue;
        }
        let named: Vec<&String> = grids
            .iter()
            .filter(|(_, name)| name == item)
            .map(|(id, _)| id)
            .collect();
        match named.as_slice() {
            [id] => out.push((*id).clone()),
            [] => bail!("no grid with the id or name {item:?} (see the grid list in the app)"),
            _ => bail!("more than one grid is named {item:?}: give its id"),
        }
    }
    Ok(out)
}

/// A password a person can type from a phone screen: no 0/O or 1/l/I to confuse.
pub fn random_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rngs::OsRng;
    (0..12)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

async fn by_username(storage: &dyn Storage, username: &str) -> anyhow::Result<UserRecord> {
    storage
        .user_by_username(username)
        .await?
        .ok_or_else(|| anyhow!("no user named {username:?}"))
}

/// The API's refusals read the same here, without the HTTP status.
fn refused(e: AppError) -> anyhow::Error {
    match e {
        AppError::NotFound => anyhow!("no such user"),
        e => anyhow!("{e}"),
    }
}

/// Runs `user <args>`; what a person should read goes to `out`.
pub async fn run(
    args: &[String],
    storage: &dyn Storage,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let (command, rest) = match args {
        [c, rest @ ..] => (c.as_str(), rest),
        [] => bail!("{USAGE}"),
    };
    if matches!(command, "help" | "--help" | "-h") {
        writeln!(out, "{USAGE}")?;
        return Ok(());
    }
    if command == "list" {
        if !rest.is_empty() {
            bail!("user list takes no arguments");
        }
        let grids = crate::grids::all(storage).await?;
        let grid_name = |id: &String| {
            grids
                .iter()
                .find(|(g, _)| g == id)
                .map(|(_, n)| n.clone())
                .unwrap_or_else(|| id.clone())
        };
        writeln!(out, "username\trole\tname\tgrids\tstatus")?;
        for u in storage.list_users().await? {
            let names: Vec<String> = u.grids.iter().map(grid_name).collect();
            writeln!(
                out,
                "{}\t{}\t{}\t{}\t{}",
                u.username,
                u.role.as_str(),
                u.name,
                names.join(","),
                if u.disabled { "disabled" } else { "active" }
            )?;
        }
        return Ok(());
    }
    let (username, rest) = match rest {
        [u, rest @ ..] if !u.starts_with("--") => (u.as_str(), rest),
        _ => bail!("user {command} needs a user name\n{USAGE}"),
    };
    match command {
        "add" => {
            let opts = options(rest, &["role", "name", "grids", "password"])?;
            let role = parse_role(get(&opts, "role").context("user add needs --role")?)?;
            let grids = match get(&opts, "grids") {
                Some(list) => resolve_grids(storage, list).await?,
                None => Vec::new(),
            };
            let (password, generated) = match get(&opts, "password") {
                Some(p) => (p.to_owned(), false),
                None => (random_password(), true),
            };
            let user = accounts::create(
                storage,
                CreateUserRequest {
                    username: username.to_owned(),
                    name: get(&opts, "name").unwrap_or_default().to_owned(),
                    role,
                    grids,
                    password: password.clone(),
                },
            )
            .await
            .map_err(refused)?;
            writeln!(out, "created {} ({})", user.username, user.role.as_str())?;
            if generated {
                writeln!(out, "password: {password}")?;
            }
        }
        "passwd" => {
            let opts = options(rest, &["password"])?;
            let user = by_username(storage, username).await?;
            let (password, generated) = match get(&opts, "password") {
                Some(p) => (p.to_owned(), false),
                None => (random_password(), true),
            };
            accounts::update(
                storage,
                None,
                &user.id,
                UpdateUserRequest {
                    password: Some(password.clone()),
                    ..Default::default()
                },
            )
            .await
            .map_err(refused)?;
            writeln!(
                out,
                "password of {username} changed; their devices must log in again"
            )?;
            if generated {
                writeln!(out, "password: {password}")?;
            }
        }
        "disable" | "enable" => {
            options(rest, &[])?;
            let user = by_username(storage, username).await?;
            let disabled = command == "disable";
            accounts::update(
                storage,
                None,
                &user.id,
                UpdateUserRequest {
                    disabled: Some(disabled),
                    ..Default::default()
                },
            )
            .await
            .map_err(refused)?;
            writeln!(
                out,
                "{username} {}",
                if disabled {
                    "disabled; their tokens are revoked"
                } else {
                    "enabled"
                }
            )?;
        }
        "set" => {
            let opts = options(rest, &["role", "grids", "name"])?;
            if opts.is_empty() {
                bail!("user set needs --role, --grids or --name");
            }
            let user = by_username(storage, username).await?;
            let role = get(&opts, "role").map(parse_role).transpose()?;
            let grids = match get(&opts, "grids") {
                Some(list) => Some(resolve_grids(storage, list).await?),
                None => None,
            };
            let after = accounts::update(
                storage,
                None,
                &user.id,
                UpdateUserRequest {
                    name: get(&opts, "name").map(str::to_owned),
                    role,
                    grids,
                    ..Default::default()
                },
            )
            .await
            .map_err(refused)?;
            let names = crate::grids::names(storage, &after.grids).await?;
            writeln!(
                out,
                "{}: {} {} [{}]",
                after.username,
                after.role.as_str(),
                after.name,
                names.join(",")
            )?;
        }
        other => bail!("unknown command user {other}\n{USAGE}"),
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
    fn options_take_both_forms_and_refuse_the_unknown() {
        let o = options(
            &strings(&["--role", "admin", "--name=王芳"]),
            &["role", "name"],
        )
        .unwrap();
        assert_eq!(get(&o, "role"), Some("admin"));
        assert_eq!(get(&o, "name"), Some("王芳"));
        assert!(options(&strings(&["--color", "x"]), &["role"]).is_err());
        assert!(options(&strings(&["--role"]), &["role"]).is_err());
        assert!(options(&strings(&["stray"]), &["role"]).is_err());
        assert!(options(&strings(&["--role", "a", "--role", "b"]), &["role"]).is_err());
    }

    #[test]
    fn random_passwords_are_long_enough_and_differ() {
        let a = random_password();
        assert!(accounts::check_password(&a).is_none());
        assert_ne!(a, random_password());
    }
}
