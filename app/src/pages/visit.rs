//! The door-knocking visit (走访) on one screen: how the resident was reached, what was found,
//! symptoms and severe warning signs, notes and the next follow-up. One tap saves it, offline
//! too; a warning sign turns the resident red at once and offers to raise an emergency need.
//! Once saved, the next resident due today is one tap away, so a round of doors needs no trip
//! back through the lists.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use model::entities::need;
use model::entities::visit::{self, field};
use model::record::Resident;
use serde_json::{json, Value};

use crate::components::hotlines::CommunityHotlines;
use crate::components::record_form::FormState;
use crate::components::tier_chip::TierChip;
use crate::data::use_data;
use crate::db::now_ms;
use crate::i18n::{t, t_string, use_i18n};
use crate::pages::not_found::unless_missing;
use crate::pages::today::visit_href;
use crate::session::use_session;
use crate::sync::use_sync;

pub const FINDINGS: &[&str] = &[
    field::METHOD,
    field::HEALTH_STATUS,
    field::TEMPERATURE,
    field::SPO2,
    field::ANTIGEN,
];
pub const FOLLOW_UP: &[&str] = &[field::NOTES, field::NEXT_FOLLOW_UP];

/// Raises an emergency need for a resident: the one-tap path from a visit with warning signs.
pub async fn raise_emergency(
    sync: crate::sync::SyncContext,
    resident: &str,
    grid: &str,
    description: String,
) -> Result<String, crate::db::DbError> {
    let id = model::record::new_id();
    let fields = need::emergency_from_visit(grid, resident, description, now_ms() as i64);
    sync.edit(need::NAME, &id, fields).await?;
    Ok(id)
}

/// The view of `/visit/new?resident=…`: a fresh form for each resident, so "next resident" after a
/// save (the same route, another query) starts blank instead of showing the saved visit.
pub fn visit_route() -> impl Fn() -> AnyView {
    let query = use_query_map();
    move || {
        let resident = query.read().get("resident").unwrap_or_default();
        view! { <VisitPage resident_id=resident /> }.into_any()
    }
}

