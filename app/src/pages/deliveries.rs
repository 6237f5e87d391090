//! Health-pack deliveries. A volunteer sees only their own (the server sends nothing else): the
//! recipient's name, address and phone and the pack's contents, in walking order by building or
//! village group, with one tap for delivered, not at home or refused, and what is done and left.
//! Staff see every delivery of their grids, with a flag where one household got two packs.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::record::Fields;
use model::Role;
use serde_json::json;

use crate::components::field_input::member_label;
use crate::data::{address, natural_key, use_data, Dataset};
use crate::db::{now_ms, Record};
use crate::i18n::{t, t_string, use_i18n};
use crate::session::use_session;
use crate::sync::{use_sync, SyncContext};

/// Households with more than one delivered pack of the same batch.
pub fn double_deliveries(d: &Dataset) -> HashMap<(String, String), usize> {
    let mut count: HashMap<(String, String), usize> = HashMap::new();
    for x in d
        .deliveries
        .iter()
        .filter(|x| x.text("status") == Some("delivered"))
    {
        if let Some(h) = x.text("household_id") {
            *count
                .entry((
                    h.to_owned(),
                    x.text("plan_id").unwrap_or_default().to_owned(),
                ))
                .or_default() += 1;
        }
    }
    count.retain(|_, n| *n > 1);
    count
}

/// Marks a delivery; a delivered pack also draws its contents from stock, one move per item,
/// each its own record so concurrent deliveries from one shelf all count.
async fn mark(
    sync: SyncContext,
    d: &Dataset,
    delivery: &Record,
    status: &'static str,
    note: String,
    me: &str,
) -> Result<(), String> {
    let at = now_ms() as i64;
    let mut fields = vec![
        ("status".to_owned(), json!(status)),
        ("status_at".to_owned(), json!(at)),
    ];
    if !note.trim().is_empty() {
        fields.push(("note".into(), json!(note.trim())));
    }
    sync.edit("pack_delivery", &delivery.id, fields)
        .await
        .map_err(|e| e.to_string())?;
    if status == "delivered" {
        let plan = delivery.text("plan_id").unwrap_or_default();
        for (item, quantity, site) in d.pack_items.get(plan).into_iter().flatten() {
            let id = uuid::Uuid::new_v4().to_string();
            sync.edit(
                "stock_move",
                &id,
                vec![
                    ("item_id".into(), json!(item)),
                    ("site".into(), json!(site)),
                    ("kind".into(), json!("delivered")),
                    ("quantity".into(), json!(quantity)),
                    ("at".into(), json!(at)),
                    ("delivery_id".into(), json!(delivery.id)),
                    ("worker_id".into(), json!(me)),
                ],
            )
            .await
            .map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

#[component]
pub fn DeliveriesPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data().data;
    let sync = use_sync();
    let session = use_session();
    let me = session.get().map(|s| s.user.id).unwrap_or_default();
    let staff = session
        .get()
        .is_some_and(|s| s.user.role != Role::Volunteer);
    let (error, set_error) = signal(None::<String>);
    let me = StoredValue::new(me);

    let list = move || {
        data.get().flatten().map(|d| {
            let mut rows: Vec<&Record> = d.deliveries.iter().collect();
            let addr = |x: &Record| d.address_of(x.text("household_id"));
            rows.sort_by_cached_key(|x| (x.text("status") != Some("pending"), natural_key(&addr(x))));
            let done = rows.iter().filter(|x| x.text("status") != Some("pending")).count();
            let left = rows.len() - done;
            let doubles = double_deliveries(&d);
            let locale = i18n.get_locale();
            let items = rows
                .into_iter()
                .map(|x| {
                    let recipient = x.text("resident_id").and_then(|r| d.resident(r));
                    let name = recipient.map(|r| r.name().to_owned()).unwrap_or_else(|| "—".into());
                    let phone = recipient.and_then(|r| r.record.text("phone")).map(str::to_owned);
                    let place = x.text("household_id").and_then(|h| d.households.get(h)).map(address).unwrap_or_default();
                    let status = x.text("status").unwrap_or("pending").to_owned();
                    let status_label = member_label("pack_delivery", "status", &status, locale);
                    let volunteer = x.text("volunteer_id").and_then(|v| d.people.get(v)).cloned().unwrap_or_default();
                    let doubled = x
                        .text("household_id")
                        .is_some_and(|h| doubles.contains_key(&(h.to_owned(), x.text("plan_id").unwrap_or_default().to_owned())));
                    let contents = x.text("contents").unwrap_or_default().to_owned();
                    let note = RwSignal::new(String::new());
                    let record = x.clone();
                    let pending = status == "pending";
                    let tap = move |status: &'static str| {
                        let record = record.clone();
                        move |_| {
                            let record = record.clone();
                            let Some(d) = data.get_untracked().flatten() else { return };
                            spawn_local(async move {
                                let me = me.get_value();
                                if let Err(e) = mark(sync, &d, &record, status, note.get_untracked(), &me).await {
                                    set_error.set(Some(e));
                                }
                            });
                        }
                    };
                    view! {
                        <li class=format!("delivery status-{status}") data-testid="delivery" data-status=status.clone()>
                            <span class="row-main">{name}</span>
                            <span class="row-sub">{place}</span>
                            {phone.map(|p| view! { <a class="row-sub" href=format!("tel:{p}")>{p.clone()}</a> })}
                            <span class="row-sub">{t!(i18n, contents)}": "{contents}</span>
                            {staff.then(|| view! { <span class="row-sub">{t!(i18n, volunteer)}": "{volunteer}</span> })}
                            <span class="row-sub" data-testid="delivery-status">{status_label}</span>
                            {doubled.then(|| view! { <p class="field-error" data-testid="double-delivery">{t!(i18n, double_delivery)}</p> })}
                            {pending.then(|| view! {
                                <input
                                    class="note"
                                    data-testid="delivery-note"
                                    placeholder=move || t_string!(i18n, delivery_note)
                                    on:input=move |ev| note.set(event_target_value(&ev))
                                />
                                <div class="actions">
                                    <button class="primary" data-testid="mark-delivered" on:click=tap("delivered")>{t!(i18n, mark_delivered)}</button>
                                    <button class="secondary" data-testid="mark-not-home" on:click=tap("not_home")>{t!(i18n, mark_not_home)}</button>
                                    <button class="secondary" data-testid="mark-refused" on:click=tap("refused")>{t!(i18n, mark_refused)}</button>
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
