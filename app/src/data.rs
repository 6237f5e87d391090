//! The user's records read from IndexedDB once per change into the model's
//! [`model::dataset::Dataset`] (tiers, due dates, members, open needs, searches), shared with the
//! pages through the context so none reads IndexedDB on its own.

use std::rc::Rc;

use leptos::prelude::*;
use model::dataset::{self, Loaded, Row};
use model::date::{Date, CHINA_UTC_OFFSET_MINUTES};

use crate::db::{now_ms, Record};
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
    Date::from_unix_ms_offset(now_ms() as i64, CHINA_UTC_OFFSET_MINUTES)
}

#[derive(Clone, Copy)]
pub struct DataContext {
    pub data: LocalResource<Option<Rc<Dataset>>>,
}

/// Loads the dataset whenever the device's records change (a local edit or a pulled page).
pub fn provide_data() {
    let sync = use_sync();
    let data = LocalResource::new(move || {
        sync.revision.track();
        let db = sync.db();
        async move {
            let db = db?;
            let lists =
                futures::future::try_join_all(dataset::ENTITIES.iter().map(|e| db.records(e)))
                    .await
                    .ok()?;
            let all: Loaded<Record> = dataset::ENTITIES.iter().copied().zip(lists).collect();
            Some(Rc::new(Dataset::build(all, today())))
        }
    });
    provide_context(DataContext { data });
}

pub fn use_data() -> DataContext {
    expect_context::<DataContext>()
}
