//! The service directory (服务点与热线): the community's own hotlines first, then vaccination
//! points, green channels, mobile vaccination, test points, pharmacies, the health station,
//! hospitals and elderly-care institutions, each a tap from a call. Read from IndexedDB, so it
//! works offline; supervisors add and change entries here (issue 16).

use leptos::prelude::*;
use leptos_router::components::A;
use model::access::Action;
use model::entities::facility;
use model::record::Facility;

use crate::components::access::may;
use crate::components::field_input::member_label;
use crate::data::use_data;
use crate::db::Record;
use crate::i18n::{t, use_i18n, Locale};

fn entry(record: &Record, locale: Locale, i18n: leptos_i18n::I18nContext<Locale>) -> impl IntoView {
    let f = Facility(record);
    let kind = f
        .kind()
        .map(|k| member_label(facility::NAME, facility::field::KIND, k, locale))
        .unwrap_or("—");
    let name = f.name().unwrap_or_default().to_owned();
    let sub = [f.hours(), f.address()]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    let phone = f
        .phone()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned);
    let id = record.id.clone();
    view! {
        <li class="facility" data-testid="facility" data-kind=f.kind().unwrap_or_default().to_owned()>
            <a href=format!("/services/{id}") class="row" data-testid="facility-open">
                <span class="row-main">{name}</span>
                <span class="row-sub">{kind}{(!sub.is_empty()).then(|| format!(" · {sub}"))}</span>
            </a>
            {phone.map(|p| view! {
                <a class="button primary" href=format!("tel:{p}") data-testid="facility-call">{t!(i18n, call)}" "{p.clone()}</a>
            })}
        </li>
    }
}

#[component]
pub fn ServicesPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let list = move || {
        data.dataset().map(|d| {
            let mut items: Vec<&Record> = d.facilities.iter().collect();
            items.sort_by(|a, b| {
                let (a, b) = (Facility(*a), Facility(*b));
                let order = |k: Option<&str>| facility::KINDS.iter().position(|x| Some(*x) == k);
                (a.kind() != Some(facility::HOTLINE), order(a.kind()), a.name())
                    .cmp(&(b.kind() != Some(facility::HOTLINE), order(b.kind()), b.name()))
            });
            let locale = i18n.get_locale();
            let (hotlines, places): (Vec<&Record>, Vec<&Record>) =
                items.into_iter().partition(|r| Facility(*r).kind() == Some(facility::HOTLINE));
            view! {
                {(!hotlines.is_empty()).then(|| view! {
                    <h2>{t!(i18n, services_hotlines)}</h2>
                    <ul class="rows" data-testid="hotline-list">{hotlines.into_iter().map(|r| entry(r, locale, i18n)).collect_view()}</ul>
                })}
                <h2>{t!(i18n, services_places)}</h2>
                <ul class="rows" data-testid="facility-list">{places.into_iter().map(|r| entry(r, locale, i18n)).collect_view()}</ul>
            }
        })
    };
    view! {
        <section>
            <div class="toolbar">
                <h1>{t!(i18n, services_title)}</h1>
                {may(Action::EditFacility).then(|| view! {
                    <A href="/services/new" attr:class="button primary" attr:data-testid="add-facility">{t!(i18n, add_facility)}</A>
                })}
            </div>
            <p class="hotline">{t!(i18n, hotline)}</p>
            <Suspense fallback=|| ()>{list}</Suspense>
        </section>
    }
}
