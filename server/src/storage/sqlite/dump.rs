//! Reading every user, token and meta row for a backup or a move, and writing a dump's parts
//! back with their own ids, hashes and seqs (see [`Restore`]).

use std::collections::HashMap;

use model::Role;
use rusqlite::{params, Connection};

use crate::storage::{Restore, Result, StorageError, StoredToken, StoredUser, UserRecord};

/// Users and their grids read in one transaction, so a user's grids are those of the same moment.
pub(super) fn users(c: &mut Connection) -> Result<Vec<StoredUser>> {
    let tx = c.transaction()?;
    let mut grids: HashMap<String, Vec<String>> = HashMap::new();
    {
        // By rowid: each user's grids in the order they were given.
        let mut stmt = tx.prepare("SELECT user_id, grid_id FROM user_grids ORDER BY rowid")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get(1)?)))?;
        for row in rows {
            let (user, grid) = row?;
            grids.entry(user).or_default().push(grid);
        }
    }
    let mut stmt = tx.prepare(
        "SELECT id, username, name, role, password_hash, disabled, scope_version, created_at \
         FROM users ORDER BY username",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, bool>(5)?,
            r.get::<_, i64>(6)?,
            r.get::<_, i64>(7)?,
        ))
    })?;
    rows.map(|row| {
        let (id, username, name, role, password_hash, disabled, scope_version, created_at_ms) =
            row?;
        let role =
            Role::parse(&role).ok_or_else(|| StorageError::Corrupt(format!("role {role}")))?;
        Ok(StoredUser {
            user: UserRecord {
                grids: grids.remove(&id).unwrap_or_default(),
                id,
                username,
                name,
                role,
                password_hash,
                disabled,
                scope_version,
            },
            created_at_ms,
        })
    })
    .collect()
}

