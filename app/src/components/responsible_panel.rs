//! Who answers for a household (责任人, issue 16): every staff role sees the name, or that nobody
//! does yet; who may assign (`Action::AssignResponsible`: admins, supervisors, grid workers) picks
//! a grid worker or building leader of the door's grid, or nobody, saved offline like any edit. A building leader's
//! own doors are theirs to keep, not to hand on.

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::access::Action;
use model::entities::household::{self, field};
use model::record::Household;
use serde_json::Value;

use crate::components::access::may;
use crate::data::use_data;
use crate::i18n::{t, t_string, use_i18n};
use crate::sync::use_sync;

#[component]
pub fn ResponsiblePanel(household: String) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let sync = use_sync();
    let household = StoredValue::new(household);
    let chosen = RwSignal::new(String::new());
    let (message, set_message) = signal(None::<String>);

    // The select starts at whoever answers now, and follows a sync that changes it.
    Effect::new(move |_| {
        let now = data.dataset().and_then(|d| {
            let h = d.households.get(&household.get_value())?;
            Household(h).responsible_id().map(str::to_owned)
        });
        chosen.set(now.unwrap_or_default());
    });

    let name = move || {
        data.dataset()
            .map(|d| match d.responsible_of(&household.get_value()) {
                Some(n) => n.to_owned(),
                None => t_string!(i18n, responsible_nobody).to_string(),
            })
    };
    // Only who works in the door's grid: anyone else could not see it (the server refuses them).
    let options = move || {
        data.dataset().map(|d| {
            let grid = d
                .households
                .get(&household.get_value())
                .and_then(|h| Household(h).grid_id())
                .unwrap_or_default();
            d.answerers_of(grid)
                .iter()
                .map(|(id, name)| {
                    let id = id.clone();
                    let on = id.clone();
                    view! { <option value=id selected=move || chosen.get() == on>{name.clone()}</option> }
                })
                .collect_view()
        })
    };

    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let who = chosen.get_untracked();
        let value = match who.is_empty() {
            true => Value::Null,
            false => Value::String(who),
        };
        let edit = vec![(field::RESPONSIBLE_ID.to_owned(), value)];
        let id = household.get_value();
        spawn_local(async move {
            let said = match sync.edit(household::NAME, &id, edit).await {
                Ok(_) => t_string!(i18n, responsible_saved).to_string(),
                Err(e) => e.message(i18n.get_locale_untracked()),
            };
            set_message.set(Some(said));
        });
    };

    view! {
        <section class="responsible" data-testid="responsible">
            <p>
                <strong>{t!(i18n, responsible_title)}"："</strong>
                <span data-testid="responsible-name"><Suspense fallback=|| ()>{name}</Suspense></span>
            </p>
            {may(Action::AssignResponsible).then(|| view! {
                <form class="stack" on:submit=save data-testid="responsible-form">
                    <label for="responsible-select">{t!(i18n, responsible_choose)}</label>
                    <select id="responsible-select" data-testid="responsible-select"
                        prop:value=move || chosen.get()
                        on:change=move |ev| chosen.set(event_target_value(&ev))>
                        <option value="">{t!(i18n, responsible_nobody)}</option>
                        <Suspense fallback=|| ()>{options}</Suspense>
                    </select>
                    <button type="submit" class="secondary" data-testid="responsible-save">{t!(i18n, responsible_save)}</button>
                    {move || message.get().map(|m| view! { <p class="notice" role="status" data-testid="responsible-message">{m}</p> })}
                </form>
            })}
        </section>
    }
}
