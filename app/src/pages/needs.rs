//! The needs board (急难愁盼): every open need of the user's grids, emergencies on top with how
//! many minutes they have waited, then overdue, then by urgency and age; filters by kind and
//! urgency; each row leads to the need to assign, escalate or resolve it.

use leptos::prelude::*;
use leptos_router::components::A;
use model::dataset::needs::{waited_minutes, NeedFilter};
use model::entities::need::{self, field};
use model::record::Need;

use crate::components::field_input::member_label;
use crate::components::upward_answer::{upward_of, Upward};
use crate::data::use_data;
use crate::db::now_ms;
use crate::i18n::{t, t_string, use_i18n};

#[component]
pub fn NeedsPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let filter = RwSignal::new(NeedFilter::default());
    // The minutes an emergency has waited move on while the page is open.
    let (now, set_now) = signal(now_ms() as i64);
    let tick = set_interval_with_handle(
        move || set_now.set(now_ms() as i64),
        std::time::Duration::from_secs(30),
    );
    on_cleanup(move || {
        if let Ok(h) = tick {
            h.clear();
        }
    });
    let list = move || {
        data.dataset().map(|d| {
            let now = now.get();
            let open = d.needs_board(&filter.get(), now);
            if open.is_empty() {
                // Inside the list's <ul>, so the one row says it holds nothing.
                return view! { <li><p class="muted" data-testid="needs-none">{t!(i18n, no_needs)}</p></li> }.into_any();
            }
            let locale = i18n.get_locale();
            open.into_iter()
                .map(|record| {
                    let n = Need(record);
                    let label = |f: &str, m: &str| member_label(need::NAME, f, m, locale);
                    let who = n.resident_id().and_then(|r| d.resident(r)).map(|r| r.name().to_owned()).unwrap_or_default();
                    let kind = n.kind().map(|k| label(field::KIND, k)).unwrap_or("—");
                    let status = n.status().map(|s| label(field::STATUS, s)).unwrap_or("—");
                    let urgency = n.urgency().unwrap_or(need::NORMAL).to_owned();
                    let late = n.is_overdue(now);
                    let description = n.description().unwrap_or_default().to_owned();
                    let grid = d.grid_name(n.grid_id()).to_owned();
                    let assignee = n.assignee_id().and_then(|a| d.people.get(a)).cloned();
                    let escalated = n.escalated();
                    let upward = upward_of(record);
                    let emergency = n.is_emergency().then(|| waited_minutes(record, now)).flatten();
                    view! {
                        <li>
                            <A href=format!("/needs/{}", record.id) attr:class=format!("row urgency-{urgency}") attr:data-testid="need-row">
                                <span class="row-main">{kind}" · "{who}</span>
                                {emergency.map(|m| view! {
                                    <span class="row-sub late" data-testid="need-emergency-age">{t!(i18n, need_waited_minutes, minutes = m)}</span>
                                })}
                                <span class="row-sub">
                                    {grid}" · "{status}
                                    {late.then(|| view! { " · " <strong class="late">{t!(i18n, overdue)}</strong> })}
                                    {escalated.then(|| view! { " · " <strong data-testid="need-escalated">{t!(i18n, need_escalated)}</strong> })}
                                </span>
                                {assignee.map(|a| view! { <span class="row-sub" data-testid="need-assignee">{t!(i18n, need_assignee)}": "{a}</span> })}
                                {upward.clone().map(Upward::view)}
                                <span class="row-sub">{description}</span>
                            </A>
                        </li>
                    }
                })
                .collect_view()
                .into_any()
        })
    };
    // A picker of one field's members, the empty value for any.
    let picker = move |field: &'static str,
                       members: &'static [&'static str],
                       testid: &'static str,
                       set: fn(&mut NeedFilter, Option<String>)| {
        let options = move || {
            let locale = i18n.get_locale();
            members
                .iter()
                .map(|m| view! { <option value=*m>{member_label(need::NAME, field, m, locale)}</option> })
                .collect_view()
        };
        view! {
            <select data-testid=testid on:change=move |ev| {
                let value = Some(event_target_value(&ev)).filter(|v| !v.is_empty());
                filter.update(|f| set(f, value));
            }>
                <option value="">{move || t_string!(i18n, filter_all)}</option>
                {options}
            </select>
        }
    };
    view! {
        <section>
            <h1>{t!(i18n, needs_title)}</h1>
            <div class="filters">
                <label>
                    {t!(i18n, need_filter_kind)}
                    {picker(field::KIND, need::KINDS, "needs-filter-kind", |f, v| f.kind = v)}
                </label>
                <label>
                    {t!(i18n, need_filter_urgency)}
                    {picker(field::URGENCY, need::URGENCIES, "needs-filter-urgency", |f, v| f.urgency = v)}
                </label>
            </div>
            <Suspense fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>
                <ul class="rows" data-testid="needs-list">{list}</ul>
            </Suspense>
        </section>
    }
}
