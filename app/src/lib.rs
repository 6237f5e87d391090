//! Knock's app: the root component, its contexts and routes.

// The build-script code generator that replaces this macro pulls ICU's data exporter into every
// build; the macro reads the same locale files at a fraction of the compile time.
#[allow(deprecated)]
mod locales {
    leptos_i18n::load_locales!();
}
pub use locales::i18n;

pub mod api;
pub mod components;
pub mod db;
pub mod pages;
pub mod session;
pub mod sync;

use leptos::prelude::*;
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::path;

use crate::components::app_header::AppHeader;
use crate::i18n::I18nContextProvider;
use crate::pages::{
    home::HomePage, login::LoginPage, resident::ResidentPage, residents::ResidentsPage,
    sync_status::SyncPage,
};

#[component]
pub fn App() -> impl IntoView {
    session::provide_session();
    sync::provide_sync();
    view! {
        <I18nContextProvider>
            <components::lang_switch::RememberedLocale />
            <Router>
                <AppHeader />
                <main class="page">
                    <Routes fallback=|| view! { <Redirect path="/" /> }>
                        <Route path=path!("/") view=HomePage />
                        <Route path=path!("/login") view=LoginPage />
                        <Route path=path!("/residents") view=ResidentsPage />
                        <Route path=path!("/residents/:id") view=ResidentPage />
                        <Route path=path!("/sync") view=SyncPage />
                    </Routes>
                </main>
            </Router>
        </I18nContextProvider>
    }
}
