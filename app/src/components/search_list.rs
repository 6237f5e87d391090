//! The scaffold of a searchable list page (households, residents): the title with an add
//! button, a search box, and the first rows of what the search finds in the loaded dataset.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::data::{use_data, Dataset};
use crate::i18n::{t, use_i18n};

#[component]
pub fn SearchList<F>(
    #[prop(into)] title: ViewFn,
    /// Where the add button leads, its test id and its label.
    add_href: &'static str,
    add_testid: &'static str,
    #[prop(into)] add_label: ViewFn,
    search_testid: &'static str,
    placeholder: Signal<String>,
    /// What to say when the search finds nothing.
    #[prop(into)]
    empty: ViewFn,
    /// Rows drawn at once: enough to scroll, few enough to redraw on every keystroke.
    shown: usize,
    /// How many the (trimmed) query finds, and the first `shown` of them drawn.
    found: F,
) -> impl IntoView
where
    F: Fn(&Dataset, &str, usize) -> (usize, AnyView) + Send + Sync + 'static,
{
    let i18n = use_i18n();
    let data = use_data().data;
    let (query, set_query) = signal(String::new());
    let list = move || {
        data.get().flatten().map(|d| {
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
                <A href=add_href attr:class="button primary" attr:data-testid=add_testid>{add_label.run()}</A>
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
