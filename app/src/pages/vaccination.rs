//! Vaccination mobilisation (应接尽接, issue 16): a grid's residents aged 3 or more without a
//! contraindication who are not fully vaccinated, highest risk and oldest first, each with why,
//! the last attempt, the nearest vaccination point or vehicle and when it is there, a call, and
//! the attempt to record. The policy (full course, booster interval) is the server's.

use leptos::prelude::*;
use model::access::Action;
use model::dataset::mobilising::Eligible;
use model::entities::{facility, mobilisation};
use model::record::{Facility, Mobilisation};

use crate::components::access::may;
use crate::components::field_input::member_label;
use crate::components::mobilise_form::MobiliseForm;
use crate::components::offline_channel::number_to_call;
use crate::components::search_list::{found_by, RowKey};
use crate::components::tier_chip::TierChip;
use crate::components::windowed_list::WindowedList;
use crate::data::{use_data, Dataset};
use crate::db::Record;
use crate::i18n::{t, t_string, use_i18n, Locale};
use crate::session::use_session;

type I18n = leptos_i18n::I18nContext<Locale>;

fn row(
    d: &Dataset,
    e: &Eligible<'_, Record>,
    policy: model::vaccination::Policy,
    i18n: I18n,
    open: RwSignal<Option<String>>,
    notice: RwSignal<Option<String>>,
) -> impl IntoView {
    let locale = i18n.get_locale_untracked();
    let r = e.resident;
    let (rid, name, tier) = (r.id().to_owned(), r.name().to_owned(), r.tier());
    let age = r.assessment.age;
    let gap = match locale {
        Locale::zh => e.gap.zh(policy),
        Locale::en => e.gap.en(policy),
    };
    let last = e.last.map(|m| {
        let m = Mobilisation(m);
        let outcome = m
            .outcome()
            .map(|o| member_label(mobilisation::NAME, mobilisation::field::OUTCOME, o, locale))
            .unwrap_or("—");
        let when = m
            .at()
            .map(|ms| model::Date::from_china_ms(ms).to_string())
            .unwrap_or_default();
        let why = m
            .reason()
            .filter(|s| !s.is_empty())
            .map(|s| format!("（{s}）"))
            .unwrap_or_default();
        format!("{when} {outcome}{why}")
    });
    let place = d.nearest_vaccination(r.view().household_id()).map(|f| {
        let f = Facility(f);
        let kind = f
            .kind()
            .map(|k| member_label(facility::NAME, facility::field::KIND, k, locale))
            .unwrap_or_default();
        let parts = [f.name(), f.hours(), f.address()]
            .into_iter()
            .flatten()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" · ");
        format!("{kind}：{parts}")
    });
    let call = number_to_call(r);
    let toggle_id = rid.clone();
    let name_label = name.clone();
    let open_id = rid.clone();
    let is_open_btn = move || open.get().as_deref() == Some(open_id.as_str());
    let form_id = rid.clone();
    let form_rid = rid.clone();
    let is_open = move || open.get().as_deref() == Some(form_id.as_str());
    view! {
        <li class="vacc-item" data-testid="vacc-item" data-resident=rid.clone()>
            <a href=format!("/residents/{rid}") class="row">
                <span class="row-main"><TierChip tier=tier />" "{name}{age.map(|a| view! { " · " {t!(i18n, age_years, age = a)} })}</span>
                <span class="row-sub" data-testid="vacc-gap">{gap}</span>
                {last.map(|l| view! { <span class="row-sub" data-testid="vacc-last">{t!(i18n, mobilise_last)}": "{l}</span> })}
                {place.map(|p| view! { <span class="row-sub" data-testid="vacc-place">{p}</span> })}
            </a>
            <div class="row-actions">
                {may(Action::RecordMobilisation).then(|| view! {
                    <button type="button" class="button primary" data-testid="vacc-mobilise" aria-label=format!("{} {}", t_string!(i18n, mobilise_record), name_label) aria-expanded=move || if is_open_btn() { "true" } else { "false" }
                        on:click=move |_| open.update(|o| *o = if o.as_deref() == Some(toggle_id.as_str()) { None } else { Some(toggle_id.clone()) })>
                        {t!(i18n, mobilise_record)}
                    </button>
                })}
                {call.map(|(p, who)| view! {
                    <a class="button secondary call" href=format!("tel:{p}") aria-label=format!("{} {who}", t_string!(i18n, call))>{t!(i18n, call)}</a>
                })}
            </div>
            {move || is_open().then(|| view! { <MobiliseForm resident_id=form_rid.clone() on_saved=Callback::new(move |said| { open.set(None); notice.set(Some(said)); }) /> })}
        </li>
    }
}

#[component]
pub fn VaccinationPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let session = use_session();
    let policy = session.get().map(|s| s.vaccination).unwrap_or_default();
    let grid = RwSignal::new(None::<String>);
    let open = RwSignal::new(None::<String>);
    // What the last saved attempt said, above the list (its row is drawn again).
    let notice = RwSignal::new(None::<String>);
    let chosen = move || {
        grid.get()
            .or_else(|| data.dataset().and_then(|d| d.grids.keys().next().cloned()))
    };
    // A grid's list runs to hundreds: only the rows on the screen are drawn, every one reached
    // by scrolling.
    let list = found_by(chosen, move |d, grid: &Option<String>| {
        d.mobilisation_list(grid.as_deref(), policy)
            .iter()
            .map(|e| e.resident.id().to_owned())
            .collect()
    });
    let mobilised = Memo::new(move |_| {
        data.dataset().map(|d| {
            d.mobilisation_list(chosen().as_deref(), policy)
                .iter()
                .filter(|e| e.last.is_some())
                .count()
        })
    });

    let picker = move || {
        data.dataset().filter(|d| d.grids.len() > 1).map(|d| {
            let current = chosen();
            let options = d.grids.iter().map(|(id, name)| {
                let selected = current.as_deref() == Some(id.as_str());
                view! { <option value=id.clone() selected=selected>{name.clone()}</option> }
            }).collect_view();
            view! {
                <label>{t!(i18n, grid)}
                    <select data-testid="vacc-grid" on:change=move |ev| grid.set(Some(event_target_value(&ev)))>{options}</select>
                </label>
            }
        })
    };
    let head = move || {
        let total = list.count()?;
        let mobilised = mobilised.get().unwrap_or_default();
        Some(view! {
            <p class="muted" data-testid="vacc-count" data-total=total>
                {t!(i18n, vacc_count, total = total, mobilised = mobilised)}
            </p>
            {(total == 0).then(|| view! { <p class="muted" data-testid="vacc-none">{t!(i18n, vacc_none)}</p> })}
        })
    };
    let draw = move |(id, _, _): RowKey| {
        let d = data.dataset_untracked()?;
        let e = d.eligible(&id, policy)?;
        Some(row(&d, &e, policy, i18n, open, notice).into_any())
    };
    view! {
        <section>
            <h1>{t!(i18n, nav_vaccination)}</h1>
            <p class="muted">{t!(i18n, vacc_rule, full = policy.full_course, days = policy.booster_days)}</p>
            <div class="filters"><Suspense fallback=|| ()>{picker}</Suspense></div>
            {move || notice.get().map(|m| view! { <p class="notice" role="status" data-testid="mobilise-message">{m}</p> })}
            {move || list.count().is_none().then(|| view! { <p class="muted">{t!(i18n, loading)}</p> })}
            {head}
            <WindowedList rows=list.rows() keys=list.keys() row=draw testid="vacc-list" />
        </section>
    }
}
