//! The residents of the user's grids on this device: search by name or phone, open one to edit,
//! add a new one. Reads IndexedDB only, so it works offline.

use leptos::prelude::*;
use leptos_router::components::A;
use model::date::{age_on, Date};

use crate::db::Record;
use crate::i18n::{t, t_string, use_i18n};
use crate::sync::use_sync;

/// How many rows to draw before asking for a search: drawing thousands helps nobody on a phone.
const SHOWN: usize = 100;

pub fn today() -> Date {
    Date::from_unix_ms_offset(
        crate::db::now_ms() as i64,
        model::date::CHINA_UTC_OFFSET_MINUTES,
    )
}

pub fn age_of(r: &Record, today: Date) -> Option<u32> {
    r.text("birth_date")
        .and_then(Date::parse)
        .map(|b| age_on(b, today))
}

/// Whether `r` matches a search: name or phone contains the query.
pub fn matches(r: &Record, query: &str) -> bool {
    query.is_empty()
        || r.text("name").is_some_and(|n| n.contains(query))
        || r.text("phone").is_some_and(|p| p.contains(query))
}

#[component]
pub fn ResidentsPage() -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let (query, set_query) = signal(String::new());
    let residents = LocalResource::new(move || {
        sync.revision.track();
        let db = sync.db();
        async move {
            let Some(db) = db else { return Vec::new() };
            let mut rows: Vec<Record> = db
                .records("resident")
                .await
                .unwrap_or_default()
                .into_iter()
                .filter(|r| !r.is_deleted())
                .collect();
            rows.sort_by(|a, b| a.text("name").cmp(&b.text("name")));
            rows
        }
    });
    let list = move || {
        let today = today();
        residents.get().map(|all| {
            let q = query.get();
            let q = q.trim();
            let found: Vec<&Record> = all.iter().filter(|r| matches(r, q)).collect();
            let total = found.len();
            let rows = found
                .into_iter()
                .take(SHOWN)
                .map(|r| {
                    let href = format!("/residents/{}", r.id);
                    let name = r.text("name").unwrap_or("—").to_owned();
                    let phone = r.text("phone").unwrap_or_default().to_owned();
                    let age = age_of(r, today);
                    view! {
                        <li>
                            <A href=href attr:class="row" attr:data-testid="resident-row">
                                <span class="row-main">{name}</span>
                                <span class="row-sub">
                                    {age.map(|a| view! { {t!(i18n, age_years, age = a)} " " })}
                                    {phone}
                                </span>
                            </A>
                        </li>
                    }
                })
                .collect_view();
            view! {
                {(total == 0).then(|| view! { <p class="muted" data-testid="no-results">{t!(i18n, no_results)}</p> })}
                <ul class="rows">{rows}</ul>
                {(total > SHOWN).then(|| view! { <p class="muted">{t!(i18n, showing_first, shown = SHOWN, total = total)}</p> })}
            }
        })
    };
    view! {
        <section>
            <div class="toolbar">
                <h1>{t!(i18n, residents_title)}</h1>
                <A href="/residents/new" attr:class="button primary" attr:data-testid="add-resident">{t!(i18n, add_resident)}</A>
            </div>
            <input
                type="search"
                class="search"
                data-testid="search"
                placeholder=move || t_string!(i18n, search_placeholder)
                prop:value=query
                on:input=move |ev| set_query.set(event_target_value(&ev))
            />
            <Suspense fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>{list}</Suspense>
        </section>
    }
}
