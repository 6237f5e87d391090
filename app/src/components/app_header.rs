//! The header on every page: the app's name, where the data stands, and the language switch.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::lang_switch::LangSwitch;
use crate::components::sync_badge::SyncBadge;
use crate::i18n::{t, use_i18n};
use crate::session::use_session;

#[component]
pub fn AppHeader() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    view! {
        <header class="app-header">
            <A href="/" attr:class="brand" attr:data-testid="brand">{t!(i18n, app_name)}</A>
            <Show when=move || session.is_logged_in()>
                <SyncBadge />
            </Show>
            <LangSwitch />
        </header>
        <Show when=move || session.is_logged_in()>
            <nav class="tabs">
                <A href="/" exact=true>{t!(i18n, nav_home)}</A>
                <A href="/residents" attr:data-testid="nav-residents">{t!(i18n, nav_residents)}</A>
                <A href="/sync">{t!(i18n, nav_sync)}</A>
            </nav>
        </Show>
    }
}
