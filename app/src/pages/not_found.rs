//! What an address that leads nowhere shows: a path the app does not have, or a record id this
//! device does not hold (not synced yet, out of the user's grids, or mistyped). Both say so in
//! the user's language and give the way home, rather than a blank page or an empty form.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::{t, use_i18n};

/// The page at any path the router does not know.
#[component]
pub fn NotFoundPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card" data-testid="not-found">
            <h1>{t!(i18n, not_found_title)}</h1>
            <p>{t!(i18n, not_found_body)}</p>
            <A href="/" attr:class="button primary block" attr:data-testid="go-home">{t!(i18n, go_home)}</A>
        </section>
    }
}

/// A record's page, or in its place [`NotOnDevice`] while `missing` holds.
pub fn unless_missing(missing: Signal<bool>, page: impl IntoView) -> impl IntoView {
    view! {
        {move || missing.get().then(|| view! { <NotOnDevice /> })}
        <div hidden=move || missing.get()>{page}</div>
    }
}

/// Stands in for a record's form when the record is not on this device.
#[component]
pub fn NotOnDevice() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section class="card" data-testid="record-not-here">
            <h1>{t!(i18n, record_not_here_title)}</h1>
            <p>{t!(i18n, record_not_here_body)}</p>
            <A href="/" attr:class="button primary block" attr:data-testid="go-home">{t!(i18n, go_home)}</A>
        </section>
    }
}
