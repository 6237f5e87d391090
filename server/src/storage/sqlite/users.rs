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
    let mut scope_changed = false;
    if let Some(role) = update.role.filter(|r| *r != before.role) {
        tx.execute(
            "UPDATE users SET role = ?1 WHERE id = ?2",
            params![role.as_str(), id],
        )?;
        scope_changed = true;
    }
    if let Some(grids) = &update.grids {
        let mut wanted = grids.clone();
        wanted.dedup();
        let mut old = before.grids.clone();
        let mut new = wanted.clone();
        old.sort();
        new.sort();
        new.dedup();
        if old != new {
            tx.execute("DELETE FROM user_grids WHERE user_id = ?1", [id])?;
            for g in &wanted {
                tx.execute(
                    "INSERT OR IGNORE INTO user_grids (user_id, grid_id) VALUES (?1, ?2)",
                    params![id, g],
                )?;
            }
            scope_changed = true;
        }
    }
    if scope_changed {
        tx.execute(
            "UPDATE users SET scope_version = scope_version + 1 WHERE id = ?1",
            [id],
        )?;
    }
    let mut revoke = false;
    if let Some(hash) = &update.password_hash {
        tx.execute(
            "UPDATE users SET password_hash = ?1 WHERE id = ?2",
            params![hash, id],
        )?;
        revoke = true;
    }
    if let Some(disabled) = update.disabled {
        tx.execute(
            "UPDATE users SET disabled = ?1 WHERE id = ?2",
            params![disabled, id],
        )?;
        revoke |= disabled;
    }
    if revoke {
        tx.execute("DELETE FROM tokens WHERE user_id = ?1", [id])?;
    }
    let after = by_id(&tx, id)?;
    tx.commit()?;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use model::Role;

    use crate::storage::sqlite::SqliteStorage;
    use crate::storage::{NewUser, Storage, UserRecord, UserUpdate};

    async fn user(s: &SqliteStorage, username: &str, role: Role, grids: &[&str]) -> UserRecord {
        s.create_user(NewUser {
            username: username.into(),
            name: username.into(),
            role,
            grids: grids.iter().map(|g| g.to_string()).collect(),
            password_hash: "h0".into(),
        })
        .await
        .unwrap()
    }

    #[tokio::test]
    async fn users_are_listed_by_user_name_and_updated_in_part() {
        let dir = tempfile::tempdir().unwrap();
        let s = SqliteStorage::open_dir(dir.path()).unwrap();
        user(&s, "wang", Role::GridWorker, &["g1"]).await;
        let li = user(&s, "li", Role::Supervisor, &["g1", "g2"]).await;
        let names: Vec<String> = s
            .list_users()
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.username)
            .collect();
        assert_eq!(names, ["li", "wang"]);

        let renamed = s
            .update_user(
                &li.id,
                UserUpdate {
                    name: Some("李强".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(renamed.name, "李强");
        assert_eq!(renamed.grids, ["g1", "g2"]);
        assert_eq!(
            renamed.scope_version, li.scope_version,
            "a name is not scope"
        );
        let same = s
            .update_user(
                &li.id,
                UserUpdate {
                    grids: Some(vec!["g2".into(), "g1".into()]),
                    role: Some(Role::Supervisor),
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            same.scope_version, li.scope_version,
            "the same grids and role are no change"
        );
        assert!(s
            .update_user("nobody", UserUpdate::default())
            .await
            .unwrap()
            .is_none());
    }

    #[tokio::test]
    async fn new_role_or_grids_bump_the_scope_and_disabling_or_a_new_password_revoke_tokens() {
        let dir = tempfile::tempdir().unwrap();
        let s = SqliteStorage::open_dir(dir.path()).unwrap();
        let wang = user(&s, "wang", Role::GridWorker, &["g1"]).await;
        let other = user(&s, "zhao", Role::GridWorker, &["g1"]).await;
        s.store_token("other", &other.id, "d", 0).await.unwrap();

        let moved = s
            .update_user(
                &wang.id,
                UserUpdate {
                    grids: Some(vec!["g2".into()]),
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(moved.grids, ["g2"]);
        assert_eq!(moved.scope_version, wang.scope_version + 1);
        let promoted = s
            .update_user(
                &wang.id,
                UserUpdate {
                    role: Some(Role::Supervisor),
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(promoted.role, Role::Supervisor);
        assert_eq!(promoted.scope_version, wang.scope_version + 2);

        s.store_token("t1", &wang.id, "d1", 0).await.unwrap();
        s.store_token("t2", &wang.id, "d2", 0).await.unwrap();
        assert!(s.token_owner("t1").await.unwrap().is_some());
        s.update_user(
            &wang.id,
            UserUpdate {
                password_hash: Some("h1".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert!(s.token_owner("t1").await.unwrap().is_none());
        assert!(s.token_owner("t2").await.unwrap().is_none());
        assert_eq!(
            s.user_by_id(&wang.id).await.unwrap().unwrap().password_hash,
            "h1"
        );

        s.store_token("t3", &wang.id, "d1", 0).await.unwrap();
        let off = s
            .update_user(
                &wang.id,
                UserUpdate {
                    disabled: Some(true),
                    ..Default::default()
                },
            )
            .await
            .unwrap()
            .unwrap();
        assert!(off.disabled);
        assert!(s.token_owner("t3").await.unwrap().is_none());
        // A disabled user's token is refused even if one were stored after disabling.
        s.store_token("t4", &wang.id, "d1", 0).await.unwrap();
        assert!(s.token_owner("t4").await.unwrap().is_none());
        s.update_user(
            &wang.id,
            UserUpdate {
                disabled: Some(false),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert!(
            s.token_owner("t3").await.unwrap().is_none(),
            "enabling brings no token back"
        );
        assert!(
            s.token_owner("other").await.unwrap().is_some(),
            "other users keep theirs"
        );
    }
}
