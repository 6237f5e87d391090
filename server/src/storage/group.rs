//! Group commit: the write transactions a server is asked for while it is writing wait in one
//! queue and are then written together, in one database transaction. Writes take turns anyway
//! (one writer on SQLite, one lock across servers on PostgreSQL, so that seq order is commit
//! order); what a turn costs beyond the work itself (the lock, the largest seq, the commit and
//! its fsync, a blocking thread) is then paid once for the whole queue, not once per batch.
//!
//! Each work still succeeds or fails on its own: a work that refuses (`Ok(false)`) or fails is
//! undone before the next begins (a savepoint on SQLite, the transaction's own record of what the
//! work changed on PostgreSQL), and its caller hears what happened to it alone. Only when the
//! transaction itself fails (the commit, a lost connection, a statement PostgreSQL aborted the
//! transaction for) does every work of the group hear that error and nothing of the group is
//! kept: the devices keep their edits and send them again.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use super::{Result, StorageError, Work, WriteTx};

/// Works written in one transaction at most: a turn must not grow without bound while devices
/// keep arriving, and a group's rows are held in memory until it commits.
pub const MAX_GROUP: usize = 64;

/// A backend's side of group commit.
pub trait GroupWriter: Send + Sync + 'static {
    /// Runs `works` in order in one transaction, each kept when it returns `Ok(true)` and
    /// undone otherwise, and commits what was kept. Returns each work's outcome in order
    /// (`Ok(())` for kept and for refused alike, as [`super::Storage::transact`] does), or one
    /// error when the transaction as a whole failed and nothing was kept.
    fn write_group(&self, works: Vec<Work>)
        -> impl Future<Output = Result<Vec<Result<()>>>> + Send;
}

type Reply = oneshot::Sender<Result<()>>;

#[derive(Default)]
struct Queue {
    waiting: VecDeque<(Work, Reply)>,
    /// A task is writing groups and will take what waits: no other may start.
    writing: bool,
}

/// One server's queue of write transactions and the task that writes them.
pub struct GroupCommit<W> {
    writer: Arc<W>,
    queue: Arc<Mutex<Queue>>,
}

impl<W: GroupWriter> GroupCommit<W> {
    pub fn new(writer: W) -> Self {
        GroupCommit {
            writer: Arc::new(writer),
            queue: Arc::default(),
        }
    }

    /// Runs `work` in the next group and waits until that group has committed or failed.
    pub async fn transact(&self, work: Work) -> Result<()> {
        let (reply, outcome) = oneshot::channel();
        let start = {
            let mut q = lock(&self.queue);
            q.waiting.push_back((work, reply));
            !std::mem::replace(&mut q.writing, true)
        };
        if start {
            // A task of its own, not this request's future: a caller that goes away (a device
            // that hangs up) must not stop the writing of everyone else's batches.
            tokio::spawn(write_groups(self.writer.clone(), self.queue.clone()));
        }
        outcome
            .await
            .map_err(|_| StorageError::Join("the write transaction was abandoned".into()))?
    }
}

/// Writes groups until the queue is empty.
async fn write_groups<W: GroupWriter>(writer: Arc<W>, queue: Arc<Mutex<Queue>>) {
    loop {
        let group: Vec<(Work, Reply)> = {
            let mut q = lock(&queue);
            if q.waiting.is_empty() {
                q.writing = false;
                return;
            }
            let n = q.waiting.len().min(MAX_GROUP);
            q.waiting.drain(..n).collect()
        };
        let (works, replies): (Vec<Work>, Vec<Reply>) = group.into_iter().unzip();
        match writer.write_group(works).await {
            Ok(outcomes) => {
                for (reply, outcome) in replies.into_iter().zip(outcomes) {
                    let _ = reply.send(outcome);
                }
            }
            Err(e) => {
                for reply in replies {
                    let _ = reply.send(Err(e.shared()));
                }
            }
        }
    }
}

fn lock(queue: &Mutex<Queue>) -> std::sync::MutexGuard<'_, Queue> {
    // Nothing panics while the lock is held; a poisoned queue is still a whole queue.
    queue.lock().unwrap_or_else(|p| p.into_inner())
}

/// A write transaction that several works share, each of which can be undone alone.
pub trait GroupTx: WriteTx {
    /// A work begins: what is written from here on can be undone by [`GroupTx::undo`].
    fn mark(&mut self) -> Result<()>;
    /// The work since the mark is kept.
    fn keep(&mut self) -> Result<()>;
    /// Undoes everything written since the mark, as if the work had not run; an error when
    /// it cannot, which ends the group.
    fn undo(&mut self) -> Result<()>;
}

