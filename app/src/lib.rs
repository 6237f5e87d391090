//! Knock's app: the root component, its contexts and routes.

// The build-script code generator that replaces this macro pulls ICU's data exporter into every
// build; the macro reads the same locale files at a fraction of the compile time.
#[allow(deprecated)]
mod locales {
    leptos_i18n::load_locales!();
}
pub use locales::i18n;

pub mod api;
pub mod browser;
pub mod components;
pub mod data;
pub mod db;
pub mod download;
pub mod guides;
pub mod pages;
pub mod reminders;
pub mod session;
pub mod sync;

use leptos::prelude::*;
use leptos_router::components::{Outlet, ParentRoute, Route, Router, Routes};
use leptos_router::path;
use model::access::{Action, Page};

use crate::components::access::{provide_refusal, Allowed, RefusalNotice};
use crate::components::app_header::AppHeader;
use crate::components::load_error::LoadError;
use crate::components::record_form::by_id_param;
use crate::i18n::I18nContextProvider;
use crate::pages::{
    deliveries::DeliveriesPage, facility::FacilityForm, gathering::GatheringForm,
    gatherings::GatheringsPage, guide::GuidePage, guides::GuidesPage, home::HomePage,
    household::HouseholdForm, households::HouseholdsPage, import::ImportPage, landing::Landing,
    ledger::LedgerPage, login::LoginPage, need::NeedForm, needs::NeedsPage,
    not_found::NotFoundPage, overview::OverviewPage, packs::PacksPage, resident::ResidentForm,
    residents::ResidentsPage, rota::RotaPage, services::ServicesPage, spot_checks::SpotChecksPage,
    supplies::SuppliesPage, sync_status::SyncPage, today::TodayPage, upward::UpwardPage,
    users::UsersPage, vaccination::VaccinationPage, visit::visit_route,
    visit_edit::VisitCorrection, visit_sheet::VisitSheetPage,
};

#[component]
pub fn App() -> impl IntoView {
    browser::mark("knock:app");
    session::provide_session();
    sync::provide_sync();
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
                        <Route path=path!("/me") view=|| view! { <Allowed page=Page::Me><HomePage /></Allowed> } />
                        <Route path=path!("/login") view=LoginPage />
                        <Route path=path!("/sync") view=|| view! { <Allowed page=Page::Sync><SyncPage /></Allowed> } />
                        <Route path=path!("/guides") view=|| view! { <Allowed page=Page::Guides><GuidesPage /></Allowed> } />
                        <Route path=path!("/guides/:id") view=|| view! { <Allowed page=Page::Guides>{by_id_param(|id| view! { <GuidePage id=id /> })}</Allowed> } />
                        <ParentRoute path=path!("") view=DataPages>
                            <Route path=path!("/today") view=|| view! { <Allowed page=Page::Today><TodayPage /></Allowed> } />
                            <Route path=path!("/households") view=|| view! { <Allowed page=Page::Households><HouseholdsPage /></Allowed> } />
                            <Route path=path!("/households/:id") view=|| view! { <Allowed page=Page::Household new=Action::AddHousehold>{by_id_param(|id| view! { <HouseholdForm id=id /> })}</Allowed> } />
                            <Route path=path!("/residents") view=|| view! { <Allowed page=Page::Residents><ResidentsPage /></Allowed> } />
                            <Route path=path!("/residents/:id") view=|| view! { <Allowed page=Page::Resident new=Action::AddResident>{by_id_param(|id| view! { <ResidentForm id=id /> })}</Allowed> } />
                            <Route path=path!("/visit/new") view=|| view! { <Allowed page=Page::Visit>{visit_route()}</Allowed> } />
                            <Route path=path!("/visits/:id") view=|| view! { <Allowed page=Page::Visit>{by_id_param(|id| view! { <VisitCorrection id=id /> })}</Allowed> } />
                            <Route path=path!("/ledger") view=|| view! { <Allowed page=Page::Ledger><LedgerPage /></Allowed> } />
                            <Route path=path!("/gatherings") view=|| view! { <Allowed page=Page::Gatherings><GatheringsPage /></Allowed> } />
                            <Route path=path!("/gatherings/:id") view=|| view! { <Allowed page=Page::Gathering new=Action::EditGathering>{by_id_param(|id| view! { <GatheringForm id=id /> })}</Allowed> } />
                            <Route path=path!("/spot-checks") view=|| view! { <Allowed page=Page::SpotChecks><SpotChecksPage /></Allowed> } />
                            <Route path=path!("/upward") view=|| view! { <Allowed page=Page::Upward><UpwardPage /></Allowed> } />
                            <Route path=path!("/rota") view=|| view! { <Allowed page=Page::Rota><RotaPage /></Allowed> } />
                            <Route path=path!("/vaccination") view=|| view! { <Allowed page=Page::Vaccination><VaccinationPage /></Allowed> } />
                            <Route path=path!("/print/visits") view=|| view! { <Allowed page=Page::VisitSheet><VisitSheetPage /></Allowed> } />
                            <Route path=path!("/overview") view=|| view! { <Allowed page=Page::Overview><OverviewPage /></Allowed> } />
                            <Route path=path!("/needs") view=|| view! { <Allowed page=Page::Needs><NeedsPage /></Allowed> } />
                            <Route path=path!("/needs/:id") view=|| view! { <Allowed page=Page::Need new=Action::RaiseNeed>{by_id_param(|id| view! { <NeedForm id=id /> })}</Allowed> } />
                            <Route path=path!("/services") view=|| view! { <Allowed page=Page::Services><ServicesPage /></Allowed> } />
                            <Route path=path!("/services/:id") view=|| view! { <Allowed page=Page::Facility new=Action::EditFacility>{by_id_param(|id| view! { <FacilityForm id=id /> })}</Allowed> } />
                            <Route path=path!("/deliveries") view=|| view! { <Allowed page=Page::Deliveries><DeliveriesPage /></Allowed> } />
                            <Route path=path!("/supplies") view=|| view! { <Allowed page=Page::Supplies><SuppliesPage /></Allowed> } />
                            <Route path=path!("/packs") view=|| view! { <Allowed page=Page::Packs><PacksPage /></Allowed> } />
                            <Route path=path!("/users") view=|| view! { <Allowed page=Page::Users><UsersPage /></Allowed> } />
                            <Route path=path!("/import") view=|| view! { <Allowed page=Page::Import><ImportPage /></Allowed> } />
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
