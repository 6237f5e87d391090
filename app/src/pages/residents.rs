//! The residents of the user's grids on this device: search by name or phone, open one to edit,
//! add a new one. Reads the dataset already loaded from IndexedDB, so it works offline.

use leptos::prelude::*;
use leptos_router::components::A;
use model::record::Fields;

use crate::data::{use_data, Resident};
use crate::i18n::{t, t_string, use_i18n};

/// How many rows to draw before asking for a search: drawing thousands helps nobody on a phone.
const SHOWN: usize = 100;

/// Whether `r` matches a search: name or phone contains the query.
pub fn matches(r: &Resident, query: &str) -> bool {
    query.is_empty()
        || r.record.text("name").is_some_and(|n| n.contains(query))
        || r.record.text("phone").is_some_and(|p| p.contains(query))
}

#[component]
pub fn ResidentsPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data().data;
    let (query, set_query) = signal(String::new());
    let list = move || {
        data.get().flatten().map(|d| {
            let q = query.get();
            let q = q.trim();
            let mut found: Vec<&Resident> = d.residents.iter().filter(|r| matches(r, q)).collect();
            found.sort_by(|a, b| a.name().cmp(b.name()));
            let total = found.len();
            let rows = found
                .into_iter()
                .take(SHOWN)
                .map(|r| {
                    let href = format!("/residents/{}", r.id());
                    let name = r.name().to_owned();
                    let phone = r.record.text("phone").unwrap_or_default().to_owned();
                    let age = r.assessment.age;
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
