//! The PostgreSQL storage, for a community or a district that outgrows one machine: any number of
//! Knock servers share one database and behave as one server (tokens, users, cursors and every
//! record live in the database; nothing a request depends on is kept in a server's memory).
//!
//! The order pull pages by. A pull serves rows with `seq > cursor`, so no row may ever become
//! visible with a seq at or below one a device has already been served. PostgreSQL sequences
//! commit out of order (a transaction that took seq 10 can commit after one that took 11), so
//! seqs are not taken from a sequence: every write transaction first takes one database-wide
//! advisory lock (`WRITE_LOCK`), reads `MAX(seq)` and numbers its rows from there; the lock is
//! released only after the commit is visible, so the next writer numbers after it. Seq order is
//! therefore commit order, and every page a reader sees is final. The cost: write transactions
//! run one at a time across all servers (as on SQLite), which also gives the authorization's
//! reads and the write they judge one consistent state and rules out deadlocks between batches.
//! So each server writes the batches that queued while it waited as one transaction
//! (`storage::group`), and a transaction holds the lock for a few round trips whatever its size
//! (write.rs): the lock and the largest seq, one read of every record each batch names, a read of
//! each other record it refers to, one statement of all the rows, the commit. Reads take no lock
//! and never wait for writes.

mod copy;
mod dump;
mod fields;
mod history;
mod pool;
#[cfg(test)]
mod tests;
mod users;
mod write;

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use model::record::Values;
use serde_json::Value;

use super::group::{run_works, GroupCommit, GroupWriter};
use super::{
    FieldRow, FlaggedContest, HistoryExtent, Logged, NamedBy, NewUser, RecordLookup, Restore,
    Result, Storage, StorageError, StoredToken, StoredUser, TokenOwner, UserRecord, UserUpdate,
    Work,
};
use pool::Pool;

/// The advisory lock every write transaction of `fields` holds until it ends ("Knock" in ASCII).
const WRITE_LOCK: i64 = 0x4b_6e_6f_63_6b;
/// The advisory lock that lets one server at a time run migrations and first-start work.
const STARTUP_LOCK: i64 = 0x4b_6e_6f_63_6b_01;

/// Each entry runs once, in order, recorded in `knock_migrations`. Append only.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    disabled BOOLEAN NOT NULL DEFAULT false,
    scope_version BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE TABLE user_grids (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    grid_id TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (user_id, grid_id)
);
CREATE TABLE tokens (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    device_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL
);
CREATE INDEX tokens_by_user ON tokens (user_id);
CREATE INDEX tokens_by_last_use ON tokens (last_used_at);
-- One row per (entity, id, field): the current winner. `seq` is the server order pull pages by;
-- a row moves to a new seq each time a newer value wins. Stamps and values compare byte by byte.
CREATE TABLE fields (
    entity TEXT COLLATE "C" NOT NULL,
    id TEXT COLLATE "C" NOT NULL,
    field TEXT COLLATE "C" NOT NULL,
    value TEXT COLLATE "C" NOT NULL,
    hlc TEXT COLLATE "C" NOT NULL,
    seq BIGINT NOT NULL,
    grid_id TEXT COLLATE "C",
    PRIMARY KEY (entity, id, field)
);
CREATE UNIQUE INDEX fields_by_seq ON fields (seq);
CREATE INDEX fields_by_grid ON fields (grid_id, seq);
-- Records by the record a field of theirs refers to (a volunteer's deliveries, a household's
-- residents); only references are indexed, as on SQLite.
CREATE INDEX fields_by_reference ON fields (entity, field, value) WHERE right(field, 3) = '_id';
"#,
    r#"
-- The rows of no grid in seq order, which every grid worker's and volunteer's page merges with
-- its grids' (fields::rows_after): `grid_id IS NULL` does not fix the first column of
-- fields_by_grid, so without this index PostgreSQL walked the seq index through every later row
-- of every grid to find the few of no grid (100 ms for a page of one row, issue 13).
CREATE INDEX fields_without_grid ON fields (seq) WHERE grid_id IS NULL;
"#,
    // Who changed what (issue 17): each record's accepted changes of a batch, losers included,
    // with who sent them from which device and when; and the fields two devices set close
    // together. Kept for `KNOCK_HISTORY_DAYS`. `at` only grows, so a BRIN index finds what to
    // forget at almost no cost to the inserts that every push now makes.
    r#"
