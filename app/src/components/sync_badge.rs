//! The header's sync badge: always says where the data stands (synced with the time, N changes
//! waiting, offline, or the last error in words) and leads to the sync page.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{t, use_i18n};
use crate::sync::{use_sync, SyncError, SyncStatus};

/// `HH:MM` of a unix-ms instant in the device's time zone.
pub fn clock_time(ms: f64) -> String {
    let d = js_sys::Date::new(&ms.into());
    format!("{:02}:{:02}", d.get_hours(), d.get_minutes())
}

#[component]
pub fn SyncBadge() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let text = move || {
        let pending = sync.pending.get();
        match sync.status.get() {
            SyncStatus::Starting => t!(i18n, sync_starting).into_any(),
            SyncStatus::Offline if pending > 0 => {
                t!(i18n, sync_offline_pending, count = pending).into_any()
            }
            SyncStatus::Offline | SyncStatus::Error(SyncError::Offline) => {
                t!(i18n, sync_offline).into_any()
            }
            SyncStatus::Error(SyncError::LoggedOut) => t!(i18n, sync_logged_out).into_any(),
            SyncStatus::Error(e) => {
                let m = e.message(i18n.get_locale());
                t!(i18n, sync_error, message = m).into_any()
            }
            _ if pending > 0 => t!(i18n, sync_pending, count = pending).into_any(),
            SyncStatus::Syncing => t!(i18n, sync_syncing).into_any(),
            SyncStatus::Synced { at_ms } => {
                t!(i18n, sync_synced, time = clock_time(at_ms)).into_any()
            }
        }
    };
    let state = move || match sync.status.get() {
        SyncStatus::Offline | SyncStatus::Error(SyncError::Offline) => "offline",
        SyncStatus::Error(_) => "error",
        _ if sync.pending.get() > 0 => "pending",
        SyncStatus::Synced { .. } => "synced",
        _ => "busy",
    };
    view! {
        <A href="/sync" attr:class=move || format!("sync-badge sync-{}", state()) attr:data-testid="sync-status" attr:data-state=state>
            {text}
        </A>
    }
}
