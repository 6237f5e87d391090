//! What a backup or a move between databases carries besides the field rows: users and tokens as
//! stored (creation and last use included), and the parts a database is written back from, each
//! keeping its ids, hashes and seqs so that logins and devices' pull cursors carry on.

use super::{Contest, FieldRow, Logged, UserRecord};

/// A user as stored, with when they were created (unix ms).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredUser {
    /// Grids, password hash, disabled and scope version included.
    pub user: UserRecord,
    pub created_at_ms: i64,
}

/// A login token as stored: the hash of the bearer token, never the token itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredToken {
    pub token_hash: String,
    pub user_id: String,
    pub device_id: String,
    pub created_at_ms: i64,
    pub last_used_ms: i64,
}

/// One part of a dump, written back by [`super::Storage::restore`]. A database is written in this
/// order: `Meta`, `Users`, `Tokens` (each token's user must be there), then `Rows` in seq order,
/// then the history of changes (`History`, `Contests`), each part in as many batches as the
/// writer likes.
#[derive(Debug, Clone)]
pub enum Restore {
    /// Every `meta` row, `instance_id` included: it replaces the target's own.
    Meta(Vec<(String, String)>),
    Users(Vec<StoredUser>),
    Tokens(Vec<StoredToken>),
    /// Each row keeps its exact `seq` and `grid_id`.
    Rows(Vec<FieldRow>),
    /// History entries as kept (issue 17).
    History(Vec<Logged>),
    Contests(Vec<Contest>),
}

impl Restore {
    /// What the part holds, for messages: `3 users`.
    pub fn describe(&self) -> String {
        match self {
            Restore::Meta(m) => format!("{} meta values", m.len()),
            Restore::Users(u) => format!("{} users", u.len()),
            Restore::Tokens(t) => format!("{} tokens", t.len()),
            Restore::Rows(r) => format!("{} rows", r.len()),
            Restore::History(h) => format!("{} history entries", h.len()),
            Restore::Contests(c) => format!("{} contests", c.len()),
        }
    }
}
