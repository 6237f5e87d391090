//! Knock's app: the root component, its contexts and routes.

// The build-script code generator that replaces this macro pulls ICU's data exporter into every
// build; the macro reads the same locale files at a fraction of the compile time.
#[allow(deprecated)]
mod locales {
    leptos_i18n::load_locales!();
}
pub use locales::i18n;

pub mod access;
pub mod api;
pub mod browser;
pub mod components;
pub mod data;
pub mod db;
pub mod download;
pub mod guides;
pub mod json;
pub mod later;
pub mod pages;
pub mod reminders;
pub mod session;
pub mod sync;

use leptos::prelude::*;
use leptos_router::components::{Outlet, ParentRoute, Route, Router, Routes};
use leptos_router::path;
use model::access::Page;

use crate::components::access::{provide_refusal, Allowed, RefusalNotice};
use crate::components::app_header::AppHeader;
use crate::components::load_error::LoadError;
use crate::i18n::I18nContextProvider;
use crate::later::{later, route};
use crate::pages::{landing::Landing, login::LoginPage, not_found::NotFoundPage, today::TodayPage};

#[component]
pub fn App() -> impl IntoView {
    browser::mark("knock:app");
    session::provide_session();
    sync::provide_sync();
    later::provide_preload();
    data::provide_data();
    provide_refusal();
    view! {
        <I18nContextProvider>
            <components::lang_switch::RememberedLocale />
            <reminders::RemindersProvider>
            <Router>
                <AppHeader />
                <main class="page">
                    <RefusalNotice />
                    <Routes fallback=NotFoundPage>
                        <Route path=path!("/") view=Landing />
                        <Route path=path!("/me") view={later(route::ME)} />
                        <Route path=path!("/login") view=LoginPage />
                        <Route path=path!("/sync") view={later(route::SYNC)} />
                        <Route path=path!("/guides") view={later(route::GUIDES)} />
                        <Route path=path!("/guides/:id") view={later(route::GUIDE)} />
                        <ParentRoute path=path!("") view=DataPages>
                            <Route path=path!("/today") view=|| view! { <Allowed page=Page::Today><TodayPage /></Allowed> } />
                            <Route path=path!("/households") view={later(route::HOUSEHOLDS)} />
                            <Route path=path!("/households/:id") view={later(route::HOUSEHOLD)} />
                            <Route path=path!("/residents") view={later(route::RESIDENTS)} />
                            <Route path=path!("/residents/:id") view={later(route::RESIDENT)} />
                            <Route path=path!("/visit/new") view={later(route::VISIT_NEW)} />
                            <Route path=path!("/visits/:id") view={later(route::VISIT)} />
                            <Route path=path!("/ledger") view={later(route::LEDGER)} />
                            <Route path=path!("/gatherings") view={later(route::GATHERINGS)} />
                            <Route path=path!("/gatherings/:id") view={later(route::GATHERING)} />
                            <Route path=path!("/spot-checks") view={later(route::SPOT_CHECKS)} />
                            <Route path=path!("/upward") view={later(route::UPWARD)} />
                            <Route path=path!("/rota") view={later(route::ROTA)} />
                            <Route path=path!("/vaccination") view={later(route::VACCINATION)} />
                            <Route path=path!("/print/visits") view={later(route::VISIT_SHEET)} />
                            <Route path=path!("/overview") view={later(route::OVERVIEW)} />
                            <Route path=path!("/needs") view={later(route::NEEDS)} />
                            <Route path=path!("/needs/:id") view={later(route::NEED)} />
                            <Route path=path!("/services") view={later(route::SERVICES)} />
                            <Route path=path!("/services/:id") view={later(route::FACILITY)} />
                            <Route path=path!("/deliveries") view={later(route::DELIVERIES)} />
                            <Route path=path!("/supplies") view={later(route::SUPPLIES)} />
                            <Route path=path!("/packs") view={later(route::PACKS)} />
                            <Route path=path!("/users") view={later(route::USERS)} />
                            <Route path=path!("/import") view={later(route::IMPORT)} />
                        </ParentRoute>
                    </Routes>
                </main>
            </Router>
            </reminders::RemindersProvider>
        </I18nContextProvider>
    }
}

/// The pages that show the device's records: when those could not be read, the notice with its
/// retry button stands in for the page, which would otherwise look empty.
#[component]
fn DataPages() -> impl IntoView {
    let data = data::use_data();
    view! {
        <Show
            when=move || data.error().is_none()
            fallback=move || view! { <LoadError on_retry=move |_| data.reload() /> }
        >
            <Outlet />
        </Show>
    }
}
