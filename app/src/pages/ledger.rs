//! The high-risk ledger (重症高风险人员台账): every red and yellow resident of the worker's
//! grids with tier, why, last visit, next due, vaccination and open needs; filters by tier, key
//! group and overdue; export to CSV and XLSX on the phone, with Chinese headers, for the report
//! upward; print on A4 as paper's fallback.

use leptos::prelude::*;
use model::dataset::ledger::{Filter, Group, TITLE};
use model::entities::resident;
use model::risk::Tier;

use crate::components::field_input::field_label;
use crate::components::offline_channel::offline_line;
use crate::components::search_list::{found_by, RowKey};
use crate::components::tier_chip::{tier_chip_in, tier_label};
use crate::components::windowed_list::{Table, WindowedTable};
use crate::data::{today, use_data, Dataset, Resident};
use crate::download::Export;
use crate::i18n::{t, t_string, use_i18n, Locale};
use crate::pages::today::reasons_text;

/// A tier picker's value: a tier's wire word ([`Tier::key`]), or anything else for both.
fn tier_of(value: &str) -> Option<Tier> {
    [Tier::Red, Tier::Yellow]
        .into_iter()
        .find(|t| t.key() == value)
}

/// One resident's row of the ledger, on the screen and on paper.
fn ledger_row(d: &Dataset, r: &Resident, locale: Locale) -> impl IntoView {
    let (tier, name, id) = (r.tier(), r.name().to_owned(), r.id().to_owned());
    // A green row is there for its offline channel: say so where the reasons go.
    let reasons = [
        reasons_text(r, locale),
        offline_line(r, locale).unwrap_or_default(),
    ]
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(" · ");
    let age = r.assessment.age.map(|a| a.to_string()).unwrap_or_default();
    let last = r
        .last_contact
        .map(|x| x.to_string())
        .unwrap_or_else(|| "—".into());
    let due = r.due.map(|x| x.to_string()).unwrap_or_else(|| "—".into());
    let doses = r
        .view()
        .vacc_doses()
        .map(|v| v.to_string())
        .unwrap_or_else(|| "—".into());
    let needs = d.open_needs_of(&id).count();
    view! {
        <tr data-testid="ledger-row" data-resident=id.clone()>
            <td><a href=format!("/residents/{id}")>{name}</a></td>
            <td>{age}</td>
            <td>{tier_chip_in(tier, locale)}</td>
            <td>{reasons}</td>
            <td>{last}</td>
            <td>{due}</td>
            <td>{doses}</td>
            <td>{needs}</td>
        </tr>
    }
}

/// The ledger's columns on the screen and on paper: the heading row's cells, a row's cells.
const COLUMNS: usize = 8;

