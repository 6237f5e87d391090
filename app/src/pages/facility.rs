//! One service point or hotline of the directory (服务点与热线, issue 16), at `/services/:id`:
//! supervisors add and keep them — kind, name, address, phone, opening hours, position — and
//! everyone else reads the same page.

use leptos::prelude::*;
use model::access::Action;
use model::entities::facility::{self, field};

use crate::components::access::may;
use crate::components::record_form::{use_record_form, FormSpec};
use crate::i18n::{t, td_string, use_i18n};
use crate::pages::not_found::unless_missing;

/// What it is and how to reach it, then where it is on the map.
const WHAT: &[&str] = &[
    field::KIND,
    field::NAME,
    field::PHONE,
    field::HOURS,
    field::ADDRESS,
    field::NOTES,
];
const WHERE: &[&str] = &[field::LAT, field::LNG];

static FORM: FormSpec = FormSpec {
    entity: &facility::ENTITY,
    fields: &[WHAT, WHERE],
    route: "/services",
    saved: |locale| td_string!(locale, saved).to_string(),
};

#[component]
pub fn FacilityForm(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let rf = use_record_form(&FORM, id, |_| ());
    let (is_new, form, loaded) = (rf.is_new, rf.form.clone(), rf.form.loaded);
    let missing = rf.missing();
    let may_edit = may(Action::EditFacility);
    let save_rf = rf.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Some(Ok(edit)) = save_rf.edit() {
            save_rf.save(edit.fields, || ());
        }
    };
    unless_missing(
        missing,
        view! {
            <section class="card">
                <p><a href="/services" data-testid="services-back">{t!(i18n, services_title)}</a></p>
                <h1>{if is_new { t!(i18n, new_facility).into_any() } else { t!(i18n, facility_title).into_any() }}</h1>
                <form on:submit=save novalidate data-testid="facility-form">
                    <fieldset class="form-body" disabled=move || !loaded.get() || !may_edit>
                        {form.inputs(WHAT)}
                        <fieldset>
                            <legend>{t!(i18n, facility_position)}</legend>
                            {form.inputs(WHERE)}
                        </fieldset>
                        {rf.notice()}
                        {may_edit.then(|| view! { <button type="submit" class="primary" data-testid="save">{t!(i18n, save)}</button> })}
                    </fieldset>
                </form>
            </section>
        },
    )
}
