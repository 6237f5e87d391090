//! The needs board (急难愁盼): every open need of the user's grids, emergencies on top with how
//! many minutes they have waited, then overdue, then by urgency and age; filters by kind and
//! urgency; each row leads to the need to assign, escalate or resolve it.

use leptos::prelude::*;
use leptos_router::components::A;
use model::entities::need;
use model::record::Fields;

use crate::components::field_input::member_label;
use crate::data::{is_open, use_data};
use crate::db::{now_ms, Record};
use crate::i18n::{t, t_string, use_i18n};

fn created(n: &Record) -> Option<i64> {
    n.value("created_at").and_then(serde_json::Value::as_i64)
}

pub fn urgency_rank(n: &Record) -> u8 {
    match n.text("urgency") {
        Some("emergency") => 0,
        Some("urgent") => 1,
        _ => 2,
    }
}

/// An emergency by its urgency or by its kind: either must be seen first.
pub fn is_emergency(n: &Record) -> bool {
    n.text("urgency") == Some("emergency") || n.text("kind") == Some("emergency")
}

/// Whole minutes since the need was raised.
pub fn age_minutes(n: &Record, now_ms: i64) -> Option<i64> {
    created(n).map(|c| ((now_ms - c) / 60_000).max(0))
}

#[component]
pub fn NeedsPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data().data;
    let kind = RwSignal::new(String::new());
    let urgency = RwSignal::new(String::new());
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
        data.get().flatten().map(|d| {
            let now = now.get();
            let (kind, urgency) = (kind.get(), urgency.get());
            let mut open: Vec<&Record> = d
                .needs
                .iter()
                .filter(|n| is_open(n))
                .filter(|n| kind.is_empty() || n.text("kind") == Some(kind.as_str()))
                .filter(|n| urgency.is_empty() || n.text("urgency").unwrap_or("normal") == urgency)
                .collect();
            let overdue = |n: &Record| need::is_overdue(n.text("urgency"), created(n), now);
            open.sort_by_key(|n| (!is_emergency(n), !overdue(n), urgency_rank(n), created(n)));
            if open.is_empty() {
                return view! { <p class="muted" data-testid="needs-none">{t!(i18n, no_needs)}</p> }.into_any();
            }
            let locale = i18n.get_locale();
            open.into_iter()
                .map(|n| {
                    let who = n.text("resident_id").and_then(|r| d.resident(r)).map(|r| r.name().to_owned()).unwrap_or_default();
                    let kind = n.text("kind").map(|k| member_label("need", "kind", k, locale)).unwrap_or("—");
                    let status = n.text("status").map(|s| member_label("need", "status", s, locale)).unwrap_or("—");
                    let urgency = n.text("urgency").unwrap_or("normal").to_owned();
                    let late = overdue(n);
                    let description = n.text("description").unwrap_or_default().to_owned();
                    let grid = n.text("grid_id").and_then(|g| d.grids.get(g)).cloned().unwrap_or_default();
                    let assignee = n.text("assignee_id").and_then(|a| d.people.get(a)).cloned();
                    let escalated = n.value("escalated").and_then(serde_json::Value::as_bool) == Some(true);
                    let emergency = is_emergency(n).then(|| age_minutes(n, now)).flatten();
                    view! {
                        <li>
                            <A href=format!("/needs/{}", n.id) attr:class=format!("row urgency-{urgency}") attr:data-testid="need-row">
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
                                <span class="row-sub">{description}</span>
                            </A>
                        </li>
                    }
                })
                .collect_view()
                .into_any()
        })
    };
    let options = |field: &'static str, members: &'static [&'static str]| {
        move || {
            let locale = i18n.get_locale();
            members
                .iter()
                .map(|m| view! { <option value=*m>{member_label("need", field, m, locale)}</option> })
                .collect_view()
        }
    };
    view! {
        <section>
            <h1>{t!(i18n, needs_title)}</h1>
            <div class="filters">
                <label>
                    {t!(i18n, need_filter_kind)}
                    <select data-testid="needs-filter-kind" on:change=move |ev| kind.set(event_target_value(&ev))>
                        <option value="">{move || t_string!(i18n, filter_all)}</option>
                        {options("kind", need::KINDS)}
                    </select>
                </label>
                <label>
                    {t!(i18n, need_filter_urgency)}
                    <select data-testid="needs-filter-urgency" on:change=move |ev| urgency.set(event_target_value(&ev))>
                        <option value="">{move || t_string!(i18n, filter_all)}</option>
                        {options("urgency", need::URGENCIES)}
                    </select>
                </label>
            </div>
            <Suspense fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>
                <ul class="rows" data-testid="needs-list">{list}</ul>
            </Suspense>
        </section>
    }
}
