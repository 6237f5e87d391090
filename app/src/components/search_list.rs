//! The scaffold of a searchable list page (households, residents): the title with an add
//! button, a search box, and what the search finds in the loaded dataset, scrolled through with
//! only the rows on the screen drawn.

use std::ops::Range;
use std::rc::Rc;

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::windowed_list::WindowedList;
use crate::data::{use_data, Dataset};
use crate::i18n::{t, use_i18n, Locale};

/// A row's key: the id it draws, the dataset it was found in (the address of that dataset,
/// unique while it lives) and the language. A keystroke that keeps a row keeps its DOM; a new
/// dataset (an edit, a pulled page) draws every row again from the new records, and a new
/// language draws again the words of a row that are not signals of their own (a departed
/// resident's status).
pub type RowKey = (String, usize, Locale);

/// What a search finds in the loaded dataset: its ids with the dataset's address (`None` until
/// the dataset is read).
#[derive(Clone, Copy)]
pub struct Found {
    ids: Memo<Option<(usize, Vec<String>)>>,
    i18n: leptos_i18n::I18nContext<Locale>,
}

impl Found {
    /// How many were found (`None` until the dataset is read), tracked.
    pub fn count(self) -> Option<usize> {
        self.ids.with(|f| f.as_ref().map(|(_, ids)| ids.len()))
    }

    /// How many rows the list has (0 until the dataset is read), tracked.
    pub fn rows(self) -> Signal<usize> {
        Signal::derive(move || self.count().unwrap_or(0))
    }

    /// The keys of the rows in a range, tracked (for [`WindowedList`]).
    pub fn keys(self) -> impl Fn(Range<usize>) -> Vec<RowKey> + Clone + Send + Sync + 'static {
        move |range| {
            let locale = self.i18n.get_locale();
            self.ids.with(|f| {
                f.iter()
                    .flat_map(|(at, ids)| {
                        let ids = ids.get(range.clone()).unwrap_or_default();
                        ids.iter().map(move |id| (id.clone(), *at, locale))
                    })
                    .collect()
            })
        }
    }
}

/// The ids `find` gives for the (trimmed) query, tracked.
pub fn found<F>(query: ReadSignal<String>, find: F) -> Found
where
    F: Fn(&Dataset, &str) -> Vec<String> + Send + Sync + 'static,
{
    found_by(move || query.get(), move |d, q: &String| find(d, q.trim()))
}

/// The ids `find` gives for what `input` reads (a query, a filter, a chosen grid), tracked.
pub fn found_by<T, I, F>(input: I, find: F) -> Found
where
    I: Fn() -> T + Send + Sync + 'static,
    F: Fn(&Dataset, &T) -> Vec<String> + Send + Sync + 'static,
{
    let data = use_data();
    let ids = Memo::new(move |_| {
        data.dataset()
            .map(|d| (Rc::as_ptr(&d) as usize, find(&d, &input())))
    });
    Found {
        ids,
        i18n: use_i18n(),
    }
}

#[component]
pub fn SearchList<F, R>(
    /// What is listed, as in `/{name}s/new`, the add button's test id `add-{name}` and the
    /// list's `{name}s-list`.
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
    /// The ids the (trimmed) query finds, in the list's order.
    find: F,
    /// The row of one id that `find` gave, drawn once in the language of its key (a new
    /// language draws every row again).
    row: R,
) -> impl IntoView
where
    F: Fn(&Dataset, &str) -> Vec<String> + Send + Sync + 'static,
    R: Fn(&Dataset, &str, Locale) -> AnyView + Send + Sync + Clone + 'static,
{
    let i18n = use_i18n();
    let data = use_data();
    let (query, set_query) = signal(String::new());
    let list = found(query, find);
    let loaded = move || list.count().is_some();
    let draw =
        move |(id, _, locale): RowKey| data.dataset_untracked().map(|d| row(&d, &id, locale));
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
            {move || (!loaded()).then(|| view! { <p class="muted">{t!(i18n, loading)}</p> })}
            {move || (list.count() == Some(0)).then(|| view! { <p class="muted" data-testid="no-results">{empty.run()}</p> })}
            <WindowedList rows=list.rows() keys=list.keys() row=draw testid=format!("{name}s-list") />
        </section>
    }
}
