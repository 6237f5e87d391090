//! The user's records read from IndexedDB once per change, in one transaction, into the model's
//! [`model::dataset::Dataset`] (tiers, due dates, members, open needs, searches), shared with the
//! pages through the context so none reads IndexedDB on its own. A failed read is kept, so the
//! pages can say so instead of showing nothing.

use std::rc::Rc;

use leptos::prelude::*;
use model::dataset::{self, Loaded, Row};
use model::date::Date;

use crate::db::{now_ms, DbError, Record};
use crate::sync::use_sync;

pub type Dataset = dataset::Dataset<Record>;
pub type Resident = dataset::Resident<Record>;

impl Row for Record {
    fn id(&self) -> &str {
        &self.id
    }
}

/// Today in China time, as every rule of the model counts days.
pub fn today() -> Date {
    Date::from_china_ms(now_ms() as i64)
}

/// The last read of the device's records: `None` until the store is open and read once.
type Read = Option<Result<Rc<Dataset>, DbError>>;

#[derive(Clone, Copy)]
pub struct DataContext {
    read: LocalResource<Read>,
}

impl DataContext {
    /// The dataset, tracked: `None` while the first read runs, before the store is open, or
    /// when the read failed.
    pub fn dataset(&self) -> Option<Rc<Dataset>> {
        self.read.get().flatten().and_then(Result::ok)
    }

    pub fn dataset_untracked(&self) -> Option<Rc<Dataset>> {
        self.read.get_untracked().flatten().and_then(Result::ok)
    }

    /// Why the device's records could not be read, tracked.
    pub fn error(&self) -> Option<DbError> {
        self.read.get().flatten().and_then(Result::err)
    }

    /// Reads the records again (the person asked to retry).
    pub fn reload(&self) {
        self.read.refetch();
    }
}

/// Loads the dataset whenever the device's records change (a local edit or a pulled page).
pub fn provide_data() {
    let sync = use_sync();
    let read = LocalResource::new(move || {
        sync.revision.track();
        let db = sync.db();
        async move {
            let db = db?;
            // The steps of a start, for the benchmarks (`browser::mark`).
            crate::browser::mark("knock:read-start");
            let mut by_entity = match db.load_all().await {
                Ok(by_entity) => by_entity,
                Err(e) => return Some(Err(e)),
            };
            crate::browser::mark("knock:read");
            let all: Loaded<Record> = dataset::ENTITIES
                .iter()
                .map(|e| (*e, by_entity.take(e)))
                .collect();
            let built = Dataset::build(all, today());
            crate::browser::mark("knock:built");
            Some(Ok(Rc::new(built)))
        }
    });
    // Due dates and overdue days count from the dataset's `today`: an app left open overnight
    // reads its records again when the day changes in China, so the morning's Today is the
    // morning's and not yesterday's until something syncs.
    let data = DataContext { read };
    let midnight = gloo_timers::callback::Interval::new(60_000, move || {
        let built_for = data.dataset_untracked().map(|d| d.today);
        if built_for.is_some_and(|day| day != today()) {
            data.reload();
        }
    });
    // The check lives as long as the app: the interval is never cancelled.
    std::mem::forget(midnight);
    provide_context(data);
}

pub fn use_data() -> DataContext {
    expect_context::<DataContext>()
}
