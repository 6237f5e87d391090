//! The health education library (科普宣教, issue 16): the app's guides, readable offline by every
//! role, each a tap away from its full text.

use leptos::prelude::*;

use crate::guides::{Block, GUIDES};
use crate::i18n::{t, use_i18n};

/// The first paragraph of a guide: whom it is for.
fn lead(g: &crate::guides::Guide) -> &'static str {
    g.blocks()
        .into_iter()
        .find_map(|b| match b {
            Block::Para(p) => Some(p),
            _ => None,
        })
        .unwrap_or_default()
}

#[component]
pub fn GuidesPage() -> impl IntoView {
    let i18n = use_i18n();
    let rows = GUIDES
        .iter()
        .map(|g| {
            view! {
                <li>
                    <a href=format!("/guides/{}", g.id) class="row" data-testid="guide-row">
                        <span class="row-main">{g.title()}</span>
                        <span class="row-sub">{lead(g)}</span>
                    </a>
                </li>
            }
        })
        .collect_view();
    view! {
        <section>
            <h1>{t!(i18n, guides_title)}</h1>
            <p class="muted">{t!(i18n, guides_hint)}</p>
            <ul class="rows">{rows}</ul>
        </section>
    }
}
