//! The button under a long list that draws the next page of it: a cheap phone draws a page at a
//! time (a few thousand DOM nodes at most), while the list's count, search, filters and exports
//! still cover every row.

use leptos::prelude::*;

use crate::i18n::{t, use_i18n};

/// Nothing when all `total` rows are drawn; else a button that draws `page` more.
#[component]
pub fn ShowMore(
    /// Rows the list has in all.
    total: usize,
    /// Rows drawn now.
    shown: RwSignal<usize>,
    page: usize,
    #[prop(into)] testid: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let more = total.saturating_sub(shown.get_untracked());
    (more > 0).then(|| {
        view! {
            <button type="button" class="secondary block" data-testid=testid on:click=move |_| shown.update(|n| *n += page)>
                {t!(i18n, show_more, count = more)}
            </button>
        }
    })
}
