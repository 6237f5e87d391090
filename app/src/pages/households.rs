//! Households of the worker's grids: search by address, building/unit/room or village/group, a
//! member's name or a phone; each row shows its members with age and risk tier.

use leptos::prelude::*;
use model::access::Action;
use model::entities::household;

use crate::components::search_list::{first_rows, SearchList};
use crate::components::tier_chip::TierChip;
use crate::data::Dataset;
use crate::i18n::{t, t_string, use_i18n};

/// Rows drawn at once: enough to scroll a building, few enough to redraw on every keystroke.
const SHOWN: usize = 50;

fn rows(d: &Dataset, query: &str, shown: usize) -> (usize, AnyView) {
    first_rows(d.find_households(query), shown, |h| {
        let members = d
            .members_of(&h.id)
            .map(|m| {
                let age = m.assessment.age.map(|a| format!(" {a}"));
                let (tier, name) = (m.tier(), m.name().to_owned());
                view! { <span class="member"><TierChip tier=tier />" "{name}{age}</span> }
            })
            .collect_view();
        let (hid, addr) = (h.id.clone(), household::address_line(h));
        view! {
            <li>
                <a href=format!("/households/{hid}") class="row" data-testid="household-row">
                    <span class="row-main">{addr}</span>
                    <span class="row-sub members">{members}</span>
                </a>
            </li>
        }
    })
}

#[component]
pub fn HouseholdsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <SearchList name="household" add=Action::AddHousehold search_testid="household-search" shown=SHOWN found=rows
            title=move || t!(i18n, households_title) add_label=move || t!(i18n, add_household)
            placeholder=Signal::derive(move || t_string!(i18n, household_search).to_string())
            empty=move || t!(i18n, no_households) />
    }
}
