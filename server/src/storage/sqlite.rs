//! The embedded SQLite storage: WAL mode, migrations at open, one transaction per batch.

use std::path::Path;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use model::wire::Change;
use model::Role;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::{
    Authorize, FieldRow, NewUser, RecordLookup, Result, Storage, StorageError, UserRecord,
    VolunteerScope,
};
use crate::error::AppError;

/// Each entry runs once, in order; `PRAGMA user_version` records how many ran. Append only.
const MIGRATIONS: &[&str] = &[r#"
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    scope_version INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
CREATE TABLE user_grids (
    user_id TEXT NOT NULL REFERENCES users(id),
    grid_id TEXT NOT NULL,
    PRIMARY KEY (user_id, grid_id)
);
CREATE TABLE tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    device_id TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
-- One row per (entity, id, field): the current winner. `seq` is the server order pull pages by;
-- a row moves to a new seq each time a newer value wins.
CREATE TABLE fields (
    entity TEXT NOT NULL,
    id TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    hlc TEXT NOT NULL,
    seq INTEGER NOT NULL,
    grid_id TEXT,
    PRIMARY KEY (entity, id, field)
) WITHOUT ROWID;
CREATE UNIQUE INDEX fields_by_seq ON fields (seq);
CREATE INDEX fields_by_grid ON fields (grid_id, seq);
"#];

pub struct SqliteStorage {
    conn: Arc<Mutex<Connection>>,
    instance_id: String,
}

impl SqliteStorage {
    /// Opens (creating if needed) `knock.sqlite3` in `dir` and brings its schema up to date.
    pub fn open_dir(dir: &Path) -> Result<SqliteStorage> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StorageError::Corrupt(format!("cannot create {}: {e}", dir.display())))?;
        SqliteStorage::open(&dir.join("knock.sqlite3"))
    }

    pub fn open(path: &Path) -> Result<SqliteStorage> {
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate(&mut conn)?;
        let instance_id = {
            let existing: Option<String> = conn
                .query_row(
                    "SELECT value FROM meta WHERE key = 'instance_id'",
                    [],
                    |r| r.get(0),
                )
                .optional()?;
            match existing {
                Some(id) => id,
                None => {
                    let id = uuid::Uuid::new_v4().simple().to_string();
                    conn.execute(
                        "INSERT INTO meta (key, value) VALUES ('instance_id', ?1)",
                        [&id],
                    )?;
                    id
                }
            }
        };
        Ok(SqliteStorage {
            conn: Arc::new(Mutex::new(conn)),
            instance_id,
        })
    }

    /// Runs `f` on the connection off the async executor: SQLite calls block.
    async fn with<R, F>(&self, f: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<R> + Send + 'static,
    {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = conn.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|e| StorageError::Join(e.to_string()))?
    }
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let done: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(done as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        tx.commit()?;
    }
    Ok(())
}

