//! The embedded SQLite storage: WAL mode with a background checkpointer, migrations at open, one
//! writer connection that writes the batches queued behind it as one transaction
//! (`storage::group`), read-only connections for everything else. Each part of the database is in its own file: `users` and `tokens`,
//! and `fields`, the winning value of every field of every record.

mod dump;
mod fields;
mod history;
#[cfg(test)]
mod plans;
mod readers;
mod tokens;
mod users;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use model::record::Values;
use rusqlite::{Connection, OptionalExtension};
use serde_json::Value;

use super::group::{run_works, GroupCommit, GroupWriter};
use super::{
    FieldRow, FlaggedContest, HistoryExtent, Logged, NamedBy, NewUser, Restore, Result, Storage,
    StorageError, StoredToken, StoredUser, TokenOwner, UserRecord, UserUpdate, Work,
};

/// Each entry runs once, in order; `PRAGMA user_version` records how many ran. Append only.
const MIGRATIONS: &[&str] = &[
    r#"
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
"#,
    r#"
-- Records by the record a field of theirs refers to (`ids_where`, e.g. a volunteer's deliveries),
-- without reading every row of the entity. Only references (fields named `…_id`) are indexed:
-- indexing every value would copy the whole table and slow every push. `fields::ids_where`
-- repeats the condition word for word, which is how SQLite knows it may use the index.
CREATE INDEX IF NOT EXISTS fields_by_reference ON fields (entity, field, value)
    WHERE substr(field, -3) = '_id';
"#,
    // Tokens end after an idle period: each keeps its last use. Tokens from before count as used
    // at the upgrade, so none ends at once.
    r#"
ALTER TABLE tokens ADD COLUMN last_used_at INTEGER NOT NULL DEFAULT 0;
UPDATE tokens SET last_used_at = CAST(strftime('%s', 'now') AS INTEGER) * 1000;
"#,
    // Who changed what (issue 17): each record's accepted changes of a batch, losers included,
    // with who sent them from which device and when; and the fields two devices set close
    // together. Kept for `KNOCK_HISTORY_DAYS`, deleted by `at`.
    r#"
CREATE TABLE history (
    entity TEXT NOT NULL,
    id TEXT NOT NULL,
    at INTEGER NOT NULL,
    user_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    changes TEXT NOT NULL,
    -- How many changes `changes` holds: a read stops after so many changes, not entries.
    n INTEGER NOT NULL
);
CREATE INDEX history_by_record ON history (entity, id, at);
CREATE INDEX history_by_time ON history (at);
CREATE TABLE contests (
    entity TEXT NOT NULL,
    id TEXT NOT NULL,
    field TEXT NOT NULL,
    grid_id TEXT,
    at INTEGER NOT NULL,
    held_value TEXT NOT NULL,
    held_hlc TEXT NOT NULL,
    arrived_value TEXT NOT NULL,
    arrived_hlc TEXT NOT NULL
);
CREATE INDEX contests_by_time ON contests (at);
"#,
    // The reference index without `grid_id` (`storage::in_reference_index`): a new record of
    // any kind wrote an entry there, at a random place, for a lookup nothing makes.
    r#"
DROP INDEX fields_by_reference;
CREATE INDEX fields_by_reference ON fields (entity, field, value)
    WHERE substr(field, -3) = '_id' AND field <> 'grid_id';
"#,
];

/// The `meta` row of the database's instance id: written once, at creation.
const INSTANCE_ID: &str = "instance_id";

impl From<rusqlite::Error> for StorageError {
    fn from(e: rusqlite::Error) -> Self {
        StorageError::Backend {
            backend: "sqlite",
            source: Box::new(e),
        }
    }
}

pub struct SqliteStorage {
    /// The one writer: transactions, user and token changes.
    conn: Arc<Mutex<Connection>>,
    /// Write transactions, written in groups on `conn`.
    groups: GroupCommit<Writer>,
    readers: Arc<readers::Readers>,
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
        // Under a steady stream of pushes the checkpointer never finds the log wholly copied at
        // the moment a write begins, so the log only restarts at a pause: at 64 MiB the backstop
        // checkpointed inside a push every thirty batches of new records, a 50–80 ms stall each
        // (issue 13). At 256 MiB a morning's burst fits; `journal_size_limit` gives the space
        // back when the log restarts.
        conn.pragma_update(None, "wal_autocheckpoint", 65_536)?;
        conn.pragma_update(None, "journal_size_limit", 64i64 << 20)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // A group's batches are savepoints (`storage::group`): the page images a savepoint keeps
        // to roll back to stay in memory rather than in a temporary file.
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        // A push inserts into five indexes at places spread over the file: with SQLite's default
        // 2 MiB cache the writer read most of those pages back from the file on every batch (a
        // third of a push's time was the kernel copying pages in, issue 13). The writer is the
        // only connection that writes, so its cache stays valid between transactions: 64 MiB
        // keeps the hot pages of a large community's indexes.
        conn.pragma_update(None, "cache_size", -65_536)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrate(&mut conn)?;
        let instance_id = {
            let existing: Option<String> = conn
                .query_row(
                    "SELECT value FROM meta WHERE key = ?1",
                    [INSTANCE_ID],
                    |r| r.get(0),
                )
                .optional()?;
            match existing {
                Some(id) => id,
                None => {
                    let id = uuid::Uuid::new_v4().simple().to_string();
                    conn.execute(
                        "INSERT INTO meta (key, value) VALUES (?1, ?2)",
                        [INSTANCE_ID, &id],
                    )?;
                    id
                }
            }
        };
        let checkpoint = spawn_checkpointer(path)?;
        let conn = Arc::new(Mutex::new(conn));
        Ok(SqliteStorage {
            groups: GroupCommit::new(Writer {
                conn: conn.clone(),
                checkpoint: checkpoint.clone(),
            }),
            conn,
            readers: readers::Readers::open(path)?,
            instance_id,
            checkpoint,
        })
    }

    /// Asks the checkpointer to copy what was just committed into the database file.
    fn written(&self) {
        written(&self.checkpoint);
    }

    /// Runs `f` on the connection off the async executor: SQLite calls block.
    async fn with<R, F>(&self, f: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<R> + Send + 'static,
    {
        on_writer(self.conn.clone(), f).await
    }
}

/// Runs `f` on the writer connection off the async executor: SQLite calls block.
async fn on_writer<R, F>(conn: Arc<Mutex<Connection>>, f: F) -> Result<R>
where
    R: Send + 'static,
    F: FnOnce(&mut Connection) -> Result<R> + Send + 'static,
{
    tokio::task::spawn_blocking(move || {
        let mut guard = conn.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    })
    .await
    .map_err(|e| StorageError::Join(e.to_string()))?
}

fn written(checkpoint: &SyncSender<()>) {
    // Full means a wake-up is already pending: that one covers this write too.
    let _ = checkpoint.try_send(());
}

/// Writes groups of write transactions on the one writer connection.
struct Writer {
    conn: Arc<Mutex<Connection>>,
    checkpoint: SyncSender<()>,
}

impl GroupWriter for Writer {
    async fn write_group(&self, works: Vec<Work>) -> Result<Vec<Result<()>>> {
        let (outcomes, kept) = on_writer(self.conn.clone(), move |c| {
            let tx = c.transaction()?;
            // Dropping an uncommitted transaction rolls it back.
            let (outcomes, kept) = run_works(&mut fields::Tx::begin(&tx)?, works)?;
            if kept {
                tx.commit()?;
            }
            Ok((outcomes, kept))
        })
        .await?;
        if kept {
            written(&self.checkpoint);
        }
        Ok(outcomes)
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

#[async_trait]
impl Storage for SqliteStorage {
    fn instance_id(&self) -> &str {
        &self.instance_id
    }

    async fn user_count(&self) -> Result<u64> {
        self.readers.read(users::count).await
    }

    async fn create_user(&self, user: NewUser) -> Result<UserRecord> {
        self.with(move |c| users::create(c, user)).await
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>> {
        let username = username.to_owned();
        self.readers
            .read(move |c| users::by_username(c, &username))
            .await
    }

    async fn user_by_id(&self, id: &str) -> Result<Option<UserRecord>> {
        let id = id.to_owned();
        self.readers.read(move |c| users::by_id(c, &id)).await
    }

    async fn list_users(&self) -> Result<Vec<UserRecord>> {
        self.readers.read(users::list).await
    }

    async fn update_user(&self, id: &str, update: UserUpdate) -> Result<Option<UserRecord>> {
        let id = id.to_owned();
        self.with(move |c| users::update(c, &id, update)).await
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
        self.with(move |c| tokens::store(c, &t, &u, &d, now_ms))
            .await
    }

    async fn token_owner_named_by(
        &self,
        token_hash: &str,
        named: NamedBy,
    ) -> Result<Option<(TokenOwner, Vec<String>)>> {
        let t = token_hash.to_owned();
        self.readers
            .read(move |c| tokens::owner_named_by(c, &t, named))
            .await
    }

    async fn touch_token(&self, token_hash: &str, now_ms: i64) -> Result<()> {
        let t = token_hash.to_owned();
        self.with(move |c| tokens::touch(c, &t, now_ms)).await
    }

    async fn delete_tokens_unused_since(&self, before_ms: i64) -> Result<u64> {
        self.with(move |c| tokens::delete_unused_since(c, before_ms))
            .await
    }

    async fn delete_token(&self, token_hash: &str) -> Result<()> {
        let t = token_hash.to_owned();
        self.with(move |c| tokens::delete(c, &t)).await
    }

    async fn ids_where(&self, entity: &str, field: &str, value: &Value) -> Result<Vec<String>> {
        let (entity, field, value) = (entity.to_owned(), field.to_owned(), value.to_string());
        self.readers
            .read(move |c| fields::ids_where(c, &entity, &field, &value))
            .await
    }

    async fn ids_where_any(
        &self,
        entity: &str,
        field: &str,
        values: Vec<String>,
    ) -> Result<Vec<String>> {
        let (entity, field) = (entity.to_owned(), field.to_owned());
        self.readers
            .read(move |c| {
                let mut out = Vec::new();
                for v in values {
                    out.extend(fields::ids_where(
                        c,
                        &entity,
                        &field,
                        &Value::String(v).to_string(),
                    )?);
                }
                out.sort();
                out.dedup();
                Ok(out)
            })
            .await
    }

    async fn values(
        &self,
        entity: &str,
        ids: Option<Vec<String>>,
        fields: &[&str],
    ) -> Result<BTreeMap<String, Values>> {
        let entity = entity.to_owned();
        let wanted: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
        self.readers
            .read(move |c| fields::values(c, &entity, ids.as_deref(), &wanted))
            .await
    }

    async fn transact(&self, work: Work) -> Result<()> {
        self.groups.transact(work).await
    }

    async fn rows_after(
        &self,
        after: i64,
        limit: usize,
        grids: Option<Vec<String>>,
    ) -> Result<Vec<FieldRow>> {
        self.readers
            .read(move |c| fields::rows_after(c, after, limit, grids))
            .await
    }

    async fn rows_after_of(
        &self,
        after: i64,
        limit: usize,
        records: Vec<(String, String)>,
    ) -> Result<Vec<FieldRow>> {
        self.readers
            .read(move |c| fields::rows_after_of(c, after, limit, records))
            .await
    }

    async fn max_seq(&self) -> Result<i64> {
        self.readers.read(fields::max_seq).await
    }

    async fn record_rows(&self, entity: &str, id: &str) -> Result<Vec<FieldRow>> {
        let (entity, id) = (entity.to_owned(), id.to_owned());
        self.readers
            .read(move |c| fields::record_rows(c, &entity, &id))
            .await
    }

    async fn history_of(
        &self,
        entity: &str,
        id: &str,
        max_entries: usize,
        max_changes: usize,
    ) -> Result<Vec<Logged>> {
        let (entity, id) = (entity.to_owned(), id.to_owned());
        self.readers
            .read(move |c| history::of_record(c, &entity, &id, max_entries, max_changes))
            .await
    }

    async fn contests_since(
        &self,
        since_ms: i64,
        grids: Option<Vec<String>>,
        limit: usize,
    ) -> Result<Vec<FlaggedContest>> {
        self.readers
            .read(move |c| history::contests_since(c, since_ms, grids, limit))
            .await
    }

    async fn forget_history_before(&self, before_ms: i64) -> Result<u64> {
        let n = self
            .with(move |c| history::forget_before(c, before_ms))
            .await?;
        self.written();
        Ok(n)
    }

    async fn history_extent(&self) -> Result<HistoryExtent> {
        self.readers.read(history::extent).await
    }

    async fn history_between(&self, from_ms: i64, until_ms: i64) -> Result<Vec<Logged>> {
        self.readers
            .read(move |c| history::between(c, from_ms, until_ms))
            .await
    }

    async fn startup_lock(&self) -> Result<Box<dyn Send>> {
        // One process owns the file: there is nobody to wait for.
        Ok(Box::new(()))
    }

    async fn meta(&self, key: &str) -> Result<Option<String>> {
        let key = key.to_owned();
        self.readers
            .read(move |c| {
                Ok(
                    c.query_row("SELECT value FROM meta WHERE key = ?1", [&key], |r| {
                        r.get(0)
                    })
                    .optional()?,
                )
            })
            .await
    }

    async fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        if key == INSTANCE_ID {
            return Err(StorageError::Conflict(
                "the instance id of a database never changes".into(),
            ));
        }
        let (key, value) = (key.to_owned(), value.to_owned());
        self.with(move |c| {
            c.execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [&key, &value],
            )?;
            Ok(())
        })
        .await?;
        self.written();
        Ok(())
    }

    async fn dump_users(&self) -> Result<Vec<StoredUser>> {
        self.readers.read(dump::users).await
    }

    async fn dump_tokens(&self) -> Result<Vec<StoredToken>> {
        self.readers.read(dump::tokens).await
    }

    async fn dump_meta(&self) -> Result<Vec<(String, String)>> {
        self.readers.read(dump::meta).await
    }

    async fn is_empty(&self) -> Result<bool> {
        self.readers.read(dump::is_empty).await
    }

    async fn restore(&self, part: Restore) -> Result<()> {
        self.with(move |c| dump::restore(c, part)).await?;
        self.written();
        Ok(())
    }
}
