//! The one-tap language switch and the memory of the choice: Chinese unless the user picked
//! English on this device, whatever the browser's own language.

use gloo_storage::{LocalStorage, Storage};
use leptos::prelude::*;

use crate::i18n::{t, use_i18n, Locale};

const LOCALE_KEY: &str = "knock.locale";

/// Applies the remembered locale once at start. In an effect: the i18n context sets its own
/// first guess (the browser's language) from an effect, and ours must run after it.
#[component]
pub fn RememberedLocale() -> impl IntoView {
    let i18n = use_i18n();
    let locale = match LocalStorage::get::<String>(LOCALE_KEY).ok().as_deref() {
        Some("en") => Locale::en,
        _ => Locale::zh,
    };
    Effect::new(move |_| i18n.set_locale(locale));
}

#[component]
pub fn LangSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let toggle = move |_| {
        let next = match i18n.get_locale() {
            Locale::zh => Locale::en,
            Locale::en => Locale::zh,
        };
        let _ = LocalStorage::set(LOCALE_KEY, if next == Locale::en { "en" } else { "zh" });
        i18n.set_locale(next);
    };
    view! {
        <button
            class="lang-switch"
            data-testid="lang-switch"
            on:click=toggle
            aria-label=move || t_string_label(i18n.get_locale())
        >
            {t!(i18n, switch_language)}
        </button>
    }
}

fn t_string_label(current: Locale) -> &'static str {
    match current {
        Locale::zh => "切换到英文 / Switch to English",
        Locale::en => "Switch to Chinese / 切换到中文",
    }
}
