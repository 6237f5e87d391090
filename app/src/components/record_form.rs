//! The state of a form over one record: a signal per field, loading from the stored record,
//! validation with the model's messages next to each field, and the list of fields that changed
//! (only those are written, so a colleague's edit of another field is never overwritten).

use std::collections::BTreeMap;

use leptos::prelude::*;
use model::schema::{EntityDef, FieldDef};
use serde_json::Value;

use crate::components::field_input::FieldInput;
use crate::db::Record;

#[derive(Clone)]
pub struct FormState {
    pub entity: &'static EntityDef,
    pub values: BTreeMap<&'static str, RwSignal<Value>>,
    pub errors: RwSignal<BTreeMap<&'static str, String>>,
    /// False until the stored record has been read into the form: inputs stay disabled so
    /// nothing typed is overwritten by the load, and save cannot misjudge what changed.
    pub loaded: RwSignal<bool>,
}

impl FormState {
    /// A form over the fields of `entity` named in `fields` (all of them when empty).
    pub fn new(entity: &'static EntityDef, fields: &[&'static str]) -> FormState {
        let values = entity
            .fields
            .iter()
            .filter(|f| fields.is_empty() || fields.contains(&f.name))
            .map(|f| (f.name, RwSignal::new(Value::Null)))
            .collect();
        FormState {
            entity,
            values,
            errors: RwSignal::new(BTreeMap::new()),
            loaded: RwSignal::new(false),
        }
    }

    pub fn def(&self, name: &str) -> Option<&'static FieldDef> {
        self.entity.fields.iter().find(|f| f.name == name)
    }

    pub fn load(&self, record: &Record) {
        for (name, signal) in &self.values {
            signal.set(record.get(name).cloned().unwrap_or(Value::Null));
        }
    }

    pub fn set(&self, name: &str, value: Value) {
        if let Some(s) = self.values.get(name) {
            s.set(value);
        }
    }

    pub fn get(&self, name: &str) -> Value {
        self.values
            .get(name)
            .map(|s| s.get_untracked())
            .unwrap_or(Value::Null)
    }

    /// The fields whose value differs from `before`, validated. On a problem the messages are
    /// shown next to the fields and `Err` returns them.
    pub fn changes(
        &self,
        before: Option<&Record>,
    ) -> Result<Vec<(String, Value)>, BTreeMap<&'static str, String>> {
        let mut changed = Vec::new();
        let mut problems = BTreeMap::new();
        for def in self.entity.fields {
            let Some(signal) = self.values.get(def.name) else {
                continue;
            };
            let value = signal.get_untracked();
            let old = before
                .and_then(|r| r.get(def.name).cloned())
                .unwrap_or(Value::Null);
            if value == old {
                continue;
            }
            if let Err(e) = model::validate::validate_value(def, &value) {
                problems.insert(def.name, e);
            }
            changed.push((def.name.to_owned(), value));
        }
        self.errors.set(problems.clone());
        if problems.is_empty() {
            Ok(changed)
        } else {
            Err(problems)
        }
    }

    /// Marks a field with a message (a rule of the form, not of the schema).
    pub fn flag(&self, name: &'static str, message: String) {
        self.errors.update(|e| {
            e.insert(name, message);
        });
    }

    /// The inputs of the named fields, in that order.
    pub fn inputs(&self, names: &[&'static str]) -> impl IntoView {
        let entity = self.entity.name;
        names
            .iter()
            .filter_map(|name| Some((self.def(name)?, *self.values.get(name)?)))
            .map(|(def, value)| {
                let errors = self.errors;
                let name = def.name;
                let error = Signal::derive(move || errors.with(|e| e.get(name).cloned()));
                view! { <FieldInput entity=entity def=def value=value error=error /> }
            })
            .collect_view()
    }
}

/// The stored record behind a form: `None` until the store is open and the record read, then
/// `Some(record if it exists)`; a new record resolves at once to `Some(None)`.
pub fn stored_record(
    entity: &'static str,
    id: String,
    is_new: bool,
) -> LocalResource<Option<Option<Record>>> {
    let sync = crate::sync::use_sync();
    LocalResource::new(move || {
        let db = sync.db();
        let id = id.clone();
        async move {
            if is_new {
                return Some(None);
            }
            Some(db?.record(entity, &id).await.ok().flatten())
        }
    })
}

/// Loads the stored record into the form once, when it has been read.
pub fn load_once(
    form: &FormState,
    stored: LocalResource<Option<Option<Record>>>,
    also: impl Fn(&Record) + 'static,
) {
    let form = form.clone();
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) {
            return true;
        }
        let Some(Some(record)) = stored.get() else {
            return false;
        };
        if let Some(r) = record {
            form.load(&r);
            also(&r);
        }
        form.loaded.set(true);
        true
    });
}

/// The grids a user may put a new record in, as (id, name).
pub fn my_grids() -> Vec<(String, String)> {
    crate::session::use_session()
        .get()
        .map(|s| {
            s.user
                .grids
                .iter()
                .cloned()
                .zip(s.user.grid_names.iter().cloned())
                .collect()
        })
        .unwrap_or_default()
}

#[component]
pub fn GridSelect(grid: RwSignal<String>) -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    let grids = my_grids();
    if grid.get_untracked().is_empty() {
        if let Some((id, _)) = grids.first() {
            grid.set(id.clone());
        }
    }
    view! {
        <div class="field">
            <label for="f-grid">{crate::i18n::t!(i18n, field_grid)}</label>
            <select id="f-grid" data-testid="field-grid_id" prop:value=move || grid.get() on:change=move |ev| grid.set(event_target_value(&ev))>
                {grids.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
            </select>
        </div>
    }
}

/// The view of a route `/…/:id` for one record: rebuilt from scratch when the id changes, so a
/// form never carries one record's state into another's.
pub fn by_id_param<V: IntoView + 'static>(form: impl Fn(String) -> V + 'static) -> impl Fn() -> V {
    let params = leptos_router::hooks::use_params_map();
    move || form(params.read().get("id").unwrap_or_default())
}
