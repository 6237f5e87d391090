//! The `users`, `user_grids` and `tokens` tables on PostgreSQL: accounts, their grids, the scope
//! version that invalidates a user's pull cursors, and each login's token. Every server sharing
//! the database reads these on every request, so a logout, a disabled user, a new password or a
//! new scope holds on all of them at once.

use model::Role;
use postgres::error::SqlState;
use postgres::{Client, GenericClient, Row};

use super::pool::Conn;

use crate::storage::{NewUser, Result, StorageError, TokenOwner, UserRecord, UserUpdate};

const USER_COLS: &str = "id, username, name, role, password_hash, disabled, scope_version";

fn load(c: &mut impl GenericClient, where_sql: &str, key: &str) -> Result<Option<UserRecord>> {
    let sql = format!("SELECT {USER_COLS}, {GRIDS} FROM users WHERE {where_sql}");
    c.query_opt(&sql, &[&key])?.map(|r| user(&r, 0)).transpose()
}

/// The user's grids in their order, as one more column of a query of `users`.
const GRIDS: &str =
    "ARRAY(SELECT grid_id FROM user_grids WHERE user_id = users.id ORDER BY position)";

/// The user in `r`'s columns from `at` on: [`USER_COLS`], then [`GRIDS`].
fn user(r: &Row, at: usize) -> Result<UserRecord> {
    let role: String = r.get(at + 3);
    let role = Role::parse(&role).ok_or_else(|| StorageError::Corrupt(format!("role {role}")))?;
    Ok(UserRecord {
        id: r.get(at),
        username: r.get(at + 1),
        name: r.get(at + 2),
        role,
        grids: r.get(at + 7),
        password_hash: r.get(at + 4),
        disabled: r.get(at + 5),
        scope_version: r.get(at + 6),
    })
}

pub(super) fn count(c: &mut Client) -> Result<u64> {
    Ok(c.query_one("SELECT COUNT(*) FROM users", &[])?
        .get::<_, i64>(0) as u64)
}

pub(super) fn by_id(c: &mut impl GenericClient, id: &str) -> Result<Option<UserRecord>> {
    load(c, "id = $1", id)
}

pub(super) fn by_username(
    c: &mut impl GenericClient,
    username: &str,
) -> Result<Option<UserRecord>> {
    load(c, "username = $1", username)
}

fn set_grids(c: &mut impl GenericClient, id: &str, grids: &[String]) -> Result<()> {
    c.execute("DELETE FROM user_grids WHERE user_id = $1", &[&id])?;
    c.execute(
        "INSERT INTO user_grids (user_id, grid_id, position) \
         SELECT $1, g, min(n) FROM unnest($2::text[]) WITH ORDINALITY AS w(g, n) GROUP BY g",
        &[&id, &grids],
    )?;
    Ok(())
}

pub(super) fn create(c: &mut Client, user: NewUser) -> Result<UserRecord> {
    let mut tx = c.transaction()?;
    let id = uuid::Uuid::new_v4().to_string();
    let inserted = tx.execute(
        "INSERT INTO users (id, username, name, role, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (username) DO NOTHING",
        &[
            &id,
            &user.username,
            &user.name,
            &user.role.as_str(),
            &user.password_hash,
            &crate::now_ms(),
        ],
    )?;
    if inserted == 0 {
        return Err(StorageError::Conflict(format!(
            "user name {} is taken",
            user.username
        )));
    }
    set_grids(&mut tx, &id, &user.grids)?;
    let created = by_id(&mut tx, &id)?
        .ok_or_else(|| StorageError::Corrupt("user vanished after insert".into()))?;
    tx.commit()?;
    Ok(created)
}

pub(super) fn list(c: &mut Client) -> Result<Vec<UserRecord>> {
    let ids: Vec<String> = c
        .query("SELECT id FROM users ORDER BY username", &[])?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut users = Vec::with_capacity(ids.len());
    for id in ids {
        users.extend(by_id(c, &id)?);
    }
    Ok(users)
}

