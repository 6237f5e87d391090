//! The rest rota (`/rota`, issue 17, 轮休、补休): the days of the last week and the next two of
//! the user's grids, who is on duty, resting or taking a make-up day and who covers the grid
//! meanwhile; supervisors add a day and take one back. The cover receives the grid for the day
//! (the server's rule) and sees it on Today.

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::access::Action;
use model::dataset::rota::day;
use model::entities::duty::{self, field};
use model::record::Duty;
use model::Date;
use serde_json::json;

use crate::components::access::may;
use crate::components::field_input::{member_label, member_options};
use crate::components::record_form::my_grids;
use crate::data::{today, use_data};
use crate::i18n::{t, t_string, use_i18n};
use crate::sync::use_sync;

/// Days shown before today and from today on.
const PAST: i64 = 7;
const AHEAD: i64 = 14;

#[component]
pub fn RotaPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let sync = use_sync();
    let may_edit = may(Action::EditRota);
    let list = move || {
        data.dataset().map(|d| {
            let locale = i18n.get_locale();
            let days = d.rota(d.today.add_days(-PAST), PAST + AHEAD);
            if days.is_empty() {
                // Inside the list's <ul>, so the one row says it holds nothing.
                return view! { <li><p class="muted" data-testid="rota-none">{t!(i18n, rota_none)}</p></li> }.into_any();
            }
            days.into_iter()
                .map(|rec| {
                    let x = Duty(rec);
                    let who = x.worker_id().and_then(|w| d.people.get(w)).cloned().unwrap_or_default();
                    let cover = x.cover_id().and_then(|c| d.people.get(c)).cloned();
                    let kind = x.kind().map(|k| member_label(duty::NAME, field::KIND, k, locale)).unwrap_or("—");
                    let date = x.date().map(|v| v.to_string()).unwrap_or_default();
                    let today = x.date() == Some(d.today);
                    let id = rec.id.clone();
                    view! {
                        <li class="row" class:today=today data-testid="rota-day" data-kind=x.kind().unwrap_or_default().to_owned()>
                            <span class="row-main">{date}" · "{who}" · "{kind}</span>
                            <span class="row-sub">
                                {d.grid_name(x.grid_id()).to_owned()}
                                {cover.map(|c| view! { " · " {t!(i18n, rota_cover_by, name = c)} })}
                                {x.note().map(|n| format!(" · {n}"))}
                            </span>
                            {may_edit.then(|| view! {
                                <button class="secondary" data-testid="rota-remove" on:click=move |_| {
                                    let id = id.clone();
                                    spawn_local(async move {
                                        let gone = vec![(model::schema::DELETED.to_owned(), json!(true))];
                                        if let Err(e) = sync.edit(duty::NAME, &id, gone).await {
                                            leptos::logging::warn!("rota day not removed: {e}");
                                        }
                                    });
                                }>{t!(i18n, rota_remove)}</button>
                            })}
                        </li>
                    }
                })
                .collect_view()
                .into_any()
        })
    };
    view! {
        <section data-testid="rota">
            <h1>{t!(i18n, rota_title)}</h1>
            <p class="muted">{t!(i18n, rota_intro)}</p>
            {may_edit.then(|| view! { <RotaForm /> })}
            <Suspense fallback=|| ()><ul class="rows">{list}</ul></Suspense>
        </section>
    }
}

/// A day of the rota: grid, worker, date, kind, and the cover for a day off.
#[component]
fn RotaForm() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let sync = use_sync();
    let grids = my_grids();
    let grid = RwSignal::new(grids.first().map(|g| g.0.clone()).unwrap_or_default());
    let worker = RwSignal::new(String::new());
    let date = RwSignal::new(today().to_string());
    let kind = RwSignal::new(duty::REST.to_owned());
    let cover = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let (message, set_message) = signal(None::<String>);
    let workers = move || {
        data.dataset().map(|d| {
            d.answerers_of(&grid.get())
                .iter()
                .map(|(id, name)| view! { <option value=id.clone()>{name.clone()}</option> })
                .collect_view()
        })
    };
    let covers = move || {
        data.dataset().map(|d| {
            d.grid_workers
                .iter()
                .filter(|(id, _)| *id != worker.get())
                .map(|(id, name)| view! { <option value=id.clone()>{name.clone()}</option> })
                .collect_view()
        })
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(on), false) = (
            Date::parse(&date.get_untracked()),
            worker.get_untracked().is_empty(),
        ) else {
            set_message.set(Some(t_string!(i18n, rota_incomplete).to_string()));
            return;
        };
        let cover_id = cover.get_untracked();
        let fields = day(
            &grid.get_untracked(),
            &worker.get_untracked(),
            on,
            &kind.get_untracked(),
            Some(cover_id.as_str()),
            &note.get_untracked(),
        );
        let id = model::record::new_id();
        spawn_local(async move {
            let said = match sync.edit(duty::NAME, &id, fields).await {
                Ok(_) => t_string!(i18n, rota_saved).to_string(),
                Err(e) => e.message(i18n.get_locale_untracked()),
            };
            set_message.set(Some(said));
        });
    };
    view! {
        <form class="card stack" on:submit=save novalidate data-testid="rota-form">
            <label>{t!(i18n, rota_grid)}
                <select data-testid="rota-grid" prop:value=move || grid.get() on:change=move |ev| { grid.set(event_target_value(&ev)); worker.set(String::new()); }>
                    {grids.iter().map(|(id, name)| view! { <option value=id.clone()>{name.clone()}</option> }).collect_view()}
                </select>
            </label>
            <label>{t!(i18n, rota_worker)}
                <select data-testid="rota-worker" prop:value=move || worker.get() on:change=move |ev| worker.set(event_target_value(&ev))>
                    <option value="">"—"</option>
                    <Suspense fallback=|| ()>{workers}</Suspense>
                </select>
            </label>
            <label>{t!(i18n, rota_date)}
                <input type="date" data-testid="rota-date" prop:value=move || date.get() on:change=move |ev| date.set(event_target_value(&ev)) />
            </label>
            <label>{t!(i18n, rota_kind)}
                <select data-testid="rota-kind" prop:value=move || kind.get() on:change=move |ev| kind.set(event_target_value(&ev))>
                    {member_options(duty::NAME, field::KIND)}
                </select>
            </label>
            <label>{t!(i18n, rota_cover)}
                <select data-testid="rota-cover" prop:value=move || cover.get() on:change=move |ev| cover.set(event_target_value(&ev))>
                    <option value="">"—"</option>
                    <Suspense fallback=|| ()>{covers}</Suspense>
                </select>
            </label>
            <label>{t!(i18n, rota_note)}
                <input data-testid="rota-note" maxlength="2000" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev)) />
            </label>
            <button type="submit" class="primary" data-testid="rota-save">{t!(i18n, save)}</button>
            {move || message.get().map(|m| view! { <p class="notice" role="status" data-testid="rota-message">{m}</p> })}
        </form>
    }
}
