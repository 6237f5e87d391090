//! One gathering of the register, `/gatherings/:id` (`new` for a new one): what, when, where,
//! who organises it and how many are expected, the advice given, and afterwards what happened.

use leptos::prelude::*;
use model::access::Action;
use model::entities::gathering::{self, field};
use model::record::Gathering;
use serde_json::Value;

use crate::components::access::may;
use crate::components::history_panel::HistoryPanel;
use crate::components::record_form::{use_record_form, FormSpec, GridSelect};
use crate::i18n::{t, td_string, use_i18n};
use crate::pages::not_found::unless_missing;

const PLANNED: &[&str] = &[
    field::KIND,
    field::DATE,
    field::PLACE,
    field::ORGANISER,
    field::PHONE,
    field::EXPECTED_SIZE,
    field::ADVICE,
];
const AFTER: &[&str] = &[field::OUTCOME, field::ACTUAL_SIZE];

static FORM: FormSpec = FormSpec {
    entity: &gathering::ENTITY,
    fields: &[PLANNED, AFTER],
    route: "/gatherings",
    saved: |locale| td_string!(locale, saved).to_string(),
};

#[component]
pub fn GatheringForm(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let grid = RwSignal::new(String::new());
    let changes_id = id.clone();
    let rf = use_record_form(&FORM, id, move |r| {
        grid.set(Gathering(r).grid_id().unwrap_or_default().to_owned())
    });
    let (is_new, form, loaded) = (rf.is_new, rf.form.clone(), rf.form.loaded);
    let missing = rf.missing();
    let may_edit = may(Action::EditGathering);
    let save_rf = rf.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(Ok(mut edit)) = save_rf.edit() else {
            return;
        };
        if edit.creating {
            edit.fields.insert(
                0,
                (field::GRID_ID.into(), Value::from(grid.get_untracked())),
            );
        }
        save_rf.save(edit.fields, || ());
    };
    unless_missing(
        missing,
        view! {
            <section class="card">
                <p><a href="/gatherings" data-testid="gatherings-back">{t!(i18n, nav_gatherings)}</a></p>
                <h1>{if is_new { t!(i18n, add_gathering).into_any() } else { t!(i18n, gathering_title).into_any() }}</h1>
                <form on:submit=save novalidate data-testid="gathering-form">
                    <fieldset class="form-body" disabled=move || !loaded.get() || !may_edit>
                        {is_new.then(|| view! { <GridSelect grid=grid /> })}
                        {form.inputs(PLANNED)}
                        <fieldset>
                            <legend>{t!(i18n, gathering_after)}</legend>
                            {form.inputs(AFTER)}
                        </fieldset>
                        {rf.notice()}
                        {may_edit.then(|| view! { <button type="submit" class="primary" data-testid="save">{t!(i18n, save)}</button> })}
                    </fieldset>
                </form>
                {(!is_new).then(|| view! { <HistoryPanel entity=gathering::NAME id=changes_id.clone() /> })}
            </section>
        },
    )
}
