//! The residents of the user's grids on this device: search by name or phone, open one to edit,
//! add a new one; one who moved away or died is marked so. Reads the dataset already loaded from
//! IndexedDB, so it works offline.

use leptos::prelude::*;
use model::access::Action;

use crate::components::field_input::member_label;
use crate::components::search_list::SearchList;
use crate::data::Dataset;
use crate::i18n::{t, t_string, td, use_i18n, Locale};

/// The residents a search finds, by name.
fn find(d: &Dataset, query: &str) -> Vec<String> {
    d.find_residents(query)
        .into_iter()
        .map(|r| r.id().to_owned())
        .collect()
}

/// One resident: name, age and phone, and whether they have left. Drawn in the language of the
/// moment: the list's rows are keyed by it (`search_list::RowKey`).
fn row(d: &Dataset, id: &str, locale: Locale) -> AnyView {
    let Some(r) = d.resident(id) else {
        return ().into_any();
    };
    let href = format!("/residents/{}", r.id());
    let name = r.name().to_owned();
    let phone = r.view().phone().unwrap_or_default().to_owned();
    let age = r.assessment.age;
    // One who moved away or died is still found, and says so before anyone knocks.
    let gone = r.departure.as_ref().map(|dep| {
        let entity = if dep.by_household {
            model::entities::household::NAME
        } else {
            model::entities::resident::NAME
        };
        member_label(entity, model::lifecycle::STATUS, &dep.status, locale)
    });
    view! {
        <li>
            <a href=href class="row" data-testid="resident-row">
                <span class="row-main">{name}{gone.map(|g| view! { " · "<span class="muted" data-testid="resident-gone">{g}</span> })}</span>
                <span class="row-sub">
                    {age.map(|a| view! { {td!(locale, age_years, age = a)} " " })}
                    {phone}
                </span>
            </a>
        </li>
    }
    .into_any()
}

#[component]
pub fn ResidentsPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <SearchList name="resident" add=Action::AddResident search_testid="search" find=find row=row
            title=move || t!(i18n, residents_title) add_label=move || t!(i18n, add_resident)
            placeholder=Signal::derive(move || t_string!(i18n, search_placeholder).to_string())
            empty=move || t!(i18n, no_results) />
    }
}
