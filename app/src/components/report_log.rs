//! Reporting upward as a record (issue 17): every daily or weekly report the supervisor sends is
//! kept as a `report` record (when, by whom, for which grids, its totals); the weekly summary is
//! one tap — the server's figures of the seven days ending on the chosen date, a row a day and
//! the week — and the reports sent are listed, newest first.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::dashboard::{report_fields, week_of, weekly_report, Dashboard};
use model::entities::report;

use crate::api;
use crate::components::reports_sent::ReportsSent;
use crate::db::now_ms;
use crate::download::Export;
use crate::i18n::{t, t_string, use_i18n};
use crate::session::use_session;
use crate::sync::{use_sync, SyncContext};

/// Keeps `d`, sent by `sender` as `kind` for `grids` (empty: all the sender's), as a `report`
/// record.
pub fn keep_sent(
    sync: SyncContext,
    sender: &str,
    kind: &'static str,
    d: &Dashboard,
    grids: &[String],
) {
    let grids: Vec<String> = if grids.is_empty() {
        d.grids.iter().map(|g| g.id.clone()).collect()
    } else {
        grids.to_vec()
    };
    let fields = report_fields(kind, d, &grids, sender, now_ms() as i64);
    let id = model::record::new_id();
    spawn_local(async move {
        // A report that could not be kept is still the file the supervisor has in hand.
        if let Err(e) = sync.edit(report::NAME, &id, fields).await {
            leptos::logging::warn!("report not kept: {e}");
        }
    });
}

#[component]
pub fn ReportLog(
    /// The dashboard on screen: its date ends the week.
    #[prop(into)]
    dashboard: Signal<Option<Arc<Dashboard>>>,
    /// The grids chosen on the overview (empty: all).
    chosen: RwSignal<Vec<String>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let sync = use_sync();
    let exporter = Export::default();
    let (busy, set_busy) = signal(false);
    let (failed, set_failed) = signal(false);
    let weekly = move |_| {
        let Some(last) = dashboard.get_untracked() else {
            return;
        };
        let Some(end) = model::Date::parse(&last.date) else {
            return;
        };
        let (token, sender) = session
            .get()
            .map(|s| (s.token, s.user.id))
            .unwrap_or_default();
        let grids = chosen.get_untracked();
        set_busy.set(true);
        set_failed.set(false);
        spawn_local(async move {
            let mut days = Vec::new();
            for back in (0..7).rev() {
                let date = end.add_days(-back).to_string();
                match api::dashboard(&token, &grids, Some(&date)).await {
                    Ok(d) => days.push(d),
                    Err(_) => break,
                }
            }
            set_busy.set(false);
            if days.len() < 7 {
                set_failed.set(true);
                return;
            }
            exporter.save(&format!("周报-{}", last.date), &weekly_report(&days), true);
            if let Some(week) = week_of(&days) {
                keep_sent(sync, &sender, report::WEEKLY, &week, &grids);
            }
        });
    };
    view! {
        <section class="card" data-testid="reports">
            <h2>{t!(i18n, reports_title)}</h2>
            <button class="secondary" data-testid="export-weekly" disabled=move || busy.get() on:click=weekly>
                {move || if busy.get() { t_string!(i18n, reports_weekly_busy) } else { t_string!(i18n, reports_weekly) }}
            </button>
            {move || failed.get().then(|| view! { <p class="field-error" role="alert">{t!(i18n, reports_weekly_failed)}</p> })}
            {exporter.notice()}
            <Suspense fallback=|| ()><ReportsSent /></Suspense>
        </section>
    }
}
