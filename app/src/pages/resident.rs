//! One resident, every field of the model: add or edit, with key groups and conditions as large
//! checkboxes, age from the birth date, and each input's error next to it. Saving writes only
//! the fields that changed, so a colleague's edit of another field is never overwritten.

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};
use model::entities::resident;
use model::schema::FieldDef;
use serde_json::Value;

use crate::components::field_input::FieldInput;
use crate::i18n::{t, use_i18n};
use crate::pages::residents::{age_of, today};
use crate::session::use_session;
use crate::sync::use_sync;

/// Fields the form does not show as inputs: the record's place is set separately.
const NOT_INPUTS: &[&str] = &["grid_id", "household_id", "_deleted"];

#[derive(Clone, Copy, PartialEq)]
enum Group {
    Basic,
    Contacts,
    Tags,
    Conditions,
    Vaccination,
    Other,
}

fn group_of(field: &str) -> Group {
    match field {
        f if f.starts_with("tag_") => Group::Tags,
        f if f.starts_with("cond_") => Group::Conditions,
        f if f.starts_with("vacc_") => Group::Vaccination,
        f if f.starts_with("guardian") || f.starts_with("emergency") => Group::Contacts,
        "pack_received_date" | "notes" => Group::Other,
        _ => Group::Basic,
    }
}

#[component]
pub fn ResidentPage() -> impl IntoView {
    let params = use_params_map();
    move || {
        let id = params.read().get("id").unwrap_or_default();
        view! { <ResidentForm id=id /> }
    }
}

