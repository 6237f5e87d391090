//! The overview's card of weddings, funerals and gatherings coming in the next two weeks (issue
//! 17), from the device's own register: nothing when none is coming.

use leptos::prelude::*;

use crate::data::use_data;
use crate::i18n::{t, use_i18n};
use crate::pages::gatherings::gathering_row;

#[component]
pub fn GatheringsSoon() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    move || {
        data.dataset().and_then(|d| {
            let soon = d.gatherings_soon();
            (!soon.is_empty()).then(|| {
                let locale = i18n.get_locale();
                let rows = soon
                    .into_iter()
                    .map(|g| view! { <li>{gathering_row(g, locale)}</li> })
                    .collect_view();
                view! {
                    <section class="card" data-testid="gatherings-soon">
                        <h2>{t!(i18n, gatherings_soon)}</h2>
                        <ul class="rows">{rows}</ul>
                    </section>
                }
            })
        })
    }
}
