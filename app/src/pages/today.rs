//! Today (今日待访): the worker's due and overdue visits, red first, then by how overdue, each
//! with why it is due, a one-tap 记录走访 and a call button. A visit recorded today moves the due
//! date on, so the row leaves at once; a resident whose latest visit found a severe warning sign
//! stays at the top for daily follow-up until a visit finds none. Everyone due is reachable: the
//! list is searched by name, phone or address, and scrolled, drawing only the rows on the screen,
//! so a phone never holds thousands of rows in the page.

use leptos::prelude::*;
use model::access::Action;
use model::dataset::due::Due;

use crate::components::access::may;
use crate::components::offline_channel::{number_to_call, offline_line};
use crate::components::search_list::{found, RowKey};
use crate::components::tier_chip::tier_chip_in;
use crate::components::windowed_list::WindowedList;
use crate::data::{use_data, Dataset, Resident};
use crate::i18n::{t, t_string, td, td_string, use_i18n, Locale};

/// Why the resident's tier, in the screen's language.
pub fn reasons_text(r: &Resident, locale: Locale) -> String {
    match locale {
        Locale::zh => r.reasons_zh(),
        Locale::en => r.reasons_en(),
    }
}

/// The visit form of one resident: where 记录走访 goes, from Today and after a saved visit.
pub fn visit_href(resident: &str) -> String {
    format!("/visit/new?resident={resident}")
}

/// One row of Today: the main area opens the resident; beside it the two things a worker does
/// at a door, each a full-size touch target. Drawn in the language of the moment: the list's
/// rows are keyed by it (`search_list::RowKey`), so a row follows nothing by itself and a
/// keystroke that brings a screen of new rows makes no effects for them.
fn row(d: &Dataset, r: &Resident, locale: Locale) -> impl IntoView {
    let when = match d.due_of(r) {
        Due::DailyFollowUp => td_string!(locale, daily_follow_up).into_any(),
        Due::NeverVisited => td_string!(locale, never_visited).into_any(),
        Due::Today => td_string!(locale, due_today).into_any(),
        Due::Overdue(days) => td!(locale, overdue_days, days = days).into_any(),
        Due::AtTheDoor => td_string!(locale, due_at_the_door).into_any(),
    };
    let why = format!(" · {}", reasons_text(r, locale));
    let offline = offline_line(r, locale);
    let address = d.address_of_resident(r);
    let (tier, rid) = (r.tier(), r.id().to_owned());
    let name = format!(" {}", r.name());
    // Only a phone this role receives: a volunteer's copy of a resident has none. Someone
    // without one of their own is called through their guardian or emergency contact.
    let (phone, callee) = number_to_call(r).unzip();
    let call = td_string!(locale, call);
    view! {
        <li class="today-item" data-testid="today-item" data-resident=rid.clone()>
            <a href=format!("/residents/{rid}") class="row" data-testid="today-row">
                <span class="row-main">{tier_chip_in(tier, locale)}{name}</span>
                <span class="row-sub">{when}{why}</span>
                <span class="row-sub">{address}</span>
                {offline.map(|line| view! { <span class="row-sub offline-line" data-testid="today-offline">{line}</span> })}
            </a>
            <div class="row-actions">
                {may(Action::RecordVisit).then(|| view! {
                    <a href=visit_href(&rid) class="button primary" data-testid="today-visit">{td_string!(locale, record_visit)}</a>
                })}
                {phone.map(|p| {
                    // "拨打 张三": the button says only 拨打, a screen reader says whom.
                    let label = format!("{call} {}", callee.unwrap_or_default());
                    view! {
                        <a class="button secondary call" href=format!("tel:{p}") data-testid="today-call" aria-label=label>
                            {call}
                        </a>
                    }
                })}
            </div>
        </li>
    }
}

#[component]
pub fn TodayPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let (query, set_query) = signal(String::new());
    let list = found(query, |d, q| {
        d.find_due(q)
            .into_iter()
            .map(|r| r.id().to_owned())
            .collect()
    });
    let total = move || list.count();
    let head = move || {
        let total = total()?;
        let searching = !query.with(|q| q.trim().is_empty());
        let count = if searching {
            t!(i18n, today_found, count = total).into_any()
        } else {
            t!(i18n, today_count, count = total).into_any()
        };
        let empty = (total == 0).then(|| {
            if searching {
                view! { <p class="muted" data-testid="no-results">{t!(i18n, no_results)}</p> }
                    .into_any()
            } else {
                view! { <p class="muted" data-testid="today-none">{t!(i18n, today_none)}</p> }
                    .into_any()
            }
        });
        Some(view! {
            <p class="muted" data-testid="today-count" data-total=total>{count}</p>
            {empty}
        })
    };
    let draw = move |(id, _, locale): RowKey| {
        let d = data.dataset_untracked()?;
        let r = d.resident(&id)?;
        Some(row(&d, r, locale).into_any())
    };
    let session = crate::session::use_session();
    // The grids this worker covers today on the rota (issue 17): their due list is on this page.
    let covering = move || {
        let me = session.get()?.user.id;
        data.dataset().and_then(|d| {
            let days = d.covering_today(&me);
            (!days.is_empty()).then(|| {
                days.into_iter()
                    .map(|(grid, worker)| {
                        let grid = d.grid_name(Some(&grid)).to_owned();
                        let worker = d.people.get(&worker).cloned().unwrap_or_default();
                        view! { <p class="notice" data-testid="today-covering">{t!(i18n, today_covering, grid = grid, worker = worker)}</p> }
                    })
                    .collect_view()
            })
        })
    };
    view! {
        <section>
            <h1>{t!(i18n, today_title)}</h1>
            <Suspense fallback=|| ()>{covering}</Suspense>
            <input
                type="search"
                class="search"
                data-testid="today-search"
                aria-label=move || t_string!(i18n, today_search_placeholder)
                placeholder=move || t_string!(i18n, today_search_placeholder)
                prop:value=query
                on:input=move |ev| set_query.set(event_target_value(&ev))
            />
            {move || total().is_none().then(|| view! { <p class="muted">{t!(i18n, loading)}</p> })}
            {head}
            <WindowedList rows=list.rows() keys=list.keys() row=draw testid="today-list" />
        </section>
    }
}
