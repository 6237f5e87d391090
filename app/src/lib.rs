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
pub mod data;
pub mod db;
pub mod download;
pub mod pages;
pub mod session;
pub mod sync;

use leptos::prelude::*;
use leptos_router::components::{Outlet, ParentRoute, Redirect, Route, Router, Routes};
use leptos_router::path;

use crate::components::app_header::AppHeader;
use crate::components::load_error::LoadError;
use crate::components::record_form::by_id_param;
use crate::i18n::I18nContextProvider;
use crate::pages::{
    deliveries::DeliveriesPage, home::HomePage, household::HouseholdForm,
    households::HouseholdsPage, import::ImportPage, landing::Landing, ledger::LedgerPage,
    login::LoginPage, need::NeedForm, needs::NeedsPage, overview::OverviewPage, packs::PacksPage,
    resident::ResidentForm, residents::ResidentsPage, services::ServicesPage,
    supplies::SuppliesPage, sync_status::SyncPage, today::TodayPage, users::UsersPage,
    visit::visit_route, visit_edit::VisitCorrection,
};

#[component]
pub fn App() -> impl IntoView {
    session::provide_session();
    sync::provide_sync();
    data::provide_data();
    view! {
        <I18nContextProvider>
            <components::lang_switch::RememberedLocale />
            <Router>
                <AppHeader />
                <main class="page">
                    <Routes fallback=|| view! { <Redirect path="/" /> }>
                        <Route path=path!("/") view=Landing />
                        <Route path=path!("/me") view=HomePage />
                        <Route path=path!("/login") view=LoginPage />
                        <Route path=path!("/sync") view=SyncPage />
                        <ParentRoute path=path!("") view=DataPages>
                            <Route path=path!("/today") view=TodayPage />
                            <Route path=path!("/households") view=HouseholdsPage />
                            <Route path=path!("/households/:id") view=|| by_id_param(|id| view! { <HouseholdForm id=id /> }) />
                            <Route path=path!("/residents") view=ResidentsPage />
                            <Route path=path!("/residents/:id") view=|| by_id_param(|id| view! { <ResidentForm id=id /> }) />
                            <Route path=path!("/visit/new") view=|| visit_route() />
                            <Route path=path!("/visits/:id") view=|| by_id_param(|id| view! { <VisitCorrection id=id /> }) />
                            <Route path=path!("/ledger") view=LedgerPage />
                            <Route path=path!("/overview") view=OverviewPage />
                            <Route path=path!("/needs") view=NeedsPage />
                            <Route path=path!("/needs/:id") view=|| by_id_param(|id| view! { <NeedForm id=id /> }) />
                            <Route path=path!("/services") view=ServicesPage />
                            <Route path=path!("/deliveries") view=DeliveriesPage />
                            <Route path=path!("/supplies") view=SuppliesPage />
                            <Route path=path!("/packs") view=PacksPage />
                            <Route path=path!("/users") view=UsersPage />
                            <Route path=path!("/import") view=ImportPage />
                        </ParentRoute>
                    </Routes>
                </main>
            </Router>
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
