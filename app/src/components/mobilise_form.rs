//! Recording one vaccination mobilisation attempt (接种动员) for a resident: agreed, refused with
//! a reason, or vaccinated on a date. A vaccination also gives the resident one dose more and its
//! date, in the same transaction, so they leave the list at once.

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::entities::mobilisation;
use model::entities::resident;
use model::vaccination::{attempt, check, dose_given};
use model::Date;

use crate::components::field_input::member_options;
use crate::data::{today, use_data};
use crate::db::now_ms;
use crate::i18n::{t, t_string, use_i18n, Locale};
use crate::session::use_session;
use crate::sync::use_sync;

/// `on_saved` gets what to say once the attempt is saved: the list is drawn again from the new
/// records then, this form with it.
#[component]
pub fn MobiliseForm(resident_id: String, on_saved: Callback<String>) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let sync = use_sync();
    let session = use_session();
    let outcome = RwSignal::new(mobilisation::AGREED.to_owned());
    let reason = RwSignal::new(String::new());
    let day = RwSignal::new(today().to_string());
    let (message, set_message) = signal(None::<String>);
    let rid = StoredValue::new(resident_id);

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(d) = data.dataset_untracked() else {
            return;
        };
        let Some(r) = d.resident(&rid.get_value()) else {
            return;
        };
        let locale = i18n.get_locale_untracked();
        let (o, why) = (outcome.get_untracked(), reason.get_untracked());
        let on = Date::parse(day.get_untracked().trim());
        if let Err(p) = check(&o, &why, on, today()) {
            set_message.set(Some(
                match locale {
                    Locale::zh => p.zh(),
                    Locale::en => p.en(),
                }
                .to_owned(),
            ));
            return;
        }
        let v = r.view();
        let worker = session.get().map(|s| s.user.id).unwrap_or_default();
        let fields = attempt(
            v.grid_id().unwrap_or_default(),
            r.id(),
            v.household_id(),
            &o,
            &why,
            on,
            &worker,
            now_ms() as i64,
        );
        let mut edits = vec![(
            mobilisation::NAME.to_owned(),
            model::record::new_id(),
            fields,
        )];
        if let (mobilisation::VACCINATED, Some(on)) = (o.as_str(), on) {
            edits.push((
                resident::NAME.to_owned(),
                r.id().to_owned(),
                dose_given(&r.record, on),
            ));
        }
        spawn_local(async move {
            match sync.edit_many(edits).await {
                Ok(_) => on_saved.run(t_string!(i18n, mobilise_saved).to_string()),
                Err(e) => set_message.set(Some(e.message(locale))),
            }
        });
    };

    view! {
        <form class="mobilise-form" on:submit=save data-testid="mobilise-form">
            <div class="field">
                <label>{t!(i18n, mobilise_outcome)}
                    <select data-testid="mobilise-outcome" prop:value=move || outcome.get() on:change=move |ev| outcome.set(event_target_value(&ev))>
                        {member_options(mobilisation::NAME, mobilisation::field::OUTCOME)}
                    </select>
                </label>
            </div>
            <Show when=move || outcome.get() == mobilisation::REFUSED>
                <div class="field">
                    <label>{t!(i18n, mobilise_reason)}
                        <input data-testid="mobilise-reason" prop:value=move || reason.get() on:input=move |ev| reason.set(event_target_value(&ev)) />
                    </label>
                </div>
            </Show>
            <Show when=move || outcome.get() == mobilisation::VACCINATED>
                <div class="field">
                    <label>{t!(i18n, mobilise_date)}
                        <input type="date" data-testid="mobilise-date" prop:value=move || day.get() on:input=move |ev| day.set(event_target_value(&ev)) />
                    </label>
                </div>
            </Show>
            <button type="submit" class="primary" data-testid="mobilise-save">{t!(i18n, mobilise_save)}</button>
            {move || message.get().map(|m| view! { <p class="notice" role="status" data-testid="mobilise-message">{m}</p> })}
        </form>
    }
}
