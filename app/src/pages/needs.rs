//! Needs (急难愁盼) of the worker's grids that are not done yet: overdue first, then by urgency
//! and age, each leading to its record to move it on.

use leptos::prelude::*;
use leptos_router::components::A;
use model::entities::need;

use crate::components::field_input::member_label;
use crate::data::{is_open, use_data};
use crate::db::{now_ms, Record};
use crate::i18n::{t, use_i18n};

fn created(n: &Record) -> Option<i64> {
    n.get("created_at").and_then(serde_json::Value::as_i64)
}

pub fn urgency_rank(n: &Record) -> u8 {
    match n.text("urgency") {
        Some("emergency") => 0,
        Some("urgent") => 1,
        _ => 2,
    }
}

#[component]
pub fn NeedsPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data().data;
    let list = move || {
        data.get().flatten().map(|d| {
            let now = now_ms() as i64;
            let mut open: Vec<&Record> = d.needs.iter().filter(|n| is_open(n)).collect();
            let overdue = |n: &Record| need::is_overdue(n.text("urgency"), created(n), now);
            open.sort_by_key(|n| (!overdue(n), urgency_rank(n), created(n)));
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
                    view! {
                        <li>
                            <A href=format!("/needs/{}", n.id) attr:class=format!("row urgency-{urgency}") attr:data-testid="need-row">
                                <span class="row-main">{kind}" · "{who}</span>
                                <span class="row-sub">
                                    {status}
                                    {late.then(|| view! { " · " <strong class="late">{t!(i18n, overdue)}</strong> })}
                                </span>
                                <span class="row-sub">{description}</span>
                            </A>
                        </li>
                    }
                })
                .collect_view()
                .into_any()
        })
    };
    view! {
        <section>
            <h1>{t!(i18n, needs_title)}</h1>
            <h2>{t!(i18n, my_open_needs)}</h2>
            <Suspense fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>
                <ul class="rows" data-testid="needs-list">{list}</ul>
            </Suspense>
        </section>
    }
}
