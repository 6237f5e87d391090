//! How much a roster file may hold and how long reading and planning it may take: every reader
//! checks these as it goes, before it allocates, so a crafted file is refused instead of taking
//! the server's memory or time.

use std::time::{Duration, Instant};

use super::ImportError;

/// The file as uploaded (after base64). The request body itself stops at 8 MiB.
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;
/// Data rows and header: a sheet row (or CSV record) past this is refused.
pub const MAX_ROWS: usize = 20_000;
/// Columns up to the last one that says something.
pub const MAX_COLS: usize = 64;
/// Entries of an XLSX container; Excel writes a dozen or two.
pub const MAX_ZIP_ENTRIES: usize = 256;
/// Everything an XLSX container unpacks to, and the most one entry (a sheet, the shared
/// strings) unpacks to.
pub const MAX_UNPACKED_BYTES: u64 = 32 * 1024 * 1024;
pub const MAX_ENTRY_BYTES: u64 = 24 * 1024 * 1024;
/// Unpacked over packed size beyond which a large entry is a zip bomb, not a spreadsheet
/// (Excel's XML packs 5 to 20 times).
pub const MAX_RATIO: u64 = 200;
/// Entries smaller than this are not judged by their ratio: a tiny part packs as it likes.
pub const RATIO_FROM_BYTES: u64 = 1024 * 1024;
/// The text of all cells read: shared strings are stored once but may be used by every cell.
pub const MAX_TEXT_BYTES: usize = 32 * 1024 * 1024;
/// Reading and planning an import together; past it the work stops and the file is refused.
pub const MAX_IMPORT_TIME: Duration = Duration::from_secs(20);

/// When reading or planning must have finished. The work checks it every few hundred rows or
/// cells and gives up with [`ImportError::TooSlow`]: a blocking thread cannot be cancelled from
/// outside, so it must stop itself.
#[derive(Debug, Clone, Copy)]
pub struct Deadline(Instant);

impl Deadline {
    pub fn after(limit: Duration) -> Deadline {
        Deadline(Instant::now() + limit)
    }

    pub fn at(instant: Instant) -> Deadline {
        Deadline(instant)
    }

    pub fn check(&self) -> Result<(), ImportError> {
        if Instant::now() >= self.0 {
            Err(ImportError::TooSlow)
        } else {
            Ok(())
        }
    }

    /// What is left, for an outer timeout around the work.
    pub fn remaining(&self) -> Duration {
        self.0.saturating_duration_since(Instant::now())
    }
}
