//! A household's health education (科普宣教, issue 16): what it has received, newest first, and
//! for who may record it, the guide, the way it was given and to whom, saved offline as an
//! `education` record that the overview and the daily report count.

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::access::Action;
use model::dataset::education::given;
use model::entities::education::{self, field, CHANNELS, GUIDES};
use model::record::{Education, Household};

use crate::components::access::may;
use crate::components::field_input::{member_label, member_options};
use crate::data::use_data;
use crate::db::now_ms;
use crate::i18n::{t, t_string, use_i18n};
use crate::session::use_session;
use crate::sync::use_sync;

fn local_day(ms: i64) -> String {
    model::Date::from_china_ms(ms).to_string()
}

#[component]
pub fn EducationPanel(household: String) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let sync = use_sync();
    let session = use_session();
    let guide = RwSignal::new(GUIDES[0].to_owned());
    let channel = RwSignal::new(CHANNELS[0].to_owned());
    // Empty: the whole household.
    let to = RwSignal::new(String::new());
    let (message, set_message) = signal(None::<String>);
    let household = StoredValue::new(household);

    let history = move || {
        data.dataset().map(|d| {
            let locale = i18n.get_locale();
            let given = d.education_of(&household.get_value());
            if given.is_empty() {
                return view! { <p class="muted" data-testid="education-none">{t!(i18n, education_none)}</p> }.into_any();
            }
            let rows = given
                .into_iter()
                .map(|e| {
                    let e = Education(e);
                    let label = |f: &str, v: Option<&str>| v.map(|v| member_label(education::NAME, f, v, locale)).unwrap_or("—");
                    let whom = e
                        .resident_id()
                        .and_then(|r| d.resident(r))
                        .map(|r| r.name().to_owned())
                        .unwrap_or_else(|| t_string!(i18n, education_whole_household).to_string());
                    let when = e.given_at().map(local_day).unwrap_or_default();
                    view! {
                        <li class="row" data-testid="education-row">
                            <span class="row-main">{label(field::GUIDE, e.guide())}</span>
                            <span class="row-sub">{when}" · "{label(field::CHANNEL, e.channel())}" · "{whom}</span>
                        </li>
                    }
                })
                .collect_view();
            view! { <ul class="rows">{rows}</ul> }.into_any()
        })
    };

    let residents = move || {
        data.dataset().map(|d| {
            d.members_of(&household.get_value())
                .filter(|r| r.is_active())
                .map(|r| view! { <option value=r.id().to_owned()>{r.name().to_owned()}</option> })
                .collect_view()
        })
    };

    let record = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(d) = data.dataset_untracked() else {
            return;
        };
        let h = household.get_value();
        let Some(grid) = d
            .households
            .get(&h)
            .and_then(|r| Household(r).grid_id())
            .map(str::to_owned)
        else {
            return;
        };
        let worker = session.get().map(|s| s.user.id).unwrap_or_default();
        let whom = to.get_untracked();
        let fields = given(
            &grid,
            &h,
            Some(whom.as_str()),
            &guide.get_untracked(),
            &channel.get_untracked(),
            &worker,
            now_ms() as i64,
        );
        let id = model::record::new_id();
        spawn_local(async move {
            let said = match sync.edit(education::NAME, &id, fields).await {
                Ok(_) => t_string!(i18n, education_saved).to_string(),
                Err(e) => e.message(i18n.get_locale_untracked()),
            };
            set_message.set(Some(said));
        });
    };

    view! {
        <section class="education" data-testid="education">
            <h2>{t!(i18n, education_title)}</h2>
            <Suspense fallback=|| ()>{history}</Suspense>
            {may(Action::RecordEducation).then(|| view! {
                <form on:submit=record data-testid="education-form">
                    <div class="field">
                        <label for="education-guide">{t!(i18n, education_guide)}</label>
                        <select id="education-guide" data-testid="education-guide" prop:value=move || guide.get() on:change=move |ev| guide.set(event_target_value(&ev))>
                            {member_options(education::NAME, field::GUIDE)}
                        </select>
                    </div>
                    <div class="field">
                        <label for="education-channel">{t!(i18n, education_channel)}</label>
                        <select id="education-channel" data-testid="education-channel" prop:value=move || channel.get() on:change=move |ev| channel.set(event_target_value(&ev))>
                            {member_options(education::NAME, field::CHANNEL)}
                        </select>
                    </div>
                    <div class="field">
                        <label for="education-to">{t!(i18n, education_resident)}</label>
                        <select id="education-to" data-testid="education-to" prop:value=move || to.get() on:change=move |ev| to.set(event_target_value(&ev))>
                            <option value="">{t!(i18n, education_whole_household)}</option>
                            <Suspense fallback=|| ()>{residents}</Suspense>
                        </select>
                    </div>
                    <button type="submit" class="primary" data-testid="education-save">{t!(i18n, education_record)}</button>
                    {move || message.get().map(|m| view! { <p class="notice" role="status" data-testid="education-message">{m}</p> })}
                </form>
            })}
        </section>
    }
}