fn load_user(conn: &Connection, where_sql: &str, key: &str) -> Result<Option<UserRecord>> {
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

/// The stored hlc of one field, if any.
fn current_hlc(tx: &Transaction, c: &Change) -> Result<Option<String>> {
    let mut stmt =
        tx.prepare_cached("SELECT hlc FROM fields WHERE entity = ?1 AND id = ?2 AND field = ?3")?;
    Ok(stmt
        .query_row(params![c.entity, c.id, c.field], |r| r.get(0))
        .optional()?)
}

fn next_seq(tx: &Transaction) -> Result<i64> {
    Ok(
        tx.query_row("SELECT COALESCE(MAX(seq), 0) + 1 FROM fields", [], |r| {
            r.get(0)
        })?,
    )
}

#[async_trait]
impl Storage for SqliteStorage {
    fn instance_id(&self) -> &str {
        &self.instance_id
    }

    async fn user_count(&self) -> Result<u64> {
        self.with(|c| {
            Ok(c.query_row("SELECT COUNT(*) FROM users", [], |r| r.get::<_, i64>(0))? as u64)
        })
        .await
    }

    async fn create_user(&self, user: NewUser) -> Result<UserRecord> {
        self.with(move |c| {
            let tx = c.transaction()?;
            let taken: bool = tx.query_row(
                "SELECT EXISTS(SELECT 1 FROM users WHERE username = ?1)",
                [&user.username],
                |r| r.get(0),
            )?;
            if taken {
                return Err(StorageError::Conflict(format!("user name {} is taken", user.username)));
            }
            let id = uuid::Uuid::new_v4().to_string();
            let now = crate::now_ms();
            tx.execute(
                "INSERT INTO users (id, username, name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![id, user.username, user.name, user.role.as_str(), user.password_hash, now],
            )?;
            for g in &user.grids {
                tx.execute("INSERT OR IGNORE INTO user_grids (user_id, grid_id) VALUES (?1, ?2)", params![id, g])?;
            }
            let created = load_user(&tx, "id = ?1", &id)?
                .ok_or_else(|| StorageError::Corrupt("user vanished after insert".into()))?;
            tx.commit()?;
            Ok(created)
        })
        .await
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>> {
        let username = username.to_owned();
        self.with(move |c| load_user(c, "username = ?1", &username))
            .await
    }

    async fn user_by_id(&self, id: &str) -> Result<Option<UserRecord>> {
        let id = id.to_owned();
        self.with(move |c| load_user(c, "id = ?1", &id)).await
    }

    async fn store_token(
        &self,
        token_hash: &str,
        user_id: &str,
        device_id: &str,
        now_ms: i64,
    ) -> Result<()> {
        let (t, u, d) = (
            token_hash.to_owned(),
            user_id.to_owned(),
            device_id.to_owned(),
        );
        self.with(move |c| {
            c.execute(
                "INSERT INTO tokens (token_hash, user_id, device_id, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![t, u, d, now_ms],
            )?;
            Ok(())
        })
        .await
    }

    async fn token_owner(&self, token_hash: &str) -> Result<Option<(UserRecord, String)>> {
        let t = token_hash.to_owned();
        self.with(move |c| {
            let row: Option<(String, String)> = c
                .query_row(
                    "SELECT user_id, device_id FROM tokens WHERE token_hash = ?1",
                    [&t],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            let Some((user_id, device)) = row else {
                return Ok(None);
            };
            Ok(load_user(c, "id = ?1", &user_id)?
                .filter(|u| !u.disabled)
                .map(|u| (u, device)))
        })
        .await
    }

    async fn delete_token(&self, token_hash: &str) -> Result<()> {
        let t = token_hash.to_owned();
        self.with(move |c| {
            c.execute("DELETE FROM tokens WHERE token_hash = ?1", [&t])?;
            Ok(())
        })
        .await
    }

    async fn grid_names(&self, ids: &[String]) -> Result<Vec<String>> {
        let ids = ids.to_vec();
        self.with(move |c| {
            let mut stmt = c.prepare_cached(
                "SELECT value FROM fields WHERE entity = 'grid' AND id = ?1 AND field = 'name'",
            )?;
            ids.iter()
                .map(|id| {
                    let v: Option<String> = stmt.query_row([id], |r| r.get(0)).optional()?;
                    Ok(
                        v.and_then(|json| serde_json::from_str::<String>(&json).ok())
                            .unwrap_or_else(|| id.clone()),
                    )
                })
                .collect()
        })
        .await
    }

    async fn apply_changes(&self, batch: Vec<Change>) -> Result<usize> {
        self.with(move |c| {
            let tx = c.transaction()?;
            let applied = write_batch(&tx, &batch)?;
            tx.commit()?;
            Ok(applied)
        })
        .await
    }

    async fn push(&self, authorize: Authorize) -> Result<Result<usize, AppError>> {
        self.with(move |c| {
            let tx = c.transaction()?;
            let batch = match authorize(&mut TxLookup(&tx)) {
                Ok(batch) => batch,
                // Dropping the transaction rolls back: nothing was written anyway.
                Err(refusal) => return Ok(Err(refusal)),
            };
            let applied = write_batch(&tx, &batch)?;
            tx.commit()?;
            Ok(Ok(applied))
        })
        .await
    }

    async fn rows_after(
        &self,
        after: i64,
        limit: usize,
        grids: Option<Vec<String>>,
    ) -> Result<Vec<FieldRow>> {
        self.with(move |c| {
            let grid_filter = match &grids {
                None => String::new(),
                Some(g) => format!(
                    " AND (grid_id IS NULL OR grid_id IN ({}))",
                    (0..g.len()).map(|i| format!("?{}", i + 3)).collect::<Vec<_>>().join(",")
                ),
            };
            let sql = format!(
                // Walk the seq index: left to itself SQLite ORs the grid index and sorts every
                // remaining row of the user's grids for each page, which makes a full pull quadratic.
                "SELECT entity, id, field, value, hlc, seq, grid_id FROM fields INDEXED BY fields_by_seq WHERE seq > ?1{grid_filter} ORDER BY seq LIMIT ?2"
            );
            let mut stmt = c.prepare_cached(&sql)?;
            let mut args: Vec<rusqlite::types::Value> = vec![after.into(), (limit as i64).into()];
            args.extend(grids.unwrap_or_default().into_iter().map(rusqlite::types::Value::from));
            let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, i64>(5)?,
                    r.get::<_, Option<String>>(6)?,
                ))
            })?;
            rows.map(|row| {
                let (entity, id, field, value, hlc, seq, grid_id) = row?;
                let value = serde_json::from_str(&value)
                    .map_err(|e| StorageError::Corrupt(format!("value of {entity}.{field}: {e}")))?;
                Ok(FieldRow { change: Change { entity, id, field, value, hlc }, grid_id, seq })
            })
            .collect()
        })
        .await
    }

    async fn max_seq(&self) -> Result<i64> {
        self.with(
            |c| Ok(c.query_row("SELECT COALESCE(MAX(seq), 0) FROM fields", [], |r| r.get(0))?),
        )
        .await
    }

    async fn volunteer_scope(&self, user_id: &str) -> Result<VolunteerScope> {
        let me = serde_json::Value::String(user_id.to_owned()).to_string();
        self.with(move |c| {
            let mut scope = VolunteerScope::default();
            let mut stmt = c.prepare_cached(
                "SELECT d.id, r.field, r.value FROM fields d
                 LEFT JOIN fields r ON r.entity = 'pack_delivery' AND r.id = d.id AND r.field IN ('resident_id', 'household_id')
                 WHERE d.entity = 'pack_delivery' AND d.field = 'volunteer_id' AND d.value = ?1",
            )?;
            let rows = stmt.query_map([&me], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?, r.get::<_, Option<String>>(2)?))
            })?;
            for row in rows {
                let (delivery, field, value) = row?;
                scope.deliveries.insert(delivery);
                let Some(id) = value.and_then(|v| serde_json::from_str::<String>(&v).ok()) else { continue };
                match field.as_deref() {
                    Some("resident_id") => scope.residents.insert(id),
                    Some("household_id") => scope.households.insert(id),
                    _ => false,
                };
            }
            Ok(scope)
        })
        .await
    }
}

