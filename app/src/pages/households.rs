//! Households of the worker's grids: search by address, building/unit/room or village/group, a
//! member's name or a phone; each row shows its members with age and risk tier.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::tier_chip::TierChip;
use crate::data::{address, use_data, Dataset};
use crate::db::Record;
use crate::i18n::{t, t_string, use_i18n};

const SHOWN: usize = 100;

/// Whether a household matches a search, by its own fields or its members'.
pub fn household_matches(d: &Dataset, h: &Record, q: &str) -> bool {
    if q.is_empty() {
        return true;
    }
    let own = [
        "address",
        "building",
        "unit",
        "room",
        "village",
        "village_group",
        "head_name",
        "phone",
    ]
    .iter()
    .filter_map(|f| h.text(f))
    .any(|v| v.contains(q));
    own || d.members_of(&h.id).any(|m| {
        m.record.text("name").is_some_and(|n| n.contains(q))
            || m.record.text("phone").is_some_and(|p| p.contains(q))
    })
}

#[component]
pub fn HouseholdsPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data().data;
    let (query, set_query) = signal(String::new());
    let list = move || {
        data.get().flatten().map(|d| {
            let q = query.get();
            let q = q.trim().to_owned();
            let mut found: Vec<&Record> = d.households.values().filter(|h| household_matches(&d, h, &q)).collect();
            found.sort_by_key(|h| address(h));
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
