//! Spot checks (抽查, issue 17): a supervisor picks a grid and a worker, draws a random sample of
//! that worker's visits of the last seven days not checked yet, calls each resident from here
//! (or knocks unannounced), and records whether the visit happened and what the resident said.
//! Below, the checks made so far. Grid workers never receive any of it (`model::access`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use model::dataset::spot::{check, SAMPLE_DAYS};
use model::entities::spot_check::{self, METHODS, RESULTS};
use model::record::{SpotCheck, Visit};

use crate::components::field_input::{member_label, member_options};
use crate::components::offline_channel::number_to_call;
use crate::data::{use_data, Dataset};
use crate::db::{now_ms, Record};
use crate::i18n::{t, t_string, use_i18n, Locale};
use crate::session::use_session;
use crate::sync::use_sync;

/// Visits drawn at a time: a supervisor's quarter of an hour on the phone.
const SAMPLE: usize = 5;

type I18n = leptos_i18n::I18nContext<Locale>;

fn day(ms: i64) -> String {
    model::Date::from_china_ms(ms).to_string()
}

/// One sampled visit: who, when, how, by whom; a call; the check to record.
fn sampled(d: &Dataset, v: &Record, i18n: I18n, notice: RwSignal<Option<String>>) -> impl IntoView {
    let sync = use_sync();
    let session = use_session();
    let locale = i18n.get_locale_untracked();
    let x = Visit(v);
    let resident = x.resident_id().and_then(|r| d.resident(r));
    let name = resident
        .map(|r| r.name().to_owned())
        .unwrap_or_else(|| "—".into());
    let call = resident.and_then(number_to_call);
    let when = x.visited_at().map(day).unwrap_or_default();
    let how = x
        .method()
        .map(|m| {
            member_label(
                model::entities::visit::NAME,
                model::entities::visit::field::METHOD,
                m,
                locale,
            )
        })
        .unwrap_or("—");
    let by = x
        .worker_id()
        .and_then(|w| d.people.get(w))
        .cloned()
        .unwrap_or_default();
    let (method, result, said) = (
        RwSignal::new(METHODS[0].to_owned()),
        RwSignal::new(RESULTS[0].to_owned()),
        RwSignal::new(String::new()),
    );
    let (vid, record) = (v.id.clone(), StoredValue::new(v.clone()));
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let checker = session.get().map(|s| s.user.id).unwrap_or_default();
        let fields = record.with_value(|r| {
            check(
                r,
                &r.id,
                &method.get_untracked(),
                &result.get_untracked(),
                &said.get_untracked(),
                &checker,
                now_ms() as i64,
            )
        });
        let id = model::record::new_id();
        spawn_local(async move {
            let said = match sync.edit(spot_check::NAME, &id, fields).await {
                Ok(_) => t_string!(i18n, spot_saved).to_string(),
                Err(e) => e.message(locale),
            };
            notice.set(Some(said));
        });
    };
    view! {
        <li class="card spot-item" data-testid="spot-item" data-visit=vid>
            <p class="row-main">{name}</p>
            <p class="row-sub">{when}" · "{how}" · "{by}</p>
            {call.map(|(p, who)| view! {
                <a class="button secondary call" href=format!("tel:{p}") data-testid="spot-call" aria-label=format!("{} {who} {p}", t_string!(i18n, call))>{t!(i18n, call)}" "{p.clone()}</a>
            })}
            <form on:submit=save data-testid="spot-form">
                <div class="field">
                    <label>{t!(i18n, spot_method)}
                        <select data-testid="spot-method" prop:value=move || method.get() on:change=move |ev| method.set(event_target_value(&ev))>{member_options(spot_check::NAME, spot_check::field::METHOD)}</select>
                    </label>
                </div>
                <div class="field">
                    <label>{t!(i18n, spot_result)}
                        <select data-testid="spot-result" prop:value=move || result.get() on:change=move |ev| result.set(event_target_value(&ev))>{member_options(spot_check::NAME, spot_check::field::RESULT)}</select>
                    </label>
                </div>
                <div class="field">
                    <label>{t!(i18n, spot_said)}
                        <input data-testid="spot-said" prop:value=move || said.get() on:input=move |ev| said.set(event_target_value(&ev)) />
                    </label>
                </div>
                <button type="submit" class="primary" data-testid="spot-save">{t!(i18n, spot_save)}</button>
            </form>
        </li>
    }
}

