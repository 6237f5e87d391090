//! What the sync engine reads of the store before it asks the server anything, each in one
//! transaction with its requests under way together: on a cheap phone a transaction costs tens
//! of milliseconds, and a first sync waits on every one of them before its first request.

use rexie::TransactionMode;

use super::error::DbError;
use super::resync::META_RESYNC;
use super::stored::BASES;
use super::{meta_get, Db, Result, META, META_CURSOR, META_LAST_SYNC, OUTBOX, RECORDS, REJECTED};

/// What the sync badge shows of the device: edits waiting to be sent, edits the server refused,
/// and when the device last synced.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Standing {
    pub pending: u32,
    pub rejected: u32,
    pub last_sync_ms: Option<f64>,
}

/// Where a pull begins.
#[derive(Debug, Clone, PartialEq)]
pub struct PullStart {
    /// A pull from the start was begun and has not completed ([`Db::begin_resync`]).
    pub resyncing: bool,
    /// The cursor the last page reached.
    pub cursor: Option<String>,
    /// The device holds no record at all: a first sync may write without reading.
    pub holds_no_records: bool,
}

impl Db {
    /// The counts and the time of [`Standing`], read together.
    pub async fn standing(&self) -> Result<Standing> {
        let tx = self.tx(&[OUTBOX, REJECTED, META], TransactionMode::ReadOnly)?;
        let (outbox, rejected, meta) = (tx.store(OUTBOX)?, tx.store(REJECTED)?, tx.store(META)?);
        let (pending, rejected, last_sync_ms) = futures::future::try_join3(
            async { Ok::<_, DbError>(outbox.count(None).await?) },
            async { Ok(rejected.count(None).await?) },
            meta_get::<f64>(&meta, META_LAST_SYNC),
        )
        .await?;
        Ok(Standing {
            pending,
            rejected,
            last_sync_ms,
        })
    }

    /// [`PullStart`], read together.
    pub async fn pull_start(&self) -> Result<PullStart> {
        let tx = self.tx(&[META, RECORDS, BASES], TransactionMode::ReadOnly)?;
        let (meta, records, bases) = (tx.store(META)?, tx.store(RECORDS)?, tx.store(BASES)?);
        let (resyncing, cursor, single, based) = futures::future::try_join4(
            meta_get::<bool>(&meta, META_RESYNC),
            meta_get::<String>(&meta, META_CURSOR),
            async { Ok::<_, DbError>(records.count(None).await?) },
            async { Ok(bases.count(None).await?) },
        )
        .await?;
        Ok(PullStart {
            resyncing: resyncing.unwrap_or(false),
            cursor,
            holds_no_records: single == 0 && based == 0,
        })
    }
}
