//! The storage trait: everything the server keeps, behind one interface so a PostgreSQL
//! implementation can stand beside the embedded SQLite one.

pub mod sqlite;

use async_trait::async_trait;
use model::wire::Change;
use model::Role;

use crate::error::AppError;

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("storage task failed: {0}")]
    Join(String),
    #[error("{0}")]
    Conflict(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

pub type Result<T, E = StorageError> = std::result::Result<T, E>;

/// A user as stored, password hash included: never serialize this to a client.
#[derive(Debug, Clone)]
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

/// What an admin changes of a user; `None` leaves that part as it is.
#[derive(Debug, Clone, Default)]
pub struct UserUpdate {
    pub name: Option<String>,
    pub role: Option<Role>,
    pub grids: Option<Vec<String>>,
    pub password_hash: Option<String>,
    pub disabled: Option<bool>,
}

/// A stored winning value with its position in the server order.
#[derive(Debug, Clone)]
pub struct FieldRow {
    pub change: Change,
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
    /// The user and device a token hash belongs to; none for unknown tokens or disabled users.
    async fn token_owner(&self, token_hash: &str) -> Result<Option<(UserRecord, String)>>;
    async fn delete_token(&self, token_hash: &str) -> Result<()>;

    /// The current `name` of each grid record, in the order of `ids` (the id where none).
    async fn grid_names(&self, ids: &[String]) -> Result<Vec<String>>;
    /// Every grid record not deleted, as (id, name), by name.
    async fn grids(&self) -> Result<Vec<(String, String)>>;

    /// Applies a batch in one transaction, last writer wins per field; returns how many won.
    /// Each row is filed under its record's grid (the record's `grid_id` field, or its own id
    /// for a grid), which pull filters by.
    async fn apply_changes(&self, batch: Vec<Change>) -> Result<usize>;

    /// Runs `authorize` against the stored records and applies what it returns, both inside one
    /// transaction, so no other batch can change a record's grid or owner between the check and
    /// the write. A refusal writes nothing.
    async fn push(&self, authorize: Authorize) -> Result<Result<usize, AppError>>;

    /// Up to `limit` winning rows with `seq > after`, in seq order, restricted to records of
    /// `grids` and records of no grid when `grids` is given.
    async fn rows_after(
        &self,
        after: i64,
        limit: usize,
        grids: Option<Vec<String>>,
    ) -> Result<Vec<FieldRow>>;

    /// The largest seq ever assigned: a cursor beyond it comes from another database.
    async fn max_seq(&self) -> Result<i64>;

    /// The ids of the deliveries assigned to a volunteer and of their recipients' records.
    async fn volunteer_scope(&self, user_id: &str) -> Result<VolunteerScope>;
}

/// Read access to stored records while a push is being authorised.
pub trait RecordLookup {
    /// The current winning value of one field, if the record has it.
    fn field(&mut self, entity: &str, id: &str, field: &str) -> Result<Option<serde_json::Value>>;
}

/// Decides, from the stored records, whether a batch may be written, and returns it.
pub type Authorize = Box<dyn FnOnce(&mut dyn RecordLookup) -> Result<Vec<Change>, AppError> + Send>;

/// What a volunteer may read: their deliveries and those deliveries' recipients.
#[derive(Debug, Default, Clone)]
pub struct VolunteerScope {
    pub deliveries: std::collections::HashSet<String>,
    pub residents: std::collections::HashSet<String>,
    pub households: std::collections::HashSet<String>,
}
