//! The overview's 修改冲突 card (issue 17 "who changed what"): fields of the supervisor's grids
//! that two devices set to different values close together, so one overwrote the other unseen.
//! Each shows the record, both values with who set them and when, which one the field holds,
//! and a tap per side that asks the server to keep it (`POST /api/v1/history/contested/settle`):
//! a supervisor writes no resident field on their own, but may choose between two values that
//! devices with the right already sent. Asked of the server (contests are known only there);
//! nothing when there are none or the server cannot be reached.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use model::entities::{facility, gathering, household, need, resident, visit};
use model::history::{may_see_contests, ContestSide, Contested, SettleRequest};
use model::hlc::Hlc;
use model::Role;

use crate::api;
use crate::components::access::use_role;
use crate::components::history_panel::{
    china_time, field_text, short_device, unreachable, value_text,
};
use crate::data::{use_data, Dataset};
use crate::i18n::{t, td_string, use_i18n, Locale};
use crate::session::use_session;
use crate::sync::use_sync;

/// What the person was told after a tap, by contest: whether it was saved, and the words.
type Said = HashMap<String, (bool, String)>;

/// The card; `refresh` is the overview's 刷新, which asks the server again.
#[component]
pub fn ContestedFields(#[prop(into)] refresh: Signal<u32>) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let sync = use_sync();
    let data = use_data();
    let role = use_role().get_untracked();
    let allowed = role.is_some_and(may_see_contests);
    let loaded = LocalResource::new(move || {
        let token = session.get().map(|s| s.token);
        refresh.track();
        // A correction pushed, or changes pulled, may have settled a contest.
        sync.server_moved.track();
        async move {
            if !allowed {
                return None;
            }
            api::contested(&token?).await.ok()
        }
    });
    // A corrected contest stays listed until the edit reaches the server: it says so meanwhile.
    let said = RwSignal::new(Said::new());

    move || {
        let list = loaded.get().flatten()?.contested;
        if list.is_empty() {
            return None;
        }
        let locale = i18n.get_locale();
        let d = data.dataset();
        let count = list.len();
        let rows = list
            .into_iter()
            .map(|c| row(c, role, locale, d.as_deref(), said))
            .collect_view();
        Some(view! {
            <section class="card" data-testid="contested">
                <h2>{t!(i18n, contested_title, count = count)}</h2>
                <p class="muted">{t!(i18n, contested_hint)}</p>
                <ul class="rows contests">{rows}</ul>
            </section>
        })
    }
}

/// The page of a record, where the app has one.
fn page_of(entity: &str, id: &str) -> Option<String> {
    let base = match entity {
        resident::NAME => "/residents",
        household::NAME => "/households",
        need::NAME => "/needs",
        visit::NAME => "/visits",
        gathering::NAME => "/gatherings",
        facility::NAME => "/services",
        _ => return None,
    };
    Some(format!("{base}/{id}"))
}

/// Which record, as a person knows it: a resident by name, a household by its address,
/// anything else (or a record this device does not hold) by what kind of record it is.
fn record_text(entity: &str, id: &str, locale: Locale, d: Option<&Dataset>) -> String {
    let named = d.and_then(|d| match entity {
        resident::NAME => d.resident(id).map(|r| r.name().to_owned()),
        household::NAME => d.households.get(id).map(household::address_line),
        _ => None,
    });
    named.filter(|n| !n.is_empty()).unwrap_or_else(|| {
        model::schema::entity(entity).map_or_else(
            || entity.to_owned(),
            |e| match locale {
                Locale::zh => e.zh.to_owned(),
                Locale::en => e.en.to_owned(),
            },
        )
    })
}

fn key(c: &Contested) -> String {
    format!("{}/{}/{}/{}", c.entity, c.id, c.field, c.current_hlc)
}

