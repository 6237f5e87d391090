//! The sync engine and its context: pushes the outbox then pulls until `has_more` is false, at
//! start, on the browser's `online` event, a few seconds after each edit and on a timer, with
//! backoff on failure; and the status every page's header shows.

use std::cell::Cell;
use std::collections::BTreeSet;
use std::rc::Rc;

use futures::channel::mpsc::{unbounded, UnboundedReceiver, UnboundedSender};
use futures::future::{select, Either};
use futures::future::{FutureExt, LocalBoxFuture};
use futures::StreamExt;
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;
use model::wire::{Change, PullResponse};
use wasm_bindgen::JsValue;

use crate::api::{self, in_language, ApiError};
use crate::db::{self, Db, DbError};
use crate::i18n::{td_string, Locale};
use crate::session::{use_session, Session, SessionContext};

/// How often to sync when nothing prompts it.
const PERIOD_MS: u32 = 30_000;
/// After an edit, wait this long for more edits before pushing them together.
const AFTER_EDIT_MS: u32 = 1_500;
const BACKOFF_START_MS: u32 = 2_000;
const BACKOFF_MAX_MS: u32 = 60_000;
const PUSH_BATCH: u32 = 1_000;
const PULL_PAGE: u32 = 5_000;

#[derive(Debug, Clone, PartialEq)]
pub enum SyncStatus {
    /// Opening the device's store.
    Starting,
    Syncing,
    Synced {
        at_ms: f64,
    },
    Offline,
    Error(SyncError),
}

/// Why a sync did not finish.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SyncError {
    /// No answer: no network, the server down, or a proxy saying the server is down.
    #[error("离线 (offline)")]
    Offline,
    /// The token was refused: the user must log in again (their data stays).
    #[error("登录已失效 (logged out)")]
    LoggedOut,
    /// The server answered with an error status: the contract's error code (`malformed`,
    /// `too_large`, …) and its message when it sent them.
    #[error("HTTP {status} {}: {}", code.as_deref().unwrap_or("-"), message.as_deref().unwrap_or("-"))]
    Http {
        status: u16,
        code: Option<String>,
        message: Option<String>,
    },
    /// The device's clock stays too far off the server's even after re-stamping the outbox.
    #[error("设备时钟与服务器相差过大 (clock skew)")]
    ClockSkew,
    /// The server refused a batch as invalid without naming a change of it.
    #[error("服务器拒绝了修改 (changes refused): {0}")]
    Refused(String),
    #[error(transparent)]
    Store(#[from] DbError),
}

impl From<ApiError> for SyncError {
    fn from(e: ApiError) -> Self {
        match e {
            ApiError::Unreachable => SyncError::Offline,
            ApiError::Status { status: 401, .. } => SyncError::LoggedOut,
            // A proxy's answer while the server is down is the same as no answer.
            ApiError::Status {
                status: 502..=504, ..
            } => SyncError::Offline,
            ApiError::Status { status, body } => SyncError::Http {
                status,
                code: body.as_ref().map(|b| b.error.clone()),
                message: body.map(|b| b.message),
            },
        }
    }
}

