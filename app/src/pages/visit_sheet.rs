//! The paper visit list (走访登记表, issue 16): a grid's doors building by building, the people
//! behind each with their tier, phone and last visit, and boxes to tick and fill by hand when the
//! phone cannot be used. Printed on A4 from the phone or a laptop, offline: each building starts
//! a page, the headings repeat, the pages are numbered and dated.

use leptos::prelude::*;
use model::dataset::sheet::{SheetBuilding, SheetDoor};

use crate::components::offline_channel::number_to_call;
use crate::components::tier_chip::TierChip;
use crate::data::{today, use_data, Dataset};
use crate::i18n::{t, t_string, use_i18n};

type Building<'a> = SheetBuilding<'a, crate::db::Record>;
type I18n = leptos_i18n::I18nContext<crate::i18n::Locale>;

/// The rows of one door: one per resident, the door's cell spanning them; a door with nobody
/// recorded is one blank row to write names in.
fn door_rows(door: &SheetDoor<'_, crate::db::Record>, i18n: I18n) -> impl IntoView {
    let span = door.residents.len().max(1);
    let place = if door.place.door.is_empty() {
        door.place.line()
    } else {
        door.place.door.clone()
    };
    let boxes = move || {
        view! {
            <td class="box-cell"></td>
            <td class="box-cell">"☐"{t!(i18n, sheet_in_person)}" ☐"{t!(i18n, sheet_by_phone)}" ☐"{t!(i18n, sheet_not_home)}</td>
            <td class="box-cell">"☐"{t!(i18n, sheet_stable)}" ☐"{t!(i18n, sheet_unwell)}</td>
            <td class="box-cell wide"></td>
            <td class="box-cell"></td>
        }
    };
    let door_cell = view! { <td rowspan=span class="door">{place}</td> };
    if door.residents.is_empty() {
        return view! {
            <tr data-testid="sheet-row">{door_cell}<td></td><td></td><td></td><td></td>{boxes()}</tr>
        }
        .into_any();
    }
    let mut door_cell = Some(door_cell);
    door.residents
        .iter()
        .map(|r| {
            let phone = number_to_call(r).map(|(p, _)| p).unwrap_or_default();
            let last = r
                .last_contact
                .map(|d| d.to_string())
                .unwrap_or_else(|| "—".into());
            view! {
                <tr data-testid="sheet-row" data-resident=r.id().to_owned()>
                    {door_cell.take()}
                    <td>{r.name().to_owned()}</td>
                    <td><TierChip tier=r.tier() /></td>
                    <td>{phone}</td>
                    <td>{last}</td>
                    {boxes()}
                </tr>
            }
        })
        .collect_view()
        .into_any()
}

fn building_view(b: &Building<'_>, i18n: I18n) -> impl IntoView {
    let (households, residents) = (b.doors.len(), b.residents());
    let name = if b.name.is_empty() {
        "—".to_owned()
    } else {
        b.name.clone()
    };
    // The table scrolls sideways on a phone: a keyboard reaches it, a screen reader names it.
    let label = format!("{} {name}", t_string!(i18n, nav_visit_sheet));
    view! {
        <section class="sheet-building" data-testid="sheet-building">
            <h2>{name}" "<span class="muted">{t!(i18n, sheet_counts, households = households, residents = residents)}</span></h2>
            <div class="table-scroll" tabindex="0" role="region" aria-label=label>
                <table class="ledger sheet">
                    <thead>
                        <tr>
                            <th>{t!(i18n, sheet_door)}</th><th>{t!(i18n, name)}</th><th>{t!(i18n, tier)}</th>
                            <th>{t!(i18n, phone)}</th><th>{t!(i18n, last_visit)}</th>
                            <th>{t!(i18n, sheet_visit_date)}</th><th>{t!(i18n, sheet_method)}</th>
                            <th>{t!(i18n, sheet_condition)}</th><th>{t!(i18n, sheet_notes)}</th><th>{t!(i18n, sheet_signature)}</th>
                        </tr>
                    </thead>
                    <tbody>{b.doors.iter().map(|door| door_rows(door, i18n)).collect_view()}</tbody>
                </table>
            </div>
        </section>
    }
}

/// The grid to start on: the first of the device's grids.
fn first_grid(d: &Dataset) -> Option<String> {
    d.grids.keys().next().cloned()
}

#[component]
pub fn VisitSheetPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let grid = RwSignal::new(None::<String>);
    // Empty: every building of the grid.
    let building = RwSignal::new(String::new());
    let chosen_grid = move || {
        grid.get()
            .or_else(|| data.dataset().and_then(|d| first_grid(&d)))
    };

    let grid_picker = move || {
        data.dataset().filter(|d| d.grids.len() > 1).map(|d| {
            let current = chosen_grid();
            let options = d
                .grids
                .iter()
                .map(|(id, name)| {
                    let selected = current.as_deref() == Some(id.as_str());
                    view! { <option value=id.clone() selected=selected>{name.clone()}</option> }
                })
                .collect_view();
            view! {
                <label>{t!(i18n, grid)}
                    <select data-testid="sheet-grid" on:change=move |ev| {
                        grid.set(Some(event_target_value(&ev)));
                        building.set(String::new());
                    }>{options}</select>
                </label>
            }
        })
    };
    let building_picker = move || {
        data.dataset().map(|d| {
            let current = building.get();
            let options = d
                .sheet_buildings(chosen_grid().as_deref())
                .into_iter()
                .map(|b| {
                    let selected = b == current;
                    view! { <option value=b.clone() selected=selected>{b.clone()}</option> }
                })
                .collect_view();
            view! {
                <label>{t!(i18n, sheet_building)}
                    <select data-testid="sheet-building-filter" on:change=move |ev| building.set(event_target_value(&ev))>
                        <option value="" selected=current.is_empty()>{t!(i18n, sheet_all_buildings)}</option>
                        {options}
                    </select>
                </label>
            }
        })
    };
    let heading = move || {
        let grid_name = data
            .dataset()
            .and_then(|d| chosen_grid().and_then(|g| d.grids.get(&g).cloned()))
            .unwrap_or_default();
        view! {
            <p class="print-only sheet-heading" data-testid="sheet-printed">
                {grid_name}" · "{t!(i18n, printed_on, date = today().to_string())}
            </p>
        }
    };
    let sheet = move || {
        data.dataset().map(|d| {
            let b = building.get();
            let buildings = d.visit_sheet(chosen_grid().as_deref(), (!b.is_empty()).then_some(b.as_str()));
            if buildings.is_empty() {
                return view! { <p class="muted" data-testid="sheet-empty">{t!(i18n, sheet_empty)}</p> }.into_any();
            }
            buildings.iter().map(|b| building_view(b, i18n)).collect_view().into_any()
        })
    };
    let print = move |_| {
        if let Err(e) = window().print() {
            leptos::logging::warn!("print: {}", crate::browser::js_error_text(&e));
        }
    };
    view! {
        <section>
            <div class="toolbar">
                <h1>{t!(i18n, nav_visit_sheet)}</h1>
                <button class="secondary" data-testid="print-visits" on:click=print>{t!(i18n, print)}</button>
            </div>
            <p class="muted notice">{t!(i18n, sheet_hint)}</p>
            <div class="filters">
                <Suspense fallback=|| ()>{grid_picker}{building_picker}</Suspense>
            </div>
            {heading}
            <Suspense fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>{sheet}</Suspense>
            <p class="muted">{move || t_string!(i18n, sheet_footer)}</p>
        </section>
    }
}
