//! The `tokens` table: the hash of each login's bearer token, its user and its device.

use rusqlite::{params, Connection, OptionalExtension};

use super::users;
use crate::storage::{Result, UserRecord};

pub(super) fn store(
    c: &mut Connection,
    token_hash: &str,
    user_id: &str,
    device_id: &str,
    now_ms: i64,
) -> Result<()> {
    c.execute(
        "INSERT INTO tokens (token_hash, user_id, device_id, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![token_hash, user_id, device_id, now_ms],
    )?;
    Ok(())
}

pub(super) fn owner(c: &mut Connection, token_hash: &str) -> Result<Option<(UserRecord, String)>> {
    let row: Option<(String, String)> = c
        .query_row(
            "SELECT user_id, device_id FROM tokens WHERE token_hash = ?1",
            [token_hash],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let Some((user_id, device)) = row else {
        return Ok(None);
    };
    Ok(users::by_id(c, &user_id)?
        .filter(|u| !u.disabled)
        .map(|u| (u, device)))
}

pub(super) fn delete(c: &mut Connection, token_hash: &str) -> Result<()> {
    c.execute("DELETE FROM tokens WHERE token_hash = ?1", [token_hash])?;
    Ok(())
}
