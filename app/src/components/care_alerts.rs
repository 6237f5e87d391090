//! The overview's care card (issue 17, 轮休、避免长时间高负荷工作、防护物资供应): workers over the
//! daily load several days running or without a day off in seven (the server's workload, and
//! the rota's days off), and
//! protective gear due a re-supply (the device's stock moves). Nothing when all is well.

use std::sync::Arc;

use leptos::prelude::*;
use model::dashboard::{care_alerts, Dashboard, Strain};

use crate::components::gear::item_name;
use crate::data::use_data;
use crate::i18n::{t, use_i18n};

#[component]
pub fn CareAlerts(d: Arc<Dashboard>) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let strained = care_alerts(&d);
    move || {
        let gear: Vec<(String, String, String)> = data
            .dataset()
            .map(|ds| {
                ds.gear_holdings()
                    .into_iter()
                    .filter(|h| h.is_due(ds.today))
                    .map(|h| {
                        let who = ds.people.get(&h.worker).cloned().unwrap_or_default();
                        let item = item_name(&ds, &h.item);
                        (who, item, h.due.map(|x| x.to_string()).unwrap_or_default())
                    })
                    .collect()
            })
            .unwrap_or_default();
        // A day off on the rota is a day off, visits or not.
        let rested = |w: &str| data.dataset().is_some_and(|ds| ds.rested_this_week(w));
        let strained: Vec<_> = strained
            .iter()
            .filter(|a| !(a.strain == Strain::NoDayOff && rested(&a.worker)))
            .cloned()
            .collect();
        if strained.is_empty() && gear.is_empty() {
            return None;
        }
        let people = strained
            .into_iter()
            .map(|a| {
                let why = match a.strain {
                    Strain::Overloaded(days) => t!(i18n, care_overloaded, days = days).into_any(),
                    Strain::NoDayOff => t!(i18n, care_no_day_off).into_any(),
                };
                view! { <li class="row" data-testid="care-alert"><span class="row-main">{a.name}</span><span class="row-sub late">{why}</span></li> }
            })
            .collect_view();
        let gear = gear
            .into_iter()
            .map(|(who, item, due)| view! {
                <li class="row" data-testid="care-gear"><span class="row-main">{who}" · "{item}</span><span class="row-sub late">{t!(i18n, care_gear_due, date = due)}</span></li>
            })
            .collect_view();
        Some(view! {
            <section class="card" data-testid="care">
                <h2>{t!(i18n, care_title)}</h2>
                <ul class="rows">{people}{gear}</ul>
            </section>
        })
    }
}
