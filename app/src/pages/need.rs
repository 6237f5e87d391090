//! One need: raise it for a resident with kind, urgency and description, then move it from open
//! to in progress to resolved (saying what was done) or cancelled. An emergency shows the
//! hotline at once.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::hooks::{use_navigate, use_query_map};
use model::dataset::needs::DEFAULT_URGENCY;
use model::entities::need::{self, field};
use model::record::Need;
use serde_json::{json, Value};

use crate::components::field_input::member_label;
use crate::components::record_form::{by_id_param, load_once, stored_record, FormState};
use crate::data::use_data;
use crate::db::now_ms;
use crate::i18n::{t, t_string, use_i18n};
use crate::sync::use_sync;

/// What is asked for; once raised, what was done is asked too.
const ASKED: &[&str] = &[field::KIND, field::URGENCY, field::DESCRIPTION];
const DONE: &[&str] = &[field::RESOLUTION];

#[component]
pub fn NeedPage() -> impl IntoView {
    by_id_param(|id| view! { <NeedForm id=id /> })
}

#[component]
fn NeedForm(id: String) -> impl IntoView {
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
    let resident = RwSignal::new(query.get("resident").unwrap_or_default());
    let status = RwSignal::new(String::from(need::OPEN));
    let form = FormState::new(&need::ENTITY, &[ASKED, DONE].concat());
    if is_new {
        form.set(field::URGENCY, json!(DEFAULT_URGENCY));
    }
    let loaded = form.loaded;
    let stored = stored_record(need::NAME, id.clone(), is_new);
    load_once(&form, stored, move |r| {
        let n = Need(r);
        resident.set(n.resident_id().unwrap_or_default().to_owned());
        status.set(n.status().unwrap_or(need::OPEN).to_owned());
    });
    let (message, set_message) = signal(None::<String>);
    if query.get("saved").is_some() {
        set_message.set(Some(t_string!(i18n, need_saved).to_string()));
    }

    let kind = form.values[field::KIND];
    let urgency = form.values[field::URGENCY];
    let is_emergency = move || need::is_emergency(kind.get().as_str(), urgency.get().as_str());

    // Saves the form's changes, plus a new status when one is given.
    let submit = {
        let form = form.clone();
        let id = id.clone();
        move |new_status: Option<&'static str>| {
            let Some(before) = stored.get_untracked().flatten() else {
                return;
            };
            let Ok(mut changed) = form.changes(before.as_ref()) else {
                set_message.set(Some(t_string!(i18n, fix_errors).to_string()));
                return;
            };
            if new_status == Some(need::RESOLVED)
                && form
                    .get(field::RESOLUTION)
                    .as_str()
                    .is_none_or(|s| s.trim().is_empty())
            {
                form.flag(
                    field::RESOLUTION,
                    t_string!(i18n, resolution_needed).to_string(),
                );
                return;
            }
            if before.is_none() {
                let grid = data.get_untracked().flatten().and_then(|d| {
                    d.resident(&resident.get_untracked())
                        .and_then(|r| r.view().grid_id().map(str::to_owned))
                });
                let Some(grid) = grid else { return };
                let opening = need::opening(&grid, &resident.get_untracked(), now_ms() as i64);
                changed.splice(0..0, opening);
            }
            if let Some(s) = new_status {
                changed.extend(need::status_change(s, now_ms() as i64));
            }
            let id = id.clone();
            let navigate = navigate.clone();
            spawn_local(async move {
                match sync.edit(need::NAME, &id, changed).await {
                    Ok(_) if is_new => {
                        navigate(&format!("/needs/{id}?saved=1"), Default::default())
                    }
                    Ok(_) => {
                        if let Some(s) = new_status {
                            status.set(s.to_owned());
                        }
                        stored.refetch();
                        set_message.set(Some(t_string!(i18n, need_saved).to_string()));
                    }
                    Err(e) => set_message.set(Some(e.to_string())),
                }
            });
        }
    };
    let on_submit = {
        let submit = submit.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            submit(None);
        }
    };
    let step = move |s: &'static str| {
        let submit = submit.clone();
        move |_| submit(Some(s))
    };

    let (start, resolve, cancel) = (
        step(need::IN_PROGRESS),
        step(need::RESOLVED),
        step(need::CANCELLED),
    );
    // Assigning and escalating are single-field edits: they must not wait for the form.
    let set_field = {
        let id = id.clone();
        move |field: &'static str, value: Value, done: &'static str| {
            let id = id.clone();
            spawn_local(async move {
                match sync
                    .edit(need::NAME, &id, vec![(field.to_owned(), value)])
                    .await
                {
                    Ok(_) => {
                        stored.refetch();
                        set_message.set(Some(done.to_owned()));
                    }
                    Err(e) => set_message.set(Some(e.to_string())),
                }
            });
        }
    };
    let current = move || stored.get().flatten().flatten();
    let assignee = move || {
        current()
            .and_then(|r| Need(&r).assignee_id().map(str::to_owned))
            .unwrap_or_default()
    };
    let escalated = move || current().is_some_and(|r| Need(&r).escalated());
    let assign = {
        let set_field = set_field.clone();
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            let value = if v.is_empty() {
                Value::Null
            } else {
                Value::from(v)
            };
            set_field(field::ASSIGNEE_ID, value, t_string!(i18n, need_assigned));
        }
    };
    let escalate = move |_| {
        set_field(
            field::ESCALATED,
            json!(true),
            t_string!(i18n, need_escalated_done),
        )
    };
    let staff_options = move || {
        let chosen = assignee();
        data.get().flatten().map(|d| {
            d.staff
                .iter()
                .map(|(id, name)| {
                    let selected = *id == chosen;
                    view! { <option value=id.clone() selected=selected>{name.clone()}</option> }
                })
                .collect_view()
        })
    };
    let who = move || {
        let d = data.get().flatten()?;
        Some(d.resident(&resident.get())?.name().to_owned())
    };
    let status_label =
        move || member_label(need::NAME, field::STATUS, &status.get(), i18n.get_locale());
    let open = move || need::is_open(Some(status.get().as_str()));

    view! {
        <section class="card">
            <h1>{if is_new { t!(i18n, new_need).into_any() } else { t!(i18n, need_title).into_any() }}</h1>
            <p class="row-main" data-testid="need-resident">{who}</p>
            {(!is_new).then(|| view! { <p data-testid="need-status">{status_label}</p> })}
            <Show when=is_emergency>
                <div class="confirm" role="alert" data-testid="hotline">
                    <p class="hotline">{t!(i18n, hotline)}</p>
                    <a class="button primary block" href="tel:120">{t!(i18n, call_120)}</a>
                </div>
            </Show>
            <form on:submit=on_submit novalidate data-testid="need-form">
                <fieldset class="form-body" disabled=move || !loaded.get()>
                {form.inputs(ASKED)}
                {(!is_new).then(|| form.inputs(DONE))}
                {move || message.get().map(|m| view! { <p class="notice" role="status" data-testid="form-message">{m}</p> })}
                <button type="submit" class="primary" data-testid="save">{t!(i18n, save)}</button>
                            </fieldset>
            </form>
            {move || (!is_new && open()).then(|| view! {
                <div class="actions">
                    {(status.get() == need::OPEN).then(|| view! {
                        <button class="secondary" data-testid="need-start" on:click=start.clone()>{t!(i18n, status_to_progress)}</button>
                    })}
                    <button class="primary" data-testid="need-resolve" on:click=resolve.clone()>{t!(i18n, status_to_resolved)}</button>
                    <button class="secondary" data-testid="need-cancel" on:click=cancel.clone()>{t!(i18n, status_to_cancelled)}</button>
                </div>
            })}
            {move || (!is_new && open()).then(|| view! {
                <div class="actions" data-testid="need-manage">
                    <label>
                        {t!(i18n, need_assignee)}
                        <select data-testid="need-assignee-select" on:change=assign.clone()>
                            <option value="" selected=move || assignee().is_empty()>{t!(i18n, need_unassigned)}</option>
                            {staff_options}
                        </select>
                    </label>
                    {if escalated() {
                        view! { <p class="notice" data-testid="need-escalated">{t!(i18n, need_escalated)}</p> }.into_any()
                    } else {
                        view! { <button class="secondary" data-testid="need-escalate" on:click=escalate.clone()>{t!(i18n, need_escalate)}</button> }.into_any()
                    }}
                </div>
            })}
        </section>
    }
}
