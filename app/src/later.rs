//! The pages a start does not draw, kept in a part of the wasm the browser loads on demand.
//!
//! A phone opening Knock needs the login page and Today (and the landing route that picks
//! between them); every other page is built by [`later_page`], marked as a split point as
//! Leptos's `#[lazy]` marks one, but `fallible`: a part that cannot be fetched (offline, where
//! the service worker never got to keep it) shows a notice with a retry, where `#[lazy]` would
//! end the app. `cargo xtask build` cuts the wasm there (`xtask/src/app_build.rs`): the code
//! only these pages reach goes into a second module, fetched the first time one of them opens
//! or, after a login, once the first sync has filled the store ([`provide_preload`]). The service
//! worker keeps it with the rest of the app, so those pages open offline too.

use leptos::prelude::*;
use leptos::wasm_split::{wasm_split, SplitLoaderError};
use leptos_router::ChooseView;
use model::access::{Action, Page};

use crate::components::access::Allowed;
use crate::components::record_form::by_id_param;
use crate::i18n::{t, use_i18n};
use crate::pages::{
    deliveries::DeliveriesPage, facility::FacilityForm, gathering::GatheringForm,
    gatherings::GatheringsPage, guide::GuidePage, guides::GuidesPage, home::HomePage,
    household::HouseholdForm, households::HouseholdsPage, import::ImportPage, ledger::LedgerPage,
    need::NeedForm, needs::NeedsPage, overview::OverviewPage, packs::PacksPage,
    resident::ResidentForm, residents::ResidentsPage, rota::RotaPage, services::ServicesPage,
    spot_checks::SpotChecksPage, supplies::SuppliesPage, sync_status::SyncPage, upward::UpwardPage,
    users::UsersPage, vaccination::VaccinationPage, visit::visit_route,
    visit_edit::VisitCorrection, visit_sheet::VisitSheetPage,
};
use crate::sync::{use_sync, SyncStatus};

/// Each page of the on-demand part, by the route that shows it ([`Later`]).
pub mod route {
    pub const ME: u8 = 0;
    pub const SYNC: u8 = 1;
    pub const GUIDES: u8 = 2;
    pub const GUIDE: u8 = 3;
    pub const HOUSEHOLDS: u8 = 4;
    pub const HOUSEHOLD: u8 = 5;
    pub const RESIDENTS: u8 = 6;
    pub const RESIDENT: u8 = 7;
    pub const VISIT_NEW: u8 = 8;
    pub const VISIT: u8 = 9;
    pub const LEDGER: u8 = 10;
    pub const GATHERINGS: u8 = 11;
    pub const GATHERING: u8 = 12;
    pub const SPOT_CHECKS: u8 = 13;
    pub const UPWARD: u8 = 14;
    pub const ROTA: u8 = 15;
    pub const VACCINATION: u8 = 16;
    pub const VISIT_SHEET: u8 = 17;
    pub const OVERVIEW: u8 = 18;
    pub const NEEDS: u8 = 19;
    pub const NEED: u8 = 20;
    pub const SERVICES: u8 = 21;
    pub const FACILITY: u8 = 22;
    pub const DELIVERIES: u8 = 23;
    pub const SUPPLIES: u8 = 24;
    pub const PACKS: u8 = 25;
    pub const USERS: u8 = 26;
    pub const IMPORT: u8 = 27;
}

/// The route's view for an on-demand page (one of [`route`]'s constants): the router waits for
/// the part to load before it swaps the page in, so the page before stays until then (as with
/// Leptos's `Lazy`). One type for every page, the page a value: the router's code for a view is
/// made once, where a type per page made it 28 times (20 KB of the main part before `wasm-opt`).
#[derive(Clone, Copy)]
pub struct Later(u8);

impl ChooseView for Later {
    async fn choose(self) -> AnyView {
        later_page(self.0)
            .await
            .unwrap_or_else(|NotDownloaded| view! { <NotDownloadedNotice /> }.into_any())
    }

    async fn preload(&self) {}
}

/// The part of the pages opened later could not be fetched.
#[derive(Debug, Clone, Copy)]
pub struct NotDownloaded;

impl From<SplitLoaderError> for NotDownloaded {
    fn from(_: SplitLoaderError) -> Self {
        Self
    }
}

/// In place of a page whose part could not be fetched: what to do, and a retry (a reload asks
/// for the part again; a failed fetch is not remembered).
#[component]
fn NotDownloadedNotice() -> impl IntoView {
    let i18n = use_i18n();
    let reload = |_| {
        if let Some(w) = web_sys::window() {
            let _ = w.location().reload();
        }
    };
    view! {
        <div class="confirm" role="alert" data-testid="page-not-downloaded">
            <p>{t!(i18n, page_not_downloaded)}</p>
            <button class="primary" data-testid="retry" on:click=reload>{t!(i18n, retry)}</button>
        </div>
    }
}

/// The route's view for the on-demand page `page`.
pub fn later(page: u8) -> Later {
    Later(page)
}

