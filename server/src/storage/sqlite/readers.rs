//! The read connections: pulls, exports and lookups each take one of a few connections of their
//! own, so a push (on the one writer) never queues behind a supervisor's pull and a pull never
//! waits for a batch being written. In WAL mode each read sees the last commit when it starts.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use rusqlite::Connection;

use super::{Result, StorageError};

/// How many reads run at once; more wait for one of these.
pub(super) const READERS: usize = 4;

pub(super) struct Readers {
    conns: Vec<Mutex<Connection>>,
    next: AtomicUsize,
}

impl Readers {
    /// Opens the read connections of a database whose schema is already up to date.
    pub(super) fn open(path: &Path) -> Result<Arc<Readers>> {
        let mut conns = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let c = Connection::open(path)?;
            // A read connection can never write, whatever a caller asks of it.
            c.pragma_update(None, "query_only", true)?;
            c.busy_timeout(std::time::Duration::from_secs(5))?;
            conns.push(Mutex::new(c));
        }
        Ok(Arc::new(Readers {
            conns,
            next: AtomicUsize::new(0),
        }))
    }

    /// Runs `f` on a free read connection off the async executor; when all are busy, waits
    /// for the next in turn.
    pub(super) async fn read<R, F>(self: &Arc<Self>, f: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<R> + Send + 'static,
    {
        let readers = self.clone();
        tokio::task::spawn_blocking(move || {
            let start = readers.next.fetch_add(1, Ordering::Relaxed);
            let n = readers.conns.len();
            for i in 0..n {
                if let Ok(mut c) = readers.conns[(start + i) % n].try_lock() {
                    return f(&mut c);
                }
            }
            let mut c = readers.conns[start % n]
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            f(&mut c)
        })
        .await
        .map_err(|e| StorageError::Join(e.to_string()))?
    }

    #[cfg(test)]
    pub(super) fn hold_all(&self) -> Vec<std::sync::MutexGuard<'_, Connection>> {
        self.conns.iter().map(|c| c.lock().unwrap()).collect()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use model::wire::Change;
    use serde_json::json;

    use crate::storage::Storage;

    use super::super::SqliteStorage;

    fn change(id: &str, n: u64) -> Change {
        Change {
            entity: "resident".into(),
            id: id.into(),
            field: "name".into(),
            value: json!("张秀英"),
            hlc: format!("{:013}-0000-dev", 1_764_331_200_000 + n),
        }
    }

    /// Waits for `f` at most a generous while: these tests are about waiting at all, never
    /// about speed.
    async fn soon<T>(f: impl std::future::Future<Output = T>) -> T {
        tokio::time::timeout(Duration::from_secs(20), f)
            .await
            .expect("not left waiting")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_pull_reads_the_last_commit_while_a_batch_is_being_written() {
        let dir = tempfile::tempdir().unwrap();
        let s = std::sync::Arc::new(SqliteStorage::open_dir(dir.path()).unwrap());
        (s.as_ref() as &dyn Storage)
            .apply_changes(vec![change("r1", 1)])
            .await
            .unwrap();
        let (inside, writing) = std::sync::mpsc::channel::<()>();
        let (release, released) = std::sync::mpsc::channel::<()>();
        let writer = {
            let s = s.clone();
            tokio::spawn(async move {
                s.transact(crate::storage::Work::new(move |tx| {
                    tx.insert(&change("r2", 2), None)?;
                    inside.send(()).unwrap();
                    // Hold the write transaction open until the reads are done.
                    released.recv().unwrap();
                    Ok(true)
                }))
                .await
            })
        };
        tokio::task::spawn_blocking(move || writing.recv().unwrap())
            .await
            .unwrap();
        let rows = soon(s.rows_after(0, 100, None)).await.unwrap();
        assert_eq!(
            rows.len(),
            1,
            "the batch being written is not seen half-way"
        );
        assert_eq!(soon(s.max_seq()).await.unwrap(), 1);
        release.send(()).unwrap();
        writer.await.unwrap().unwrap();
        assert_eq!(s.rows_after(0, 100, None).await.unwrap().len(), 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_push_does_not_wait_behind_reads() {
        let dir = tempfile::tempdir().unwrap();
        let s = SqliteStorage::open_dir(dir.path()).unwrap();
        // Every read connection busy, each inside a read transaction of its own.
        let held = s.readers.hold_all();
        for c in &held {
            c.execute_batch("BEGIN; SELECT COUNT(*) FROM fields;")
                .unwrap();
        }
        let applied = soon((&s as &dyn Storage).apply_changes(vec![change("r1", 1)]))
            .await
            .unwrap();
        assert_eq!(applied, 1);
        for c in &held {
            c.execute_batch("COMMIT;").unwrap();
        }
        drop(held);
        assert_eq!(s.max_seq().await.unwrap(), 1);
    }

    #[tokio::test]
    async fn a_read_connection_cannot_write() {
        let dir = tempfile::tempdir().unwrap();
        let s = SqliteStorage::open_dir(dir.path()).unwrap();
        let wrote = s
            .readers
            .read(|c| Ok(c.execute("DELETE FROM fields", []).is_ok()))
            .await
            .unwrap();
        assert!(!wrote);
    }
}
