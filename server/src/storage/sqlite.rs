//! The embedded SQLite storage: WAL mode with a background checkpointer, migrations at open, one
//! transaction per batch.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::path::Path;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use model::wire::Change;
use model::Role;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::{
    Authorize, FieldRow, NewUser, RecordLookup, Result, Storage, StorageError, UserRecord,
    UserUpdate, VolunteerScope,
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

/// Grids a user may have before pull stops merging one index walk per grid (SQLite allows 500
/// arms in a compound SELECT).
const MAX_GRID_ARMS: usize = 200;

pub struct SqliteStorage {
    conn: Arc<Mutex<Connection>>,
    instance_id: String,
    /// Wakes the checkpointer after a write; dropping it stops the checkpointer.
    checkpoint: SyncSender<()>,
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
        // Copying the WAL back into the database (and its fsyncs) happens on the checkpointer's
        // own connection, not inside a push; this is only the backstop should it fall behind.
        conn.pragma_update(None, "wal_autocheckpoint", 16_384)?;
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
        let checkpoint = spawn_checkpointer(path)?;
        Ok(SqliteStorage {
            conn: Arc::new(Mutex::new(conn)),
            instance_id,
            checkpoint,
        })
    }

    /// Asks the checkpointer to copy what was just committed into the database file.
    fn written(&self) {
        // Full means a wake-up is already pending: that one covers this write too.
        let _ = self.checkpoint.try_send(());
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

/// A thread with its own connection that checkpoints the WAL in the background, a moment after
/// writes (so one checkpoint covers several batches); it ends when the storage is dropped.
fn spawn_checkpointer(path: &Path) -> Result<SyncSender<()>> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    let (wake, woken) = sync_channel::<()>(1);
    std::thread::Builder::new()
        .name("knock-checkpoint".into())
        .spawn(move || {
            while woken.recv().is_ok() {
                std::thread::sleep(std::time::Duration::from_millis(50));
                let _ = woken.try_recv();
                if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
                    tracing::warn!("checkpoint failed: {e}");
                }
            }
        })
        .map_err(|e| StorageError::Join(format!("cannot start the checkpointer: {e}")))?;
    Ok(wake)
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

    async fn list_users(&self) -> Result<Vec<UserRecord>> {
        self.with(|c| {
            let ids: Vec<String> = {
                let mut stmt = c.prepare_cached("SELECT id FROM users ORDER BY username")?;
                let rows = stmt.query_map([], |r| r.get(0))?;
                rows.collect::<rusqlite::Result<_>>()?
            };
            let mut users = Vec::with_capacity(ids.len());
            for id in ids {
                users.extend(load_user(c, "id = ?1", &id)?);
            }
            Ok(users)
        })
        .await
    }

    async fn update_user(&self, id: &str, update: UserUpdate) -> Result<Option<UserRecord>> {
        let id = id.to_owned();
        self.with(move |c| {
            let tx = c.transaction()?;
            let Some(before) = load_user(&tx, "id = ?1", &id)? else {
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
                    tx.execute("DELETE FROM user_grids WHERE user_id = ?1", [&id])?;
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
                    [&id],
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
                tx.execute("DELETE FROM tokens WHERE user_id = ?1", [&id])?;
            }
            let after = load_user(&tx, "id = ?1", &id)?;
            tx.commit()?;
            Ok(after)
        })
        .await
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

    async fn grids(&self) -> Result<Vec<(String, String)>> {
        self.with(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT n.id, n.value FROM fields n
                 WHERE n.entity = 'grid' AND n.field = 'name'
                 AND NOT EXISTS (SELECT 1 FROM fields d WHERE d.entity = 'grid' AND d.id = n.id
                                 AND d.field = '_deleted' AND d.value = 'true')",
            )?;
            let rows =
                stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            let mut grids = rows
                .map(|row| {
                    let (id, json) = row?;
                    let name = serde_json::from_str::<String>(&json).unwrap_or_else(|_| id.clone());
                    Ok((id, name))
                })
                .collect::<Result<Vec<_>>>()?;
            grids.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
            Ok(grids)
        })
        .await
    }

    async fn apply_changes(&self, batch: Vec<Change>) -> Result<usize> {
        let applied = self
            .with(move |c| {
                let tx = c.transaction()?;
                let applied = write_batch(&tx, &batch, HashMap::new())?;
                tx.commit()?;
                Ok(applied)
            })
            .await;
        self.written();
        applied
    }

    async fn push(&self, authorize: Authorize) -> Result<Result<usize, AppError>> {
        let applied = self
            .with(move |c| {
                let tx = c.transaction()?;
                let mut lookup = TxLookup {
                    tx: &tx,
                    grids: HashMap::new(),
                };
                let batch = match authorize(&mut lookup) {
                    Ok(batch) => batch,
                    // Dropping the transaction rolls back: nothing was written anyway.
                    Err(refusal) => return Ok(Err(refusal)),
                };
                let known = lookup.grids;
                let applied = write_batch(&tx, &batch, known)?;
                tx.commit()?;
                Ok(Ok(applied))
            })
            .await;
        self.written();
        applied
    }

    async fn rows_after(
        &self,
        after: i64,
        limit: usize,
        grids: Option<Vec<String>>,
    ) -> Result<Vec<FieldRow>> {
        self.with(move |c| {
            let cols = "entity, id, field, value, hlc, seq, grid_id";
            let mut args: Vec<rusqlite::types::Value> = vec![after.into(), (limit as i64).into()];
            let sql = match grids {
                // Everything: walk the seq index.
                None => format!("SELECT {cols} FROM fields INDEXED BY fields_by_seq WHERE seq > ?1 ORDER BY seq LIMIT ?2"),
                // Some grids: one walk of the grid index per grid (and one for records of no
                // grid), merged by seq. SQLite merges the ordered arms of a UNION ALL without
                // sorting and stops at the limit, so a page costs the rows it returns: neither
                // the rows of other grids nor the rest of the user's grids are read. (An OR of
                // the grid index would sort every remaining row for each page; a walk of the seq
                // index would read every other grid's row since the cursor.)
                Some(mut g) if g.len() < MAX_GRID_ARMS => {
                    g.sort();
                    g.dedup();
                    let mut sql = format!("SELECT {cols} FROM fields WHERE grid_id IS NULL AND seq > ?1");
                    for (i, grid) in g.into_iter().enumerate() {
                        sql.push_str(&format!(" UNION ALL SELECT {cols} FROM fields WHERE grid_id = ?{} AND seq > ?1", i + 3));
                        args.push(grid.into());
                    }
                    sql.push_str(" ORDER BY seq LIMIT ?2");
                    sql
                }
                // More grids than a compound SELECT may have arms: walk the seq index and filter.
                Some(g) => {
                    let marks = (0..g.len()).map(|i| format!("?{}", i + 3)).collect::<Vec<_>>().join(",");
                    args.extend(g.into_iter().map(rusqlite::types::Value::from));
                    format!("SELECT {cols} FROM fields INDEXED BY fields_by_seq WHERE seq > ?1 AND (grid_id IS NULL OR grid_id IN ({marks})) ORDER BY seq LIMIT ?2")
                }
            };
            let mut stmt = c.prepare_cached(&sql)?;
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

/// The stored grids of records, as read before the batch is written.
type KnownGrids = HashMap<(String, String), Option<String>>;

struct TxLookup<'a> {
    tx: &'a Transaction<'a>,
    /// Every `grid_id` authorisation read, which the write then needs again.
    grids: KnownGrids,
}

impl RecordLookup for TxLookup<'_> {
    fn field(&mut self, entity: &str, id: &str, field: &str) -> Result<Option<serde_json::Value>> {
        let mut stmt = self.tx.prepare_cached(
            "SELECT value FROM fields WHERE entity = ?1 AND id = ?2 AND field = ?3",
        )?;
        let v: Option<String> = stmt
            .query_row(params![entity, id, field], |r| r.get(0))
            .optional()?;
        let v = v
            .map(|v| {
                serde_json::from_str::<serde_json::Value>(&v)
                    .map_err(|e| StorageError::Corrupt(format!("{entity}.{field}: {e}")))
            })
            .transpose()?;
        if field == "grid_id" && entity != "grid" {
            let grid = v.as_ref().and_then(|g| g.as_str()).map(str::to_owned);
            self.grids.insert((entity.to_owned(), id.to_owned()), grid);
        }
        Ok(v)
    }
}

/// Writes each change that beats the stored stamp, giving it the next seq. A record whose
/// `grid_id` moves takes all its rows along (new seq, so the new grid's devices receive them);
/// a delivery that changes hands re-sends its recipient so the new volunteer receives them.
///
/// Most changes of a batch are new fields, so each is first inserted outright; only when the
/// field exists already is its stamp read and compared. The grid of each record of the batch is
/// read once (or taken from `known`, what authorisation read) and then followed as the batch
/// moves it.
fn write_batch(tx: &Transaction, batch: &[Change], mut known: KnownGrids) -> Result<usize> {
    let mut seq = next_seq(tx)?;
    let mut applied = 0;
    let mut insert = tx.prepare_cached(
        "INSERT INTO fields (entity, id, field, value, hlc, seq, grid_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (entity, id, field) DO NOTHING",
    )?;
    let mut update = tx.prepare_cached(
        "UPDATE fields SET value = ?4, hlc = ?5, seq = ?6, grid_id = ?7
         WHERE entity = ?1 AND id = ?2 AND field = ?3",
    )?;
    let mut grids: HashMap<(&str, &str), Option<String>> = HashMap::new();
    for c in batch {
        let grid = match grids.entry((c.entity.as_str(), c.id.as_str())) {
            Entry::Occupied(e) => e.into_mut(),
            Entry::Vacant(e) => {
                let seeded = match known.is_empty() {
                    true => None,
                    false => known.remove(&(c.entity.clone(), c.id.clone())),
                };
                let grid = match seeded {
                    Some(grid) => grid,
                    None => record_grid(tx, &c.entity, &c.id)?,
                };
                e.insert(grid)
            }
        };
        // A new `grid_id` files its own row under the grid it names.
        let moves_to = (c.field == "grid_id" && c.entity != "grid")
            .then(|| c.value.as_str().map(str::to_owned));
        let row_grid = moves_to.as_ref().unwrap_or(grid);
        let value = c.value.to_string();
        let row = params![c.entity, c.id, c.field, value, c.hlc, seq, row_grid];
        if insert.execute(row)? == 0 {
            let current = current_hlc(tx, c)?;
            if !model::merge::wins(&c.hlc, current.as_deref()) {
                continue;
            }
            update.execute(row)?;
        }
        seq += 1;
        applied += 1;
        if c.field == "grid_id" {
            // The value just written is the record's grid now: earlier rows of it move along.
            if let Some(moved) = moves_to {
                *grid = moved;
            }
            seq = touch_record(tx, &c.entity, &c.id, grid.as_deref(), seq, Some(&c.field))?;
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
                    seq = touch_record(tx, entity, &target, grid.as_deref(), seq, None)?;
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
/// When the record's only row is `just_written` (already the latest seq, filed under `grid_id`),
/// there is nothing to move: the usual case of a new record whose grid comes first.
fn touch_record(
    tx: &Transaction,
    entity: &str,
    id: &str,
    grid_id: Option<&str>,
    mut seq: i64,
    just_written: Option<&str>,
) -> Result<i64> {
    let fields: Vec<String> = {
        let mut stmt = tx.prepare_cached(
            "SELECT field FROM fields WHERE entity = ?1 AND id = ?2 ORDER BY field",
        )?;
        let rows = stmt.query_map(params![entity, id], |r| r.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    if let ([only], Some(written)) = (fields.as_slice(), just_written) {
        if only == written {
            return Ok(seq);
        }
    }
    let mut update = tx.prepare_cached(
        "UPDATE fields SET seq = ?1, grid_id = ?2 WHERE entity = ?3 AND id = ?4 AND field = ?5",
    )?;
    for f in fields {
        update.execute(params![seq, grid_id, entity, id, f])?;
        seq += 1;
    }
    Ok(seq)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn change(entity: &str, id: &str, field: &str, value: serde_json::Value, hlc: &str) -> Change {
        Change {
            entity: entity.into(),
            id: id.into(),
            field: field.into(),
            value,
            hlc: hlc.into(),
        }
    }

    fn stamp(n: u64) -> String {
        format!("{:013}-0000-dev", 1_764_331_200_000 + n)
    }

    #[tokio::test]
    async fn pull_by_grids_returns_what_a_filtered_walk_of_everything_would() {
        let dir = tempfile::tempdir().unwrap();
        let s = SqliteStorage::open_dir(dir.path()).unwrap();
        let grids = ["g1", "g2", "g3", "g4"];
        let mut n = 0;
        for round in 0..6 {
            let mut batch = Vec::new();
            for r in 0..25 {
                n += 1;
                let id = format!("r{round}-{r}");
                let (entity, grid) = match r % 5 {
                    4 => ("supply_item", None),
                    k => ("resident", Some(grids[(k + round) % 4])),
                };
                batch.push(change(entity, &id, "name", json!(id), &stamp(n)));
                if let Some(g) = grid {
                    batch.push(change(entity, &id, "grid_id", json!(g), &stamp(n)));
                }
                batch.push(change(entity, &id, "notes", json!("x"), &stamp(n)));
            }
            s.apply_changes(batch).await.unwrap();
        }
        let all = s.rows_after(0, 100_000, None).await.unwrap();
        assert!(all.windows(2).all(|w| w[0].seq < w[1].seq));
        let many: Vec<String> = (0..MAX_GRID_ARMS + 5).map(|i| format!("g{i}")).collect();
        let asked: Vec<Vec<String>> = vec![
            vec![],
            vec!["g1".into()],
            vec!["g3".into(), "g1".into(), "g3".into()],
            grids.iter().map(|g| g.to_string()).collect(),
            many,
        ];
        for mine in asked {
            for after in [0, 1, 57, all[all.len() / 2].seq, all.last().unwrap().seq] {
                for limit in [1, 7, 500] {
                    let want: Vec<i64> = all
                        .iter()
                        .filter(|r| r.seq > after)
                        .filter(|r| r.grid_id.as_ref().is_none_or(|g| mine.contains(g)))
                        .take(limit)
                        .map(|r| r.seq)
                        .collect();
                    let got: Vec<i64> = s
                        .rows_after(after, limit, Some(mine.clone()))
                        .await
                        .unwrap()
                        .iter()
                        .map(|r| r.seq)
                        .collect();
                    assert_eq!(got, want, "grids {mine:?} after {after} limit {limit}");
                }
            }
        }
    }

    #[tokio::test]
    async fn a_record_takes_its_rows_to_its_new_grid_and_only_newer_stamps_win() {
        let dir = tempfile::tempdir().unwrap();
        let s = SqliteStorage::open_dir(dir.path()).unwrap();
        // The grid comes after another field in the batch: that row is filed under it too.
        let first = vec![
            change("resident", "r", "name", json!("刘桂兰"), &stamp(1)),
            change("resident", "r", "grid_id", json!("g1"), &stamp(1)),
            change("resident", "r", "phone", json!("13800000000"), &stamp(1)),
        ];
        assert_eq!(s.apply_changes(first.clone()).await.unwrap(), 3);
        let rows = s.rows_after(0, 100, None).await.unwrap();
        assert_eq!(rows.len(), 3);
        assert!(rows.iter().all(|r| r.grid_id.as_deref() == Some("g1")));
        assert_eq!(
            s.apply_changes(first).await.unwrap(),
            0,
            "a replay wins nothing"
        );

        let before = s.max_seq().await.unwrap();
        let second = vec![
            change("resident", "r", "name", json!("old"), &stamp(0)),
            change("resident", "r", "grid_id", json!("g2"), &stamp(2)),
            change("resident", "r", "phone", json!("13900000000"), &stamp(3)),
        ];
        assert_eq!(s.apply_changes(second).await.unwrap(), 2);
        let moved = s
            .rows_after(before, 100, Some(vec!["g2".into()]))
            .await
            .unwrap();
        let fields: Vec<&str> = moved.iter().map(|r| r.change.field.as_str()).collect();
        assert_eq!(
            fields,
            ["grid_id", "name", "phone"],
            "every row moved along, in order"
        );
        assert_eq!(
            moved[1].change.value,
            json!("刘桂兰"),
            "the older name lost"
        );
        assert_eq!(moved[2].change.value, json!("13900000000"));
        assert!(s
            .rows_after(0, 100, Some(vec!["g1".into()]))
            .await
            .unwrap()
            .is_empty());
    }

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

    #[tokio::test]
    async fn grids_are_the_live_grid_records_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let s = SqliteStorage::open_dir(dir.path()).unwrap();
        s.apply_changes(vec![
            change("grid", "b", "name", json!("第二网格"), &stamp(1)),
            change("grid", "a", "name", json!("第一网格"), &stamp(1)),
            change("grid", "c", "name", json!("旧网格"), &stamp(1)),
            change("grid", "c", "_deleted", json!(true), &stamp(2)),
        ])
        .await
        .unwrap();
        assert_eq!(
            s.grids().await.unwrap(),
            [
                ("a".to_string(), "第一网格".to_string()),
                ("b".into(), "第二网格".into())
            ]
        );
    }
}
