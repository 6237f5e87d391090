//! The `tokens` table: the hash of each login's bearer token, its user, its device and its last use.

use rusqlite::{params, Connection, OptionalExtension};

use super::users;
use crate::storage::{NamedBy, Result, TokenOwner};

pub(super) fn store(
    c: &mut Connection,
    token_hash: &str,
    user_id: &str,
    device_id: &str,
    now_ms: i64,
) -> Result<()> {
    c.execute(
        "INSERT INTO tokens (token_hash, user_id, device_id, created_at, last_used_at) \
         VALUES (?1, ?2, ?3, ?4, ?4)",
        params![token_hash, user_id, device_id, now_ms],
    )?;
    Ok(())
}

/// [`owner`] and the records naming the owner ([`NamedBy`]), on one reader: one visit to the
/// readers' pool for what every request of a grid worker asks (`cover.rs`).
pub(super) fn owner_named_by(
    c: &mut Connection,
    token_hash: &str,
    named: NamedBy,
) -> Result<Option<(TokenOwner, Vec<String>)>> {
    let Some(owner) = owner(c, token_hash)? else {
        return Ok(None);
    };
    let ids = match owner.user.role == named.role {
        true => {
            let me = serde_json::Value::String(owner.user.id.clone()).to_string();
            super::fields::ids_where(c, named.entity, named.field, &me)?
        }
        false => Vec::new(),
    };
    Ok(Some((owner, ids)))
}

/// The user and device of a token, with its last use; none for unknown tokens or disabled users.
fn owner(c: &mut Connection, token_hash: &str) -> Result<Option<TokenOwner>> {
    let row: Option<(String, String, i64)> = c
        .query_row(
            "SELECT user_id, device_id, last_used_at FROM tokens WHERE token_hash = ?1",
            [token_hash],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((user_id, device_id, last_used_ms)) = row else {
        return Ok(None);
    };
    Ok(users::by_id(c, &user_id)?
        .filter(|u| !u.disabled)
        .map(|user| TokenOwner {
            user,
            device_id,
            last_used_ms,
        }))
}

pub(super) fn touch(c: &mut Connection, token_hash: &str, now_ms: i64) -> Result<()> {
    c.execute(
        "UPDATE tokens SET last_used_at = ?2 WHERE token_hash = ?1",
        params![token_hash, now_ms],
    )?;
    Ok(())
}

pub(super) fn delete_unused_since(c: &mut Connection, before_ms: i64) -> Result<u64> {
    let n = c.execute("DELETE FROM tokens WHERE last_used_at < ?1", [before_ms])?;
    Ok(n as u64)
}

pub(super) fn delete(c: &mut Connection, token_hash: &str) -> Result<()> {
    c.execute("DELETE FROM tokens WHERE token_hash = ?1", [token_hash])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use rusqlite::Connection;

    use crate::storage::sqlite::{SqliteStorage, MIGRATIONS};
    use crate::storage::Storage;

    #[tokio::test]
    async fn tokens_from_before_the_idle_expiry_count_as_used_at_the_upgrade() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("knock.sqlite3");
        {
            // A database as the first schema left it, with a token made a year ago.
            let c = Connection::open(&path).unwrap();
            c.execute_batch(MIGRATIONS[0]).unwrap();
            c.pragma_update(None, "user_version", 1).unwrap();
            c.execute_batch(
                "INSERT INTO users (id, username, name, role, password_hash, created_at) \
                 VALUES ('u1', 'wangfang', '王芳', 'grid_worker', 'x', 0);
                 INSERT INTO tokens (token_hash, user_id, device_id, created_at) \
                 VALUES ('t1', 'u1', 'phone-a', 1700000000000);",
            )
            .unwrap();
        }
        let s = SqliteStorage::open(&path).unwrap();
        let (owner, _) = s
            .token_owner_named_by("t1", crate::cover::COVER_DAYS)
            .await
            .unwrap()
            .unwrap();
        assert!((owner.last_used_ms - crate::now_ms()).abs() < 60_000);
        assert_eq!(owner.device_id, "phone-a");
    }
}
