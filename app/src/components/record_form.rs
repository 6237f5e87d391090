//! The state of a form over one record: a signal per field, loading from the stored record,
//! validation with the model's messages next to each field, and the list of fields that changed
//! (only those are written, so a colleague's edit of another field is never overwritten); and
//! [`use_record_form`], the one setup of every page that adds or edits a record.

use std::collections::BTreeMap;
use std::rc::Rc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use model::record::Fields;
use model::schema::{EntityDef, FieldDef};
use serde_json::Value;

use crate::components::field_input::FieldInput;
use crate::db::Record;
use crate::i18n::{t_string, use_i18n, Locale};
use crate::sync::{use_sync, SyncContext};

/// A form's messages by field: what is wrong with each value.
pub type Problems = BTreeMap<&'static str, String>;

#[derive(Clone)]
pub struct FormState {
    pub entity: &'static EntityDef,
    pub values: BTreeMap<&'static str, RwSignal<Value>>,
    pub errors: RwSignal<Problems>,
    /// False until the stored record has been read into the form: inputs stay disabled so
    /// nothing typed is overwritten by the load, and save cannot misjudge what changed.
    pub loaded: RwSignal<bool>,
    /// Words a field's problem in the language chosen when it is found.
    i18n: leptos_i18n::I18nContext<Locale>,
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
            i18n: use_i18n(),
        }
    }

    /// A field's problem in the person's language, worded from the schema's labels.
    fn problem_text(&self, def: &FieldDef, kind: model::validate::ProblemKind) -> String {
        let lang = crate::api::model_lang(self.i18n.get_locale_untracked());
        let problem = model::validate::Problem {
            entity: self.entity.name.to_owned(),
            field: def.name.to_owned(),
            kind,
        };
        model::validate::render(&problem, lang).unwrap_or_else(|| problem.message())
    }

    pub fn def(&self, name: &str) -> Option<&'static FieldDef> {
        self.entity.fields.iter().find(|f| f.name == name)
    }

    pub fn load(&self, record: &Record) {
        for (name, signal) in &self.values {
            signal.set(record.value(name).cloned().unwrap_or(Value::Null));
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
    pub fn changes(&self, before: Option<&Record>) -> Result<Vec<(String, Value)>, Problems> {
        let mut changed = Vec::new();
        let mut problems = BTreeMap::new();
        for def in self.entity.fields {
            let Some(signal) = self.values.get(def.name) else {
                continue;
            };
            let value = signal.get_untracked();
            let old = before
                .and_then(|r| r.value(def.name).cloned())
                .unwrap_or(Value::Null);
            if value == old {
                continue;
            }
            if let Err(kind) = model::validate::check_value(def, &value) {
                problems.insert(def.name, self.problem_text(def, kind));
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
fn stored_record(
    entity: &'static str,
    id: String,
    is_new: bool,
) -> LocalResource<Option<Option<Record>>> {
    let sync = use_sync();
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
fn load_once(
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

/// What sets one record form apart from another.
pub struct FormSpec {
    pub entity: &'static EntityDef,
    /// The fields the form edits, in the groups the page shows them; all of the entity's when
    /// empty.
    pub fields: &'static [&'static [&'static str]],
    /// The route of the list: a record is at `{route}/{id}`, a new one at `{route}/new`.
    pub route: &'static str,
    /// What the form says once the record is saved.
    pub saved: fn(Locale) -> String,
}

/// A form's edit, once the stored record has been read.
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    /// The record is not on this device yet: the caller adds the fields that place it (its
    /// grid, its resident …) in front of [`Edit::fields`].
    pub creating: bool,
    /// The fields whose value changed, validated.
    pub fields: Vec<(String, Value)>,
}

/// One record's form: its id, its fields, the stored record behind it and the line that says
/// how saving went. Made by [`use_record_form`].
#[derive(Clone)]
pub struct RecordForm {
    pub id: String,
    /// The route said `new`: `id` was made up for the record about to be created.
    pub is_new: bool,
    pub form: FormState,
    pub stored: LocalResource<Option<Option<Record>>>,
    pub message: RwSignal<Option<String>>,
    spec: &'static FormSpec,
    sync: SyncContext,
    i18n: leptos_i18n::I18nContext<Locale>,
    navigate: StoredValue<Navigate, LocalStorage>,
}

/// The router's navigation, kept for a save that finishes later.
type Navigate = Rc<dyn Fn(&str)>;

/// The setup of a page over one record (`id` as the route has it, `new` for a new one): the
/// form over the spec's fields, the stored record read into it once (`on_load` reads what the
/// form's fields do not hold), and after a creation the spec's "saved" line on the record's
/// own page.
pub fn use_record_form(
    spec: &'static FormSpec,
    id: String,
    on_load: impl Fn(&Record) + 'static,
) -> RecordForm {
    let i18n = use_i18n();
    let navigate = use_navigate();
    let is_new = id == "new";
    let id = if is_new { model::record::new_id() } else { id };
    let form = FormState::new(spec.entity, &spec.fields.concat());
    let stored = stored_record(spec.entity.name, id.clone(), is_new);
    load_once(&form, stored, on_load);
    let message = RwSignal::new(None);
    if use_query_map().get_untracked().get("saved").is_some() {
        message.set(Some((spec.saved)(i18n.get_locale_untracked())));
    }
    RecordForm {
        id,
        is_new,
        form,
        stored,
        message,
        spec,
        sync: use_sync(),
        i18n,
        navigate: StoredValue::new_local(Rc::new(move |path: &str| {
            navigate(path, Default::default())
        })),
    }
}

impl RecordForm {
    /// The route named a record this device does not hold (once the store has answered):
    /// the page says so instead of showing an empty form.
    pub fn missing(&self) -> Signal<bool> {
        let (stored, is_new) = (self.stored, self.is_new);
        Signal::derive(move || !is_new && matches!(stored.get(), Some(Some(None))))
    }

    /// The stored record as last read, tracked: `None` while reading or when it is not here.
    pub fn current(&self) -> Option<Record> {
        self.stored.get().flatten().flatten()
    }

    /// The form's edit: `None` while the stored record is read (the form is disabled then);
    /// on a wrong field the messages are shown next to the fields and above the save button.
    pub fn edit(&self) -> Option<Result<Edit, Problems>> {
        let before = self.stored.get_untracked().flatten()?;
        let edit = self.form.changes(before.as_ref()).map(|fields| Edit {
            creating: before.is_none(),
            fields,
        });
        if edit.is_err() {
            self.say(t_string!(self.i18n, fix_errors));
        }
        Some(edit)
    }

    pub fn say(&self, text: impl ToString) {
        self.message.set(Some(text.to_string()));
    }

    /// Saves `fields` of the record (in the store and the outbox). A new record then opens at
    /// its own address; an existing one is read again, the form says it is saved and `then`
    /// runs. A failure says why, in the person's language.
    pub fn save(&self, fields: Vec<(String, Value)>, then: impl FnOnce() + 'static) {
        let Self {
            sync,
            stored,
            message,
            i18n,
            navigate,
            spec,
            is_new,
            ..
        } = *self;
        let id = self.id.clone();
        spawn_local(async move {
            let locale = i18n.get_locale_untracked();
            match sync.edit(spec.entity.name, &id, fields).await {
                Ok(_) if is_new => {
                    navigate.with_value(|go| go(&format!("{}/{id}?saved=1", spec.route)))
                }
                Ok(_) => {
                    stored.refetch();
                    message.set(Some((spec.saved)(locale)));
                    then();
                }
                Err(e) => message.set(Some(e.message(locale))),
            }
        });
    }

    /// The line that says how saving went.
    pub fn notice(&self) -> impl IntoView {
        let message = self.message;
        move || {
            message.get().map(
                |m| view! { <p class="notice" role="status" data-testid="form-message">{m}</p> },
            )
        }
    }
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
