//! Backups and moves between databases, on any [`Storage`]: [`backup`] writes a database to a
//! dump file ([`mod@format`]), [`restore`] writes one back into an empty database, [`migrate`] copies
//! one database into another without a file. Ids, password hashes, seqs and the instance id are
//! kept, so logins and devices' pull cursors carry on; each checks afterwards that the target
//! holds what was read (counts, last seq, the rows' digest and the instance id).

mod digest;
pub mod format;
mod migrate;

use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context};

use crate::storage::{Contest, Logged, Restore, Storage};
use digest::RowDigest;
use format::{DumpReader, DumpWriter};

pub use format::{Counts, Header};
pub use migrate::migrate;

/// Rows read, and written, at once.
const PAGE: usize = 2_000;
/// Backups started again when the database changed under them, before giving up.
const ATTEMPTS: usize = 3;
/// The meta key of a database's instance id (see [`Storage::instance_id`]).
const INSTANCE_ID: &str = "instance_id";

/// What a database holds, as far as a copy of it is checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tally {
    pub counts: Counts,
    pub max_seq: i64,
    /// The sha256 of the rows, as a dump header keeps it ([`Header::rows_sha256`]).
    pub rows_sha256: String,
    pub instance_id: Option<String>,
}

/// Reads a whole database (rows in pages) and tallies it.
pub async fn tally(storage: &dyn Storage) -> anyhow::Result<Tally> {
    let history = storage.history_extent().await?;
    let mut counts = Counts {
        meta: storage.dump_meta().await?.len() as u64,
        users: storage.dump_users().await?.len() as u64,
        tokens: storage.dump_tokens().await?.len() as u64,
        rows: 0,
        history: history.entries,
        contests: history.contests,
    };
    let mut digest = RowDigest::default();
    let mut after = 0;
    loop {
        let page = storage.rows_after(after, PAGE, None).await?;
        for row in &page {
            digest.add(row);
            after = row.seq;
        }
        counts.rows += page.len() as u64;
        if page.len() < PAGE {
            break;
        }
    }
    Ok(Tally {
        counts,
        max_seq: storage.max_seq().await?,
        rows_sha256: digest.finish(),
        instance_id: storage.meta(INSTANCE_ID).await?,
    })
}

/// Fails, naming every difference, unless the target holds what was copied.
fn compare(copied: &Tally, target: &Tally) -> anyhow::Result<()> {
    let (c, t) = (copied.counts, target.counts);
    let mut wrong = Vec::new();
    for (what, copied, target) in [
        ("meta values", c.meta, t.meta),
        ("users", c.users, t.users),
        ("tokens", c.tokens, t.tokens),
        ("rows", c.rows, t.rows),
        ("history entries", c.history, t.history),
        ("contests", c.contests, t.contests),
    ] {
        if copied != target {
            wrong.push(format!("{target} {what} instead of {copied}"));
        }
    }
    if copied.max_seq != target.max_seq {
        wrong.push(format!(
            "last seq {} instead of {}",
            target.max_seq, copied.max_seq
        ));
    }
    if copied.rows_sha256 != target.rows_sha256 && c.rows == t.rows {
        wrong.push("rows that differ from those copied (another digest)".into());
    }
    if copied.instance_id != target.instance_id {
        wrong.push("another instance id".into());
    }
    if !wrong.is_empty() {
        bail!(
            "the check after copying failed: the target holds {}",
            wrong.join(", ")
        );
    }
    Ok(())
}

/// Refuses, writing nothing, a target that holds any user, token or row.
async fn refuse_non_empty(target: &dyn Storage) -> anyhow::Result<()> {
    if !target.is_empty().await? {
        bail!(
            "the target database is not empty ({} users, last seq {}): a restore or a move \
             writes only into an empty database; nothing was written",
            target.user_count().await?,
            target.max_seq().await?
        );
    }
    Ok(())
}

/// Says how far a long copy has come, every so many rows.
struct Progress<'a> {
    out: &'a mut dyn Write,
    rows: u64,
}

impl<'a> Progress<'a> {
    const EVERY: u64 = 100_000;

