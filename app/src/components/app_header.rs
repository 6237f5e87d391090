//! The header on every page: the app's name, where the data stands, and the language switch.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::lang_switch::LangSwitch;
use crate::components::sync_badge::SyncBadge;
use crate::i18n::{t, use_i18n};
use crate::session::use_session;
use model::Role;

#[component]
pub fn AppHeader() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let navigate = leptos_router::hooks::use_navigate();
    // The server refused the token while the person was on some page: take them to log in.
    Effect::new(move || {
        if session.expired.get() {
            navigate("/login", Default::default());
        }
    });
    view! {
        <header class="app-header">
            <A href="/" attr:class="brand" attr:data-testid="brand">{t!(i18n, app_name)}</A>
            <Show when=move || session.is_logged_in()>
                <SyncBadge />
            </Show>
            <LangSwitch />
        </header>
        <Show when=move || session.is_logged_in()>
            {move || if session.get().is_some_and(|s| s.user.role == Role::Volunteer) {
                // A volunteer sees no health data: their whole app is the delivery list.
                view! {
                    <nav class="tabs">
                        <A href="/deliveries" attr:data-testid="nav-deliveries">{t!(i18n, nav_deliveries)}</A>
                        <A href="/me" attr:data-testid="nav-home">{t!(i18n, nav_more)}</A>
                    </nav>
                }.into_any()
            } else if session.get().is_some_and(|s| matches!(s.user.role, Role::Supervisor | Role::Admin)) {
                // Supervisors look across grids first; the door-to-door lists are a tab away.
                view! {
                    <nav class="tabs">
                        <A href="/overview" attr:data-testid="nav-overview">{t!(i18n, nav_overview)}</A>
                        <A href="/needs" attr:data-testid="nav-needs">{t!(i18n, nav_needs)}</A>
                        <A href="/ledger" attr:data-testid="nav-ledger">{t!(i18n, nav_ledger)}</A>
                        {session.get().is_some_and(|s| s.user.role == Role::Admin).then(|| view! {
                            <A href="/users" attr:data-testid="nav-users">{t!(i18n, users_tab)}</A>
                        })}
                        // Importing rosters is the office's job, so it sits with the office's tabs.
                        <A href="/import" attr:data-testid="nav-import">{t!(i18n, import_nav)}</A>
                        <A href="/me" attr:data-testid="nav-home">{t!(i18n, nav_more)}</A>
                    </nav>
                }.into_any()
            } else {
                view! {
                    <nav class="tabs">
                        <A href="/today" attr:data-testid="nav-today">{t!(i18n, nav_today)}</A>
                        <A href="/households" attr:data-testid="nav-households">{t!(i18n, nav_households)}</A>
                        <A href="/ledger" attr:data-testid="nav-ledger">{t!(i18n, nav_ledger)}</A>
                        <A href="/needs" attr:data-testid="nav-needs">{t!(i18n, nav_needs)}</A>
                        <A href="/me" attr:data-testid="nav-home">{t!(i18n, nav_more)}</A>
                    </nav>
                }.into_any()
            }}
        </Show>
    }
}