/// The checks made so far, newest first.
fn done(d: &Dataset, locale: Locale) -> Vec<AnyView> {
    d.spot_checks_newest()
        .into_iter()
        .take(50)
        .map(|c| {
            let c = SpotCheck(c);
            let who = c
                .resident_id()
                .and_then(|r| d.resident(r))
                .map(|r| r.name().to_owned())
                .unwrap_or_default();
            let worker = c
                .worker_id()
                .and_then(|w| d.people.get(w))
                .cloned()
                .unwrap_or_default();
            let result = c
                .result()
                .map(|r| member_label(spot_check::NAME, spot_check::field::RESULT, r, locale))
                .unwrap_or("—");
            let said = c.said().map(|s| format!(" · {s}")).unwrap_or_default();
            let when = c.checked_at().map(day).unwrap_or_default();
            view! {
                <li class="row" data-testid="spot-done">
                    <span class="row-main">{who}" · "{result}</span>
                    <span class="row-sub">{when}" · "{worker}{said}</span>
                </li>
            }
            .into_any()
        })
        .collect()
}

#[component]
pub fn SpotChecksPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let grid = RwSignal::new(String::new());
    let worker = RwSignal::new(String::new());
    // A new draw is a new seed; the same seed keeps the same sample while the page is open.
    let seed = RwSignal::new(now_ms() as u64);
    let drawn = RwSignal::new(false);
    let notice = RwSignal::new(None::<String>);

    let pickers = move || {
        data.dataset().map(|d| {
            let grids = d.grids.iter().map(|(id, name)| view! { <option value=id.clone()>{name.clone()}</option> }).collect_view();
            let workers = d.staff.iter().map(|(id, name)| view! { <option value=id.clone()>{name.clone()}</option> }).collect_view();
            view! {
                <label>{t!(i18n, grid)}
                    <select data-testid="spot-grid" prop:value=move || grid.get() on:change=move |ev| grid.set(event_target_value(&ev))>
                        <option value="">{t!(i18n, spot_any)}</option>{grids}
                    </select>
                </label>
                <label>{t!(i18n, spot_worker)}
                    <select data-testid="spot-worker" prop:value=move || worker.get() on:change=move |ev| worker.set(event_target_value(&ev))>
                        <option value="">{t!(i18n, spot_any)}</option>{workers}
                    </select>
                </label>
            }
        })
    };
    let sample = move || {
        drawn.get().then(|| {
            data.dataset().map(|d| {
                let (g, w) = (grid.get(), worker.get());
                let visits = d.spot_sample((!g.is_empty()).then_some(g.as_str()), (!w.is_empty()).then_some(w.as_str()), SAMPLE, seed.get(), now_ms() as i64);
                if visits.is_empty() {
                    return view! { <p class="muted" data-testid="spot-none">{t!(i18n, spot_none, days = SAMPLE_DAYS)}</p> }.into_any();
                }
                let items = visits.into_iter().map(|v| sampled(&d, v, i18n, notice)).collect_view();
                view! { <ul class="rows" data-testid="spot-sample">{items}</ul> }.into_any()
            })
        })
    };
    let history = move || {
        data.dataset().map(|d| {
            let rows = done(&d, i18n.get_locale());
            if rows.is_empty() {
                return view! { <p class="muted">{t!(i18n, spot_history_none)}</p> }.into_any();
            }
            view! { <ul class="rows">{rows}</ul> }.into_any()
        })
    };
    view! {
        <section>
            <h1>{t!(i18n, nav_spot_checks)}</h1>
            <p class="muted">{t!(i18n, spot_hint, days = SAMPLE_DAYS, n = SAMPLE)}</p>
            <div class="filters"><Suspense fallback=|| ()>{pickers}</Suspense></div>
            <button class="primary" data-testid="spot-draw" on:click=move |_| { seed.set(now_ms() as u64); drawn.set(true); notice.set(None); }>
                {t!(i18n, spot_draw)}
            </button>
            {move || notice.get().map(|m| view! { <p class="notice" role="status" data-testid="spot-message">{m}</p> })}
            <Suspense fallback=|| ()>{sample}</Suspense>
            <h2>{t!(i18n, spot_history)}</h2>
            <Suspense fallback=|| ()>{history}</Suspense>
        </section>
    }
}
