//! Marking a resident or a household as no longer looked after here (moved away, deceased, left
//! the grid; a household moved away or removed) with the date and the reason, and restoring
//! them. Marking is asked twice, in words that say what happens: they leave Today, the ledger
//! and pack lists, the packs still to hand over to them are withdrawn, their visits are kept,
//! and they can be restored. The rules (a date, not in
//! the future, a reason unless a death) are the model's (`model::lifecycle`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use model::dataset::doors;
use model::entities::{household, pack_delivery};
use model::lifecycle::{self, Departure, Problem};
use model::record::Resident;
use model::schema::FieldDef;
use model::Date;

use crate::components::field_input::{field_label, member_label};
use crate::data::{today, use_data, Dataset};
use crate::i18n::{t, t_string, use_i18n};
use crate::session::use_session;
use crate::sync::use_sync;

/// What is there to say about `id` of `entity` now: its departure, and for a resident whose
/// household left, that household's id (it is restored there, not here).
fn state_of(d: &Dataset, entity: &str, id: &str) -> (Option<Departure>, Option<String>) {
    if entity == household::NAME {
        let dep = d.households.get(id).and_then(lifecycle::of_household);
        return (dep, None);
    }
    let Some(r) = d.resident(id) else {
        return (None, None);
    };
    let home = Resident(&r.record).household_id().map(str::to_owned);
    (r.departure.clone(), home)
}

