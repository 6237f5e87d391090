//! Health-pack batches (发放批次): a supervisor says what one pack holds, picks the recipients by
//! filter (red, yellow, 65+ living alone, not yet received a pack), sees whether stock suffices,
//! and assigns the packs to volunteers in walking order, so each gets a round of nearby doors.

use std::collections::{BTreeMap, BTreeSet};

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::dataset::packs::{self, RecipientFilter};
use model::entities::{pack_delivery, pack_plan_item};
use model::record::SupplyItem;

use crate::data::use_data;
use crate::i18n::{t, t_string, use_i18n};
use crate::pages::supplies::stock;
use crate::sync::use_sync;

#[component]
pub fn PacksPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let sync = use_sync();
    let today = crate::data::today();
    let name = RwSignal::new(format!("批次-{today}"));
    let site = RwSignal::new("幸福里社区卫生服务站".to_owned());
    let quantities = RwSignal::new(BTreeMap::<String, i64>::new());
    let filter = RwSignal::new(RecipientFilter {
        red: true,
        yellow: false,
        alone_65: true,
        offline_channel: false,
        not_received: true,
    });
    let chosen = RwSignal::new(BTreeSet::<String>::new());
    let (message, set_message) = signal(None::<String>);
    let (busy, set_busy) = signal(false);
    let (created, set_created) = signal(None::<usize>);

    let count = move || {
        data.dataset()
            .map(|d| d.recipients(&filter.get()).len())
            .unwrap_or(0)
    };
    let items = move || {
        data.dataset().map(|d| {
            let levels = stock(&d);
            d.supply_items
                .iter()
                .map(|it| {
                    let id = it.id.clone();
                    let have: i64 = levels.iter().filter(|((i, _), _)| *i == id).map(|(_, n)| n).sum();
                    let item = SupplyItem(it);
                    let label = format!("{}（{}）", item.name().unwrap_or_default(), item.unit().unwrap_or_default());
                    let (id_in, id_need) = (id.clone(), id.clone());
                    let need = Signal::derive(move || quantities.with(|q| q.get(&id_need).copied().unwrap_or(0)) * count() as i64);
                    view! {
                        <div class="field">
                            <label for=format!("qty-{id}")>{label}</label>
                            <input id=format!("qty-{id}") type="number" inputmode="numeric" min="0" data-testid="pack-quantity"
                                on:input=move |ev| {
                                    let q = event_target_value(&ev).trim().parse::<i64>().unwrap_or(0).max(0);
                                    quantities.update(|m| { m.insert(id_in.clone(), q); });
                                } />
                            <p class="muted">
                                {move || t!(i18n, stock_check, need = need.get(), have = have)}
                                {move || (need.get() > have).then(|| view! { " · " <strong class="late" data-testid="not-enough">{t!(i18n, not_enough)}</strong> })}
                            </p>
                        </div>
                    }
                })
                .collect_view()
        })
    };
    let volunteers = move || {
        data.dataset().map(|d| {
            d.volunteers
                .iter()
                .map(|(id, who)| {
                    let id = id.clone();
                    view! {
                        <label class="check">
                            <input type="checkbox" data-testid="pack-volunteer" on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                chosen.update(|c| { if on { c.insert(id.clone()); } else { c.remove(&id); } });
                            } />
                            <span>{who.clone()}</span>
                        </label>
                    }
                })
                .collect_view()
        })
    };
    let flag = move |label: AnyView,
                     set: fn(&mut RecipientFilter, bool),
                     get: fn(&RecipientFilter) -> bool,
                     testid: &'static str| {
        view! {
            <label class="check">
                <input type="checkbox" data-testid=testid prop:checked=move || get(&filter.get())
                    on:change=move |ev| filter.update(|f| set(f, event_target_checked(&ev))) />
                <span>{label}</span>
            </label>
        }
    };

    // Creating a batch hands work to volunteers' phones at their next sync and cannot be taken
    // back in one step, so the form's button only asks, and the batch is made on the answer.
    let (asking, set_asking) = signal(false);
    let create = move |confirmed: bool| {
        let Some(d) = data.dataset_untracked() else {
            return;
        };
        let pack: Vec<(String, i64, String)> = quantities
            .get_untracked()
            .into_iter()
            .filter(|(_, q)| *q > 0)
            .filter_map(|(id, q)| {
                let it = d.supply_items.iter().find(|i| i.id == id)?;
                Some((id, q, packs::contents_line(it, q)))
            })
            .collect();
        if pack.is_empty() {
            set_message.set(Some(t_string!(i18n, choose_items).to_string()));
            return;
        }
        let volunteers: Vec<String> = chosen.get_untracked().into_iter().collect();
        if volunteers.is_empty() {
            set_message.set(Some(t_string!(i18n, choose_volunteer).to_string()));
            return;
        }
        if !confirmed {
            set_message.set(None);
            set_asking.set(true);
            return;
        }
        set_asking.set(false);
        let plan = name.get_untracked();
        let site = site.get_untracked();
        let contents = pack
            .iter()
            .map(|(_, _, l)| l.clone())
            .collect::<Vec<_>>()
            .join("、");
        let new_id = model::record::new_id;
        let mut edits: Vec<_> = pack
            .iter()
            .map(|(item, q, _)| {
                let fields = packs::plan_item(&plan, item, *q, &site);
                (pack_plan_item::NAME.to_owned(), new_id(), fields)
            })
            .collect();
        let recipients = d.recipients(&filter.get_untracked());
        let count = recipients.len();
        for (r, v) in recipients
            .into_iter()
            .zip(packs::in_stretches(count, volunteers.len()))
        {
            let fields = packs::delivery(r, &volunteers[v], &plan, &contents);
            edits.push((pack_delivery::NAME.to_owned(), new_id(), fields));
        }
        set_busy.set(true);
        spawn_local(async move {
            let result = sync.edit_many(edits).await.map(|_| count);
            set_busy.set(false);
            match result {
                Ok(n) => {
                    set_message.set(None);
                    set_created.set(Some(n));
                }
                Err(e) => set_message.set(Some(e.message(i18n.get_locale_untracked()))),
            }
        });
    };

    view! {
        <section class="card">
            <h1>{t!(i18n, packs_title)}</h1>
            <form on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); create(false) } novalidate data-testid="pack-plan-form">
                <div class="field">
                    <label for="plan-name">{t!(i18n, plan_name)}</label>
                    <input id="plan-name" data-testid="plan-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev)) />
                </div>
                <fieldset>
                    <legend>{t!(i18n, pack_contents)}</legend>
                    <Suspense fallback=|| ()>{items}</Suspense>
                    <div class="field">
                        <label for="plan-site">{t!(i18n, site)}</label>
                        <input id="plan-site" prop:value=move || site.get() on:input=move |ev| site.set(event_target_value(&ev)) />
                    </div>
                </fieldset>
                <fieldset class="checks">
                    <legend>{t!(i18n, recipients)}</legend>
                    {flag(t!(i18n, only_red).into_any(), |f, v| f.red = v, |f| f.red, "filter-red")}
                    {flag(t!(i18n, only_yellow).into_any(), |f, v| f.yellow = v, |f| f.yellow, "filter-yellow")}
                    {flag(t!(i18n, alone_65).into_any(), |f, v| f.alone_65 = v, |f| f.alone_65, "filter-alone")}
                    {flag(t!(i18n, pack_group_offline).into_any(), |f, v| f.offline_channel = v, |f| f.offline_channel, "filter-offline")}
                    {flag(t!(i18n, not_received).into_any(), |f, v| f.not_received = v, |f| f.not_received, "filter-not-received")}
                    <p class="notice" data-testid="plan-preview">{move || t!(i18n, preview, count = count())}</p>
                </fieldset>
                <fieldset class="checks">
                    <legend>{t!(i18n, assign_to)}</legend>
                    <Suspense fallback=|| ()>{volunteers}</Suspense>
                </fieldset>
                {move || message.get().map(|m| view! { <p class="field-error" role="alert" data-testid="form-message">{m}</p> })}
                {move || created.get().map(|n| view! { <p class="notice" role="status" data-testid="plan-created">{t!(i18n, plan_created, count = n)}</p> })}
                <button type="submit" class="primary" data-testid="create-plan" disabled=busy>{t!(i18n, create_plan)}</button>
                <Show when=move || asking.get()>
                    <div class="confirm" role="alertdialog" data-testid="create-plan-confirm">
                        <p>{move || t!(i18n, create_plan_question, count = count(), volunteers = chosen.get().len())}</p>
                        <button type="button" class="primary" data-testid="create-plan-yes" disabled=busy on:click=move |_| create(true)>{t!(i18n, create_plan)}</button>
                        <button type="button" class="secondary" data-testid="create-plan-no" on:click=move |_| set_asking.set(false)>{t!(i18n, confirm_back)}</button>
                    </div>
                </Show>
            </form>
        </section>
    }
}
