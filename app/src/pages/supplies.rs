//! Supplies and stock (物资与库存): stock per item and site as the sum of its moves, a warning
//! when it runs low, what the pending health packs still need against what is on hand, and for
//! supervisors a form to record a move (received, adjusted, expired, or gear issued to a worker).

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::access::Action;
use model::dataset::packs::is_pending;
use model::entities::{stock_move, supply_item};
use model::record::{PackDelivery, SupplyItem};
use serde_json::json;

use crate::components::access::may;
use crate::components::field_input::member_label;
use crate::components::gear::GearHoldings;
use crate::data::{use_data, Dataset};
use crate::db::now_ms;
use crate::i18n::{t, t_string, use_i18n};
use crate::sync::use_sync;

use stock_move::field;

/// Stock per item, summed over sites, and per (item, site).
pub fn stock(d: &Dataset) -> BTreeMap<(String, String), i64> {
    model::stock::levels(d.stock_moves.iter())
}

/// What the packs not yet handed out will take, per item.
pub fn needed_by_pending(d: &Dataset) -> BTreeMap<String, i64> {
    let mut need = BTreeMap::new();
    for x in d
        .deliveries
        .iter()
        .filter(|x| is_pending(*x))
        .map(PackDelivery)
    {
        for (item, q, _) in d
            .pack_items
            .get(x.plan_id().unwrap_or_default())
            .into_iter()
            .flatten()
        {
            *need.entry(item.clone()).or_insert(0) += q;
        }
    }
    need
}

#[component]
pub fn SuppliesPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let sync = use_sync();
    let may_move = may(Action::RecordStockMove);
    let item = RwSignal::new(String::new());
    let kind = RwSignal::new(stock_move::RECEIVED.to_owned());
    let quantity = RwSignal::new(String::new());
    let site = RwSignal::new("幸福里社区卫生服务站".to_owned());
    let worker = RwSignal::new(String::new());
    let (message, set_message) = signal(None::<String>);

    let table = move || {
        data.dataset().map(|d| {
            let levels = stock(&d);
            let need = needed_by_pending(&d);
            let locale = i18n.get_locale();
            d.supply_items
                .iter()
                .map(|record| {
                    let it = SupplyItem(record);
                    let total: i64 = levels.iter().filter(|((i, _), _)| i == &record.id).map(|(_, n)| n).sum();
                    let threshold = it.low_stock_threshold().unwrap_or(0);
                    let low = total < threshold.max(need.get(&record.id).copied().unwrap_or(0));
                    let sites = levels
                        .iter()
                        .filter(|((i, _), _)| i == &record.id)
                        .map(|((_, s), n)| format!("{s}: {n}"))
                        .collect::<Vec<_>>()
                        .join(" · ");
                    let unit = it.unit().unwrap_or_default().to_owned();
                    let kind = it.kind().map(|k| member_label(supply_item::NAME, supply_item::field::KIND, k, locale)).unwrap_or("—");
                    let pending = need.get(&record.id).copied().unwrap_or(0);
                    view! {
                        <li class="facility" data-testid="supply" data-item=record.id.clone()>
                            <span class="row-main">{it.name().unwrap_or_default().to_owned()}" · "{kind}</span>
                            <span class="row-sub">{t!(i18n, stock)}": "<strong data-testid="stock-total">{total}</strong>" "{unit.clone()}</span>
                            <span class="row-sub">{sites}</span>
                            {(pending > 0).then(|| view! { <span class="row-sub">{t!(i18n, planned)}": "{pending}" "{unit.clone()}</span> })}
                            {low.then(|| view! { <strong class="late" data-testid="low-stock">{t!(i18n, low_stock)}</strong> })}
                        </li>
                    }
                })
                .collect_view()
        })
    };

    let options = move || {
        data.dataset().map(|d| {
            if item.get_untracked().is_empty() {
                if let Some(first) = d.supply_items.first() {
                    item.set(first.id.clone());
                }
            }
            d.supply_items
                .iter()
                .map(|it| view! { <option value=it.id.clone()>{SupplyItem(it).name().unwrap_or_default().to_owned()}</option> })
                .collect_view()
        })
    };
    let people = move || {
        data.dataset().map(|d| {
            d.people
                .iter()
                .map(|(id, name)| view! { <option value=id.clone()>{name.clone()}</option> })
                .collect_view()
        })
    };
    let record = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(q) = quantity.get_untracked().trim().parse::<i64>() else {
            set_message.set(Some(t_string!(i18n, quantity_required).to_string()));
            return;
        };
        // Gear issued is a worker's to hold: say to whom.
        if kind.get_untracked() == stock_move::ISSUED && worker.get_untracked().is_empty() {
            set_message.set(Some(t_string!(i18n, gear_whom).to_string()));
            return;
        }
        let mut fields = vec![
            (field::ITEM_ID.to_owned(), json!(item.get_untracked())),
            (field::KIND.to_owned(), json!(kind.get_untracked())),
            (field::QUANTITY.to_owned(), json!(q)),
            (field::SITE.to_owned(), json!(site.get_untracked())),
            (field::AT.to_owned(), json!(now_ms() as i64)),
        ];
        if !worker.get_untracked().is_empty() {
            fields.push((field::WORKER_ID.into(), json!(worker.get_untracked())));
        }
        let id = model::record::new_id();
        spawn_local(async move {
            match sync.edit(stock_move::NAME, &id, fields).await {
                Ok(_) => {
                    quantity.set(String::new());
                    set_message.set(Some(t_string!(i18n, move_saved).to_string()));
                }
                Err(e) => set_message.set(Some(e.message(i18n.get_locale_untracked()))),
            }
        });
    };

    view! {
        <section>
            <h1>{t!(i18n, supplies_title)}</h1>
            <Suspense fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>
                <ul class="rows">{table}</ul>
            </Suspense>
            {may_move.then(|| view! {
                <form class="card" on:submit=record data-testid="stock-move-form">
                    <h2>{t!(i18n, add_move)}</h2>
                    <label>{t!(i18n, item)}
                        <select data-testid="move-item" prop:value=move || item.get() on:change=move |ev| item.set(event_target_value(&ev))>
                            <Suspense fallback=|| ()>{options}</Suspense>
                        </select>
                    </label>
                    <label>{t!(i18n, kind)}
                        <select data-testid="move-kind" on:change=move |ev| kind.set(event_target_value(&ev))>
                            {stock_move::KINDS.iter().filter(|k| **k != stock_move::PACKED).map(|k| view! {
                                <option value=*k>{move || member_label(stock_move::NAME, field::KIND, k, i18n.get_locale())}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label>{t!(i18n, quantity)}
                        <input type="number" inputmode="numeric" data-testid="move-quantity" prop:value=move || quantity.get()
                            on:input=move |ev| quantity.set(event_target_value(&ev)) />
                    </label>
                    <label>{t!(i18n, site)}
                        <input data-testid="move-site" prop:value=move || site.get() on:input=move |ev| site.set(event_target_value(&ev)) />
                    </label>
                    <label>{t!(i18n, to_worker)}
                        <select data-testid="move-worker" on:change=move |ev| worker.set(event_target_value(&ev))>
                            <option value="">"—"</option>
                            <Suspense fallback=|| ()>{people}</Suspense>
                        </select>
                    </label>
                    {move || message.get().map(|m| view! { <p class="notice" role="status" data-testid="form-message">{m}</p> })}
                    <button type="submit" class="primary" data-testid="save-move">{t!(i18n, save)}</button>
                </form>
            })}
            {may_move.then(|| view! { <GearHoldings /> })}
        </section>
    }
}