struct TxLookup<'a>(&'a Transaction<'a>);

impl RecordLookup for TxLookup<'_> {
    fn field(&mut self, entity: &str, id: &str, field: &str) -> Result<Option<serde_json::Value>> {
        let mut stmt = self.0.prepare_cached(
            "SELECT value FROM fields WHERE entity = ?1 AND id = ?2 AND field = ?3",
        )?;
        let v: Option<String> = stmt
            .query_row(params![entity, id, field], |r| r.get(0))
            .optional()?;
        v.map(|v| {
            serde_json::from_str(&v)
                .map_err(|e| StorageError::Corrupt(format!("{entity}.{field}: {e}")))
        })
        .transpose()
    }
}

/// Writes each change that beats the stored stamp, giving it the next seq. A record whose
/// `grid_id` moves takes all its rows along (new seq, so the new grid's devices receive them);
/// a delivery that changes hands re-sends its recipient so the new volunteer receives them.
fn write_batch(tx: &Transaction, batch: &[Change]) -> Result<usize> {
    let mut seq = next_seq(tx)?;
    let mut applied = 0;
    let mut upsert = tx.prepare_cached(
        "INSERT INTO fields (entity, id, field, value, hlc, seq, grid_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (entity, id, field) DO UPDATE SET value = excluded.value, hlc = excluded.hlc,
         seq = excluded.seq, grid_id = excluded.grid_id",
    )?;
    for c in batch {
        let current = current_hlc(tx, c)?;
        if !model::merge::wins(&c.hlc, current.as_deref()) {
            continue;
        }
        let grid = record_grid(tx, &c.entity, &c.id)?;
        upsert.execute(params![
            c.entity,
            c.id,
            c.field,
            c.value.to_string(),
            c.hlc,
            seq,
            grid
        ])?;
        seq += 1;
        applied += 1;
        if c.field == "grid_id" {
            // The value just written is the record's grid now: earlier rows of it move along.
            let grid = record_grid(tx, &c.entity, &c.id)?;
            seq = touch_record(tx, &c.entity, &c.id, grid.as_deref(), seq)?;
        } else if c.entity == "pack_delivery"
            && matches!(
                c.field.as_str(),
                "volunteer_id" | "resident_id" | "household_id"
            )
        {
            for (entity, field) in [("resident", "resident_id"), ("household", "household_id")] {
                let target: Option<String> = tx
                    .query_row(
                        "SELECT value FROM fields WHERE entity = 'pack_delivery' AND id = ?1 AND field = ?2",
                        params![c.id, field],
                        |r| r.get(0),
                    )
                    .optional()?;
                if let Some(target) = target.and_then(|v| serde_json::from_str::<String>(&v).ok()) {
                    let grid = record_grid(tx, entity, &target)?;
                    seq = touch_record(tx, entity, &target, grid.as_deref(), seq)?;
                }
            }
        }
    }
    Ok(applied)
}