CREATE TABLE history (
    entity TEXT COLLATE "C" NOT NULL,
    id TEXT COLLATE "C" NOT NULL,
    at BIGINT NOT NULL,
    user_id TEXT NOT NULL,
    device_id TEXT NOT NULL,
    changes TEXT NOT NULL,
    -- How many changes `changes` holds: a read stops after so many changes, not entries.
    n BIGINT NOT NULL
);
CREATE INDEX history_by_record ON history (entity, id, at);
CREATE INDEX history_by_time ON history USING brin (at);
CREATE TABLE contests (
    entity TEXT COLLATE "C" NOT NULL,
    id TEXT COLLATE "C" NOT NULL,
    field TEXT COLLATE "C" NOT NULL,
    grid_id TEXT COLLATE "C",
    at BIGINT NOT NULL,
    held_value TEXT NOT NULL,
    held_hlc TEXT COLLATE "C" NOT NULL,
    arrived_value TEXT NOT NULL,
    arrived_hlc TEXT COLLATE "C" NOT NULL
);
CREATE INDEX contests_by_time ON contests (at);
"#,
    // The reference index without `grid_id`, as on SQLite (`storage::in_reference_index`).
    r#"
DROP INDEX fields_by_reference;
CREATE INDEX fields_by_reference ON fields (entity, field, value)
    WHERE right(field, 3) = '_id' AND field <> 'grid_id';
"#,
];

/// The `meta` row of the database's instance id: written once, at creation.
const INSTANCE_ID: &str = "instance_id";

impl From<postgres::Error> for StorageError {
    fn from(e: postgres::Error) -> Self {
        StorageError::Backend {
            backend: "postgres",
            source: Box::new(e),
        }
    }
}

pub struct PgStorage {
    pool: Arc<Pool>,
    /// Write transactions, written in groups: one group of a server at a time holds a
    /// connection (they take turns under `WRITE_LOCK` anyway), so writers never take the pool's
    /// connections from pulls and logins, which never wait for writes.
    groups: GroupCommit<Writer>,
    instance_id: String,
}

/// Writes groups of write transactions, each group one transaction under `WRITE_LOCK`.
struct Writer {
    pool: Arc<Pool>,
}

impl GroupWriter for Writer {
    async fn write_group(&self, works: Vec<Work>) -> Result<Vec<Result<()>>> {
        self.pool
            .run(move |conn| {
                let mut writes = write::Tx::begin(&mut conn.client, &conn.statements)?;
                // Every work's known reads in one round trip, where each work's was a round trip
                // of its own made while the lock is held, which every other server's writes
                // wait for (in a storm of 500 devices, 500 reads in 14 transactions).
                let reads: Vec<(&str, &str)> = works
                    .iter()
                    .flat_map(|w| w.reads.iter().map(|(e, i)| (e.as_str(), i.as_str())))
                    .collect();
                writes.prefetch(&reads)?;
                let (outcomes, kept) = run_works(&mut writes, works)?;
                if kept {
                    writes.finish()?;
                    writes.commit()?;
                }
                // An uncommitted transaction rolls back when dropped (write::Tx), releasing the
                // lock.
                Ok(outcomes)
            })
            .await
    }
}

impl PgStorage {
    /// Connects to the database at `url` (`postgres://user:password@host:port/database`) with
    /// at most `pool_size` connections, and brings its schema up to date. Servers starting at
    /// the same moment take turns: one migrates, the others find it done.
    pub async fn connect(url: &str, pool_size: usize) -> Result<PgStorage> {
        let config: postgres::Config = url.parse()?;
        let pool = Pool::new(config, pool_size);
        let setup = pool.clone();
        let instance_id = tokio::task::spawn_blocking(move || -> Result<String> {
            let mut c = setup.connect()?;
            c.execute("SELECT pg_advisory_lock($1)", &[&STARTUP_LOCK])?;
            let out = migrate(&mut c).and_then(|()| instance_id(&mut c));
            c.execute("SELECT pg_advisory_unlock($1)", &[&STARTUP_LOCK])?;
            let id = out?;
            // After the migrations: each connection prepares its statements against the schema.
            setup.fill()?;
            Ok(id)
        })
        .await
        .map_err(|e| StorageError::Join(e.to_string()))??;
        Ok(PgStorage {
            groups: GroupCommit::new(Writer { pool: pool.clone() }),
            pool,
            instance_id,
        })
    }
}

