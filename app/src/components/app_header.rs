//! The header on every page: the app's name, where the data stands, the language switch, and
//! the tabs of the pages the role uses most, each one a page its role may open.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::lang_switch::LangSwitch;
use crate::components::sync_badge::SyncBadge;
use crate::i18n::{t, t_string, use_i18n};
use crate::session::use_session;
use model::access::Page;
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
    // Header and tabs stick to the top as one block, so the tabs never slip under a header
    // that wraps to two lines (large text, a long sync status).
    view! {
        <div class="top-bar">
        <header class="app-header">
            <A href="/" attr:class="brand" attr:data-testid="brand">{t!(i18n, app_name)}</A>
            <Show when=move || session.is_logged_in()>
                <SyncBadge />
            </Show>
            <LangSwitch />
        </header>
        {move || session.get().map(|s| {
            let role = s.user.role;
            view! {
                <nav class="tabs">
                    {tabs(role).into_iter().map(|p| view! {
                        <A href=p.path() attr:data-testid=testid(p)>{label(p)}</A>
                    }).collect_view()}
                    <A href="/me" attr:data-testid="nav-home">{t!(i18n, nav_more)}</A>
                </nav>
            }
        })}
        </div>
    }
}

/// The pages in a role's tab bar, in order: each role's first task first, then what it turns
/// to during the day. Only pages the role may open (`model::access`); the rest of its pages
/// are on the user card (更多).
pub fn tabs(role: Role) -> Vec<Page> {
    let wanted: &[Page] = match role {
        // A volunteer sees no health data: their whole app is the delivery list.
        Role::Volunteer => &[Page::Deliveries],
        // The level above answers what the communities escalate; the rest is on the card.
        Role::StreetOffice => &[Page::Upward],
        Role::GridWorker | Role::BuildingLeader => {
            &[Page::Today, Page::Households, Page::Ledger, Page::Needs]
        }
        // Supervisors look across grids first; the door-to-door lists are a tab away, and
        // importing rosters is the office's job, so it sits with the office's tabs.
        Role::Supervisor | Role::Admin => &[
            Page::Overview,
            Page::Needs,
            Page::Ledger,
            Page::Users,
            Page::Import,
        ],
    };
    wanted
        .iter()
        .copied()
        .filter(|p| crate::access::opens(*p, role))
        .collect()
}

/// The test id of a page's link, in the tab bar or on the user card.
pub fn testid(page: Page) -> &'static str {
    match page {
        Page::Me => "nav-home",
        Page::Sync => "nav-sync",
        Page::Today => "nav-today",
        Page::Households | Page::Household => "nav-households",
        Page::Residents | Page::Resident => "nav-residents",
        Page::Visit => "nav-visit",
        Page::Ledger => "nav-ledger",
        Page::VisitSheet => "nav-visit-sheet",
        Page::Guides => "nav-guides",
        Page::Vaccination => "nav-vaccination",
        Page::SpotChecks => "nav-spot-checks",
        Page::Gatherings | Page::Gathering => "nav-gatherings",
        Page::Upward => "nav-upward",
        Page::Rota => "nav-rota",
        Page::Overview => "nav-overview",
        Page::Needs | Page::Need => "nav-needs",
        Page::Services | Page::Facility => "nav-services",
        // The delivery list was "packs" before the batches page came.
        Page::Deliveries => "nav-deliveries",
        Page::Supplies => "nav-supplies",
        Page::Packs => "nav-packs-plan",
        Page::Users => "nav-users",
        Page::Import => "nav-import",
    }
}

/// A page's name on its link, in the user's language.
pub fn label(page: Page) -> impl IntoView {
    let i18n = use_i18n();
    move || match page {
        Page::Me => t_string!(i18n, nav_more),
        Page::Sync => t_string!(i18n, nav_sync),
        Page::Today => t_string!(i18n, nav_today),
        Page::Households | Page::Household => t_string!(i18n, nav_households),
        Page::Residents | Page::Resident => t_string!(i18n, nav_residents),
        Page::Visit => t_string!(i18n, record_visit),
        Page::Ledger => t_string!(i18n, nav_ledger),
        Page::VisitSheet => t_string!(i18n, nav_visit_sheet),
        Page::Guides => t_string!(i18n, nav_guides),
        Page::Vaccination => t_string!(i18n, nav_vaccination),
        Page::SpotChecks => t_string!(i18n, nav_spot_checks),
        Page::Gatherings | Page::Gathering => t_string!(i18n, nav_gatherings),
        Page::Upward => t_string!(i18n, nav_upward),
        Page::Rota => t_string!(i18n, nav_rota),
        Page::Overview => t_string!(i18n, nav_overview),
        Page::Needs | Page::Need => t_string!(i18n, nav_needs),
        Page::Services | Page::Facility => t_string!(i18n, services_title),
        Page::Deliveries => t_string!(i18n, nav_deliveries),
        Page::Supplies => t_string!(i18n, supplies_title),
        Page::Packs => t_string!(i18n, nav_packs_plan),
        Page::Users => t_string!(i18n, users_tab),
        Page::Import => t_string!(i18n, import_nav),
    }
}