/// The grid a record belongs to: a grid is its own; others name theirs in `grid_id`.
fn record_grid(tx: &Transaction, entity: &str, id: &str) -> Result<Option<String>> {
    if entity == "grid" {
        return Ok(Some(id.to_owned()));
    }
    let mut stmt = tx.prepare_cached(
        "SELECT value FROM fields WHERE entity = ?1 AND id = ?2 AND field = 'grid_id'",
    )?;
    let v: Option<String> = stmt
        .query_row(params![entity, id], |r| r.get(0))
        .optional()?;
    Ok(v.and_then(|v| serde_json::from_str::<String>(&v).ok()))
}

/// Gives every row of a record a new seq (and its grid), in field order; returns the next free seq.
fn touch_record(
    tx: &Transaction,
    entity: &str,
    id: &str,
    grid_id: Option<&str>,
    mut seq: i64,
) -> Result<i64> {
    let fields: Vec<String> = {
        let mut stmt = tx.prepare_cached(
            "SELECT field FROM fields WHERE entity = ?1 AND id = ?2 ORDER BY field",
        )?;
        let rows = stmt.query_map(params![entity, id], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut update = tx.prepare_cached(
        "UPDATE fields SET seq = ?1, grid_id = ?2 WHERE entity = ?3 AND id = ?4 AND field = ?5",
    )?;
    for f in fields {
        update.execute(params![seq, grid_id, entity, id, f])?;
        seq += 1;
    }
    Ok(seq)
}
