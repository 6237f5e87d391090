//! The scaffold of a searchable list page (households, residents): the title with an add
//! button, a search box, and the first rows of what the search finds in the loaded dataset.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::data::{use_data, Dataset};
use crate::i18n::{t, use_i18n};

/// How many a search found, and the first `shown` of them drawn by `row`.
pub fn first_rows<T, V: IntoView>(
    found: Vec<T>,
    shown: usize,
    row: impl Fn(T) -> V,
) -> (usize, AnyView) {
    let total = found.len();
    let rows = found.into_iter().take(shown).map(row).collect_view();
    (total, rows.into_any())
}

#[component]
pub fn SearchList<F>(
    /// What is listed, as in `/{name}s/new` and the add button's test id `add-{name}`.
    name: &'static str,
    /// What the add button does: it is there only for a role that may.
    add: model::access::Action,
    #[prop(into)] title: ViewFn,
    #[prop(into)] add_label: ViewFn,
    search_testid: &'static str,
    placeholder: Signal<String>,
    /// What to say when the search finds nothing.
    #[prop(into)]
    empty: ViewFn,
    /// Rows drawn at once: enough to scroll, few enough to redraw on every keystroke.
    shown: usize,
    /// How many the (trimmed) query finds, and the first `shown` of them drawn
    /// ([`first_rows`]).
    found: F,
) -> impl IntoView
where
    F: Fn(&Dataset, &str, usize) -> (usize, AnyView) + Send + Sync + 'static,
{
    let i18n = use_i18n();
    let data = use_data();
    let (query, set_query) = signal(String::new());
    let list = move || {
        data.dataset().map(|d| {
            let (total, rows) = found(&d, query.get().trim(), shown);
            view! {
                {(total == 0).then(|| view! { <p class="muted" data-testid="no-results">{empty.run()}</p> })}
                <ul class="rows">{rows}</ul>
                {(total > shown).then(|| view! { <p class="muted">{t!(i18n, showing_first, shown = shown, total = total)}</p> })}
            }
        })
    };
    view! {
        <section>
            <div class="toolbar">
                <h1>{title.run()}</h1>
                {crate::components::access::may(add).then(|| view! {
                    <A href=format!("/{name}s/new") attr:class="button primary" attr:data-testid=format!("add-{name}")>{add_label.run()}</A>
                })}
            </div>
            <input
                type="search"
                class="search"
                data-testid=search_testid
                placeholder=placeholder
                prop:value=query
                on:input=move |ev| set_query.set(event_target_value(&ev))
            />
            <Suspense fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>{list}</Suspense>
        </section>
    }
}
