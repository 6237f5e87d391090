//! The storage trait: everything the server keeps, behind one interface so a PostgreSQL
//! implementation can stand beside the embedded SQLite one. It carries data only (users, tokens,
//! and the winning value of each field as rows in one order); what a row means, who may read or
//! write it and where it is filed is decided by the callers, so a new backend needs no knowledge
//! of the domain.

pub mod dump;
pub mod group;
pub mod history;
pub mod location;
pub mod postgres;
pub mod scratch;
pub mod sqlite;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use async_trait::async_trait;
use model::record::Values;
use model::wire::Change;
use model::Role;
use serde_json::Value;

pub use dump::{Restore, StoredToken, StoredUser};
pub use history::{Contest, FlaggedContest, HistoryExtent, Logged};
pub use location::open_location;

/// Whether the `fields_by_reference` index of either backend holds a field, so that a lookup by
/// its value may walk the index: references (fields named `…_id`) except the grid's. Every
/// door-bound record has a `grid_id`, so indexing it put one more entry at a random place of the
/// index for every new record, the push's costliest kind of write (issue 13); the rows of a grid
/// are found through `fields_by_grid`, and a lookup by a `grid_id` value reads the entity's rows.
pub(crate) fn in_reference_index(field: &str) -> bool {
    field.ends_with("_id") && field != model::schema::GRID_ID
}

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The database itself failed; `backend` names which kind.
    #[error("{backend}: {source}")]
    Backend {
        backend: &'static str,
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("storage task failed: {0}")]
    Join(String),
    #[error("{0}")]
    Conflict(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// A user as stored, password hash included: never serialize this to a client.
#[derive(Debug, Clone, PartialEq)]
pub struct UserRecord {
    pub id: String,
    pub username: String,
    pub name: String,
    pub role: Role,
    pub grids: Vec<String>,
    pub password_hash: String,
    pub disabled: bool,
    /// Bumped whenever the user's role or grids change, so their pull cursors stop being valid.
    pub scope_version: i64,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub name: String,
    pub role: Role,
    pub grids: Vec<String>,
    pub password_hash: String,
}

/// Whom a token was issued to, and when it was last used (unix ms).
#[derive(Debug, Clone)]
pub struct TokenOwner {
    pub user: UserRecord,
    pub device_id: String,
    pub last_used_ms: i64,
}

/// Records that name a token's owner in one of their fields, read with the token
/// ([`Storage::token_owner_named_by`]).
#[derive(Debug, Clone, Copy)]
pub struct NamedBy {
    /// Read for owners of this role only.
    pub role: Role,
    pub entity: &'static str,
    pub field: &'static str,
}

/// What an admin changes of a user; `None` leaves that part as it is.
#[derive(Debug, Clone, Default)]
pub struct UserUpdate {
    pub name: Option<String>,
    pub role: Option<Role>,
    pub grids: Option<Vec<String>>,
    pub password_hash: Option<String>,
    pub disabled: Option<bool>,
}

/// What a [`UserUpdate`] changes of a stored user, decided here once for every backend.
#[derive(Debug, Clone, PartialEq)]
pub struct UserChanges {
    /// The new role, when it differs.
    pub role: Option<Role>,
    /// The new grids in the order given (repeats next to each other dropped), when they differ
    /// from the stored ones as a set.
    pub grids: Option<Vec<String>>,
    /// A new role or new grids: the user's pull cursors stop being valid (`scope_version`).
    pub scope_changed: bool,
    /// A new password or disabling: every token of the user is revoked.
    pub revoke: bool,
}

impl UserUpdate {
    pub fn changes(&self, before: &UserRecord) -> UserChanges {
        let role = self.role.filter(|r| *r != before.role);
        let grids = self.grids.as_ref().and_then(|grids| {
            let mut wanted = grids.clone();
            wanted.dedup();
            let mut old = before.grids.clone();
            let mut new = wanted.clone();
            old.sort();
            new.sort();
            new.dedup();
            (old != new).then_some(wanted)
        });
        UserChanges {
            scope_changed: role.is_some() || grids.is_some(),
            revoke: self.password_hash.is_some() || self.disabled == Some(true),
            role,
            grids,
        }
    }
}

/// A stored winning value with its position in the server order.
#[derive(Debug, Clone)]
pub struct FieldRow {
    pub change: Change,
    /// The grid the row is filed under by whoever wrote it; pull pages by it.
    pub grid_id: Option<String>,
    pub seq: i64,
}

#[async_trait]
pub trait Storage: Send + Sync + 'static {
    /// A random id made when the database was created: a restored or replaced database has
    /// another history, so cursors from before must not be served.
    fn instance_id(&self) -> &str;

    async fn user_count(&self) -> Result<u64>;
    async fn create_user(&self, user: NewUser) -> Result<UserRecord>;
    async fn user_by_username(&self, username: &str) -> Result<Option<UserRecord>>;
    async fn user_by_id(&self, id: &str) -> Result<Option<UserRecord>>;
    /// Every user, by user name.
    async fn list_users(&self) -> Result<Vec<UserRecord>>;
    /// Changes a user in one transaction; none when there is no such user. A new role or a new
    /// set of grids bumps `scope_version` (their pull cursors then answer 410); disabling and a
    /// new password revoke all of the user's tokens at once.
    async fn update_user(&self, id: &str, update: UserUpdate) -> Result<Option<UserRecord>>;

    async fn store_token(
        &self,
        token_hash: &str,
        user_id: &str,
        device_id: &str,
        now_ms: i64,
    ) -> Result<()>;
    /// The user and device a token hash belongs to, with its last use (none for unknown tokens
    /// or disabled users) and, for an owner of the role `named.role`, the ids of the records of
    /// `named.entity` whose `named.field` holds the owner's id, as [`Storage::ids_where`] finds
    /// them: what every request of a grid worker asks (`cover.rs`), in one visit to the
    /// database instead of two.
    async fn token_owner_named_by(
        &self,
        token_hash: &str,
        named: NamedBy,
    ) -> Result<Option<(TokenOwner, Vec<String>)>>;
    /// Records a use of a token at `now_ms`.
    async fn touch_token(&self, token_hash: &str, now_ms: i64) -> Result<()>;
    async fn delete_token(&self, token_hash: &str) -> Result<()>;
    /// Deletes the tokens last used before `before_ms`; returns how many.
    async fn delete_tokens_unused_since(&self, before_ms: i64) -> Result<u64>;

    /// The ids of the records of `entity` whose `field` currently holds `value`.
    async fn ids_where(&self, entity: &str, field: &str, value: &Value) -> Result<Vec<String>>;

    /// The ids of the records of `entity` whose `field` holds one of the strings `values`: one
    /// read where [`Storage::ids_where`] would be one per value.
    async fn ids_where_any(
        &self,
        entity: &str,
        field: &str,
        values: Vec<String>,
    ) -> Result<Vec<String>>;

    /// The current values of `fields` of the records of `entity` named in `ids` (every record
    /// of `entity` when `None`), by id; a record holding none of `fields` is left out.
    async fn values(
        &self,
        entity: &str,
        ids: Option<Vec<String>>,
        fields: &[&str],
    ) -> Result<BTreeMap<String, Values>>;

    /// Runs `work` inside one write transaction and commits what it wrote when it returns
    /// `Ok(true)`; `Ok(false)` or an error rolls back. Transactions are serialised: nothing
    /// another writes can come between the work's reads and its writes.
    async fn transact(&self, work: Work) -> Result<()>;

    /// Up to `limit` winning rows with `seq > after`, in seq order, restricted to rows filed
    /// under `grids` or under no grid when `grids` is given.
    async fn rows_after(
        &self,
        after: i64,
        limit: usize,
        grids: Option<Vec<String>>,
    ) -> Result<Vec<FieldRow>>;

    /// Up to `limit` winning rows with `seq > after`, in seq order, of the records named in
    /// `records` (entity, id) and those filed under no grid: a volunteer's pull, whose share is a
    /// few records, read through the indexes instead of a walk past every other row.
    async fn rows_after_of(
        &self,
        after: i64,
        limit: usize,
        records: Vec<(String, String)>,
    ) -> Result<Vec<FieldRow>>;

    /// The largest seq ever assigned: a cursor beyond it comes from another database.
    async fn max_seq(&self) -> Result<i64>;

    /// Every stored row of one record, in field order.
    async fn record_rows(&self, entity: &str, id: &str) -> Result<Vec<FieldRow>>;

    /// The newest history entries of one record ([`WriteTx::log`]), newest first: of its newest
    /// `max_entries`, those up to the one whose changes bring the count to `max_changes` or past
    /// it, so that a record whose batches carried thousands of changes is never read whole.
    async fn history_of(
        &self,
        entity: &str,
        id: &str,
        max_entries: usize,
        max_changes: usize,
    ) -> Result<Vec<Logged>>;

    /// The newest `limit` contests flagged at or after `since_ms` ([`WriteTx::flag`]), newest
    /// first, of records filed under one of `grids` (any grid when `None`), each with the stamp
    /// its field holds now.
    async fn contests_since(
        &self,
        since_ms: i64,
        grids: Option<Vec<String>>,
        limit: usize,
    ) -> Result<Vec<FlaggedContest>>;

    /// Deletes the history entries and contests kept before `before_ms`; returns how many.
    async fn forget_history_before(&self, before_ms: i64) -> Result<u64>;

    /// How many history entries and contests there are, and the first and last entry's time.
    async fn history_extent(&self) -> Result<HistoryExtent>;

    /// The history entries received from `from_ms` (included) to `until_ms` (not), by time: a
    /// backup or a move reads the history in such windows.
    async fn history_between(&self, from_ms: i64, until_ms: i64) -> Result<Vec<Logged>>;

    /// Held while a server does first-start work that must happen once however many servers
    /// start at the same moment (seeding the demo into an empty database); the others wait
    /// here until the holder drops it.
    async fn startup_lock(&self) -> Result<Box<dyn Send>>;

    /// A small value the server keeps about this database under `key`, if there is one.
    /// `instance_id` is the storage's own (see [`Storage::instance_id`]).
    async fn meta(&self, key: &str) -> Result<Option<String>>;
    /// Keeps `value` under `key`, replacing what was there; `instance_id` is refused.
    async fn set_meta(&self, key: &str, value: &str) -> Result<()>;

    /// Every user as stored (grids, password hash, disabled and scope version included), by
    /// user name, for a backup or a move.
    async fn dump_users(&self) -> Result<Vec<StoredUser>>;
    /// Every login token as stored.
    async fn dump_tokens(&self) -> Result<Vec<StoredToken>>;
    /// Every meta row, `instance_id` included, by key.
    async fn dump_meta(&self) -> Result<Vec<(String, String)>>;
    /// No user, no token and no field row (meta aside): a database a backup may be restored into.
    async fn is_empty(&self) -> Result<bool>;
    /// Writes part of a dump into a database, in one transaction, keeping ids, password hashes
    /// and seqs (rows keep their exact `seq` and `grid_id`) and, for `Meta`, every key including
    /// the instance id, so devices' pull cursors stay valid on the new database. Parts come in
    /// the order [`Restore`] gives. A row, user or token that is already there is an error: the
    /// caller restores only into a database that [`Storage::is_empty`]. [`Storage::instance_id`]
    /// keeps answering the id this storage was opened with: reopen the database before serving
    /// it.
    async fn restore(&self, part: Restore) -> Result<()>;
}