#[component]
fn ResidentForm(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let session = use_session();
    let navigate = use_navigate();
    let is_new = id == "new";
    let record_id = if is_new {
        uuid::Uuid::new_v4().to_string()
    } else {
        id
    };
    let role = session.get().map(|s| s.user.role);
    let fields: Vec<&'static FieldDef> = resident::FIELDS
        .iter()
        .filter(|f| !NOT_INPUTS.contains(&f.name) && role.is_some_and(|r| f.can_write(r)))
        .collect();
    let values: BTreeMap<&'static str, RwSignal<Value>> = fields
        .iter()
        .map(|f| (f.name, RwSignal::new(Value::Null)))
        .collect();
    let errors = RwSignal::new(BTreeMap::<&'static str, String>::new());
    let grids: Vec<(String, String)> = session
        .get()
        .map(|s| {
            s.user
                .grids
                .iter()
                .cloned()
                .zip(s.user.grid_names.iter().cloned())
                .collect()
        })
        .unwrap_or_default();
    let grid = RwSignal::new(grids.first().map(|g| g.0.clone()).unwrap_or_default());
    let (message, set_message) = signal(None::<String>);
    let (saving, set_saving) = signal(false);

    // `None` until the store is open and the record read; then `Some(record if it exists)`.
    let rid = record_id.clone();
    let stored = LocalResource::new(move || {
        let db = sync.db();
        let rid = rid.clone();
        async move {
            if is_new {
                return Some(None);
            }
            let db = db?;
            Some(db.record("resident", &rid).await.ok().flatten())
        }
    });
    let loaded = values.clone();
    Effect::new(move |done: Option<bool>| {
        if done == Some(true) {
            return true;
        }
        let Some(Some(record)) = stored.get() else {
            return false;
        };
        if let Some(r) = record {
            for (name, signal) in &loaded {
                signal.set(r.get(name).cloned().unwrap_or(Value::Null));
            }
            if let Some(g) = r.text("grid_id") {
                grid.set(g.to_owned());
            }
        }
        true
    });
    let query = use_query_map();
    if query.get_untracked().get("saved").is_some() {
        set_message.set(Some(saved_text(i18n)));
    }

    let save_values = values.clone();
    let save_id = record_id.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(before) = stored.get_untracked().flatten() else {
            // Still reading the stored record: saving now could not tell what changed.
            return;
        };
        let mut changed: Vec<(String, Value)> = Vec::new();
        let mut problems = BTreeMap::new();
        for def in resident::FIELDS {
            let Some(signal) = save_values.get(def.name) else {
                continue;
            };
            let value = signal.get_untracked();
            let old = before
                .as_ref()
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
        if before.is_none() {
            if changed.iter().all(|(f, v)| f != "name" || v.is_null()) {
                problems.insert("name", "请填写姓名（enter the name）".to_owned());
            }
            changed.insert(0, ("grid_id".to_owned(), Value::from(grid.get_untracked())));
        }
        let has_problems = !problems.is_empty();
        errors.set(problems);
        if has_problems {
            set_message.set(Some(t_string_fix(i18n)));
            return;
        }
        if changed.is_empty() {
            set_message.set(Some(saved_text(i18n)));
            return;
        }
        set_saving.set(true);
        let id = save_id.clone();
        let navigate = navigate.clone();
        spawn_local(async move {
            match sync.edit("resident", &id, changed).await {
                Ok(_) => {
                    if is_new {
                        // The new record's own page takes over, saying it was saved.
                        navigate(&format!("/residents/{id}?saved=1"), Default::default());
                    } else {
                        set_message.set(Some(saved_text(i18n)));
                        stored.refetch();
                    }
                }
                Err(e) => set_message.set(Some(e.to_string())),
            }
            set_saving.set(false);
        });
    };

    let section = {
        let values = values.clone();
        let fields = fields.clone();
        move |group: Group| {
            fields
                .iter()
                .filter(|f| group_of(f.name) == group)
                .map(|def| {
                    let value = values[def.name];
                    let name = def.name;
                    let error = Signal::derive(move || errors.with(|e| e.get(name).cloned()));
                    view! { <FieldInput entity="resident" def=*def value=value error=error /> }
                })
                .collect_view()
        }
    };
    let birth = values.get("birth_date").copied();
    let age = move || {
        let b = birth?.get();
        let r = crate::db::Record {
            entity: "resident".into(),
            id: String::new(),
            fields: [(
                "birth_date".to_owned(),
                model::merge::Stamped {
                    value: b,
                    hlc: String::new(),
                },
            )]
            .into(),
        };
        age_of(&r, today())
    };

    view! {
        <section class="card">
            <h1>{if is_new { t!(i18n, new_resident).into_any() } else { t!(i18n, edit_resident).into_any() }}</h1>
            <form on:submit=save novalidate data-testid="resident-form">
                <fieldset>
                    <legend>{t!(i18n, group_basic)}</legend>
                    {is_new.then(|| view! {
                        <div class="field">
                            <label for="f-grid">{t!(i18n, field_grid)}</label>
                            <select id="f-grid" data-testid="field-grid_id" prop:value=move || grid.get()
                                on:change=move |ev| grid.set(event_target_value(&ev))>
                                {grids.iter().map(|(id, name)| view! { <option value=id.clone()>{name.clone()}</option> }).collect_view()}
                            </select>
                        </div>
                    })}
                    {section(Group::Basic)}
                    <p class="muted" data-testid="age">{move || age().map(|a| view! { {t!(i18n, age_years, age = a)} })}</p>
                </fieldset>
                <fieldset class="checks"><legend>{t!(i18n, group_tags)}</legend>{section(Group::Tags)}</fieldset>
                <fieldset class="checks"><legend>{t!(i18n, group_conditions)}</legend>{section(Group::Conditions)}</fieldset>
                <fieldset><legend>{t!(i18n, group_vaccination)}</legend>{section(Group::Vaccination)}</fieldset>
                <fieldset><legend>{t!(i18n, group_contacts)}</legend>{section(Group::Contacts)}</fieldset>
                <fieldset><legend>{t!(i18n, group_other)}</legend>{section(Group::Other)}</fieldset>
                {move || message.get().map(|m| view! { <p class="notice" role="status" data-testid="form-message">{m}</p> })}
                <button type="submit" class="primary sticky-save" data-testid="save" disabled=saving>{t!(i18n, save)}</button>
            </form>
        </section>
    }
}

fn saved_text(i18n: leptos_i18n::I18nContext<crate::i18n::Locale>) -> String {
    crate::i18n::t_string!(i18n, saved).to_string()
}

fn t_string_fix(i18n: leptos_i18n::I18nContext<crate::i18n::Locale>) -> String {
    crate::i18n::t_string!(i18n, fix_errors).to_string()
}
