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
pub mod pages;
pub mod session;

use leptos::prelude::*;
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::path;

use crate::components::app_header::AppHeader;
use crate::i18n::I18nContextProvider;
use crate::pages::{home::HomePage, login::LoginPage};

#[component]
pub fn App() -> impl IntoView {
    session::provide_session();
    view! {
        <I18nContextProvider>
            <components::lang_switch::RememberedLocale />
            <Router>
                <AppHeader />
                <main class="page">
                    <Routes fallback=|| view! { <Redirect path="/" /> }>
                        <Route path=path!("/") view=HomePage />
                        <Route path=path!("/login") view=LoginPage />
                    </Routes>
                </main>
            </Router>
        </I18nContextProvider>
    }
}
