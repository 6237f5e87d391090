//! One stored record: each field's winning value and stamp, merged by the model's rule, and
//! how it is laid out in IndexedDB.

use std::collections::BTreeMap;

use js_sys::{Object, Reflect};
use model::merge::{self, Stamped};
use model::record::Fields;
use model::wire::Change;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use wasm_bindgen::JsValue;

use super::error::{js_error, DbError, Result};

/// One record as the device knows it: each field's winning value and stamp. Read it through
/// [`Fields`] and the model's views.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub entity: String,
    pub id: String,
    pub fields: BTreeMap<String, Stamped>,
}

impl Fields for Record {
    fn value(&self, field: &str) -> Option<&Value> {
        self.fields.value(field)
    }
}

impl Record {
    pub(super) fn new(entity: &str, id: &str) -> Record {
        Record {
            entity: entity.to_owned(),
            id: id.to_owned(),
            fields: BTreeMap::new(),
        }
    }

    /// Merges one change of this record by the model's rule; true when it won.
    pub(super) fn merge(&mut self, c: &Change) -> bool {
        merge::apply_to_record(&mut self.fields, c)
    }
}

/// Records grouped by entity, as [`Db::load_all`] reads them.
#[derive(Debug, Default)]
pub struct ByEntity(pub(super) BTreeMap<String, Vec<Record>>);

impl ByEntity {
    /// The records of `entity`, moved out (none when the device has none).
    pub fn take(&mut self, entity: &str) -> Vec<Record> {
        self.0.remove(entity).unwrap_or_default()
    }
}

pub(super) fn record_key(entity: &str, id: &str) -> String {
    format!("{entity}/{id}")
}

/// Records are stored as `{key, entity, id, json}`: the index needs `entity`, and one JSON string
/// per record is far cheaper to write from wasm than an object per field.
pub(super) fn record_to_js(r: &Record) -> Result<JsValue> {
    stored_to_js(&r.entity, &r.id, &serde_json::to_string(&r.fields)?)
}

/// The stored object's property names.
const NAMES: [&str; 4] = ["key", "entity", "id", "json"];
const KEY: usize = 0;
const ENTITY: usize = 1;
const ID: usize = 2;
const JSON: usize = 3;

thread_local! {
    /// [`NAMES`] as JS strings, made once: a start reads every record on the device, and a
    /// name made afresh for each would be thousands of strings decoded for nothing.
    static JS_NAMES: [JsValue; 4] = NAMES.map(JsValue::from_str);
}

/// The stored object of a record whose fields are already the JSON text of a [`Record`]'s
/// `fields`.
fn stored_to_js(entity: &str, id: &str, fields_json: &str) -> Result<JsValue> {
    let o = Object::new();
    JS_NAMES.with(|names| {
        let set = |k: usize, v: &JsValue| Reflect::set(&o, &names[k], v).map_err(js_error);
        set(KEY, &record_key(entity, id).into())?;
        set(ENTITY, &entity.into())?;
        set(ID, &id.into())?;
        set(JSON, &fields_json.into())
    })?;
    Ok(o.into())
}

pub(super) fn record_from_js(v: &JsValue) -> Result<Record> {
    JS_NAMES.with(|names| {
        let get = |k: usize| {
            Reflect::get(v, &names[k])
                .ok()
                .and_then(|s| s.as_string())
                .ok_or(DbError::MissingKey(NAMES[k]))
        };
        Ok(Record {
            entity: get(ENTITY)?,
            id: get(ID)?,
            fields: serde_json::from_str(&get(JSON)?)?,
        })
    })
}
