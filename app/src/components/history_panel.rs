//! A record's change history (修改记录, issue 17 "who changed what"): every change the server
//! accepted for it, overwritten ones included, with when, who and from which device, the value
//! the field holds now marked. Asked of the server when the panel opens (history is kept only
//! there), and for staff only; also the helpers that put a field and a stored value into words,
//! which the overview's contested fields share.

use leptos::prelude::*;
use model::date::{Date, CHINA_UTC_OFFSET_MINUTES};
use model::history::{may_read_history, HistoryEntry, HistoryResponse};
use model::schema::FieldType;
use serde_json::Value;

use crate::api::{self, ApiError};
use crate::components::access::use_role;
use crate::components::field_input::{field_label, member_label};
use crate::components::show_more::ShowMore;
use crate::data::{use_data, Dataset};
use crate::i18n::{t, td_string, use_i18n, Locale};
use crate::session::use_session;

/// Changes drawn at first, and drawn more at a time.
const PAGE: usize = 30;

/// A server time as a person in the community reads it: China date and time to the minute,
/// whatever zone the device is set to.
pub fn china_time(ms: i64) -> String {
    let local = ms + i64::from(CHINA_UTC_OFFSET_MINUTES) * 60_000;
    let minutes = local.rem_euclid(86_400_000) / 60_000;
    format!(
        "{} {:02}:{:02}",
        Date::from_china_ms(ms),
        minutes / 60,
        minutes % 60
    )
}

/// A field's label in the person's language; a field this version does not know shows by name.
pub fn field_text(entity: &str, field: &str, locale: Locale) -> String {
    model::schema::field(entity, field)
        .map(|d| field_label(d, locale).to_owned())
        .unwrap_or_else(|| field.to_owned())
}

/// The first characters of a device id: enough to tell two phones apart on one screen.
pub fn short_device(device: &str) -> String {
    device.chars().take(8).collect()
}

/// A stored value as a person reads it: enum members and references by their names, 是/否,
/// times in China time, an emptied field said to be emptied.
pub fn value_text(
    entity: &str,
    field: &str,
    value: &Value,
    locale: Locale,
    d: Option<&Dataset>,
) -> String {
    let ty = model::schema::field(entity, field).map(|f| f.ty);
    match (ty, value) {
        (_, Value::Null) => td_string!(locale, changes_cleared).to_string(),
        (_, Value::Bool(true)) => td_string!(locale, changes_yes).to_string(),
        (_, Value::Bool(false)) => td_string!(locale, changes_no).to_string(),
        (Some(FieldType::Enum(_)), Value::String(m)) => {
            member_label(entity, field, m, locale).to_owned()
        }
        (Some(FieldType::Timestamp), Value::Number(n)) => {
            n.as_i64().map_or_else(|| n.to_string(), china_time)
        }
        (Some(FieldType::Reference(target)), Value::String(id)) => d
            .and_then(|d| reference_name(d, target, id))
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| id.clone()),
        (_, Value::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    }
}

/// The name of a referenced record, when this device holds it.
fn reference_name(d: &Dataset, target: &str, id: &str) -> Option<String> {
    use model::entities::{grid, household, resident, user_profile};
    match target {
        grid::NAME => Some(d.grid_name(Some(id)).to_owned()),
        user_profile::NAME => d.people.get(id).cloned(),
        resident::NAME => d.resident(id).map(|r| r.name().to_owned()),
        household::NAME => Some(d.address_of(Some(id))),
        _ => None,
    }
}

/// Whether an error means the server was not reached (a proxy's answer while it is down
/// included), as opposed to the server saying no.
pub fn unreachable(e: &ApiError) -> bool {
    matches!(
        e,
        ApiError::Unreachable
            | ApiError::Status {
                status: 502..=504,
                ..
            }
    )
}