impl SyncError {
    /// What the person reads, in their language.
    pub fn message(&self, locale: Locale) -> String {
        match self {
            SyncError::Offline => td_string!(locale, sync_offline).to_string(),
            SyncError::LoggedOut => td_string!(locale, sync_logged_out).to_string(),
            SyncError::Http {
                message: Some(m), ..
            } => in_language(m, locale),
            SyncError::Http { status, .. } => {
                format!("{} (HTTP {status})", td_string!(locale, sync_err_server))
            }
            SyncError::ClockSkew => td_string!(locale, sync_err_clock_skew).to_string(),
            SyncError::Refused(m) => format!(
                "{} ({})",
                td_string!(locale, sync_err_refused),
                in_language(m, locale)
            ),
            SyncError::Store(e) => e.message(locale),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Trigger {
    /// An edit: sync shortly, together with any edits that follow.
    Soon,
    /// Now: back online, or the user asked.
    Now,
}

/// The device's store and sync state for the logged-in user.
#[derive(Clone, Copy)]
pub struct SyncContext {
    db: RwSignal<Option<Db>, LocalStorage>,
    pub status: RwSignal<SyncStatus>,
    /// Changes waiting in the outbox.
    pub pending: RwSignal<u32>,
    /// Edits the server refused, kept for the user to see.
    pub rejected: RwSignal<u32>,
    /// Bumped whenever records on this device change, so lists reload.
    pub revision: RwSignal<u64>,
    /// Bumped when the server's records moved as far as this device knows: a pull brought
    /// changes, or this device's edits reached the server. What a screen asks the server for
    /// (the dashboard, the contests) is asked again on it, not on [`Self::revision`]: the store
    /// opening changes nothing there, and a supervisor's dashboard asked for again in the middle
    /// of their first sync takes the server's time from the sync's pages.
    pub server_moved: RwSignal<u64>,
    /// Whether this start filled an empty store: a first sync (after a login), not a start
    /// that found the user's records on the device.
    pub filled: RwSignal<bool>,
    kick: StoredValue<Option<UnboundedSender<Trigger>>, LocalStorage>,
    stop: StoredValue<Option<Rc<Cell<bool>>>, LocalStorage>,
}

impl SyncContext {
    /// The store, once open.
    pub fn db(&self) -> Option<Db> {
        self.db.get()
    }

    pub fn db_untracked(&self) -> Option<Db> {
        self.db.get_untracked()
    }

    /// A pull stored records the server had: the device's lists and what the screens ask the
    /// server for both reload.
    fn pulled_changes(&self) {
        self.revision.update(|r| *r += 1);
        self.server_moved.update(|r| *r += 1);
    }

    /// Shows the device's counts on the sync badge.
    fn show(&self, standing: db::Standing) {
        self.pending.set(standing.pending);
        self.rejected.set(standing.rejected);
    }

    /// Saves a local edit (record and outbox in one transaction) and schedules a push.
    pub async fn edit(
        &self,
        entity: &str,
        id: &str,
        fields: Vec<(String, serde_json::Value)>,
    ) -> Result<Vec<Change>, DbError> {
        self.edit_many(vec![(entity.to_owned(), id.to_owned(), fields)])
            .await
    }

    /// Saves edits of several records in one transaction and schedules a push.
    pub async fn edit_many(
        &self,
        edits: Vec<crate::db::RecordEdit>,
    ) -> Result<Vec<Change>, DbError> {
        let db = self.db.get_untracked().ok_or(DbError::NotOpen)?;
        let changes = db.edit_many(edits).await?;
        self.revision.update(|r| *r += 1);
        self.pending.set(db.outbox_len().await.unwrap_or(0));
        self.sync_soon();
        Ok(changes)
    }

    pub fn sync_soon(&self) {
        self.send(Trigger::Soon);
    }

    pub fn sync_now(&self) {
        self.send(Trigger::Now);
    }

    fn send(&self, t: Trigger) {
        self.kick.with_value(|k| {
            if let Some(k) = k {
                let _ = k.unbounded_send(t);
            }
        });
    }

    /// Stops the engine and closes the store; with `erase`, deletes this user's data here.
    pub async fn shut_down(&self, erase: bool) {
        self.stop.with_value(|s| {
            if let Some(s) = s {
                s.set(true);
            }
        });
        self.kick.set_value(None);
        let db = self.db.get_untracked();
        self.db.set(None);
        if let Some(db) = db {
            let user = db.user_id.clone();
            db.close();
            if erase {
                // Another tab with this user's data open blocks the deletion until it closes;
                // the browser finishes it then, so logout need not wait for it.
                let _ = select(Box::pin(Db::destroy(&user)), TimeoutFuture::new(3_000)).await;
            }
        }
        self.status.set(SyncStatus::Starting);
        self.pending.set(0);
        self.rejected.set(0);
    }
}

pub fn provide_sync() {
    let ctx = SyncContext {
        db: RwSignal::new_local(None),
        status: RwSignal::new(SyncStatus::Starting),
        pending: RwSignal::new(0),
        rejected: RwSignal::new(0),
        revision: RwSignal::new(0),
        server_moved: RwSignal::new(0),
        filled: RwSignal::new(false),
        kick: StoredValue::new_local(None),
        stop: StoredValue::new_local(None),
    };
    provide_context(ctx);
    let session = use_session();
    // One engine per logged-in user: started when a session appears, stopped at logout.
    Effect::new(move |prev: Option<Option<String>>| {
        let current = session.get();
        let user = current.as_ref().map(|s| s.user.id.clone());
        if prev.flatten() != user {
            if let Some(s) = current {
                start(ctx, session, s);
            }
        }
        user
    });
    let _online = window_event_listener(leptos::ev::online, move |_| ctx.sync_now());
    let _offline = window_event_listener(leptos::ev::offline, move |_| {
        ctx.status.set(SyncStatus::Offline)
    });
}

pub fn use_sync() -> SyncContext {
    expect_context::<SyncContext>()
}

fn start(ctx: SyncContext, sessions: SessionContext, session: Session) {
    let (tx, rx) = unbounded();
    let stop = Rc::new(Cell::new(false));
    ctx.kick.set_value(Some(tx));
    ctx.stop.set_value(Some(stop.clone()));
    spawn_local(async move {
        request_persistent_storage();
        match Db::open(&session.user.id, &session.device_id).await {
            Ok(db) => {
                // The pages read the records first: Today waits on them, the counts below can
                // follow (each is a transaction of its own, tens of ms on a cheap phone).
                ctx.db.set(Some(db.clone()));
                ctx.revision.update(|r| *r += 1);
                if let Ok(standing) = db.standing().await {
                    ctx.show(standing);
                    if let Some(at_ms) = standing.last_sync_ms {
                        ctx.status.set(SyncStatus::Synced { at_ms });
                    }
                }
                run(ctx, sessions, db, session, rx, stop).await;
            }
            Err(e) => ctx.status.set(SyncStatus::Error(e.into())),
        }
    });
}

/// Asks the browser not to evict this origin's data under storage pressure: a worker's day of
/// visits lives only here until it syncs.
fn request_persistent_storage() {
    if let Some(storage) = web_sys::window().map(|w| w.navigator().storage()) {
        let _ = storage.persist();
    }
}

fn online() -> bool {
    web_sys::window()
        .map(|w| w.navigator().on_line())
        .unwrap_or(true)
}

async fn run(
    ctx: SyncContext,
    sessions: SessionContext,
    db: Db,
    session: Session,
    mut rx: UnboundedReceiver<Trigger>,
    stop: Rc<Cell<bool>>,
) {
    let mut backoff = BACKOFF_START_MS;
    loop {
        if stop.get() {
            return;
        }
        let result = if online() {
            ctx.status.set(SyncStatus::Syncing);
            sync_once(ctx, &db, &session, &stop).await
        } else {
            Err(SyncError::Offline)
        };
        if stop.get() {
            return;
        }
        if result.is_ok() {
            // Said before anything else awaits: the store is settled now, while the screens
            // that the sync's new records reload are about to keep the page busy a while.
            ctx.status.set(SyncStatus::Synced {
                at_ms: db::now_ms(),
            });
            crate::browser::mark("knock:synced");
        }
        if let Ok(standing) = db.standing().await {
            ctx.show(standing);
        }
        let wait = match result {
            Ok(()) => {
                backoff = BACKOFF_START_MS;
                PERIOD_MS
            }
            Err(e) => {
                ctx.status.set(if e == SyncError::Offline {
                    SyncStatus::Offline
                } else {
                    SyncStatus::Error(e.clone())
                });
                if e == SyncError::LoggedOut {
                    // Retrying cannot help: end the session so the person can log in again, but
                    // keep the store (outbox included), which syncs once they have.
                    ctx.shut_down(false).await;
                    sessions.expire();
                    return;
                }
                let w = backoff;
                backoff = (backoff * 2).min(BACKOFF_MAX_MS);
                w
            }
        };
        match select(rx.next(), TimeoutFuture::new(wait)).await {
            Either::Left((None, _)) => return,
            Either::Left((Some(Trigger::Soon), _)) => {
                TimeoutFuture::new(AFTER_EDIT_MS).await;
                while rx.try_recv().is_ok() {}
            }
            Either::Left((Some(Trigger::Now), _)) => {
                backoff = BACKOFF_START_MS;
                while rx.try_recv().is_ok() {}
            }
            Either::Right(_) => {}
        }
    }
}

async fn sync_once(
    ctx: SyncContext,
    db: &Db,
    s: &Session,
    stop: &Cell<bool>,
) -> Result<(), SyncError> {
    push_all(ctx, db, s).await?;
    if stop.get() {
        return Ok(());
    }
    if pull_all(ctx, db, s).await? {
        // The server asked for a fresh start: everything was pulled again, now push again.
        push_all(ctx, db, s).await?;
    }
    Ok(())
}

async fn push_all(ctx: SyncContext, db: &Db, s: &Session) -> Result<(), SyncError> {
    let mut restamps = 0;
    let mut pushed = false;
    loop {
        let batch = db.outbox(PUSH_BATCH).await?;
        if batch.is_empty() {
            if pushed {
                ctx.server_moved.update(|r| *r += 1);
            }
            return Ok(());
        }
        let (keys, changes): (Vec<JsValue>, Vec<Change>) = batch.into_iter().unzip();
        match api::push(&s.token, &s.device_id, changes.clone()).await {
            Ok(r) => {
                db.remove_from_outbox(&keys).await?;
                db.observe_server_time(r.server_time_ms).await?;
                pushed = true;
            }
            Err(ApiError::Status { status: 409, body }) => {
                restamps += 1;
                let server_ms = body
                    .and_then(|b| b.server_time_ms)
                    .filter(|_| restamps <= 3);
                let Some(server_ms) = server_ms else {
                    return Err(SyncError::ClockSkew);
                };
                db.restamp_outbox(server_ms).await?;
            }
            Err(ApiError::Status {
                status: 422,
                body: Some(body),
            }) if body.details.is_some() => {
                let refused: Vec<(JsValue, Change, crate::db::Refusal)> = body
                    .details
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|d| d.index < changes.len())
                    .map(|d| (keys[d.index].clone(), changes[d.index].clone(), d.into()))
                    .collect();
                if refused.is_empty() {
                    return Err(SyncError::Refused(body.message));
                }
                db.reject(refused).await?;
            }
            Err(ApiError::Status {
                status: 403 | 413,
                body,
            }) => {
                // The batch as a whole is refused; set it aside so later edits can still go.
                let message = body
                    .map(|b| b.message)
                    .unwrap_or_else(|| "forbidden".into());
                let refused = keys
                    .into_iter()
                    .zip(changes)
                    .map(|(k, c)| (k, c, message.clone().into()))
                    .collect();
                db.reject(refused).await?;
            }
            Err(e) => return Err(e.into()),
        }
        ctx.pending.set(db.outbox_len().await.unwrap_or(0));
    }
}

/// A first sync into an empty store: records pages, each record written as it comes, until
/// `has_more` is false; the cursor reached is a pull cursor, so later syncs pull from it. False
/// when the server demanded a fresh start (410) before the end.
async fn pull_first(ctx: SyncContext, db: &Db, s: &Session) -> Result<bool, SyncError> {
    let fetch = |cursor: Option<String>| {
        let token = s.token.clone();
        async move { api::pull_records(&token, cursor.as_deref(), PULL_PAGE).await }.boxed_local()
    };
    let mut first = db::FirstSync::default();
    let mut changed = 0;
    let mut next = fetch(None);
    loop {
        let page = match next.await {
            Ok(page) => page,
            Err(ApiError::Status { status: 410, .. }) => return Ok(false),
            Err(e) => return Err(e.into()),
        };
        let apply = db.apply_first_page(&page, &mut first);
        if !page.has_more {
            changed += apply.await?;
            if changed > 0 {
                ctx.pulled_changes();
            }
            ctx.filled.set(true);
            return Ok(true);
        }
        let (applied, fetched) =
            futures::future::join(apply, fetch(Some(page.cursor.clone()))).await;
        changed += applied?;
        next = futures::future::ready(fetched).boxed_local();
    }
}

/// Pulls until `has_more` is false; true when the server demanded a fresh start. The next page
/// is requested while the current one is written to IndexedDB, so the network and the store
/// work at the same time; a page is applied only after the one before it.
async fn pull_all(ctx: SyncContext, db: &Db, s: &Session) -> Result<bool, SyncError> {
    let fetch = |cursor: Option<String>| {
        let token = s.token.clone();
        async move { api::pull(&token, cursor.as_deref(), PULL_PAGE).await }.boxed_local()
    };
    // A pull from the start cut short last time begins again, so that the records the user
    // may no longer read are swept only after one whole pull.
    let begin = db.pull_start().await?;
    let mut reset = begin.resyncing;
    let start = match reset {
        true => None,
        false => begin.cursor,
    };
    if start.is_none() && !reset && begin.holds_no_records {
        if pull_first(ctx, db, s).await? {
            return Ok(false);
        }
        // The user's share changed during their first sync: what was written is swept by a
        // pull from the start, as after any change of share.
        reset = true;
        db.begin_resync().await?;
    }
    let mut pulled = BTreeSet::new();
    let mut changed = 0;
    let mut next: LocalBoxFuture<'_, Result<PullResponse, ApiError>> = fetch(start);
    loop {
        match next.await {
            Ok(page) => {
                if reset {
                    pulled.extend(
                        page.changes
                            .iter()
                            .map(|c| (c.entity.clone(), c.id.clone())),
                    );
                }
                let apply = db.apply_pulled(
                    &page.changes,
                    &page.dropped,
                    &page.cursor,
                    page.server_time_ms,
                );
                let (applied, fetched) = if page.has_more {
                    let (a, f) =
                        futures::future::join(apply, fetch(Some(page.cursor.clone()))).await;
                    (a, Some(f))
                } else {
                    (apply.await, None)
                };
                changed += applied?;
                match fetched {
                    None => {
                        if reset {
                            changed += db.finish_resync(&pulled).await?;
                        }
                        // Once per pull, not per page: every screen reloads its data on a bump,
                        // and a first sync of many pages must not rebuild them each time.
                        if changed > 0 {
                            ctx.pulled_changes();
                        }
                        return Ok(reset);
                    }
                    Some(result) => next = futures::future::ready(result).boxed_local(),
                }
            }
            Err(ApiError::Status { status: 410, .. }) if !reset => {
                reset = true;
                pulled.clear();
                db.begin_resync().await?;
                next = fetch(None);
            }
            Err(e) => return Err(e.into()),
        }
    }
}