#[component]
pub fn VisitPage(resident_id: String) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let session = use_session();
    let data = use_data();
    let form = FormState::new(&visit::ENTITY, &[]);
    form.set(field::METHOD, json!("in_person"));
    let (saved, set_saved) = signal(false);
    let (warned, set_warned) = signal(false);
    let (emergency, set_emergency) = signal(None::<String>);
    let (message, set_message) = signal(None::<String>);
    // Who comes after this resident on Today, as it stood before the save moved them off it.
    let (next, set_next) = signal(None::<(String, String)>);

    let rid = resident_id.clone();
    let resident = move || {
        data.dataset()
            .and_then(|d| d.resident(&rid).map(|r| r.record.clone()))
    };
    let header_id = resident_id.clone();
    let header = move || {
        let d = data.dataset()?;
        let r = d.resident(&header_id)?;
        let (tier, name) = (r.tier(), r.name().to_owned());
        let address = d.address_of_resident(r);
        Some(
            view! { <p class="row-main" data-testid="visit-resident"><TierChip tier=tier />" "{name}</p><p class="muted">{address}</p> },
        )
    };

    let ready_resident = resident.clone();
    let save_form = form.clone();
    let save_resident = resident.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if saved.get_untracked() {
            return;
        }
        let Some(r) = save_resident() else { return };
        let Ok(changed) = save_form.changes(None) else {
            set_message.set(Some(t_string!(i18n, fix_errors).to_string()));
            return;
        };
        let spo2_low = save_form
            .get(field::SPO2)
            .as_i64()
            .is_some_and(|s| s < visit::LOW_SPO2);
        let warning = spo2_low
            || visit::WARNINGS
                .iter()
                .any(|w| save_form.get(w).as_bool() == Some(true));
        let who = Resident(&r);
        let mut fields = vec![
            (
                field::GRID_ID.to_owned(),
                Value::from(who.grid_id().unwrap_or_default()),
            ),
            (field::RESIDENT_ID.to_owned(), Value::from(r.id.clone())),
            (field::VISITED_AT.to_owned(), json!(now_ms() as i64)),
        ];
        if let Some(h) = who.household_id() {
            fields.push((field::HOUSEHOLD_ID.into(), Value::from(h)));
        }
        if let Some(s) = session.get() {
            fields.push((field::WORKER_ID.into(), Value::from(s.user.id)));
        }
        if spo2_low && save_form.get(field::WARN_LOW_SPO2).as_bool() != Some(true) {
            fields.push((field::WARN_LOW_SPO2.into(), json!(true)));
        }
        fields.extend(changed);
        let id = model::record::new_id();
        let after = data.dataset_untracked().and_then(|d| {
            d.next_due_after(&r.id)
                .map(|n| (n.id().to_owned(), n.name().to_owned()))
        });
        spawn_local(async move {
            match sync.edit(visit::NAME, &id, fields).await {
                Ok(_) => {
                    set_next.set(after);
                    set_saved.set(true);
                    set_warned.set(warning);
                    set_message.set(None);
                }
                Err(e) => set_message.set(Some(e.message(i18n.get_locale_untracked()))),
            }
        });
    };

    let emergency_resident = resident.clone();
    let raise = move |_| {
        let Some(r) = emergency_resident() else {
            return;
        };
        let grid = Resident(&r).grid_id().unwrap_or_default().to_owned();
        let description = t_string!(i18n, warning_red).to_string();
        spawn_local(async move {
            match raise_emergency(sync, &r.id, &grid, description).await {
                Ok(id) => set_emergency.set(Some(id)),
                Err(e) => set_message.set(Some(e.message(i18n.get_locale_untracked()))),
            }
        });
    };

    // Copy, so the nested conditional views below can each hold it.
    let raise = StoredValue::new_local(raise);
    let back = resident_id.clone();
    // A resident this device does not hold (another grid's, deleted, a mistyped link): say so
    // instead of a form whose save could never be pressed.
    let missing_id = resident_id.clone();
    let missing = Signal::derive(move || {
        data.dataset()
            .is_some_and(|d| d.resident(&missing_id).is_none())
    });
    unless_missing(
        missing,
        view! {
            <section class="card">
                <h1>{t!(i18n, visit_title)}</h1>
                <Suspense fallback=|| ()>{header}</Suspense>
                <Show when=move || !saved.get()>
                    <form on:submit=save.clone() novalidate data-testid="visit-form">
                        <fieldset><legend>{t!(i18n, group_findings)}</legend>{form.inputs(FINDINGS)}</fieldset>
                        <fieldset class="checks warnings"><legend>{t!(i18n, group_warnings)}</legend>{form.inputs(visit::WARNINGS)}</fieldset>
                        <fieldset class="checks"><legend>{t!(i18n, group_symptoms)}</legend>{form.inputs(visit::SYMPTOMS)}</fieldset>
                        <fieldset><legend>{t!(i18n, group_followup)}</legend>{form.inputs(FOLLOW_UP)}</fieldset>
                        {move || message.get().map(|m| view! { <p class="field-error" role="alert">{m}</p> })}
                        // Saving needs the resident's grid and household: wait until they are read,
                        // rather than let a tap during a reload do nothing.
                        <button type="submit" class="primary sticky-save" data-testid="save" disabled={ let r = ready_resident.clone(); move || r().is_none() }>{t!(i18n, save)}</button>
                    </form>
                </Show>
                <Show when=move || saved.get()>
                    <p class="notice" role="status" data-testid="visit-saved">{t!(i18n, visit_saved)}</p>
                    {move || warned.get().then(|| view! {
                        <div class="confirm" role="alert" data-testid="visit-warning">
                            <p><strong>{t!(i18n, warning_red)}</strong></p>
                            {match emergency.get() {
                                None => view! {
                                    <button class="primary" data-testid="raise-emergency" on:click=move |ev| raise.with_value(|f| f(ev))>{t!(i18n, raise_emergency)}</button>
                                }.into_any(),
                                Some(_) => view! {
                                    <p class="notice" data-testid="emergency-raised">{t!(i18n, emergency_raised)}</p>
                                    <p class="hotline">{t!(i18n, hotline)}</p>
                                    <a class="button primary block" href="tel:120" data-testid="call-120">{t!(i18n, call_120)}</a>
                                    <CommunityHotlines />
                                }.into_any(),
                            }}
                        </div>
                    })}
                    <div class="after-visit" data-testid="after-visit">
                        {move || match next.get() {
                            Some((id, name)) => view! {
                                <A href=visit_href(&id) attr:class="button primary block" attr:data-testid="next-resident">
                                    {t!(i18n, next_resident, name = name)}
                                </A>
                            }.into_any(),
                            None => view! { <p class="notice" data-testid="today-all-done">{t!(i18n, today_all_done)}</p> }.into_any(),
                        }}
                        <A href="/today" attr:class="button secondary block" attr:data-testid="back-to-today">{t!(i18n, back_to_today)}</A>
                    </div>
                    <A href=format!("/residents/{back}") attr:class="button secondary block" attr:data-testid="back-to-resident">{t!(i18n, resident)}</A>
                </Show>
            </section>
        },
    )
}
