//! Correcting a visit already recorded (`/visits/:id`): the same fields as the visit form, with
//! the stored values. Only the fields changed are written, as edits of the same record, so a
//! correction merges field by field with anything a colleague wrote meanwhile, and the model's
//! validation applies as on the first save. When and by whom it was recorded stay as they were.

use leptos::prelude::*;
use leptos_router::components::A;
use model::entities::visit::{self, field};
use model::record::{self, Fields};
use serde_json::json;

use crate::components::history_panel::HistoryPanel;
use crate::components::record_form::{use_record_form, FormSpec};
use crate::components::visit_history::when_text;
use crate::data::use_data;
use crate::i18n::{t, t_string, td_string, use_i18n};
use crate::pages::visit::{FINDINGS, FOLLOW_UP};

static FORM: FormSpec = FormSpec {
    entity: &visit::ENTITY,
    fields: &[FINDINGS, visit::WARNINGS, visit::SYMPTOMS, FOLLOW_UP],
    route: "/visits",
    saved: |locale| td_string!(locale, visit_corrected).to_string(),
};

#[component]
pub fn VisitCorrection(id: String) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let changes_id = id.clone();
    let rf = use_record_form(&FORM, id, |_| ());
    let (form, loaded) = (rf.form.clone(), rf.form.loaded);
    let stored = rf.stored;
    let missing = move || matches!(stored.get(), Some(Some(None)));
    let header = {
        move || {
            let v = stored.get().flatten().flatten()?;
            let view = record::Visit(&v);
            let rid = view.resident_id()?.to_owned();
            let d = data.dataset();
            let name = d
                .as_ref()
                .and_then(|d| d.resident(&rid).map(|r| r.name().to_owned()))
                .unwrap_or_default();
            let who = view
                .worker_id()
                .and_then(|w| d.as_ref().and_then(|d| d.people.get(w).cloned()))
                .unwrap_or_else(|| "—".into());
            let when = when_text(view.visited_at());
            Some(view! {
                <p class="row-main" data-testid="visit-resident">{name}</p>
                <p class="muted" data-testid="visit-recorded">{t!(i18n, visit_recorded_by, when = when, who = who)}</p>
                <A href=format!("/residents/{rid}") attr:class="button secondary block" attr:data-testid="back-to-resident">{t!(i18n, resident)}</A>
            })
        }
    };

    let save_rf = rf.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(Ok(edit)) = save_rf.edit() else {
            return;
        };
        if edit.creating {
            // Not on this device (deleted, or another grid's): a correction cannot create it.
            save_rf.say(t_string!(i18n, visit_missing));
            return;
        }
        let mut fields = edit.fields;
        // As on the first save: a low reading is itself a warning sign.
        let f = &save_rf.form;
        let low = f
            .get(field::SPO2)
            .as_i64()
            .is_some_and(|s| s < visit::LOW_SPO2);
        let before = save_rf.stored.get_untracked().flatten().flatten();
        let warned = before.is_some_and(|r| r.flag(field::WARN_LOW_SPO2));
        if low && f.get(field::WARN_LOW_SPO2).as_bool() != Some(true) && !warned {
            fields.push((field::WARN_LOW_SPO2.into(), json!(true)));
        }
        if fields.is_empty() {
            save_rf.say(t_string!(i18n, nothing_changed));
            return;
        }
        save_rf.save(fields, || ());
    };

    view! {
        <section class="card">
            <h1>{t!(i18n, correct_visit_title)}</h1>
            <Show when=missing>
                <p class="field-error" role="alert" data-testid="visit-missing">{t!(i18n, visit_missing)}</p>
            </Show>
            <Suspense fallback=|| ()>{header}</Suspense>
            <form on:submit=save novalidate data-testid="visit-form">
                <fieldset class="form-body" disabled=move || !loaded.get() || missing()>
                    <fieldset><legend>{t!(i18n, group_findings)}</legend>{form.inputs(FINDINGS)}</fieldset>
                    <fieldset class="checks warnings"><legend>{t!(i18n, group_warnings)}</legend>{form.inputs(visit::WARNINGS)}</fieldset>
                    <fieldset class="checks"><legend>{t!(i18n, group_symptoms)}</legend>{form.inputs(visit::SYMPTOMS)}</fieldset>
                    <fieldset><legend>{t!(i18n, group_followup)}</legend>{form.inputs(FOLLOW_UP)}</fieldset>
                    {rf.notice()}
                    <button type="submit" class="primary sticky-save" data-testid="save">{t!(i18n, save_correction)}</button>
                </fieldset>
            </form>
            <HistoryPanel entity=visit::NAME id=changes_id />
        </section>
    }
}
