//! The user card (`/me`, the header's 更多 tab): who is logged in, their role and grids, the pages
//! that have no tab, and logout. The app opens on the role's first task instead (landing.rs).

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::{Redirect, A};
use model::access::Page;
use model::Role;

use crate::components::app_header::{label, tabs, testid};
use crate::components::gear::GearMine;
use crate::components::reminder_settings::ReminderSettings;
use crate::components::support::SupportAsk;

use crate::i18n::{t, t_string, use_i18n};
use crate::session::{use_session, SessionContext};
use crate::sync::{use_sync, SyncContext, SyncStatus};

/// The pages of the role without a tab, each one it may open (`model::access`).
fn more_pages(role: Role) -> Vec<Page> {
    let tabbed = tabs(role);
    [
        Page::Households,
        Page::Residents,
        Page::Vaccination,
        Page::SpotChecks,
        Page::Gatherings,
        Page::VisitSheet,
        Page::Guides,
        Page::Services,
        Page::Deliveries,
        Page::Supplies,
        Page::Packs,
        Page::Sync,
    ]
    .into_iter()
    .filter(|p| crate::access::opens(*p, role) && !tabbed.contains(p))
    .collect()
}

/// Logs out and removes this user's data from the device (phones are shared).
fn log_out(session: SessionContext, sync: SyncContext) {
    spawn_local(async move {
        sync.shut_down(true).await;
        session.log_out().await;
    });
}

#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let sync = use_sync();
    let (confirming, set_confirming) = signal(false);
    let (still_pending, set_still_pending) = signal(false);
    let ask_logout = move |_| {
        if sync.pending.get_untracked() > 0 {
            set_confirming.set(true);
        } else {
            log_out(session, sync);
        }
    };
    let sync_then_logout = move |_| {
        set_still_pending.set(false);
        sync.sync_now();
        spawn_local(async move {
            // Give the engine a little while; a phone with no signal will not get there.
            for _ in 0..40 {
                gloo_timers::future::TimeoutFuture::new(250).await;
                if sync.pending.get_untracked() == 0
                    && matches!(sync.status.get_untracked(), SyncStatus::Synced { .. })
                {
                    log_out(session, sync);
                    return;
                }
            }
            set_still_pending.set(true);
        });
    };
    let role_label = move |role: Role| match role {
        Role::Admin => t_string!(i18n, role_admin),
        Role::Supervisor => t_string!(i18n, role_supervisor),
        Role::GridWorker => t_string!(i18n, role_grid_worker),
        Role::BuildingLeader => t_string!(i18n, role_building_leader),
        Role::StreetOffice => t_string!(i18n, role_street_office),
        Role::Volunteer => t_string!(i18n, role_volunteer),
    };
    view! {
        <Show when=move || session.is_logged_in() fallback=|| view! { <Redirect path="/login" /> }>
            {move || session.get().map(|s| {
                let grids = s.user.grid_names.clone();
                let role = s.user.role;
                view! {
                    <section class="card" data-testid="home">
                        <p class="muted">{t!(i18n, logged_in_as)}</p>
                        <h1 data-testid="user-name">{s.user.name.clone()}</h1>
                        <p>
                            <span class="muted">{t!(i18n, role)}": "</span>
                            <strong data-testid="user-role">{move || role_label(role)}</strong>
                        </p>
                        <h2>{t!(i18n, my_grids)}</h2>
                        {if grids.is_empty() {
                            view! { <p class="muted" data-testid="no-grids">{t!(i18n, no_grids)}</p> }.into_any()
                        } else {
                            view! {
                                <ul class="grid-list" data-testid="grid-list">
                                    {grids.into_iter().map(|g| view! { <li>{g}</li> }).collect_view()}
                                </ul>
                            }.into_any()
                        }}
                        <nav class="links">
                            {more_pages(role).into_iter().map(|p| view! {
                                <A href=p.path() attr:class="button secondary block" attr:data-testid=testid(p)>{label(p)}</A>
                            }).collect_view()}
                        </nav>
                        // Reminders are of due visits: for the roles that have a due list.
                        {crate::access::opens(Page::Today, role).then(|| view! { <ReminderSettings /> })}
                        <GearMine />
                        <SupportAsk />
                        <button class="secondary" data-testid="logout" on:click=ask_logout>
                            {t!(i18n, logout)}
                        </button>
                        <Show when=move || confirming.get()>
                            <div class="confirm" role="alertdialog" data-testid="logout-confirm">
                                <p>{move || t!(i18n, logout_pending, count = sync.pending.get())}</p>
                                <Show when=move || still_pending.get()>
                                    <p class="field-error">{t!(i18n, logout_still_pending)}</p>
                                </Show>
                                <button class="primary" data-testid="logout-sync" on:click=sync_then_logout>{t!(i18n, logout_sync_first)}</button>
                                <button class="secondary" data-testid="logout-anyway" on:click=move |_| log_out(session, sync)>{t!(i18n, logout_anyway)}</button>
                                <button class="secondary" data-testid="logout-cancel" on:click=move |_| set_confirming.set(false)>{t!(i18n, cancel)}</button>
                            </div>
                        </Show>
                    </section>
                }
            })}
        </Show>
    }
}
