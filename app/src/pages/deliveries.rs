//! Health-pack deliveries. A volunteer sees only their own (the server sends nothing else): the
//! recipient's name, address and phone and the pack's contents, in walking order by building or
//! village group, with one tap for delivered, not at home or refused, and what is done and left.
//! Staff see every delivery of their grids, with a flag where one household got two packs.

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::access::{receives_all, Action};
use model::dataset::packs::{self, is_pending};
use model::entities::{pack_delivery, stock_move};
use model::record::PackDelivery;
use model::Role;

use crate::components::access::may;

use crate::components::field_input::member_label;
use crate::data::{use_data, Dataset};
use crate::db::{now_ms, Record};
use crate::i18n::{t, t_string, use_i18n};
use crate::session::use_session;
use crate::sync::{use_sync, SyncContext};

/// Marks a delivery; a delivered pack also draws its contents from stock.
async fn mark(
    sync: SyncContext,
    d: &Dataset,
    delivery: &Record,
    to: &'static str,
    note: String,
    me: &str,
) -> Result<(), String> {
    let at = now_ms() as i64;
    sync.edit(
        pack_delivery::NAME,
        &delivery.id,
        packs::status_change(to, &note, at),
    )
    .await
    .map_err(|e| e.to_string())?;
    if to == pack_delivery::DELIVERED {
        for fields in d.stock_draws(delivery, at, me) {
            let id = uuid::Uuid::new_v4().to_string();
            sync.edit(stock_move::NAME, &id, fields)
                .await
                .map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

#[component]
pub fn DeliveriesPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let sync = use_sync();
    let session = use_session();
    let me = session.get().map(|s| s.user.id).unwrap_or_default();
    let role = session.get().map(|s| s.user.role);
    let staff = role.is_some_and(|r| r != Role::Volunteer);
    let may_mark = may(Action::MarkDelivery);
    // Two packs to one household can be seen only by who receives every delivery; a
    // volunteer's own few would hide the other.
    let sees_doubles = role.is_some_and(|r| receives_all(r, pack_delivery::NAME));
    let (error, set_error) = signal(None::<String>);
    let me = StoredValue::new(me);

    let list = move || {
        data.dataset().map(|d| {
            let rows = d.deliveries_in_order();
            let left = rows.iter().filter(|x| is_pending(**x)).count();
            let done = rows.len() - left;
            let doubles = d.double_deliveries();
            let locale = i18n.get_locale();
            let items = rows
                .into_iter()
                .map(|x| {
                    let v = PackDelivery(x);
                    let recipient = v.resident_id().and_then(|r| d.resident(r));
                    let name = recipient.map(|r| r.name().to_owned()).unwrap_or_else(|| "—".into());
                    let phone = recipient.and_then(|r| r.view().phone()).map(str::to_owned);
                    let place = d.address_of(v.household_id());
                    let state = v.status().unwrap_or(pack_delivery::PENDING).to_owned();
                    let state_label = member_label(pack_delivery::NAME, pack_delivery::field::STATUS, &state, locale);
                    let volunteer = v.volunteer_id().and_then(|v| d.people.get(v)).cloned().unwrap_or_default();
                    let doubled = sees_doubles && doubles.contains(x);
                    let contents = v.contents().unwrap_or_default().to_owned();
                    let note = RwSignal::new(String::new());
                    let record = x.clone();
                    let pending = is_pending(x);
                    let tap = move |to: &'static str| {
                        let record = record.clone();
                        move |_| {
                            let record = record.clone();
                            let Some(d) = data.dataset_untracked() else { return };
                            spawn_local(async move {
                                let me = me.get_value();
                                if let Err(e) = mark(sync, &d, &record, to, note.get_untracked(), &me).await {
                                    set_error.set(Some(e));
                                }
                            });
                        }
                    };
                    view! {
                        <li class=format!("delivery status-{state}") data-testid="delivery" data-status=state.clone()>
                            <span class="row-main">{name}</span>
                            <span class="row-sub">{place}</span>
                            {phone.map(|p| view! { <a class="row-sub" href=format!("tel:{p}")>{p.clone()}</a> })}
                            <span class="row-sub">{t!(i18n, contents)}": "{contents}</span>
                            {staff.then(|| view! { <span class="row-sub">{t!(i18n, volunteer)}": "{volunteer}</span> })}
                            <span class="row-sub" data-testid="delivery-status">{state_label}</span>
                            {doubled.then(|| view! { <p class="field-error" data-testid="double-delivery">{t!(i18n, double_delivery)}</p> })}
                            {(pending && may_mark).then(|| view! {
                                <input
                                    class="note"
                                    data-testid="delivery-note"
                                    placeholder=move || t_string!(i18n, delivery_note)
                                    on:input=move |ev| note.set(event_target_value(&ev))
                                />
                                <div class="actions">
                                    <button class="primary" data-testid="mark-delivered" on:click=tap(pack_delivery::DELIVERED)>{t!(i18n, mark_delivered)}</button>
                                    <button class="secondary" data-testid="mark-not-home" on:click=tap(pack_delivery::NOT_HOME)>{t!(i18n, mark_not_home)}</button>
                                    <button class="secondary" data-testid="mark-refused" on:click=tap(pack_delivery::REFUSED)>{t!(i18n, mark_refused)}</button>
                                </div>
                            })}
                        </li>
                    }
                })
                .collect_view();
            view! {
                <p class="muted" data-testid="deliveries-count">{t!(i18n, deliveries_count, done = done, left = left)}</p>
                {(done + left == 0).then(|| view! { <p class="muted">{t!(i18n, no_deliveries)}</p> })}
                <ul class="rows">{items}</ul>
            }
        })
    };
    view! {
        <section>
            <h1>{t!(i18n, deliveries_title)}</h1>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            <Suspense fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>{list}</Suspense>
        </section>
    }
}
