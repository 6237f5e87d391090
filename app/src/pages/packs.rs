//! Health-pack batches (发放批次): a supervisor says what one pack holds, picks the recipients by
//! filter (red, yellow, 65+ living alone, not yet received a pack), sees whether stock suffices,
//! and assigns the packs to volunteers in walking order, so each gets a round of nearby doors.

use std::collections::{BTreeMap, BTreeSet};

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::record::Fields;
use model::risk::Tier;
use serde_json::json;

use crate::data::{natural_key, use_data, Dataset, Resident};
use crate::i18n::{t, t_string, use_i18n};
use crate::pages::supplies::stock;
use crate::sync::use_sync;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RecipientFilter {
    pub red: bool,
    pub yellow: bool,
    pub alone_65: bool,
    pub not_received: bool,
}

/// The residents a batch goes to, in walking order: any of the chosen groups, less those who
/// already have a pack (delivered or on its way) when asked.
pub fn recipients<'a>(d: &'a Dataset, f: &RecipientFilter) -> Vec<&'a Resident> {
    let has_pack: BTreeSet<&str> = d
        .deliveries
        .iter()
        .filter(|x| matches!(x.text("status"), Some("delivered") | Some("pending") | None))
        .filter_map(|x| x.text("resident_id"))
        .collect();
    let mut out: Vec<&Resident> = d
        .residents
        .iter()
        .filter(|r| {
            (f.red && r.tier() == Tier::Red)
                || (f.yellow && r.tier() == Tier::Yellow)
                || (f.alone_65 && r.assessment.aged_65() && r.record.flag("tag_living_alone"))
        })
        .filter(|r| !f.not_received || !has_pack.contains(r.id()))
        .collect();
    out.sort_by_cached_key(|r| natural_key(&d.address_of(r.record.text("household_id"))));
    out
}

#[component]
pub fn PacksPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data().data;
    let sync = use_sync();
    let today = crate::data::today();
    let name = RwSignal::new(format!("批次-{today}"));
    let site = RwSignal::new("幸福里社区卫生服务站".to_owned());
    let quantities = RwSignal::new(BTreeMap::<String, i64>::new());
    let filter = RwSignal::new(RecipientFilter {
        red: true,
        yellow: false,
        alone_65: true,
        not_received: true,
    });
    let chosen = RwSignal::new(BTreeSet::<String>::new());
    let (message, set_message) = signal(None::<String>);
    let (busy, set_busy) = signal(false);
    let (created, set_created) = signal(None::<usize>);

    let count = move || {
        data.get()
            .flatten()
            .map(|d| recipients(&d, &filter.get()).len())
            .unwrap_or(0)
    };
    let items = move || {
        data.get().flatten().map(|d| {
            let levels = stock(&d);
            d.supply_items
                .iter()
                .map(|it| {
                    let id = it.id.clone();
                    let have: i64 = levels.iter().filter(|((i, _), _)| *i == id).map(|(_, n)| n).sum();
                    let label = format!("{}（{}）", it.text("name").unwrap_or_default(), it.text("unit").unwrap_or_default());
                    let (id_in, id_need) = (id.clone(), id.clone());
                    let need = Signal::derive(move || quantities.with(|q| q.get(&id_need).copied().unwrap_or(0)) * count() as i64);
                    view! {
                        <div class="field">
                            <label>{label}</label>
                            <input type="number" inputmode="numeric" min="0" data-testid="pack-quantity"
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
        data.get().flatten().map(|d| {
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

    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(d) = data.get_untracked().flatten() else {
            return;
        };
        let pack: Vec<(String, i64, String)> = quantities
            .get_untracked()
            .into_iter()
            .filter(|(_, q)| *q > 0)
            .filter_map(|(id, q)| {
                let it = d.supply_items.iter().find(|i| i.id == id)?;
                Some((
                    id,
                    q,
                    format!(
                        "{} {} {}",
                        it.text("name").unwrap_or_default(),
                        q,
                        it.text("unit").unwrap_or_default()
                    ),
                ))
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
        let plan = name.get_untracked();
        let site = site.get_untracked();
        let contents = pack
            .iter()
            .map(|(_, _, l)| l.clone())
            .collect::<Vec<_>>()
            .join("、");
        let people: Vec<(String, Option<String>, Option<String>)> =
            recipients(&d, &filter.get_untracked())
                .into_iter()
                .map(|r| {
                    (
                        r.id().to_owned(),
                        r.record.text("grid_id").map(str::to_owned),
                        r.record.text("household_id").map(str::to_owned),
                    )
                })
                .collect();
        set_busy.set(true);
        spawn_local(async move {
            let mut edits = Vec::new();
            for (item, q, _) in &pack {
                edits.push((
                    "pack_plan_item".to_owned(),
                    uuid::Uuid::new_v4().to_string(),
                    vec![
                        ("plan_id".to_owned(), json!(plan)),
                        ("item_id".to_owned(), json!(item)),
                        ("quantity".to_owned(), json!(q)),
                        ("site".to_owned(), json!(site)),
                    ],
                ));
            }
            // Consecutive doors go to the same volunteer: each gets one stretch of the walk.
            let per = people.len().div_ceil(volunteers.len()).max(1);
            for (n, (resident, grid, household)) in people.iter().enumerate() {
                let mut fields = vec![
                    ("grid_id".to_owned(), json!(grid)),
                    ("resident_id".to_owned(), json!(resident)),
                    (
                        "volunteer_id".to_owned(),
                        json!(volunteers[(n / per).min(volunteers.len() - 1)]),
                    ),
                    ("plan_id".to_owned(), json!(plan)),
                    ("contents".to_owned(), json!(contents)),
                    ("status".to_owned(), json!("pending")),
                ];
                if let Some(h) = household {
                    fields.push(("household_id".to_owned(), json!(h)));
                }
                edits.push((
                    "pack_delivery".to_owned(),
                    uuid::Uuid::new_v4().to_string(),
                    fields,
                ));
            }
            let result = sync.edit_many(edits).await.map(|_| people.len());
            set_busy.set(false);
            match result {
                Ok(n) => {
                    set_message.set(None);
                    set_created.set(Some(n));
                }
                Err(e) => set_message.set(Some(e.to_string())),
            }
        });
    };

    view! {
        <section class="card">
            <h1>{t!(i18n, packs_title)}</h1>
            <form on:submit=create novalidate data-testid="pack-plan-form">
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
            </form>
        </section>
    }
}
