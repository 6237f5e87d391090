//! A resident's visit history (走访记录), newest first: when, who recorded it, how they were
//! reached and what was found, each with the door to correct it. Kept whatever the resident's
//! status, so a record of someone who moved away or died still shows what was done.

use leptos::prelude::*;
use leptos_router::components::A;
use model::entities::visit::{self, field};
use model::record::{Fields, Visit};
use model::schema::FieldType;
use serde_json::Value;

use crate::components::field_input::{input_text, member_label};
use crate::data::use_data;
use crate::i18n::{t, use_i18n};

/// When a visit was, as a person reads it: local date and time to the minute.
pub fn when_text(ms: Option<i64>) -> String {
    ms.map(|ms| input_text(FieldType::Timestamp, &Value::from(ms)).replace('T', " "))
        .unwrap_or_else(|| "—".into())
}

#[component]
pub fn VisitHistory(resident_id: String) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let rows = move || {
        let d = data.dataset()?;
        let locale = i18n.get_locale();
        let visits = d.visits_of(&resident_id);
        if visits.is_empty() {
            return Some(view! { <p class="muted" data-testid="visit-history-empty">{t!(i18n, history_empty)}</p> }.into_any());
        }
        let label = |f: &str, m: Option<&str>| m.map(|m| member_label(visit::NAME, f, m, locale));
        let items = visits
            .iter()
            .map(|r| {
                let v = Visit(r);
                let who = v
                    .worker_id()
                    .and_then(|w| d.people.get(w).cloned())
                    .unwrap_or_else(|| "—".into());
                let mut found: Vec<String> = [
                    label(field::METHOD, v.method()),
                    label(field::HEALTH_STATUS, v.health_status()),
                ]
                .into_iter()
                .flatten()
                .map(str::to_owned)
                .collect();
                if let Some(t) = v.temperature() {
                    found.push(format!("{t} °C"));
                }
                if let Some(s) = v.spo2() {
                    found.push(format!("SpO2 {s}%"));
                }
                let warned = visit::WARNINGS.iter().any(|w| r.flag(w));
                let href = format!("/visits/{}", r.id);
                view! {
                    <li class="history-row" data-testid="visit-history-row">
                        <p class="row-main">
                            <span data-testid="visit-when">{when_text(v.visited_at())}</span>
                            " · "
                            <span data-testid="visit-who">{who}</span>
                        </p>
                        <p class="muted" data-testid="visit-found">{found.join(" · ")}</p>
                        {warned.then(|| view! { <p class="field-error" data-testid="visit-warned">{t!(i18n, history_warning)}</p> })}
                        {v.notes().map(|n| view! { <p class="muted">{n.to_owned()}</p> })}
                        <A href=href attr:class="button secondary" attr:data-testid="visit-correct">{t!(i18n, correct_visit)}</A>
                    </li>
                }
            })
            .collect_view();
        Some(view! { <ul class="rows" data-testid="visit-history">{items}</ul> }.into_any())
    };
    view! {
        <h2>{t!(i18n, visit_history)}</h2>
        <Suspense fallback=|| ()>{rows}</Suspense>
    }
}
