//! The scaffold of a searchable list page (households, residents): the title with an add
//! button, a search box, and the first rows of what the search finds in the loaded dataset, a
//! page at a time.

use std::rc::Rc;

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::show_more::ShowMore;
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
pub fn SearchList<F, R>(
    /// What is listed, as in `/{name}s/new`, the add button's test id `add-{name}` and the
    /// 显示更多 button's `{name}s-more`.
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
    /// Rows drawn at first and added by each 显示更多: a phone's screen or two, so that a
    /// keystroke redraws little.
    page: usize,
    /// The ids the (trimmed) query finds, in the list's order.
    find: F,
    /// The row of one id that `find` gave.
    row: R,
) -> impl IntoView
where
    F: Fn(&Dataset, &str) -> Vec<String> + Send + Sync + 'static,
    R: Fn(&Dataset, &str) -> AnyView + Send + Sync + Clone + 'static,
{
    let i18n = use_i18n();
    let data = use_data();
    let (query, set_query) = signal(String::new());
    let drawn = RwSignal::new(page);
    // Each found id with the dataset it was found in (the address of that dataset, unique while
    // it lives). Rows are keyed by both: a keystroke that keeps a row keeps its DOM, and a new
    // dataset (an edit, a pulled page) draws every row again from the new records.
    let found = Memo::new(move |_| {
        data.dataset()
            .map(|d| (Rc::as_ptr(&d) as usize, find(&d, query.get().trim())))
    });
    let total = move || found.with(|f| f.as_ref().map_or(0, |(_, ids)| ids.len()));
    let loaded = move || found.with(Option::is_some);
    // The language is part of the key too: a row's words that are not signals of their own
    // (a departed resident's status) are drawn again in the new language.
    let keys = move || {
        let (n, locale) = (drawn.get(), i18n.get_locale());
        found.with(|f| {
            f.iter()
                .flat_map(|(at, ids)| ids.iter().take(n).map(move |id| (id.clone(), *at, locale)))
                .collect::<Vec<_>>()
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
                on:input=move |ev| {
                    set_query.set(event_target_value(&ev));
                    drawn.set(page);
                }
            />
            {move || (!loaded()).then(|| view! { <p class="muted">{t!(i18n, loading)}</p> })}
            {move || (loaded() && total() == 0).then(|| view! { <p class="muted" data-testid="no-results">{empty.run()}</p> })}
            <ul class="rows">
                <For each=keys key=|k| k.clone() children=move |(id, _, _)| {
                    data.dataset_untracked().map(|d| row(&d, &id))
                } />
            </ul>
            {move || loaded().then(|| view! { <ShowMore total=total() shown=drawn page=page testid=format!("{name}s-more") /> })}
        </section>
    }
}
