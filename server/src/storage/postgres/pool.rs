//! A fixed-size pool of blocking PostgreSQL connections. The storage's write transactions run
//! synchronous closures (`WriteTx`), so connections are used on blocking threads; a request
//! waits for a free connection asynchronously, so the pool (sized to the database, not to the
//! devices) bounds connections and threads alike.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use postgres::{Client, NoTls, Statement};
use tokio::sync::Semaphore;

use super::write::STATEMENTS;
use crate::storage::{Result, StorageError};

/// One connection with the statements every write transaction uses, prepared once when it
/// opened: a lookup is then one round trip, not a parse and an execute.
pub(super) struct Conn {
    pub(super) client: Client,
    pub(super) statements: Vec<Statement>,
    /// The reads every request makes (the token, a pull page), prepared the first time this
    /// connection runs each: a statement given as text is parsed, planned and described on every
    /// call, one round trip more than a prepared one.
    cache: HashMap<String, Statement>,
}

/// Statements a connection keeps prepared at most; a pull's text depends on how many grids
/// the user has, so the number of texts is bounded but not fixed.
const CACHED: usize = 256;

impl Conn {
    /// `sql` as a statement prepared on this connection, prepared the first time it is asked for.
    pub(super) fn prepared(&mut self, sql: &str) -> Result<Statement> {
        if let Some(st) = self.cache.get(sql) {
            return Ok(st.clone());
        }
        if self.cache.len() >= CACHED {
            self.cache.clear();
        }
        let st = self.client.prepare(sql)?;
        self.cache.insert(sql.to_owned(), st.clone());
        Ok(st)
    }
}

pub(super) struct Pool {
    config: postgres::Config,
    idle: Mutex<Vec<Conn>>,
    permits: Arc<Semaphore>,
    size: usize,
}

impl Pool {
    pub(super) fn new(config: postgres::Config, size: usize) -> Arc<Pool> {
        Arc::new(Pool {
            config,
            idle: Mutex::new(Vec::with_capacity(size)),
            permits: Arc::new(Semaphore::new(size.max(1))),
            size: size.max(1),
        })
    }

    /// Opens every connection of the pool, before the server serves anything: blocking, call it
    /// off the async executor. Opened when first needed instead, they opened in the first rush
    /// of a morning, each a new PostgreSQL backend (a process, its caches filled by its first
    /// statements, the write statements prepared) while the devices waited; in a storm of 500
    /// devices that was 16 backends started during the storm (BENCHMARKS.md, 2026-12-07).
    pub(super) fn fill(&self) -> Result<()> {
        let mut opened = Vec::with_capacity(self.size);
        for _ in 0..self.size {
            opened.push(self.open()?);
        }
        self.idle
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(opened);
        Ok(())
    }

    /// Opens a connection outside the pool (migrations at start, before statements can be
    /// prepared against the schema).
    pub(super) fn connect(&self) -> Result<Client> {
        Ok(self.config.connect(NoTls)?)
    }

    /// Runs `f` on a connection of the pool off the async executor, waiting for one when all
    /// are busy. A connection that broke is not given back: the next use opens a fresh one.
    pub(super) async fn run<R, F>(self: &Arc<Self>, f: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&mut Conn) -> Result<R> + Send + 'static,
    {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| StorageError::Join(e.to_string()))?;
        let pool = self.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let idle = pool.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
            let mut conn = match idle.filter(|c| !c.client.is_closed()) {
                Some(c) => c,
                None => pool.open()?,
            };
            let out = f(&mut conn);
            if !conn.client.is_closed() {
                pool.idle
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(conn);
            }
            out
        })
        .await
        .map_err(|e| StorageError::Join(e.to_string()))?
    }

    /// Takes the advisory lock `key` on a connection of its own, held until the guard is dropped.
    pub(super) async fn hold_lock(&self, key: i64) -> Result<HeldLock> {
        let config = self.config.clone();
        let client = tokio::task::spawn_blocking(move || -> Result<Client> {
            let mut client = config.connect(NoTls)?;
            client.execute("SELECT pg_advisory_lock($1)", &[&key])?;
            Ok(client)
        })
        .await
        .map_err(|e| StorageError::Join(e.to_string()))??;
        Ok(HeldLock(Some(client)))
    }

    fn open(&self) -> Result<Conn> {
        let mut client = self.connect()?;
        // Random reads priced near sequential ones, as on SSDs and tables that fit in memory
        // (PostgreSQL's default of 4 prices a spinning disk): every query of the storage is a
        // walk of an index, and at 4, before autovacuum has analysed a table just written, the
        // planner would rather read all of a grid's rows and sort them than walk its index to
        // the end of a page (fields::rows_after).
        //
        // Prepared statements planned once for every value (a generic plan), not again at each
        // call for the values given: every statement of the storage is an index walk whatever
        // its values, so planning each call bought nothing, and in a morning's storm the planning
        // of pull pages and token checks was about a fourteenth of PostgreSQL's CPU (BENCHMARKS.md,
        // 2026-12-07: 500 devices' p50 396-441 ms before, 267-357 ms after). An ANALYZE of a
        // table still replans what reads it.
        client.batch_execute(
            "SET random_page_cost = 1.1; SET plan_cache_mode = force_generic_plan",
        )?;
        let statements = STATEMENTS
            .iter()
            .map(|sql| client.prepare(sql))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        Ok(Conn {
            client,
            statements,
            cache: HashMap::new(),
        })
    }
}

/// A session-level advisory lock; closing its connection releases it.
pub(super) struct HeldLock(Option<Client>);

impl Drop for HeldLock {
    fn drop(&mut self) {
        if let Some(client) = self.0.take() {
            drop_off_executor(vec![client]);
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        let idle = std::mem::take(self.idle.get_mut().unwrap_or_else(|p| p.into_inner()));
        drop_off_executor(idle.into_iter().map(|c| c.client).collect());
    }
}

/// A blocking client owns a small runtime of its own, which must not be dropped on an async
/// executor's thread (the storage may be dropped anywhere): close them on a thread of their own.
fn drop_off_executor(clients: Vec<Client>) {
    if clients.is_empty() {
        return;
    }
    let _ = std::thread::Builder::new()
        .name("knock-pg-close".into())
        .spawn(move || drop(clients));
}