fn row(
    c: Contested,
    role: Option<Role>,
    locale: Locale,
    d: Option<&Dataset>,
    said: RwSignal<Said>,
) -> impl IntoView {
    let what = view! {
        <span class="row-main">{record_text(&c.entity, &c.id, locale, d)}</span>
        <span class="row-sub">{field_text(&c.entity, &c.field, locale)}" · "{china_time(c.flagged_ms)}</span>
    };
    let record = match page_of(&c.entity, &c.id) {
        Some(href) => {
            view! { <A href=href attr:class="row" attr:data-testid="contested-record">{what}</A> }
                .into_any()
        }
        None => view! { <p class="row" data-testid="contested-record">{what}</p> }.into_any(),
    };
    let may_settle = role.is_some_and(may_see_contests);
    let k = key(&c);
    let sides = c
        .sides
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let take = may_settle.then(|| {
                let keep = SettleRequest {
                    entity: c.entity.clone(),
                    id: c.id.clone(),
                    field: c.field.clone(),
                    hlc: s.hlc.clone(),
                };
                view! { <TakeButton side=i said=said k=k.clone() keep=keep /> }
            });
            side(&c, i, s, locale, d, take)
        })
        .collect_view();
    let message = {
        let k = k.clone();
        move || {
            said.with(|m| m.get(&k).cloned()).map(|(ok, m)| {
                let (class, testid) = if ok {
                    ("notice", "contested-done")
                } else {
                    ("field-error", "contested-error")
                };
                view! { <p class=class role="status" data-testid=testid>{m}</p> }
            })
        }
    };
    view! {
        <li class="contest" data-testid="contested-row" data-entity=c.entity.clone() data-id=c.id.clone() data-field=c.field.clone()>
            {record}
            <ul class="contest-sides">{sides}</ul>
            {message}
        </li>
    }
}

fn side(
    c: &Contested,
    i: usize,
    s: &ContestSide,
    locale: Locale,
    d: Option<&Dataset>,
    take: Option<impl IntoView + 'static>,
) -> impl IntoView {
    let i18n = use_i18n();
    let current = s.hlc == c.current_hlc;
    let who = s
        .user_name
        .clone()
        .or_else(|| s.user_id.clone())
        .unwrap_or_else(|| td_string!(locale, contested_unknown).to_string());
    // The server's receipt when the history still has it, else the device's own stamp.
    let when = s
        .received_ms
        .or_else(|| {
            Hlc::parse(&s.hlc)
                .ok()
                .and_then(|h| i64::try_from(h.ms).ok())
        })
        .map(china_time)
        .unwrap_or_default();
    view! {
        <li class="contest-side" class:current=current data-testid="contested-side" data-side=i
            data-current=if current { "true" } else { "false" }>
            <p class="change-what">
                <span data-testid="contested-value">{value_text(&c.entity, &c.field, &s.value, locale, d)}</span>
                {current.then(|| view! { " " <span class="badge current">{t!(i18n, changes_current)}</span> })}
            </p>
            <p class="row-sub">
                <span data-testid="contested-who">{who}</span>" · "{when}" · "
                {t!(i18n, changes_device)}" "{short_device(&s.device_id)}
            </p>
            {take}
        </li>
    }
}

/// 采用此值: asks the server to keep this side; hidden once the contest is settled. The server
/// writes the value anew, so this device syncs at once to receive it.
#[component]
fn TakeButton(side: usize, said: RwSignal<Said>, k: String, keep: SettleRequest) -> impl IntoView {
    let i18n = use_i18n();
    let session = use_session();
    let sync = use_sync();
    let (busy, set_busy) = signal(false);
    let k = StoredValue::new(k);
    let keep = StoredValue::new(keep);
    let corrected = move || k.with_value(|k| said.with(|m| m.get(k).is_some_and(|(ok, _)| *ok)));
    let take = move |_| {
        let locale = i18n.get_locale_untracked();
        let token = session.token_untracked();
        set_busy.set(true);
        spawn_local(async move {
            let told = match api::settle(&token, &keep.get_value()).await {
                Ok(_) => {
                    sync.sync_now();
                    (true, td_string!(locale, contested_done).to_string())
                }
                Err(e) if unreachable(&e) => {
                    (false, td_string!(locale, contested_offline).to_string())
                }
                Err(e) if e.code() == Some("not_found") => {
                    (false, td_string!(locale, contested_gone).to_string())
                }
                Err(api::ApiError::Status { body: Some(b), .. }) => {
                    (false, api::in_language(&b.message, locale))
                }
                Err(e) => (false, e.to_string()),
            };
            set_busy.set(false);
            said.update(|m| {
                m.insert(k.get_value(), told);
            });
        });
    };
    view! {
        <Show when=move || !corrected()>
            <button class="secondary contest-take" data-testid="contested-take" data-side=side
                disabled=move || busy.get() on:click=take>
                {t!(i18n, contested_take)}
            </button>
        </Show>
    }
}
