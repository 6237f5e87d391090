//! The header on every page: the app's name and the language switch.

use leptos::prelude::*;

use crate::components::lang_switch::LangSwitch;
use crate::i18n::{t, use_i18n};

#[component]
pub fn AppHeader() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <header class="app-header">
            <span class="brand" data-testid="brand">{t!(i18n, app_name)}</span>
            <LangSwitch />
        </header>
    }
}
