//! The register of weddings, funerals and other gatherings (红白理事会, issue 17): upcoming ones
//! first, soonest first, each with its place, expected size and the advice given; then what
//! happened at past ones. Anyone on staff adds one when they hear of it.

use leptos::prelude::*;
use leptos_router::components::A;
use model::access::Action;
use model::entities::gathering::{self, field};
use model::record::Gathering;

use crate::components::access::may;
use crate::components::field_input::member_label;
use crate::data::use_data;
use crate::db::Record;
use crate::i18n::{t, use_i18n, Locale};

/// One gathering as a row: kind and date, place and organiser, expected (and actual) size.
pub fn gathering_row(record: &Record, locale: Locale) -> impl IntoView {
    let g = Gathering(record);
    let kind = g
        .kind()
        .map(|k| member_label(gathering::NAME, field::KIND, k, locale))
        .unwrap_or("—");
    let date = g
        .date()
        .map(|d| d.to_string())
        .unwrap_or_else(|| "—".into());
    let place = [g.place(), g.organiser()]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    let size = match (g.expected_size(), g.actual_size(), locale) {
        (Some(e), Some(a), Locale::zh) => format!("预计 {e} 人，实际 {a} 人"),
        (Some(e), None, Locale::zh) => format!("预计 {e} 人"),
        (Some(e), Some(a), Locale::en) => format!("{e} expected, {a} came"),
        (Some(e), None, Locale::en) => format!("{e} expected"),
        (None, Some(a), Locale::zh) => format!("实际 {a} 人"),
        (None, Some(a), Locale::en) => format!("{a} came"),
        (None, None, _) => String::new(),
    };
    let advice = g.advice().filter(|s| !s.is_empty()).map(str::to_owned);
    view! {
        <a href=format!("/gatherings/{}", record.id) class="row" data-testid="gathering-row">
            <span class="row-main">{date}" · "{kind}</span>
            <span class="row-sub">{place}{(!size.is_empty()).then(|| format!(" · {size}"))}</span>
            {advice.map(|a| view! { <span class="row-sub">{a}</span> })}
        </a>
    }
}

#[component]
pub fn GatheringsPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let list = move || {
        data.dataset().map(|d| {
            let locale = i18n.get_locale();
            let all = d.gathering_register(None);
            if all.is_empty() {
                return view! { <p class="muted" data-testid="gatherings-none">{t!(i18n, gatherings_none)}</p> }.into_any();
            }
            let rows = all
                .into_iter()
                .map(|g| view! { <li>{gathering_row(g, locale)}</li> })
                .collect_view();
            view! { <ul class="rows" data-testid="gathering-list">{rows}</ul> }.into_any()
        })
    };
    view! {
        <section>
            <div class="toolbar">
                <h1>{t!(i18n, nav_gatherings)}</h1>
                {may(Action::EditGathering).then(|| view! {
                    <A href="/gatherings/new" attr:class="button primary" attr:data-testid="add-gathering">{t!(i18n, add_gathering)}</A>
                })}
            </div>
            <p class="muted">{t!(i18n, gatherings_hint)}</p>
            <Suspense fallback=move || view! { <p class="muted">{t!(i18n, loading)}</p> }>{list}</Suspense>
        </section>
    }
}
