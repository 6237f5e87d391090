//! One resident, every field of the model: add or edit, with key groups and conditions as large
//! checkboxes, age from the birth date, risk tier with its reasons, a warning when the same
//! person seems registered already, the doors to record a visit or raise a need, whether they
//! still live here (moved away, deceased, left the grid; restore) and their visit history.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use model::access::Action;
use model::date::{age_on, Date};
use model::entities::{pack_delivery, resident};
use model::record::{self, Fields, Values};
use serde_json::Value;

use crate::components::access::may;
use crate::components::history_panel::HistoryPanel;
use crate::components::lifecycle_panel::LifecyclePanel;
use crate::components::offline_channel::OfflineNote;
use crate::components::record_form::{use_record_form, Edit, FormSpec, FormState, GridSelect};
use crate::components::tier_chip::TierChip;
use crate::components::visit_history::VisitHistory;
use crate::data::{use_data, Dataset};
use crate::i18n::{t, t_string, td_string, use_i18n, Locale};
use crate::pages::not_found::unless_missing;
use crate::pages::today::reasons_text;

use resident::field;

const BASIC: &[&str] = &[
    field::NAME,
    field::GENDER,
    field::BIRTH_DATE,
    field::ID_CARD_LAST4,
    field::PHONE,
    field::RELATION_TO_HEAD,
];
const CONTACTS: &[&str] = &[
    field::GUARDIAN_NAME,
    field::GUARDIAN_PHONE,
    field::EMERGENCY_CONTACT,
    field::EMERGENCY_PHONE,
];
const VACCINATION: &[&str] = &[
    field::VACC_DOSES,
    field::VACC_LAST_DATE,
    field::VACC_CONTRAINDICATION,
];
const OTHER: &[&str] = &[field::PACK_RECEIVED_DATE, field::NOTES];

static FORM: FormSpec = FormSpec {
    entity: &resident::ENTITY,
    fields: &[],
    route: "/residents",
    saved: |locale| td_string!(locale, saved).to_string(),
};

/// Residents of the grid who look like the same person as the form's values.
fn duplicates(d: &Dataset, id: &str, form: &FormState, grid: &str) -> Vec<(String, String)> {
    let mut me: Values = [field::NAME, field::BIRTH_DATE, field::PHONE]
        .into_iter()
        .map(|f| (f.to_owned(), form.get(f)))
        .collect();
    me.insert(field::GRID_ID.to_owned(), Value::from(grid));
    let others = d.residents.iter().map(|r| (r.id(), &r.record));
    model::dedupe::duplicates_of(id, &me, others)
        .into_iter()
        .map(|dup| {
            (
                dup.to_owned(),
                d.resident(dup)
                    .map(|r| r.name().to_owned())
                    .unwrap_or_default(),
            )
        })
        .collect()
}

/// When this resident last received a health pack: from the delivery records (a volunteer
/// never writes a resident's own record), else the date written on the resident.
fn pack_received(d: &Dataset, r: &crate::data::Resident) -> Option<String> {
    d.deliveries
        .iter()
        .map(record::PackDelivery)
        .filter(|x| x.resident_id() == Some(r.id()) && x.status() == Some(pack_delivery::DELIVERED))
        .filter_map(|x| x.status_at())
        .max()
        .map(|ms| Date::from_china_ms(ms).to_string())
        .or_else(|| r.record.text(field::PACK_RECEIVED_DATE).map(str::to_owned))
}

