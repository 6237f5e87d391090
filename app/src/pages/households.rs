//! Households of the worker's grids: search by address, building/unit/room or village/group, a
//! member's name or a phone; each row shows its members with age and risk tier.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::tier_chip::TierChip;
use crate::data::{address, use_data};
use crate::db::Record;
use crate::i18n::{t, t_string, use_i18n};

/// Rows drawn at once: enough to scroll a building, few enough to redraw on every keystroke.
const SHOWN: usize = 50;

#[component]
pub fn HouseholdsPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data().data;
    let (query, set_query) = signal(String::new());
    let list = move || {
        data.get().flatten().map(|d| {
            let q = query.get();
            let q = q.trim().to_owned();
            let found: Vec<&Record> = d
                .household_index
                .iter()
                .filter(|e| q.is_empty() || e.haystack.contains(q.as_str()))
                .filter_map(|e| d.households.get(&e.id))
                .collect();
            let total = found.len();
            let rows = found
                .into_iter()
                .take(SHOWN)
                .map(|h| {
                    let members = d
                        .members_of(&h.id)
                        .map(|m| {
                            let age = m.assessment.age.map(|a| format!(" {a}"));
                            let (tier, name) = (m.tier(), m.name().to_owned());
                            view! { <span class="member"><TierChip tier=tier />" "{name}{age}</span> }
                        })
                        .collect_view();
                    let (hid, addr) = (h.id.clone(), address(h));
                    view! {
                        <li>
                            <A href=format!("/households/{hid}") attr:class="row" attr:data-testid="household-row">
                                <span class="row-main">{addr}</span>
                                <span class="row-sub members">{members}</span>
                            </A>
                        </li>
                    }
                })
                .collect_view();
            view! {
                {(total == 0).then(|| view! { <p class="muted">{t!(i18n, no_households)}</p> })}
                <ul class="rows">{rows}</ul>
                {(total > SHOWN).then(|| view! { <p class="muted">{t!(i18n, showing_first, shown = SHOWN, total = total)}</p> })}
            }
        })
    };
    view! {
        <section>
            <div class="toolbar">
                <h1>{t!(i18n, households_title)}</h1>
                <A href="/households/new" attr:class="button primary" attr:data-testid="add-household">{t!(i18n, add_household)}</A>
            </div>
            <input
                type="search"
                class="search"
                data-testid="household-search"
                placeholder=move || t_string!(i18n, household_search)
                prop:value=query
                on:input=move |ev| set_query.set(event_target_value(&ev))
            />
            <Suspense fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>{list}</Suspense>
        </section>
    }
}