fn migrate(c: &mut postgres::Client) -> Result<()> {
    c.batch_execute(
        "CREATE TABLE IF NOT EXISTS knock_migrations (
             version INTEGER PRIMARY KEY,
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
         )",
    )?;
    let done: i64 = c
        .query_one(
            "SELECT COALESCE(MAX(version), 0)::int8 FROM knock_migrations",
            &[],
        )?
        .get(0);
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(done as usize) {
        let mut tx = c.transaction()?;
        tx.batch_execute(sql)?;
        tx.execute(
            "INSERT INTO knock_migrations (version) VALUES ($1)",
            &[&((i + 1) as i32)],
        )?;
        tx.commit()?;
    }
    Ok(())
}

fn instance_id(c: &mut postgres::Client) -> Result<String> {
    let id = uuid::Uuid::new_v4().simple().to_string();
    c.execute(
        "INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        &[&INSTANCE_ID, &id],
    )?;
    Ok(
        c.query_one("SELECT value FROM meta WHERE key = $1", &[&INSTANCE_ID])?
            .get(0),
    )
}

#[async_trait]
impl Storage for PgStorage {
    fn instance_id(&self) -> &str {
        &self.instance_id
    }

    async fn user_count(&self) -> Result<u64> {
        self.pool.run(|c| users::count(&mut c.client)).await
    }

