//! A pull from the start after the server's `reset_required` (the user's grids or role changed,
//! the database was restored): what the user may read now is exactly what that pull brings, so
//! once it has completed every other record leaves the phone, except those an unsent edit
//! still needs. A full pull cut short is begun again at the next sync, so the sweep always
//! follows one whole pull.

use std::collections::BTreeSet;

use model::wire::Change;
use rexie::TransactionMode;

use super::stored::{self, BASES};
use super::{json_from_js, meta_get, meta_put, record_key, Db, Result, META, OUTBOX, RECORDS};

/// Set while a pull from the start is under way.
pub(super) const META_RESYNC: &str = "resync";

impl Db {
    /// Starts a pull from the start: forgets the cursor and remembers that the records not
    /// pulled again must go when it completes.
    pub async fn begin_resync(&self) -> Result<()> {
        let tx = self.tx(&[META], TransactionMode::ReadWrite)?;
        let meta = tx.store(META)?;
        meta.delete(super::META_CURSOR.into()).await?;
        meta_put(&meta, META_RESYNC, &true).await?;
        tx.done().await?;
        Ok(())
    }

    /// Whether a pull from the start was begun and has not completed.
    pub async fn resyncing(&self) -> Result<bool> {
        let tx = self.tx(&[META], TransactionMode::ReadOnly)?;
        Ok(meta_get::<bool>(&tx.store(META)?, META_RESYNC)
            .await?
            .unwrap_or(false))
    }

    /// Ends a completed pull from the start: removes every record not in `pulled` (entity, id)
    /// that no queued edit touches. Returns how many went.
    pub async fn finish_resync(&self, pulled: &BTreeSet<(String, String)>) -> Result<usize> {
        let tx = self.tx(&[RECORDS, BASES, OUTBOX, META], TransactionMode::ReadWrite)?;
        let (records, bases) = (tx.store(RECORDS)?, tx.store(BASES)?);
        let (outbox, meta) = (tx.store(OUTBOX)?, tx.store(META)?);
        let mut keep: BTreeSet<String> = pulled.iter().map(|(e, id)| record_key(e, id)).collect();
        for v in outbox.get_all(None, None).await? {
            let c: Change = json_from_js(&v)?;
            keep.insert(record_key(&c.entity, &c.id));
        }
        let gone = stored::sweep(&records, &bases, &keep).await?;
        meta.delete(META_RESYNC.into()).await?;
        tx.done().await?;
        Ok(gone)
    }
}
