//! One need: raise it for a resident with kind, urgency and description, then move it from open
//! to in progress to resolved (saying what was done) or cancelled. An emergency shows the
//! hotline at once.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use model::access::Action;
use model::entities::need::{self, field};
use model::record::Need;
use serde_json::{json, Value};

use crate::components::access::may;
use crate::components::confirm_button::ConfirmButton;
use crate::components::field_input::member_label;
use crate::components::history_panel::HistoryPanel;
use crate::components::hotlines::CommunityHotlines;
use crate::components::record_form::{use_record_form, Edit, FormSpec};
use crate::components::upward_answer::{upward_of, Upward};
use crate::data::use_data;
use crate::db::now_ms;
use crate::i18n::{t, t_string, td_string, use_i18n};
use crate::pages::not_found::unless_missing;

static FORM: FormSpec = FormSpec {
    entity: &need::ENTITY,
    fields: &[ASKED, DONE],
    route: "/needs",
    saved: |locale| td_string!(locale, need_saved).to_string(),
};

/// What is asked for; once raised, what was done is asked too.
const ASKED: &[&str] = &[field::KIND, field::URGENCY, field::DESCRIPTION];
const DONE: &[&str] = &[field::RESOLUTION];

/// The page at `/needs/:id` (`new` for a new one).
#[component]
pub fn NeedForm(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let resident = RwSignal::new(
        use_query_map()
            .get_untracked()
            .get("resident")
            .unwrap_or_default(),
    );
    let status = RwSignal::new(String::from(need::OPEN));
    let changes_id = id.clone();
    let rf = use_record_form(&FORM, id, move |r| {
        let n = Need(r);
        resident.set(n.resident_id().unwrap_or_default().to_owned());
        status.set(n.status().unwrap_or(need::OPEN).to_owned());
    });
    let (is_new, form, loaded) = (rf.is_new, rf.form.clone(), rf.form.loaded);
    let missing = rf.missing();
    // Every role that reads needs writes them today; the table says so, not this page.
    let may_edit = may(if is_new {
        Action::RaiseNeed
    } else {
        Action::UpdateNeed
    });
    if is_new {
        form.set(field::URGENCY, json!(need::NORMAL));
    }

    let kind = form.values[field::KIND];
    let urgency = form.values[field::URGENCY];
    let is_emergency = move || need::is_emergency(kind.get().as_str(), urgency.get().as_str());

    // Saves the form's changes, plus a new status when one is given.
    let submit = {
        let rf = rf.clone();
        move |new_status: Option<&'static str>| {
            let Some(Ok(Edit {
                creating,
                mut fields,
            })) = rf.edit()
            else {
                return;
            };
            if new_status == Some(need::RESOLVED)
                && rf
                    .form
                    .get(field::RESOLUTION)
                    .as_str()
                    .is_none_or(|s| s.trim().is_empty())
            {
                rf.form.flag(
                    field::RESOLUTION,
                    t_string!(i18n, resolution_needed).to_string(),
                );
                return;
            }
            if creating {
                let grid = data.dataset_untracked().and_then(|d| {
                    d.resident(&resident.get_untracked())
                        .and_then(|r| r.view().grid_id().map(str::to_owned))
                });
                let Some(grid) = grid else {
                    // The resident is not on this device, or has no grid: nothing to file it under.
                    rf.say(t_string!(i18n, need_no_grid));
                    return;
                };
                let opening = need::opening(&grid, &resident.get_untracked(), now_ms() as i64);
                fields.splice(0..0, opening);
            }
            if let Some(s) = new_status {
                fields.extend(need::status_change(s, now_ms() as i64));
            }
            rf.save(fields, move || {
                if let Some(s) = new_status {
                    status.set(s.to_owned());
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
        Callback::new(move |()| submit(Some(s)))
    };

    let (start, resolve, cancel) = (
        step(need::IN_PROGRESS),
        step(need::RESOLVED),
        step(need::CANCELLED),
    );
    // Assigning and escalating are single-field edits: they must not wait for the form.
    let set_field = {
        let rf = rf.clone();
        move |field: &'static str, value: Value, done: &'static str| {
            let message = rf.message;
            rf.save(vec![(field.to_owned(), value)], move || {
                message.set(Some(done.to_owned()))
            });
        }
    };
    let current = Signal::derive_local({
        let rf = rf.clone();
        move || rf.current()
    });
    let assignee = move || {
        current
            .get()
            .and_then(|r| Need(&r).assignee_id().map(str::to_owned))
            .unwrap_or_default()
    };
    let escalated = move || current.get().is_some_and(|r| Need(&r).escalated());
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
        data.dataset().map(|d| {
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
        let d = data.dataset()?;
        Some(d.resident(&resident.get())?.name().to_owned())
    };
    let status_label =
        move || member_label(need::NAME, field::STATUS, &status.get(), i18n.get_locale());
    let open = move || need::is_open(Some(status.get().as_str()));

    unless_missing(
        missing,
        view! {
            <section class="card">
                <h1>{if is_new { t!(i18n, new_need).into_any() } else { t!(i18n, need_title).into_any() }}</h1>
                <p class="row-main" data-testid="need-resident">{who}</p>
                {(!is_new).then(|| view! { <p data-testid="need-status">{status_label}</p> })}
                {move || current.get().and_then(|r| upward_of(&r)).map(Upward::view)}
                <Show when=is_emergency>
                    <div class="confirm" role="alert" data-testid="hotline">
                        <p class="hotline">{t!(i18n, hotline)}</p>
                        <a class="button primary block" href="tel:120">{t!(i18n, call_120)}</a>
                        <CommunityHotlines />
                    </div>
                </Show>
                <form on:submit=on_submit novalidate data-testid="need-form">
                    <fieldset class="form-body" disabled=move || !loaded.get() || !may_edit>
                    {form.inputs(ASKED)}
                    {(!is_new).then(|| form.inputs(DONE))}
                    {rf.notice()}
                    {may_edit.then(|| view! { <button type="submit" class="primary" data-testid="save">{t!(i18n, save)}</button> })}
                                </fieldset>
                </form>
                {move || (!is_new && open() && may_edit).then(|| view! {
                    <div class="actions">
                        {(status.get() == need::OPEN).then(|| view! {
                            <button class="secondary" data-testid="need-start" on:click=move |_| start.run(())>{t!(i18n, status_to_progress)}</button>
                        })}
                        <ConfirmButton testid="need-resolve" class="primary"
                            label=move || t!(i18n, status_to_resolved)
                            question=move || t!(i18n, need_resolve_question)
                            confirm=move || t!(i18n, need_resolve_confirm)
                            on_confirm=resolve />
                        <ConfirmButton testid="need-cancel" class="secondary danger"
                            label=move || t!(i18n, status_to_cancelled)
                            question=move || t!(i18n, need_cancel_question)
                            confirm=move || t!(i18n, status_to_cancelled)
                            on_confirm=cancel />
                    </div>
                })}
                {move || (!is_new && open() && may_edit).then(|| view! {
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
                {(!is_new).then(|| view! { <HistoryPanel entity=need::NAME id=changes_id.clone() /> })}
            </section>
        },
    )
}
