//! The `users` and `user_grids` tables: accounts, their grids, and the scope version that
//! invalidates a user's pull cursors.

use model::Role;
use rusqlite::{params, Connection, OptionalExtension};

use crate::storage::{NewUser, Result, StorageError, UserRecord, UserUpdate};

pub(super) fn count(c: &mut Connection) -> Result<u64> {
    Ok(c.query_row("SELECT COUNT(*) FROM users", [], |r| r.get::<_, i64>(0))? as u64)
}

pub(super) fn by_id(c: &Connection, id: &str) -> Result<Option<UserRecord>> {
    load(c, "id = ?1", id)
}

pub(super) fn by_username(c: &Connection, username: &str) -> Result<Option<UserRecord>> {
    load(c, "username = ?1", username)
}

fn load(conn: &Connection, where_sql: &str, key: &str) -> Result<Option<UserRecord>> {
    let sql = format!(
        "SELECT id, username, name, role, password_hash, disabled, scope_version FROM users WHERE {where_sql}"
    );
    let row = conn
        .query_row(&sql, [key], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, bool>(5)?,
                r.get::<_, i64>(6)?,
            ))
        })
        .optional()?;
    let Some((id, username, name, role, password_hash, disabled, scope_version)) = row else {
        return Ok(None);
    };
    let role = Role::parse(&role).ok_or_else(|| StorageError::Corrupt(format!("role {role}")))?;
    let mut stmt =
        conn.prepare_cached("SELECT grid_id FROM user_grids WHERE user_id = ?1 ORDER BY rowid")?;
    let grids = stmt
        .query_map([&id], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    Ok(Some(UserRecord {
        id,
        username,
        name,
        role,
        grids,
        password_hash,
        disabled,
        scope_version,
    }))
}

pub(super) fn create(c: &mut Connection, user: NewUser) -> Result<UserRecord> {
    let tx = c.transaction()?;
    let taken: bool = tx.query_row(
        "SELECT EXISTS(SELECT 1 FROM users WHERE username = ?1)",
        [&user.username],
        |r| r.get(0),
    )?;
    if taken {
        return Err(StorageError::Conflict(format!(
            "user name {} is taken",
            user.username
        )));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let now = crate::now_ms();
    tx.execute(
        "INSERT INTO users (id, username, name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![id, user.username, user.name, user.role.as_str(), user.password_hash, now],
    )?;
    for g in &user.grids {
        tx.execute(
            "INSERT OR IGNORE INTO user_grids (user_id, grid_id) VALUES (?1, ?2)",
            params![id, g],
        )?;
    }
    let created = by_id(&tx, &id)?
        .ok_or_else(|| StorageError::Corrupt("user vanished after insert".into()))?;
    tx.commit()?;
    Ok(created)
}

pub(super) fn list(c: &mut Connection) -> Result<Vec<UserRecord>> {
    let ids: Vec<String> = {
        let mut stmt = c.prepare_cached("SELECT id FROM users ORDER BY username")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut users = Vec::with_capacity(ids.len());
    for id in ids {
        users.extend(by_id(c, &id)?);
    }
    Ok(users)
}

pub(super) fn update(
    c: &mut Connection,
    id: &str,
    update: UserUpdate,
) -> Result<Option<UserRecord>> {
    let tx = c.transaction()?;
    let Some(before) = by_id(&tx, id)? else {
        return Ok(None);
    };
    if let Some(name) = &update.name {
        tx.execute(
            "UPDATE users SET name = ?1 WHERE id = ?2",
            params![name, id],
        )?;
    }
    let changes = update.changes(&before);
    if let Some(role) = changes.role {
        tx.execute(
            "UPDATE users SET role = ?1 WHERE id = ?2",
            params![role.as_str(), id],
        )?;
    }
    if let Some(grids) = &changes.grids {
        tx.execute("DELETE FROM user_grids WHERE user_id = ?1", [id])?;
        for g in grids {
            tx.execute(
                "INSERT OR IGNORE INTO user_grids (user_id, grid_id) VALUES (?1, ?2)",
                params![id, g],
            )?;
        }
    }
    if changes.scope_changed {
        tx.execute(
            "UPDATE users SET scope_version = scope_version + 1 WHERE id = ?1",
            [id],
        )?;
    }
    if let Some(hash) = &update.password_hash {
        tx.execute(
            "UPDATE users SET password_hash = ?1 WHERE id = ?2",
            params![hash, id],
        )?;
    }
    if let Some(disabled) = update.disabled {
        tx.execute(
            "UPDATE users SET disabled = ?1 WHERE id = ?2",
            params![disabled, id],
        )?;
    }
    if changes.revoke {
        tx.execute("DELETE FROM tokens WHERE user_id = ?1", [id])?;
    }
    let after = by_id(&tx, id)?;
    tx.commit()?;
    Ok(after)
}
