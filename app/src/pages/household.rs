//! One household: its address (building/unit/room in town, village/group in the countryside),
//! its members with age and risk tier, the doors to add a member or record a visit, and whether
//! it is still lived in (moved away or removed; restore).

use leptos::prelude::*;
use leptos_router::components::A;
use model::access::Action;
use model::entities::household::{self, field};
use model::record::Household;
use serde_json::Value;

use crate::components::access::may;
use crate::components::education_panel::EducationPanel;
use crate::components::history_panel::HistoryPanel;
use crate::components::lifecycle_panel::LifecyclePanel;
use crate::components::record_form::{use_record_form, FormSpec, GridSelect};
use crate::components::responsible_panel::ResponsiblePanel;
use crate::components::tier_chip::TierChip;
use crate::data::use_data;
use crate::i18n::{t, td_string, use_i18n};
use crate::pages::not_found::unless_missing;
use crate::session::use_session;
use model::Role;

/// Who lives there, asked after the address. The grid is picked once, when the household is
/// added; the position and the deletion flag are not the form's.
const CONTACT: &[&str] = &[field::HEAD_NAME, field::PHONE, field::NOTES];

static FORM: FormSpec = FormSpec {
    entity: &household::ENTITY,
    fields: &[household::ADDRESS_FIELDS, CONTACT],
    route: "/households",
    saved: |locale| td_string!(locale, saved).to_string(),
};

/// The page at `/households/:id` (`new` for a new one).
#[component]
pub fn HouseholdForm(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let session = use_session();
    let grid = RwSignal::new(String::new());
    let rf = use_record_form(&FORM, id, move |r| {
        grid.set(Household(r).grid_id().unwrap_or_default().to_owned())
    });
    let (id, is_new, form, loaded) = (rf.id.clone(), rf.is_new, rf.form.clone(), rf.form.loaded);
    let missing = rf.missing();
    let may_edit = may(Action::EditHousehold);
    let may_visit = may(Action::RecordVisit);
    let may_add_member = may(Action::AddResident);

    let save_rf = rf.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(Ok(mut edit)) = save_rf.edit() else {
            return;
        };
        if edit.creating {
            let grid = (field::GRID_ID.into(), Value::from(grid.get_untracked()));
            edit.fields.insert(0, grid);
            // Whoever knocks on doors answers for the door they add until it is handed on; a
            // building leader's new door must be theirs to be theirs at all.
            if let Some(me) = session
                .get()
                .filter(|s| matches!(s.user.role, Role::GridWorker | Role::BuildingLeader))
            {
                edit.fields
                    .push((field::RESPONSIBLE_ID.into(), Value::from(me.user.id)));
            }
        }
        save_rf.save(edit.fields, || ());
    };

    let members_id = id.clone();
    let panel_id = id.clone();
    let education_id = id.clone();
    let responsible_id = id.clone();
    let changes_id = id.clone();
    let members = move || {
        data.dataset().map(|d| {
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
                            {may_visit.then(|| view! {
                                <A href=format!("/visit/new?resident={rid}") attr:class="button primary" attr:data-testid="member-visit">{t!(i18n, visit)}</A>
                            })}
                        </li>
                    }
                })
                .collect_view()
                .into_any()
        })
    };

    unless_missing(
        missing,
        view! {
            <section class="card">
                <h1>{if is_new { t!(i18n, new_household).into_any() } else { t!(i18n, edit_household).into_any() }}</h1>
                <form on:submit=save novalidate data-testid="household-form">
                    <fieldset class="form-body" disabled=move || !loaded.get() || !may_edit>
                    {is_new.then(|| view! { <GridSelect grid=grid /> })}
                    {form.inputs(household::ADDRESS_FIELDS)}
                    {form.inputs(CONTACT)}
                    {rf.notice()}
                    {may_edit.then(|| view! { <button type="submit" class="primary" data-testid="save">{t!(i18n, save)}</button> })}
                                </fieldset>
                </form>
                {(!is_new).then(|| view! {
                    <ResponsiblePanel household=responsible_id.clone() />
                    {may_edit.then(|| view! { <LifecyclePanel entity=&household::ENTITY id=panel_id.clone() /> })}
                    <h2>{t!(i18n, members)}</h2>
                    <Suspense fallback=|| ()><ul class="rows">{members.clone()}</ul></Suspense>
                    {may_add_member.then(|| view! {
                        <A href=format!("/residents/new?household={id}") attr:class="button secondary block" attr:data-testid="add-member">{t!(i18n, add_member)}</A>
                    })}
                    <EducationPanel household=education_id.clone() />
                    <HistoryPanel entity=household::NAME id=changes_id.clone() />
                })}
            </section>
        },
    )
}
