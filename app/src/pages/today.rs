//! Today (今日待访): the worker's due and overdue visits, red first, then by how overdue, each
//! with why it is due. A visit recorded today moves the due date on, so the row leaves at once;
//! a resident whose latest visit found a severe warning sign stays at the top for daily
//! follow-up until a visit finds none.

use leptos::prelude::*;
use leptos_router::components::A;
use model::dataset::due::Due;

use crate::components::tier_chip::TierChip;
use crate::data::{use_data, Resident};
use crate::i18n::{t, use_i18n, Locale};

/// Why the resident's tier, in the screen's language.
pub fn reasons_text(r: &Resident, locale: Locale) -> String {
    match locale {
        Locale::zh => r.reasons_zh(),
        Locale::en => r.reasons_en(),
    }
}

#[component]
pub fn TodayPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let list = move || {
        data.dataset().map(|d| {
            let rows = d.due_list();
            if rows.is_empty() {
                return view! { <p class="muted" data-testid="today-none">{t!(i18n, today_none)}</p> }.into_any();
            }
            rows.into_iter()
                .take(300)
                .map(|r| {
                    let when = match d.due_of(r) {
                        Due::DailyFollowUp => t!(i18n, daily_follow_up).into_any(),
                        Due::NeverVisited => t!(i18n, never_visited).into_any(),
                        Due::Today => t!(i18n, due_today).into_any(),
                        Due::Overdue(days) => t!(i18n, overdue_days, days = days).into_any(),
                    };
                    let reasons = reasons_text(r, i18n.get_locale());
                    let address = d.address_of_resident(r);
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
