//! One resident, every field of the model: add or edit, with key groups and conditions as large
//! checkboxes, age from the birth date, risk tier with its reasons, a warning when the same
//! person seems registered already, and the doors to record a visit or raise a need.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use model::date::{age_on, Date};
use model::entities::resident;
use serde_json::Value;

use crate::components::record_form::{
    by_id_param, load_once, stored_record, FormState, GridSelect,
};
use crate::components::tier_chip::TierChip;
use crate::data::{use_data, Dataset};
use crate::i18n::{t, t_string, use_i18n};
use crate::pages::today::reasons_text;
use crate::sync::use_sync;

const BASIC: &[&str] = &[
    "name",
    "gender",
    "birth_date",
    "id_card_last4",
    "phone",
    "relation_to_head",
];
const CONTACTS: &[&str] = &[
    "guardian_name",
    "guardian_phone",
    "emergency_contact",
    "emergency_phone",
];
const VACCINATION: &[&str] = &["vacc_doses", "vacc_last_date", "vacc_contraindication"];
const OTHER: &[&str] = &["pack_received_date", "notes"];

/// Residents of the grid who look like the same person as the form's values.
fn duplicates(d: &Dataset, id: &str, form: &FormState, grid: &str) -> Vec<(String, String)> {
    let mut me = std::collections::BTreeMap::new();
    for f in ["name", "birth_date", "phone"] {
        me.insert(f.to_owned(), form.get(f));
    }
    me.insert("grid_id".to_owned(), Value::from(grid));
    let others: Vec<(String, std::collections::BTreeMap<String, Value>)> = d
        .residents
        .iter()
        .map(|r| (r.id().to_owned(), r.record.values()))
        .collect();
    model::dedupe::duplicates_of(id, &me, others.iter().map(|(i, f)| (i.as_str(), f)))
        .into_iter()
        .map(|dup| {
            (
                dup.to_owned(),
                d.resident(dup)
                    .map(|r| r.name().to_owned())
                    .unwrap_or_default(),
            )
        })
        .collect()
}

#[component]
pub fn ResidentPage() -> impl IntoView {
    by_id_param(|id| view! { <ResidentForm id=id /> })
}