pub(super) fn update(c: &mut Client, id: &str, update: UserUpdate) -> Result<Option<UserRecord>> {
    let mut tx = c.transaction()?;
    // The row lock orders concurrent changes of one user, from whichever server.
    if tx
        .query_opt("SELECT 1 FROM users WHERE id = $1 FOR UPDATE", &[&id])?
        .is_none()
    {
        return Ok(None);
    }
    let Some(before) = by_id(&mut tx, id)? else {
        return Ok(None);
    };
    if let Some(name) = &update.name {
        tx.execute("UPDATE users SET name = $1 WHERE id = $2", &[name, &id])?;
    }
    let changes = update.changes(&before);
    if let Some(role) = changes.role {
        tx.execute(
            "UPDATE users SET role = $1 WHERE id = $2",
            &[&role.as_str(), &id],
        )?;
    }
    if let Some(grids) = &changes.grids {
        set_grids(&mut tx, id, grids)?;
    }
    if changes.scope_changed {
        tx.execute(
            "UPDATE users SET scope_version = scope_version + 1 WHERE id = $1",
            &[&id],
        )?;
    }
    if let Some(hash) = &update.password_hash {
        tx.execute(
            "UPDATE users SET password_hash = $1 WHERE id = $2",
            &[hash, &id],
        )?;
    }
    if let Some(disabled) = update.disabled {
        tx.execute(
            "UPDATE users SET disabled = $1 WHERE id = $2",
            &[&disabled, &id],
        )?;
    }
    if changes.revoke {
        tx.execute("DELETE FROM tokens WHERE user_id = $1", &[&id])?;
    }
    let after = by_id(&mut tx, id)?;
    tx.commit()?;
    Ok(after)
}

pub(super) fn store_token(
    c: &mut Client,
    token_hash: &str,
    user_id: &str,
    device_id: &str,
    now_ms: i64,
) -> Result<()> {
    c.execute(
        "INSERT INTO tokens (token_hash, user_id, device_id, created_at, last_used_at) \
         VALUES ($1, $2, $3, $4, $4)",
        &[&token_hash, &user_id, &device_id, &now_ms],
    )
    .map_err(|e| match e.code() {
        Some(&SqlState::FOREIGN_KEY_VIOLATION) => {
            StorageError::Conflict(format!("no user {user_id}"))
        }
        _ => e.into(),
    })?;
    Ok(())
}

/// The token `$1`'s device, last use and user with, for an owner of the role `$2`, the ids of
/// the records of entity `$3` whose field `$4` holds the owner's id as JSON text (`to_json`, checked against serde's in
/// [`token_owner_named_by`]). Two texts: a field in the reference index repeats its condition
/// word for word, so the planner may use that partial index (`fields::ids_where`).
static TOKEN_OWNER_NAMED_BY: std::sync::LazyLock<[String; 2]> = std::sync::LazyLock::new(|| {
    [false, true].map(|referenced| {
        let index = match referenced {
            true => " AND right(f.field, 3) = '_id' AND f.field <> 'grid_id'",
            false => "",
        };
        format!(
            "SELECT tokens.device_id, tokens.last_used_at, {USER_COLS}, {GRIDS}, \
             to_json(users.id)::text, \
             CASE WHEN users.role = $2 THEN ARRAY(SELECT f.id FROM fields f \
               WHERE f.entity = $3 AND f.field = $4 AND f.value = to_json(users.id)::text{index} \
               ORDER BY f.id) END \
             FROM tokens JOIN users ON users.id = tokens.user_id WHERE tokens.token_hash = $1"
        )
    })
});

/// Every request's check of its token, with the records naming its owner
/// ([`crate::storage::NamedBy`]): one round trip, by a statement the connection keeps prepared.
/// The records were a second round trip once, a twelfth of the servers' time in a morning's
/// storm (BENCHMARKS.md, 2026-12-07).
pub(super) fn token_owner_named_by(
    c: &mut Conn,
    token_hash: &str,
    named: crate::storage::NamedBy,
) -> Result<Option<(TokenOwner, Vec<String>)>> {
    let referenced = crate::storage::in_reference_index(named.field);
    let st = c.prepared(&TOKEN_OWNER_NAMED_BY[usize::from(referenced)])?;
    let role = named.role.as_str();
    let Some(r) = c
        .client
        .query_opt(&st, &[&token_hash, &role, &named.entity, &named.field])?
    else {
        return Ok(None);
    };
    let user = user(&r, 2)?;
    if user.disabled {
        return Ok(None);
    }
    let ids = match user.role == named.role {
        false => Vec::new(),
        true => {
            // The stored value is serde's JSON text of the id; PostgreSQL's `to_json` writes the
            // same text for any id but one with characters the two escape differently, which is
            // then looked up again by serde's text.
            let me = serde_json::Value::String(user.id.clone()).to_string();
            let sql_me: String = r.get(10);
            match sql_me == me {
                true => r.get::<_, Option<Vec<String>>>(11).unwrap_or_default(),
                false => super::fields::ids_where(c, named.entity, named.field, &me)?,
            }
        }
    };
    Ok(Some((
        TokenOwner {
            user,
            device_id: r.get(0),
            last_used_ms: r.get(1),
        },
        ids,
    )))
}