/// Runs a group's works in order in `tx`, each kept or undone on its own. Returns each work's
/// outcome and whether any was kept (else there is nothing to commit); an error when the
/// transaction cannot go on. A database error inside a work is such an error: PostgreSQL
/// refuses every statement of a transaction after one failed, and on either backend what the
/// database said is the same for every work of the group.
pub fn run_works(tx: &mut dyn GroupTx, works: Vec<Work>) -> Result<(Vec<Result<()>>, bool)> {
    // A work alone in its group needs no mark: undoing it is rolling the whole transaction back,
    // which the caller does when nothing was kept. (On SQLite a mark is a savepoint, which copies
    // every page the work changes, a tenth of a push's time; a device syncing when nobody else
    // does is alone.)
    if works.len() == 1 {
        let work = works.into_iter().next().expect("one work");
        return match (work.run)(tx) {
            Ok(kept) => Ok((vec![Ok(())], kept)),
            Err(e @ StorageError::Backend { .. }) => Err(e),
            Err(e) => Ok((vec![Err(e)], false)),
        };
    }
    let mut outcomes = Vec::with_capacity(works.len());
    let mut kept = false;
    for work in works {
        tx.mark()?;
        outcomes.push(match (work.run)(tx) {
            Ok(true) => {
                tx.keep()?;
                kept = true;
                Ok(())
            }
            Ok(false) => {
                tx.undo()?;
                Ok(())
            }
            Err(e @ StorageError::Backend { .. }) => return Err(e),
            Err(e) => {
                tx.undo()?;
                Err(e)
            }
        });
    }
    Ok((outcomes, kept))
}

impl StorageError {
    /// The same error again, for each caller of a failed group (the source is kept as text).
    pub fn shared(&self) -> StorageError {
        match self {
            StorageError::Backend { backend, source } => StorageError::Backend {
                backend,
                source: source.to_string().into(),
            },
            StorageError::Join(m) => StorageError::Join(m.clone()),
            StorageError::Conflict(m) => StorageError::Conflict(m.clone()),
            StorageError::Corrupt(m) => StorageError::Corrupt(m.clone()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A writer that runs nothing: it notes each group's size and holds the first until told.
    struct Sizes {
        sizes: Arc<Mutex<Vec<usize>>>,
        hold: Mutex<Option<std::sync::mpsc::Receiver<()>>>,
    }

    impl GroupWriter for Sizes {
        async fn write_group(&self, works: Vec<Work>) -> Result<Vec<Result<()>>> {
            let hold = self.hold.lock().unwrap().take();
            if let Some(hold) = hold {
                tokio::task::spawn_blocking(move || hold.recv().unwrap())
                    .await
                    .unwrap();
            }
            self.sizes.lock().unwrap().push(works.len());
            if works.len() == 3 {
                return Err(StorageError::Join("a failed group".into()));
            }
            Ok(works.iter().map(|_| Ok(())).collect())
        }
    }

    fn nothing() -> Work {
        Work::new(|_| Ok(true))
    }

    #[tokio::test]
    async fn what_queues_behind_a_group_is_written_as_the_next_groups_of_at_most_max_group() {
        let (release, hold) = std::sync::mpsc::channel();
        let sizes = Arc::new(Mutex::new(Vec::new()));
        let groups = Arc::new(GroupCommit::new(Sizes {
            sizes: sizes.clone(),
            hold: Mutex::new(Some(hold)),
        }));
        let submit = |n: usize| -> Vec<tokio::task::JoinHandle<Result<()>>> {
            (0..n)
                .map(|_| {
                    let g = groups.clone();
                    tokio::spawn(async move { g.transact(nothing()).await })
                })
                .collect()
        };
        let taken = || {
            let q = lock(&groups.queue);
            q.writing && q.waiting.is_empty()
        };
        let first = submit(1);
        while !taken() {
            tokio::task::yield_now().await;
        }
        let queued = submit(MAX_GROUP + 1);
        while lock(&groups.queue).waiting.len() < MAX_GROUP + 1 {
            tokio::task::yield_now().await;
        }
        release.send(()).unwrap();
        for done in first.into_iter().chain(queued) {
            done.await.unwrap().unwrap();
        }
        assert_eq!(*sizes.lock().unwrap(), [1, MAX_GROUP, 1]);
        assert!(!lock(&groups.queue).writing, "the writing task ended");

        // Every work of a group that fails hears its error; the next group starts afresh.
        let (release, hold) = std::sync::mpsc::channel();
        *groups.writer.hold.lock().unwrap() = Some(hold);
        let first = submit(1);
        while !taken() {
            tokio::task::yield_now().await;
        }
        let failing = submit(3);
        while lock(&groups.queue).waiting.len() < 3 {
            tokio::task::yield_now().await;
        }
        release.send(()).unwrap();
        first.into_iter().next().unwrap().await.unwrap().unwrap();
        for done in failing {
            let e = done.await.unwrap().unwrap_err();
            assert_eq!(e.to_string(), "storage task failed: a failed group");
        }
        groups.transact(nothing()).await.unwrap();
    }
}
