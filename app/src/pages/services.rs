//! The service directory (服务点与热线): vaccination points, green channels, mobile vaccination,
//! test points, pharmacies, the health station and hospitals, each a tap from a call. Read from
//! IndexedDB, so it works offline.

use leptos::prelude::*;
use model::entities::facility;
use model::record::Facility;

use crate::components::field_input::member_label;
use crate::data::use_data;
use crate::i18n::{t, use_i18n};

#[component]
pub fn ServicesPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let list = move || {
        data.dataset().map(|d| {
            let mut items = d.facilities.clone();
            items.sort_by(|a, b| {
                let (a, b) = (Facility(a), Facility(b));
                (a.kind(), a.name()).cmp(&(b.kind(), b.name()))
            });
            let locale = i18n.get_locale();
            items
                .into_iter()
                .map(|record| {
                    let f = Facility(&record);
                    let kind = f.kind().map(|k| member_label(facility::NAME, facility::field::KIND, k, locale)).unwrap_or("—");
                    let name = f.name().unwrap_or_default().to_owned();
                    let address = f.address().unwrap_or_default().to_owned();
                    let hours = f.hours().unwrap_or_default().to_owned();
                    let phone = f.phone().map(str::to_owned);
                    view! {
                        <li class="facility" data-testid="facility">
                            <span class="row-main">{name}</span>
                            <span class="row-sub">{kind}" · "{hours}</span>
                            <span class="row-sub">{address}</span>
                            {phone.map(|p| view! {
                                <a class="button primary" href=format!("tel:{p}") data-testid="facility-call">{t!(i18n, call)}" "{p.clone()}</a>
                            })}
                        </li>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <section>
            <h1>{t!(i18n, services_title)}</h1>
            <p class="hotline">{t!(i18n, hotline)}</p>
            <Suspense fallback=|| ()><ul class="rows">{list}</ul></Suspense>
        </section>
    }
}