/// The collapsible 修改记录 of one record; nothing for a role that may not read history.
#[component]
pub fn HistoryPanel(entity: &'static str, id: String) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let allowed = use_role().get_untracked().is_some_and(may_read_history);
    // Counts the openings: each asks again, since a sync may have brought changes since.
    let opened = RwSignal::new(0u32);
    let id = StoredValue::new(id);
    let loaded = LocalResource::new(move || {
        let n = opened.get();
        let token = session.get().map(|s| s.token);
        async move {
            if n == 0 {
                return None;
            }
            Some(api::history(&token?, entity, &id.get_value()).await)
        }
    });
    let body = move || {
        if opened.get() == 0 {
            return None;
        }
        Some(match loaded.get().flatten() {
            None => view! { <p class="muted">{t!(i18n, loading)}</p> }.into_any(),
            Some(Err(e)) => {
                let text = if unreachable(&e) {
                    t!(i18n, changes_offline).into_any()
                } else {
                    match e {
                        ApiError::Status { body: Some(b), .. } => {
                            api::in_language(&b.message, i18n.get_locale()).into_any()
                        }
                        _ => t!(i18n, changes_failed).into_any(),
                    }
                };
                view! { <p class="field-error" role="status" data-testid="history-error">{text}</p> }
                    .into_any()
            }
            Some(Ok(r)) => view! { <Entries r=r /> }.into_any(),
        })
    };
    allowed.then(|| {
        view! {
            <details
                class="history-panel"
                data-testid="history-panel"
                on:toggle=move |ev| {
                    if event_target::<web_sys::Element>(&ev).has_attribute("open") {
                        opened.update(|n| *n += 1);
                    }
                }
            >
                <summary data-testid="history-open">{t!(i18n, changes_title)}</summary>
                {body}
            </details>
        }
    })
}

/// The entries of one answer, newest first, and how long the server keeps them.
#[component]
fn Entries(r: HistoryResponse) -> impl IntoView {
    let i18n = use_i18n();
    let data = use_data();
    let days = r.retention_days;
    let entity = r.entity;
    // A record edited daily for a year has hundreds of changes: the newest first, more on asking.
    let shown = RwSignal::new(PAGE);
    let list = move || {
        if r.entries.is_empty() {
            return view! { <p class="muted" data-testid="history-empty">{t!(i18n, changes_empty)}</p> }
                .into_any();
        }
        let locale = i18n.get_locale();
        let d = data.dataset();
        let total = r.entries.len();
        let items = r
            .entries
            .iter()
            .take(shown.get())
            .map(|e| entry(&entity, e, locale, d.as_deref()))
            .collect_view();
        view! {
            <ul class="rows changes">{items}</ul>
            <ShowMore shown=shown total=total page=PAGE testid="history-more" />
        }
        .into_any()
    };
    view! {
        {list}
        <p class="muted" data-testid="history-retention">{t!(i18n, changes_retention, days = days)}</p>
    }
}

fn entry(entity: &str, e: &HistoryEntry, locale: Locale, d: Option<&Dataset>) -> impl IntoView {
    let i18n = use_i18n();
    let who = e.user_name.clone().unwrap_or_else(|| e.user_id.clone());
    let current = e.current;
    view! {
        <li class="change" data-testid="history-entry" data-field=e.field.clone()
            data-current=if current { "true" } else { "false" }>
            <p class="change-what">
                <span class="change-field">{field_text(entity, &e.field, locale)}</span>
                ": "
                <span data-testid="history-value">{value_text(entity, &e.field, &e.value, locale, d)}</span>
                {current.then(|| view! { " " <span class="badge current" data-testid="history-current">{t!(i18n, changes_current)}</span> })}
            </p>
            <p class="row-sub">
                <span data-testid="history-when">{china_time(e.received_ms)}</span>
                " · "
                <span data-testid="history-who">{who}</span>
                " · "
                {t!(i18n, changes_device)}" "{short_device(&e.device_id)}
            </p>
        </li>
    }
}