#[component]
fn ResidentForm(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let data = use_data().data;
    let navigate = use_navigate();
    let query = use_query_map().get_untracked();
    let is_new = id == "new";
    let id = if is_new {
        uuid::Uuid::new_v4().to_string()
    } else {
        id
    };
    let household = RwSignal::new(query.get("household"));
    let form = FormState::new(&resident::ENTITY, &[]);
    let loaded = form.loaded;
    let stored = stored_record("resident", id.clone(), is_new);
    let grid = RwSignal::new(String::new());
    load_once(&form, stored, move |r| {
        grid.set(r.text("grid_id").unwrap_or_default().to_owned());
        household.set(r.text("household_id").map(str::to_owned));
    });
    // A member added from a household belongs to that household's grid.
    if let Some(h) = household.get_untracked() {
        Effect::new(move |_| {
            if let Some(g) = data.get().flatten().and_then(|d| {
                d.households
                    .get(&h)
                    .and_then(|r| r.text("grid_id").map(str::to_owned))
            }) {
                grid.set(g);
            }
        });
    }
    let (message, set_message) = signal(None::<String>);
    if query.get("saved").is_some() {
        set_message.set(Some(t_string!(i18n, saved).to_string()));
    }
    let (dups, set_dups) = signal(Vec::<(String, String)>::new());
    let (confirmed_dup, set_confirmed_dup) = signal(false);

    let save_form = form.clone();
    let save_id = id.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(before) = stored.get_untracked().flatten() else {
            return;
        };
        let changed = save_form.changes(before.as_ref());
        if save_form
            .get("name")
            .as_str()
            .is_none_or(|n| n.trim().is_empty())
        {
            save_form.flag("name", "请填写姓名（enter the name）".into());
            set_message.set(Some(t_string!(i18n, fix_errors).to_string()));
            return;
        }
        let Ok(mut changed) = changed else {
            set_message.set(Some(t_string!(i18n, fix_errors).to_string()));
            return;
        };
        if !confirmed_dup.get_untracked() {
            let found = data
                .get_untracked()
                .flatten()
                .map(|d| duplicates(&d, &save_id, &save_form, &grid.get_untracked()))
                .unwrap_or_default();
            if !found.is_empty() {
                set_dups.set(found);
                return;
            }
        }
        if before.is_none() {
            changed.insert(0, ("grid_id".into(), Value::from(grid.get_untracked())));
            if let Some(h) = household.get_untracked() {
                changed.insert(1, ("household_id".into(), Value::from(h)));
            }
        }
        let id = save_id.clone();
        let navigate = navigate.clone();
        spawn_local(async move {
            match sync.edit("resident", &id, changed).await {
                Ok(_) if is_new => {
                    navigate(&format!("/residents/{id}?saved=1"), Default::default())
                }
                Ok(_) => {
                    stored.refetch();
                    set_dups.set(Vec::new());
                    set_message.set(Some(t_string!(i18n, saved).to_string()));
                }
                Err(e) => set_message.set(Some(e.to_string())),
            }
        });
    };

    let birth = form.values["birth_date"];
    let age = move || {
        let b = birth.get();
        let b = b.as_str().and_then(Date::parse)?;
        Some(age_on(b, crate::data::today()))
    };
    let summary_id = id.clone();
    let summary = move || {
        let d = data.get().flatten()?;
        let r = d.resident(&summary_id)?;
        let reasons = reasons_text(r, i18n.get_locale());
        let next = r.due.map(|d| d.to_string());
        let last = r.last_contact.map(|d| d.to_string());
        let needs = d.open_needs_of(&summary_id).count();
        // "Received a pack on …" follows from the delivery records: a volunteer never writes
        // a resident's own record.
        let pack = d
            .deliveries
            .iter()
            .filter(|x| {
                x.text("resident_id") == Some(summary_id.as_str())
                    && x.text("status") == Some("delivered")
            })
            .filter_map(|x| x.get("status_at").and_then(serde_json::Value::as_i64))
            .max()
            .map(|ms| {
                model::date::Date::from_unix_ms_offset(ms, model::date::CHINA_UTC_OFFSET_MINUTES)
                    .to_string()
            })
            .or_else(|| r.record.text("pack_received_date").map(str::to_owned));
        Some(view! {
            <div class="summary" data-testid="risk-summary">
                <p><TierChip tier=r.tier() />" "{reasons}</p>
                <p class="muted">
                    {t!(i18n, last_visit)}": "{last.unwrap_or_else(|| "—".into())}" · "
                    {t!(i18n, next_due)}": "{next.unwrap_or_else(|| "—".into())}" · "
                    {t!(i18n, open_needs)}": "{needs}
                </p>
                {pack.map(|date| view! { <p class="muted" data-testid="pack-received">{t!(i18n, received_pack, date = date)}</p> })}
            </div>
        })
    };
    let household_link = move || {
        household.get().map(|h| {
            let address = data.get().flatten().map(|d| d.address_of(Some(&h))).unwrap_or_default();
            view! { <p><A href=format!("/households/{h}") attr:data-testid="household-link">{t!(i18n, household)}": "{address}</A></p> }
        })
    };

    view! {
        <section class="card">
            <h1>{if is_new { t!(i18n, new_resident).into_any() } else { t!(i18n, edit_resident).into_any() }}</h1>
            {(!is_new).then(|| view! {
                <Suspense fallback=|| ()>{summary.clone()}</Suspense>
                <div class="actions">
                    <A href=format!("/visit/new?resident={id}") attr:class="button primary" attr:data-testid="record-visit">{t!(i18n, record_visit)}</A>
                    <A href=format!("/needs/new?resident={id}") attr:class="button secondary" attr:data-testid="raise-need">{t!(i18n, raise_need)}</A>
                </div>
            })}
            {household_link}
            <form on:submit=save novalidate data-testid="resident-form">
                <fieldset class="form-body" disabled=move || !loaded.get()>
                <fieldset>
                    <legend>{t!(i18n, group_basic)}</legend>
                    {is_new.then(|| view! { <GridSelect grid=grid /> })}
                    {form.inputs(BASIC)}
                    <p class="muted" data-testid="age">{move || age().map(|a| view! { {t!(i18n, age_years, age = a)} })}</p>
                </fieldset>
                <fieldset class="checks"><legend>{t!(i18n, group_tags)}</legend>{form.inputs(resident::TAGS)}</fieldset>
                <fieldset class="checks"><legend>{t!(i18n, group_conditions)}</legend>{form.inputs(resident::CONDITIONS)}</fieldset>
                <fieldset><legend>{t!(i18n, group_vaccination)}</legend>{form.inputs(VACCINATION)}</fieldset>
                <fieldset><legend>{t!(i18n, group_contacts)}</legend>{form.inputs(CONTACTS)}</fieldset>
                <fieldset><legend>{t!(i18n, group_other)}</legend>{form.inputs(OTHER)}</fieldset>
                <Show when=move || !dups.get().is_empty()>
                    <div class="confirm" role="alert" data-testid="duplicate-warning">
                        <p>{t!(i18n, duplicate_warning)}</p>
                        <ul>
                            {move || dups.get().into_iter().map(|(id, name)| view! {
                                <li><A href=format!("/residents/{id}")>{name}" · "{t!(i18n, duplicate_open)}</A></li>
                            }).collect_view()}
                        </ul>
                        <button type="submit" class="secondary" data-testid="save-anyway" on:click=move |_| set_confirmed_dup.set(true)>
                            {t!(i18n, save_anyway)}
                        </button>
                    </div>
                </Show>
                {move || message.get().map(|m| view! { <p class="notice" role="status" data-testid="form-message">{m}</p> })}
                <button type="submit" class="primary sticky-save" data-testid="save">{t!(i18n, save)}</button>
                            </fieldset>
            </form>
        </section>
    }
}
