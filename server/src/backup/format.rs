//! The dump file: JSON lines. A header line (version, counts, last seq, the rows' digest), then
//! the meta rows, the users, the tokens (when asked for), the field rows in seq order, and the
//! history of changes (entries by time, then contests), one a line. The writer streams and fills the header in last (its line is reserved first, blank);
//! the reader streams too and refuses a foreign, unfinished, cut-short or altered file.

mod reader;
mod writer;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use reader::{check, DumpReader};
pub use writer::DumpWriter;

/// The version of the format this server writes. Version 2 added the history of changes; a
/// version 1 dump (none) is read as well.
pub const VERSION: u32 = 2;
/// The oldest version this server reads.
pub const OLDEST_READ: u32 = 1;
/// Bytes reserved for the header line, its newline included; the header is padded with spaces.
const HEADER_BYTES: usize = 512;
/// Longer lines are not from a dump (a value is at most a few KiB): the reader stops there
/// instead of reading a foreign file whole.
const MAX_LINE_BYTES: u64 = 16 << 20;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub meta: u64,
    pub users: u64,
    pub tokens: u64,
    pub rows: u64,
    /// History entries and contests (version 2; none in a version 1 dump).
    #[serde(default)]
    pub history: u64,
    #[serde(default)]
    pub contests: u64,
}

/// The first line of a dump.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    pub knock_dump: u32,
    pub written_at_ms: i64,
    pub counts: Counts,
    /// The seq of the last row (0 without rows).
    pub max_seq: i64,
    /// The sha256 of the rows: their entity, id, field, value, stamp, seq and grid, in seq order.
    pub rows_sha256: String,
    /// False when tokens were left out: after a restore everybody logs in again.
    pub tokens_included: bool,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum Line {
    Meta {
        key: String,
        value: String,
    },
    User {
        id: String,
        username: String,
        name: String,
        role: String,
        grids: Vec<String>,
        password_hash: String,
        disabled: bool,
        scope_version: i64,
        created_at_ms: i64,
    },
    Token {
        token_hash: String,
        user_id: String,
        device_id: String,
        created_at_ms: i64,
        last_used_ms: i64,
    },
    Row {
        seq: i64,
        entity: String,
        id: String,
        field: String,
        value: Value,
        hlc: String,
        grid_id: Option<String>,
    },
    Entry {
        entity: String,
        id: String,
        at_ms: i64,
        user_id: String,
        device_id: String,
        /// Field, value, stamp.
        changes: Vec<(String, Value, String)>,
    },
    Contest {
        entity: String,
        id: String,
        field: String,
        grid_id: Option<String>,
        at_ms: i64,
        held_value: Value,
        held_hlc: String,
        arrived_value: Value,
        arrived_hlc: String,
    },
}

/// The sections of a dump, in file order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Section {
    Meta,
    Users,
    Tokens,
    Rows,
    History,
    Contests,
}

impl Line {
    fn section(&self) -> Section {
        match self {
            Line::Meta { .. } => Section::Meta,
            Line::User { .. } => Section::Users,
            Line::Token { .. } => Section::Tokens,
            Line::Row { .. } => Section::Rows,
            Line::Entry { .. } => Section::History,
            Line::Contest { .. } => Section::Contests,
        }
    }
}

impl Section {
    fn name(self) -> &'static str {
        match self {
            Section::Meta => "meta value",
            Section::Users => "user",
            Section::Tokens => "token",
            Section::Rows => "row",
            Section::History => "history entry",
            Section::Contests => "contest",
        }
    }
}

#[cfg(test)]
mod tests;