#[component]
pub fn LedgerPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let filter = RwSignal::new(Filter::default());
    // A supervisor's ledger runs to thousands of rows: only those on the screen are drawn, and
    // every row is reached by scrolling. The count, the exports and the print cover every row.
    let list = found_by(
        move || filter.get(),
        |d, f: &Filter| d.ledger_rows(f).iter().map(|r| r.id().to_owned()).collect(),
    );
    let exporter = Export::default();
    let export = move |xlsx: bool| {
        let Some(d) = data.dataset_untracked() else {
            return;
        };
        let table = d.ledger_table(&d.ledger_rows(&filter.get_untracked()));
        let name = format!("{TITLE}-{}", d.today);
        exporter.save(&name, &table, xlsx);
    };
    // Paper as a fallback: every row of the filter is drawn in one table while the browser
    // prints (the print styles keep the table and a dated heading, with page numbers); then the
    // screen draws only what it shows again.
    let printing = RwSignal::new(false);
    let print = move |_| {
        printing.set(true);
        request_animation_frame(move || {
            if let Err(e) = window().print() {
                leptos::logging::warn!("print: {}", crate::browser::js_error_text(&e));
            }
            printing.set(false);
        });
    };
    // The browser's own print (its menu, Ctrl+P) gets the whole table too: the page is redrawn
    // before the browser lays it out for paper, and windowed again after.
    let before = window_event_listener_untyped("beforeprint", move |_| printing.set(true));
    let after = window_event_listener_untyped("afterprint", move |_| printing.set(false));
    on_cleanup(move || {
        before.remove();
        after.remove();
    });
    let groups = move || {
        let locale = i18n.get_locale();
        Group::all()
            .filter_map(|g| {
                let label = match g {
                    Group::Aged65 if locale == Locale::zh => "65 岁及以上".to_owned(),
                    Group::Aged65 => "aged 65+".to_owned(),
                    Group::OfflineChannel => t_string!(i18n, ledger_group_offline).to_string(),
                    Group::Flag(f) => field_label(resident::ENTITY.field(f)?, locale).to_owned(),
                };
                Some(view! { <option value=g.key()>{label}</option> })
            })
            .collect_view()
    };
    let head = move || {
        view! {
            <tr>
                <th>{t!(i18n, name)}</th><th>{t!(i18n, age)}</th><th>{t!(i18n, tier)}</th><th>{t!(i18n, reasons)}</th>
                <th>{t!(i18n, last_visit)}</th><th>{t!(i18n, next_due)}</th><th>{t!(i18n, vaccination)}</th><th>{t!(i18n, open_needs)}</th>
            </tr>
        }
    };
    let draw = move |(id, _, locale): RowKey| {
        let d = data.dataset_untracked()?;
        let r = d.resident(&id)?;
        Some(ledger_row(&d, r, locale).into_any())
    };
    // On paper: the whole filter in one table.
    let on_paper = move || {
        let d = data.dataset_untracked()?;
        let locale = i18n.get_locale_untracked();
        let rows = d
            .ledger_rows(&filter.get_untracked())
            .into_iter()
            .map(|r| ledger_row(&d, r, locale))
            .collect_view();
        Some(view! {
            <table class="ledger">
                <thead>{head()}</thead>
                <tbody>{rows}</tbody>
            </table>
        })
    };
    let count = move || {
        let total = list.count()?;
        Some(view! {
            <p class="muted" data-testid="ledger-count" data-total=total>{t!(i18n, ledger_count, count = total)}</p>
        })
    };
    let screen = Table {
        head: ViewFn::from(head),
        columns: COLUMNS,
        class: "ledger",
    };
    view! {
        <section>
            <h1>{t!(i18n, ledger_title)}</h1>
            <p class="print-only" data-testid="ledger-printed">{move || t!(i18n, printed_on, date = today().to_string())}</p>
            <input type="search" class="search" data-testid="ledger-search"
                aria-label=move || t_string!(i18n, search_placeholder)
                placeholder=move || t_string!(i18n, search_placeholder)
                on:input=move |ev| filter.update(|f| f.query = event_target_value(&ev))
            />
            <div class="filters">
                <label>{t!(i18n, filter_tier)}
                    <select data-testid="filter-tier" on:change=move |ev| filter.update(|f| f.tier = tier_of(&event_target_value(&ev)))>
                        <option value="all">{t!(i18n, filter_all)}</option>
                        <option value=Tier::Red.key()>{move || tier_label(Tier::Red, i18n.get_locale())}</option>
                        <option value=Tier::Yellow.key()>{move || tier_label(Tier::Yellow, i18n.get_locale())}</option>
                    </select>
                </label>
                <label>{t!(i18n, filter_group)}
                    <select data-testid="filter-group" on:change=move |ev| filter.update(|f| f.group = Group::parse(&event_target_value(&ev)))>
                        <option value="all">{t!(i18n, filter_all)}</option>
                        {groups}
                    </select>
                </label>
                <label class="check">
                    <input type="checkbox" data-testid="filter-overdue" on:change=move |ev| filter.update(|f| f.overdue_only = event_target_checked(&ev)) />
                    <span>{t!(i18n, filter_overdue)}</span>
                </label>
            </div>
            {move || data.dataset().filter(|d| d.grids.len() > 1).map(|d| {
                // A supervisor reports some grids at a time: the choice applies to screen and file.
                d.grids.iter().map(|(id, name)| {
                    let (on_id, click) = (id.clone(), id.clone());
                    let on = move || filter.with(|f| f.grids.is_empty() || f.grids.contains(&on_id));
                    view! {
                        <button class="toggle" class:on=on data-testid="ledger-grid" data-grid=id.clone()
                            on:click=move |_| filter.update(|f| {
                                if let Some(i) = f.grids.iter().position(|g| *g == click) {
                                    f.grids.remove(i);
                                } else {
                                    f.grids.push(click.clone());
                                }
                            })>{name.clone()}</button>
                    }
                }).collect_view()
            }).map(|chips| view! { <div class="chips" data-testid="ledger-grids">{chips}</div> })}
            <div class="actions">
                <button class="secondary" data-testid="export-csv" on:click=move |_| export(false)>{t!(i18n, export_csv)}</button>
                <button class="secondary" data-testid="export-xlsx" on:click=move |_| export(true)>{t!(i18n, export_xlsx)}</button>
                <button class="secondary" data-testid="print-ledger" on:click=print>{t!(i18n, print)}</button>
            </div>
            {exporter.notice()}
            {move || list.count().is_none().then(|| view! { <p class="muted">{t!(i18n, loading)}</p> })}
            {count}
            <div class="table-scroll" tabindex="0" role="region" aria-label=move || t_string!(i18n, ledger_title)>
                <Show when=move || printing.get() fallback=move || view! {
                    <WindowedTable rows=list.rows() keys=list.keys() row=draw table=screen.clone() testid="ledger-list" />
                }>{on_paper}</Show>
            </div>
        </section>
    }
}
