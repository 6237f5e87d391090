//! Care for the workers (issue 17, 心理疏导): on a worker's card, a private request for support
//! that only the supervisors of their grid read; on the overview, the supervisor's list of
//! requests to arrange and complete. It is no resident's need and counts in no figure.

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::access::Action;
use model::dataset::support::{ask, moved_on};
use model::entities::support_request::{self, field, ARRANGED, DONE, WAYS};
use model::record::SupportRequest;

use crate::components::access::may;
use crate::components::field_input::{member_label, member_options};
use crate::data::use_data;
use crate::db::now_ms;
use crate::i18n::{t, t_string, use_i18n};
use crate::session::use_session;
use crate::sync::use_sync;

fn day(ms: Option<i64>) -> String {
    ms.map(|ms| model::Date::from_china_ms(ms).to_string())
        .unwrap_or_default()
}

/// The worker's card: ask for support, and what they asked from this phone.
#[component]
pub fn SupportAsk() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let sync = use_sync();
    let session = use_session();
    let way = RwSignal::new(WAYS[0].to_owned());
    let note = RwSignal::new(String::new());
    let (message, set_message) = signal(None::<String>);
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(s) = session.get() else { return };
        let Some(grid) = s.user.grids.first().cloned() else {
            return;
        };
        let fields = ask(
            &grid,
            &s.user.id,
            &way.get_untracked(),
            &note.get_untracked(),
            now_ms() as i64,
        );
        let id = model::record::new_id();
        spawn_local(async move {
            let said = match sync.edit(support_request::NAME, &id, fields).await {
                Ok(_) => {
                    note.set(String::new());
                    t_string!(i18n, support_sent).to_string()
                }
                Err(e) => e.message(i18n.get_locale_untracked()),
            };
            set_message.set(Some(said));
        });
    };
    let sent = move || {
        let me = session.get().map(|s| s.user.id).unwrap_or_default();
        data.dataset().map(|d| {
            let locale = i18n.get_locale();
            d.support_sent_by(&me)
                .into_iter()
                .map(|r| {
                    let r = SupportRequest(r);
                    let way = r.way().map(|w| member_label(support_request::NAME, field::WAY, w, locale)).unwrap_or("—");
                    view! { <li class="row-sub" data-testid="support-sent">{day(r.asked_at())}" · "{way}</li> }
                })
                .collect_view()
        })
    };
    may(Action::AskSupport).then(|| view! {
        <details class="support" data-testid="support">
            <summary>{t!(i18n, support_title)}</summary>
            <p class="muted">{t!(i18n, support_private)}</p>
            <form class="stack" on:submit=send data-testid="support-form">
                <label>
                    {t!(i18n, support_way)}
                    <select data-testid="support-way" prop:value=move || way.get() on:change=move |ev| way.set(event_target_value(&ev))>
                        {member_options(support_request::NAME, field::WAY)}
                    </select>
                </label>
                <label>
                    {t!(i18n, support_note)}
                    <textarea data-testid="support-note" maxlength="2000" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
                </label>
                <button type="submit" class="primary" data-testid="support-send">{t!(i18n, support_send)}</button>
                {move || message.get().map(|m| view! { <p class="notice" role="status" data-testid="support-message">{m}</p> })}
            </form>
            <ul class="plain"><Suspense fallback=|| ()>{sent}</Suspense></ul>
        </details>
    })
}

/// The overview's card: requests asked or arranged, the oldest asked first.
#[component]
pub fn SupportRequests() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let sync = use_sync();
    let session = use_session();
    let move_on = move |id: String, status: &'static str| {
        let me = session.get().map(|s| s.user.id).unwrap_or_default();
        let fields = moved_on(status, &me, now_ms() as i64);
        spawn_local(async move {
            if let Err(e) = sync.edit(support_request::NAME, &id, fields).await {
                leptos::logging::warn!("support request not moved on: {e}");
            }
        });
    };
    move || {
        if !may(Action::ArrangeSupport) {
            return None;
        }
        data.dataset().and_then(|d| {
            let open = d.support_open();
            (!open.is_empty()).then(|| {
                let locale = i18n.get_locale();
                let rows = open
                    .into_iter()
                    .map(|rec| {
                        let r = SupportRequest(rec);
                        let who = r.worker_id().and_then(|w| d.people.get(w)).cloned().unwrap_or_default();
                        let way = r.way().map(|w| member_label(support_request::NAME, field::WAY, w, locale)).unwrap_or("—");
                        let status = r.status().map(|s| member_label(support_request::NAME, field::STATUS, s, locale)).unwrap_or("—");
                        let asked = r.status() != Some(ARRANGED);
                        let (id_a, id_d) = (rec.id.clone(), rec.id.clone());
                        view! {
                            <li class="row" data-testid="support-request">
                                <span class="row-main">{who}" · "{way}" · "{status}</span>
                                <span class="row-sub">{day(r.asked_at())}" · "{r.note().unwrap_or_default().to_owned()}</span>
                                <span class="actions">
                                    {asked.then(|| view! {
                                        <button class="secondary" data-testid="support-arranged" on:click=move |_| move_on(id_a.clone(), ARRANGED)>{t!(i18n, support_mark_arranged)}</button>
                                    })}
                                    <button class="secondary" data-testid="support-done" on:click=move |_| move_on(id_d.clone(), DONE)>{t!(i18n, support_mark_done)}</button>
                                </span>
                            </li>
                        }
                    })
                    .collect_view();
                view! {
                    <section class="card" data-testid="support-requests">
                        <h2>{t!(i18n, support_requests_title)}</h2>
                        <p class="muted">{t!(i18n, support_requests_private)}</p>
                        <ul class="rows">{rows}</ul>
                    </section>
                }
            })
        })
    }
}
