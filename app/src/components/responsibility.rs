//! The overview's 责任到人 card (issue 16): each responsible person's doors with the figures the
//! server counts for them (households, residents, coverage, overdue, reached in 7 days, open
//! needs), and the households of the device nobody answers for, each a link to hand it out.

use std::sync::Arc;

use leptos::prelude::*;
use model::dashboard::Dashboard;
use model::entities::household;

use crate::components::show_more::ShowMore;
use crate::data::use_data;
use crate::i18n::{t, use_i18n};

/// Unassigned doors listed at once, and added by 显示更多.
const PAGE: usize = 20;

/// The per-person table, from the dashboard; nothing when no door names anyone.
#[component]
pub fn ResponsibleTable(d: Arc<Dashboard>) -> impl IntoView {
    let i18n = use_i18n();
    (!d.responsible.is_empty()).then(|| {
        let rows = d
            .responsible
            .iter()
            .map(|p| {
                let f = &p.figures;
                let name = match &p.id {
                    Some(_) => p.name.clone().into_any(),
                    None => t!(i18n, responsible_nobody).into_any(),
                };
                let coverage = p
                    .coverage
                    .map_or_else(|| "—".to_owned(), |c| format!("{c}%"));
                view! {
                    <tr data-testid="responsible-row" data-person=p.id.clone().unwrap_or_default()>
                        <td>{name}</td>
                        <td data-testid="responsible-households">{f.households}</td>
                        <td>{f.residents}</td>
                        <td data-testid="responsible-coverage">{coverage}</td>
                        <td>{f.overdue}</td>
                        <td>{f.visited_7d}</td>
                        <td>{f.needs_open}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <section class="card" data-testid="responsible-table">
                <h2>{t!(i18n, responsible_by_person)}</h2>
                <div class="table-scroll">
                    <table>
                        <thead><tr>
                            <th>{t!(i18n, responsible_title)}</th>
                            <th>{t!(i18n, fig_households)}</th>
                            <th>{t!(i18n, fig_residents)}</th>
                            <th>{t!(i18n, fig_coverage)}</th>
                            <th>{t!(i18n, fig_overdue)}</th>
                            <th>{t!(i18n, fig_visited_7d)}</th>
                            <th>{t!(i18n, fig_needs_open)}</th>
                        </tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </section>
        }
    })
}

/// The households on this device that nobody answers for, in walking order.
#[component]
pub fn UnassignedDoors() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let shown = RwSignal::new(PAGE);
    move || {
        data.dataset().and_then(|d| {
            let open = d.unassigned();
            (!open.is_empty()).then(|| {
                let total = open.len();
                let rows = open
                    .into_iter()
                    .take(shown.get())
                    .map(|h| {
                        let (id, addr) = (h.id.clone(), household::address_line(h));
                        let grid = d.grid_name(model::record::Household(h).grid_id()).to_owned();
                        view! {
                            <li>
                                <a class="row" href=format!("/households/{id}") data-testid="unassigned-row">
                                    <span class="row-main">{addr}</span>
                                    <span class="row-sub">{grid}</span>
                                </a>
                            </li>
                        }
                    })
                    .collect_view();
                view! {
                    <section class="card" data-testid="unassigned">
                        <h2>{t!(i18n, responsible_unassigned, count = total)}</h2>
                        <p class="muted">{t!(i18n, responsible_unassigned_hint)}</p>
                        <ul class="rows">{rows}</ul>
                        <ShowMore shown=shown total=total page=PAGE testid="unassigned-more" />
                    </section>
                }
            })
        })
    }
}
