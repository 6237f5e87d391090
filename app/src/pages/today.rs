//! Today (今日待访): the worker's due and overdue visits, red first, then by how overdue, each
//! with why it is due. A visit recorded today moves the due date on, so the row leaves at once;
//! a resident whose latest visit found a severe warning sign stays at the top for daily
//! follow-up until a visit finds none.

use leptos::prelude::*;
use leptos_router::components::A;
use model::record::Fields;

use crate::components::tier_chip::TierChip;
use crate::data::{use_data, Dataset, Resident};
use crate::i18n::{t, use_i18n, Locale};

/// The residents due today or earlier, in the order a worker should knock.
pub fn due_list(data: &Dataset) -> Vec<&Resident> {
    let mut due: Vec<&Resident> = data
        .residents
        .iter()
        .filter(|r| r.has_warning() || r.overdue_days(data.today).is_some())
        .collect();
    // Red first, warning signs first among them, then the longest overdue; of those equally
    // due, the freshest visit first (an alarm just raised is still unfolding).
    due.sort_by_key(|r| {
        (
            r.tier(),
            !r.has_warning(),
            std::cmp::Reverse(r.overdue_days(data.today)),
            std::cmp::Reverse(r.last_visit_ms),
            r.name().to_owned(),
        )
    });
    due
}

pub fn reasons_text(r: &Resident, locale: Locale) -> String {
    r.assessment
        .reasons
        .iter()
        .map(|x| if locale == Locale::zh { x.zh() } else { x.en() })
        .collect::<Vec<_>>()
        .join(if locale == Locale::zh { "、" } else { ", " })
}

#[component]
pub fn TodayPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data().data;
    let list = move || {
        data.get().flatten().map(|d| {
            let rows = due_list(&d);
            if rows.is_empty() {
                return view! { <p class="muted" data-testid="today-none">{t!(i18n, today_none)}</p> }.into_any();
            }
            let today = d.today;
            rows.into_iter()
                .take(300)
                .map(|r| {
                    let overdue = r.overdue_days(today).unwrap_or(0);
                    let when = if r.has_warning() && r.overdue_days(today).is_none() {
                        t!(i18n, daily_follow_up).into_any()
                    } else if r.last_visit_ms.is_none() {
                        t!(i18n, never_visited).into_any()
                    } else if overdue == 0 {
                        t!(i18n, due_today).into_any()
                    } else {
                        t!(i18n, overdue_days, days = overdue).into_any()
                    };
                    let reasons = reasons_text(r, i18n.get_locale());
                    let address = d.address_of(r.record.text("household_id"));
                    let (tier, name, rid) = (r.tier(), r.name().to_owned(), r.id().to_owned());
                    view! {
                        <li>
                            <A href=format!("/residents/{rid}") attr:class="row" attr:data-testid="today-row">
                                <span class="row-main"><TierChip tier=tier />" "{name}</span>
                                <span class="row-sub">{when}" · "{reasons}</span>
                                <span class="row-sub">{address}</span>
                            </A>
                        </li>
                    }
                })
                .collect_view()
                .into_any()
        })
    };
    view! {
        <section>
            <h1>{t!(i18n, today_title)}</h1>
            <Suspense fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>
                <ul class="rows" data-testid="today-list">{list}</ul>
            </Suspense>
        </section>
    }
}