/// The page at `/residents/:id` (`new` for a new one).
#[component]
pub fn ResidentForm(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let household = RwSignal::new(use_query_map().get_untracked().get("household"));
    let grid = RwSignal::new(String::new());
    let rf = use_record_form(&FORM, id, move |r| {
        let r = record::Resident(r);
        grid.set(r.grid_id().unwrap_or_default().to_owned());
        household.set(r.household_id().map(str::to_owned));
    });
    let (id, is_new, form, loaded) = (rf.id.clone(), rf.is_new, rf.form.clone(), rf.form.loaded);
    let missing = rf.missing();
    let may_edit = may(Action::EditResident);
    let may_visit = may(Action::RecordVisit);
    let may_raise = may(Action::RaiseNeed);
    // A member added from a household belongs to that household's grid.
    if let Some(h) = household.get_untracked() {
        Effect::new(move |_| {
            if let Some(g) = data.dataset().and_then(|d| {
                d.households
                    .get(&h)
                    .and_then(|r| record::Household(r).grid_id().map(str::to_owned))
            }) {
                grid.set(g);
            }
        });
    }
    let (dups, set_dups) = signal(Vec::<(String, String)>::new());
    let (confirmed_dup, set_confirmed_dup) = signal(false);

    let save_rf = rf.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let rf = &save_rf;
        let Some(edit) = rf.edit() else {
            return;
        };
        if rf
            .form
            .get(field::NAME)
            .as_str()
            .is_none_or(|n| n.trim().is_empty())
        {
            rf.form
                .flag(field::NAME, t_string!(i18n, name_required).to_string());
            rf.say(t_string!(i18n, fix_errors));
            return;
        }
        let Ok(Edit {
            creating,
            fields: mut changed,
        }) = edit
        else {
            return;
        };
        if !confirmed_dup.get_untracked() {
            let found = data
                .dataset_untracked()
                .map(|d| duplicates(&d, &rf.id, &rf.form, &grid.get_untracked()))
                .unwrap_or_default();
            if !found.is_empty() {
                set_dups.set(found);
                return;
            }
        }
        if creating {
            changed.insert(
                0,
                (field::GRID_ID.into(), Value::from(grid.get_untracked())),
            );
            if let Some(h) = household.get_untracked() {
                changed.insert(1, (field::HOUSEHOLD_ID.into(), Value::from(h)));
            }
        }
        rf.save(changed, move || set_dups.set(Vec::new()));
    };

    let birth = form.values[field::BIRTH_DATE];
    let age = move || {
        let b = birth.get();
        let b = b.as_str().and_then(Date::parse)?;
        Some(age_on(b, crate::data::today()))
    };
    let summary_id = id.clone();
    let summary = move || {
        let d = data.dataset()?;
        let r = d.resident(&summary_id)?;
        let reasons = reasons_text(r, i18n.get_locale());
        let next = r.due.map(|d| d.to_string());
        let last = r.last_contact.map(|d| d.to_string());
        let needs = d.open_needs_of(&summary_id).count();
        let pack = pack_received(&d, r);
        let offline = r.needs_offline_channel().then(|| {
            let groups = match i18n.get_locale() {
                Locale::zh => r.offline_zh(),
                Locale::en => r.offline_en(),
            };
            let (name, phone) = r.carer().unwrap_or_default();
            view! { <OfflineNote groups carer_name=name.map(str::to_owned) carer_phone=phone.map(str::to_owned) /> }
        });
        Some(view! {
            <div class="summary" data-testid="risk-summary">
                <p><TierChip tier=r.tier() />" "{reasons}</p>
                {offline}
                <p class="muted">
                    {t!(i18n, last_visit)}": "{last.unwrap_or_else(|| "—".into())}" · "
                    {t!(i18n, next_due)}": "{next.unwrap_or_else(|| "—".into())}" · "
                    {t!(i18n, open_needs)}": "{needs}
                </p>
                {pack.map(|date| view! { <p class="muted" data-testid="pack-received">{t!(i18n, received_pack, date = date)}</p> })}
            </div>
        })
    };
    let history_id = id.clone();
    let changes_id = id.clone();
    let household_link = move || {
        household.get().map(|h| {
            let address = data.dataset().map(|d| d.address_of(Some(&h))).unwrap_or_default();
            view! { <p><A href=format!("/households/{h}") attr:data-testid="household-link">{t!(i18n, household)}": "{address}</A></p> }
        })
    };

    unless_missing(
        missing,
        view! {
            <section class="card">
                <h1>{if is_new { t!(i18n, new_resident).into_any() } else { t!(i18n, edit_resident).into_any() }}</h1>
                {(!is_new).then(|| view! {
                    <Suspense fallback=|| ()>{summary.clone()}</Suspense>
                    <div class="actions">
                        {may_visit.then(|| view! {
                            <A href=format!("/visit/new?resident={id}") attr:class="button primary" attr:data-testid="record-visit">{t!(i18n, record_visit)}</A>
                        })}
                        {may_raise.then(|| view! {
                            <A href=format!("/needs/new?resident={id}") attr:class="button secondary" attr:data-testid="raise-need">{t!(i18n, raise_need)}</A>
                        })}
                    </div>
                })}
                {household_link}
                {(!is_new && may_edit).then(|| view! { <LifecyclePanel entity=&resident::ENTITY id=id.clone() /> })}
                <form on:submit=save novalidate data-testid="resident-form">
                    <fieldset class="form-body" disabled=move || !loaded.get() || !may_edit>
                    <fieldset>
                        <legend>{t!(i18n, group_basic)}</legend>
                        {is_new.then(|| view! { <GridSelect grid=grid /> })}
                        {form.inputs(BASIC)}
                        <p class="muted" data-testid="age">{move || age().map(|a| view! { {t!(i18n, age_years, age = a)} })}</p>
                    </fieldset>
                    <fieldset class="checks"><legend>{t!(i18n, group_tags)}</legend>{form.inputs(resident::TAGS)}</fieldset>
                    <fieldset class="checks"><legend>{t!(i18n, group_conditions)}</legend>{form.inputs(resident::CONDITIONS)}</fieldset>
                    <fieldset><legend>{t!(i18n, group_vaccination)}</legend>{form.inputs(VACCINATION)}</fieldset>
                    <fieldset><legend>{t!(i18n, group_contacts)}</legend>{form.inputs(CONTACTS)}</fieldset>
                    <fieldset><legend>{t!(i18n, group_other)}</legend>{form.inputs(OTHER)}</fieldset>
                    <Show when=move || !dups.get().is_empty()>
                        <div class="confirm" role="alert" data-testid="duplicate-warning">
                            <p>{t!(i18n, duplicate_warning)}</p>
                            <ul>
                                {move || dups.get().into_iter().map(|(id, name)| view! {
                                    <li><A href=format!("/residents/{id}")>{name}" · "{t!(i18n, duplicate_open)}</A></li>
                                }).collect_view()}
                            </ul>
                            <button type="submit" class="secondary" data-testid="save-anyway" on:click=move |_| set_confirmed_dup.set(true)>
                                {t!(i18n, save_anyway)}
                            </button>
                        </div>
                    </Show>
                    {rf.notice()}
                    {may_edit.then(|| view! { <button type="submit" class="primary sticky-save" data-testid="save">{t!(i18n, save)}</button> })}
                                </fieldset>
                </form>
                {(!is_new && may_visit).then(|| view! { <VisitHistory resident_id=history_id.clone() /> })}
                {(!is_new).then(|| view! { <HistoryPanel entity=resident::NAME id=changes_id.clone() /> })}
            </section>
        },
    )
}
