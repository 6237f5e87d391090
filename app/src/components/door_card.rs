//! One door of a delivery round as a card: where (building, unit, room, large and first), for
//! whom, what to hand over, the status as a coloured word with an icon, a call button, the note
//! folded away, and the taps that set or take back the status. The volunteer's list and the
//! staff's view of deliveries both draw it; the staff's adds the volunteer's name.

use std::collections::{HashMap, HashSet};

use leptos::prelude::*;
use model::entities::pack_delivery::{self, DELIVERED, NOT_HOME, PENDING, REFUSED};

use crate::components::field_input::member_label;
use crate::i18n::{t, t_string, use_i18n};

/// What a card shows: only fields the role received, never anything computed from others.
#[derive(Clone, Debug)]
pub struct Door {
    pub id: String,
    /// Building, unit and room on one line; empty when the household has no address.
    pub place: String,
    pub name: String,
    /// The recipient's id, on the staff's view only: their name opens their page.
    pub resident: Option<String>,
    /// Only when the role receives the recipient's phone.
    pub phone: Option<String>,
    pub contents: Vec<String>,
    /// One of the schema's statuses; a delivery without one is pending.
    pub status: String,
    pub note: Option<String>,
    /// The volunteer's name, on the staff's view only.
    pub volunteer: Option<String>,
    /// The household got another delivered pack of the batch.
    pub doubled: bool,
    /// The role logged in may set a delivery's status (`model::access::Action::MarkDelivery`).
    pub mark: bool,
    /// The status was set today and may be taken back.
    pub undo: bool,
    /// Nobody was at home: the door can be tried again.
    pub retry: bool,
}

/// A tap on a card: the delivery, the status it asks for, and the note typed on the card.
pub type Mark = (String, &'static str, String);

/// The notes being typed and the notes unfolded, by delivery, kept by the list: every sync
/// redraws the cards, and a half-typed note must not vanish under the volunteer's thumb.
#[derive(Clone, Copy)]
pub struct Drafts {
    text: StoredValue<HashMap<String, String>>,
    open: StoredValue<HashSet<String>>,
}

impl Default for Drafts {
    fn default() -> Drafts {
        Drafts::new()
    }
}

impl Drafts {
    pub fn new() -> Drafts {
        Drafts {
            text: StoredValue::new(HashMap::new()),
            open: StoredValue::new(HashSet::new()),
        }
    }

    /// Forgets what was typed on a card once its status is set.
    pub fn clear(&self, id: &str) {
        self.text.update_value(|t| {
            t.remove(id);
        });
        self.open.update_value(|o| {
            o.remove(id);
        });
    }
}

/// The icon beside a status word, so the status reads without colour too.
fn status_icon(status: &str) -> &'static str {
    match status {
        DELIVERED => "✓",
        NOT_HOME => "⌂",
        REFUSED => "✕",
        _ => "○",
    }
}

#[component]
pub fn DoorCard(door: Door, drafts: Drafts, on_mark: Callback<Mark>) -> impl IntoView {
    let i18n = use_i18n();
    let Door {
        id,
        place,
        name,
        resident,
        phone,
        contents,
        status,
        note,
        volunteer,
        doubled,
        mark,
        undo,
        retry,
    } = door;
    let pending = status == PENDING;
    let may_note = pending && mark;
    let draft = drafts.text.with_value(|t| t.get(&id).cloned());
    let typed = RwSignal::new(draft.or_else(|| note.clone()).unwrap_or_default());
    let unfolded = drafts.open.with_value(|o| o.contains(&id));
    let (id_typed, id_fold) = (id.clone(), id.clone());
    let tap = {
        let id = id.clone();
        move |to: &'static str| {
            let id = id.clone();
            move |_| on_mark.run((id.clone(), to, typed.get_untracked()))
        }
    };
    let label = {
        let status = status.clone();
        move || {
            member_label(
                pack_delivery::NAME,
                pack_delivery::field::STATUS,
                &status,
                i18n.get_locale(),
            )
        }
    };
    let state_class = if pending || status == NOT_HOME {
        "door-todo"
    } else {
        "door-done"
    };
    view! {
        <li
            class=format!("door {state_class} status-{status}")
            data-testid="delivery"
            data-status=status.clone()
            data-id=id.clone()
        >
            <p class="door-place" data-testid="door-place">
                {move || if place.is_empty() { t_string!(i18n, door_no_address).to_string() } else { place.clone() }}
            </p>
            <p class="door-name" data-testid="door-name">
                {match resident {
                    Some(r) => view! { <a href=format!("/residents/{r}") data-testid="door-resident">{name}</a> }.into_any(),
                    None => name.into_any(),
                }}
            </p>
            <ul class="door-contents" data-testid="door-contents" aria-label=move || t_string!(i18n, contents)>
                {contents.into_iter().map(|c| view! { <li data-testid="door-item">{c}</li> }).collect_view()}
            </ul>
            <p class=format!("door-status door-status-{status}")>
                <span class="door-icon" aria-hidden="true">{status_icon(&status)}</span>
                " "
                <span data-testid="delivery-status">{label}</span>
            </p>
            {volunteer.map(|v| view! {
                <p class="door-volunteer" data-testid="door-volunteer">{t!(i18n, volunteer)}": "{v}</p>
            })}
            {doubled.then(|| view! { <p class="field-error" data-testid="double-delivery">{t!(i18n, double_delivery)}</p> })}
            {phone.map(|p| view! {
                <a class="button call" data-testid="door-call" href=format!("tel:{p}")>
                    <span aria-hidden="true">"☎ "</span>{t!(i18n, door_call)}" "{p.clone()}
                </a>
            })}
            {(may_note || note.is_some()).then(|| view! {
                <details
                    class="door-note"
                    data-testid="door-note"
                    prop:open=unfolded
                    on:toggle=move |ev| {
                        let open = event_target::<web_sys::Element>(&ev).has_attribute("open");
                        let id = id_fold.clone();
                        drafts.open.update_value(|o| {
                            if open { o.insert(id); } else { o.remove(&id); }
                        });
                    }
                >
                    <summary>{t!(i18n, door_note)}</summary>
                    {if may_note {
                        view! {
                            <input
                                class="note"
                                data-testid="delivery-note"
                                placeholder=move || t_string!(i18n, delivery_note)
                                prop:value=move || typed.get()
                                on:input=move |ev| {
                                    let text = event_target_value(&ev);
                                    let id = id_typed.clone();
                                    drafts.text.update_value(|t| { t.insert(id, text.clone()); });
                                    typed.set(text);
                                }
                            />
                        }.into_any()
                    } else {
                        view! { <p data-testid="door-note-text">{note.clone()}</p> }.into_any()
                    }}
                </details>
            })}
            <div class="actions">
                {may_note.then(|| view! {
                    <button class="primary" data-testid="mark-delivered" on:click=tap(DELIVERED)>{t!(i18n, mark_delivered)}</button>
                    <button class="secondary" data-testid="mark-not-home" on:click=tap(NOT_HOME)>{t!(i18n, mark_not_home)}</button>
                    <button class="secondary" data-testid="mark-refused" on:click=tap(REFUSED)>{t!(i18n, mark_refused)}</button>
                })}
                {retry.then(|| view! {
                    <button class="primary" data-testid="door-retry" on:click=tap(PENDING)>{t!(i18n, door_retry)}</button>
                })}
                {(undo && !retry).then(|| view! {
                    <button class="secondary" data-testid="door-undo" on:click=tap(PENDING)>{t!(i18n, door_undo)}</button>
                })}
            </div>
        </li>
    }
}
