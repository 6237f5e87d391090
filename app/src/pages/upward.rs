//! The level above's page (`/upward`, issue 17): the street office's queue of the needs its
//! communities escalated, unanswered first, each with whom it is for, how to call them, where
//! they live and what is asked; each answered received, in hand, handled or returned with a note,
//! saved offline and sent back to the community's board. Below, the reports its communities sent.

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::access::Action;
use model::dataset::upward::{answer, UpwardFilter};
use model::entities::need::{self, field, UPWARD_STATUSES};
use model::record::Need;

use crate::components::access::may;
use crate::components::field_input::{member_label, member_options};
use crate::components::reports_sent::ReportsSent;
use crate::components::upward_answer::{upward_of, Upward};
use crate::data::use_data;
use crate::db::now_ms;
use crate::i18n::{t, t_string, use_i18n, Locale};
use crate::sync::use_sync;

#[component]
pub fn UpwardPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let filter = RwSignal::new(UpwardFilter::Unanswered);
    let queue = move || {
        data.dataset().map(|d| {
            let list = d.upward_queue(&filter.get());
            if list.is_empty() {
                return view! { <li><p class="muted" data-testid="upward-none">{t!(i18n, upward_none)}</p></li> }.into_any();
            }
            let locale = i18n.get_locale();
            list.into_iter()
                .map(|record| {
                    let n = Need(record);
                    let label = |f: &str, m: &str| member_label(need::NAME, f, m, locale);
                    let person = n.resident_id().and_then(|r| d.resident(r));
                    let who = person.map(|r| r.name().to_owned()).unwrap_or_default();
                    let phone = person.and_then(|r| r.view().phone()).map(str::to_owned);
                    let address = person.map(|r| d.address_of_resident(r)).unwrap_or_default();
                    let kind = n.kind().map(|k| label(field::KIND, k)).unwrap_or("—");
                    let urgency = n.urgency().unwrap_or(need::NORMAL);
                    let raised = n.created_at().map(|ms| model::Date::from_china_ms(ms).to_string()).unwrap_or_default();
                    view! {
                        <li class=format!("card upward-item urgency-{urgency}") data-testid="upward-item" data-need=record.id.clone()>
                            <p class="row-main">{kind}" · "{who}" · "{label(field::URGENCY, urgency)}</p>
                            <p class="row-sub">{d.grid_name(n.grid_id()).to_owned()}" · "{address}" · "{t!(i18n, upward_raised, date = raised)}</p>
                            <p>{n.description().unwrap_or_default().to_owned()}</p>
                            // The number beside, the button short: at twice the text size it still fits a phone.
                            {phone.map(|p| view! {
                                <p class="row-sub">{p.clone()}</p>
                                <a class="button secondary call" href=format!("tel:{p}") data-testid="upward-call"
                                    aria-label=format!("{} {p}", t_string!(i18n, call))>{t!(i18n, call)}</a>
                            })}
                            {upward_of(record).map(Upward::view)}
                            {may(Action::AnswerEscalation).then(|| view! { <AnswerForm id=record.id.clone() current=n.upward_status().map(str::to_owned) /> })}
                        </li>
                    }
                })
                .collect_view()
                .into_any()
        })
    };
    let chip = move |f: UpwardFilter, testid: &'static str, text: Signal<String>| {
        let on = f.clone();
        view! {
            <button class="toggle" class:on=move || filter.get() == on data-testid=testid
                on:click=move |_| filter.set(f.clone())>{text}</button>
        }
    };
    let status_chips = move || {
        UPWARD_STATUSES
            .iter()
            .map(|s| {
                let text = Signal::derive(move || {
                    member_label(need::NAME, field::UPWARD_STATUS, s, i18n.get_locale()).to_owned()
                });
                chip(
                    UpwardFilter::Status((*s).to_owned()),
                    "upward-filter-status",
                    text,
                )
            })
            .collect_view()
    };
    view! {
        <section data-testid="upward">
            <h1>{t!(i18n, upward_title)}</h1>
            <p class="muted">{t!(i18n, upward_intro)}</p>
            <div class="chips" data-testid="upward-filters">
                {chip(UpwardFilter::Unanswered, "upward-filter-unanswered", Signal::derive(move || t_string!(i18n, upward_unanswered).to_owned()))}
                {status_chips}
                {chip(UpwardFilter::All, "upward-filter-all", Signal::derive(move || t_string!(i18n, filter_all).to_owned()))}
            </div>
            <Suspense fallback=|| ()><ul class="rows">{queue}</ul></Suspense>
            <section class="card" data-testid="upward-reports">
                <h2>{t!(i18n, upward_reports)}</h2>
                <Suspense fallback=|| ()><ReportsSent figures=true /></Suspense>
            </section>
        </section>
    }
}

/// The answer to one need: a status and a note, saved as one edit.
#[component]
fn AnswerForm(id: String, current: Option<String>) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let status = RwSignal::new(current.unwrap_or_else(|| need::RECEIVED.to_owned()));
    let note = RwSignal::new(String::new());
    let (message, set_message) = signal(None::<(bool, String)>);
    let id = StoredValue::new(id);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let locale = i18n.get_locale_untracked();
        let edits = match answer(
            &status.get_untracked(),
            &note.get_untracked(),
            now_ms() as i64,
        ) {
            Ok(edits) => edits,
            Err(p) => {
                let said = match locale {
                    Locale::zh => p.zh(),
                    Locale::en => p.en(),
                };
                set_message.set(Some((false, said.to_owned())));
                return;
            }
        };
        spawn_local(async move {
            let said = match sync.edit(need::NAME, &id.get_value(), edits).await {
                Ok(_) => (true, t_string!(i18n, upward_saved).to_string()),
                Err(e) => (false, e.message(locale)),
            };
            set_message.set(Some(said));
        });
    };
    view! {
        <form class="stack" on:submit=save novalidate data-testid="upward-form">
            <label>
                {t!(i18n, upward_status)}
                <select data-testid="upward-status" prop:value=move || status.get() on:change=move |ev| status.set(event_target_value(&ev))>
                    {member_options(need::NAME, field::UPWARD_STATUS)}
                </select>
            </label>
            <label>
                {t!(i18n, upward_note)}
                <textarea data-testid="upward-note" maxlength="2000" prop:value=move || note.get() on:input=move |ev| note.set(event_target_value(&ev))></textarea>
            </label>
            <button type="submit" class="primary" data-testid="upward-save">{t!(i18n, upward_answer)}</button>
            {move || message.get().map(|(ok, m)| {
                let class = if ok { "notice" } else { "field-error" };
                view! { <p class=class role="status" data-testid="upward-message">{m}</p> }
            })}
        </form>
    }
}
