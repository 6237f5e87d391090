//! Everything a PostgreSQL database holds, read for a backup and written back into an empty one
//! by a restore or a migration, keeping ids, password hashes, seqs and the instance id.

use std::collections::HashMap;

use model::Role;
use postgres::Client;

use crate::storage::{Restore, Result, StorageError, StoredToken, StoredUser, UserRecord};

pub(super) fn users(c: &mut Client) -> Result<Vec<StoredUser>> {
    let mut tx = c.build_transaction().read_only(true).start()?;
    let mut grids: HashMap<String, Vec<String>> = HashMap::new();
    for r in tx.query(
        "SELECT user_id, grid_id FROM user_grids ORDER BY user_id, position",
        &[],
    )? {
        grids.entry(r.get(0)).or_default().push(r.get(1));
    }
    let rows = tx.query(
        "SELECT id, username, name, role, password_hash, disabled, scope_version, created_at \
         FROM users ORDER BY username",
        &[],
    )?;
    tx.commit()?;
    rows.iter()
        .map(|r| {
            let role: String = r.get(3);
            let role =
                Role::parse(&role).ok_or_else(|| StorageError::Corrupt(format!("role {role}")))?;
            let id: String = r.get(0);
            Ok(StoredUser {
                user: UserRecord {
                    grids: grids.remove(&id).unwrap_or_default(),
                    id,
                    username: r.get(1),
                    name: r.get(2),
                    role,
                    password_hash: r.get(4),
                    disabled: r.get(5),
                    scope_version: r.get(6),
                },
                created_at_ms: r.get(7),
            })
        })
        .collect()
}

pub(super) fn tokens(c: &mut Client) -> Result<Vec<StoredToken>> {
    Ok(c.query(
        "SELECT token_hash, user_id, device_id, created_at, last_used_at FROM tokens \
             ORDER BY token_hash",
        &[],
    )?
    .iter()
    .map(|r| StoredToken {
        token_hash: r.get(0),
        user_id: r.get(1),
        device_id: r.get(2),
        created_at_ms: r.get(3),
        last_used_ms: r.get(4),
    })
    .collect())
}

pub(super) fn meta(c: &mut Client) -> Result<Vec<(String, String)>> {
    Ok(c.query(
        "SELECT key, value FROM meta ORDER BY key COLLATE \"C\"",
        &[],
    )?
    .iter()
    .map(|r| (r.get(0), r.get(1)))
    .collect())
}

pub(super) fn is_empty(c: &mut Client) -> Result<bool> {
    Ok(c.query_one(
        "SELECT NOT EXISTS (SELECT 1 FROM users) AND NOT EXISTS (SELECT 1 FROM tokens) \
         AND NOT EXISTS (SELECT 1 FROM fields)",
        &[],
    )?
    .get(0))
}

/// One part of a dump in one transaction; anything already there (a key, a user name, a token,
/// a seq) fails it whole.
pub(super) fn restore(c: &mut Client, part: Restore) -> Result<()> {
    let mut tx = c.transaction()?;
    match part {
        Restore::Meta(rows) => {
            let (keys, values): (Vec<String>, Vec<String>) = rows.into_iter().unzip();
            tx.execute(
                "INSERT INTO meta (key, value) SELECT * FROM unnest($1::text[], $2::text[]) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                &[&keys, &values],
            )?;
        }
        Restore::Users(users) => {
            for StoredUser {
                user: u,
                created_at_ms,
            } in users
            {
                tx.execute(
                    "INSERT INTO users \
                     (id, username, name, role, password_hash, disabled, scope_version, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                    &[
                        &u.id,
                        &u.username,
                        &u.name,
                        &u.role.as_str(),
                        &u.password_hash,
                        &u.disabled,
                        &u.scope_version,
                        &created_at_ms,
                    ],
                )?;
                tx.execute(
                    "INSERT INTO user_grids (user_id, grid_id, position) \
                     SELECT $1, g, n FROM unnest($2::text[]) WITH ORDINALITY AS w(g, n)",
                    &[&u.id, &u.grids],
                )?;
            }
        }
        Restore::Tokens(tokens) => {
            for t in tokens {
                tx.execute(
                    "INSERT INTO tokens (token_hash, user_id, device_id, created_at, last_used_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                    &[
                        &t.token_hash,
                        &t.user_id,
                        &t.device_id,
                        &t.created_at_ms,
                        &t.last_used_ms,
                    ],
                )?;
            }
        }
        Restore::Rows(rows) => {
            let n = rows.len();
            let mut cols: [Vec<String>; 5] = Default::default();
            let mut seqs = Vec::with_capacity(n);
            let mut grids = Vec::with_capacity(n);
            for r in rows {
                let c = r.change;
                cols[0].push(c.entity);
                cols[1].push(c.id);
                cols[2].push(c.field);
                cols[3].push(c.value.to_string());
                cols[4].push(c.hlc);
                seqs.push(r.seq);
                grids.push(r.grid_id);
            }
            tx.execute(
                "INSERT INTO fields (entity, id, field, value, hlc, seq, grid_id) \
                 SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int8[], $7::text[])",
                &[&cols[0], &cols[1], &cols[2], &cols[3], &cols[4], &seqs, &grids],
            )?;
        }
        Restore::History(entries) => {
            use super::write::{St, STATEMENTS};
            let insert = tx.prepare(STATEMENTS[St::History as usize])?;
            let copy = tx.prepare(STATEMENTS[St::CopyHistory as usize])?;
            super::history::send_entries(&mut tx, [&insert, &copy], &entries)?;
        }
        Restore::Contests(contests) => super::history::send_contests(&mut tx, &contests)?,
    }
    tx.commit()?;
    Ok(())
}