/// What a [`Work`] runs: `Ok(true)` keeps what it wrote.
pub type WorkFn = Box<dyn FnOnce(&mut dyn WriteTx) -> Result<bool> + Send>;

/// Work done inside a write transaction; see [`Storage::transact`].
pub struct Work {
    /// The records (entity, id) the work is known to read before it runs. A backend that pays
    /// a round trip per read reads those of every work of a group at once, before the first
    /// runs: under the write lock, where a round trip each held up every other server's writes
    /// too. A record read and not named here is read when asked for, as before: naming is a
    /// matter of speed, never of what is read.
    pub reads: Vec<(String, String)>,
    pub run: WorkFn,
}

impl Work {
    pub fn new(run: impl FnOnce(&mut dyn WriteTx) -> Result<bool> + Send + 'static) -> Work {
        Work {
            reads: Vec::new(),
            run: Box::new(run),
        }
    }

    /// The work, naming the records it will read ([`Work::reads`]).
    pub fn reading(mut self, reads: Vec<(String, String)>) -> Work {
        self.reads = reads;
        self
    }
}

/// One field of one record: entity, id, field.
pub type FieldKey<'a> = (&'a str, &'a str, &'a str);

/// Read access to stored records inside a write transaction.
pub trait RecordLookup {
    /// Says which records the transaction is about to look at, so a backend that pays a round
    /// trip per query can read them all at once; the answers are the same either way.
    fn prefetch(&mut self, _records: &[(&str, &str)]) -> Result<()> {
        Ok(())
    }
    /// The current winning value of one field, if the record has it.
    fn field(&mut self, entity: &str, id: &str, field: &str) -> Result<Option<Value>>;
    /// The stamp of one field's winning value, if the record has the field.
    fn stamp(&mut self, entity: &str, id: &str, field: &str) -> Result<Option<String>>;
    /// The stamps of many fields, in the order asked; a backend that pays a round trip per
    /// query reads them all at once.
    fn stamps(&mut self, keys: &[FieldKey<'_>]) -> Result<Vec<Option<String>>> {
        keys.iter()
            .map(|(entity, id, field)| self.stamp(entity, id, field))
            .collect()
    }
    /// The ids of the records of `entity` whose `field` currently holds `value`.
    fn ids_where(&mut self, entity: &str, field: &str, value: &Value) -> Result<Vec<String>>;
    /// The fields a record has, by name; none when there is no such record.
    fn field_names(&mut self, entity: &str, id: &str) -> Result<Vec<String>>;
}

/// The rows of one write transaction. Each row written or refiled takes the next seq, so it
/// comes after everything before it in the order pull pages by, and is filed under the grid
/// given, which [`Storage::rows_after`] filters by.
pub trait WriteTx: RecordLookup {
    /// Stores a field the record does not have yet; false, writing nothing, when it has it.
    fn insert(&mut self, change: &Change, grid: Option<&str>) -> Result<bool>;
    /// Overwrites the value and stamp of a field the record has.
    fn replace(&mut self, change: &Change, grid: Option<&str>) -> Result<()>;
    /// Writes rows the caller has judged to win as the next rows of the order, in the order
    /// given, each under its grid, replacing the stored value of its field; the rows name
    /// distinct fields. A backend that pays a round trip per statement writes them in one.
    fn put(&mut self, rows: &[(&Change, Option<&str>)]) -> Result<()> {
        for (change, grid) in rows {
            if !self.insert(change, *grid)? {
                self.replace(change, *grid)?;
            }
        }
        Ok(())
    }
    /// The role of the user `user_id` as stored; none when there is no such user.
    fn user_role(&mut self, user_id: &str) -> Result<Option<Role>>;
    /// Makes the user's pull cursors stop being valid (`scope_version`), as a new role or new
    /// grids do: what they may read changed under rows they have passed.
    fn bump_scope_version(&mut self, user_id: &str) -> Result<()>;
    /// Keeps history entries, committed or undone with the transaction.
    fn log(&mut self, entries: Vec<Logged>) -> Result<()>;
    /// Keeps a contest, committed or undone with the transaction.
    fn flag(&mut self, contest: Contest) -> Result<()>;
    /// Moves rows of a record, in the order given, to the end of the order and under `grid`.
    fn refile(
        &mut self,
        entity: &str,
        id: &str,
        fields: &[String],
        grid: Option<&str>,
    ) -> Result<()>;
}

/// Opens the database the config names: PostgreSQL at `KNOCK_DATABASE_URL`, or else the
/// SQLite file in `KNOCK_DATA_DIR`; either way its schema is brought up to date.
pub async fn open(config: &crate::Config) -> Result<std::sync::Arc<dyn Storage>> {
    Ok(match &config.database_url {
        Some(url) => std::sync::Arc::new(
            self::postgres::PgStorage::connect(url.expose(), config.database_pool).await?,
        ),
        None => std::sync::Arc::new(self::sqlite::SqliteStorage::open_dir(&config.data_dir)?),
    })
}

impl dyn Storage + '_ {
    /// Runs `work` in one write transaction ([`Storage::transact`]) and hands back what it
    /// returns: its `Ok` is committed, its `Err` (a refusal of the caller's) rolls back.
    pub async fn write<T, E>(
        &self,
        work: impl FnOnce(&mut dyn WriteTx) -> Result<std::result::Result<T, E>> + Send + 'static,
    ) -> Result<std::result::Result<T, E>>
    where
        T: Send + 'static,
        E: Send + 'static,
    {
        self.write_reading(Vec::new(), work).await
    }

    /// [`write`](Self::write), naming the records the work will read ([`Work::reads`]).
    pub async fn write_reading<T, E>(
        &self,
        reads: Vec<(String, String)>,
        work: impl FnOnce(&mut dyn WriteTx) -> Result<std::result::Result<T, E>> + Send + 'static,
    ) -> Result<std::result::Result<T, E>>
    where
        T: Send + 'static,
        E: Send + 'static,
    {
        let (send, outcome) = std::sync::mpsc::sync_channel(1);
        let work = Work::new(move |tx| {
            let out = work(tx)?;
            let commit = out.is_ok();
            // The receiver lives until the transaction has returned: this cannot fail.
            let _ = send.send(out);
            Ok(commit)
        });
        self.transact(work.reading(reads)).await?;
        outcome
            .try_recv()
            .map_err(|_| StorageError::Join("the transaction's work did not run".into()))
    }
}