/// After a login, fetches the on-demand part once the first sync has filled the store: not
/// before, so a phone on a slow line spends its first seconds on the login page, Today and its
/// records, and the page opened next then does not wait for it. A later start, which finds the
/// part in the service worker's copy, compiles it when a page of it first opens: compiled at
/// start, it took the main thread while Today was being drawn (Lighthouse's total blocking time
/// on Today 329 ms with it, 179 ms without; BENCHMARKS.md).
pub fn provide_preload() {
    let sync = use_sync();
    let asked = StoredValue::new(false);
    Effect::new(move || {
        let synced = matches!(sync.status.get(), SyncStatus::Synced { .. });
        if synced && sync.filled.get() && !asked.get_value() {
            asked.set_value(true);
            leptos::task::spawn_local(async {
                // A failure here is met again, with its notice, when a page of the part opens.
                let _ = preload_later_pages().await;
            });
        }
    });
}

#[wasm_split(
    later_pages,
    wasm_split_path = ::leptos::wasm_split,
    fallible,
    preload(preload_later_pages)
)]
fn later_page(page: u8) -> Result<AnyView, NotDownloaded> {
    use route::*;
    Ok(match page {
        ME => view! { <Allowed page=Page::Me><HomePage /></Allowed> }.into_any(),
        SYNC => view! { <Allowed page=Page::Sync><SyncPage /></Allowed> }.into_any(),
        GUIDES => view! { <Allowed page=Page::Guides><GuidesPage /></Allowed> }.into_any(),
        GUIDE => view! { <Allowed page=Page::Guides>{by_id_param(|id| view! { <GuidePage id=id /> })}</Allowed> }.into_any(),
        HOUSEHOLDS => view! { <Allowed page=Page::Households><HouseholdsPage /></Allowed> }.into_any(),
        HOUSEHOLD => view! { <Allowed page=Page::Household new=Action::AddHousehold>{by_id_param(|id| view! { <HouseholdForm id=id /> })}</Allowed> }.into_any(),
        RESIDENTS => view! { <Allowed page=Page::Residents><ResidentsPage /></Allowed> }.into_any(),
        RESIDENT => view! { <Allowed page=Page::Resident new=Action::AddResident>{by_id_param(|id| view! { <ResidentForm id=id /> })}</Allowed> }.into_any(),
        VISIT_NEW => view! { <Allowed page=Page::Visit>{visit_route()}</Allowed> }.into_any(),
        VISIT => view! { <Allowed page=Page::Visit>{by_id_param(|id| view! { <VisitCorrection id=id /> })}</Allowed> }.into_any(),
        LEDGER => view! { <Allowed page=Page::Ledger><LedgerPage /></Allowed> }.into_any(),
        GATHERINGS => view! { <Allowed page=Page::Gatherings><GatheringsPage /></Allowed> }.into_any(),
        GATHERING => view! { <Allowed page=Page::Gathering new=Action::EditGathering>{by_id_param(|id| view! { <GatheringForm id=id /> })}</Allowed> }.into_any(),
        SPOT_CHECKS => view! { <Allowed page=Page::SpotChecks><SpotChecksPage /></Allowed> }.into_any(),
        UPWARD => view! { <Allowed page=Page::Upward><UpwardPage /></Allowed> }.into_any(),
        ROTA => view! { <Allowed page=Page::Rota><RotaPage /></Allowed> }.into_any(),
        VACCINATION => view! { <Allowed page=Page::Vaccination><VaccinationPage /></Allowed> }.into_any(),
        VISIT_SHEET => view! { <Allowed page=Page::VisitSheet><VisitSheetPage /></Allowed> }.into_any(),
        OVERVIEW => view! { <Allowed page=Page::Overview><OverviewPage /></Allowed> }.into_any(),
        NEEDS => view! { <Allowed page=Page::Needs><NeedsPage /></Allowed> }.into_any(),
        NEED => view! { <Allowed page=Page::Need new=Action::RaiseNeed>{by_id_param(|id| view! { <NeedForm id=id /> })}</Allowed> }.into_any(),
        SERVICES => view! { <Allowed page=Page::Services><ServicesPage /></Allowed> }.into_any(),
        FACILITY => view! { <Allowed page=Page::Facility new=Action::EditFacility>{by_id_param(|id| view! { <FacilityForm id=id /> })}</Allowed> }.into_any(),
        DELIVERIES => view! { <Allowed page=Page::Deliveries><DeliveriesPage /></Allowed> }.into_any(),
        SUPPLIES => view! { <Allowed page=Page::Supplies><SuppliesPage /></Allowed> }.into_any(),
        PACKS => view! { <Allowed page=Page::Packs><PacksPage /></Allowed> }.into_any(),
        USERS => view! { <Allowed page=Page::Users><UsersPage /></Allowed> }.into_any(),
        IMPORT => view! { <Allowed page=Page::Import><ImportPage /></Allowed> }.into_any(),
        _ => ().into_any(),
    })
}