    fn new(out: &'a mut dyn Write) -> Progress<'a> {
        Progress { out, rows: 0 }
    }

    fn rows(&mut self, n: usize) {
        let before = self.rows / Self::EVERY;
        self.rows += n as u64;
        if self.rows / Self::EVERY > before {
            // Progress is a courtesy: a closed terminal must not stop the copy.
            let _ = writeln!(self.out, "  {} rows…", self.rows);
        }
    }
}

/// Writes the database to a new dump file at `path` (refused if a file is there), the tokens
/// only when asked. A server may go on running: when the database changed while it was read,
/// the dump is written again (a few times at most) so it holds one moment of it. The file is
/// read back and checked before this returns.
pub async fn backup(
    storage: &dyn Storage,
    path: &Path,
    tokens: bool,
    progress: &mut dyn Write,
) -> anyhow::Result<Header> {
    let mut progress = Progress::new(progress);
    for _ in 0..ATTEMPTS {
        let before = (storage.max_seq().await?, storage.user_count().await?);
        let writer = DumpWriter::create(path, tokens)?;
        let written = async {
            let header = write_dump(storage, writer, tokens, &mut progress).await?;
            let after = (storage.max_seq().await?, storage.user_count().await?);
            Ok::<_, anyhow::Error>((header, after == before))
        }
        .await;
        match written {
            Ok((header, true)) => {
                let read_back = format::check(path);
                return match read_back {
                    Ok(read) if read == header => Ok(header),
                    Ok(_) => {
                        let _ = std::fs::remove_file(path);
                        bail!("the dump read back is not the one written; it was removed")
                    }
                    Err(e) => {
                        let _ = std::fs::remove_file(path);
                        Err(e.context("the dump read back is damaged; it was removed"))
                    }
                };
            }
            Ok((_, false)) => {
                std::fs::remove_file(path)
                    .with_context(|| format!("removing the outdated {}", path.display()))?;
            }
            Err(e) => {
                let _ = std::fs::remove_file(path);
                return Err(e);
            }
        }
    }
    bail!(
        "the database changed while each of {ATTEMPTS} backups was written (devices syncing): \
         run it again at a quieter time, or stop the server for it"
    )
}

async fn write_dump(
    storage: &dyn Storage,
    mut w: DumpWriter,
    tokens: bool,
    progress: &mut Progress<'_>,
) -> anyhow::Result<Header> {
    for (key, value) in storage.dump_meta().await? {
        w.meta(key, value)?;
    }
    for user in storage.dump_users().await? {
        w.user(user)?;
    }
    if tokens {
        for token in storage.dump_tokens().await? {
            w.token(token)?;
        }
    }
    let mut after = 0;
    loop {
        let page = storage.rows_after(after, PAGE, None).await?;
        let n = page.len();
        for row in page {
            after = row.seq;
            w.row(row)?;
        }
        progress.rows(n);
        if n < PAGE {
            break;
        }
    }
    let mut windows = HistoryWindows::new(storage).await?;
    while let Some(entries) = windows.next().await? {
        entries.into_iter().try_for_each(|e| w.entry(e))?;
    }
    for k in all_contests(storage).await? {
        w.contest(k)?;
    }
    w.finish(crate::now_ms())
}

/// The history entries of a database a day at a time, by time, so that a year of history is
/// never held whole (a community's day is a few thousand entries).
struct HistoryWindows<'s> {
    storage: &'s dyn Storage,
    from: i64,
    last: Option<i64>,
}

impl<'s> HistoryWindows<'s> {
    const WINDOW_MS: i64 = 24 * 3600 * 1000;

    async fn new(storage: &'s dyn Storage) -> anyhow::Result<HistoryWindows<'s>> {
        let extent = storage.history_extent().await?;
        Ok(HistoryWindows {
            storage,
            from: extent.first_ms.unwrap_or(0),
            last: extent.last_ms,
        })
    }

    /// The next day's entries that has any; `None` past the last.
    async fn next(&mut self) -> anyhow::Result<Option<Vec<Logged>>> {
        while let Some(last) = self.last.filter(|last| self.from <= *last) {
            let until = self.from.saturating_add(Self::WINDOW_MS);
            let entries = self.storage.history_between(self.from, until).await?;
            self.from = until;
            if until > last {
                self.last = None;
            }
            if !entries.is_empty() {
                return Ok(Some(entries));
            }
        }
        Ok(None)
    }
}

/// Every contest a database keeps (a few: they are flagged, not logged).
async fn all_contests(storage: &dyn Storage) -> anyhow::Result<Vec<Contest>> {
    Ok(storage
        .contests_since(i64::MIN, None, crate::storage::history::ALL)
        .await?
        .into_iter()
        .map(|f| f.contest)
        .collect())
}

/// Writes the dump at `path` into `storage`, which must be empty (refused otherwise, writing
/// nothing). The whole file is checked before anything is written, so a cut-short or damaged
/// file leaves the database empty; the database is checked against the dump after. With
/// `new_instance` the database keeps its own instance id, so every device pulls again from the
/// start: for an older backup of a database devices went on syncing with.
pub async fn restore(
    storage: &dyn Storage,
    path: &Path,
    new_instance: bool,
    progress: &mut dyn Write,
) -> anyhow::Result<Header> {
    refuse_non_empty(storage).await?;
    let header = format::check(path)?;
    let own_instance = storage.meta(INSTANCE_ID).await?;
    let mut progress = Progress::new(progress);
    let mut reader = DumpReader::open(path)?;
    let mut dumped_instance = None;
    let written = async {
        while let Some(part) = reader.next_part(PAGE)? {
            let part = match part {
                Restore::Meta(mut meta) => {
                    if let Some((_, id)) = meta.iter().find(|(k, _)| k == INSTANCE_ID) {
                        dumped_instance = Some(id.clone());
                    }
                    if new_instance {
                        meta.retain(|(k, _)| k != INSTANCE_ID);
                    }
                    Restore::Meta(meta)
                }
                Restore::Rows(rows) => {
                    progress.rows(rows.len());
                    Restore::Rows(rows)
                }
                part => part,
            };
            let what = part.describe();
            storage
                .restore(part)
                .await
                .with_context(|| format!("writing {what}"))?;
        }
        Ok::<_, anyhow::Error>(())
    }
    .await;
    written.context(
        "the restore stopped half-way: the database holds part of the dump; empty it before \
         trying again",
    )?;
    let expected = Tally {
        counts: header.counts,
        max_seq: header.max_seq,
        rows_sha256: header.rows_sha256.clone(),
        instance_id: if new_instance {
            own_instance
        } else {
            dumped_instance
        },
    };
    compare(&expected, &tally(storage).await?)?;
    Ok(header)
}