pub(super) fn tokens(c: &mut Connection) -> Result<Vec<StoredToken>> {
    let mut stmt = c.prepare(
        "SELECT token_hash, user_id, device_id, created_at, last_used_at FROM tokens \
         ORDER BY token_hash",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(StoredToken {
            token_hash: r.get(0)?,
            user_id: r.get(1)?,
            device_id: r.get(2)?,
            created_at_ms: r.get(3)?,
            last_used_ms: r.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn meta(c: &mut Connection) -> Result<Vec<(String, String)>> {
    let mut stmt = c.prepare("SELECT key, value FROM meta ORDER BY key")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn is_empty(c: &mut Connection) -> Result<bool> {
    Ok(c.query_row(
        "SELECT NOT EXISTS (SELECT 1 FROM users) AND NOT EXISTS (SELECT 1 FROM tokens) \
         AND NOT EXISTS (SELECT 1 FROM fields)",
        [],
        |r| r.get(0),
    )?)
}

/// Writes one part in one transaction: all of it or, on any error, none.
pub(super) fn restore(c: &mut Connection, part: Restore) -> Result<()> {
    let tx = c.transaction()?;
    match part {
        Restore::Meta(rows) => {
            let mut stmt = tx.prepare(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?;
            for (key, value) in rows {
                stmt.execute([key, value])?;
            }
        }
        Restore::Users(users) => {
            let mut user = tx.prepare(
                "INSERT INTO users \
                 (id, username, name, role, password_hash, disabled, scope_version, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            let mut grid =
                tx.prepare("INSERT INTO user_grids (user_id, grid_id) VALUES (?1, ?2)")?;
            for StoredUser {
                user: u,
                created_at_ms,
            } in users
            {
                user.execute(params![
                    u.id,
                    u.username,
                    u.name,
                    u.role.as_str(),
                    u.password_hash,
                    u.disabled,
                    u.scope_version,
                    created_at_ms
                ])?;
                for g in &u.grids {
                    grid.execute(params![u.id, g])?;
                }
            }
        }
        Restore::Tokens(tokens) => {
            let mut stmt = tx.prepare(
                "INSERT INTO tokens (token_hash, user_id, device_id, created_at, last_used_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for t in tokens {
                stmt.execute(params![
                    t.token_hash,
                    t.user_id,
                    t.device_id,
                    t.created_at_ms,
                    t.last_used_ms
                ])?;
            }
        }
        Restore::Rows(rows) => {
            let mut stmt = tx.prepare(
                "INSERT INTO fields (entity, id, field, value, hlc, seq, grid_id) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for r in rows {
                let c = r.change;
                // The stored text of a value is its compact JSON, as every write keeps it.
                stmt.execute(params![
                    c.entity,
                    c.id,
                    c.field,
                    c.value.to_string(),
                    c.hlc,
                    r.seq,
                    r.grid_id
                ])?;
            }
        }
        Restore::History(entries) => super::history::log(&tx, entries)?,
        Restore::Contests(contests) => {
            for k in contests {
                super::history::flag(&tx, k)?;
            }
        }
    }
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use model::wire::Change;
    use model::Role;
    use serde_json::json;

    use crate::storage::sqlite::SqliteStorage;
    use crate::storage::{
        FieldRow, NewUser, Restore, Storage, StoredToken, UserRecord, UserUpdate,
    };

    fn row(id: &str, seq: i64, grid: Option<&str>) -> FieldRow {
        FieldRow {
            change: Change {
                entity: "resident".into(),
                id: id.into(),
                field: "name".into(),
                value: json!({"b": 1.5, "a": "王芳"}),
                hlc: format!("{:013}-0000-dev", 1_764_331_200_000 + seq),
            },
            grid_id: grid.map(str::to_owned),
            seq,
        }
    }

    #[tokio::test]
    async fn a_dump_written_back_keeps_ids_hashes_grids_stamps_and_seqs() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let from = SqliteStorage::open_dir(a.path()).unwrap();
        let li = from
            .create_user(NewUser {
                username: "li".into(),
                name: "李强".into(),
                role: Role::Supervisor,
                grids: vec!["g2".into(), "g1".into()],
                password_hash: "hash-li".into(),
            })
            .await
            .unwrap();
        from.update_user(
            &li.id,
            UserUpdate {
                grids: Some(vec!["g3".into(), "g1".into()]),
                disabled: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        from.set_meta("demo_passwords", "{}").await.unwrap();
        let to = SqliteStorage::open_dir(b.path()).unwrap();
        assert!(
            to.is_empty().await.unwrap(),
            "meta aside, a new database is empty"
        );

        // Seqs with gaps, as rows moved later leave them.
        let rows = vec![row("r1", 3, Some("g1")), row("r2", 7, None)];
        to.restore(Restore::Meta(from.dump_meta().await.unwrap()))
            .await
            .unwrap();
        let users = from.dump_users().await.unwrap();
        to.restore(Restore::Users(users.clone())).await.unwrap();
        let token = StoredToken {
            token_hash: "th".into(),
            user_id: li.id.clone(),
            device_id: "phone".into(),
            created_at_ms: 5,
            last_used_ms: 9,
        };
        to.restore(Restore::Tokens(vec![token.clone()]))
            .await
            .unwrap();
        to.restore(Restore::Rows(rows)).await.unwrap();

        assert!(!to.is_empty().await.unwrap());
        let restored: Vec<UserRecord> = to
            .dump_users()
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.user)
            .collect();
        assert_eq!(restored, [users[0].user.clone()]);
        assert_eq!(restored[0].grids, ["g3", "g1"], "grids keep their order");
        assert_eq!(restored[0].scope_version, 1);
        assert_eq!(to.dump_users().await.unwrap(), users, "created_at too");
        assert_eq!(to.dump_tokens().await.unwrap(), [token]);
        assert_eq!(
            to.meta("instance_id").await.unwrap().as_deref(),
            Some(from.instance_id())
        );
        assert_eq!(
            to.dump_meta().await.unwrap(),
            from.dump_meta().await.unwrap()
        );
        let back = to.rows_after(0, 10, None).await.unwrap();
        let seqs: Vec<(i64, Option<String>)> =
            back.iter().map(|r| (r.seq, r.grid_id.clone())).collect();
        assert_eq!(seqs, [(3, Some("g1".into())), (7, None)]);
        assert_eq!(back[0].change, row("r1", 3, None).change);
        assert_eq!(to.max_seq().await.unwrap(), 7);
    }

    #[tokio::test]
    async fn a_part_that_clashes_is_written_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        let s = SqliteStorage::open_dir(dir.path()).unwrap();
        s.restore(Restore::Rows(vec![row("r1", 1, None)]))
            .await
            .unwrap();
        let clash = Restore::Rows(vec![row("r2", 2, None), row("r3", 1, None)]);
        assert!(s.restore(clash).await.is_err(), "seq 1 is taken");
        assert_eq!(s.max_seq().await.unwrap(), 1, "r2 was rolled back");
        let orphan = StoredToken {
            token_hash: "t".into(),
            user_id: "nobody".into(),
            device_id: "d".into(),
            created_at_ms: 0,
            last_used_ms: 0,
        };
        assert!(
            s.restore(Restore::Tokens(vec![orphan])).await.is_err(),
            "a token needs its user"
        );
    }
}
