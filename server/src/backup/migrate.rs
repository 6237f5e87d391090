//! Moving a community straight from one database to another (the embedded SQLite to PostgreSQL):
//! meta with the instance id, users, tokens when asked, then the rows in seq order in batches,
//! then the history of changes, checked afterwards on both sides.

use std::io::Write;

use anyhow::{bail, Context};

use super::digest::RowDigest;
use super::{
    all_contests, compare, refuse_non_empty, tally, Counts, HistoryWindows, Progress, Tally,
    INSTANCE_ID, PAGE,
};
use crate::storage::{Restore, Storage};

/// Copies `from` into `to`, which must be empty (refused otherwise, writing nothing), and checks
/// that `to` then holds what was read from `from`: the same counts, last seq, instance id and
/// rows (their digest). Returns what was moved. `from` must not change meanwhile: a server on it
/// is stopped first (a change is noticed, and the move fails).
pub async fn migrate(
    from: &dyn Storage,
    to: &dyn Storage,
    tokens: bool,
    progress: &mut dyn Write,
) -> anyhow::Result<Tally> {
    refuse_non_empty(to).await?;
    if from.is_empty().await? {
        bail!("the source database holds no users and no records: is that the right one?");
    }
    let before = (from.max_seq().await?, from.user_count().await?);
    let mut progress = Progress::new(progress);
    let copied = copy(from, to, tokens, &mut progress).await.context(
        "the move stopped half-way: the target holds part of the community; empty it before \
         trying again",
    )?;
    let after = (from.max_seq().await?, from.user_count().await?);
    if after != before {
        bail!(
            "the source changed while it was copied (is a server still running on it?): stop \
             it, empty the target and move again"
        );
    }
    compare(&copied, &tally(to).await?)?;
    Ok(copied)
}

/// Writes everything into `to` part by part, tallying what it read.
async fn copy(
    from: &dyn Storage,
    to: &dyn Storage,
    tokens: bool,
    progress: &mut Progress<'_>,
) -> anyhow::Result<Tally> {
    let meta = from.dump_meta().await?;
    let users = from.dump_users().await?;
    let tokens = match tokens {
        true => from.dump_tokens().await?,
        false => Vec::new(),
    };
    let mut counts = Counts {
        meta: meta.len() as u64,
        users: users.len() as u64,
        tokens: tokens.len() as u64,
        ..Counts::default()
    };
    let instance_id = meta
        .iter()
        .find(|(k, _)| k == INSTANCE_ID)
        .map(|(_, v)| v.clone());
    to.restore(Restore::Meta(meta))
        .await
        .context("writing meta")?;
    for batch in chunks(users) {
        to.restore(Restore::Users(batch))
            .await
            .context("writing users")?;
    }
    for batch in chunks(tokens) {
        to.restore(Restore::Tokens(batch))
            .await
            .context("writing tokens")?;
    }
    let mut digest = RowDigest::default();
    let mut after = 0;
    loop {
        let page = from.rows_after(after, PAGE, None).await?;
        let n = page.len();
        if let Some(last) = page.last() {
            after = last.seq;
        }
        page.iter().for_each(|row| digest.add(row));
        if n > 0 {
            to.restore(Restore::Rows(page))
                .await
                .with_context(|| format!("writing the rows up to seq {after}"))?;
        }
        counts.rows += n as u64;
        progress.rows(n);
        if n < PAGE {
            break;
        }
    }
    let mut windows = HistoryWindows::new(from).await?;
    while let Some(entries) = windows.next().await? {
        counts.history += entries.len() as u64;
        for batch in chunks(entries) {
            to.restore(Restore::History(batch))
                .await
                .context("writing the history of changes")?;
        }
    }
    let contests = all_contests(from).await?;
    counts.contests = contests.len() as u64;
    for batch in chunks(contests) {
        to.restore(Restore::Contests(batch))
            .await
            .context("writing the contested fields")?;
    }
    Ok(Tally {
        counts,
        max_seq: after,
        rows_sha256: digest.finish(),
        instance_id,
    })
}

/// `items` in batches of at most a page.
fn chunks<T>(items: Vec<T>) -> Vec<Vec<T>> {
    let mut out = Vec::new();
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() {
        out.push(items.by_ref().take(PAGE).collect());
    }
    out
}
