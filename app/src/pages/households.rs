//! Households of the worker's grids: search by address, building/unit/room or village/group, a
//! member's name or a phone; each row shows its members with age and risk tier, and who answers
//! for the door.

use leptos::prelude::*;
use model::access::Action;
use model::entities::household;

use crate::components::search_list::SearchList;
use crate::components::tier_chip::tier_chip_in;
use crate::data::Dataset;
use crate::i18n::{t, t_string, td_string, use_i18n, Locale};

/// The households a search finds, in walking order.
fn find(d: &Dataset, query: &str) -> Vec<String> {
    d.find_households(query)
        .into_iter()
        .map(str::to_owned)
        .collect()
}

/// One household: its address and its members with age and tier. Drawn in the language of the
/// moment: the list's rows are keyed by it (`search_list::RowKey`).
fn row(d: &Dataset, id: &str, locale: Locale) -> AnyView {
    let Some(h) = d.households.get(id) else {
        return ().into_any();
    };
    let members = d
        .members_of(&h.id)
        .map(|m| {
            // One text node for the name and the age.
            let text = match m.assessment.age {
                Some(age) => format!(" {} {age}", m.name()),
                None => format!(" {}", m.name()),
            };
            view! { <span class="member">{tier_chip_in(m.tier(), locale)}{text}</span> }
        })
        .collect_view();
    let (hid, addr) = (h.id.clone(), household::address_line(h));
    let responsible = d.responsible_of(id).map(|who| {
        let text = format!("{}：{who}", td_string!(locale, responsible_title));
        view! { <span class="row-sub" data-testid="household-responsible">{text}</span> }
    });
    view! {
        <li>
            <a href=format!("/households/{hid}") class="row" data-testid="household-row">
                <span class="row-main">{addr}</span>
                <span class="row-sub members">{members}</span>
                {responsible}
            </a>
        </li>
    }
    .into_any()
}

#[component]
pub fn HouseholdsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <SearchList name="household" add=Action::AddHousehold search_testid="household-search" find=find row=row
            title=move || t!(i18n, households_title) add_label=move || t!(i18n, add_household)
            placeholder=Signal::derive(move || t_string!(i18n, household_search).to_string())
            empty=move || t!(i18n, no_households) />
    }
}
