//! Protective gear per worker (issue 17, 防护物资供应): on the supplies page who holds what and
//! when each is due a re-supply, the due ones first; on a worker's card what they hold.

use leptos::prelude::*;
use model::dataset::gear::Holding;
use model::record::SupplyItem;

use crate::data::{use_data, Dataset};
use crate::i18n::{t, use_i18n};
use crate::session::use_session;

/// An item's name, or its id when the device has no record of it.
pub fn item_name(d: &Dataset, item: &str) -> String {
    d.supply_items
        .iter()
        .find(|i| i.id == item)
        .and_then(|i| SupplyItem(i).name().map(str::to_owned))
        .unwrap_or_else(|| item.to_owned())
}

fn row(d: &Dataset, h: Holding, with_worker: bool) -> impl IntoView {
    let i18n = use_i18n();
    let due = h.is_due(d.today);
    let who = with_worker.then(|| d.people.get(&h.worker).cloned().unwrap_or_default());
    let item = item_name(d, &h.item);
    let next = h.due.map(|x| x.to_string());
    view! {
        <li class="row" data-testid="gear-row" data-due=due.to_string()>
            <span class="row-main">{who.map(|w| format!("{w} · "))}{item}" × "{h.quantity}</span>
            <span class="row-sub">
                {t!(i18n, gear_last, date = h.last.to_string())}
                {next.map(|n| view! { " · " {t!(i18n, gear_next, date = n)} })}
                {due.then(|| view! { " · " <strong class="late" data-testid="gear-due">{t!(i18n, gear_due)}</strong> })}
            </span>
        </li>
    }
}

/// Everyone's holdings, for who records stock moves.
#[component]
pub fn GearHoldings() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    move || {
        data.dataset().map(|d| {
            let held = d.gear_holdings();
            view! {
                <section class="card" data-testid="gear">
                    <h2>{t!(i18n, gear_title)}</h2>
                    {if held.is_empty() {
                        view! { <p class="muted">{t!(i18n, gear_none)}</p> }.into_any()
                    } else {
                        view! { <ul class="rows">{held.into_iter().map(|h| row(&d, h, true)).collect_view()}</ul> }.into_any()
                    }}
                </section>
            }
        })
    }
}

/// What the logged-in worker holds; nothing when nothing was issued to them.
#[component]
pub fn GearMine() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let session = use_session();
    move || {
        let me = session.get()?.user.id;
        data.dataset().and_then(|d| {
            let mine = d.gear_of(&me);
            (!mine.is_empty()).then(|| view! {
                <section class="gear-mine" data-testid="gear-mine">
                    <h2>{t!(i18n, gear_mine)}</h2>
                    <ul class="rows">{mine.into_iter().map(|h| row(&d, h, false)).collect_view()}</ul>
                </section>
            })
        })
    }
}