#[component]
pub fn LifecyclePanel(entity: &'static model::schema::EntityDef, id: String) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let sync = use_sync();
    let session = use_session();
    let name = entity.name;
    let may_write = move || {
        session
            .get()
            .is_some_and(|s| model::schema::can_write(s.user.role, name, lifecycle::STATUS))
    };
    let statuses = lifecycle::statuses(name);
    let status = RwSignal::new(statuses[0].to_owned());
    let date = RwSignal::new(today().to_string());
    let reason = RwSignal::new(String::new());
    // Closed, filling in, or asked to confirm.
    let (step, set_step) = signal(0u8);
    let (problem, set_problem) = signal(None::<String>);

    let id = StoredValue::new(id);
    let state = Memo::new(move |_| {
        data.dataset()
            .map(|d| id.with_value(|id| state_of(&d, name, id)))
            .unwrap_or((None, None))
    });
    let problem_text = move |p: Problem| -> String {
        match p {
            Problem::UnknownStatus => t_string!(i18n, departure_choose_status).to_string(),
            Problem::DateRequired => t_string!(i18n, departure_date_required).to_string(),
            Problem::DateInFuture => t_string!(i18n, departure_date_future).to_string(),
            Problem::ReasonRequired => t_string!(i18n, departure_reason_required).to_string(),
        }
    };
    let ask = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let day = Date::parse(&date.get_untracked());
        match lifecycle::check(
            name,
            &status.get_untracked(),
            day,
            &reason.get_untracked(),
            today(),
        ) {
            Ok(()) => {
                set_problem.set(None);
                set_step.set(2);
            }
            Err(p) => set_problem.set(Some(problem_text(p))),
        }
    };
    // Closing the form, by cancelling or once saved, forgets what was typed: the next mark
    // starts from today and a blank reason, not a date refused a moment ago.
    let close = move || {
        set_step.set(0);
        set_problem.set(None);
        reason.set(String::new());
        date.set(today().to_string());
    };
    let write = move |edits: Vec<crate::db::RecordEdit>| {
        spawn_local(async move {
            match sync.edit_many(edits).await {
                Ok(_) => close(),
                Err(e) => set_problem.set(Some(e.message(i18n.get_locale_untracked()))),
            }
        });
    };
    // The packs still to hand over that the mark withdraws, counted in the question and deleted
    // with the mark in one transaction.
    let packs = move || -> Vec<String> {
        data.dataset_untracked()
            .map(|d| {
                id.with_value(|id| {
                    d.packs_to_withdraw(name, id)
                        .into_iter()
                        .map(|x| x.id.clone())
                        .collect()
                })
            })
            .unwrap_or_default()
    };
    let confirm = move |_| {
        let Some(day) = Date::parse(&date.get_untracked()) else {
            return;
        };
        let fields = lifecycle::mark(&status.get_untracked(), day, &reason.get_untracked());
        let mut edits = vec![(name.to_owned(), id.get_value(), fields)];
        for pack in packs() {
            edits.push((pack_delivery::NAME.to_owned(), pack, doors::withdrawal()));
        }
        write(edits);
    };
    let confirm = StoredValue::new_local(confirm);
    let restore = move |_| {
        write(vec![(
            name.to_owned(),
            id.get_value(),
            lifecycle::restore(),
        )])
    };
    let restore = StoredValue::new_local(restore);

    let def = |f: &str| -> &'static FieldDef { entity.field(f).expect("the status fields") };
    let (status_def, date_def, reason_def) = (
        def(lifecycle::STATUS),
        def(lifecycle::STATUS_DATE),
        def(lifecycle::STATUS_REASON),
    );
    let label = move |d: &'static FieldDef| move || field_label(d, i18n.get_locale());
    let is_household = name == household::NAME;

    let banner = move || {
        let (dep, home) = state.get();
        let dep = dep?;
        let locale = i18n.get_locale();
        let what = member_label(
            if dep.by_household {
                household::NAME
            } else {
                name
            },
            lifecycle::STATUS,
            &dep.status,
            locale,
        );
        let when = dep
            .date
            .map(|d| d.to_string())
            .unwrap_or_else(|| "—".into());
        let by_household = dep.by_household && !is_household;
        Some(view! {
            <div class="confirm" role="status" data-testid="departure-banner">
                <p><strong data-testid="departure-status">{what}</strong>" · "{when}
                    {by_household.then(|| view! { " · "{t!(i18n, departure_with_household)} })}
                </p>
                {dep.reason.map(|r| view! { <p data-testid="departure-reason">{r}</p> })}
                <p class="muted">{if is_household { t!(i18n, departure_off_lists_household).into_any() } else { t!(i18n, departure_off_lists).into_any() }}</p>
                {move || may_write().then(|| match (by_household, home.clone()) {
                    (true, Some(h)) => view! {
                        <A href=format!("/households/{h}") attr:class="button secondary block" attr:data-testid="departure-household">{t!(i18n, departure_restore_at_household)}</A>
                    }.into_any(),
                    _ => view! {
                        <button class="primary" data-testid="restore" on:click=move |ev| restore.with_value(|f| f(ev))>{t!(i18n, departure_restore)}</button>
                    }.into_any(),
                })}
            </div>
        })
    };

    let form = move || {
        (may_write() && state.with(|s| s.0.is_none())).then(|| view! {
            <Show when=move || step.get() == 0>
                <button class="secondary block" data-testid="mark-departed" on:click=move |_| set_step.set(1)>
                    {if is_household { t!(i18n, departure_mark_household).into_any() } else { t!(i18n, departure_mark).into_any() }}
                </button>
            </Show>
            <Show when=move || step.get() == 1>
                <form class="departure-form" on:submit=ask novalidate data-testid="departure-form">
                    <div class="field">
                        <label for="f-departure-status">{label(status_def)}</label>
                        <select id="f-departure-status" data-testid="departure-status-select" prop:value=move || status.get() on:change=move |ev| status.set(event_target_value(&ev))>
                            {statuses.iter().map(|m| {
                                let m = *m;
                                view! { <option value=m>{move || member_label(name, lifecycle::STATUS, m, i18n.get_locale())}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="f-departure-date">{label(date_def)}</label>
                        <input type="date" id="f-departure-date" data-testid="departure-date" prop:value=move || date.get() on:input=move |ev| date.set(event_target_value(&ev)) />
                    </div>
                    <div class="field">
                        <label for="f-departure-reason">{label(reason_def)}</label>
                        <textarea id="f-departure-reason" data-testid="departure-reason-input" rows="2" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev))></textarea>
                    </div>
                    <button type="submit" class="primary" data-testid="departure-next">{t!(i18n, departure_next)}</button>
                    <button type="button" class="secondary" data-testid="departure-cancel" on:click=move |_| close()>{t!(i18n, cancel)}</button>
                </form>
            </Show>
            <Show when=move || step.get() == 2>
                <div class="confirm" role="alertdialog" data-testid="departure-confirm">
                    <p>
                        {move || {
                            let what = member_label(name, lifecycle::STATUS, &status.get(), i18n.get_locale());
                            let day = date.get();
                            if is_household {
                                t!(i18n, departure_confirm_household, what = what, date = day).into_any()
                            } else {
                                t!(i18n, departure_confirm, what = what, date = day).into_any()
                            }
                        }}
                    </p>
                    {move || {
                        let count = packs().len();
                        (step.get() == 2 && count > 0).then(|| view! {
                            <p data-testid="departure-packs">{t!(i18n, departure_packs, count = count)}</p>
                        })
                    }}
                    <button class="primary" data-testid="departure-confirm-yes" on:click=move |ev| confirm.with_value(|f| f(ev))>{t!(i18n, departure_confirm_yes)}</button>
                    <button class="secondary" data-testid="departure-confirm-back" on:click=move |_| set_step.set(1)>{t!(i18n, departure_confirm_back)}</button>
                </div>
            </Show>
        })
    };

    view! {
        <Suspense fallback=|| ()>{banner}{form}</Suspense>
        {move || problem.get().map(|p| view! { <p class="field-error" role="alert" data-testid="departure-problem">{p}</p> })}
    }
}
