//! The worker's reminder settings on the user card: reminders on or off (asking the browser for
//! permission to notify), and the hour of the daily summary.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::{t, use_i18n};
use crate::reminders::{ask_permission, load, permission, save, use_reminders};

#[component]
pub fn ReminderSettings() -> impl IntoView {
    let i18n = use_i18n();
    let reminders = use_reminders();
    let settings = RwSignal::new(load());
    let (state, set_state) = signal(permission());
    let store = move |f: &dyn Fn(&mut crate::reminders::Settings)| {
        settings.update(|s| f(s));
        save(&settings.get_untracked());
        reminders.changed.update(|n| *n += 1);
    };
    let toggle = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        store(&|s| s.enabled = on);
        if on && permission() != "granted" {
            spawn_local(async move {
                set_state.set(ask_permission().await);
                reminders.changed.update(|n| *n += 1);
            });
        }
    };
    let hours = (0u8..24)
        .map(|h| view! { <option value=h.to_string() selected=move || settings.get().hour == h>{format!("{h:02}:00")}</option> })
        .collect_view();
    view! {
        <section class="card" data-testid="reminders">
            <h2>{t!(i18n, reminders_title)}</h2>
            <label class="check">
                <input type="checkbox" data-testid="reminders-on" prop:checked=move || settings.get().enabled on:change=toggle />
                {t!(i18n, reminders_on)}
            </label>
            <div class="field">
                <label for="reminder-hour">{t!(i18n, reminders_hour)}</label>
                <select id="reminder-hour" data-testid="reminders-hour" on:change=move |ev| {
                    let h = event_target_value(&ev).parse().unwrap_or(8);
                    store(&|s| {
                        s.hour = h;
                        // A new hour may come again today.
                        s.summarised_on = None;
                    });
                }>{hours}</select>
            </div>
            {move || (settings.get().enabled && state.get() == "denied").then(|| view! {
                <p class="field-error" role="alert" data-testid="reminders-denied">{t!(i18n, reminders_denied)}</p>
            })}
            {move || (state.get() == "unsupported").then(|| view! {
                <p class="muted">{t!(i18n, reminders_unsupported)}</p>
            })}
        </section>
    }
}
