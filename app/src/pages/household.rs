//! One household: its address (building/unit/room in town, village/group in the countryside),
//! its members with age and risk tier, and the doors to add a member or record a visit.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use model::entities::household::{self, field};
use model::record::Household;
use serde_json::Value;

use crate::components::record_form::{
    by_id_param, load_once, stored_record, FormState, GridSelect,
};
use crate::components::tier_chip::TierChip;
use crate::data::use_data;
use crate::i18n::{t, t_string, use_i18n};
use crate::sync::use_sync;

/// The fields the form edits: all but the grid (picked once, when the household is added), the
/// position and the deletion flag.
fn form_fields() -> Vec<&'static str> {
    field::NAMES
        .iter()
        .copied()
        .filter(|f| ![field::GRID_ID, field::LAT, field::LNG, field::DELETED].contains(f))
        .collect()
}

#[component]
pub fn HouseholdPage() -> impl IntoView {
    by_id_param(|id| view! { <HouseholdForm id=id /> })
}

#[component]
fn HouseholdForm(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let sync = use_sync();
    let data = use_data().data;
    let navigate = use_navigate();
    let is_new = id == "new";
    let id = if is_new {
        uuid::Uuid::new_v4().to_string()
    } else {
        id
    };
    let fields = form_fields();
    let form = FormState::new(&household::ENTITY, &fields);
    let loaded = form.loaded;
    let stored = stored_record(household::NAME, id.clone(), is_new);
    let grid = RwSignal::new(String::new());
    load_once(&form, stored, move |r| {
        grid.set(Household(r).grid_id().unwrap_or_default().to_owned())
    });
    let (message, set_message) = signal(None::<String>);
    if use_query_map().get_untracked().get("saved").is_some() {
        set_message.set(Some(t_string!(i18n, saved).to_string()));
    }

    let save_form = form.clone();
    let save_id = id.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(before) = stored.get_untracked().flatten() else {
            return;
        };
        let Ok(mut changed) = save_form.changes(before.as_ref()) else {
            set_message.set(Some(t_string!(i18n, fix_errors).to_string()));
            return;
        };
        if before.is_none() {
            changed.insert(
                0,
                (field::GRID_ID.into(), Value::from(grid.get_untracked())),
            );
        }
        let id = save_id.clone();
        let navigate = navigate.clone();
        spawn_local(async move {
            match sync.edit(household::NAME, &id, changed).await {
                Ok(_) if is_new => {
                    navigate(&format!("/households/{id}?saved=1"), Default::default())
                }
                Ok(_) => {
                    stored.refetch();
                    set_message.set(Some(t_string!(i18n, saved).to_string()));
                }
                Err(e) => set_message.set(Some(e.to_string())),
            }
        });
    };

    let members_id = id.clone();
    let members = move || {
        data.get().flatten().map(|d| {
            let list: Vec<_> = d.members_of(&members_id).collect();
            if list.is_empty() {
                return view! { <p class="muted">{t!(i18n, no_members)}</p> }.into_any();
            }
            list.into_iter()
                .map(|m| {
                    let age = m.assessment.age.map(|a| view! { " · " {t!(i18n, age_years, age = a)} });
                    let (tier, name, rid) = (m.tier(), m.name().to_owned(), m.id().to_owned());
                    view! {
                        <li class="member-row" data-testid="member-row">
                            <A href=format!("/residents/{rid}") attr:class="row">
                                <span class="row-main"><TierChip tier=tier />" "{name}{age}</span>
                            </A>
                            <A href=format!("/visit/new?resident={rid}") attr:class="button primary" attr:data-testid="member-visit">{t!(i18n, visit)}</A>
                        </li>
                    }
                })
                .collect_view()
                .into_any()
        })
    };

    view! {
        <section class="card">
            <h1>{if is_new { t!(i18n, new_household).into_any() } else { t!(i18n, edit_household).into_any() }}</h1>
            <form on:submit=save novalidate data-testid="household-form">
                <fieldset class="form-body" disabled=move || !loaded.get()>
                {is_new.then(|| view! { <GridSelect grid=grid /> })}
                {form.inputs(&fields)}
                {move || message.get().map(|m| view! { <p class="notice" role="status" data-testid="form-message">{m}</p> })}
                <button type="submit" class="primary" data-testid="save">{t!(i18n, save)}</button>
                            </fieldset>
            </form>
            {(!is_new).then(|| view! {
                <h2>{t!(i18n, members)}</h2>
                <Suspense fallback=|| ()><ul class="rows">{members.clone()}</ul></Suspense>
                <A href=format!("/residents/new?household={id}") attr:class="button secondary block" attr:data-testid="add-member">{t!(i18n, add_member)}</A>
            })}
        </section>
    }
}