    async fn create_user(&self, user: NewUser) -> Result<UserRecord> {
        self.pool
            .run(move |c| users::create(&mut c.client, user))
            .await
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>> {
        let username = username.to_owned();
        self.pool
            .run(move |c| users::by_username(&mut c.client, &username))
            .await
    }

    async fn user_by_id(&self, id: &str) -> Result<Option<UserRecord>> {
        let id = id.to_owned();
        self.pool
            .run(move |c| users::by_id(&mut c.client, &id))
            .await
    }

    async fn list_users(&self) -> Result<Vec<UserRecord>> {
        self.pool.run(|c| users::list(&mut c.client)).await
    }

    async fn update_user(&self, id: &str, update: UserUpdate) -> Result<Option<UserRecord>> {
        let id = id.to_owned();
        self.pool
            .run(move |c| users::update(&mut c.client, &id, update))
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
        self.pool
            .run(move |c| users::store_token(&mut c.client, &t, &u, &d, now_ms))
            .await
    }

    async fn token_owner_named_by(
        &self,
        token_hash: &str,
        named: NamedBy,
    ) -> Result<Option<(TokenOwner, Vec<String>)>> {
        let t = token_hash.to_owned();
        self.pool
            .run(move |c| users::token_owner_named_by(c, &t, named))
            .await
    }

    async fn touch_token(&self, token_hash: &str, now_ms: i64) -> Result<()> {
        let t = token_hash.to_owned();
        self.pool
            .run(move |c| {
                c.client.execute(
                    "UPDATE tokens SET last_used_at = $2 WHERE token_hash = $1",
                    &[&t, &now_ms],
                )?;
                Ok(())
            })
            .await
    }

    async fn delete_token(&self, token_hash: &str) -> Result<()> {
        let t = token_hash.to_owned();
        self.pool
            .run(move |c| {
                c.client
                    .execute("DELETE FROM tokens WHERE token_hash = $1", &[&t])?;
                Ok(())
            })
            .await
    }

    async fn delete_tokens_unused_since(&self, before_ms: i64) -> Result<u64> {
        self.pool
            .run(move |c| {
                Ok(c.client
                    .execute("DELETE FROM tokens WHERE last_used_at < $1", &[&before_ms])?)
            })
            .await
    }

    async fn ids_where(&self, entity: &str, field: &str, value: &Value) -> Result<Vec<String>> {
        let (entity, field, value) = (entity.to_owned(), field.to_owned(), value.to_string());
        self.pool
            .run(move |c| fields::ids_where(c, &entity, &field, &value))
            .await
    }

    async fn ids_where_any(
        &self,
        entity: &str,
        field: &str,
        values: Vec<String>,
    ) -> Result<Vec<String>> {
        let (entity, field) = (entity.to_owned(), field.to_owned());
        let values: Vec<String> = values
            .into_iter()
            .map(|v| Value::String(v).to_string())
            .collect();
        self.pool
            .run(move |c| fields::ids_where_any(c, &entity, &field, &values))
            .await
    }

    async fn values(
        &self,
        entity: &str,
        ids: Option<Vec<String>>,
        wanted: &[&str],
    ) -> Result<BTreeMap<String, Values>> {
        let entity = entity.to_owned();
        let wanted: Vec<String> = wanted.iter().map(|f| f.to_string()).collect();
        self.pool
            .run(move |c| fields::values(&mut c.client, &entity, ids, &wanted))
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
        self.pool
            .run(move |c| fields::rows_after(c, after, limit, grids))
            .await
    }

    async fn rows_after_of(
        &self,
        after: i64,
        limit: usize,
        records: Vec<(String, String)>,
    ) -> Result<Vec<FieldRow>> {
        self.pool
            .run(move |c| fields::rows_after_of(c, after, limit, records))
            .await
    }

    async fn max_seq(&self) -> Result<i64> {
        self.pool.run(fields::max_seq).await
    }

    async fn record_rows(&self, entity: &str, id: &str) -> Result<Vec<FieldRow>> {
        let (entity, id) = (entity.to_owned(), id.to_owned());
        self.pool
            .run(move |c| fields::record_rows(c, &entity, &id))
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
        self.pool
            .run(move |c| history::of_record(&mut c.client, &entity, &id, max_entries, max_changes))
            .await
    }

    async fn contests_since(
        &self,
        since_ms: i64,
        grids: Option<Vec<String>>,
        limit: usize,
    ) -> Result<Vec<FlaggedContest>> {
        self.pool
            .run(move |c| history::contests_since(c, since_ms, grids, limit))
            .await
    }

    async fn forget_history_before(&self, before_ms: i64) -> Result<u64> {
        self.pool
            .run(move |c| history::forget_before(c, before_ms))
            .await
    }

    async fn history_extent(&self) -> Result<HistoryExtent> {
        self.pool.run(history::extent).await
    }

    async fn history_between(&self, from_ms: i64, until_ms: i64) -> Result<Vec<Logged>> {
        self.pool
            .run(move |c| history::between(c, from_ms, until_ms))
            .await
    }

    async fn dump_users(&self) -> Result<Vec<StoredUser>> {
        self.pool.run(|c| dump::users(&mut c.client)).await
    }

    async fn dump_tokens(&self) -> Result<Vec<StoredToken>> {
        self.pool.run(|c| dump::tokens(&mut c.client)).await
    }

    async fn dump_meta(&self) -> Result<Vec<(String, String)>> {
        self.pool.run(|c| dump::meta(&mut c.client)).await
    }

    async fn is_empty(&self) -> Result<bool> {
        self.pool.run(|c| dump::is_empty(&mut c.client)).await
    }

    async fn restore(&self, part: Restore) -> Result<()> {
        self.pool
            .run(move |c| dump::restore(&mut c.client, part))
            .await
    }

    async fn startup_lock(&self) -> Result<Box<dyn Send>> {
        Ok(Box::new(self.pool.hold_lock(STARTUP_LOCK).await?))
    }

    async fn meta(&self, key: &str) -> Result<Option<String>> {
        let key = key.to_owned();
        self.pool
            .run(move |c| {
                Ok(c.client
                    .query_opt("SELECT value FROM meta WHERE key = $1", &[&key])?
                    .map(|r| r.get(0)))
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
        self.pool
            .run(move |c| {
                c.client.execute(
                    "INSERT INTO meta (key, value) VALUES ($1, $2) \
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    &[&key, &value],
                )?;
                Ok(())
            })
            .await
    }
}
